// Ops and types the conversion cannot lower are errors at the op naming it, never a
// silent fallback.
// RUN: joinery-opt %s --convert-aten-to-kernel --split-input-file --verify-diagnostics
// RUN: not joinery-translate %s --to-kernels 2>&1 | FileCheck %s

// expected-error@+1 {{argument #0 of the function has an extent only known at run time (tensor<?xf32>), which the native backend takes as a function result only, never as an argument}}
func.func @dynamic$unsupported(%x: tensor<?xf32>) -> tensor<?xf32> {
  %t = "aten.tanh"(%x) : (tensor<?xf32>) -> tensor<?xf32>
  func.return %t : tensor<?xf32>
}

// -----

// Every op the backend cannot lower is named in one error, at the first, with a note at
// each; the ops after them are still checked.
// CHECK: the native backend does not support 2 ops of @two$unsupported: 'aten.convolution', 'aten.avg_pool2d'
func.func @two$unsupported(%x: tensor<4x3xf32>, %c: tensor<1x1x4xf64>, %p: tensor<1x1x4x4xf64>) -> (tensor<f32>, tensor<1x1x2x2xf64>) {
  // expected-error@+2 {{the native backend does not support 2 ops of @two$unsupported: 'aten.convolution', 'aten.avg_pool2d'}}
  // expected-note@+1 {{the native backend supports 'aten.convolution' on f32 tensors only}}
  %d = "aten.convolution"(%c, %c) {dilation = [1], groups = 1 : i64, output_padding = [0], padding = [0], stride = [1], transposed = false} : (tensor<1x1x4xf64>, tensor<1x1x4xf64>) -> tensor<1x1x1xf64>
  %s = "aten.sum"(%x) : (tensor<4x3xf32>) -> tensor<f32>
  // expected-note@+1 {{the native backend supports 'aten.avg_pool2d' on f32 tensors only}}
  %m = "aten.avg_pool2d"(%p) {kernel_size = [2, 2], stride = [2, 2], padding = [0, 0], ceil_mode = false, count_include_pad = true} : (tensor<1x1x4x4xf64>) -> tensor<1x1x2x2xf64>
  func.return %s, %m : tensor<f32>, tensor<1x1x2x2xf64>
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

// -----

// Half of a Philox pair: the conversion cannot append the other half beside it.
func.func @dropout$offset_only(%x: tensor<8xf32> {aot.desc = #aot.plain<0>},
                               %offset: tensor<i64> {aot.desc = #aot.philox_fwd_base_offset})
    -> (tensor<8xf32> {aot.desc = #aot.plain_out<0>}) {
  // expected-error@+1 {{the function has a #aot.philox_fwd_base_offset argument but no #aot.philox_fwd_seed argument}}
  %y, %mask = "aten.native_dropout"(%x) {p = 0.5 : f64, train = true} : (tensor<8xf32>) -> (tensor<8xf32>, tensor<8xi1>)
  func.return %y : tensor<8xf32>
}

// -----

// Complex tensors: only the FFT ops and view_as_real/view_as_complex take them (the native
// pipeline runs aten-complex-to-real first, which rewrites complex arithmetic into real ops).
func.func @mul$complex(%a: tensor<4xcomplex<f32>>, %b: tensor<4xcomplex<f32>>) -> tensor<4xcomplex<f32>> {
  // expected-error@+1 {{the native backend does not support complex tensors in 'aten.mul.Tensor'}}
  %m = "aten.mul.Tensor"(%a, %b) : (tensor<4xcomplex<f32>>, tensor<4xcomplex<f32>>) -> tensor<4xcomplex<f32>>
  func.return %m : tensor<4xcomplex<f32>>
}

// -----

// A value whose row count is known only at run time (aten.nonzero's) may be a result or
// counted by sym_size.int; any other reader is an error naming it and its producer.
func.func @nonzero$read(%x: tensor<3x4xf32>) -> (tensor<?x2xi64>, tensor<i64>) {
  %nz = aten.nonzero %x : (tensor<3x4xf32>) -> tensor<?x2xi64>
  // expected-error@+1 {{'aten.sum' reads %nz, the result of 'aten.nonzero', whose extent along dim 0 is only known at run time; the native backend takes such a value only as a function result or in 'aten.sym_size.int'}}
  %s = "aten.sum"(%nz) : (tensor<?x2xi64>) -> tensor<i64>
  func.return %nz, %s : tensor<?x2xi64>, tensor<i64>
}

// -----

// A nonzero declared with a static row count: the count is only known at run time.
func.func @nonzero$static(%x: tensor<3x4xf32>) -> tensor<5x2xi64> {
  // expected-error@+1 {{'aten.nonzero' declares 5 rows, but its row count is known only at run time: the native backend takes its result typed with a dynamic leading dim ('?'), as the exporter writes it}}
  %nz = aten.nonzero %x : (tensor<3x4xf32>) -> tensor<5x2xi64>
  func.return %nz : tensor<5x2xi64>
}

// -----

// Kernels handle f32, f64, i64, i32 and i1: an op reading an i8 tensor is refused, not
// lowered into buffers the kernel verifier rejects.
func.func @dtype$i8(%q: tensor<3xi8>, %s: tensor<f32>) -> tensor<3xf32> {
  // expected-error@+1 {{'aten._to_copy' works on i8 tensors; the native backend handles f32, f64, i64, i32 and i1}}
  %w = aten._to_copy %q {dtype = f32} : (tensor<3xi8>) -> tensor<3xf32>
  %d = aten.mul.Tensor %w, %s : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  func.return %d : tensor<3xf32>
}

// -----

// An as_strided_scatter whose view reaches a place more than once (a zero stride, or
// strides that overlap) would write it several times in one placement.
func.func @as_strided_scatter$overlap(%x: tensor<5xf32>, %v: tensor<3xf32>, %y: tensor<6xf32>, %u: tensor<2x3xf32>) -> (tensor<5xf32>, tensor<6xf32>) {
  // expected-error@+2 {{the native backend does not support 2 ops of @as_strided_scatter$overlap: 'aten.as_strided_scatter'}}
  // expected-note@+1 {{'aten.as_strided_scatter': the view (size [3], stride [0]) reaches some places more than once; the native backend places only views whose places are distinct}}
  %a = aten.as_strided_scatter %x, %v {size = [3], stride = [0], storage_offset = 2} : (tensor<5xf32>, tensor<3xf32>) -> tensor<5xf32>
  // expected-note@+1 {{'aten.as_strided_scatter': the view (size [2, 3], stride [2, 1]) reaches some places more than once; the native backend places only views whose places are distinct}}
  %b = aten.as_strided_scatter %y, %u {size = [2, 3], stride = [2, 1], storage_offset = 0} : (tensor<6xf32>, tensor<2x3xf32>) -> tensor<6xf32>
  func.return %a, %b : tensor<5xf32>, tensor<6xf32>
}
