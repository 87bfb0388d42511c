"""joinery as PyTorch's compiler: a module's joint graph compiled to native code behind a
differentiable callable.

>>> step = compile_joint(model, (x, y))
>>> loss = step(x, y)          # forward in joinery native code, loss.grad_fn set
>>> loss.backward()            # backward in joinery native code, fills .grad

The joint is exported with descriptors (:func:`joinery_torch.export`), partitioned by
joinery's ``aot-partition`` and compiled by ``joinery-translate --to-shared-lib``; the
library is cached on disk (:func:`cache_dir`) and called through the ``_native`` extension,
which reads tensors where they lie and hands results back through DLPack: no copies on the
call path.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import torch
import torch.utils._pytree as pytree

from . import _native
from .exporter import export, op_locations

PARTITIONS = ("min-cut", "default")
"""The partition strategies of ``aot-partition``."""


class CompileError(Exception):
    """joinery could not compile a graph: the compiler's diagnostic."""


def cache_dir() -> Path:
    """Where compiled libraries are kept: ``$JOINERY_CACHE_DIR/torch`` (default
    ``$XDG_CACHE_HOME/joinery/torch``, else ``~/.cache/joinery/torch``). Delete it to clear
    the cache."""
    root = os.environ.get("JOINERY_CACHE_DIR")
    if not root:
        xdg = os.environ.get("XDG_CACHE_HOME")
        root = Path(xdg) / "joinery" if xdg else Path.home() / ".cache" / "joinery"
    return Path(root) / "torch"


def tool(name: str) -> Path:
    """The joinery tool ``name``: from ``$JOINERY_TOOLS_DIR``, the ``PATH``, or this
    checkout's ``target/release`` then ``target/debug``."""
    env = os.environ.get("JOINERY_TOOLS_DIR")
    candidates = [Path(env) / name] if env else []
    found = shutil.which(name)
    if found:
        candidates.append(Path(found))
    target = Path(__file__).resolve().parents[3] / "target"
    candidates += [target / "release" / name, target / "debug" / name]
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return c
    raise CompileError(
        f"cannot find {name}: build joinery (`make build`) or set JOINERY_TOOLS_DIR")


def _host_cpu() -> str:
    """The host CPU's model and features, which the generated code is tuned for."""
    try:
        info = Path("/proc/cpuinfo").read_text()
    except OSError:
        return os.uname().machine
    lines = [l for l in info.splitlines() if l.startswith(("model name", "flags"))]
    return "\n".join(sorted(set(lines)))


def _compiler_id(tools: Sequence[Path]) -> str:
    """Names the compiler build: each tool's path, size and modification time."""
    return "\n".join(f"{t}:{t.stat().st_size}:{t.stat().st_mtime_ns}" for t in tools)


def partition_pipeline(partition: str = "min-cut", memory_budget: float | None = None) -> str:
    """The ``joinery-opt`` pass pipeline that splits a joint into forward and backward."""
    if partition not in PARTITIONS:
        raise ValueError(f"partition must be one of {PARTITIONS}, not {partition!r}")
    options = f"strategy={partition}"
    if memory_budget is not None:
        if not 0.0 <= memory_budget <= 1.0:
            raise ValueError(f"memory_budget must be in [0, 1], not {memory_budget}")
        options += f" memory-budget={memory_budget}"
    return f"builtin.module(aot-partition{{{options}}})"


def compile_library(text: str, pipeline: str) -> Path:
    """The shared library of the joinery module ``text`` after ``pipeline``: compiled by
    ``joinery-opt`` and ``joinery-translate``, or found in the cache (keyed by the text,
    the pipeline and flags, the host CPU and the compiler build). The module after
    ``pipeline`` is kept beside it as ``l2.mlir``."""
    opt, translate = tool("joinery-opt"), tool("joinery-translate")
    # With its locations, so the native code's errors name the model's lines.
    opt_flags = ["--pass-pipeline", pipeline, "--print-debuginfo"]
    key = hashlib.sha256("\0".join(
        [text, *opt_flags, _host_cpu(), _compiler_id([opt, translate])]).encode()).hexdigest()
    entry = cache_dir() / key[:2] / key
    lib = entry / "joint.so"
    if lib.is_file() and (entry / "l2.mlir").is_file():
        return lib
    entry.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=entry) as tmp:
        work = Path(tmp)
        (work / "joint.mlir").write_text(text)
        _run([opt, work / "joint.mlir", *opt_flags, "-o", work / "l2.mlir"])
        _run([translate, work / "l2.mlir", "--to-shared-lib", work / "joint.so"])
        os.replace(work / "l2.mlir", entry / "l2.mlir")
        os.replace(work / "joint.so", lib)
    return lib


def located(e: CompileError, gm: torch.fx.GraphModule) -> CompileError:
    """``e`` with the compiler's error lines (without its file paths, which name
    temporary files) followed by the model line of every aten op they name."""
    errors = [re.sub(r"^\S+:\d+:\d+: ", "", l) for l in str(e).splitlines() if "error:" in l]
    ops = set(re.findall(r"'(aten\.[A-Za-z0-9_.]+)'", str(e)))
    return CompileError("\n".join((errors or [str(e)]) + [f"  {w}" for w in op_locations(gm, ops)]))


def _run(cmd: list) -> None:
    done = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    if done.returncode != 0:
        raise CompileError(done.stderr.strip() or f"{Path(cmd[0]).name} failed")


@dataclass(frozen=True)
class _Layout:
    """How the joint's slots map to the module's world."""

    primals: list[Any]
    """Per primal: ``("param" | "buffer", name)`` or ``("input", flat index)``."""
    outputs: list[int | None]
    """Per forward output: the user output index, or ``None`` for an input mutation
    (written back into its input by the native code)."""
    tangents: list[int]
    """Per tangent of the backward: the user output it is the grad of."""
    mutated: set
    """The keys (parameter or buffer names, argument indices) of primals updated in place."""


def _layout(input_descs: list, output_descs: list) -> _Layout:
    primals, tangents = [], []
    for d in input_descs:
        kind = type(d).__name__
        if kind == "ParamAOTInput":
            primals.append(("param", d.target))
        elif kind == "BufferAOTInput":
            primals.append(("buffer", d.target))
        elif kind == "PlainAOTInput":
            primals.append(("input", d.idx))
        elif kind == "TangentAOTInput" and type(d.output).__name__ == "PlainAOTOutput":
            tangents.append(d.output.idx)
        else:
            raise CompileError(f"compile_joint does not handle the input descriptor {d!r} yet")
    outputs, mutated = [], set()
    for d in output_descs[: len(output_descs) - len(primals)]:
        kind = type(d).__name__
        if kind == "PlainAOTOutput":
            outputs.append(d.idx)
        elif kind == "InputMutationAOTOutput":
            outputs.append(None)
            m = d.mutated_input
            mutated.add(m.target if hasattr(m, "target") else m.idx)
        else:
            raise CompileError(f"compile_joint does not handle the output descriptor {d!r} yet")
    return _Layout(primals, outputs, tangents, mutated)


class _NativeStep(torch.autograd.Function):
    """One call of the compiled pair: forward now, backward when autograd asks."""

    @staticmethod
    def forward(ctx, compiled: CompiledJoint, *primals):
        outs, saved = compiled.native.forward(primals)
        ctx.compiled, ctx.saved = compiled, saved
        user = [None] * compiled.num_user_outputs
        for slot, value in zip(compiled.layout.outputs, outs):
            if slot is not None:
                user[slot] = value
        differentiable = set(compiled.layout.tangents)
        ctx.mark_non_differentiable(
            *[t for i, t in enumerate(user) if i not in differentiable and t is not None])
        ctx.tangent_shapes = [(user[i].shape, user[i].dtype) for i in compiled.layout.tangents]
        return tuple(user)

    @staticmethod
    def backward(ctx, *grads):
        tangents = []
        for i, (shape, dtype) in zip(ctx.compiled.layout.tangents, ctx.tangent_shapes):
            g = grads[i]
            tangents.append(torch.zeros(shape, dtype=dtype) if g is None else g.contiguous())
        return (None, *ctx.compiled.native.backward(ctx.saved, tangents))


class CompiledJoint:
    """A module's training step compiled by joinery: called like the module, it runs the
    forward in native code and records a backward node that runs the native backward.

    Parameters and buffers are read from the module at each call (so optimizer updates are
    seen); buffers the graph mutates (batch-norm running statistics) are updated in place."""

    def __init__(self, module: torch.nn.Module, args: Sequence[Any], kwargs: dict | None = None,
                 *, partition: str = "min-cut", memory_budget: float | None = None,
                 pipeline: str | None = None, decompositions: dict | None = None,
                 threads: int | None = None):
        exported = export(module, args, kwargs, decompositions=decompositions, run=False)
        self.module = module
        self.text = exported.text
        self.layout = _layout(exported.input_descs, exported.output_descs)
        self.out_spec = exported.out_spec
        flat, self.in_spec = pytree.tree_flatten((tuple(args), dict(kwargs or {})))
        self._constants = {i: v for i, v in enumerate(flat) if not isinstance(v, torch.Tensor)}
        self.num_user_outputs = self.out_spec.num_leaves
        try:
            self.library_path = compile_library(
                self.text, pipeline or partition_pipeline(partition, memory_budget))
        except CompileError as e:
            raise located(e, exported.graph_module) from None
        self.native = _native.Library(str(self.library_path)).differentiable("joint", threads)
        self._slots = self._state_slots()
        self._flat_args = self.in_spec == pytree.tree_flatten((tuple(flat), {}))[1]

    def rng_state(self) -> tuple[int, int]:
        """``(seed, offset)`` of the random ops (dropout): each call draws fresh numbers by
        advancing the offset; the interpreter draws the same ones for the same state."""
        return self.native.rng_state()

    def set_rng_state(self, seed: int, offset: int = 0) -> None:
        """Sets the random-number state; the same state replays the same draws."""
        self.native.set_rng_state(seed, offset)

    def _state_slots(self) -> list:
        """Per primal: the dict holding it (a submodule's ``_parameters`` or ``_buffers``)
        and its key, or ``None`` for a call argument. Read at each call, so a replaced or
        updated parameter is seen."""
        slots = []
        for kind, key in self.layout.primals:
            if kind == "input":
                slots.append(None)
                continue
            owner, _, attr = key.rpartition(".")
            sub = self.module.get_submodule(owner)
            slots.append((sub._parameters if kind == "param" else sub._buffers, attr))
        return slots

    def primals(self, args: Sequence[Any], kwargs: dict | None) -> list[torch.Tensor]:
        """The forward's arguments for a call with ``args`` and ``kwargs``."""
        if not kwargs and self._flat_args and len(args) == self.in_spec.num_leaves:
            flat = args
        else:
            flat, spec = pytree.tree_flatten((tuple(args), dict(kwargs or {})))
            if spec != self.in_spec:
                raise TypeError(f"the call's arguments are structured as {spec}, "
                                f"not as when compiled ({self.in_spec}): compile again")
        for i, v in self._constants.items():
            if flat[i] != v:
                raise ValueError(f"argument {i} is {flat[i]!r}, compiled for {v!r}: compile again")
        out = []
        for (kind, key), slot in zip(self.layout.primals, self._slots):
            t = flat[key] if slot is None else slot[0][slot[1]]
            if not t.is_contiguous():
                if key in self.layout.mutated:
                    raise ValueError(f"{kind} {key} is updated in place and must be contiguous")
                t = t.contiguous()
            out.append(t)
        return out

    def __call__(self, *args, **kwargs):
        user = _NativeStep.apply(self, *self.primals(args, kwargs))
        if self.out_spec.is_leaf():
            return user[0]
        return pytree.tree_unflatten(list(user), self.out_spec)


def compile_joint(module: torch.nn.Module, args: Sequence[Any], kwargs: dict | None = None, *,
                  partition: str = "min-cut", memory_budget: float | None = None,
                  pipeline: str | None = None, decompositions: dict | None = None,
                  threads: int | None = None) -> CompiledJoint:
    """Compiles ``module(*args, **kwargs)``'s training step with joinery.

    ``partition`` (``"min-cut"`` or ``"default"``) and ``memory_budget`` (0 to 1: the
    fraction of the forward's activations the min-cut partition may save) choose how the
    joint is split; ``pipeline`` replaces that with any ``joinery-opt`` pass pipeline
    that leaves a forward/backward pair; ``decompositions`` is the export's decomposition
    table; ``threads`` the native code's thread count."""
    return CompiledJoint(module, args, kwargs, partition=partition, memory_budget=memory_budget,
                         pipeline=pipeline, decompositions=decompositions, threads=threads)
