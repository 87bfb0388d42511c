// Direct convolutions on the runtime's direct engine (conv.rs, direct_engine; runtime
// conv/direct.rs): unit-stride forwards and input gradients with 1 or 2 spatial dims where
// the region kernels are not chosen (less than 4/5 of the output in the interior, where
// every tap reads inside; a forward with more than 9 products per output element at any
// size): "same" padding with a bias, dilated without, uneven padding with a 5x5 kernel,
// padding beyond the kernel's reach (positions the bias alone), 1-d, two input and two
// output channels per group, two outputs per input channel, an empty batch, and the input
// gradient: alone and with the weight and bias gradients, dilated, cropped (padding
// beyond the kernel's half width along one dim: the output gradient's border is never
// read), with two output channels per group (two planes summed per input gradient
// plane; a 1x3 kernel: with more than 9 products per element the input gradient stays
// oneDNN's), a transposed convolution, and the weight gradient with more than 9 products
// per output element: with the bias gradient, dilated without, with two input and two
// output channels per group, 1-d, an empty batch (zeros), and with the input gradient.
module {
  func.func @same_bias(%x: tensor<2x4x7x9xf32>, %w: tensor<4x1x3x3xf32>, %b: tensor<4xf32>) -> tensor<2x4x7x9xf32> {
    %y = "aten.convolution"(%x, %w, %b) {dilation = [1, 1], groups = 4 : i64, output_padding = [0, 0], padding = [1, 1], stride = [1, 1], transposed = false} : (tensor<2x4x7x9xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<2x4x7x9xf32>
    func.return %y : tensor<2x4x7x9xf32>
  }
  func.func @dilated_nobias(%x: tensor<1x3x12x11xf32>, %w: tensor<3x1x3x3xf32>) -> tensor<1x3x12x11xf32> {
    %y = "aten.convolution"(%x, %w) {dilation = [2, 2], groups = 3 : i64, output_padding = [0, 0], padding = [2, 2], stride = [1, 1], transposed = false} : (tensor<1x3x12x11xf32>, tensor<3x1x3x3xf32>) -> tensor<1x3x12x11xf32>
    func.return %y : tensor<1x3x12x11xf32>
  }
  func.func @uneven_pad_5x5(%x: tensor<1x3x14x14xf32>, %w: tensor<3x1x5x5xf32>, %b: tensor<3xf32>) -> tensor<1x3x10x16xf32> {
    %y = "aten.convolution"(%x, %w, %b) {dilation = [2, 1], groups = 3 : i64, output_padding = [0, 0], padding = [2, 3], stride = [1, 1], transposed = false} : (tensor<1x3x14x14xf32>, tensor<3x1x5x5xf32>, tensor<3xf32>) -> tensor<1x3x10x16xf32>
    func.return %y : tensor<1x3x10x16xf32>
  }
  func.func @pad_beyond_reach(%x: tensor<1x2x6x7xf32>, %w: tensor<2x1x3x3xf32>, %b: tensor<2xf32>) -> tensor<1x2x10x11xf32> {
    %y = "aten.convolution"(%x, %w, %b) {dilation = [1, 1], groups = 2 : i64, output_padding = [0, 0], padding = [3, 3], stride = [1, 1], transposed = false} : (tensor<1x2x6x7xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<1x2x10x11xf32>
    func.return %y : tensor<1x2x10x11xf32>
  }
  func.func @one_d(%x: tensor<2x3x16xf32>, %w: tensor<3x1x5xf32>, %b: tensor<3xf32>) -> tensor<2x3x16xf32> {
    %y = "aten.convolution"(%x, %w, %b) {dilation = [1], groups = 3 : i64, output_padding = [0], padding = [2], stride = [1], transposed = false} : (tensor<2x3x16xf32>, tensor<3x1x5xf32>, tensor<3xf32>) -> tensor<2x3x16xf32>
    func.return %y : tensor<2x3x16xf32>
  }
  func.func @two_channels_per_group(%x: tensor<2x8x11x12xf32>, %w: tensor<8x2x3x3xf32>, %b: tensor<8xf32>) -> tensor<2x8x11x12xf32> {
    %y = "aten.convolution"(%x, %w, %b) {dilation = [1, 1], groups = 4 : i64, output_padding = [0, 0], padding = [1, 1], stride = [1, 1], transposed = false} : (tensor<2x8x11x12xf32>, tensor<8x2x3x3xf32>, tensor<8xf32>) -> tensor<2x8x11x12xf32>
    func.return %y : tensor<2x8x11x12xf32>
  }
  func.func @two_outputs_per_channel(%x: tensor<2x3x7x7xf32>, %w: tensor<6x1x3x3xf32>, %b: tensor<6xf32>) -> tensor<2x6x7x7xf32> {
    %y = "aten.convolution"(%x, %w, %b) {dilation = [1, 1], groups = 3 : i64, output_padding = [0, 0], padding = [1, 1], stride = [1, 1], transposed = false} : (tensor<2x3x7x7xf32>, tensor<6x1x3x3xf32>, tensor<6xf32>) -> tensor<2x6x7x7xf32>
    func.return %y : tensor<2x6x7x7xf32>
  }
  func.func @empty_batch(%x: tensor<0x4x7x7xf32>, %w: tensor<4x1x3x3xf32>, %b: tensor<4xf32>) -> tensor<0x4x7x7xf32> {
    %y = "aten.convolution"(%x, %w, %b) {dilation = [1, 1], groups = 4 : i64, output_padding = [0, 0], padding = [1, 1], stride = [1, 1], transposed = false} : (tensor<0x4x7x7xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<0x4x7x7xf32>
    func.return %y : tensor<0x4x7x7xf32>
  }
  func.func @input_grad_all(%gy: tensor<2x4x7x9xf32>, %x: tensor<2x4x7x9xf32>, %w: tensor<4x1x3x3xf32>) -> (tensor<2x4x7x9xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) {
    %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [4], dilation = [1, 1], groups = 4 : i64, output_mask = [true, true, true], output_padding = [0, 0], padding = [1, 1], stride = [1, 1], transposed = false} : (tensor<2x4x7x9xf32>, tensor<2x4x7x9xf32>, tensor<4x1x3x3xf32>) -> (tensor<2x4x7x9xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>)
    func.return %gx, %gw, %gb : tensor<2x4x7x9xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>
  }
  func.func @input_grad_dilated(%gy: tensor<1x3x12x11xf32>, %x: tensor<1x3x12x11xf32>, %w: tensor<3x1x3x3xf32>) -> (tensor<1x3x12x11xf32>) {
    %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [3], dilation = [2, 2], groups = 3 : i64, output_mask = [true, false, false], output_padding = [0, 0], padding = [2, 2], stride = [1, 1], transposed = false} : (tensor<1x3x12x11xf32>, tensor<1x3x12x11xf32>, tensor<3x1x3x3xf32>) -> (tensor<1x3x12x11xf32>, tensor<3x1x3x3xf32>, tensor<3xf32>)
    func.return %gx : tensor<1x3x12x11xf32>
  }
  func.func @input_grad_cropped(%gy: tensor<1x3x12x3xf32>, %x: tensor<1x3x8x5xf32>, %w: tensor<3x1x3x3xf32>) -> (tensor<1x3x8x5xf32>) {
    %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [3], dilation = [1, 1], groups = 3 : i64, output_mask = [true, false, false], output_padding = [0, 0], padding = [3, 0], stride = [1, 1], transposed = false} : (tensor<1x3x12x3xf32>, tensor<1x3x8x5xf32>, tensor<3x1x3x3xf32>) -> (tensor<1x3x8x5xf32>, tensor<3x1x3x3xf32>, tensor<3xf32>)
    func.return %gx : tensor<1x3x8x5xf32>
  }
  func.func @input_grad_two_channels_per_group(%gy: tensor<2x8x7x7xf32>, %x: tensor<2x8x7x7xf32>, %w: tensor<8x2x1x3xf32>) -> (tensor<2x8x7x7xf32>) {
    %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [8], dilation = [1, 1], groups = 4 : i64, output_mask = [true, false, false], output_padding = [0, 0], padding = [0, 1], stride = [1, 1], transposed = false} : (tensor<2x8x7x7xf32>, tensor<2x8x7x7xf32>, tensor<8x2x1x3xf32>) -> (tensor<2x8x7x7xf32>, tensor<8x2x1x3xf32>, tensor<8xf32>)
    func.return %gx : tensor<2x8x7x7xf32>
  }
  func.func @transposed(%x: tensor<1x4x7x9xf32>, %w: tensor<4x1x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x7x9xf32> {
    %y = "aten.convolution"(%x, %w, %b) {dilation = [1, 1], groups = 4 : i64, output_padding = [0, 0], padding = [1, 1], stride = [1, 1], transposed = true} : (tensor<1x4x7x9xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<1x4x7x9xf32>
    func.return %y : tensor<1x4x7x9xf32>
  }
  func.func @weight_grad_bias(%gy: tensor<2x4x7x9xf32>, %x: tensor<2x4x7x9xf32>, %w: tensor<4x1x5x5xf32>) -> (tensor<4x1x5x5xf32>, tensor<4xf32>) {
    %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [4], dilation = [1, 1], groups = 4 : i64, output_mask = [false, true, true], output_padding = [0, 0], padding = [2, 2], stride = [1, 1], transposed = false} : (tensor<2x4x7x9xf32>, tensor<2x4x7x9xf32>, tensor<4x1x5x5xf32>) -> (tensor<2x4x7x9xf32>, tensor<4x1x5x5xf32>, tensor<4xf32>)
    func.return %gw, %gb : tensor<4x1x5x5xf32>, tensor<4xf32>
  }
  func.func @weight_grad_dilated(%gy: tensor<1x3x12x11xf32>, %x: tensor<1x3x12x11xf32>, %w: tensor<3x1x5x5xf32>) -> (tensor<3x1x5x5xf32>) {
    %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [3], dilation = [2, 2], groups = 3 : i64, output_mask = [false, true, false], output_padding = [0, 0], padding = [4, 4], stride = [1, 1], transposed = false} : (tensor<1x3x12x11xf32>, tensor<1x3x12x11xf32>, tensor<3x1x5x5xf32>) -> (tensor<1x3x12x11xf32>, tensor<3x1x5x5xf32>, tensor<3xf32>)
    func.return %gw : tensor<3x1x5x5xf32>
  }
  func.func @weight_grad_two_channels_per_group(%gy: tensor<2x8x9x10xf32>, %x: tensor<2x8x9x10xf32>, %w: tensor<8x2x3x3xf32>) -> (tensor<8x2x3x3xf32>, tensor<8xf32>) {
    %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [8], dilation = [1, 1], groups = 4 : i64, output_mask = [false, true, true], output_padding = [0, 0], padding = [1, 1], stride = [1, 1], transposed = false} : (tensor<2x8x9x10xf32>, tensor<2x8x9x10xf32>, tensor<8x2x3x3xf32>) -> (tensor<2x8x9x10xf32>, tensor<8x2x3x3xf32>, tensor<8xf32>)
    func.return %gw, %gb : tensor<8x2x3x3xf32>, tensor<8xf32>
  }
  func.func @weight_grad_one_d(%gy: tensor<2x3x16xf32>, %x: tensor<2x3x16xf32>, %w: tensor<3x1x11xf32>) -> (tensor<3x1x11xf32>, tensor<3xf32>) {
    %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [3], dilation = [1], groups = 3 : i64, output_mask = [false, true, true], output_padding = [0], padding = [5], stride = [1], transposed = false} : (tensor<2x3x16xf32>, tensor<2x3x16xf32>, tensor<3x1x11xf32>) -> (tensor<2x3x16xf32>, tensor<3x1x11xf32>, tensor<3xf32>)
    func.return %gw, %gb : tensor<3x1x11xf32>, tensor<3xf32>
  }
  func.func @weight_grad_empty_batch(%gy: tensor<0x3x7x7xf32>, %x: tensor<0x3x7x7xf32>, %w: tensor<3x1x5x5xf32>) -> (tensor<3x1x5x5xf32>, tensor<3xf32>) {
    %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [3], dilation = [1, 1], groups = 3 : i64, output_mask = [false, true, true], output_padding = [0, 0], padding = [2, 2], stride = [1, 1], transposed = false} : (tensor<0x3x7x7xf32>, tensor<0x3x7x7xf32>, tensor<3x1x5x5xf32>) -> (tensor<0x3x7x7xf32>, tensor<3x1x5x5xf32>, tensor<3xf32>)
    func.return %gw, %gb : tensor<3x1x5x5xf32>, tensor<3xf32>
  }
  func.func @weight_grad_all(%gy: tensor<2x4x14x14xf32>, %x: tensor<2x4x14x14xf32>, %w: tensor<4x1x5x5xf32>) -> (tensor<2x4x14x14xf32>, tensor<4x1x5x5xf32>, tensor<4xf32>) {
    %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [4], dilation = [1, 1], groups = 4 : i64, output_mask = [true, true, true], output_padding = [0, 0], padding = [2, 2], stride = [1, 1], transposed = false} : (tensor<2x4x14x14xf32>, tensor<2x4x14x14xf32>, tensor<4x1x5x5xf32>) -> (tensor<2x4x14x14xf32>, tensor<4x1x5x5xf32>, tensor<4xf32>)
    func.return %gx, %gw, %gb : tensor<2x4x14x14xf32>, tensor<4x1x5x5xf32>, tensor<4xf32>
  }
}
