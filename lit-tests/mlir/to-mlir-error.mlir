// What `joinery-translate --to-mlir` refuses: every op without a lowering, or whose
// lowering refuses it, is named in one diagnostic, each with a note where it is and why.
// RUN: not joinery-translate --to-mlir %s 2>&1 | FileCheck %s

// CHECK: error: no lowering to upstream MLIR for 'aten._conj', 'aten.sort'
// CHECK: note: 'aten._conj': no row in the lowering table
// CHECK: note: 'aten.sort': sorting a 0-d tensor
func.func @f(%a: tensor<4xf32>, %s: tensor<f32>) -> (tensor<4xf32>, tensor<f32>) {
  %c = "aten._conj"(%a) : (tensor<4xf32>) -> tensor<4xf32>
  %v, %i = aten.sort %s {dim = 0, descending = false} : (tensor<f32>) -> (tensor<f32>, tensor<i64>)
  func.return %c, %v : tensor<4xf32>, tensor<f32>
}
