"""``torch.compile(model, backend="joinery")``: every graph Dynamo captures is compiled by
:func:`joinery_torch.compile_joint` (AOTAutograd's joint, joinery's partition and native
code). A graph joinery cannot compile runs eagerly instead, after one warning naming the
ops and their model lines (the export's and the compiler's errors both carry them); a
graph that computes no gradient (inference, ``no_grad``) runs eagerly too."""

from __future__ import annotations

import warnings

import torch

from .compile import CompileError, compile_joint
from .exporter import ExportError


class JoineryFallbackWarning(UserWarning):
    """A captured graph runs eagerly because joinery cannot compile it."""


def joinery_backend(gm: torch.fx.GraphModule, example_inputs: list) -> object:
    """The Dynamo backend: ``gm`` compiled by joinery, or ``gm`` itself when it computes
    no gradient or joinery cannot compile it (with a :class:`JoineryFallbackWarning`)."""
    wants_grad = torch.is_grad_enabled() and any(
        isinstance(t, torch.Tensor) and t.requires_grad for t in example_inputs)
    if not wants_grad:
        return gm.forward
    try:
        compiled = compile_joint(gm, tuple(example_inputs))
    except (CompileError, ExportError) as e:
        warnings.warn(f"joinery cannot compile this graph, it runs eagerly: {e}",
                      JoineryFallbackWarning, stacklevel=2)
        return gm.forward
    return compiled


def register() -> None:
    """Registers ``backend="joinery"`` with ``torch.compile`` (idempotent)."""
    from torch._dynamo.backends.registry import _COMPILER_FNS, register_backend

    if "joinery" not in _COMPILER_FNS:
        register_backend(joinery_backend, name="joinery")
