// Ops and types the conversion cannot lower are errors at the op naming it, never a
// silent fallback.
// RUN: joinery-opt %s --convert-aten-to-kernel --split-input-file --verify-diagnostics
// RUN: not joinery-translate %s --to-kernels 2>&1 | FileCheck %s

// CHECK: error: the native backend does not support 'aten.embedding'
func.func @embedding$unsupported(%w: tensor<10x4xf32>, %i: tensor<3xi64>) -> tensor<3x4xf32> {
  // expected-error@+1 {{the native backend does not support 'aten.embedding'}}
  %e = "aten.embedding"(%w, %i) : (tensor<10x4xf32>, tensor<3xi64>) -> tensor<3x4xf32>
  func.return %e : tensor<3x4xf32>
}

// -----

// expected-error@+1 {{argument #0 of the function has type that the native backend does not support (it needs statically shaped tensors)}}
func.func @dynamic$unsupported(%x: tensor<?xf32>) -> tensor<?xf32> {
  %t = "aten.tanh"(%x) : (tensor<?xf32>) -> tensor<?xf32>
  func.return %t : tensor<?xf32>
}

// -----

// Every op the backend cannot lower is named in one error, at the first, with a note at
// each; the ops after them are still checked.
// CHECK: the native backend does not support 2 ops of @two$unsupported: 'aten.prod.dim_int', 'aten.prod'
func.func @two$unsupported(%x: tensor<4x3xf32>) -> (tensor<f32>, tensor<f32>) {
  // expected-error@+2 {{the native backend does not support 2 ops of @two$unsupported: 'aten.prod.dim_int', 'aten.prod'}}
  // expected-note@+1 {{the native backend does not support 'aten.prod.dim_int' yet}}
  %b = "aten.prod.dim_int"(%x) {dim = 1 : i64, keepdim = true} : (tensor<4x3xf32>) -> tensor<4x1xf32>
  %s = "aten.sum"(%b) : (tensor<4x1xf32>) -> tensor<f32>
  // expected-note@+1 {{the native backend does not support 'aten.prod' yet}}
  %m = "aten.prod"(%x) : (tensor<4x3xf32>) -> tensor<f32>
  func.return %s, %m : tensor<f32>, tensor<f32>
}

// -----

func.func @conv$transposed_output_padding(%x: tensor<1x2x3x3xf32>, %w: tensor<2x2x3x3xf32>) -> tensor<1x2x6x6xf32> {
  // expected-error@+1 {{'aten.convolution': output_padding [1, 1] must be non-negative and below the stride or the dilation}}
  %y = "aten.convolution"(%x, %w) {dilation = [1, 1], groups = 1 : i64, output_padding = [1, 1], padding = [0, 0], stride = [1, 1], transposed = true} : (tensor<1x2x3x3xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x6x6xf32>
  func.return %y : tensor<1x2x6x6xf32>
}

// -----

func.func @select_backward$out_of_range(%g: tensor<4xf32>) -> tensor<3x4xf32> {
  // expected-error@+1 {{'aten.select_backward': index 3 is out of range for dim 0 of size 3}}
  %y = "aten.select_backward"(%g) {dim = 0 : i64, index = 3 : i64, input_sizes = [3, 4]} : (tensor<4xf32>) -> tensor<3x4xf32>
  func.return %y : tensor<3x4xf32>
}
