"""Every catalogue op against PyTorch, end to end through the tools.

The samples are the interpreter fixtures' (``dialects/aten/interp/fixtures/gen_fixtures.py``,
edge cases included), collected here instead of saved. Each sample becomes a one-op
``func.func`` in joinery text, run by ``joinery-run --interpret`` and by ``joinery-run
--native`` (the whole backend: decomposition, kernels, LLVM) on ``.npy`` inputs, and both
are compared with what PyTorch computes for the same call.

Random ops (PyTorch's random streams are not joinery's) and ops with unspecified contents
(`empty`) have samples of their own here, checked for what PyTorch does specify: the
result's shape and dtype, the law of the values (in [0, 1), a permutation, zeros and
``1 / (1 - p)``-scaled elements where the mask says), and for random ops the same bits
from the interpreter and the native backend. Samples with ``None`` results are not
compared. Every core op (``dialects/aten/core_aten_ops.txt``) must have a sample that runs
both ways.
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

CORE = REPO / "dialects" / "aten" / "core_aten_ops.txt"

# `empty` has unspecified contents in PyTorch.
UNSPECIFIED = {"aten.empty.memory_format", "aten.empty_like", "aten.empty_strided",
               "aten.new_empty_strided"}
# Ops whose result has a row count known only at run time: typed with a `?` leading dim,
# as the exporter writes them.
DYNAMIC_ROWS = {"aten.nonzero"}

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


def tensor_type(t: torch.Tensor, dynamic_rows: bool = False) -> str:
    dims = "x".join(["?" if dynamic_rows and i == 0 else str(d) for i, d in enumerate(t.shape)])
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


def call_pytorch(sample: Sample) -> tuple:
    """PyTorch's op on copies of the sample's tensors: the arguments as the op left them
    (an argument it writes holds the new value) and its results as a list."""
    call = {k: pytree.tree_map(lambda x: x.clone() if isinstance(x, torch.Tensor) else x, v)
            for k, v in sample.kwargs.items()}
    out = overload(sample.op)(**call)
    return call, list(out) if isinstance(out, (list, tuple)) else [out]


def is_written(arg) -> bool:
    """Whether the op writes argument `arg` (`Tensor(a!)`)."""
    return arg.alias_info is not None and arg.alias_info.is_write


def build(sample: Sample) -> Case:
    """The sample as a one-op function. An argument the op writes is a fresh reference
    (`aten.clone` into `!aten.ref`) of an input, read back after the op and returned after
    the op's results, as PyTorch's caller sees it; `joinery-run` functionalizes such
    functions when it loads them."""
    schema = overload(sample.op)._schema
    operands, types, attrs, segments, absent = [], [], [], [], False
    inputs, prologue, written = [], [], []
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
                ty, operand = tensor_type(t), f"%a{len(inputs)}"
                if is_written(arg):
                    prologue.append(f"  %m{len(inputs)} = aten.clone {operand} : ({ty}) -> !aten.ref<{ty}>\n")
                    operand, ty = f"%m{len(inputs)}", f"!aten.ref<{ty}>"
                    written.append((operand, tensor_type(t), arg.name))
                operands.append(operand)
                types.append(ty)
                inputs.append(t)
        elif v is not None:
            attrs.append(f"{arg.name} = {attribute(arg, v)}")
    if absent:
        attrs.append("operandSegmentSizes = [" + ", ".join(map(str, segments)) + "]")
    call, results = call_pytorch(sample)
    # A number result (`sym_size.int`, `.item()`) has a builtin number type, `self`'s dtype
    # for `_local_scalar_dense`, else `i64`; joinery returns it as a 0-d array.
    numbers = [not isinstance(o, torch.Tensor) for o in results]
    number_dtype = sample.kwargs["self"].dtype if sample.op == "_local_scalar_dense" else torch.int64
    results = [torch.tensor(o, dtype=number_dtype) if n else o for o, n in zip(results, numbers)]
    dynamic = ir_name(sample.op) in DYNAMIC_ROWS
    value_types = [DTYPES[o.dtype] if n else tensor_type(o, dynamic) for o, n in zip(results, numbers)]
    # A result that is a written argument (`-> Tensor(a!)`) is that reference again (a
    # list result, `Tensor[]`, is one return of the schema for all its tensors).
    returns = schema.returns if len(schema.returns) == len(results) else [None] * len(results)
    op_types = [f"!aten.ref<{t}>" if r is not None and is_written(r) else t
                for t, r in zip(value_types, returns)]
    names = ["%r"] if len(results) == 1 else [f"%r#{i}" for i in range(len(results))]
    epilogue, refs = [], []
    for i, (name, t, ot) in enumerate(zip(names, value_types, op_types)):
        if ot != t:
            epilogue.append(f"  %v{i} = aten.ref_to_value {name} : ({ot}) -> {t}\n")
            name = f"%v{i}"
        refs.append(name)
    for j, (ref, t, arg_name) in enumerate(written):
        epilogue.append(f"  %w{j} = aten.ref_to_value {ref} : (!aten.ref<{t}>) -> {t}\n")
        refs.append(f"%w{j}")
        value_types.append(t)
        results.append(call[arg_name])
    rtypes = ", ".join(value_types)
    args = ", ".join(f"%a{i}: {tensor_type(t)}" for i, t in enumerate(inputs))
    attr_text = " {" + ", ".join(attrs) + "}" if attrs else ""
    lhs = "%r" if len(names) == 1 else f"%r:{len(names)}"
    text = (
        f"func.func @{sample.name}({args}) -> ({rtypes}) {{\n"
        + "".join(prologue)
        + f"  {lhs} = {ir_name(sample.op)} {', '.join(operands)}{attr_text} : "
        f"({', '.join(types)}) -> ({', '.join(op_types)})\n"
        + "".join(epilogue)
        + f"  func.return {', '.join(refs)} : {rtypes}\n"
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
    return any(o is None for o in call_pytorch(sample)[1])


def contract_samples() -> list:
    """Samples of the random ops and of `empty`, which the fixtures cannot hold (their
    values are not PyTorch's to record)."""
    torch.manual_seed(0)
    x = torch.randn(16, 32)
    return [
        Sample("rand_2d", "rand", {"size": [16, 32]}),
        Sample("rand_f64", "rand", {"size": [5, 7], "dtype": torch.float64}),
        Sample("rand_empty", "rand", {"size": [0, 3]}),
        Sample("randn_2d", "randn", {"size": [64, 64]}),
        Sample("rand_like_2d", "rand_like", {"self": x}),
        Sample("randn_like_2d", "randn_like", {"self": x}),
        Sample("randperm_10", "randperm", {"n": 10}),
        Sample("randperm_0", "randperm", {"n": 0}),
        Sample("bernoulli_p", "bernoulli.p", {"self": x, "p": 0.3}),
        Sample("dropout_train", "native_dropout", {"input": x, "p": 0.5, "train": True}),
        Sample("dropout_p09", "native_dropout", {"input": x, "p": 0.9, "train": True}),
        Sample("empty_2d", "empty.memory_format", {"size": [3, 4]}),
        Sample("empty_i64", "empty.memory_format", {"size": [2, 5], "dtype": torch.int64}),
        Sample("empty_like_2d", "empty_like", {"self": x}),
        Sample("empty_strided_2d", "empty_strided", {"size": [3, 4], "stride": [4, 1]}),
        Sample("new_empty_strided_2d", "new_empty_strided",
               {"self": x, "size": [2, 6], "stride": [6, 1]}),
    ]


def mutating_samples() -> list:
    """Samples of the ops that write an argument (an `out=` overload, batch norm's running
    statistics): the interpreter's fixtures hold values only, these run functionalized."""
    torch.manual_seed(0)
    x, w, b = torch.randn(4, 3, 5), torch.randn(3), torch.randn(3)
    stats = {"running_mean": torch.randn(3), "running_var": torch.rand(3) + 0.5}
    bn = {"input": x, **stats, "momentum": 0.1, "eps": 1e-5}
    y, z = torch.randn(2, 3), torch.randn(3)
    return [
        Sample("atan2_out", "atan2.out", {"self": y, "other": z, "out": torch.zeros(2, 3)}),
        Sample("atan2_out_f64", "atan2.out",
               {"self": y, "other": z, "out": torch.zeros(2, 3, dtype=torch.float64)}),
        Sample("bn_legit_train", "_native_batch_norm_legit",
               {**bn, "weight": w, "bias": b, "training": True}),
        Sample("bn_legit_eval", "_native_batch_norm_legit",
               {**bn, "weight": w, "bias": b, "training": False}),
        Sample("bn_legit_no_affine", "_native_batch_norm_legit",
               {**bn, "weight": None, "bias": None, "training": True}),
    ]


SAMPLES = samples()
CONTRACT = contract_samples()
MUTATING = mutating_samples()
OPS = catalogue()
RANDOM = {name for name, line in OPS.items() if "random" in line.traits}
MASKED = {s.name for s in SAMPLES if has_none_result(s)}


def core_ops() -> set:
    """The IR names of the overloads PyTorch tags core."""
    names = set()
    for line in CORE.read_text().splitlines():
        if line and not line.startswith("#"):
            name = line.split("(")[0]
            names.add("aten." + name.removesuffix(".default"))
    return names


def test_every_catalogue_op_has_a_sample():
    sampled = {ir_name(s.op) for s in SAMPLES + CONTRACT}
    missing = sorted(set(OPS) - sampled)
    assert not missing, f"catalogue ops without a sample in gen_fixtures.py: {missing}"


def test_masked_samples_are_few_and_named():
    assert len(MASKED) <= 8, sorted(MASKED)


COMPARED = [s for s in SAMPLES
            if ir_name(s.op) not in RANDOM | UNSPECIFIED and s.name not in MASKED] + MUTATING


def test_every_core_op_runs_in_the_interpreter_and_natively():
    """The coverage of the Core ATen opset: each core op has a sample that the two tests
    below (or the contract test) run through the interpreter and the native backend."""
    core = core_ops()
    assert len(core) > 180, f"{len(core)} core ops"
    run_both_ways = {ir_name(s.op) for s in COMPARED + CONTRACT}
    missing = sorted(core - run_both_ways)
    assert not missing, f"core ops no sample runs through both the interpreter and native code: {missing}"


@pytest.mark.parametrize("sample", COMPARED, ids=[s.name for s in COMPARED])
def test_interpreter_matches_pytorch(sample, tmp_path):
    case = build(sample)
    p, out = run_case(case, "interpret", tmp_path)
    assert p.returncode == 0, f"{sample.op}: {p.stderr}"
    compare(case, out, f"{sample.name} ({sample.op}) interpreted", rel=1e-5)


@pytest.mark.parametrize("sample", COMPARED, ids=[s.name for s in COMPARED])
def test_native_matches_pytorch(sample, tmp_path):
    case = build(sample)
    p, out = run_case(case, "native", tmp_path)
    assert p.returncode == 0, f"{sample.op}: {p.stderr}"
    compare(case, out, f"{sample.name} ({sample.op}) native", rel=1e-4)


def check_law(sample: Sample, got: list):
    """What PyTorch specifies of a random op's values."""
    op, kw = sample.op, sample.kwargs
    if op in ("rand", "rand_like"):
        assert ((got[0] >= 0) & (got[0] < 1)).all(), f"{sample.name}: outside [0, 1)"
    elif op in ("randn", "randn_like"):
        assert np.isfinite(got[0]).all(), f"{sample.name}: not finite"
        if got[0].size >= 1000:
            assert abs(got[0].mean()) < 0.2 and 0.8 < got[0].std() < 1.2, sample.name
    elif op == "randperm":
        assert (np.sort(got[0]) == np.arange(kw["n"])).all(), f"{sample.name}: not a permutation"
    elif op == "bernoulli.p":
        assert np.isin(got[0], [0, 1]).all(), f"{sample.name}: not 0 or 1"
    elif op == "native_dropout":
        out, mask = got
        x, p = kw["input"].numpy(), kw["p"]
        assert mask.dtype == np.bool_ and 0 < mask.mean() < 1, f"{sample.name}: mask {mask.mean()}"
        np.testing.assert_allclose(out, np.where(mask, x / (1 - p), 0), rtol=1e-6,
                                   err_msg=f"{sample.name}: output not the masked, scaled input")


@pytest.mark.parametrize("sample", CONTRACT, ids=[s.name for s in CONTRACT])
def test_random_and_empty_ops_keep_pytorchs_contract(sample, tmp_path):
    case = build(sample)
    runs = {}
    for mode in ("interpret", "native"):
        p, out = run_case(case, mode, tmp_path)
        assert p.returncode == 0, f"{sample.op} ({mode}): {p.stderr}"
        runs[mode] = [np.load(out / f"out{j}.npy") for j in range(len(case.outputs))]
        for j, (got, want) in enumerate(zip(runs[mode], case.outputs)):
            w = want.numpy()
            assert got.shape == w.shape and got.dtype == w.dtype, (
                f"{sample.name} ({mode}) #{j}: {got.dtype}{got.shape}, PyTorch {w.dtype}{w.shape}")
        if ir_name(sample.op) in RANDOM:
            check_law(sample, runs[mode])
    if ir_name(sample.op) in RANDOM:
        for j, (a, b) in enumerate(zip(runs["interpret"], runs["native"])):
            assert np.array_equal(a, b), f"{sample.name} #{j}: native bits differ from the interpreter's"
