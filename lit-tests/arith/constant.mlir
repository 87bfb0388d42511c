// arith.constant holds tensor constants in every dense<...> form MLIR prints: splats,
// nested lists, ints, floats (NaN as hex bits), bools, and raw hex bytes for large ones
// (i1 packed 8 to a byte). Each form survives print and parse, and upstream mlir-opt
// reads our generic output.
// RUN: joinery-opt %s | FileCheck %s
// RUN: joinery-opt %s | joinery-opt | FileCheck %s
// RUN: joinery-opt %s --print-op-generic | joinery-opt | FileCheck %s
// RUN: joinery-opt %s --print-op-generic | mlir-opt --allow-unregistered-dialect | FileCheck %s --check-prefix=MLIR

// CHECK-LABEL: func.func @constant$forms
// CHECK: value = dense<2.5> : tensor<f32>
// CHECK: value = dense<{{\[}}[1, 2], [3, 4]]> : tensor<2x2xi64>
// CHECK: value = dense<[0x7FC00000, -1.0, 0.5]> : tensor<3xf32>
// CHECK: value = dense<[true, false, true]> : tensor<3xi1>
// CHECK: value = dense<"0x0000803F00000040"> : tensor<2xf32>
// CHECK: value = dense<"0x0501"> : tensor<9xi1>
// CHECK: value = dense<> : tensor<0xf32>
// MLIR-LABEL: func.func @constant$forms
// MLIR: arith.constant dense<2.500000e+00> : tensor<f32>
// MLIR: arith.constant dense<{{\[}}[1, 2], [3, 4]]> : tensor<2x2xi64>
// MLIR: arith.constant dense<[0x7FC00000, -1.000000e+00, 5.000000e-01]> : tensor<3xf32>
// MLIR: arith.constant dense<[true, false, true]> : tensor<3xi1>
// MLIR: arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// MLIR: arith.constant dense<[true, false, true, false, false, false, false, false, true]> : tensor<9xi1>
func.func @constant$forms() -> (tensor<f32>, tensor<2x2xi64>, tensor<3xf32>, tensor<3xi1>, tensor<2xf32>, tensor<9xi1>, tensor<0xf32>) {
  %0 = "arith.constant"() <{value = dense<2.5> : tensor<f32>}> : () -> tensor<f32>
  %1 = "arith.constant"() <{value = dense<[[1, 2], [3, 4]]> : tensor<2x2xi64>}> : () -> tensor<2x2xi64>
  %2 = "arith.constant"() <{value = dense<[0x7FC00000, -1.0, 0.5]> : tensor<3xf32>}> : () -> tensor<3xf32>
  %3 = "arith.constant"() <{value = dense<[true, false, true]> : tensor<3xi1>}> : () -> tensor<3xi1>
  %4 = "arith.constant"() <{value = dense<"0x0000803F00000040"> : tensor<2xf32>}> : () -> tensor<2xf32>
  %5 = "arith.constant"() <{value = dense<"0x0501"> : tensor<9xi1>}> : () -> tensor<9xi1>
  %6 = "arith.constant"() <{value = dense<> : tensor<0xf32>}> : () -> tensor<0xf32>
  func.return %0, %1, %2, %3, %4, %5, %6 : tensor<f32>, tensor<2x2xi64>, tensor<3xf32>, tensor<3xi1>, tensor<2xf32>, tensor<9xi1>, tensor<0xf32>
}

// CHECK-LABEL: func.func @constant$feeds_aten
// CHECK: %[[C:.*]] = "arith.constant"() <{value = dense<1.0> : tensor<f32>}> : () -> tensor<f32>
// CHECK: aten.sub.Tensor %[[C]], %x
func.func @constant$feeds_aten(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c = "arith.constant"() <{value = dense<1.0> : tensor<f32>}> : () -> tensor<f32>
  %r = aten.sub.Tensor %c, %x : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %r : tensor<4xf32>
}
