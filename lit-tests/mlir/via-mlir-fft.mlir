// Complex tensors through MLIR: --to-mlir runs aten-complex-to-real, then exports each
// complex tensor as its pair form tensor<S x 2 x fT> (the signature too), view_as_complex /
// view_as_real as the identity, and the FFT ops as f64 DFT reductions against cos/sin
// tables. `joinery-run --via-mlir` computes what the interpreter computes.
// RUN: joinery-translate --to-mlir %s | FileCheck %s
// RUN: joinery-translate --to-mlir %s | mlir-opt | FileCheck %s --check-prefix=UPSTREAM
// RUN: rm -rf %t && mkdir -p %t/in
// RUN: %python %S/Inputs/npy.py write %t/in/arg0.npy 2x6 0.5 -1.0 2.0 1.5 0.25 -3.0 1 2 3 4 -1 -2
// RUN: joinery-run --interpret %s --fn spectral --inputs %t/in --outputs %t/interp
// RUN: joinery-run --via-mlir %s --fn spectral --inputs %t/in --outputs %t/mlir
// RUN: %python %S/Inputs/npy.py close %t/mlir/out0.npy %t/interp/out0.npy | FileCheck %s --check-prefix=SAME

// CHECK-LABEL: func.func @spectral
// CHECK-SAME: (%{{.*}}: tensor<2x6xf32>) -> (tensor<2x6xf32>, tensor<2x4x2xf32>)
// CHECK: arith.constant dense<{{.*}}> : tensor<4x6xf64>
// CHECK: arith.constant dense<{{.*}}> : tensor<6x6xf64>
// UPSTREAM-LABEL: func.func @spectral
// SAME: close

// A signal filtered in the frequency domain: the one-sided spectrum of each row (ortho
// normalization), each bin scaled by a complex weight, back to 6 real points; the spectrum
// is a complex result (pair form in the export).
func.func @spectral(%x: tensor<2x6xf32>) -> (tensor<2x6xf32>, tensor<2x4xcomplex<f32>>) {
  %s = "aten._fft_r2c"(%x) {dim = [1], normalization = 1 : i64, onesided = true} : (tensor<2x6xf32>) -> tensor<2x4xcomplex<f32>>
  %w = "aten.mul.Tensor"(%s, %s) : (tensor<2x4xcomplex<f32>>, tensor<2x4xcomplex<f32>>) -> tensor<2x4xcomplex<f32>>
  %y = "aten._fft_c2r"(%w) {dim = [1], normalization = 1 : i64, last_dim_size = 6 : i64} : (tensor<2x4xcomplex<f32>>) -> tensor<2x6xf32>
  func.return %y, %s : tensor<2x6xf32>, tensor<2x4xcomplex<f32>>
}
