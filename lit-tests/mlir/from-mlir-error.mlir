// What `joinery-translate --from-mlir` refuses: an op outside the subset that maps back is
// a diagnostic naming it, located at the op.
// RUN: not joinery-translate --from-mlir %s 2>&1 | FileCheck %s

// CHECK: from-mlir-error.mlir:[[@LINE+4]]:8: error: 'linalg.conv_2d_nhwc_hwcf' has no aten counterpart in the import
func.func @conv(%x: tensor<1x4x4x1xf32>, %w: tensor<3x3x1x1xf32>) -> tensor<1x2x2x1xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x2x1xf32>
  %c = linalg.conv_2d_nhwc_hwcf ins(%x, %w : tensor<1x4x4x1xf32>, tensor<3x3x1x1xf32>) outs(%e : tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32>
  return %c : tensor<1x2x2x1xf32>
}
