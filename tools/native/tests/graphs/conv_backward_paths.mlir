// The branches of the convolution backward's lowering (conv.rs): the strided input
// gradient phase by phase (dilated, grouped, a stride above the kernel size so some
// phases get no tap, 1-d and 3-d, an empty batch) and by col2im (few input channels),
// the weight gradient through flattened positions (odd sizes, dilation, groups) and the
// bias gradient summed from them (not when transposed: they are then the input's).
module {
  func.func @strided_phases_dilated(%gy: tensor<2x8x5x4xf32>, %x: tensor<2x16x11x9xf32>, %w: tensor<8x16x3x3xf32>) -> (tensor<2x16x11x9xf32>, tensor<8x16x3x3xf32>, tensor<8xf32>) {
    %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [8], dilation = [2, 1], groups = 1 : i64, output_mask = [true, true, true], output_padding = [0, 0], padding = [1, 2], stride = [2, 3], transposed = false} : (tensor<2x8x5x4xf32>, tensor<2x16x11x9xf32>, tensor<8x16x3x3xf32>) -> (tensor<2x16x11x9xf32>, tensor<8x16x3x3xf32>, tensor<8xf32>)
    func.return %gx, %gw, %gb : tensor<2x16x11x9xf32>, tensor<8x16x3x3xf32>, tensor<8xf32>
  }
  func.func @grouped_strided_phases(%gy: tensor<3x16x3x4xf32>, %x: tensor<3x16x10x7xf32>, %w: tensor<16x8x3x2xf32>) -> (tensor<3x16x10x7xf32>, tensor<16x8x3x2xf32>, tensor<16xf32>) {
    %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [16], dilation = [1, 2], groups = 2 : i64, output_mask = [true, true, true], output_padding = [0, 0], padding = [0, 1], stride = [3, 2], transposed = false} : (tensor<3x16x3x4xf32>, tensor<3x16x10x7xf32>, tensor<16x8x3x2xf32>) -> (tensor<3x16x10x7xf32>, tensor<16x8x3x2xf32>, tensor<16xf32>)
    func.return %gx, %gw, %gb : tensor<3x16x10x7xf32>, tensor<16x8x3x2xf32>, tensor<16xf32>
  }
  func.func @stride_above_kernel_1d(%gy: tensor<1x4x3xf32>, %x: tensor<1x16x10xf32>, %w: tensor<4x16x2xf32>) -> (tensor<1x16x10xf32>, tensor<4x16x2xf32>, tensor<4xf32>) {
    %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [4], dilation = [1], groups = 1 : i64, output_mask = [true, true, true], output_padding = [0], padding = [0], stride = [3], transposed = false} : (tensor<1x4x3xf32>, tensor<1x16x10xf32>, tensor<4x16x2xf32>) -> (tensor<1x16x10xf32>, tensor<4x16x2xf32>, tensor<4xf32>)
    func.return %gx, %gw, %gb : tensor<1x16x10xf32>, tensor<4x16x2xf32>, tensor<4xf32>
  }
  func.func @strided_1d_padded(%gy: tensor<2x4x4xf32>, %x: tensor<2x16x13xf32>, %w: tensor<4x16x5xf32>) -> (tensor<2x16x13xf32>, tensor<4x16x5xf32>, tensor<4xf32>) {
    %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [4], dilation = [1], groups = 1 : i64, output_mask = [true, true, true], output_padding = [0], padding = [2], stride = [4], transposed = false} : (tensor<2x4x4xf32>, tensor<2x16x13xf32>, tensor<4x16x5xf32>) -> (tensor<2x16x13xf32>, tensor<4x16x5xf32>, tensor<4xf32>)
    func.return %gx, %gw, %gb : tensor<2x16x13xf32>, tensor<4x16x5xf32>, tensor<4xf32>
  }
  func.func @strided_few_channels_col2im(%gy: tensor<2x5x5x5xf32>, %x: tensor<2x3x9x8xf32>, %w: tensor<5x3x3x2xf32>) -> (tensor<2x3x9x8xf32>, tensor<5x3x3x2xf32>, tensor<5xf32>) {
    %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [5], dilation = [1, 1], groups = 1 : i64, output_mask = [true, true, true], output_padding = [0, 0], padding = [1, 1], stride = [2, 2], transposed = false} : (tensor<2x5x5x5xf32>, tensor<2x3x9x8xf32>, tensor<5x3x3x2xf32>) -> (tensor<2x3x9x8xf32>, tensor<5x3x3x2xf32>, tensor<5xf32>)
    func.return %gx, %gw, %gb : tensor<2x3x9x8xf32>, tensor<5x3x3x2xf32>, tensor<5xf32>
  }
  func.func @weight_grad_flattened_odd(%gy: tensor<1x9x8x2xf32>, %x: tensor<1x5x7x6xf32>, %w: tensor<9x5x2x3xf32>) -> (tensor<1x5x7x6xf32>, tensor<9x5x2x3xf32>, tensor<9xf32>) {
    %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [9], dilation = [1, 2], groups = 1 : i64, output_mask = [true, true, true], output_padding = [0, 0], padding = [1, 0], stride = [1, 1], transposed = false} : (tensor<1x9x8x2xf32>, tensor<1x5x7x6xf32>, tensor<9x5x2x3xf32>) -> (tensor<1x5x7x6xf32>, tensor<9x5x2x3xf32>, tensor<9xf32>)
    func.return %gx, %gw, %gb : tensor<1x5x7x6xf32>, tensor<9x5x2x3xf32>, tensor<9xf32>
  }
  func.func @weight_grad_grouped_flattened(%gy: tensor<2x16x6x5xf32>, %x: tensor<2x16x6x5xf32>, %w: tensor<16x8x3x3xf32>) -> (tensor<2x16x6x5xf32>, tensor<16x8x3x3xf32>, tensor<16xf32>) {
    %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [16], dilation = [1, 1], groups = 2 : i64, output_mask = [true, true, true], output_padding = [0, 0], padding = [1, 1], stride = [1, 1], transposed = false} : (tensor<2x16x6x5xf32>, tensor<2x16x6x5xf32>, tensor<16x8x3x3xf32>) -> (tensor<2x16x6x5xf32>, tensor<16x8x3x3xf32>, tensor<16xf32>)
    func.return %gx, %gw, %gb : tensor<2x16x6x5xf32>, tensor<16x8x3x3xf32>, tensor<16xf32>
  }
  func.func @empty_batch_strided(%gy: tensor<0x4x4x4xf32>, %x: tensor<0x16x8x8xf32>, %w: tensor<4x16x3x3xf32>) -> (tensor<0x16x8x8xf32>, tensor<4x16x3x3xf32>, tensor<4xf32>) {
    %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [4], dilation = [1, 1], groups = 1 : i64, output_mask = [true, true, true], output_padding = [0, 0], padding = [1, 1], stride = [2, 2], transposed = false} : (tensor<0x4x4x4xf32>, tensor<0x16x8x8xf32>, tensor<4x16x3x3xf32>) -> (tensor<0x16x8x8xf32>, tensor<4x16x3x3xf32>, tensor<4xf32>)
    func.return %gx, %gw, %gb : tensor<0x16x8x8xf32>, tensor<4x16x3x3xf32>, tensor<4xf32>
  }
  func.func @strided_3d(%gy: tensor<1x2x2x3x4xf32>, %x: tensor<1x16x5x6x7xf32>, %w: tensor<2x16x3x2x3xf32>) -> (tensor<1x16x5x6x7xf32>, tensor<2x16x3x2x3xf32>, tensor<2xf32>) {
    %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [2], dilation = [1, 1, 1], groups = 1 : i64, output_mask = [true, true, true], output_padding = [0, 0, 0], padding = [0, 0, 1], stride = [2, 2, 2], transposed = false} : (tensor<1x2x2x3x4xf32>, tensor<1x16x5x6x7xf32>, tensor<2x16x3x2x3xf32>) -> (tensor<1x16x5x6x7xf32>, tensor<2x16x3x2x3xf32>, tensor<2xf32>)
    func.return %gx, %gw, %gb : tensor<1x16x5x6x7xf32>, tensor<2x16x3x2x3xf32>, tensor<2xf32>
  }
  func.func @depthwise_bias_from_flattened(%gy: tensor<2x6x5x4xf32>, %x: tensor<2x6x5x4xf32>, %w: tensor<6x1x3x3xf32>) -> (tensor<6x1x3x3xf32>, tensor<6xf32>) {
    %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [6], dilation = [1, 1], groups = 6 : i64, output_mask = [false, true, true], output_padding = [0, 0], padding = [1, 1], stride = [1, 1], transposed = false} : (tensor<2x6x5x4xf32>, tensor<2x6x5x4xf32>, tensor<6x1x3x3xf32>) -> (tensor<2x6x5x4xf32>, tensor<6x1x3x3xf32>, tensor<6xf32>)
    func.return %gw, %gb : tensor<6x1x3x3xf32>, tensor<6xf32>
  }
  func.func @transposed_bias_not_from_flattened(%go: tensor<2x3x5x4xf32>, %in: tensor<2x4x5x4xf32>, %w: tensor<4x3x3x3xf32>) -> (tensor<4x3x3x3xf32>, tensor<3xf32>) {
    %gx, %gw, %gb = "aten.convolution_backward"(%go, %in, %w) {bias_sizes = [3], dilation = [1, 1], groups = 1 : i64, output_mask = [false, true, true], output_padding = [0, 0], padding = [1, 1], stride = [1, 1], transposed = true} : (tensor<2x3x5x4xf32>, tensor<2x4x5x4xf32>, tensor<4x3x3x3xf32>) -> (tensor<2x4x5x4xf32>, tensor<4x3x3x3xf32>, tensor<3xf32>)
    func.return %gw, %gb : tensor<4x3x3x3xf32>, tensor<3xf32>
  }
}
