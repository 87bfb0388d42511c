// What `joinery-translate --to-mlir` refuses: every op without a lowering is named in one
// diagnostic, each with a note where it is.
// RUN: not joinery-translate --to-mlir %s 2>&1 | FileCheck %s

// CHECK: error: no lowering to upstream MLIR for 'aten.cumsum', 'aten.sort'
// CHECK: note: 'aten.sort'
// CHECK: note: 'aten.cumsum'
func.func @f(%a: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xi64>) {
  %v, %i = "aten.sort"(%a) {dim = -1 : i64, descending = false} : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xi64>)
  %c = "aten.cumsum"(%a) {dim = 0 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  func.return %c, %v, %i : tensor<4xf32>, tensor<4xf32>, tensor<4xi64>
}
