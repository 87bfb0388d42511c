// RUN: joinery-opt %s --convert-aten-to-kernel | FileCheck %s
// RUN: joinery-opt %s --convert-aten-to-kernel --kernel-fuse --kernel-plan-memory --verify-roundtrip | FileCheck %s --check-prefix=PLANNED

// convert-aten-to-kernel on f32 convolutions: one kernel.conv (run by oneDNN) per pass.
// Other dtypes are refused (convert-aten-to-kernel-error.mlir).

// A forward with a bias: the bias is an operand, the result buffer the last one.
// CHECK-LABEL: func.func @conv$padded_strided
// CHECK:         %[[Y:.*]] = kernel.alloc {output = 0 : i64} : () -> tensor<2x4x3x3xf32>
// CHECK-NEXT:    "kernel.conv"(%x, %w, %b, %[[Y]]) <{bias = true, dilation = [1, 1], groups = 1 : i64, input = [2, 3, 5, 5], output = [2, 4, 3, 3], padding = [1, 1], pass = "forward", source = "aten.convolution", stride = [2, 2], weight = [4, 3, 3, 3]}>
// CHECK-NEXT:    func.return %[[Y]]
// PLANNED-LABEL: func.func @conv$padded_strided
// PLANNED:         "kernel.conv"(%x, %w, %b, %{{.*}}) <{bias = true,
func.func @conv$padded_strided(%x: tensor<2x3x5x5xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<2x4x3x3xf32> {
  %y = "aten.convolution"(%x, %w, %b) {dilation = [1, 1], groups = 1 : i64, output_padding = [0, 0], padding = [1, 1], stride = [2, 2], transposed = false} : (tensor<2x3x5x5xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<2x4x3x3xf32>
  func.return %y : tensor<2x4x3x3xf32>
}

// 1-d, grouped and dilated, no bias; an unbatched input gets a batch of one.
// CHECK-LABEL: func.func @conv1d$grouped_dilated_unbatched
// CHECK:         "kernel.conv"(%x, %w, %{{.*}}) <{bias = false, dilation = [2], groups = 2 : i64, input = [1, 4, 9], output = [1, 6, 5], padding = [0], pass = "forward", source = "aten.convolution", stride = [1], weight = [6, 2, 3]}> : (tensor<4x9xf32>, tensor<6x2x3xf32>, tensor<6x5xf32>) -> ()
func.func @conv1d$grouped_dilated_unbatched(%x: tensor<4x9xf32>, %w: tensor<6x2x3xf32>) -> tensor<6x5xf32> {
  %y = "aten.convolution"(%x, %w) {dilation = [2], groups = 2 : i64, output_padding = [0], padding = [0], stride = [1], transposed = false} : (tensor<4x9xf32>, tensor<6x2x3xf32>) -> tensor<6x5xf32>
  func.return %y : tensor<6x5xf32>
}

// 3-d depthwise with an empty batch: the runtime handles the empty tensors.
// CHECK-LABEL: func.func @conv3d$depthwise_empty_batch
// CHECK:         "kernel.conv"(%x, %w, %{{.*}}) <{bias = false, dilation = [1, 1, 1], groups = 3 : i64, input = [0, 3, 4, 4, 4], output = [0, 3, 4, 4, 4], padding = [1, 1, 1], pass = "forward"
func.func @conv3d$depthwise_empty_batch(%x: tensor<0x3x4x4x4xf32>, %w: tensor<3x1x3x3x3xf32>) -> tensor<0x3x4x4x4xf32> {
  %y = "aten.convolution"(%x, %w) {dilation = [1, 1, 1], groups = 3 : i64, output_padding = [0, 0, 0], padding = [1, 1, 1], stride = [1, 1, 1], transposed = false} : (tensor<0x3x4x4x4xf32>, tensor<3x1x3x3x3xf32>) -> tensor<0x3x4x4x4xf32>
  func.return %y : tensor<0x3x4x4x4xf32>
}

// The input gradient alone: one backward-data pass from grad_output and the weight; the
// masked-out gradients are never computed.
// CHECK-LABEL: func.func @conv_backward$input_only
// CHECK:         "kernel.conv"(%gy, %w, %{{.*}}) <{bias = false, {{.*}} pass = "backward_data"
// CHECK-NOT:     kernel.conv
// CHECK-NOT:     kernel.fused
// CHECK:         func.return
func.func @conv_backward$input_only(%gy: tensor<2x4x3x3xf32>, %x: tensor<2x3x5x5xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<2x3x5x5xf32> {
  %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [4], dilation = [1, 1], groups = 1 : i64, output_mask = [true, false, false], output_padding = [0, 0], padding = [0, 0], stride = [1, 1], transposed = false} : (tensor<2x4x3x3xf32>, tensor<2x3x5x5xf32>, tensor<4x3x3x3xf32>) -> (tensor<2x3x5x5xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>)
  func.return %gx : tensor<2x3x5x5xf32>
}

// The weight and bias gradients: one backward-weights pass writing both into one buffer
// (108 weight elements, then 4 of the bias), each result copied out of it.
// CHECK-LABEL: func.func @conv_backward$weight_and_bias
// CHECK:         %[[WB:.*]] = kernel.alloc : () -> tensor<112xf32>
// CHECK:         "kernel.conv"(%x, %gy, %[[WB]]) <{bias = true, {{.*}} pass = "backward_weights"
// CHECK:         "kernel.fused"(%[[WB]], %{{.*}}) <{in_maps = {{\[}}[0, 27, 9, 3, 1]]
// CHECK:         "kernel.fused"(%[[WB]], %{{.*}}) <{in_maps = {{\[}}[108, 1]]
func.func @conv_backward$weight_and_bias(%gy: tensor<2x4x3x3xf32>, %x: tensor<2x3x5x5xf32>, %w: tensor<4x3x3x3xf32>) -> (tensor<4x3x3x3xf32>, tensor<4xf32>) {
  %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [4], dilation = [1, 1], groups = 1 : i64, output_mask = [false, true, true], output_padding = [0, 0], padding = [1, 1], stride = [2, 2], transposed = false} : (tensor<2x4x3x3xf32>, tensor<2x3x5x5xf32>, tensor<4x3x3x3xf32>) -> (tensor<2x3x5x5xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>)
  func.return %gw, %gb : tensor<4x3x3x3xf32>, tensor<4xf32>
}

// The bias gradient alone is a sum of grad_output, no convolution.
// CHECK-LABEL: func.func @conv_backward$bias_only
// CHECK-NOT:     kernel.conv
// CHECK:         out_kinds = ["sum"]
func.func @conv_backward$bias_only(%gy: tensor<2x4x3x3xf32>, %x: tensor<2x3x5x5xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<4xf32> {
  %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [4], dilation = [1, 1], groups = 1 : i64, output_mask = [false, false, true], output_padding = [0, 0], padding = [1, 1], stride = [2, 2], transposed = false} : (tensor<2x4x3x3xf32>, tensor<2x3x5x5xf32>, tensor<4x3x3x3xf32>) -> (tensor<2x3x5x5xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>)
  func.return %gb : tensor<4xf32>
}

// A transposed convolution is the input gradient of the convolution by its weight, plus
// the bias; output_padding makes the end padding negative (the runtime accepts it).
// CHECK-LABEL: func.func @conv_transpose$output_padding
// CHECK:         "kernel.conv"(%x, %w, %{{.*}}) <{bias = false, dilation = [1, 1], groups = 1 : i64, input = [1, 3, 8, 8], output = [1, 2, 4, 4], padding = [1, 1], pass = "backward_data", source = "aten.convolution", stride = [2, 2], weight = [2, 3, 3, 3]}>
// CHECK:         kernel.add
func.func @conv_transpose$output_padding(%x: tensor<1x2x4x4xf32>, %w: tensor<2x3x3x3xf32>, %b: tensor<3xf32>) -> tensor<1x3x8x8xf32> {
  %y = "aten.convolution"(%x, %w, %b) {dilation = [1, 1], groups = 1 : i64, output_padding = [1, 1], padding = [1, 1], stride = [2, 2], transposed = true} : (tensor<1x2x4x4xf32>, tensor<2x3x3x3xf32>, tensor<3xf32>) -> tensor<1x3x8x8xf32>
  func.return %y : tensor<1x3x8x8xf32>
}

// Its backward swaps the roles: the input gradient is a forward pass over grad_output,
// the weight gradient the backward-weights pass of that convolution (no bias: the bias
// gradient, grad_output summed, is not the one oneDNN would sum).
// CHECK-LABEL: func.func @conv_transpose_backward$all
// CHECK:         "kernel.conv"(%gy, %w, %{{.*}}) <{bias = false, {{.*}} pass = "forward"
// CHECK:         "kernel.conv"(%gy, %x, %{{.*}}) <{bias = false, {{.*}} pass = "backward_weights"
// CHECK:         out_kinds = ["sum"]
func.func @conv_transpose_backward$all(%gy: tensor<1x3x8x8xf32>, %x: tensor<1x2x4x4xf32>, %w: tensor<2x3x3x3xf32>) -> (tensor<1x2x4x4xf32>, tensor<2x3x3x3xf32>, tensor<3xf32>) {
  %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [3], dilation = [1, 1], groups = 1 : i64, output_mask = [true, true, true], output_padding = [1, 1], padding = [1, 1], stride = [2, 2], transposed = true} : (tensor<1x3x8x8xf32>, tensor<1x2x4x4xf32>, tensor<2x3x3x3xf32>) -> (tensor<1x2x4x4xf32>, tensor<2x3x3x3xf32>, tensor<3xf32>)
  func.return %gx, %gw, %gb : tensor<1x2x4x4xf32>, tensor<2x3x3x3xf32>, tensor<3xf32>
}
