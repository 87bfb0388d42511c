// `joinery-run --via-mlir` on the scatters where writes to one place collide: the last
// write wins for `index_put` without `accumulate` (index 1 twice) and `as_strided_scatter`
// (a view reading one place three times), `masked_scatter` takes the source in order at
// a broadcast mask's places, and `scatter_reduce` averages the writes without `self`.
// Each result equals the interpreter's.
// RUN: rm -rf %t && mkdir -p %t/in
// RUN: %python %S/Inputs/npy.py write %t/in/arg0.npy 5 0.5 -1.0 2.0 1.5 0.25
// RUN: %python %S/Inputs/npy.py write %t/in/arg1.npy 3 10.0 20.0 30.0
// RUN: %python %S/Inputs/npy.py write %t/in/arg2.npy 2x3 1 2 3 4 5 6
// RUN: joinery-run --interpret %s --inputs %t/in --outputs %t/interp
// RUN: joinery-run --via-mlir %s --inputs %t/in --outputs %t/mlir
// RUN: %python %S/Inputs/npy.py close %t/mlir/out0.npy %t/interp/out0.npy | FileCheck %s
// RUN: %python %S/Inputs/npy.py close %t/mlir/out1.npy %t/interp/out1.npy | FileCheck %s
// RUN: %python %S/Inputs/npy.py close %t/mlir/out2.npy %t/interp/out2.npy | FileCheck %s
// RUN: %python %S/Inputs/npy.py close %t/mlir/out3.npy %t/interp/out3.npy | FileCheck %s
// The last writes win: 30 at index 1 (20 at 3), and 30 at storage place 2.
// RUN: %python %S/Inputs/npy.py write %t/in/want0.npy 5 0.5 30.0 2.0 20.0 0.25
// RUN: %python %S/Inputs/npy.py write %t/in/want1.npy 5 0.5 -1.0 30.0 1.5 0.25
// RUN: %python %S/Inputs/npy.py close %t/interp/out0.npy %t/in/want0.npy | FileCheck %s
// RUN: %python %S/Inputs/npy.py close %t/interp/out1.npy %t/in/want1.npy | FileCheck %s

// CHECK: close

func.func @scatters(%x: tensor<5xf32>, %v: tensor<3xf32>, %y: tensor<2x3xf32>) -> (tensor<5xf32>, tensor<5xf32>, tensor<2x3xf32>, tensor<5xf32>) {
  %i = arith.constant dense<[1, 3, 1]> : tensor<3xi64>
  %put = aten.index_put %x, %i, %v {accumulate = false} : (tensor<5xf32>, tensor<3xi64>, tensor<3xf32>) -> tensor<5xf32>
  %strided = aten.as_strided_scatter %x, %v {size = [3], stride = [0], storage_offset = 2} : (tensor<5xf32>, tensor<3xf32>) -> tensor<5xf32>
  %m = arith.constant dense<[[true, false, false]]> : tensor<1x3xi1>
  %masked = aten.masked_scatter %y, %m, %v : (tensor<2x3xf32>, tensor<1x3xi1>, tensor<3xf32>) -> tensor<2x3xf32>
  %mean = aten.scatter_reduce.two %x, %i, %v {dim = 0 : i64, reduce = "mean", include_self = false} : (tensor<5xf32>, tensor<3xi64>, tensor<3xf32>) -> tensor<5xf32>
  func.return %put, %strided, %masked, %mean : tensor<5xf32>, tensor<5xf32>, tensor<2x3xf32>, tensor<5xf32>
}
