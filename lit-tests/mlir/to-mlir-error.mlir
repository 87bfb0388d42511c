// What `joinery-translate --to-mlir` refuses: every op without a lowering, or whose
// lowering refuses it, is named in one diagnostic, each with a note where it is and why.
// RUN: not joinery-translate --to-mlir %s 2>&1 | FileCheck %s

// CHECK: error: no lowering to upstream MLIR for 'aten._conj', 'aten.index.Tensor'
// CHECK: note: 'aten._conj': no row in the lowering table
// CHECK: note: 'aten.index.Tensor': a boolean index mask
func.func @f(%a: tensor<4xf32>, %m: tensor<4xi1>) -> (tensor<4xf32>, tensor<2xf32>) {
  %c = "aten._conj"(%a) : (tensor<4xf32>) -> tensor<4xf32>
  %i = aten.index.Tensor %a, %m : (tensor<4xf32>, tensor<4xi1>) -> tensor<2xf32>
  func.return %c, %i : tensor<4xf32>, tensor<2xf32>
}
