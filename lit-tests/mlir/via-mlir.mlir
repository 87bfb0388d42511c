// `joinery-run --via-mlir`: the function exported to upstream MLIR, lowered by MLIR's own
// pipeline and run by its execution engine computes what the interpreter computes (a
// Linear + ReLU + row sum, with a broadcast bias).
// RUN: rm -rf %t && mkdir -p %t/in
// RUN: %python %S/Inputs/npy.py write %t/in/arg0.npy 2x3 0.5 -1.0 2.0 1.5 0.25 -3.0
// RUN: %python %S/Inputs/npy.py write %t/in/arg1.npy 3x4 1 2 3 4 -1 -2 -3 -4 0.5 0.25 -0.5 2
// RUN: %python %S/Inputs/npy.py write %t/in/arg2.npy 4 0.1 -0.2 0.3 -0.4
// RUN: joinery-run --interpret %s --inputs %t/in --outputs %t/interp
// RUN: joinery-run --via-mlir %s --inputs %t/in --outputs %t/mlir
// RUN: %python %S/Inputs/npy.py close %t/mlir/out0.npy %t/interp/out0.npy | FileCheck %s
// RUN: %python %S/Inputs/npy.py close %t/mlir/out1.npy %t/interp/out1.npy | FileCheck %s
// An input of the wrong shape is an error naming the argument.
// RUN: %python %S/Inputs/npy.py write %t/in/arg2.npy 3 0.1 -0.2 0.3
// RUN: not joinery-run --via-mlir %s --inputs %t/in --outputs %t/bad 2>&1 | FileCheck %s --check-prefix=BAD

// CHECK: close
// BAD: error: @layer: argument #2 is f32[3], the signature says [4] of f32

func.func @layer(%x: tensor<2x3xf32>, %w: tensor<3x4xf32>, %b: tensor<4xf32>) -> (tensor<2x4xf32>, tensor<2x1xf32>) {
  %mm = aten.mm %x, %w : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %y = aten.add.Tensor %mm, %b {alpha = 1 : i64} : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %r = aten.relu %y : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %s = aten.sum.dim_IntList %r {dim = [1], keepdim = true} : (tensor<2x4xf32>) -> tensor<2x1xf32>
  func.return %r, %s : tensor<2x4xf32>, tensor<2x1xf32>
}
