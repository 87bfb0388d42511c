// RUN: not joinery-translate %s --to-kernels 2>&1 | FileCheck %s

// Ops the backend cannot lower are diagnostics naming the op, with its location.

// CHECK: error: the native backend does not support 'aten.embedding'
func.func @embedding$unsupported(%w: tensor<10x4xf32>, %i: tensor<3xi64>) -> tensor<3x4xf32> {
  %e = "aten.embedding"(%w, %i) : (tensor<10x4xf32>, tensor<3xi64>) -> tensor<3x4xf32>
  func.return %e : tensor<3x4xf32>
}
