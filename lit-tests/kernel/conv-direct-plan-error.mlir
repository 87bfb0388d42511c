// A kernel.conv on the direct engine that the engine does not run (here strided) passes
// the verifier and is refused, located, when the native backend plans its runtime step.
// RUN: rm -rf %t && mkdir -p %t
// RUN: not joinery-translate --to-shared-lib %t/conv.so %s 2>&1 | FileCheck %s

// CHECK: conv-direct-plan-error.mlir:[[@LINE+3]]:3: error: 'aten.convolution': the direct convolution engine runs unit-stride convolutions with 1 or 2 spatial dims and at most 64 taps, not Forward of input [1, 2, 8] by weight [2, 1, 3] with stride [2]
func.func @f(%x: tensor<1x2x8xf32>, %w: tensor<2x1x3xf32>) -> tensor<1x2x3xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<1x2x3xf32>
  "kernel.conv"(%x, %w, %o) <{bias = false, dilation = [1], engine = "direct", groups = 2 : i64, input = [1, 2, 8], output = [1, 2, 3], padding = [0], pass = "forward", source = "aten.convolution", stride = [2], weight = [2, 1, 3]}> : (tensor<1x2x8xf32>, tensor<2x1x3xf32>, tensor<1x2x3xf32>) -> ()
  func.return %o : tensor<1x2x3xf32>
}
