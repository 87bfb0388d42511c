"""joinery inside PyTorch's own compile API:

>>> f = aot_compile_joint_with_descriptors(jd, partition_fn=joinery_torch.partition_fn,
...         fw_compiler=joinery_torch.fw_compiler, bw_compiler=joinery_torch.bw_compiler)

:func:`partition_fn` exports the joint PyTorch hands it, lets joinery's ``aot-partition``
(min-cut) choose the saved values, compiles the forward/backward pair natively, and gives
PyTorch forward and backward graphs that save exactly those values (PyTorch's
``_extract_fwd_bwd_modules``). :func:`fw_compiler` and :func:`bw_compiler` then return
joinery's native forward and backward for those graphs.
"""

from __future__ import annotations

import re
import types

import torch

from . import _native
from .compile import CompileError, compile_library, partition_pipeline
from .exporter import _Emitter

_SAVED = "joinery_native"
"""The output node's meta key by which a partitioned graph names its native function
(PyTorch may copy the graph module before compiling it; node meta travels along)."""


def _saved_names(l2: str, num_saved: int) -> list[str]:
    """The names of the values the L2 backward takes first: what the forward saves."""
    m = re.search(r"func\.func @joint_backward\(([^)]*)\)", l2)
    if m is None:
        raise CompileError("the partitioned module has no @joint_backward")
    names = re.findall(r"%([A-Za-z0-9_$.-]+):", m.group(1))
    return names[:num_saved]


def partition_fn(joint_module: torch.fx.GraphModule, joint_inputs, *, num_fwd_outputs: int,
                 memory_budget: float | None = None, **_):
    """A ``partition_fn`` for ``aot_compile_joint_with_descriptors``: joinery's min-cut
    partition (``memory_budget`` as ``aot-partition``'s), its saved values in its order."""
    from torch._functorch.partitioners import _extract_fwd_bwd_modules

    specs = types.SimpleNamespace(params_spec=[], buffers_spec=[], in_spec=None, out_spec=None)
    text = _Emitter(joint_module, specs).emit()
    lib = compile_library(text, partition_pipeline("min-cut", memory_budget))
    l2 = (lib.parent / "l2.mlir").read_text()
    pair = re.search(r"num_fwd_outputs = (\d+) : i64, num_saved = (\d+)", l2)
    if pair is None:
        raise CompileError("the partitioned module has no forward/backward pair")
    if int(pair.group(1)) != num_fwd_outputs:
        raise CompileError(f"joinery's forward has {pair.group(1)} outputs before its saved "
                           f"values, PyTorch's {num_fwd_outputs}")
    saved = _saved_names(l2, int(pair.group(2)))
    nodes = {n.name: n for n in joint_module.graph.nodes}
    missing = [s for s in saved if s not in nodes]
    if missing:
        raise CompileError(f"joinery saves values PyTorch's joint does not name: {missing}")
    fw, bw = _extract_fwd_bwd_modules(joint_module, [nodes[s] for s in saved], [],
                                      num_fwd_outputs=num_fwd_outputs)
    fw.graph.output_node().meta[_SAVED] = (lib, "joint_forward", num_fwd_outputs, saved)
    bw.graph.output_node().meta[_SAVED] = (lib, "joint_backward", num_fwd_outputs, saved)
    return fw, bw


def _native_of(gm: torch.fx.GraphModule):
    found = gm.graph.output_node().meta.get(_SAVED)
    if found is None:
        raise CompileError("joinery_torch.fw_compiler and bw_compiler compile the graphs "
                           "of joinery_torch.partition_fn; pass it as partition_fn")
    return found


def _boxed(fn):
    fn._boxed_call = True
    return fn


def fw_compiler(gm: torch.fx.GraphModule, example_inputs):
    """The native forward of a graph from :func:`partition_fn` (boxed calling convention):
    its outputs reordered to the saved order of PyTorch's forward graph."""
    lib, name, num_out, saved = _native_of(gm)
    native = _native.Library(str(lib)).function(name)
    outputs = [getattr(a, "name", None) for a in gm.graph.output_node().args[0]]
    position = {s: num_out + i for i, s in enumerate(saved)}
    try:
        order = list(range(num_out)) + [position[o] for o in outputs[num_out:]]
    except KeyError as e:
        raise CompileError(f"PyTorch's forward saves {e}, which joinery does not") from None

    def run(args):
        out = native(args)
        args.clear()
        return [out[i] for i in order]

    return _boxed(run)


def bw_compiler(gm: torch.fx.GraphModule, example_inputs):
    """The native backward of a graph from :func:`partition_fn` (boxed calling convention):
    PyTorch's saved inputs reordered to joinery's."""
    lib, name, _, saved = _native_of(gm)
    native = _native.Library(str(lib)).function(name)
    inputs = [n.name for n in gm.graph.find_nodes(op="placeholder")]
    n_saved = len(saved)
    where = {n: i for i, n in enumerate(inputs[:n_saved])}
    try:
        order = [where[s] for s in saved] + list(range(n_saved, len(inputs)))
    except KeyError as e:
        raise CompileError(f"PyTorch's backward does not take the saved value {e}") from None

    def run(args):
        ordered = [args[i].contiguous() for i in order]
        args.clear()
        return native(ordered)

    return _boxed(run)


__all__ = ["bw_compiler", "fw_compiler", "partition_fn"]
