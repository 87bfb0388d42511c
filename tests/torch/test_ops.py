"""Every catalogue op against PyTorch, end to end through the tools.

The samples are the interpreter fixtures' (``dialects/aten/interp/fixtures/gen_fixtures.py``,
edge cases included), collected here instead of saved. Each sample becomes a one-op
``func.func`` in joinery text, run by ``joinery-run --interpret`` on ``.npy`` inputs and
compared with what PyTorch computes for the same call; elementwise ops also run through
``joinery-run --native`` (the whole backend: decomposition, kernels, LLVM). An op the
native backend does not lower must be refused with a diagnostic naming it (such samples
are reported as xfail).

Samples of random ops (PyTorch's random streams are not joinery's), of ops with
unspecified contents (`empty`) and with ``None`` results are not compared here; the rest
run one ``joinery-run`` each.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.utils._pytree as pytree

from harness import REPO, assert_close, run, tool
from joinery_torch.text import float_literal, int_literal, string_literal

CATALOGUE = REPO / "dialects" / "aten" / "catalogue.txt"
FIXTURES = REPO / "dialects" / "aten" / "interp" / "fixtures" / "gen_fixtures.py"

# Ops PyTorch cannot be compared with: their random streams are not PyTorch's.
RANDOM = {"aten.native_dropout", "aten.bernoulli.p", "aten.rand", "aten.randn", "aten.rand_like",
          "aten.randn_like", "aten.randperm"}
# `empty` has unspecified contents in PyTorch.
UNSPECIFIED = {"aten.empty.memory_format", "aten.empty_like", "aten.empty_strided",
               "aten.new_empty_strided"}

DTYPES = {
    torch.float32: "f32",
    torch.float64: "f64",
    torch.int64: "i64",
    torch.int32: "i32",
    torch.bool: "i1",
    torch.complex64: "complex<f32>",
    torch.complex128: "complex<f64>",
}


@dataclass
class Line:
    """One catalogue line: op name and traits."""

    name: str
    traits: set


def catalogue() -> dict:
    ops = {}
    for line in CATALOGUE.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        # schema | traits | decomposition | kernel [| canonicalization patterns]
        schema, traits, _, kernel = [c.strip() for c in line.split("|")][:4]
        if kernel == "-":
            continue
        name = "aten." + schema.split("(")[0]
        ops[name] = Line(name, set(traits.split()))
    return ops


@dataclass
class Sample:
    name: str
    op: str
    kwargs: dict


def samples() -> list:
    """The fixture generator's cases, collected instead of saved."""
    spec = importlib.util.spec_from_file_location("gen_fixtures", FIXTURES)
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    out = []
    gen.case = lambda name, op, **kw: out.append(Sample(name, op, kw))
    torch.manual_seed(0)
    families = [getattr(gen, n) for n in re.findall(r"^def (\w+)\(\):", FIXTURES.read_text(), re.M)
                if n != "main"]
    for family in families:
        family()
    return out


def ir_name(op: str) -> str:
    base, _, overload = op.partition(".")
    return "aten." + base + ("." + overload if overload else "")


def overload(op: str):
    base, _, ov = op.partition(".")
    return getattr(getattr(torch.ops.aten, base), ov or "default")


def tensor_type(t: torch.Tensor) -> str:
    dims = "x".join(str(d) for d in t.shape)
    return f"tensor<{dims + 'x' if dims else ''}{DTYPES[t.dtype]}>"


def attribute(arg, value) -> str:
    ty = str(arg.type)
    if isinstance(value, torch.dtype):
        return DTYPES[value]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return string_literal(value)
    if isinstance(value, (list, tuple)):
        if "float" in ty:
            return "[" + ", ".join(float_literal(float(v)).removesuffix(" : f64") for v in value) + "]"
        if value and all(isinstance(v, bool) for v in value):
            return "[" + ", ".join("true" if v else "false" for v in value) + "]"
        return "[" + ", ".join(str(int(v)) for v in value) + "]"
    if isinstance(value, float) or "float" in ty:
        return float_literal(float(value))
    return int_literal(value)


def is_tensor_arg(arg) -> bool:
    return "Tensor" in str(arg.type)


@dataclass
class Case:
    """A sample as joinery text, with its inputs and PyTorch's outputs."""

    sample: Sample
    text: str
    inputs: list
    outputs: list


def build(sample: Sample) -> Case:
    schema = overload(sample.op)._schema
    operands, types, attrs, segments, absent = [], [], [], [], False
    inputs = []
    for arg in schema.arguments:
        if arg.name not in sample.kwargs:
            continue
        v = sample.kwargs[arg.name]
        if is_tensor_arg(arg):
            items = list(v) if isinstance(v, (list, tuple)) else [v]
            present = [t for t in items if t is not None]
            absent |= len(present) != len(items)
            segments.append(len(present))
            for t in present:
                operands.append(f"%a{len(inputs)}")
                types.append(tensor_type(t))
                inputs.append(t)
        elif v is not None:
            attrs.append(f"{arg.name} = {attribute(arg, v)}")
    if absent:
        attrs.append("operandSegmentSizes = [" + ", ".join(map(str, segments)) + "]")
    call = {k: pytree.tree_map(lambda x: x.clone() if isinstance(x, torch.Tensor) else x, v)
            for k, v in sample.kwargs.items()}
    out = overload(sample.op)(**call)
    results = list(out) if isinstance(out, (list, tuple)) else [out]
    # A number result (`sym_size.int`, `.item()`) has a builtin number type, `self`'s dtype
    # for `_local_scalar_dense`, else `i64`; joinery returns it as a 0-d array.
    numbers = [not isinstance(o, torch.Tensor) for o in results]
    number_dtype = sample.kwargs["self"].dtype if sample.op == "_local_scalar_dense" else torch.int64
    results = [torch.tensor(o, dtype=number_dtype) if n else o for o, n in zip(results, numbers)]
    rtypes = ", ".join(DTYPES[o.dtype] if n else tensor_type(o) for o, n in zip(results, numbers))
    args = ", ".join(f"%a{i}: {t}" for i, t in enumerate(types))
    attr_text = " {" + ", ".join(attrs) + "}" if attrs else ""
    lhs = "%r" if len(results) == 1 else f"%r:{len(results)}"
    refs = ", ".join(["%r"] if len(results) == 1 else [f"%r#{i}" for i in range(len(results))])
    text = (
        f"func.func @{sample.name}({args}) -> ({rtypes}) {{\n"
        f"  {lhs} = {ir_name(sample.op)} {', '.join(operands)}{attr_text} : "
        f"({', '.join(types)}) -> ({rtypes})\n"
        f"  func.return {refs} : {rtypes}\n"
        f"}}\n"
    )
    return Case(sample, text, inputs, results)


def run_case(case: Case, mode: str, tmp: Path):
    d = tmp / case.sample.name / mode
    (d / "in").mkdir(parents=True)
    (d / "out").mkdir()
    (d / "op.mlir").write_text(case.text)
    for i, t in enumerate(case.inputs):
        np.save(d / "in" / f"arg{i}.npy", t.numpy())
    p = run([tool("joinery-run"), f"--{mode}", d / "op.mlir", "--fn", case.sample.name,
             "--inputs", d / "in", "--outputs", d / "out"])
    return p, d / "out"


def compare(case: Case, out: Path, what: str, rel: float):
    for j, want in enumerate(case.outputs):
        got = np.load(out / f"out{j}.npy")
        w = want.resolve_conj().numpy()
        if np.iscomplexobj(w):
            # Complex results compare as their real and imaginary parts.
            assert np.iscomplexobj(got) and got.dtype == w.dtype, f"{what} #{j}: {got.dtype}"
            got, w = np.stack([got.real, got.imag]), np.stack([w.real, w.imag])
        if w.dtype == np.float32 or w.dtype == np.float64:
            assert got.shape == w.shape and got.dtype == w.dtype, f"{what} #{j}: {got.dtype}{got.shape}"
            both_nan = np.isnan(got) & np.isnan(w)
            same_inf = np.isinf(w) & (got == w)
            special = both_nan | same_inf
            assert (np.isnan(got) == np.isnan(w)).all(), f"{what} #{j}: NaN positions differ"
            assert_close(np.where(special, 0, got), np.where(special, 0, w), f"{what} #{j}", rel=rel)
        else:
            assert_close(got, w, f"{what} #{j}")


def has_none_result(sample: Sample) -> bool:
    """Whether PyTorch returns ``None`` for a result (a backward's masked-off grad): joinery
    declares such a result as a tensor the interpreter leaves ``none``, which one-op text
    cannot type without the op's inference, so these samples stay with the Rust fixture
    test (which types them from the op)."""
    call = {k: pytree.tree_map(lambda x: x.clone() if isinstance(x, torch.Tensor) else x, v)
            for k, v in sample.kwargs.items()}
    out = overload(sample.op)(**call)
    return any(o is None for o in (out if isinstance(out, (list, tuple)) else [out]))


SAMPLES = samples()
OPS = catalogue()
MASKED = {s.name for s in SAMPLES if has_none_result(s)}


def test_every_catalogue_op_has_a_sample():
    sampled = {ir_name(s.op) for s in SAMPLES}
    missing = sorted(set(OPS) - sampled - RANDOM - UNSPECIFIED)
    assert not missing, f"catalogue ops without a sample in gen_fixtures.py: {missing}"


def test_masked_samples_are_few_and_named():
    assert len(MASKED) <= 8, sorted(MASKED)


COMPARED = [s for s in SAMPLES
            if ir_name(s.op) not in RANDOM | UNSPECIFIED and s.name not in MASKED]


@pytest.mark.parametrize("sample", COMPARED, ids=[s.name for s in COMPARED])
def test_interpreter_matches_pytorch(sample, tmp_path):
    case = build(sample)
    p, out = run_case(case, "interpret", tmp_path)
    assert p.returncode == 0, f"{sample.op}: {p.stderr}"
    compare(case, out, f"{sample.name} ({sample.op}) interpreted", rel=1e-5)


NATIVE = [s for s in COMPARED if "elementwise" in OPS[ir_name(s.op)].traits]


@pytest.mark.parametrize("sample", NATIVE, ids=[s.name for s in NATIVE])
def test_native_matches_pytorch_or_names_the_op(sample, tmp_path):
    case = build(sample)
    p, out = run_case(case, "native", tmp_path)
    if p.returncode != 0:
        assert ir_name(sample.op) in p.stderr and "error:" in p.stderr, p.stderr
        pytest.xfail(f"the native backend does not lower this form of {sample.op}")
    compare(case, out, f"{sample.name} ({sample.op}) native", rel=1e-4)
