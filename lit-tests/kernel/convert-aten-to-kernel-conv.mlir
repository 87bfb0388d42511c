// RUN: joinery-opt %s --convert-aten-to-kernel | FileCheck %s

// convert-aten-to-kernel on convolutions: placements, im2col views, GEMMs.

// A convolution is a zero-filled padded copy of the input and one GEMM per image
// accumulating onto the broadcast bias, whose b is the padded copy read as patches (the
// im2col view, never copied: rows [C, KH] over KW, columns [OH] over OW; the patch dims
// step by the dilation, the output dims by the stride).
// CHECK-LABEL: func.func @conv$padded_strided
// CHECK:         %[[PAD:.*]] = kernel.alloc : () -> tensor<2x3x7x7xf32>
// CHECK-NOT:     kernel.alloc : () -> tensor<2x3x3x3x3x3xf32>
// CHECK:         %[[Y:.*]] = kernel.alloc {output = 0 : i64} : () -> tensor<2x4x3x3xf32>
// CHECK:         kernel.fill %[[PAD]] {value = 0.0 : f64}
// CHECK:         "kernel.fused"(%x, %[[PAD]]) <{in_maps = {{\[}}[0, 75, 25, 5, 1]]
// CHECK-SAME:      out_maps = {{\[}}[8, 147, 49, 7, 1]]
// CHECK:         "kernel.fused"(%b, %[[Y]]) <{in_maps = {{\[}}[0, 0, 1, 0]]
// CHECK:         "kernel.gemm"(%w, %[[PAD]], %[[Y]]) <{a_map = [0, 0, 27, 1], accumulate = true,
// CHECK-SAME:      b_cols = [3, 14], b_map = [0, 147, 1, 2], b_rows = [3, 49, 3, 7], batch = 2 : i64
func.func @conv$padded_strided(%x: tensor<2x3x5x5xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<2x4x3x3xf32> {
  %y = "aten.convolution"(%x, %w, %b) {dilation = [1, 1], groups = 1 : i64, output_padding = [0, 0], padding = [1, 1], stride = [2, 2], transposed = false} : (tensor<2x3x5x5xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<2x4x3x3xf32>
  func.return %y : tensor<2x4x3x3xf32>
}

// The input gradient of a stride-1 convolution is a convolution of grad_output padded by
// K - 1 - padding with the weight flipped (negative strides) and its channel dims
// swapped; the masked-out gradients are never computed.
// CHECK-LABEL: func.func @conv_backward$input_only
// CHECK:         kernel.fill
// CHECK:         "kernel.fused"(%gy, %{{.*}}) <{in_maps = {{\[}}[0, 36, 9, 3, 1]]
// CHECK-SAME:      out_maps = {{\[}}[16, 196, 49, 7, 1]]
// CHECK:         "kernel.fused"(%w, %{{.*}}) <{in_maps = {{\[}}[8, 108, 9, 27, -3, -1]]
// CHECK:         "kernel.gemm"
// CHECK-SAME:      batch = 2 : i64
// CHECK-NOT:     kernel.gemm
// CHECK-NOT:     out_kinds = ["sum"]
// CHECK:         func.return
func.func @conv_backward$input_only(%gy: tensor<2x4x3x3xf32>, %x: tensor<2x3x5x5xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<2x3x5x5xf32> {
  %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [4], dilation = [1, 1], groups = 1 : i64, output_mask = [true, false, false], output_padding = [0, 0], padding = [0, 0], stride = [1, 1], transposed = false} : (tensor<2x4x3x3xf32>, tensor<2x3x5x5xf32>, tensor<4x3x3x3xf32>) -> (tensor<2x3x5x5xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>)
  func.return %gx : tensor<2x3x5x5xf32>
}

// With a stride, the patch gradients W^T @ grad_output (one GEMM per image, the weight
// read transposed) are added tap by tap into a zero padded buffer (col2im: one
// accumulating copy per tap, out maps stepping by the stride), then cropped.
// CHECK-LABEL: func.func @conv_backward$strided
// CHECK:         "kernel.gemm"(%w, %gy, %[[DCOLS:.*]]) <{a_map = [0, 0, 1, 27]
// CHECK-SAME:      batch = 2 : i64
// CHECK:         kernel.fill %[[PAD:.*]] {value = 0.0 : f64} : (tensor<2x3x7x7xf32>)
// CHECK:         "kernel.fused"(%[[DCOLS]], %[[PAD]]) <{in_maps = {{\[}}[0, 243, 81, 3, 1]]
// CHECK-SAME:      out_kinds = ["sum"], out_maps = {{\[}}[0, 147, 49, 14, 2]]
// CHECK-COUNT-7: out_kinds = ["sum"]
// CHECK:         "kernel.fused"(%[[DCOLS]], %[[PAD]]) <{in_maps = {{\[}}[72, 243, 81, 3, 1]]
// CHECK-SAME:      out_kinds = ["sum"], out_maps = {{\[}}[16, 147, 49, 14, 2]]
// CHECK:         "kernel.fused"(%[[PAD]], %{{.*}}) <{in_maps = {{\[}}[8, 147, 49, 7, 1]]
func.func @conv_backward$strided(%gy: tensor<2x4x3x3xf32>, %x: tensor<2x3x5x5xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<2x3x5x5xf32> {
  %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [4], dilation = [1, 1], groups = 1 : i64, output_mask = [true, false, false], output_padding = [0, 0], padding = [1, 1], stride = [2, 2], transposed = false} : (tensor<2x4x3x3xf32>, tensor<2x3x5x5xf32>, tensor<4x3x3x3xf32>) -> (tensor<2x3x5x5xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>)
  func.return %gx : tensor<2x3x5x5xf32>
}

// A depthwise convolution reads the unpadded input: one pointwise kernel per region of
// the output over which the same taps read inside the input, each adding the products of
// its taps' shifted views with their weights (a scalar per channel), placed where the
// region lies without a fill (the regions tile the output), no GEMM of one row per
// channel. The interior (all 9 taps) runs over its positions flattened along the rows:
// [N, G, Og, 6], positions 5 to 10 of each image, tap (0, 0) at %x's element 0. Border
// positions reading as many taps at both ends of a dim are one region with a dim of 2
// per such pair: the four corners ([.., 2, 2]: 8 input elements and 3 taps back per row
// pair, 2 and one tap back per column pair), the first and last rows, the row ends.
// CHECK-LABEL: func.func @conv$depthwise
// CHECK-NOT:     kernel.gemm
// CHECK-NOT:     kernel.fill
// CHECK:         "kernel.fused"(%x, %w, %x, %w, {{.*}}) <{in_maps = {{\[}}[0, 48, 16, 0, 1], [0, 0, 9, 9, 0], [1, 48, 16, 0, 1], [1, 0, 9, 9, 0],
// CHECK-SAME:      [10, 48, 16, 0, 1], [8, 0, 9, 9, 0]]
// CHECK-SAME:      space = [2, 3, 1, 6]
// CHECK-COUNT-9: kernel.mul
// CHECK:         "kernel.fused"(%x, %w, {{.*}}) <{in_maps = {{\[}}[0, 48, 16, 0, 4, 1, 8, 2], [4, 0, 9, 9, 0, 0, -3, -1],
// CHECK-SAME:      space = [2, 3, 1, 1, 1, 2, 2]
// CHECK-COUNT-4: kernel.mul
// CHECK:         space = [2, 3, 1, 1, 2, 2]
// CHECK:         space = [2, 3, 1, 2, 1, 2]
// CHECK-NOT:     kernel.fill
// CHECK:         out_kinds = ["store"], out_maps = {{\[}}[5, 48, 16, 16, 1]]
// CHECK:         out_kinds = ["store"], out_maps = {{\[}}[0, 48, 16, 16, 4, 1, 12, 3]]
// CHECK:         out_kinds = ["store"], out_maps = {{\[}}[1, 48, 16, 16, 4, 1, 12]]
// CHECK:         out_kinds = ["store"], out_maps = {{\[}}[4, 48, 16, 16, 4, 1, 3]]
// CHECK-NOT:     kernel.gemm
// CHECK:         func.return
func.func @conv$depthwise(%x: tensor<2x3x4x4xf32>, %w: tensor<3x1x3x3xf32>) -> tensor<2x3x4x4xf32> {
  %y = "aten.convolution"(%x, %w) {dilation = [1, 1], groups = 3 : i64, output_padding = [0, 0], padding = [1, 1], stride = [1, 1], transposed = false} : (tensor<2x3x4x4xf32>, tensor<3x1x3x3xf32>) -> tensor<2x3x4x4xf32>
  func.return %y : tensor<2x3x4x4xf32>
}

// A grouped convolution with many channels per group is one GEMM per group over every
// image at once ([G, Og, N * L]), read back as [N, O, OH, OW] through a permuted view.
// CHECK-LABEL: func.func @conv$grouped
// CHECK:         "kernel.gemm"(%w, %{{.*}}, %{{.*}}) <{a_map = [0, 144, 18, 1]
// CHECK-SAME:      batch = 2 : i64, c_map = [0, 256, 32, 1], k = 18 : i64, m = 8 : i64, n = 32 : i64
func.func @conv$grouped(%x: tensor<2x4x4x4xf32>, %w: tensor<16x2x3x3xf32>) -> tensor<2x16x4x4xf32> {
  %y = "aten.convolution"(%x, %w) {dilation = [1, 1], groups = 2 : i64, output_padding = [0, 0], padding = [1, 1], stride = [1, 1], transposed = false} : (tensor<2x4x4x4xf32>, tensor<16x2x3x3xf32>) -> tensor<2x16x4x4xf32>
  func.return %y : tensor<2x16x4x4xf32>
}
