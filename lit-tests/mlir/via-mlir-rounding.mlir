// `joinery-run --via-mlir` on the rounding, remainder and logical-reduction ops: the
// exported module computes what the interpreter computes, on floats and on integers, for
// negative operands, ties (`round` is half to even) and a bound given alone (`clamp.Tensor` with only `max`).
// RUN: rm -rf %t && mkdir -p %t/in
// RUN: %python %S/Inputs/npy.py write %t/in/arg0.npy 8 7.0 -7.0 7.5 -7.5 2.5 -2.5 0.5 -0.0
// RUN: %python %S/Inputs/npy.py write %t/in/arg1.npy 8 2.0 2.0 -2.0 -2.0 0.75 -0.75 3.0 1.0
// RUN: joinery-run --interpret %s --inputs %t/in --outputs %t/interp
// RUN: joinery-run --via-mlir %s --inputs %t/in --outputs %t/mlir
// RUN: %python %S/Inputs/npy.py close %t/mlir/out0.npy %t/interp/out0.npy | FileCheck %s
// RUN: %python %S/Inputs/npy.py close %t/mlir/out1.npy %t/interp/out1.npy | FileCheck %s
// RUN: %python %S/Inputs/npy.py close %t/mlir/out2.npy %t/interp/out2.npy | FileCheck %s
// RUN: %python %S/Inputs/npy.py close %t/mlir/out3.npy %t/interp/out3.npy | FileCheck %s
// RUN: %python %S/Inputs/npy.py close %t/mlir/out4.npy %t/interp/out4.npy | FileCheck %s
// RUN: %python %S/Inputs/npy.py close %t/mlir/out5.npy %t/interp/out5.npy | FileCheck %s
// RUN: %python %S/Inputs/npy.py close %t/mlir/out6.npy %t/interp/out6.npy | FileCheck %s
// RUN: %python %S/Inputs/npy.py close %t/mlir/out7.npy %t/interp/out7.npy | FileCheck %s
// RUN: %python %S/Inputs/npy.py close %t/mlir/out8.npy %t/interp/out8.npy | FileCheck %s
// RUN: %python %S/Inputs/npy.py close %t/mlir/out9.npy %t/interp/out9.npy | FileCheck %s
// RUN: %python %S/Inputs/npy.py close %t/mlir/out10.npy %t/interp/out10.npy | FileCheck %s
// RUN: %python %S/Inputs/npy.py close %t/mlir/out11.npy %t/interp/out11.npy | FileCheck %s

// CHECK: close

func.func @rounding(%x: tensor<8xf32>, %y: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<f32>, tensor<f32>, tensor<8xf32>) {
  %floor = aten.div.Tensor_mode %x, %y {rounding_mode = "floor"} : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %trunc = aten.div.Tensor_mode %x, %y {rounding_mode = "trunc"} : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %rem = aten.remainder.Tensor %x, %y : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %fmod = aten.fmod.Scalar %x {other = -2.0 : f64} : (tensor<8xf32>) -> tensor<8xf32>
  %round = aten.round %x : (tensor<8xf32>) -> tensor<8xf32>
  %xi = aten._to_copy %x {dtype = i64} : (tensor<8xf32>) -> tensor<8xi64>
  %yi = aten._to_copy %y {dtype = i64} : (tensor<8xf32>) -> tensor<8xi64>
  %ymin = aten.clamp_min %yi {min = 1 : i64} : (tensor<8xi64>) -> tensor<8xi64>
  %ifloor = aten.div.Tensor_mode %xi, %ymin {rounding_mode = "floor"} : (tensor<8xi64>, tensor<8xi64>) -> tensor<8xi64>
  %irem = aten.remainder.Scalar %xi {other = -3 : i64} : (tensor<8xi64>) -> tensor<8xi64>
  %ifmod = aten.fmod.Tensor %xi, %ymin : (tensor<8xi64>, tensor<8xi64>) -> tensor<8xi64>
  %o5 = aten._to_copy %ifloor {dtype = f32} : (tensor<8xi64>) -> tensor<8xf32>
  %o6 = aten._to_copy %irem {dtype = f32} : (tensor<8xi64>) -> tensor<8xf32>
  %o7 = aten._to_copy %ifmod {dtype = f32} : (tensor<8xi64>) -> tensor<8xf32>
  %iprod = aten.prod %ymin : (tensor<8xi64>) -> tensor<i64>
  %o8p = aten._to_copy %iprod {dtype = f32} : (tensor<i64>) -> tensor<f32>
  %o8 = aten.expand %o8p {size = [8]} : (tensor<f32>) -> tensor<8xf32>
  %any = aten.any %x : (tensor<8xf32>) -> tensor<i1>
  %all = aten.all %x : (tensor<8xf32>) -> tensor<i1>
  %o9 = aten._to_copy %any {dtype = f32} : (tensor<i1>) -> tensor<f32>
  %o10 = aten._to_copy %all {dtype = f32} : (tensor<i1>) -> tensor<f32>
  %clamped = aten.clamp.Tensor %x, %y {operandSegmentSizes = [1, 0, 1]} : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  func.return %floor, %trunc, %rem, %fmod, %round, %o5, %o6, %o7, %o8, %o9, %o10, %clamped : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<f32>, tensor<f32>, tensor<8xf32>
}
