// `joinery-translate --from-mlir`: upstream MLIR (func, linalg named ops, arith, tensor)
// read back as aten IR that joinery verifies. An MLP layer as upstream writes it: a zero
// fill as the matmul's accumulator, a broadcast bias, a named add and relu as a max with
// zeros.
// RUN: joinery-translate --from-mlir %s | FileCheck %s
// RUN: joinery-translate --from-mlir %s | joinery-opt | FileCheck %s --check-prefix=VERIFIED
// The export reads back: to-mlir then from-mlir (stdin) gives aten again.
// RUN: joinery-translate --from-mlir %s | joinery-translate --to-mlir - | joinery-translate --from-mlir - | FileCheck %s --check-prefix=AGAIN

// CHECK-LABEL: func.func @mlp
// CHECK-SAME: %arg0: tensor<4x3xf32> {aot.desc = #aot.plain<0>}
// CHECK-SAME: %arg1: tensor<3x2xf32> {aot.desc = #aot.param<"fc.weight">}
// CHECK-SAME: -> (tensor<4x2xf32> {aot.desc = #aot.plain_out<0>})
// CHECK: %[[MM:.*]] = aten.mm %arg0, %arg1
// CHECK: %[[B:.*]] = aten.view %arg2 {size = [1, 2]}
// CHECK: %[[BB:.*]] = aten.expand %[[B]] {size = [4, 2]}
// CHECK: %[[S:.*]] = aten.add.Tensor %[[MM]], %[[BB]]
// CHECK: %[[Z:.*]] = "arith.constant"() <{value = dense<0.0> : tensor<4x2xf32>}>
// CHECK: %[[R:.*]] = aten.maximum %[[S]], %[[Z]]
// CHECK: func.return %[[R]]
// VERIFIED-LABEL: func.func @mlp
// VERIFIED: aten.maximum
// AGAIN-LABEL: func.func @mlp
// AGAIN-SAME: {aot.desc = #aot.param<"fc.weight">}
// AGAIN: aten.mm
// AGAIN: aten.maximum
func.func @mlp(%x: tensor<4x3xf32> {aot.desc = "#aot.plain<0>"}, %w: tensor<3x2xf32> {aot.desc = "#aot.param<\"fc.weight\">"},
                %b: tensor<2xf32> {aot.desc = "#aot.param<\"fc.bias\">"}) -> (tensor<4x2xf32> {aot.desc = "#aot.plain_out<0>"}) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x2xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e : tensor<4x2xf32>) -> tensor<4x2xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<4x3xf32>, tensor<3x2xf32>) outs(%acc : tensor<4x2xf32>) -> tensor<4x2xf32>
  %bb = linalg.broadcast ins(%b : tensor<2xf32>) outs(%e : tensor<4x2xf32>) dimensions = [0]
  %s = linalg.add ins(%mm, %bb : tensor<4x2xf32>, tensor<4x2xf32>) outs(%e : tensor<4x2xf32>) -> tensor<4x2xf32>
  %r = linalg.max ins(%s, %acc : tensor<4x2xf32>, tensor<4x2xf32>) outs(%e : tensor<4x2xf32>) -> tensor<4x2xf32>
  return %r : tensor<4x2xf32>
}
