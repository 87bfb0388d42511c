"""PyTorch descriptors (``torch._functorch._aot_autograd.descriptors``) as ``#aot.*`` attributes.

Every class maps to one attribute of the aot dialect (``dialects/aot/src/descriptor.rs``);
nested descriptors nest. Classes are matched by name so that classes missing from an
older PyTorch (``OpaqueRefAOTInput``) cost nothing.
"""

from __future__ import annotations

from .text import string_literal

# PyTorch class name -> (aot attribute name, fields in attribute-parameter order).
_INPUTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "ParamAOTInput": ("param", ("target",)),
    "BufferAOTInput": ("buffer", ("target",)),
    "PlainAOTInput": ("plain", ("idx",)),
    "DummyAOTInput": ("dummy", ("idx",)),
    "ViewBaseAOTInput": ("view_base", ("base_of",)),
    "SyntheticBaseAOTInput": ("synthetic_base", ("base_of",)),
    "TangentAOTInput": ("tangent", ("output",)),
    "SubclassGetAttrAOTInput": ("subclass_attr", ("base", "attr")),
    "SubclassSizeAOTInput": ("subclass_size", ("base", "idx")),
    "SubclassStrideAOTInput": ("subclass_stride", ("base", "idx")),
    "ForwardTokenAOTInput": ("forward_token", ("idx",)),
    "BackwardTokenAOTInput": ("backward_token", ("idx",)),
    "PhiloxForwardSeedAOTInput": ("philox_fwd_seed", ()),
    "PhiloxForwardBaseOffsetAOTInput": ("philox_fwd_base_offset", ()),
    "PhiloxBackwardSeedAOTInput": ("philox_bwd_seed", ()),
    "PhiloxBackwardBaseOffsetAOTInput": ("philox_bwd_base_offset", ()),
    "OpaqueRefAOTInput": ("opaque_ref", ("idx",)),
}

_OUTPUTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "PlainAOTOutput": ("plain_out", ("idx",)),
    "InputMutationAOTOutput": ("input_mutation", ("mutated_input",)),
    "IntermediateBaseAOTOutput": ("intermediate_base", ("base_of",)),
    "MetadataMutationAOTOutput": ("metadata_mutation", ("idx",)),
    "GradAOTOutput": ("grad", ("grad_of",)),
    "SubclassGetAttrAOTOutput": ("subclass_attr_out", ("base", "attr")),
    "SubclassSizeAOTOutput": ("subclass_size_out", ("base", "idx")),
    "SubclassStrideAOTOutput": ("subclass_stride_out", ("base", "idx")),
    "ForwardTokenAOTOutput": ("forward_token_out", ("idx",)),
    "BackwardTokenAOTOutput": ("backward_token_out", ("idx",)),
    "PhiloxUpdatedForwardOffsetAOTOutput": ("philox_updated_fwd_offset", ()),
    "PhiloxUpdatedBackwardOffsetAOTOutput": ("philox_updated_bwd_offset", ()),
    "SavedForBackwardsAOTOutput": ("saved_for_backwards", ("idx",)),
    "SavedForBackwardsNoVcCheckAOTOutput": ("saved_for_backwards_no_vc_check", ("idx",)),
    "DummyAOTOutput": ("dummy_out", ("idx",)),
}

CLASSES = {**_INPUTS, **_OUTPUTS}


class UnknownDescriptor(ValueError):
    """A descriptor class joinery does not know."""


def to_attr(desc) -> str:
    """The ``#aot.*`` attribute text of a PyTorch descriptor, nested descriptors included."""
    cls = type(desc).__name__
    entry = CLASSES.get(cls)
    if entry is None:
        raise UnknownDescriptor(f"unknown descriptor class {cls} ({desc!r})")
    name, fields = entry
    if not fields:
        return f"#aot.{name}"
    params = []
    for field in fields:
        value = getattr(desc, field)
        if isinstance(value, str):
            params.append(string_literal(value))
        elif isinstance(value, bool) or not isinstance(value, int):
            params.append(to_attr(value))
        else:
            params.append(str(value))
    return f"#aot.{name}<{', '.join(params)}>"


def none_grad_attr(primal) -> str:
    """The attribute of a gradient slot without gradient (PyTorch's ``None``) of ``primal``."""
    return f"#aot.none_grad<{to_attr(primal)}>"


def root(desc):
    """The descriptor under all subclass pieces (``SubclassGetAttr/Size/Stride*``)."""
    while type(desc).__name__.startswith("Subclass"):
        desc = desc.base
    return desc


def is_primal(desc) -> bool:
    """Whether an input descriptor is a primal: differentiable, from stages 1-2 (the slots
    that get one gradient slot each), looking through subclass pieces."""
    return type(root(desc)).__name__ in {
        "ParamAOTInput",
        "BufferAOTInput",
        "PlainAOTInput",
        "ViewBaseAOTInput",
        "SyntheticBaseAOTInput",
    }
