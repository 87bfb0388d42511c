// Pointwise convolutions (ungrouped, 1x1, unstrided, unpadded; conv.rs, pointwise_gemm):
// one GEMM per image onto the broadcast bias, the weight shared by the images. With and
// without a bias, 1-d, dilated (no effect at one tap), an empty batch, an
// input that is a permuted view (not a plain matrix per image: copied first), the input
// gradient of a transposed one (a forward), and a strided 1x1 one, which is not pointwise.
// With at least 512 positions per image, the gradients too (pointwise_gemm transposed,
// pointwise_weight_grad): all three, the weight gradient alone of one image, and those of
// a transposed one (the input gradient a forward, the weight gradient with x and
// grad_output swapped); with fewer, oneDNN's passes.
module {
  func.func @bias(%x: tensor<2x3x5x4xf32>, %w: tensor<6x3x1x1xf32>, %b: tensor<6xf32>) -> tensor<2x6x5x4xf32> {
    %y = "aten.convolution"(%x, %w, %b) {dilation = [1, 1], groups = 1 : i64, output_padding = [0, 0], padding = [0, 0], stride = [1, 1], transposed = false} : (tensor<2x3x5x4xf32>, tensor<6x3x1x1xf32>, tensor<6xf32>) -> tensor<2x6x5x4xf32>
    func.return %y : tensor<2x6x5x4xf32>
  }
  func.func @nobias_dilated(%x: tensor<3x4x2x7xf32>, %w: tensor<5x4x1x1xf32>) -> tensor<3x5x2x7xf32> {
    %y = "aten.convolution"(%x, %w) {dilation = [2, 3], groups = 1 : i64, output_padding = [0, 0], padding = [0, 0], stride = [1, 1], transposed = false} : (tensor<3x4x2x7xf32>, tensor<5x4x1x1xf32>) -> tensor<3x5x2x7xf32>
    func.return %y : tensor<3x5x2x7xf32>
  }
  func.func @one_d(%x: tensor<2x4x9xf32>, %w: tensor<3x4x1xf32>, %b: tensor<3xf32>) -> tensor<2x3x9xf32> {
    %y = "aten.convolution"(%x, %w, %b) {dilation = [1], groups = 1 : i64, output_padding = [0], padding = [0], stride = [1], transposed = false} : (tensor<2x4x9xf32>, tensor<3x4x1xf32>, tensor<3xf32>) -> tensor<2x3x9xf32>
    func.return %y : tensor<2x3x9xf32>
  }
  func.func @empty_batch(%x: tensor<0x3x4x4xf32>, %w: tensor<2x3x1x1xf32>, %b: tensor<2xf32>) -> tensor<0x2x4x4xf32> {
    %y = "aten.convolution"(%x, %w, %b) {dilation = [1, 1], groups = 1 : i64, output_padding = [0, 0], padding = [0, 0], stride = [1, 1], transposed = false} : (tensor<0x3x4x4xf32>, tensor<2x3x1x1xf32>, tensor<2xf32>) -> tensor<0x2x4x4xf32>
    func.return %y : tensor<0x2x4x4xf32>
  }
  func.func @permuted_input(%t: tensor<2x5x4x3xf32>, %w: tensor<6x3x1x1xf32>, %b: tensor<6xf32>) -> tensor<2x6x5x4xf32> {
    %x = aten.permute %t {dims = [0, 3, 1, 2]} : (tensor<2x5x4x3xf32>) -> tensor<2x3x5x4xf32>
    %y = "aten.convolution"(%x, %w, %b) {dilation = [1, 1], groups = 1 : i64, output_padding = [0, 0], padding = [0, 0], stride = [1, 1], transposed = false} : (tensor<2x3x5x4xf32>, tensor<6x3x1x1xf32>, tensor<6xf32>) -> tensor<2x6x5x4xf32>
    func.return %y : tensor<2x6x5x4xf32>
  }
  func.func @transposed_input_grad(%gy: tensor<2x3x5x4xf32>, %x: tensor<2x6x5x4xf32>, %w: tensor<6x3x1x1xf32>) -> (tensor<2x6x5x4xf32>) {
    %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [3], dilation = [1, 1], groups = 1 : i64, output_mask = [true, false, false], output_padding = [0, 0], padding = [0, 0], stride = [1, 1], transposed = true} : (tensor<2x3x5x4xf32>, tensor<2x6x5x4xf32>, tensor<6x3x1x1xf32>) -> (tensor<2x6x5x4xf32>, tensor<6x3x1x1xf32>, tensor<3xf32>)
    func.return %gx : tensor<2x6x5x4xf32>
  }
  func.func @strided(%x: tensor<2x3x5x5xf32>, %w: tensor<4x3x1x1xf32>, %b: tensor<4xf32>) -> tensor<2x4x3x3xf32> {
    %y = "aten.convolution"(%x, %w, %b) {dilation = [1, 1], groups = 1 : i64, output_padding = [0, 0], padding = [0, 0], stride = [2, 2], transposed = false} : (tensor<2x3x5x5xf32>, tensor<4x3x1x1xf32>, tensor<4xf32>) -> tensor<2x4x3x3xf32>
    func.return %y : tensor<2x4x3x3xf32>
  }
  func.func @backward_all(%gy: tensor<2x4x16x32xf32>, %x: tensor<2x3x16x32xf32>, %w: tensor<4x3x1x1xf32>) -> (tensor<2x3x16x32xf32>, tensor<4x3x1x1xf32>, tensor<4xf32>) {
    %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [4], dilation = [1, 1], groups = 1 : i64, output_mask = [true, true, true], output_padding = [0, 0], padding = [0, 0], stride = [1, 1], transposed = false} : (tensor<2x4x16x32xf32>, tensor<2x3x16x32xf32>, tensor<4x3x1x1xf32>) -> (tensor<2x3x16x32xf32>, tensor<4x3x1x1xf32>, tensor<4xf32>)
    func.return %gx, %gw, %gb : tensor<2x3x16x32xf32>, tensor<4x3x1x1xf32>, tensor<4xf32>
  }
  func.func @backward_weight_one_image(%gy: tensor<1x5x600xf32>, %x: tensor<1x2x600xf32>, %w: tensor<5x2x1xf32>) -> (tensor<5x2x1xf32>) {
    %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [5], dilation = [1], groups = 1 : i64, output_mask = [false, true, false], output_padding = [0], padding = [0], stride = [1], transposed = false} : (tensor<1x5x600xf32>, tensor<1x2x600xf32>, tensor<5x2x1xf32>) -> (tensor<1x2x600xf32>, tensor<5x2x1xf32>, tensor<5xf32>)
    func.return %gw : tensor<5x2x1xf32>
  }
  func.func @backward_transposed(%gy: tensor<2x3x16x32xf32>, %x: tensor<2x4x16x32xf32>, %w: tensor<4x3x1x1xf32>) -> (tensor<2x4x16x32xf32>, tensor<4x3x1x1xf32>, tensor<3xf32>) {
    %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [3], dilation = [1, 1], groups = 1 : i64, output_mask = [true, true, true], output_padding = [0, 0], padding = [0, 0], stride = [1, 1], transposed = true} : (tensor<2x3x16x32xf32>, tensor<2x4x16x32xf32>, tensor<4x3x1x1xf32>) -> (tensor<2x4x16x32xf32>, tensor<4x3x1x1xf32>, tensor<3xf32>)
    func.return %gx, %gw, %gb : tensor<2x4x16x32xf32>, tensor<4x3x1x1xf32>, tensor<3xf32>
  }
  func.func @backward_few_positions(%gy: tensor<2x4x5x5xf32>, %x: tensor<2x3x5x5xf32>, %w: tensor<4x3x1x1xf32>) -> (tensor<2x3x5x5xf32>, tensor<4x3x1x1xf32>, tensor<4xf32>) {
    %gx, %gw, %gb = "aten.convolution_backward"(%gy, %x, %w) {bias_sizes = [4], dilation = [1, 1], groups = 1 : i64, output_mask = [true, true, true], output_padding = [0, 0], padding = [0, 0], stride = [1, 1], transposed = false} : (tensor<2x4x5x5xf32>, tensor<2x3x5x5xf32>, tensor<4x3x1x1xf32>) -> (tensor<2x3x5x5xf32>, tensor<4x3x1x1xf32>, tensor<4xf32>)
    func.return %gx, %gw, %gb : tensor<2x3x5x5xf32>, tensor<4x3x1x1xf32>, tensor<4xf32>
  }
}
