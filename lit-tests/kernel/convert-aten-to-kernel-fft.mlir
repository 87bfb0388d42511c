// RUN: joinery-opt %s --convert-aten-to-kernel | FileCheck %s
// RUN: joinery-opt %s --convert-aten-to-kernel --kernel-fuse --kernel-plan-memory --verify-roundtrip | FileCheck %s --check-prefix=PLANNED

// convert-aten-to-kernel on the FFT ops: one kernel.fft each. Kernels see a complex buffer
// as its (real, imaginary) pairs, so view_as_real and view_as_complex move nothing and a
// complex argument or result is a buffer of pairs.

// CHECK-LABEL: func.func @rfft_irfft
// CHECK:         %[[F:.*]] = kernel.alloc {output = 0 : i64} : () -> tensor<2x4x2xf32>
// CHECK:         "kernel.fft"(%x, %[[F]]) <{dims = [1], kind = "r2c", normalization = 1 : i64, onesided = true, shape = [2, 6], source = "aten._fft_r2c"}>
// CHECK:         "kernel.fft"(%[[F]], %{{.*}}) <{dims = [1], kind = "c2r", last_dim_size = 6 : i64, normalization = 1 : i64, shape = [2, 4], source = "aten._fft_c2r"}>
// PLANNED-LABEL: func.func @rfft_irfft
// PLANNED-COUNT-2: "kernel.fft"
func.func @rfft_irfft(%x: tensor<2x6xf32>) -> (tensor<2x4x2xf32>, tensor<2x6xf32>) {
  %f = "aten._fft_r2c"(%x) {dim = [1], normalization = 1 : i64, onesided = true} : (tensor<2x6xf32>) -> tensor<2x4xcomplex<f32>>
  %r = "aten.view_as_real"(%f) : (tensor<2x4xcomplex<f32>>) -> tensor<2x4x2xf32>
  %b = "aten._fft_c2r"(%f) {dim = [1], normalization = 1 : i64, last_dim_size = 6 : i64} : (tensor<2x4xcomplex<f32>>) -> tensor<2x6xf32>
  func.return %r, %b : tensor<2x4x2xf32>, tensor<2x6xf32>
}

// CHECK-LABEL: func.func @c2c$complex_io
// CHECK:         "kernel.fft"(%z, %{{.*}}) <{dims = [0, 1], forward = false, kind = "c2c", normalization = 2 : i64, shape = [3, 5], source = "aten._fft_c2c"}> : (tensor<3x5xcomplex<f64>>, tensor<3x5xcomplex<f64>>) -> ()
func.func @c2c$complex_io(%z: tensor<3x5xcomplex<f64>>) -> tensor<3x5xcomplex<f64>> {
  %y = "aten._fft_c2c"(%z) {dim = [0, -1], normalization = 2 : i64, forward = false} : (tensor<3x5xcomplex<f64>>) -> tensor<3x5xcomplex<f64>>
  func.return %y : tensor<3x5xcomplex<f64>>
}

// view_as_complex of an argument is a copy of its pairs into the result; a two-sided r2c
// keeps the whole spectrum.
// CHECK-LABEL: func.func @view_as_complex$then_r2c_twosided
// CHECK:         "kernel.fft"(%x, %{{.*}}) <{dims = [0], kind = "r2c", normalization = 0 : i64, onesided = false, shape = [4], source = "aten._fft_r2c"}> : (tensor<4xf32>, tensor<4xcomplex<f32>>) -> ()
// CHECK:         "kernel.fused"(%w, %{{.*}}) <{in_maps = {{\[}}[0, 2, 1]]{{.*}}space = [4, 2]}>
func.func @view_as_complex$then_r2c_twosided(%w: tensor<4x2xf32>, %x: tensor<4xf32>) -> (tensor<4xcomplex<f32>>, tensor<4xcomplex<f32>>) {
  %c = "aten.view_as_complex"(%w) : (tensor<4x2xf32>) -> tensor<4xcomplex<f32>>
  %f = "aten._fft_r2c"(%x) {dim = [0], normalization = 0 : i64, onesided = false} : (tensor<4xf32>) -> tensor<4xcomplex<f32>>
  func.return %c, %f : tensor<4xcomplex<f32>>, tensor<4xcomplex<f32>>
}

// A fused body loading a complex buffer reads its parts' type (f32), as the verifier wants.
// CHECK-LABEL: func.func @complex_argument$fused_parts
// PLANNED-LABEL: func.func @complex_argument$fused_parts
// PLANNED:         "kernel.fused"(%z, %{{.*}})
// PLANNED-NEXT:    ^bb0(%[[IM:.*]]: f32, %[[RE:.*]]: f32):
// PLANNED-NOT:     "kernel.fused"
// PLANNED:         func.return
func.func @complex_argument$fused_parts(%z: tensor<3xcomplex<f32>>) -> tensor<3xf32> {
  %p = "aten.view_as_real"(%z) : (tensor<3xcomplex<f32>>) -> tensor<3x2xf32>
  %re = "aten.select.int"(%p) {dim = 1 : i64, index = 0 : i64} : (tensor<3x2xf32>) -> tensor<3xf32>
  %im = "aten.select.int"(%p) {dim = 1 : i64, index = 1 : i64} : (tensor<3x2xf32>) -> tensor<3xf32>
  %n = "aten.neg"(%im) : (tensor<3xf32>) -> tensor<3xf32>
  %s = "aten.add.Tensor"(%re, %n) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  func.return %s : tensor<3xf32>
}
