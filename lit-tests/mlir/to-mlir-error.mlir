// What `joinery-translate --to-mlir` refuses: every op without a lowering is named in one
// diagnostic, each with a note where it is and why (random ops: no generator shared with
// MLIR).
// RUN: not joinery-translate --to-mlir %s 2>&1 | FileCheck %s

// CHECK: error: no lowering to upstream MLIR for 'aten.atan', 'aten.native_dropout'
// CHECK: note: 'aten.native_dropout': it draws random numbers, and MLIR has no generator shared with joinery's
// CHECK: note: 'aten.atan': no row in the lowering table
func.func @f(%a: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xi1>) {
  %v, %m = "aten.native_dropout"(%a) {p = 0.5 : f64, train = true} : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xi1>)
  %c = "aten.atan"(%a) : (tensor<4xf32>) -> tensor<4xf32>
  func.return %c, %v, %m : tensor<4xf32>, tensor<4xf32>, tensor<4xi1>
}
