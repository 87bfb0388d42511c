"""``torch.compile(model, backend="joinery")``: every graph Dynamo captures is compiled by
:func:`joinery_torch.compile_joint` (AOTAutograd's joint, joinery's partition and native
code). A graph joinery cannot compile runs eagerly instead, after one warning naming the
ops and the model lines; a graph that computes no gradient (inference, ``no_grad``) runs
eagerly too."""

from __future__ import annotations

import re
import warnings

import torch

from .compile import CompileError, compile_joint
from .exporter import ExportError


class JoineryFallbackWarning(UserWarning):
    """A captured graph runs eagerly because joinery cannot compile it."""


def _model_lines(gm: torch.fx.GraphModule, message: str) -> list[str]:
    """The model source lines of the graph's calls to the ops ``message`` names."""
    names = set(re.findall(r"'aten\.([A-Za-z0-9_]+)", message))
    lines = []
    for node in gm.graph.nodes:
        target = getattr(node.target, "__name__", str(node.target))
        op = target.split(".")[0]
        if node.op != "call_function" or op not in names:
            continue
        trace = node.meta.get("stack_trace") or ""
        frames = re.findall(r'File "([^"]+)", line (\d+)', trace)
        if frames:
            file, line = frames[-1]
            lines.append(f"aten.{op} at {file}:{line}")
            names.discard(op)
    return lines


def _reason(gm: torch.fx.GraphModule, e: Exception) -> str:
    """Why ``e`` stopped the compilation: the export's message (it names the ops and their
    model lines), or the compiler's error lines with the model lines of the ops they name."""
    message = str(e)
    if isinstance(e, ExportError):
        return message
    errors = [l for l in message.splitlines() if "error:" in l] or message.splitlines()[:1]
    return "\n".join(errors + [f"  {w}" for w in _model_lines(gm, message)])


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
        warnings.warn("joinery cannot compile this graph, it runs eagerly: " + _reason(gm, e),
                      JoineryFallbackWarning, stacklevel=2)
        return gm.forward
    return compiled


def register() -> None:
    """Registers ``backend="joinery"`` with ``torch.compile`` (idempotent)."""
    from torch._dynamo.backends.registry import _COMPILER_FNS, register_backend

    if "joinery" not in _COMPILER_FNS:
        register_backend(joinery_backend, name="joinery")
