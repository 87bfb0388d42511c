// RUN: joinery-opt %s --convert-aten-to-kernel | FileCheck %s
// RUN: joinery-opt %s --convert-aten-to-kernel --kernel-fuse --kernel-plan-memory --verify-roundtrip | FileCheck %s --check-prefix=PLANNED

// convert-aten-to-kernel on f32 convolutions: one kernel.conv (run by oneDNN) per pass.
// Other dtypes are refused (convert-aten-to-kernel-error.mlir).

// A forward with a bias: the bias is an operand, the result buffer the last one.
// CHECK-LABEL: func.func @conv$padded_strided
// CHECK:         %[[Y:.*]] = kernel.alloc {output = 0 : i64} : () -> tensor<2x4x3x3xf32>
// CHECK-NEXT:    "kernel.conv"(%x, %w, %b, %[[Y]]) <{bias = true, dilation = [1, 1], engine = "onednn", groups = 1 : i64, input = [2, 3, 5, 5], output = [2, 4, 3, 3], padding = [1, 1], pass = "forward", source = "aten.convolution", stride = [2, 2], weight = [4, 3, 3, 3]}>
// CHECK-NEXT:    func.return %[[Y]]
// PLANNED-LABEL: func.func @conv$padded_strided
// PLANNED:         "kernel.conv"(%x, %w, %b, %{{.*}}) <{bias = true,
func.func @conv$padded_strided(%x: tensor<2x3x5x5xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<2x4x3x3xf32> {
  %y = "aten.convolution"(%x, %w, %b) {dilation = [1, 1], groups = 1 : i64, output_padding = [0, 0], padding = [1, 1], stride = [2, 2], transposed = false} : (tensor<2x3x5x5xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<2x4x3x3xf32>
  func.return %y : tensor<2x4x3x3xf32>
}

// 1-d, grouped (8 output channels per group: not direct) and dilated, no bias; an
// unbatched input gets a batch of one.
// CHECK-LABEL: func.func @conv1d$grouped_dilated_unbatched
// CHECK:         "kernel.conv"(%x, %w, %{{.*}}) <{bias = false, dilation = [2], engine = "onednn", groups = 2 : i64, input = [1, 4, 9], output = [1, 16, 5], padding = [0], pass = "forward", source = "aten.convolution", stride = [1], weight = [16, 2, 3]}> : (tensor<4x9xf32>, tensor<16x2x3xf32>, tensor<16x5xf32>) -> ()
func.func @conv1d$grouped_dilated_unbatched(%x: tensor<4x9xf32>, %w: tensor<16x2x3xf32>) -> tensor<16x5xf32> {
  %y = "aten.convolution"(%x, %w) {dilation = [2], groups = 2 : i64, output_padding = [0], padding = [0], stride = [1], transposed = false} : (tensor<4x9xf32>, tensor<16x2x3xf32>) -> tensor<16x5xf32>
  func.return %y : tensor<16x5xf32>
}

// 3-d depthwise with an empty batch (27 products per output element: through oneDNN, not
// direct kernels): the runtime handles the empty tensors.
// CHECK-LABEL: func.func @conv3d$depthwise_empty_batch
// CHECK:         "kernel.conv"(%x, %w, %{{.*}}) <{bias = false, dilation = [1, 1, 1], engine = "onednn", groups = 3 : i64, input = [0, 3, 4, 4, 4], output = [0, 3, 4, 4, 4], padding = [1, 1, 1], pass = "forward"
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
// CHECK:         "kernel.conv"(%x, %w, %{{.*}}) <{bias = false, dilation = [1, 1], engine = "onednn", groups = 1 : i64, input = [1, 3, 8, 8], output = [1, 2, 4, 4], padding = [1, 1], pass = "backward_data", source = "aten.convolution", stride = [2, 2], weight = [2, 3, 3, 3]}>
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

// A depthwise convolution reads the unpadded input: one pointwise kernel per region of
// the output over which the same taps read inside the input, each adding the products of
// its taps' shifted views with their weights (a scalar per channel), placed where the
// region lies without a fill (the regions tile the output), no kernel.conv. The interior
// (all 9 taps; (18/20)^2 = 0.81 of the output, at least 4/5) runs over its positions
// flattened along the rows: [N, G, Og, 358], positions 21 to 378 of each image, tap (0, 0)
// at %x's element 0. Border positions reading as many taps at both ends of a dim are one
// region with a dim of 2 per such pair: the four corners ([.., 2, 2]: 360 input elements
// and 3 taps back per row pair, 18 and one tap back per column pair), the first and last
// rows, the row ends.
// CHECK-LABEL: func.func @conv$depthwise
// CHECK-NOT:     kernel.conv
// CHECK-NOT:     kernel.fill
// CHECK:         "kernel.fused"(%x, %w, %x, %w, {{.*}}) <{in_maps = {{\[}}[0, 1200, 400, 0, 1], [0, 0, 9, 9, 0], [1, 1200, 400, 0, 1], [1, 0, 9, 9, 0],
// CHECK-SAME:      [42, 1200, 400, 0, 1], [8, 0, 9, 9, 0]]
// CHECK-SAME:      space = [2, 3, 1, 358]
// CHECK-COUNT-9: kernel.mul
// CHECK:         "kernel.fused"(%x, %w, {{.*}}) <{in_maps = {{\[}}[0, 1200, 400, 0, 20, 1, 360, 18], [4, 0, 9, 9, 0, 0, -3, -1],
// CHECK-SAME:      space = [2, 3, 1, 1, 1, 2, 2]
// CHECK-COUNT-4: kernel.mul
// CHECK:         space = [2, 3, 1, 1, 18, 2]
// CHECK:         space = [2, 3, 1, 18, 1, 2]
// CHECK-NOT:     kernel.fill
// CHECK:         out_kinds = ["store"], out_maps = {{\[}}[21, 1200, 400, 400, 1]]
// CHECK:         out_kinds = ["store"], out_maps = {{\[}}[0, 1200, 400, 400, 20, 1, 380, 19]]
// CHECK:         out_kinds = ["store"], out_maps = {{\[}}[1, 1200, 400, 400, 20, 1, 380]]
// CHECK:         out_kinds = ["store"], out_maps = {{\[}}[20, 1200, 400, 400, 20, 1, 19]]
// CHECK-NOT:     kernel.conv
// CHECK:         func.return
func.func @conv$depthwise(%x: tensor<2x3x20x20xf32>, %w: tensor<3x1x3x3xf32>) -> tensor<2x3x20x20xf32> {
  %y = "aten.convolution"(%x, %w) {dilation = [1, 1], groups = 3 : i64, output_padding = [0, 0], padding = [1, 1], stride = [1, 1], transposed = false} : (tensor<2x3x20x20xf32>, tensor<3x1x3x3xf32>) -> tensor<2x3x20x20xf32>
  func.return %y : tensor<2x3x20x20xf32>
}

// On a smaller image the border regions are a larger part of the output ((10/12)^2 = 0.69
// in the interior, below 4/5), and the forward is one kernel.conv on the runtime's direct
// engine (every position alike on a zero-padded copy of each plane).
// CHECK-LABEL: func.func @conv$depthwise_small_image
// CHECK:         "kernel.conv"(%x, %w, %{{.*}}) <{bias = false, dilation = [1, 1], engine = "direct", groups = 3 : i64, input = [2, 3, 12, 12], output = [2, 3, 12, 12], padding = [1, 1], pass = "forward"
// CHECK-NOT:     kernel.fused
func.func @conv$depthwise_small_image(%x: tensor<2x3x12x12xf32>, %w: tensor<3x1x3x3xf32>) -> tensor<2x3x12x12xf32> {
  %y = "aten.convolution"(%x, %w) {dilation = [1, 1], groups = 3 : i64, output_padding = [0, 0], padding = [1, 1], stride = [1, 1], transposed = false} : (tensor<2x3x12x12xf32>, tensor<3x1x3x3xf32>) -> tensor<2x3x12x12xf32>
  func.return %y : tensor<2x3x12x12xf32>
}

// With more than 9 products per output element (a 5x5 kernel) the forward runs on the
// direct engine however much of it lies in the interior ((36/40)^2 = 0.81 here), with
// the bias.
// CHECK-LABEL: func.func @conv$depthwise_5x5
// CHECK:         "kernel.conv"(%x, %w, %b, %{{.*}}) <{bias = true, dilation = [1, 1], engine = "direct", {{.*}} pass = "forward"
// CHECK-NOT:     kernel.fused
func.func @conv$depthwise_5x5(%x: tensor<1x3x40x40xf32>, %w: tensor<3x1x5x5xf32>, %b: tensor<3xf32>) -> tensor<1x3x40x40xf32> {
  %y = "aten.convolution"(%x, %w, %b) {dilation = [1, 1], groups = 3 : i64, output_padding = [0, 0], padding = [2, 2], stride = [1, 1], transposed = false} : (tensor<1x3x40x40xf32>, tensor<3x1x5x5xf32>, tensor<3xf32>) -> tensor<1x3x40x40xf32>
  func.return %y : tensor<1x3x40x40xf32>
}

// Strided, the region kernels need 9/10 of the output in the interior: (19/20)^2 = 0.90
// of a 20x20 output (from 40x40) has it (the first row and column, each read by the last
// two row or column taps, are regions of their own; the interior, 19x19 positions, is
// not flattened); (5/6)^2 = 0.69 of 6x6 (from 12x12) does not.
// CHECK-LABEL: func.func @conv$depthwise_strided
// CHECK-NOT:     kernel.conv
// CHECK:         "kernel.fused"(%x, %w, {{.*}}) <{in_maps = {{\[}}[0, 4800, 1600, 0, 80, 2], [4, 0, 9, 9, 0, 0],
// CHECK:         space = [2, 3, 1, 19, 19]
// CHECK-NOT:     kernel.conv
// CHECK:         func.return
func.func @conv$depthwise_strided(%x: tensor<2x3x40x40xf32>, %w: tensor<3x1x3x3xf32>) -> tensor<2x3x20x20xf32> {
  %y = "aten.convolution"(%x, %w) {dilation = [1, 1], groups = 3 : i64, output_padding = [0, 0], padding = [1, 1], stride = [2, 2], transposed = false} : (tensor<2x3x40x40xf32>, tensor<3x1x3x3xf32>) -> tensor<2x3x20x20xf32>
  func.return %y : tensor<2x3x20x20xf32>
}
// (The direct engine takes unit strides only.)
// CHECK-LABEL: func.func @conv$depthwise_strided_small_image
// CHECK:         "kernel.conv"(%x, %w, %{{.*}}) <{bias = false, dilation = [1, 1], engine = "onednn", {{.*}} pass = "forward", source = "aten.convolution", stride = [2, 2]
// CHECK-NOT:     kernel.fused
func.func @conv$depthwise_strided_small_image(%x: tensor<2x3x12x12xf32>, %w: tensor<3x1x3x3xf32>) -> tensor<2x3x6x6xf32> {
  %y = "aten.convolution"(%x, %w) {dilation = [1, 1], groups = 3 : i64, output_padding = [0, 0], padding = [1, 1], stride = [2, 2], transposed = false} : (tensor<2x3x12x12xf32>, tensor<3x1x3x3xf32>) -> tensor<2x3x6x6xf32>
  func.return %y : tensor<2x3x6x6xf32>
}

// The unstrided input gradient of a depthwise convolution is the same kind of kernels on
// grad_output, with the weight flipped (tap (2, 2) first: offset 8, negative strides
// along the paired dims) and no bias, when 9/10 of the input gradient lies in the interior
// ((38/40)^2 = 0.90 here).
// CHECK-LABEL: func.func @conv_backward$depthwise_input
// CHECK-NOT:     kernel.conv
// CHECK:         "kernel.fused"(%gy, %w, %gy, %w, {{.*}}) <{in_maps = {{\[}}[0, 4800, 1600, 0, 1], [8, 0, 9, 9, 0], [1, 4800, 1600, 0, 1], [7, 0, 9, 9, 0],
// CHECK-SAME:      space = [2, 3, 1, 1518]
// CHECK-NOT:     kernel.conv
// CHECK:         func.return
func.func @conv_backward$depthwise_input(%gy: tensor<2x3x40x40xf32>, %x: tensor<2x3x40x40xf32>, %w: tensor<3x1x3x3xf32>) -> tensor<2x3x40x40xf32> {
  %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [3], dilation = [1, 1], groups = 3 : i64, output_mask = [true, false, false], output_padding = [0, 0], padding = [1, 1], stride = [1, 1], transposed = false} : (tensor<2x3x40x40xf32>, tensor<2x3x40x40xf32>, tensor<3x1x3x3xf32>) -> (tensor<2x3x40x40xf32>, tensor<3x1x3x3xf32>, tensor<3xf32>)
  func.return %gx : tensor<2x3x40x40xf32>
}

// Below 9/10 in the interior the input gradient is oneDNN's backward-data pass down to
// 4/5 ((18/20)^2 = 0.81 here), where the forward of the same convolution runs as regions
// (@conv$depthwise), and below 4/5 ((10/12)^2 = 0.69), with at most 9 products per
// element, a backward-data pass on the direct engine.
// CHECK-LABEL: func.func @conv_backward$depthwise_input_mid_image
// CHECK:         "kernel.conv"(%gy, %w, %{{.*}}) <{bias = false, dilation = [1, 1], engine = "onednn", {{.*}} pass = "backward_data"
// CHECK-NOT:     kernel.fused
func.func @conv_backward$depthwise_input_mid_image(%gy: tensor<2x3x20x20xf32>, %x: tensor<2x3x20x20xf32>, %w: tensor<3x1x3x3xf32>) -> tensor<2x3x20x20xf32> {
  %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [3], dilation = [1, 1], groups = 3 : i64, output_mask = [true, false, false], output_padding = [0, 0], padding = [1, 1], stride = [1, 1], transposed = false} : (tensor<2x3x20x20xf32>, tensor<2x3x20x20xf32>, tensor<3x1x3x3xf32>) -> (tensor<2x3x20x20xf32>, tensor<3x1x3x3xf32>, tensor<3xf32>)
  func.return %gx : tensor<2x3x20x20xf32>
}
// CHECK-LABEL: func.func @conv_backward$depthwise_input_small_image
// CHECK:         "kernel.conv"(%gy, %w, %{{.*}}) <{bias = false, dilation = [1, 1], engine = "direct", {{.*}} pass = "backward_data"
// CHECK-NOT:     kernel.fused
func.func @conv_backward$depthwise_input_small_image(%gy: tensor<2x3x12x12xf32>, %x: tensor<2x3x12x12xf32>, %w: tensor<3x1x3x3xf32>) -> tensor<2x3x12x12xf32> {
  %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [3], dilation = [1, 1], groups = 3 : i64, output_mask = [true, false, false], output_padding = [0, 0], padding = [1, 1], stride = [1, 1], transposed = false} : (tensor<2x3x12x12xf32>, tensor<2x3x12x12xf32>, tensor<3x1x3x3xf32>) -> (tensor<2x3x12x12xf32>, tensor<3x1x3x3xf32>, tensor<3xf32>)
  func.return %gx : tensor<2x3x12x12xf32>
}

// With a 5x5 kernel (25 products) the input gradient stays oneDNN's pass below 4/5 too.
// CHECK-LABEL: func.func @conv_backward$depthwise_5x5_input_small_image
// CHECK:         "kernel.conv"(%gy, %w, %{{.*}}) <{bias = false, dilation = [1, 1], engine = "onednn", {{.*}} pass = "backward_data"
// CHECK-NOT:     kernel.fused
func.func @conv_backward$depthwise_5x5_input_small_image(%gy: tensor<2x3x14x14xf32>, %x: tensor<2x3x14x14xf32>, %w: tensor<3x1x5x5xf32>) -> tensor<2x3x14x14xf32> {
  %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [3], dilation = [1, 1], groups = 3 : i64, output_mask = [true, false, false], output_padding = [0, 0], padding = [2, 2], stride = [1, 1], transposed = false} : (tensor<2x3x14x14xf32>, tensor<2x3x14x14xf32>, tensor<3x1x5x5xf32>) -> (tensor<2x3x14x14xf32>, tensor<3x1x5x5xf32>, tensor<3xf32>)
  func.return %gx : tensor<2x3x14x14xf32>
}

// The weight gradient (with the bias gradient) of a unit-stride depthwise convolution
// with more than 9 products per element (a 5x5 kernel) is a backward-weights pass on the
// direct engine; with 9 (a 3x3 one) it stays oneDNN's.
// CHECK-LABEL: func.func @conv_backward$depthwise_5x5_weight
// CHECK:         %[[WB:.*]] = kernel.alloc : () -> tensor<78xf32>
// CHECK:         "kernel.conv"(%x, %gy, %[[WB]]) <{bias = true, dilation = [1, 1], engine = "direct", {{.*}} pass = "backward_weights"
func.func @conv_backward$depthwise_5x5_weight(%gy: tensor<2x3x14x14xf32>, %x: tensor<2x3x14x14xf32>, %w: tensor<3x1x5x5xf32>) -> (tensor<3x1x5x5xf32>, tensor<3xf32>) {
  %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [3], dilation = [1, 1], groups = 3 : i64, output_mask = [false, true, true], output_padding = [0, 0], padding = [2, 2], stride = [1, 1], transposed = false} : (tensor<2x3x14x14xf32>, tensor<2x3x14x14xf32>, tensor<3x1x5x5xf32>) -> (tensor<2x3x14x14xf32>, tensor<3x1x5x5xf32>, tensor<3xf32>)
  func.return %gw, %gb : tensor<3x1x5x5xf32>, tensor<3xf32>
}
// CHECK-LABEL: func.func @conv_backward$depthwise_3x3_weight
// CHECK:         "kernel.conv"(%x, %gy, %{{.*}}) <{bias = true, dilation = [1, 1], engine = "onednn", {{.*}} pass = "backward_weights"
func.func @conv_backward$depthwise_3x3_weight(%gy: tensor<2x3x14x14xf32>, %x: tensor<2x3x14x14xf32>, %w: tensor<3x1x3x3xf32>) -> (tensor<3x1x3x3xf32>, tensor<3xf32>) {
  %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [3], dilation = [1, 1], groups = 3 : i64, output_mask = [false, true, true], output_padding = [0, 0], padding = [1, 1], stride = [1, 1], transposed = false} : (tensor<2x3x14x14xf32>, tensor<2x3x14x14xf32>, tensor<3x1x3x3xf32>) -> (tensor<2x3x14x14xf32>, tensor<3x1x3x3xf32>, tensor<3xf32>)
  func.return %gw, %gb : tensor<3x1x3x3xf32>, tensor<3xf32>
}

// Strided, its input gradient stays a backward-data pass; so does a direct convolution
// with more than 25 products per output element (a 7x7 depthwise kernel).
// CHECK-LABEL: func.func @conv_backward$depthwise_strided_input
// CHECK:         "kernel.conv"(%gy, %w, %{{.*}}) <{bias = false, dilation = [1, 1], engine = "onednn", {{.*}} pass = "backward_data"
// CHECK-NOT:     kernel.fused
func.func @conv_backward$depthwise_strided_input(%gy: tensor<2x3x2x2xf32>, %x: tensor<2x3x4x4xf32>, %w: tensor<3x1x3x3xf32>) -> tensor<2x3x4x4xf32> {
  %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [3], dilation = [1, 1], groups = 3 : i64, output_mask = [true, false, false], output_padding = [0, 0], padding = [1, 1], stride = [2, 2], transposed = false} : (tensor<2x3x2x2xf32>, tensor<2x3x4x4xf32>, tensor<3x1x3x3xf32>) -> (tensor<2x3x4x4xf32>, tensor<3x1x3x3xf32>, tensor<3xf32>)
  func.return %gx : tensor<2x3x4x4xf32>
}
// CHECK-LABEL: func.func @conv$depthwise_7x7
// CHECK:         "kernel.conv"(%x, %w, %{{.*}}) <{bias = false, dilation = [1, 1], engine = "onednn", {{.*}} pass = "forward"
func.func @conv$depthwise_7x7(%x: tensor<1x3x8x8xf32>, %w: tensor<3x1x7x7xf32>) -> tensor<1x3x8x8xf32> {
  %y = "aten.convolution"(%x, %w) {dilation = [1, 1], groups = 3 : i64, output_padding = [0, 0], padding = [3, 3], stride = [1, 1], transposed = false} : (tensor<1x3x8x8xf32>, tensor<3x1x7x7xf32>) -> tensor<1x3x8x8xf32>
  func.return %y : tensor<1x3x8x8xf32>
}

// A pointwise convolution (ungrouped, 1x1, unstrided, unpadded) is one GEMM per image
// onto the broadcast bias: the weight as a [4, 3] matrix shared by the images (batch
// stride 0), each image as a [3, 25] matrix.
// CHECK-LABEL: func.func @conv$pointwise
// CHECK-NOT:     kernel.conv
// CHECK:         "kernel.fused"(%b, %[[Y:.*]]) <{in_maps = {{\[}}[0, 0, 1, 0]]
// CHECK:         "kernel.gemm"(%w, %x, %[[Y]]) <{a_map = [0, 0, 3, 1], accumulate = true, b_map = [0, 75, 25, 1], batch = 2 : i64, c_map = [0, 100, 25, 1], k = 3 : i64, m = 4 : i64, n = 25 : i64
// CHECK-NOT:     kernel.conv
func.func @conv$pointwise(%x: tensor<2x3x5x5xf32>, %w: tensor<4x3x1x1xf32>, %b: tensor<4xf32>) -> tensor<2x4x5x5xf32> {
  %y = "aten.convolution"(%x, %w, %b) {dilation = [1, 1], groups = 1 : i64, output_padding = [0, 0], padding = [0, 0], stride = [1, 1], transposed = false} : (tensor<2x3x5x5xf32>, tensor<4x3x1x1xf32>, tensor<4xf32>) -> tensor<2x4x5x5xf32>
  func.return %y : tensor<2x4x5x5xf32>
}

// A strided 1x1 convolution is not pointwise: a forward pass.
// CHECK-LABEL: func.func @conv$pointwise_strided
// CHECK:         "kernel.conv"(%x, %w, %b, %{{.*}}) <{bias = true, {{.*}} pass = "forward"
// CHECK-NOT:     kernel.gemm
func.func @conv$pointwise_strided(%x: tensor<2x3x5x5xf32>, %w: tensor<4x3x1x1xf32>, %b: tensor<4xf32>) -> tensor<2x4x3x3xf32> {
  %y = "aten.convolution"(%x, %w, %b) {dilation = [1, 1], groups = 1 : i64, output_padding = [0, 0], padding = [0, 0], stride = [2, 2], transposed = false} : (tensor<2x3x5x5xf32>, tensor<4x3x1x1xf32>, tensor<4xf32>) -> tensor<2x4x3x3xf32>
  func.return %y : tensor<2x4x3x3xf32>
}

// With at least 512 positions per image (here 16 x 32), a pointwise convolution's
// gradients are GEMMs too: the input gradient the weight read transposed ([3, 4]: row
// stride 1, column stride 3) times each image of grad_output; the weight gradient each
// image of grad_output times that image of the input read transposed ([512, 3]: row
// stride 1, column stride 512), the [2, 4, 3] products then summed over the images; the
// bias gradient a sum of grad_output.
// CHECK-LABEL: func.func @conv_backward$pointwise
// CHECK-NOT:     kernel.conv
// CHECK:         "kernel.gemm"(%w, %gy, %{{.*}}) <{a_map = [0, 0, 1, 3], accumulate = false, b_map = [0, 2048, 512, 1], batch = 2 : i64, c_map = [0, 1536, 512, 1], k = 4 : i64, m = 3 : i64, n = 512 : i64
// CHECK:         "kernel.gemm"(%gy, %x, %[[P:.*]]) <{a_map = [0, 2048, 512, 1], accumulate = false, b_map = [0, 1536, 1, 512], batch = 2 : i64, c_map = [0, 12, 3, 1], k = 512 : i64, m = 4 : i64, n = 3 : i64
// CHECK:         "kernel.fused"(%[[P]], %{{.*}}) <{in_maps = {{\[}}[0, 12, 3, 1]], {{.*}} out_kinds = ["sum"], out_maps = {{\[}}[0, 0, 3, 1]]
// CHECK:         out_kinds = ["sum"]
// CHECK-NOT:     kernel.conv
func.func @conv_backward$pointwise(%gy: tensor<2x4x16x32xf32>, %x: tensor<2x3x16x32xf32>, %w: tensor<4x3x1x1xf32>) -> (tensor<2x3x16x32xf32>, tensor<4x3x1x1xf32>, tensor<4xf32>) {
  %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [4], dilation = [1, 1], groups = 1 : i64, output_mask = [true, true, true], output_padding = [0, 0], padding = [0, 0], stride = [1, 1], transposed = false} : (tensor<2x4x16x32xf32>, tensor<2x3x16x32xf32>, tensor<4x3x1x1xf32>) -> (tensor<2x3x16x32xf32>, tensor<4x3x1x1xf32>, tensor<4xf32>)
  func.return %gx, %gw, %gb : tensor<2x3x16x32xf32>, tensor<4x3x1x1xf32>, tensor<4xf32>
}

// With fewer (here 25), oneDNN's backward passes.
// CHECK-LABEL: func.func @conv_backward$pointwise_few_positions
// CHECK:         "kernel.conv"(%gy, %w, %{{.*}}) <{bias = false, {{.*}} pass = "backward_data"
// CHECK:         "kernel.conv"(%x, %gy, %{{.*}}) <{bias = true, {{.*}} pass = "backward_weights"
// CHECK-NOT:     kernel.gemm
func.func @conv_backward$pointwise_few_positions(%gy: tensor<2x4x5x5xf32>, %x: tensor<2x3x5x5xf32>, %w: tensor<4x3x1x1xf32>) -> (tensor<2x3x5x5xf32>, tensor<4x3x1x1xf32>, tensor<4xf32>) {
  %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [4], dilation = [1, 1], groups = 1 : i64, output_mask = [true, true, true], output_padding = [0, 0], padding = [0, 0], stride = [1, 1], transposed = false} : (tensor<2x4x5x5xf32>, tensor<2x3x5x5xf32>, tensor<4x3x1x1xf32>) -> (tensor<2x3x5x5xf32>, tensor<4x3x1x1xf32>, tensor<4xf32>)
  func.return %gx, %gw, %gb : tensor<2x3x5x5xf32>, tensor<4x3x1x1xf32>, tensor<4xf32>
}
