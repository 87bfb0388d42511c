// What `joinery-translate --to-mlir` refuses: every op without a lowering is named in one
// diagnostic, each with a note where it is and why.
// RUN: not joinery-translate --to-mlir %s 2>&1 | FileCheck %s

// CHECK: error: no lowering to upstream MLIR for 'aten.as_strided', 'aten.repeat'
// CHECK: note: 'aten.repeat': no row in the lowering table
// CHECK: note: 'aten.as_strided': no row in the lowering table
func.func @f(%a: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %t = "aten.repeat"(%a) {repeats = [1]} : (tensor<4xf32>) -> tensor<4xf32>
  %c = "aten.as_strided"(%a) {size = [4], stride = [1]} : (tensor<4xf32>) -> tensor<4xf32>
  func.return %c, %t : tensor<4xf32>, tensor<4xf32>
}
