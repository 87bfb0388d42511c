// A kernel.conv whose sizes make no convolution passes the verifier (which checks only the
// buffers) and is refused, located, when the native backend plans its runtime step.
// RUN: rm -rf %t && mkdir -p %t
// RUN: not joinery-translate --to-shared-lib %t/conv.so %s 2>&1 | FileCheck %s

// CHECK: conv-plan-error.mlir:[[@LINE+3]]:3: error: 'aten.convolution': spatial dim 0 of a convolution: input 8, kernel 3, stride 1, padding 0 and dilation 1 do not give an output of 3
func.func @f(%x: tensor<1x2x8xf32>, %w: tensor<3x2x3xf32>) -> tensor<1x3x3xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<1x3x3xf32>
  "kernel.conv"(%x, %w, %o) <{bias = false, dilation = [1], engine = "onednn", groups = 1 : i64, input = [1, 2, 8], output = [1, 3, 3], padding = [0], pass = "forward", source = "aten.convolution", stride = [1], weight = [3, 2, 3]}> : (tensor<1x2x8xf32>, tensor<3x2x3xf32>, tensor<1x3x3xf32>) -> ()
  func.return %o : tensor<1x3x3xf32>
}
