// Elements attributes as MLIR writes them: `dense<...>` (lists, splats, the hex form
// mlir-opt prints for more than 100 elements), `dense_resource<key>` whose blob is in the
// file metadata section `{-# dialect_resources: {builtin: {...}} #-}` (4 bytes of
// alignment, then the raw little-endian elements; one byte per i1), and `array<T: ...>`.
// A resource reads as the dense hex literal of its bytes (joinery has no resource store),
// so the output is plain text without a metadata section.
// RUN: joinery-opt --allow-unregistered-dialect %s | FileCheck %s
// RUN: joinery-opt --allow-unregistered-dialect %s | joinery-opt --allow-unregistered-dialect | FileCheck %s
// RUN: joinery-opt --allow-unregistered-dialect --print-op-generic %s | mlir-opt --allow-unregistered-dialect | joinery-opt --allow-unregistered-dialect | FileCheck %s --check-prefix=MLIR

// CHECK-LABEL: func.func @resources
// CHECK: value = dense<"0x0000803F00000040"> : tensor<2xf32>
// CHECK: value = dense<[true, false, true]> : tensor<3xi1>
// CHECK: value = dense<"0x0100000002000000"> : tensor<2xi32>
// CHECK-NOT: {-#
// MLIR-LABEL: func.func @resources
// MLIR: value = dense<[1.0, 2.0]> : tensor<2xf32>
// MLIR: value = dense<[true, false, true]> : tensor<3xi1>
// MLIR: value = dense<[1, 2]> : tensor<2xi32>
func.func @resources() -> (tensor<2xf32>, tensor<3xi1>, tensor<2xi32>) {
  %f = arith.constant dense_resource<blob_f32> : tensor<2xf32>
  %b = arith.constant dense_resource<blob_i1> : tensor<3xi1>
  %i = "arith.constant"() <{value = dense_resource<blob_i32> : tensor<2xi32>}> : () -> tensor<2xi32>
  return %f, %b, %i : tensor<2xf32>, tensor<3xi1>, tensor<2xi32>
}

// `arith.constant` in the custom form mlir-opt prints reads as the generic form joinery
// writes.
// CHECK-LABEL: func.func @custom_constant
// CHECK: %c = "arith.constant"() <{value = dense<[1.5, 2.0]> : tensor<2xf32>}> {note} : () -> tensor<2xf32>
func.func @custom_constant() -> tensor<2xf32> {
  %c = arith.constant {note} dense<[1.500000e+00, 2.000000e+00]> : tensor<2xf32>
  return %c : tensor<2xf32>
}

// CHECK-LABEL: func.func @arrays
// CHECK: "test.op"() {b = array<i1: true, false>, e = array<i64>, f = array<f32: 1.5, -2.0>, i = array<i64: 1, -2, 3>, s = array<i8: 127>} : () -> ()
// MLIR-LABEL: func.func @arrays
// MLIR: "test.op"() {b = array<i1: true, false>, e = array<i64>, f = array<f32: 1.5, -2.0>, i = array<i64: 1, -2, 3>, s = array<i8: 127>} : () -> ()
func.func @arrays() {
  "test.op"() {i = array<i64: 1, -2, 3>, e = array<i64>, b = array<i1: true, false>, f = array<f32: 1.5, -2.0>, s = array<i8: 127>} : () -> ()
  return
}

{-#
  dialect_resources: {
    builtin: {
      blob_f32: "0x040000000000803F00000040",
      blob_i1: "0x01000000010001",
      blob_i32: "0x040000000100000002000000"
    }
  }
#-}
