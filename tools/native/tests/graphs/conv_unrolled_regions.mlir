// Direct convolutions with their products written out (conv.rs, conv_unrolled): the
// output cut into regions over which the same taps read inside the unpadded input, the
// interior flattened along the last two dims when the output rows are as long as the
// input's (then overwritten at the row ends by the border regions), regions where no tap
// reads inside (padding beyond the kernel's reach: the bias alone), strided, 1-d, 3-d
// (18 products per output element: up to 25 are written out), two channels per group
// (strided), one row (a 1x3 kernel: the interior is not flattened), an empty batch,
// transposed, and the unstrided input gradient (with a 5x5 kernel, and with padding
// beyond the kernel's reach, which crops). Each image is large enough for the region
// kernels to be chosen (4/5 of an unstrided forward's output in the interior, where every
// tap reads inside, with at most 9 products per output element; 9/10 of a strided one's
// or of an input gradient's); smaller ones run on the direct engine
// (conv_direct_engine.mlir).
module {
  func.func @same_flat(%x: tensor<2x4x21x22xf32>, %w: tensor<4x1x3x3xf32>, %b: tensor<4xf32>) -> tensor<2x4x21x22xf32> {
    %y = "aten.convolution"(%x, %w, %b) {dilation = [1, 1], groups = 4 : i64, output_padding = [0, 0], padding = [1, 1], stride = [1, 1], transposed = false} : (tensor<2x4x21x22xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<2x4x21x22xf32>
    func.return %y : tensor<2x4x21x22xf32>
  }
  func.func @same_flat_dilated_nobias(%x: tensor<1x3x40x42xf32>, %w: tensor<3x1x3x3xf32>) -> tensor<1x3x40x42xf32> {
    %y = "aten.convolution"(%x, %w) {dilation = [2, 2], groups = 3 : i64, output_padding = [0, 0], padding = [2, 2], stride = [1, 1], transposed = false} : (tensor<1x3x40x42xf32>, tensor<3x1x3x3xf32>) -> tensor<1x3x40x42xf32>
    func.return %y : tensor<1x3x40x42xf32>
  }
  func.func @uneven_pad_5x5(%gy: tensor<1x2x80x84xf32>, %x: tensor<1x2x80x84xf32>, %w: tensor<2x1x5x5xf32>) -> (tensor<1x2x80x84xf32>) {
    %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [2], dilation = [1, 1], groups = 2 : i64, output_mask = [true, false, false], output_padding = [0, 0], padding = [2, 2], stride = [1, 1], transposed = false} : (tensor<1x2x80x84xf32>, tensor<1x2x80x84xf32>, tensor<2x1x5x5xf32>) -> (tensor<1x2x80x84xf32>, tensor<2x1x5x5xf32>, tensor<2xf32>)
    func.return %gx : tensor<1x2x80x84xf32>
  }
  func.func @strided(%x: tensor<2x6x40x42xf32>, %w: tensor<6x1x3x3xf32>, %b: tensor<6xf32>) -> tensor<2x6x20x21xf32> {
    %y = "aten.convolution"(%x, %w, %b) {dilation = [1, 1], groups = 6 : i64, output_padding = [0, 0], padding = [1, 1], stride = [2, 2], transposed = false} : (tensor<2x6x40x42xf32>, tensor<6x1x3x3xf32>, tensor<6xf32>) -> tensor<2x6x20x21xf32>
    func.return %y : tensor<2x6x20x21xf32>
  }
  func.func @pad_beyond_reach(%x: tensor<1x2x60x62xf32>, %w: tensor<2x1x3x3xf32>, %b: tensor<2xf32>) -> tensor<1x2x64x66xf32> {
    %y = "aten.convolution"(%x, %w, %b) {dilation = [1, 1], groups = 2 : i64, output_padding = [0, 0], padding = [3, 3], stride = [1, 1], transposed = false} : (tensor<1x2x60x62xf32>, tensor<2x1x3x3xf32>, tensor<2xf32>) -> tensor<1x2x64x66xf32>
    func.return %y : tensor<1x2x64x66xf32>
  }
  func.func @one_d(%x: tensor<2x3x30xf32>, %w: tensor<3x1x5xf32>, %b: tensor<3xf32>) -> tensor<2x3x30xf32> {
    %y = "aten.convolution"(%x, %w, %b) {dilation = [1], groups = 3 : i64, output_padding = [0], padding = [2], stride = [1], transposed = false} : (tensor<2x3x30xf32>, tensor<3x1x5xf32>, tensor<3xf32>) -> tensor<2x3x30xf32>
    func.return %y : tensor<2x3x30xf32>
  }
  func.func @three_d_flat(%x: tensor<1x2x30x33x34xf32>, %w: tensor<2x1x3x2x3xf32>, %b: tensor<2xf32>) -> tensor<1x2x30x34x34xf32> {
    %y = "aten.convolution"(%x, %w, %b) {dilation = [1, 1, 1], groups = 2 : i64, output_padding = [0, 0, 0], padding = [1, 1, 1], stride = [1, 1, 1], transposed = false} : (tensor<1x2x30x33x34xf32>, tensor<2x1x3x2x3xf32>, tensor<2xf32>) -> tensor<1x2x30x34x34xf32>
    func.return %y : tensor<1x2x30x34x34xf32>
  }
  func.func @two_channels_per_group(%x: tensor<2x8x40x42xf32>, %w: tensor<8x2x3x3xf32>, %b: tensor<8xf32>) -> tensor<2x8x20x21xf32> {
    %y = "aten.convolution"(%x, %w, %b) {dilation = [1, 1], groups = 4 : i64, output_padding = [0, 0], padding = [1, 1], stride = [2, 2], transposed = false} : (tensor<2x8x40x42xf32>, tensor<8x2x3x3xf32>, tensor<8xf32>) -> tensor<2x8x20x21xf32>
    func.return %y : tensor<2x8x20x21xf32>
  }
  func.func @one_row(%x: tensor<2x4x1x15xf32>, %w: tensor<4x1x1x3xf32>, %b: tensor<4xf32>) -> tensor<2x4x1x15xf32> {
    %y = "aten.convolution"(%x, %w, %b) {dilation = [1, 1], groups = 4 : i64, output_padding = [0, 0], padding = [0, 1], stride = [1, 1], transposed = false} : (tensor<2x4x1x15xf32>, tensor<4x1x1x3xf32>, tensor<4xf32>) -> tensor<2x4x1x15xf32>
    func.return %y : tensor<2x4x1x15xf32>
  }
  func.func @empty_batch(%x: tensor<0x4x24x24xf32>, %w: tensor<4x1x3x3xf32>, %b: tensor<4xf32>) -> tensor<0x4x24x24xf32> {
    %y = "aten.convolution"(%x, %w, %b) {dilation = [1, 1], groups = 4 : i64, output_padding = [0, 0], padding = [1, 1], stride = [1, 1], transposed = false} : (tensor<0x4x24x24xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<0x4x24x24xf32>
    func.return %y : tensor<0x4x24x24xf32>
  }
  func.func @transposed(%x: tensor<1x4x40x42xf32>, %w: tensor<4x1x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x40x42xf32> {
    %y = "aten.convolution"(%x, %w, %b) {dilation = [1, 1], groups = 4 : i64, output_padding = [0, 0], padding = [1, 1], stride = [1, 1], transposed = true} : (tensor<1x4x40x42xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<1x4x40x42xf32>
    func.return %y : tensor<1x4x40x42xf32>
  }
  func.func @input_grad_same(%gy: tensor<2x4x40x42xf32>, %x: tensor<2x4x40x42xf32>, %w: tensor<4x1x3x3xf32>) -> (tensor<2x4x40x42xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) {
    %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [4], dilation = [1, 1], groups = 4 : i64, output_mask = [true, true, true], output_padding = [0, 0], padding = [1, 1], stride = [1, 1], transposed = false} : (tensor<2x4x40x42xf32>, tensor<2x4x40x42xf32>, tensor<4x1x3x3xf32>) -> (tensor<2x4x40x42xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>)
    func.return %gx, %gw, %gb : tensor<2x4x40x42xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>
  }
  func.func @input_grad_cropped(%gy: tensor<1x3x9x10xf32>, %x: tensor<1x3x5x6xf32>, %w: tensor<3x1x3x3xf32>) -> (tensor<1x3x5x6xf32>) {
    %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [3], dilation = [1, 1], groups = 3 : i64, output_mask = [true, false, false], output_padding = [0, 0], padding = [3, 3], stride = [1, 1], transposed = false} : (tensor<1x3x9x10xf32>, tensor<1x3x5x6xf32>, tensor<3x1x3x3xf32>) -> (tensor<1x3x5x6xf32>, tensor<3x1x3x3xf32>, tensor<3xf32>)
    func.return %gx : tensor<1x3x5x6xf32>
  }
}
