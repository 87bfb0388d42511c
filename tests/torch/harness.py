"""What the zoo tests run: joinery's tools, and the same tables computed on both sides.

- :func:`joinery_table` runs ``joinery-opt --aot-print-descriptors`` and parses its table:
  one row per argument and result with the SSA name, PyTorch's repr, ``expr()`` and the
  slot joinery pairs it with.
- :func:`joinery_fx_utils` derives the fx_utils queries from joinery's pairing;
  :func:`torch_fx_utils` computes them with PyTorch's own ``fx_utils`` on the FX graph.
- :func:`eager_reference` runs the module eagerly with autograd and lays the results out
  as the joint's outputs, by descriptor.
- :func:`reference` is what a stage must compute: PyTorch's joint outputs, or for a random
  model eager autograd replaying the draws read off the stage's outputs;
- :func:`interpret` runs a function with ``joinery-run`` (interpreter or native code);
  :func:`interpret_partitioned` runs a partitioned joint's forward and then its backward;
  :func:`assert_outputs_close` compares joint outputs.
"""

from __future__ import annotations

import copy
import functools
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.utils._pytree as pytree
from joinery_torch.exporter import to_numpy

REPO = Path(__file__).resolve().parents[2]


def tools_dir() -> Path:
    """Where joinery-opt and joinery-run are: ``$JOINERY_TOOLS_DIR``, else the debug build."""
    if "JOINERY_TOOLS_DIR" in os.environ:
        return Path(os.environ["JOINERY_TOOLS_DIR"])
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    return target / "debug"


def tool(name: str) -> Path:
    path = tools_dir() / name
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} is missing: build it (`cargo build --bins`) or set JOINERY_TOOLS_DIR"
        )
    return path


def run(args: list, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, **kw)


# ----- descriptor tables -----


@dataclass
class Row:
    """One row of joinery's descriptor table."""

    kind: str  # "arg" or "result"
    index: int
    name: str  # SSA name without '%', or '-'
    repr: str
    expr: str
    link: str


_ROW = re.compile(r"^\s+(arg|result) (\d+)\s+(\S+)\s+(.*)$")


def parse_table(text: str) -> list[Row]:
    """Rows of ``aot-print-descriptors`` output (cells are separated by 2+ spaces)."""
    rows = []
    for line in text.splitlines():
        m = _ROW.match(line)
        if not m:
            continue
        cells = re.split(r"\s{2,}", m.group(4).strip())
        cells += [""] * (3 - len(cells))
        rows.append(
            Row(m.group(1), int(m.group(2)), m.group(3).lstrip("%"), cells[0], cells[1], cells[2])
        )
    return rows


def function_tables(mlir: Path) -> dict[str, list[Row]]:
    """joinery's descriptor table of every function of a module, by function name (read
    once per version of the file)."""
    stat = Path(mlir).stat()
    return _function_tables(Path(mlir), stat.st_mtime_ns, stat.st_size)


@functools.cache
def _function_tables(mlir: Path, _mtime_ns: int, _size: int) -> dict[str, list[Row]]:
    p = run([tool("joinery-opt"), "--aot-print-descriptors", mlir, "-o", os.devnull])
    assert p.returncode == 0, p.stderr
    sections = re.split(r"^@(\w+): .*$", p.stdout, flags=re.M)
    return {name: parse_table(body) for name, body in zip(sections[1::2], sections[2::2])}


def joinery_table(mlir: Path) -> list[Row]:
    """joinery's descriptor table of ``@joint``."""
    rows = function_tables(mlir).get("joint")
    assert rows, f"no descriptor table of @joint for {mlir}"
    return rows


_DIFF_INPUTS = {"ParamAOTInput", "BufferAOTInput", "PlainAOTInput", "ViewBaseAOTInput",
                "SyntheticBaseAOTInput", "TangentAOTInput"}
_DIFF_OUTPUTS = {"PlainAOTOutput", "InputMutationAOTOutput", "IntermediateBaseAOTOutput",
                 "MetadataMutationAOTOutput", "GradAOTOutput"}


def _class(r: str) -> str:
    return r.split("(", 1)[0]


def joinery_fx_utils(rows: list[Row]) -> dict:
    """The fx_utils queries from joinery's pairing, as lists of names in slot order."""
    args = {r.index: r for r in rows if r.kind == "arg"}
    results = {r.index: r for r in rows if r.kind == "result"}

    def linked(link: str, prefix: str, table: dict) -> str | None:
        m = re.fullmatch(prefix + r" (\d+)", link)
        return table[int(m.group(1))].name if m else None

    inputs = [
        (r.repr, r.name, linked(r.link, "grad in result", results))
        for r in args.values()
        if _class(r.repr) in _DIFF_INPUTS
    ]
    outputs = [
        (r.repr, r.name, linked(r.link, "tangent in argument", args))
        for r in results.values()
        if _class(r.repr) in _DIFF_OUTPUTS
    ]
    return _derived(inputs, outputs)


def _derived(inputs, outputs) -> dict:
    fqn = lambda r: re.fullmatch(r"\w+\(target='(.*)'\)", r).group(1)  # noqa: E731
    return {
        "all_input_and_grad": inputs,
        "all_output_and_tangent": outputs,
        "param_and_grad": [e for e in inputs if _class(e[0]) == "ParamAOTInput"],
        "plain_input_and_grad": [e for e in inputs if _class(e[0]) == "PlainAOTInput"],
        "plain_output_and_tangent": [e for e in outputs if _class(e[0]) == "PlainAOTOutput"],
        "named_params": [(fqn(e[0]), e[1]) for e in inputs if _class(e[0]) == "ParamAOTInput"],
        "named_buffers": [(fqn(e[0]), e[1]) for e in inputs if _class(e[0]) == "BufferAOTInput"],
    }


def torch_fx_utils(gm: torch.fx.GraphModule) -> dict:
    """The same queries computed by PyTorch's ``fx_utils`` on the joint FX graph."""
    from torch._functorch._aot_autograd import fx_utils

    g = gm.graph
    name = lambda n: None if n is None else n.name  # noqa: E731
    inputs = [(repr(d), n.name, name(gr))
              for d, (n, gr) in fx_utils.get_all_input_and_grad_nodes(g).items()]
    outputs = [(repr(d), n.name, name(t))
               for d, (n, t) in fx_utils.get_all_output_and_tangent_nodes(g).items()]
    derived = _derived(inputs, outputs)
    # The specialised helpers must agree with the filtered general ones.
    assert derived["param_and_grad"] == [
        (repr(d), n.name, name(gr)) for d, (n, gr) in fx_utils.get_param_and_grad_nodes(g).items()
    ]
    assert derived["plain_input_and_grad"] == [
        (repr(d), n.name, name(gr))
        for d, (n, gr) in fx_utils.get_plain_input_and_grad_nodes(g).items()
    ]
    assert derived["plain_output_and_tangent"] == [
        (repr(d), n.name, name(t))
        for d, (n, t) in fx_utils.get_plain_output_and_tangent_nodes(g).items()
    ]
    assert derived["named_params"] == [
        (k, n.name) for k, n in fx_utils.get_named_param_nodes(g).items()
    ]
    assert derived["named_buffers"] == [
        (k, n.name) for k, n in fx_utils.get_named_buffer_nodes(g).items()
    ]
    assert [n.name for n in fx_utils.get_param_nodes(g)] == [n for _, n in derived["named_params"]]
    assert [n.name for n in fx_utils.get_buffer_nodes(g)] == [
        n for _, n in derived["named_buffers"]
    ]
    return derived


# ----- numerics -----


def interpret(mlir: Path, inputs: Path, outputs: Path, n_results: int, seed: int = 0,
              fn: str = "joint", native: bool = False, via_mlir: bool = False) -> list:
    """Runs ``@fn`` (``@joint`` by default) with joinery's reference interpreter, compiled
    by the native backend, or through upstream MLIR (``via_mlir``); one array (or ``None``
    for a ``none`` result, which writes no file) per result."""
    mode = "--native" if native else "--via-mlir" if via_mlir else "--interpret"
    p = run([tool("joinery-run"), mode, mlir, "--fn", fn,
             "--inputs", inputs, "--outputs", outputs, "--seed", seed])
    assert p.returncode == 0, p.stderr
    return [np.load(outputs / f"out{j}.npy") if (outputs / f"out{j}.npy").exists() else None
            for j in range(n_results)]


_PAIR = re.compile(r'"aot\.joint_pair"\(\) <\{backward = @(\w+), forward = @(\w+), '
                   r"num_fwd_outputs = (\d+) : i64, num_saved = (\d+) : i64\}>")


def interpret_partitioned(mlir: Path, joint_rows: list[Row], joint_inputs: Path, work: Path,
                          seed: int = 0, native: bool = False) -> list:
    """Runs the forward and then the backward of a partitioned joint (``mlir``, from
    ``--aot-partition``) with the interpreter (or compiled by the native backend) and
    returns what the joint returns: the forward's outputs, then the backward's. Each
    argument is the joint's input of the same descriptor (``joint_rows``, ``joint_inputs``);
    saved values come from the forward."""
    pair = _PAIR.search(Path(mlir).read_text())
    assert pair, f"no aot.joint_pair in {mlir}"
    backward, forward = pair.group(1), pair.group(2)
    num_fwd_outputs, num_saved = int(pair.group(3)), int(pair.group(4))
    tables = function_tables(mlir)
    joint_arg = {r.repr: r.index for r in joint_rows if r.kind == "arg"}

    def stage(fn: str, sources: list[Path]) -> list:
        inputs = work / f"{fn}_in"
        inputs.mkdir(parents=True, exist_ok=True)
        for i, src in enumerate(sources):
            shutil.copy(src, inputs / f"arg{i}.npy")
        n_results = sum(r.kind == "result" for r in tables[fn])
        return interpret(mlir, inputs, work / f"{fn}_out", n_results, seed=seed, fn=fn,
                         native=native)

    def by_desc(fn: str, skip: int = 0) -> list[Path]:
        args = [r for r in tables[fn] if r.kind == "arg"][skip:]
        return [joint_inputs / f"arg{joint_arg[r.repr]}.npy" for r in args]

    fwd = stage(forward, by_desc(forward))
    saved = [work / f"{forward}_out" / f"out{j}.npy"
             for j in range(num_fwd_outputs, num_fwd_outputs + num_saved)]
    bwd = stage(backward, saved + by_desc(backward, skip=num_saved))
    return fwd[:num_fwd_outputs] + bwd


def assert_close(actual: np.ndarray, expected: np.ndarray, what: str, rel: float = 1e-5,
                 floor: float = 1e-6):
    """Equal shapes and dtypes, and every element within ``rel`` of the tensor's scale:
    max |expected|, at least ``floor``. A sum that cancels to about zero (the gradient of a
    conv bias under batch norm) is judged at the scale of its terms by passing that scale
    as ``floor``."""
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    assert actual.dtype == expected.dtype, f"{what}: dtype {actual.dtype} != {expected.dtype}"
    if expected.dtype == np.bool_ or np.issubdtype(expected.dtype, np.integer):
        np.testing.assert_array_equal(actual, expected, err_msg=what)
        return
    scale = max(float(np.abs(expected).max(initial=0.0)), floor)
    err = float(np.abs(actual.astype(np.float64) - expected.astype(np.float64)).max(initial=0.0))
    assert err <= rel * scale, f"{what}: max error {err:.3g} > {rel} x scale {scale:.3g}"


def arrays(tensors: list) -> list:
    """Tensors (or ``None``) as numpy arrays (or ``None``)."""
    return [None if t is None else to_numpy(t) for t in tensors]


def assert_outputs_close(got: list, expected: list, descs: list, rel: float = 1e-5):
    """Every joint output against its expected value (``None`` slots included). A tenth of
    the joint's largest float value is the floor of every output's scale, for outputs that
    cancel to about zero (conv bias under batch norm: ~1e-6 of noise)."""
    assert len(got) == len(expected), f"{len(got)} results, expected {len(expected)}"
    joint_scale = 0.1 * max((float(np.abs(np.asarray(w, dtype=np.float64)).max())
                             for w in expected if w is not None and w.dtype.kind == "f"
                             and w.size), default=0.0)
    for j, (g, want) in enumerate(zip(got, expected)):
        what = f"result {j} ({descs[j]!r})"
        if want is None:
            assert g is None, f"{what}: expected a none slot"
        else:
            assert g is not None, f"{what}: no output"
            assert_close(g, want, what, rel=rel, floor=max(joint_scale, 1e-6))


def assert_outputs_identical(got: list, want: list, descs: list):
    """Every output bit for bit equal to ``want``'s (same dtype and shape), ``None`` slots
    in the same places."""
    for j, (g, w) in enumerate(zip(got, want)):
        what = f"result {j} ({descs[j]!r})"
        assert (g is None) == (w is None), f"{what}: none slot differs"
        if w is not None:
            assert g.dtype == w.dtype and g.shape == w.shape, what
            np.testing.assert_array_equal(g, w, err_msg=what)


def eager_reference(module, args, kwargs, export) -> list:
    """The joint's outputs computed eagerly with autograd, laid out by output descriptor:
    plain outputs, new values of mutated buffers and inputs, and gradients for the
    tangents of ``export.example_inputs``."""
    module = copy.deepcopy(module)
    flat, spec = pytree.tree_flatten((args, kwargs))
    flat = [t.clone() if isinstance(t, torch.Tensor) else t for t in flat]
    args, kwargs = pytree.tree_unflatten(flat, spec)
    out = module(*args, **kwargs)
    outs = pytree.tree_leaves(out)

    tangent_for = {}
    for d, t in zip(export.input_descs, export.example_inputs):
        if type(d).__name__ == "TangentAOTInput":
            tangent_for[repr(d.output)] = t
    diff_outs = [(o, tangent_for[repr(d)]) for d in export.output_descs
                 if d is not None and type(d).__name__ == "PlainAOTOutput"
                 for o in [outs[d.idx]] if repr(d) in tangent_for]
    wrt = [(i, p) for i, (_, p) in enumerate(module.named_parameters())]
    grads = torch.autograd.grad(
        [o for o, _ in diff_outs], [p for _, p in wrt], [t for _, t in diff_outs],
        allow_unused=True,
    ) if diff_outs else [None] * len(wrt)
    grad_of = {name: g for (name, _), g in zip(module.named_parameters(), grads)}

    def value_of(d):
        cls = type(d).__name__
        if cls == "PlainAOTOutput":
            return outs[d.idx]
        if cls == "InputMutationAOTOutput":
            m = d.mutated_input
            if type(m).__name__ == "BufferAOTInput":
                return module.get_buffer(m.target)
            if type(m).__name__ == "PlainAOTInput":
                return flat[m.idx]
        if cls == "GradAOTOutput" and type(d.grad_of).__name__ == "ParamAOTInput":
            return grad_of[d.grad_of.target]
        raise NotImplementedError(f"no eager value for {d!r}")

    return [None if d is None else value_of(d).detach() for d in export.output_descs]


def plain_outputs(values: list, descs: list) -> list:
    """The plain outputs among a joint's results, in output order."""
    plain = {d.idx: v for v, d in zip(values, descs) if type(d).__name__ == "PlainAOTOutput"}
    return [plain[i] for i in sorted(plain)]


def reference(exported_case, got: list) -> list:
    """What a stage's results must be: PyTorch's joint outputs, or for a random model eager
    autograd replaying the draws read off ``got``."""
    case, (module, args, kwargs), result, _ = exported_case
    if case.replay is None:
        return arrays(result.expected_outputs)
    replayed = case.replay(module, plain_outputs(got, result.output_descs))
    return arrays(eager_reference(replayed, args, kwargs, result))
