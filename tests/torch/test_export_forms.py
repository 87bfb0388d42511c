"""Every schema form the exporter writes: tensor constants (small, large, bool), Python
numbers in tensor positions, absent optional tensors and ``None`` entries of ``Tensor?[]``
lists. Each export round-trips through ``joinery-opt`` and, where the ops are in the
catalogue, runs in the interpreter with PyTorch's numbers."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

import harness
from joinery_torch import exporter
from joinery_torch.exporter import export


def core():
    return exporter.core_decompositions()


class SmallConstant(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(3, 3)

    def forward(self, x):
        return (self.lin(x) * torch.tensor([1.0, 2.0, 3.0])).sum()


class LargeConstants(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(3, 3)

    def forward(self, x):
        table = torch.tensor([[float(i), -i / 7.0, 0.5] for i in range(120)])
        mask = torch.tensor([i % 3 == 0 for i in range(150)])
        zeros = torch.tensor([0.0] * 200)
        return (table[:2] * self.lin(x)).sum() + mask.sum() + zeros.sum()


class NumberAsSelf(torch.nn.Module):
    def __init__(self, dtype=torch.float32):
        super().__init__()
        self.lin = torch.nn.Linear(3, 3).to(dtype)

    def forward(self, x):
        return (1 - self.lin(x)).sum()


class IndexWithNone(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.randn(3, 4))

    def forward(self, idx):
        return (self.w[:, idx] * torch.arange(6.0).reshape(3, 2)).sum()


class EmbeddingBagNoWeights(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.bag = torch.nn.EmbeddingBag(10, 4, mode="sum")

    def forward(self, idx, offsets):
        return self.bag(idx, offsets).sum()


class PlainGroupNorm(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(3, 24)
        self.norm = torch.nn.GroupNorm(2, 6, affine=False)

    def forward(self, x):
        return (self.norm(self.lin(x).reshape(2, 6, 4)) * torch.linspace(-1.0, 1.0, 4)).sum()


def check_runs(result, tmp_path):
    """The export round-trips, and the interpreter computes PyTorch's joint outputs."""
    mlir = tmp_path / "joint.mlir"
    mlir.write_text(result.text)
    p = harness.run([harness.tool("joinery-opt"), "--verify-roundtrip", mlir, "-o", tmp_path / "p.mlir"])
    assert p.returncode == 0, p.stderr
    result.write_npy(tmp_path)
    got = harness.interpret(mlir, tmp_path / "inputs", tmp_path / "out", len(result.output_descs))
    for j, (g, want) in enumerate(zip(got, result.expected_outputs)):
        if want is None:
            assert g is None
        else:
            harness.assert_close(g, want.numpy(), f"result {j}")


def test_a_small_constant_is_a_dense_list(tmp_path):
    torch.manual_seed(0)
    result = export(SmallConstant(), (torch.randn(2, 3),))
    assert re.search(
        r'%_tensor_constant0 = "arith\.constant"\(\) <\{value = dense<\[1\.0, 2\.0, 3\.0\]> '
        r": tensor<3xf32>\}> : \(\) -> tensor<3xf32>",
        result.text,
    ), result.text
    # lift_fresh_copy of a constant is the constant itself.
    assert "lift_fresh_copy" not in result.text
    assert '"aten.mul.Tensor"(%addmm, %_tensor_constant0)' in result.text
    check_runs(result, tmp_path)


def test_large_constants_are_hex_and_equal_ones_a_splat(tmp_path):
    torch.manual_seed(0)
    result = export(LargeConstants(), (torch.randn(2, 3),))
    table = torch.tensor([[float(i), -i / 7.0, 0.5] for i in range(120)])
    hex_f32 = table.numpy().astype("<f4").tobytes().hex().upper()
    assert f'dense<"0x{hex_f32}"> : tensor<120x3xf32>' in result.text
    bits = np.packbits(np.array([i % 3 == 0 for i in range(150)]), bitorder="little")
    assert f'dense<"0x{bits.tobytes().hex().upper()}"> : tensor<150xi1>' in result.text
    assert "dense<0.0> : tensor<200xf32>" in result.text
    check_runs(result, tmp_path)


@pytest.mark.parametrize("dtype, literal", [(torch.float32, "dense<1.0> : tensor<f32>"),
                                            (torch.float64, "dense<1.0> : tensor<f64>")])
def test_a_number_as_self_is_a_wrapped_number_constant(tmp_path, dtype, literal):
    torch.manual_seed(0)
    result = export(NumberAsSelf(dtype), (torch.randn(2, 3, dtype=dtype),), decompositions=core())
    t = "f32" if dtype == torch.float32 else "f64"
    assert f'%sub_self = "arith.constant"() <{{value = {literal}}}>' in result.text
    assert f'"aten.sub.Tensor"(%sub_self, %addmm) : (tensor<{t}>, tensor<2x3x{t}>)' in result.text
    check_runs(result, tmp_path)


def test_none_entries_of_an_index_list_are_the_none_value(tmp_path):
    torch.manual_seed(0)
    # Core decompositions: the backward's `new_zeros` is not in the catalogue yet.
    result = export(IndexWithNone(), (torch.tensor([0, 2]),), decompositions=core())
    assert re.search(r'%none = "aot\.none"\(\) : \(\) -> none', result.text)
    assert re.search(
        r'"aten\.index\.Tensor"\(%primals_1, %none, %primals_2\) : '
        r"\(tensor<3x4xf32>, none, tensor<2xi64>\) -> tensor<3x2xf32>",
        result.text,
    ), result.text
    assert result.text.count('"aot.none"()') == 1, "one none value serves every use"
    check_runs(result, tmp_path)


def test_an_absent_optional_tensor_is_an_empty_operand_group(monkeypatch):
    # `_embedding_bag` is not in the catalogue yet: translate it regardless.
    monkeypatch.setattr(exporter, "catalogue_ops", lambda: None)
    result = export(EmbeddingBagNoWeights(), (torch.tensor([1, 2, 4, 5, 4, 3]),
                                              torch.tensor([0, 3])), run=False)
    line = next(x for x in result.text.splitlines() if '"aten._embedding_bag"' in x)
    # weight, indices, offsets present; per_sample_weights absent.
    assert "operandSegmentSizes" not in line
    assert re.search(r'"aten\._embedding_bag"\(%\w+, %\w+, %\w+\) ', line), line


class MutatedConstant(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(2, 2)

    def forward(self, x):
        c = torch.tensor([1.0, 2.0])
        c.add_(1.0)
        return (self.lin(x) * c).sum()


def test_constants_without_functionalization_are_cloned_into_references(tmp_path):
    torch.manual_seed(0)
    module, args = MutatedConstant(), (torch.randn(3, 2),)
    reference = export(module, args)
    l0 = export(module, args, disable_functionalization=True, run=False)
    assert re.search(r'%lift_fresh_copy = "aten.clone"\(%_tensor_constant0\) : '
                     r"\(tensor<2xf32>\) -> !aten.ref<tensor<2xf32>>", l0.text), l0.text
    (tmp_path / "l0.mlir").write_text(l0.text)
    p = harness.run([harness.tool("joinery-opt"), tmp_path / "l0.mlir", "--aot-functionalize",
                     "-o", tmp_path / "joint.mlir"])
    assert p.returncode == 0, p.stderr
    reference.write_npy(tmp_path)
    got = harness.interpret(tmp_path / "joint.mlir", tmp_path / "inputs", tmp_path / "out",
                            len(reference.output_descs))
    for j, (g, want) in enumerate(zip(got, reference.expected_outputs)):
        if want is not None:
            harness.assert_close(g, want.numpy(), f"result {j}")


class UpsampleNearest(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(2, 2, 3, padding=1)

    def forward(self, x):
        return torch.nn.functional.interpolate(self.conv(x), scale_factor=2, mode="nearest").sum()


def test_nearest_upsampling_indexes_with_none_entries(tmp_path):
    # Under core decompositions, nearest upsampling is `index.Tensor(x, [None, None, h, w])`
    # and its backward an `index_put` with the same list.
    torch.manual_seed(0)
    result = export(UpsampleNearest(), (torch.randn(1, 2, 4, 4),), decompositions=core())
    assert re.search(r'"aten\.index\.Tensor"\(%\w+, %none, %none, %\w+, %\w+\)', result.text)
    assert re.search(r'"aten\.index_put"\(%\w+, %none, %none, %\w+, %\w+, %\w+\)', result.text)
    check_runs(result, tmp_path)


class TimesTwo(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(3, 3)

    def forward(self, x):
        return (self.lin(x) * 2).sum()


def test_a_scalar_overload_missing_from_the_catalogue_gives_way_to_a_constant(monkeypatch, tmp_path):
    known = exporter.catalogue_ops()
    assert "mul.Scalar" in known and "mul.Tensor" in known
    monkeypatch.setattr(exporter, "catalogue_ops", lambda: known - {"mul.Scalar"})
    torch.manual_seed(0)
    result = export(TimesTwo(), (torch.randn(2, 3),), decompositions=core())
    # The int 2 is computed in the tensor's f32, as PyTorch's wrapped number.
    assert '%mul_other = "arith.constant"() <{value = dense<2.0> : tensor<f32>}>' in result.text
    assert '"aten.mul.Tensor"(%addmm, %mul_other)' in result.text
    check_runs(result, tmp_path)


def test_gradients_a_backward_leaves_out_have_the_types_of_its_operands(tmp_path):
    # Without affine parameters the group norm backward's weight and bias grads are None.
    torch.manual_seed(0)
    result = export(PlainGroupNorm(), (torch.randn(2, 3),))
    assert re.search(
        r'"aten\.native_group_norm_backward"\(.*\) -> '
        r"\(tensor<2x6x4xf32>, tensor<6xf32>, tensor<6xf32>\)",
        result.text,
    ), result.text
    check_runs(result, tmp_path)
