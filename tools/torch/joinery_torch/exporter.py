"""Export a PyTorch module's AOTAutograd joint graph with descriptors as joinery text.

``aot_export_joint_with_descriptors`` traces ``module(*args, **kwargs)`` plus its backward
into one FX graph whose placeholders (``primals_*``, ``tangents_*``) and output carry
``meta["desc"]``. This module writes that graph as one ``func.func @joint``:

- every placeholder is an argument named as in FX, typed from ``meta["val"]``, with its
  descriptor under ``aot.desc``;
- every ATen node is the op of the same name in the ``aten`` dialect, in generic form:
  tensor arguments are operands in schema order, every other argument present on the
  node is an attribute named after the schema argument (``dialects/aten/src/lib.rs``);
- a multi-result node defines one value per result, each named after the ``getitem``
  node that reads it (``%getitem, %getitem_1, %getitem_2 = "aten.native_layer_norm"``);
- every tensor constant (a ``get_attr`` node: ``torch.tensor([...])`` in ``forward``) is an
  ``arith.constant`` holding a ``dense<...>`` literal (a splat when every element is equal,
  raw hex bytes above 100 elements, as ``mlir-opt`` prints); ``lift_fresh_copy`` of a
  constant is the constant itself (a copy of an immutable value) in a functional graph;
- a Python number passed where the schema wants a tensor uses the op's ``Scalar``
  overload when there is one in the catalogue, else becomes a 0-d ``arith.constant`` of
  the dtype PyTorch computes in (a wrapped number never promotes a tensor's dtype, and a
  0-d constant of the promoted dtype does not either);
- ``lift_fresh_copy`` of a constant without functionalization is ``aten.clone`` of it
  into an ``!aten.ref`` (a fresh mutable copy);
- an absent optional tensor (``None``) is an empty operand group (``operandSegmentSizes``
  when counting cannot tell); a ``None`` entry of a ``Tensor?[]`` list is the ``none``
  value of ``%none = "aot.none"()``;
- every output is a result with its descriptor; PyTorch's ``None`` gradient slots are
  results of type ``none`` holding that same ``%none`` and described by
  ``#aot.none_grad<primal>``;
- the module carries ``torch.params_spec``, ``torch.buffers_spec`` and the pytree
  ``torch.in_spec`` / ``torch.out_spec`` (``treespec_dumps`` JSON).

Anything that cannot be translated raises :class:`ExportError` naming the node, its
target and the source line it came from.
"""

from __future__ import annotations

import contextlib
import functools
import linecache
import operator
import os
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import torch
import torch.utils._pytree as pytree
from torch._subclasses.fake_tensor import (
    DataDependentOutputException,
    DynamicOutputShapeException,
    UnsupportedOperatorException,
)
from torch.fx.experimental.symbolic_shapes import GuardOnDataDependentSymNode

from . import descriptors
from .progress import Steps
from .text import element_literal, float_literal, int_literal, string_literal


class ExportError(Exception):
    """A graph the exporter cannot translate, with the node, target and source line."""


_DTYPES = {
    torch.float32: "f32",
    torch.float64: "f64",
    torch.float16: "f16",
    torch.bfloat16: "bf16",
    torch.int64: "i64",
    torch.int32: "i32",
    torch.int16: "i16",
    torch.int8: "i8",
    torch.bool: "i1",
    torch.complex64: "complex<f32>",
    torch.complex128: "complex<f64>",
}

# PyTorch's errors for what tracing cannot handle: data-dependent shapes and values, and
# ops without a shape function; each becomes a one-line ExportError.
_TRACE_ERRORS = (
    DynamicOutputShapeException,
    DataDependentOutputException,
    GuardOnDataDependentSymNode,
    UnsupportedOperatorException,
)

_CATALOGUE = Path(__file__).resolve().parents[3] / "dialects" / "aten" / "catalogue.txt"


@functools.cache
def catalogue_ops(path: Path = _CATALOGUE) -> frozenset[str] | None:
    """The op names (``add.Tensor``, ``addmm``) of the aten dialect's catalogue, or ``None``
    when the package runs outside the joinery repository."""
    if not path.is_file():
        return None
    ops = set()
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            ops.add(line.split("(", 1)[0].strip())
    return frozenset(ops)


@dataclass
class JointExport:
    """A joint graph (or a forward graph alone, ``forward_only``) exported from PyTorch: its
    joinery text and what is needed to check it."""

    text: str
    """The joinery module."""
    graph_module: torch.fx.GraphModule
    """PyTorch's joint (or forward) graph."""
    params_spec: list[str]
    buffers_spec: list[str]
    in_spec: Any
    out_spec: Any
    input_descs: list[Any]
    """PyTorch's descriptor of every placeholder, in order."""
    output_descs: list[Any]
    """PyTorch's descriptor (or ``None``) of every output, in order."""
    example_inputs: list[torch.Tensor] = field(default_factory=list)
    """One real tensor per joint argument: the module's parameters and buffers, the user's
    arguments and seeded random tangents."""
    expected_outputs: list[torch.Tensor | None] = field(default_factory=list)
    """PyTorch's joint outputs on ``example_inputs`` (``None`` for empty gradient slots)."""
    plain_requires_grad: list[int] = field(default_factory=list)
    """The user inputs (``PlainAOTInput`` indices) with ``requires_grad=True``: what
    ``aot-make-joint``'s ``plain-requires-grad`` option takes for a forward-only export."""

    def write_npy(self, directory: str | os.PathLike) -> None:
        """Writes ``inputs/arg<i>.npy`` for every argument and ``expected/result<i>.npy`` for
        every result that is not a ``None`` gradient slot; for ``joinery-run train``, also
        every parameter and buffer as ``params/<name>.npy`` (named by its descriptor, what
        ``--params`` reads) and every user input as ``batch/input<k>.npy`` (one batch of
        samples, what ``--inputs`` reads)."""
        root = Path(directory)
        for sub in ("inputs", "expected", "params", "batch"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        for i, (t, desc) in enumerate(zip(self.example_inputs, self.input_descs)):
            array = to_numpy(t)
            np.save(root / "inputs" / f"arg{i}.npy", array)
            kind = type(desc).__name__
            if kind in ("ParamAOTInput", "BufferAOTInput"):
                np.save(root / "params" / f"{desc.target}.npy", array)
            elif kind == "PlainAOTInput":
                np.save(root / "batch" / f"input{desc.idx}.npy", array)
        for i, t in enumerate(self.expected_outputs):
            if t is not None:
                np.save(root / "expected" / f"result{i}.npy", to_numpy(t))


def to_numpy(t: torch.Tensor) -> np.ndarray:
    """A plain CPU tensor as a numpy array (bf16/f16 are widened to f32)."""
    t = t.detach().cpu()
    if t.dtype in (torch.bfloat16, torch.float16):
        t = t.float()
    return t.contiguous().numpy()


def core_decompositions() -> dict:
    """PyTorch's Core ATen decomposition table without the entries whose joints come out
    wrong: PyTorch decomposes ``_scaled_dot_product_flash_attention_for_cpu`` into the math
    attention and returns the attention probabilities where its backward expects the
    logsumexp (an ill-typed joint with wrong attention grads). Left whole, joinery's
    ``aten-decompose`` decomposes the op and its backward itself."""
    from torch._decomp import core_aten_decompositions

    table = core_aten_decompositions()
    table.pop(torch.ops.aten._scaled_dot_product_flash_attention_for_cpu.default, None)
    return table


def export_joint(
    module, args, kwargs=None, *, decompositions=None, disable_functionalization=False
) -> str:
    """The joinery text of ``module(*args, **kwargs)``'s joint graph with descriptors."""
    return export(
        module,
        args,
        kwargs,
        decompositions=decompositions,
        disable_functionalization=disable_functionalization,
        run=False,
    ).text


def export_forward(module, args, kwargs=None, *, decompositions=None) -> str:
    """The joinery text of ``module(*args, **kwargs)``'s forward graph alone, with
    descriptors: the input of ``joinery-opt --aot-make-joint``, which builds the joint that
    :func:`export_joint` would have exported."""
    return export(module, args, kwargs, decompositions=decompositions, run=False,
                  forward_only=True).text


def export(
    module: torch.nn.Module,
    args: Sequence[Any],
    kwargs: dict[str, Any] | None = None,
    *,
    decompositions: dict | None = None,
    disable_functionalization: bool = False,
    run: bool = True,
    seed: int = 0,
    progress: Steps | None = None,
    forward_only: bool = False,
) -> JointExport:
    """Exports the joint graph; with ``run``, also builds example inputs (random tangents
    from ``seed``) and runs PyTorch's joint graph on them for reference outputs.

    With ``forward_only`` it exports the forward graph alone, as ``aot_export_module(...,
    trace_joint=False)`` does: traced under ``torch.no_grad()``, AOTAutograd sees no output
    that requires grad and captures its inference graph, still with descriptors
    (``param``/``buffer``/``plain`` arguments named ``primals_<i>``, ``plain_out`` and
    ``input_mutation`` results) and without tangents or gradient slots; joinery's
    ``aot-make-joint`` differentiates it.

    With ``disable_functionalization`` PyTorch keeps in-place ops and views (level L0):
    every tensor is then written as a mutable reference ``!aten.ref<tensor<...>>``, as
    torch-mlir imports ``!torch.tensor``, for ``aot-functionalize`` to rewrite.

    ``progress`` numbers the tracing, the printing and (with ``run``) the reference run as
    steps of a tool (``python -m joinery_torch export --progress``)."""
    args = tuple(args)
    kwargs = dict(kwargs or {})
    progress = progress or Steps.quiet()
    with contextlib.ExitStack() as stack, _record_stack_traces():
        from torch._functorch.aot_autograd import aot_export_joint_with_descriptors

        if forward_only:
            stack.enter_context(torch.no_grad())
            decompositions = _keeping_detach(decompositions)
        try:
            with progress.step(f"trace the {'forward' if forward_only else 'joint'} (AOTAutograd)"):
                joint = aot_export_joint_with_descriptors(
                    stack,
                    module,
                    args,
                    kwargs,
                    decompositions=decompositions,
                    disable_functionalization=disable_functionalization,
                )
        except _TRACE_ERRORS as e:
            raise ExportError(_trace_error_message(e)) from None
        gm = joint.graph_module
        if forward_only:
            for i, node in enumerate(gm.graph.find_nodes(op="placeholder")):
                node._rename(f"primals_{i + 1}")
        with progress.step("print joinery text"):
            text = _Emitter(gm, joint, references=disable_functionalization).emit()
        result = JointExport(
            text=text,
            graph_module=gm,
            params_spec=list(joint.params_spec),
            buffers_spec=list(joint.buffers_spec),
            in_spec=joint.in_spec,
            out_spec=joint.out_spec,
            input_descs=[n.meta.get("desc") for n in gm.graph.find_nodes(op="placeholder")],
            output_descs=list(gm.graph.output_node().meta.get("desc") or []),
            plain_requires_grad=[
                i for i, t in enumerate(pytree.tree_leaves((args, kwargs)))
                if isinstance(t, torch.Tensor) and t.requires_grad
            ],
        )
    if run:
        with progress.step("run PyTorch's joint for reference outputs"):
            _run_reference(result, gm, module, args, kwargs, seed)
    return result


def _run_reference(result: JointExport, gm, module, args, kwargs, seed: int) -> None:
    """Example inputs (random tangents from ``seed``) and PyTorch's joint outputs on them."""
    result.example_inputs = example_inputs(gm, module, args, kwargs, seed)
    interp = torch.fx.Interpreter(gm, garbage_collect_values=False)
    with torch.no_grad():
        interp.run(*[t.clone() for t in result.example_inputs])
    result.expected_outputs = [
        None if o is None else interp.env[o].detach()
        for o in gm.graph.output_node().args[0]
    ]


def _keeping_detach(decompositions: dict | None) -> dict | None:
    """A decomposition table without ``detach``: the core table turns it into ``alias``,
    which a joint loses nothing by (autograd has already stopped the gradient), but a
    forward graph would lose where gradients stop."""
    if decompositions is None:
        return None
    return {op: f for op, f in decompositions.items() if op != torch.ops.aten.detach.default}


@contextlib.contextmanager
def _record_stack_traces():
    """Makes AOTAutograd's ``make_fx`` record ``meta["stack_trace"]`` on forward nodes, so
    errors can name source lines. A no-op when PyTorch's internals differ."""
    try:
        from torch._functorch._aot_autograd import graph_capture
    except ImportError:
        yield
        return
    original = getattr(graph_capture, "make_fx", None)
    if original is None:
        yield
        return
    graph_capture.make_fx = functools.partial(original, record_stack_traces=True)
    try:
        yield
    finally:
        graph_capture.make_fx = original


def example_inputs(gm, module, args, kwargs, seed: int) -> list[torch.Tensor]:
    """One real tensor per placeholder, found through its descriptor."""
    flat_user, _ = pytree.tree_flatten((args, kwargs))
    gen = torch.Generator().manual_seed(seed)

    def resolve(desc):
        cls = type(desc).__name__
        if cls == "ParamAOTInput":
            return module.get_parameter(desc.target)
        if cls == "BufferAOTInput":
            return module.get_buffer(desc.target)
        if cls == "PlainAOTInput":
            return flat_user[desc.idx]
        if cls == "SubclassGetAttrAOTInput":
            return getattr(resolve(desc.base), desc.attr)
        raise ExportError(f"no example input for {desc!r}")

    inputs = []
    for node in gm.graph.find_nodes(op="placeholder"):
        desc = node.meta.get("desc")
        val = node.meta.get("val")
        if type(descriptors.root(desc)).__name__ == "TangentAOTInput":
            t = torch.randn(tuple(val.shape), generator=gen, dtype=torch.float64)
            inputs.append(t.to(val.dtype))
        else:
            t = resolve(desc)
            if not isinstance(t, torch.Tensor):
                raise ExportError(f"example input {node.name} ({desc!r}) is not a tensor")
            inputs.append(t.detach().clone())
    return inputs


def tensor_type(val, what: str) -> str:
    """The ``tensor<...>`` type of a (fake) tensor."""
    if not isinstance(val, torch.Tensor):
        raise ExportError(f"{what} is not a tensor (meta['val'] = {val!r})")
    elem = _DTYPES.get(val.dtype)
    if elem is None:
        raise ExportError(f"{what} has dtype {val.dtype}, which joinery does not support")
    dims = ["?" if not isinstance(d, int) else str(d) for d in val.shape]
    return "tensor<" + "".join(d + "x" for d in dims) + elem + ">"


_HEX_THRESHOLD = 100
"""Constants with more elements than this are written as hex bytes, as ``mlir-opt`` does."""


def _element_bytes(flat: torch.Tensor) -> list[bytes]:
    """The little-endian bytes of every element of a 1-d tensor."""
    if flat.dtype == torch.bool:
        arr = flat.to(torch.uint8).numpy()
    elif flat.dtype == torch.bfloat16:
        arr = flat.view(torch.int16).numpy()
    else:
        arr = flat.numpy()
    arr = arr.astype(arr.dtype.newbyteorder("<"))
    raw, width = arr.tobytes(), arr.dtype.itemsize
    return [raw[i:i + width] for i in range(0, len(raw), width)]


def dense_literal(t: torch.Tensor, what: str) -> str:
    """``dense<...> : tensor<...>`` holding a real tensor's elements: a splat when every
    element is equal, nested lists up to 100 elements, raw little-endian hex above (``i1``
    packed 8 to a byte, element ``k`` in bit ``k % 8``), as ``mlir-opt`` prints. Runs
    outside any fake-tensor mode, since export may still have one active."""
    from torch._subclasses.fake_tensor import unset_fake_temporarily

    with unset_fake_temporarily():
        return _dense_literal(t, what)


def _dense_literal(t: torch.Tensor, what: str) -> str:
    t = t.detach().cpu().contiguous()
    if t.is_complex():
        raise ExportError(f"{what} is a complex constant, which joinery cannot write yet")
    ty = tensor_type(t, what)
    kind = _DTYPES[t.dtype]
    flat = t.reshape(-1)
    elements = _element_bytes(flat)
    if not elements:
        body = ""
    elif all(e == elements[0] for e in elements):
        body = element_literal(flat[0].item(), kind)
    elif len(elements) > _HEX_THRESHOLD:
        if t.dtype == torch.bool:
            raw = np.packbits(flat.numpy(), bitorder="little").tobytes()
        else:
            raw = b"".join(elements)
        body = '"0x' + raw.hex().upper() + '"'
    else:

        def nested(x) -> str:
            if isinstance(x, list):
                return "[" + ", ".join(nested(y) for y in x) + "]"
            return element_literal(x, kind)

        body = nested(t.tolist())
    return f"dense<{body}> : {ty}"


def _source_position(node) -> tuple[str, int, int] | None:
    """``(file, line, column)`` of the innermost user frame of a node's stack trace (a
    frame outside PyTorch, else the innermost); the column is that of the line's first
    character, as the trace records no column."""
    trace = node.meta.get("stack_trace")
    if not trace:
        return None
    frames = []
    for line in trace.splitlines():
        line = line.strip()
        if line.startswith('File "'):
            path, _, rest = line[len('File "'):].partition('"')
            lineno = rest.split("line", 1)[-1].split(",", 1)[0].strip()
            if lineno.isdigit():
                frames.append((path, int(lineno)))
    return _user_position(frames)


def _user_position(frames: list[tuple[str, int]]) -> tuple[str, int, int] | None:
    """``(file, line, column)`` of the innermost of ``frames`` (outermost first) outside
    PyTorch and this package, else the innermost; the column is that of the line's first
    character."""
    if not frames:
        return None
    internal = (os.path.dirname(torch.__file__), os.path.dirname(os.path.abspath(__file__)))
    user = [f for f in frames if not os.path.abspath(f[0]).startswith(internal)]
    path, lineno = (user or frames)[-1]
    text = linecache.getline(path, lineno)
    col = len(text) - len(text.lstrip()) + 1 if text.strip() else 1
    return path, lineno, col


def _trace_error_message(e: Exception) -> str:
    """One line for an error PyTorch raised while tracing the model: what the construct
    is, the op, the model's line (from the exception's traceback) and what to do."""
    func = getattr(e, "func", None)
    op = _op_name(func._schema) if func is not None else None
    if isinstance(e, DynamicOutputShapeException):
        what = f"{op} has a data-dependent output shape"
        hint = ("joinery needs static shapes: compute the mask or indices outside the model, "
                "or use a fixed-shape form (torch.where(mask, x, 0) instead of x[mask])")
    elif isinstance(e, (DataDependentOutputException, GuardOnDataDependentSymNode)):
        what = (f"{op} reads a tensor's value" if op else "a shape or branch depends on a "
                "tensor's value")
        hint = ("joinery needs static control flow and shapes: do not call .item(), int(t), "
                "bool(t) or branch on a tensor inside the model; pass such values as Python "
                "numbers or use torch.where")
    else:
        what = f"{op} has no shape function in PyTorch (no meta or fake kernel)"
        hint = "register a fake kernel for it or replace the op"
    pos = _user_position([(f.filename, f.lineno) for f in traceback.extract_tb(e.__traceback__)])
    if pos is None:
        return f"{what}; {hint}"
    code = linecache.getline(pos[0], pos[1]).strip()
    at = f" at {pos[0]}:{pos[1]}" + (f" ({code})" if code else "")
    return f"{what}{at}; {hint}"


def _source_line(node) -> str | None:
    """``file:line`` of the innermost user frame of a node's stack trace."""
    pos = _source_position(node)
    return f"{pos[0]}:{pos[1]}" if pos else None


def op_locations(gm: torch.fx.GraphModule, ops: set[str]) -> list[str]:
    """``aten.<op> at file:line`` (or ``in the backward of file:line``) for the first node
    of ``gm`` calling each op named in ``ops`` (``aten.name`` or ``aten.name.overload``)."""
    emitter = _Emitter(gm, None)
    found = {}
    for node in gm.graph.nodes:
        schema = getattr(node.target, "_schema", None)
        if node.op != "call_function" or schema is None:
            continue
        name = _op_name(schema)
        for op in ops:
            if op not in found and (name == op or name.rsplit(".", 1)[0] == op):
                found[op] = f"{op} {emitter.where(node)}"
    return [found[op] for op in sorted(found)]


def _op_name(schema) -> str:
    ns, _, name = schema.name.partition("::")
    return f"{ns}.{name}" + (f".{schema.overload_name}" if schema.overload_name else "")


def _is_tensor_type(ty) -> bool:
    s = str(ty)
    return s in ("Tensor", "Optional[Tensor]", "List[Tensor]", "List[Optional[Tensor]]")


# Result i of these ops, when PyTorch's output_mask drops it (meta["val"][i] is None), has
# the type aten infers: (shape, dtype) from the node's arguments.
def _masked_result_type(op: str, i: int, arg) -> tuple[list, torch.dtype] | None:
    if op == "aten.native_layer_norm_backward":
        inp = arg("input")
        if i == 0:
            return list(inp.shape), inp.dtype
        w = arg("weight")
        return list(arg("normalized_shape")), (w.dtype if w is not None else inp.dtype)
    if op == "aten.native_batch_norm_backward":
        inp = arg("input")
        if i == 0:
            return list(inp.shape), inp.dtype
        w = arg("weight")
        return [inp.shape[1]], (w.dtype if w is not None else inp.dtype)
    if op == "aten.native_group_norm_backward":
        inp = arg("input")
        if i == 0:
            return list(inp.shape), inp.dtype
        w = arg("weight")
        return [arg("C")], (w.dtype if w is not None else inp.dtype)
    if op == "aten.grid_sampler_2d_backward":
        t = arg("input" if i == 0 else "grid")
        return list(t.shape), t.dtype
    if op == "aten.convolution_backward":
        if i < 2:
            t = arg("input" if i == 0 else "weight")
            return list(t.shape), t.dtype
        sizes = arg("bias_sizes")
        w = arg("weight")
        shape = list(sizes) if sizes is not None else [w.shape[0]]
        return shape, arg("grad_output").dtype
    return None


class _Emitter:
    """Writes one joint graph module as joinery text."""

    def __init__(self, gm: torch.fx.GraphModule, joint, references: bool = False):
        self.gm = gm
        self.joint = joint
        self.references = references
        self.nodes = list(gm.graph.nodes)
        self.taken = {n.name for n in self.nodes}
        self.value: dict[torch.fx.Node, str] = {}
        # The type of values whose type is not that of their node's meta (constants,
        # which stay values in functions over references).
        self.value_types: dict[torch.fx.Node, str] = {}
        self.none_name: str | None = None
        self.first_by_seq: dict[int, torch.fx.Node] = {}
        for n in self.nodes:
            seq = n.meta.get("seq_nr")
            if seq is not None and n.meta.get("stack_trace") and seq not in self.first_by_seq:
                self.first_by_seq[seq] = n

    def ty(self, val, what: str) -> str:
        """The type of a tensor value: ``tensor<...>``, or ``!aten.ref<tensor<...>>`` when
        exporting with references (non-functional graphs)."""
        t = tensor_type(val, what)
        return f"!aten.ref<{t}>" if self.references else t

    # ----- errors -----

    def where(self, node) -> str:
        line = _source_line(node)
        if line:
            return f"at {line}"
        fwd = self.first_by_seq.get(node.meta.get("seq_nr"))
        if fwd is not None and _source_line(fwd):
            return f"in the backward of {_source_line(fwd)}"
        return "(no source line recorded)"

    def loc(self, node) -> str:
        """`` loc("file":line:col)`` for a node with a recorded source line, or
        `` loc(fused<"backward">["file":line:col])`` for a backward node whose forward node
        (the same ``seq_nr``) has one, as MLIR writes derived locations; else nothing."""
        pos = _source_position(node)
        if pos is not None:
            return f" loc({string_literal(pos[0])}:{pos[1]}:{pos[2]})"
        fwd = self.first_by_seq.get(node.meta.get("seq_nr"))
        pos = _source_position(fwd) if fwd is not None else None
        if pos is None:
            return ""
        return f' loc(fused<"backward">[{string_literal(pos[0])}:{pos[1]}:{pos[2]}])'

    def fail(self, node, message: str):
        raise ExportError(
            f"cannot translate node '{node.name}' (target {node.target}) {self.where(node)}: "
            f"{message}"
        )

    def fresh(self, base: str) -> str:
        name, k = base, 0
        while name in self.taken:
            k += 1
            name = f"{base}_{k}"
        self.taken.add(name)
        return name

    # ----- emission -----

    def emit(self) -> str:
        placeholders = [n for n in self.nodes if n.op == "placeholder"]
        out_node = self.gm.graph.output_node()
        arg_texts = []
        for n in placeholders:
            desc = n.meta.get("desc")
            if desc is None:
                self.fail(n, "placeholder has no meta['desc'] descriptor")
            ty = self.ty(n.meta.get("val"), f"placeholder '{n.name}'")
            arg_texts.append(f"%{n.name}: {ty} {{aot.desc = {self.desc_attr(n, desc)}}}")
            self.value[n] = f"%{n.name}"

        self.result_names = self.name_results()
        body: list[str] = []
        missing: dict[str, torch.fx.Node] = {}
        for n in self.nodes:
            if n.op == "get_attr":
                body.append(self.emit_constant(n))
                continue
            if n.op != "call_function":
                if n.op in ("placeholder", "output"):
                    continue
                self.fail(n, f"'{n.op}' nodes are not supported (only ATen calls and constants)")
            if n.target is operator.getitem:
                continue
            if self.is_constant_copy(n):
                body.extend(self.emit_constant_copy(n))
                continue
            body.extend(self.emit_call(n, missing))
        cat = catalogue_ops()
        if cat is not None and missing:
            lines = [
                f"  {op}: node '{n.name}' (target {n.target}) {self.where(n)}"
                for op, n in missing.items()
            ]
            raise ExportError(
                "ops missing from the aten dialect's catalogue "
                f"({_CATALOGUE}):\n" + "\n".join(lines)
            )

        outputs = out_node.args[0]
        out_descs = out_node.meta.get("desc")
        if out_descs is None or len(out_descs) != len(outputs):
            self.fail(out_node, "the output node has no descriptor list matching its values")
        none_slots = self.none_grad_primals(placeholders, out_descs)
        res_types, res_values = [], []
        for i, (v, d) in enumerate(zip(outputs, out_descs)):
            if v is None:
                if d is None:
                    primal = none_slots[i]
                elif type(d).__name__ == "GradAOTOutput":
                    # PyTorch describes the empty slot of a subclass primal by its gradient.
                    primal = d.grad_of
                else:
                    self.fail(out_node, f"output {i} is None but described by {d!r}")
                res_types.append(f"none {{aot.desc = {descriptors.none_grad_attr(primal)}}}")
                res_values.append((self.none_value(body), "none"))
                continue
            if not isinstance(v, torch.fx.Node):
                self.fail(out_node, f"output {i} is {v!r}, not a graph value")
            if d is None:
                self.fail(out_node, f"output {i} ('{v.name}') has no descriptor")
            ty = self.value_type(v, f"output {i} ('{v.name}')")
            res_types.append(f"{ty} {{aot.desc = {self.desc_attr(out_node, d)}}}")
            res_values.append((self.use(v, out_node), ty))
        if res_values:
            body.append(
                "func.return "
                + ", ".join(v for v, _ in res_values)
                + " : "
                + ", ".join(t for _, t in res_values)
            )
        else:
            body.append("func.return")

        indent_args = ",\n" + " " * 19
        sig = f"  func.func @joint({indent_args.join(arg_texts)})"
        sig += "\n      -> (" + (",\n          ").join(res_types) + ") {\n"
        text = "module" + self.module_attrs() + " {\n" + sig
        text += "".join(f"    {line}\n" for line in body)
        text += "  }\n}\n"
        return text

    def module_attrs(self) -> str:
        j = self.joint
        entries = {
            "torch.params_spec": "[" + ", ".join(map(string_literal, j.params_spec)) + "]",
            "torch.buffers_spec": "[" + ", ".join(map(string_literal, j.buffers_spec)) + "]",
        }
        for key, spec in (("torch.in_spec", j.in_spec), ("torch.out_spec", j.out_spec)):
            if spec is not None:
                entries[key] = string_literal(pytree.treespec_dumps(spec))
        return " attributes {" + ", ".join(f"{k} = {entries[k]}" for k in sorted(entries)) + "}"

    def desc_attr(self, node, desc) -> str:
        try:
            return descriptors.to_attr(desc)
        except descriptors.UnknownDescriptor as e:
            self.fail(node, str(e))

    def none_grad_primals(self, placeholders, out_descs) -> dict[int, Any]:
        """The primal of every ``None`` gradient slot. The gradient group has one slot per
        primal in primal order (subclass primals expand into consecutive pieces), so a
        ``None`` slot belongs to the primal after the one of the previous slot."""
        primals = []
        for n in placeholders:
            d = n.meta["desc"]
            if descriptors.is_primal(d) and descriptors.root(d) not in primals:
                primals.append(descriptors.root(d))
        slots: dict[int, Any] = {}
        cursor = None
        for i, d in enumerate(out_descs):
            if d is None:
                k = 0 if cursor is None else cursor + 1
                if k >= len(primals):
                    self.fail(
                        self.gm.graph.output_node(),
                        f"output {i} is a None gradient slot, but every primal has one already",
                    )
                slots[i] = primals[k]
                cursor = k
            elif type(descriptors.root(d)).__name__ == "GradAOTOutput":
                g = descriptors.root(d).grad_of
                if g in primals:
                    cursor = primals.index(g)
        return slots

    def name_results(self) -> dict[torch.fx.Node, list[str]]:
        """Result names of every multi-result node, from the getitem nodes that read them."""
        names: dict[torch.fx.Node, list[str | None]] = {}
        for n in self.nodes:
            if n.op == "call_function" and isinstance(n.meta.get("val"), (tuple, list)):
                names[n] = [None] * len(n.meta["val"])
        for n in self.nodes:
            if n.op == "call_function" and n.target is operator.getitem:
                base, idx = n.args
                if base not in names or not isinstance(idx, int):
                    self.fail(n, "getitem of a value that is not a multi-result op")
                if names[base][idx] is None:
                    names[base][idx] = n.name
                self.value[n] = f"%{names[base][idx]}"
        for base, lst in names.items():
            for i, nm in enumerate(lst):
                if nm is None:
                    lst[i] = self.fresh(f"{base.name}_{i}")
        return names

    def none_value(self, body: list[str]) -> str:
        """The name of the function's one ``none`` value, defined by ``aot.none`` at its first
        use (appended to ``body``)."""
        if self.none_name is None:
            self.none_name = self.fresh("none")
            body.append(f'%{self.none_name} = "aot.none"() : () -> none')
        return f"%{self.none_name}"

    def value_type(self, v, what: str) -> str:
        """The IR type of the value of node ``v``."""
        return self.value_types.get(v) or self.ty(v.meta.get("val"), what)

    def emit_constant(self, n) -> str:
        """A ``get_attr`` node (a tensor constant) as an ``arith.constant``."""
        t = self.gm
        for part in str(n.target).split("."):
            t = getattr(t, part, None)
        if not isinstance(t, torch.Tensor) or isinstance(t, torch.nn.Parameter):
            self.fail(n, f"get_attr of {type(t).__name__}, not a tensor constant")
        if type(t) is not torch.Tensor:
            self.fail(n, f"the constant is a {type(t).__name__}, not a plain tensor")
        return self.constant_line(n, f"%{n.name}", t, f"constant '{n.name}'")

    def constant_line(self, n, name: str, t: torch.Tensor, what: str, record: bool = True) -> str:
        """``name = "arith.constant"`` holding ``t``; with ``record``, it is the value of node
        ``n`` (errors name ``n`` either way)."""
        try:
            value = dense_literal(t, what)
        except ExportError as e:
            self.fail(n, str(e))
        ty = value.rsplit(" : ", 1)[1]
        if record:
            self.value[n] = name
            self.value_types[n] = ty
        return f'{name} = "arith.constant"() <{{value = {value}}}> : () -> {ty}'

    def is_constant_copy(self, n) -> bool:
        """Whether ``n`` is ``lift_fresh_copy`` of a constant (``torch.tensor`` in
        ``forward``)."""
        return (
            n.target is torch.ops.aten.lift_fresh_copy.default
            and isinstance(n.args[0], torch.fx.Node)
            and n.args[0].op == "get_attr"
        )

    def emit_constant_copy(self, n) -> list[str]:
        """``lift_fresh_copy`` of a constant: in a functional graph the constant itself (a
        copy of an immutable value); over references a fresh mutable copy, which L0 spells
        ``aten.clone`` of the value into an ``!aten.ref``."""
        const = n.args[0]
        if not self.references:
            self.value[n] = self.value[const]
            self.value_types[n] = self.value_types[const]
            return []
        src_ty = self.value_types[const]
        ty = self.ty(n.meta.get("val"), f"the result of '{n.name}'")
        self.value[n] = f"%{n.name}"
        return [f'%{n.name} = "aten.clone"({self.value[const]}) : ({src_ty}) -> {ty}']

    def wrapped_numbers(self, n, bound, numbers: set[str]) -> tuple[list[str], dict[str, tuple[str, str]]]:
        """0-d ``arith.constant``s for Python numbers passed to tensor arguments, as
        PyTorch's wrapped numbers: of the dtype the op computes in (the promotion of the
        tensor arguments with the numbers), so they never change the result dtype. Returns
        the constant lines and, per argument name, the constant's name and type."""
        from torch._prims_common import ELEMENTWISE_TYPE_PROMOTION_KIND, elementwise_dtypes
        from torch._subclasses.fake_tensor import unset_fake_temporarily

        promoted = []
        for a, v in bound:
            if a.name in numbers:
                promoted.append(v)
            elif str(a.type) == "Tensor" and isinstance(v, torch.fx.Node):
                promoted.append(v.meta.get("val"))
        try:
            _, dtype = elementwise_dtypes(
                *promoted, type_promotion_kind=ELEMENTWISE_TYPE_PROMOTION_KIND.DEFAULT
            )
        except Exception as e:  # noqa: BLE001 - PyTorch raises several kinds here
            self.fail(n, f"cannot find the dtype of the number(s) {sorted(numbers)}: {e}")
        lines, wrapped = [], {}
        for a, v in bound:
            if a.name in numbers:
                name = "%" + self.fresh(f"{n.name}_{a.name}")
                with unset_fake_temporarily():
                    number = torch.tensor(v, dtype=dtype)
                line = self.constant_line(n, name, number, f"number '{a.name}'", record=False)
                lines.append(line)
                wrapped[a.name] = (name, line.rsplit(" -> ", 1)[1])
        return lines, wrapped

    def use(self, v, user) -> str:
        if v in self.result_names:
            self.fail(user, f"uses multi-result '{v.name}' directly instead of through getitem")
        if v not in self.value:
            self.fail(user, f"uses '{v}', which was not translated")
        return self.value[v]

    def emit_call(self, n, missing: dict) -> list[str]:
        """The lines of one ATen call: any constants it needs, then the op."""
        target = n.target
        if not isinstance(target, torch._ops.OpOverload):
            self.fail(n, "only ATen operator calls can be translated")
        schema = target._schema
        if not schema.name.startswith("aten::"):
            self.fail(n, f"'{schema.name}' is not an ATen op")
        bound = self.bind(n, schema)
        # A Python number passed to a Tensor argument means the `.Scalar` overload, or a
        # wrapped-number constant when the op has none (or the catalogue lacks it).
        numbers = {a.name for a, v in bound if _is_tensor_type(a.type) and _is_number(v)}
        lines: list[str] = []
        wrapped: dict[str, tuple[str, str]] = {}
        if numbers:
            overload = self.scalar_overload(target, numbers)
            known = catalogue_ops()
            if overload is not None and (
                known is None or _op_name(overload)[len("aten."):] in known
                or _op_name(schema)[len("aten."):] not in known
            ):
                schema = overload
                bound = [(a, v) for a, (_, v) in zip(schema.arguments, bound)]
            else:
                lines, wrapped = self.wrapped_numbers(n, bound, numbers)
        op = _op_name(schema)
        if catalogue_ops() is not None and op[len("aten."):] not in catalogue_ops():
            missing.setdefault(op, n)

        operands, operand_types, segments, attrs = [], [], [], {}
        variable = []
        for a, v in bound:
            ty = str(a.type)
            if a.name in wrapped:
                name, cty = wrapped[a.name]
                segments.append(1)
                operands.append(name)
                operand_types.append(cty)
            elif _is_tensor_type(a.type):
                absent = v is None or v is _ABSENT
                if ty.startswith("List"):
                    items = [] if absent else list(v)
                    variable.append(("list", len(items)))
                elif ty.startswith("Optional"):
                    items = [] if absent else [v]
                    variable.append(("optional", len(items)))
                else:
                    if absent:
                        self.fail(n, f"required tensor argument '{a.name}' is None")
                    items = [v]
                segments.append(len(items))
                for x in items:
                    if x is None and ty == "List[Optional[Tensor]]":
                        operands.append(self.none_value(lines))
                        operand_types.append("none")
                        continue
                    if not isinstance(x, torch.fx.Node):
                        self.fail(n, f"tensor argument '{a.name}' is {x!r}, not a graph value")
                    operands.append(self.use(x, n))
                    operand_types.append(self.value_type(x, f"operand '{x.name}'"))
            elif v is not _ABSENT and v is not None:
                attrs[a.name] = self.attr(n, a, v)
        if len(variable) >= 2 and not (
            all(k == "optional" for k, _ in variable) and len({c for _, c in variable}) == 1
        ):
            attrs["operandSegmentSizes"] = "[" + ", ".join(map(str, segments)) + "]"

        result_types = self.result_types(n, op, bound)
        if n in self.result_names:
            lhs = ", ".join(f"%{x}" for x in self.result_names[n])
        else:
            lhs = f"%{n.name}"
            self.value[n] = lhs
        attr_text = ""
        if attrs:
            attr_text = " {" + ", ".join(f"{k} = {attrs[k]}" for k in sorted(attrs)) + "}"
        results = result_types[0] if len(result_types) == 1 else "(" + ", ".join(result_types) + ")"
        lines.append(
            f'{lhs} = "{op}"({", ".join(operands)}){attr_text} : '
            f'({", ".join(operand_types)}) -> {results}{self.loc(n)}'
        )
        return lines

    def bind(self, n, schema) -> list[tuple[Any, Any]]:
        """Every schema argument with the node's value for it (``_ABSENT`` if not given)."""
        args, kwargs = list(n.args), dict(n.kwargs)
        if len(args) > len(schema.arguments):
            self.fail(n, "more arguments than its schema has")
        bound = []
        for i, a in enumerate(schema.arguments):
            if i < len(args):
                bound.append((a, args[i]))
            else:
                bound.append((a, kwargs.pop(a.name, _ABSENT)))
        if kwargs:
            self.fail(n, f"unknown keyword arguments {sorted(kwargs)}")
        return bound

    def scalar_overload(self, target, numbers: set[str]):
        """The overload of the same op taking ``Scalar`` where ``numbers`` are passed, or
        ``None`` when there is none."""
        mine = target._schema.arguments
        packet = target.overloadpacket
        for name in packet.overloads():
            cand = getattr(packet, name)._schema
            args = cand.arguments
            if len(args) != len(mine) or [a.name for a in args] != [a.name for a in mine]:
                continue
            if all(
                str(a.type) == "number" if a.name in numbers else str(a.type) == str(b.type)
                for a, b in zip(args, mine)
            ):
                return cand
        return None

    def attr(self, n, arg, v) -> str:
        ty = str(arg.type)
        if ty.startswith("Optional["):
            ty = ty[len("Optional["):-1]
        try:
            return _attr(v, ty)
        except _Untranslatable as e:
            self.fail(n, f"argument '{arg.name}' = {v!r}: {e}")

    def result_types(self, n, op, bound) -> list[str]:
        val = n.meta.get("val")
        if not isinstance(val, (tuple, list)):
            return [self.ty(val, f"the result of '{n.name}'")]
        values = {a.name: v for a, v in bound}

        def arg(name):
            v = values.get(name)
            if isinstance(v, torch.fx.Node):
                return v.meta.get("val")
            return None if v is _ABSENT else v

        types = []
        for i, r in enumerate(val):
            if r is None:
                inferred = _masked_result_type(op, i, arg)
                if inferred is None:
                    self.fail(n, f"result {i} is None and its type is unknown")
                shape, dtype = inferred
                r = torch.empty(shape, dtype=dtype, device="meta")
            types.append(self.ty(r, f"result {i} of '{n.name}'"))
        return types


class _Absent:
    def __repr__(self):
        return "<absent>"


_ABSENT = _Absent()


class _Untranslatable(ValueError):
    pass


def _is_number(v) -> bool:
    return isinstance(v, (bool, int, float)) and not isinstance(v, torch.SymInt)


def _attr(v, ty: str) -> str:
    """The attribute text of a literal argument of schema type ``ty``."""
    if isinstance(v, (torch.SymInt, torch.SymFloat, torch.SymBool)):
        raise _Untranslatable("symbolic values are not supported (export with static shapes)")
    if isinstance(v, torch.dtype):
        if v not in _DTYPES:
            raise _Untranslatable(f"dtype {v} is not supported")
        return _DTYPES[v]
    if isinstance(v, (torch.layout, torch.memory_format)):
        return string_literal(str(v).removeprefix("torch."))
    if isinstance(v, torch.device):
        return string_literal(str(v))
    if isinstance(v, str):
        return string_literal(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        if ty == "float":
            return float_literal(float(v))
        return int_literal(v)
    if isinstance(v, float):
        if ty == "int":
            raise _Untranslatable("a float where the schema wants an integer")
        return float_literal(v)
    if isinstance(v, (list, tuple)):
        elem = ty[len("List["):-1] if ty.startswith("List[") else ty
        items = [_attr(x, elem) for x in v]
        # Integers in arrays are i64 without saying so, as MLIR prints them.
        return "[" + ", ".join(i.removesuffix(" : i64") for i in items) + "]"
    raise _Untranslatable(f"literals of type {type(v).__name__} are not supported")
