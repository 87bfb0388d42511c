"""``aten.nonzero`` compiled natively and called through the Python extension: its row
count is known only at run time, and each call's result has the real shape, as
``torch.nonzero`` gives it (no rows for all zeros; one empty row or none for a 0-d
tensor). PyTorch's joint export raises on ``nonzero`` (no shape environment), so the
functions are joinery text."""

from __future__ import annotations

import subprocess

import pytest
import torch

from joinery_torch import _native
from joinery_torch.compile import tool

TEXT = """
func.func @rows(%x: tensor<3x4xf32>, %m: tensor<2x3xi1>) -> (tensor<?x2xi64>, tensor<?x2xi64>, i64) {
  %t = aten.t %m : (tensor<2x3xi1>) -> tensor<3x2xi1>
  %a = aten.nonzero %x : (tensor<3x4xf32>) -> tensor<?x2xi64>
  %b = aten.nonzero %t : (tensor<3x2xi1>) -> tensor<?x2xi64>
  %n = "aten.sym_size.int"(%a) {dim = 0 : i64} : (tensor<?x2xi64>) -> i64
  func.return %a, %b, %n : tensor<?x2xi64>, tensor<?x2xi64>, i64
}

func.func @scalar(%x: tensor<f32>) -> tensor<?x0xi64> {
  %a = aten.nonzero %x : (tensor<f32>) -> tensor<?x0xi64>
  func.return %a : tensor<?x0xi64>
}
"""

JOINT = """
func.func @joint(%x: tensor<2x3xf32> {aot.desc = #aot.param<"w">},
                 %tangent: tensor<f32> {aot.desc = #aot.tangent<#aot.plain_out<0>>})
    -> (tensor<f32> {aot.desc = #aot.plain_out<0>},
        tensor<?x2xi64> {aot.desc = #aot.plain_out<1>},
        tensor<2x3xf32> {aot.desc = #aot.grad<#aot.param<"w">>}) {
  %sq = "aten.mul.Tensor"(%x, %x) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %loss = "aten.sum"(%sq) : (tensor<2x3xf32>) -> tensor<f32>
  %pos = "aten.gt.Scalar"(%x) {other = 0.0 : f64} : (tensor<2x3xf32>) -> tensor<2x3xi1>
  %nz = aten.nonzero %pos : (tensor<2x3xi1>) -> tensor<?x2xi64>
  %e = "aten.expand"(%tangent) {size = [2, 3]} : (tensor<f32>) -> tensor<2x3xf32>
  %g1 = "aten.mul.Tensor"(%e, %x) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %g = "aten.add.Tensor"(%g1, %g1) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  func.return %loss, %nz, %g : tensor<f32>, tensor<?x2xi64>, tensor<2x3xf32>
}
"""
"""A joint whose forward returns ``nonzero(x > 0)`` beside a differentiable loss."""


def compiled(work, name: str, text: str, *flags: str):
    """``text`` compiled by ``joinery-translate`` into a library the extension opens."""
    (work / f"{name}.mlir").write_text(text)
    subprocess.run([tool("joinery-translate"), work / f"{name}.mlir", *flags, "--to-shared-lib",
                    work / f"{name}.so"], check=True, capture_output=True)
    return _native.Library(str(work / f"{name}.so"))


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """The two functions compiled into one library, opened by the extension."""
    return compiled(tmp_path_factory.mktemp("nonzero"), "nz", TEXT)


@pytest.mark.parametrize("case", ["mixed", "nan", "zeros", "ones"])
def test_each_call_returns_the_rows_it_counted(library, case):
    x = {"mixed": torch.tensor([[0.0, 1.0, 0.0, -2.0], [0.0, 0.0, 0.0, 0.0], [3.0, 0.0, 0.5, 0.0]]),
         "nan": torch.tensor([[float("nan"), 0.0, 0.0, 0.0]] * 3),
         "zeros": torch.zeros(3, 4),
         "ones": torch.ones(3, 4)}[case]
    m = (x != 0).reshape(2, 6)[:, :3].contiguous()
    a, b, n = library.function("rows", threads=1)([x, m])
    assert torch.equal(a, torch.nonzero(x)), (a, torch.nonzero(x))
    assert torch.equal(b, torch.nonzero(m.t()))
    assert a.shape == (int(n), 2) and a.dtype == torch.int64


@pytest.mark.parametrize("value", [2.5, 0.0])
def test_a_0d_tensor_gives_one_empty_row_or_none(library, value):
    x = torch.tensor(value)
    (rows,) = library.function("scalar", threads=1)([x])
    assert torch.equal(rows, torch.nonzero(x))
    assert rows.shape == ((1, 0) if value else (0, 0))


def test_a_partitioned_joint_returns_the_rows_from_its_forward(tmp_path):
    f = compiled(tmp_path, "joint", JOINT, "--partition").differentiable("joint", threads=1)
    x = torch.tensor([[1.0, -1.0, 0.0], [2.0, 3.0, -4.0]])
    (loss, rows), saved = f.forward([x])
    assert torch.equal(rows, torch.nonzero(x > 0))
    assert loss.item() == (x * x).sum().item()
    (grad,) = f.backward(saved, [torch.tensor(1.0)])
    assert torch.equal(grad, 2 * x)
