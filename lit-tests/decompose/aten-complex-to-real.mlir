// aten-complex-to-real: a complex tensor tensor<S x complex<fT>> is carried as its pair
// form tensor<S x 2 x fT> (view_as_real's layout) and the ops on it become real aten ops on
// the (real, imaginary) parts; what must stay complex (the FFT ops, the signature, an op
// outside the table) reads view_as_complex of a pair form and is read through view_as_real.
// RUN: joinery-opt %s --split-input-file --aten-complex-to-real | FileCheck %s
// RUN: joinery-opt %s --split-input-file --aten-complex-to-real --pass-statistics -o /dev/null 2>&1 | FileCheck %s --check-prefix=STATS
// RUN: joinery-opt %s --split-input-file --aten-complex-to-real --print-op-generic | mlir-opt --allow-unregistered-dialect --split-input-file > /dev/null
// RUN: joinery-opt --list-passes | FileCheck %s --check-prefix=LIST

// LIST:      --aten-complex-to-real {{ *}}- Rewrite aten ops on complex tensors into real aten ops on (real, imaginary) pairs
// LIST-NEXT:   (runs on 'func.func')

// STATS: AtenComplexToReal
// STATS-NEXT: (S) {{ *}}3 kept {{ *}}- aten ops on complex tensors left complex (outside the table)
// STATS-NEXT: (S) {{ *}}13 rewritten - Ops on complex tensors rewritten into real ops

// (a + bi)(c + di) = (ac - bd, ad + bc); complex arguments and results keep their types.
// CHECK-LABEL: func.func @mul$complex_arguments(
// CHECK-SAME:      %[[A:.*]]: tensor<3xcomplex<f32>>, %[[B:.*]]: tensor<3xcomplex<f32>>)
// CHECK:         %[[PA:.*]] = aten.view_as_real %[[A]] : (tensor<3xcomplex<f32>>) -> tensor<3x2xf32>
// CHECK:         %[[PB:.*]] = aten.view_as_real %[[B]]
// CHECK:         %[[RA:.*]] = aten.select.int %[[PA]] {dim = -1 : i64, index = 0 : i64}
// CHECK:         %[[IA:.*]] = aten.select.int %[[PA]] {dim = -1 : i64, index = 1 : i64}
// CHECK:         %[[RB:.*]] = aten.select.int %[[PB]] {dim = -1 : i64, index = 0 : i64}
// CHECK:         %[[IB:.*]] = aten.select.int %[[PB]] {dim = -1 : i64, index = 1 : i64}
// CHECK:         %[[AC:.*]] = aten.mul.Tensor %[[RA]], %[[RB]]
// CHECK:         %[[BD:.*]] = aten.mul.Tensor %[[IA]], %[[IB]]
// CHECK:         %[[AD:.*]] = aten.mul.Tensor %[[RA]], %[[IB]]
// CHECK:         %[[BC:.*]] = aten.mul.Tensor %[[IA]], %[[RB]]
// CHECK:         %[[RE:.*]] = aten.sub.Tensor %[[AC]], %[[BD]]
// CHECK:         %[[IM:.*]] = aten.add.Tensor %[[AD]], %[[BC]]
// CHECK:         %[[P:.*]] = aten.stack %[[RE]], %[[IM]] {dim = -1 : i64} : (tensor<3xf32>, tensor<3xf32>) -> tensor<3x2xf32>
// CHECK:         %[[Z:.*]] = aten.view_as_complex %[[P]] : (tensor<3x2xf32>) -> tensor<3xcomplex<f32>>
// CHECK:         func.return %[[Z]]
func.func @mul$complex_arguments(%a: tensor<3xcomplex<f32>>, %b: tensor<3xcomplex<f32>>) -> tensor<3xcomplex<f32>> {
  %m = aten.mul.Tensor %a, %b : (tensor<3xcomplex<f32>>, tensor<3xcomplex<f32>>) -> tensor<3xcomplex<f32>>
  func.return %m : tensor<3xcomplex<f32>>
}

// -----

// view_as_complex and view_as_real vanish: the pair form is the real tensor itself.
// conj(a + bi) = (a, -b).
// CHECK-LABEL: func.func @_conj$views_are_free(
// CHECK-SAME:      %[[X:.*]]: tensor<2x3x2xf32>)
// CHECK-NOT:     view_as
// CHECK:         %[[RE:.*]] = aten.select.int %[[X]] {dim = -1 : i64, index = 0 : i64}
// CHECK:         %[[IM:.*]] = aten.select.int %[[X]] {dim = -1 : i64, index = 1 : i64}
// CHECK:         %[[NEG:.*]] = aten.neg %[[IM]]
// CHECK:         %[[P:.*]] = aten.stack %[[RE]], %[[NEG]] {dim = -1 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3x2xf32>
// CHECK-NOT:     view_as
// CHECK:         func.return %[[P]]
func.func @_conj$views_are_free(%x: tensor<2x3x2xf32>) -> tensor<2x3x2xf32> {
  %z = aten.view_as_complex %x : (tensor<2x3x2xf32>) -> tensor<2x3xcomplex<f32>>
  %c = aten._conj %z : (tensor<2x3xcomplex<f32>>) -> tensor<2x3xcomplex<f32>>
  %r = aten.view_as_real %c : (tensor<2x3xcomplex<f32>>) -> tensor<2x3x2xf32>
  func.return %r : tensor<2x3x2xf32>
}

// -----

// Layout ops and reductions act on the leading dims: a negative dim is counted from the
// end of the complex tensor, so it is made non-negative.
// CHECK-LABEL: func.func @slice.Tensor$negative_dim(
// CHECK-SAME:      %[[X:.*]]: tensor<2x5x2xf32>)
// CHECK:         %[[S:.*]] = aten.slice.Tensor %[[X]] {dim = 1 : i64, end = 3 : i64, start = 0 : i64} : (tensor<2x5x2xf32>) -> tensor<2x3x2xf32>
// CHECK:         %[[SUM:.*]] = aten.sum.dim_IntList %[[S]] {dim = [0], dtype = f32, keepdim = true} : (tensor<2x3x2xf32>) -> tensor<1x3x2xf32>
// CHECK:         func.return %[[S]], %[[SUM]]
func.func @slice.Tensor$negative_dim(%x: tensor<2x5x2xf32>) -> (tensor<2x3x2xf32>, tensor<1x3x2xf32>) {
  %z = aten.view_as_complex %x : (tensor<2x5x2xf32>) -> tensor<2x5xcomplex<f32>>
  %s = aten.slice.Tensor %z {dim = -1, start = 0, end = 3} : (tensor<2x5xcomplex<f32>>) -> tensor<2x3xcomplex<f32>>
  %sum = aten.sum.dim_IntList %s {dim = [-2], keepdim = true} : (tensor<2x3xcomplex<f32>>) -> tensor<1x3xcomplex<f32>>
  %r = aten.view_as_real %s : (tensor<2x3xcomplex<f32>>) -> tensor<2x3x2xf32>
  %r2 = aten.view_as_real %sum : (tensor<1x3xcomplex<f32>>) -> tensor<1x3x2xf32>
  func.return %r, %r2 : tensor<2x3x2xf32>, tensor<1x3x2xf32>
}

// -----

// The FFT ops stay complex: their result is read through view_as_real, their operand is
// view_as_complex of a pair form. A Scalar is the pair (s, 0).
// CHECK-LABEL: func.func @_fft_r2c$stays_complex(
// CHECK:         %[[F:.*]] = aten._fft_r2c
// CHECK:         %[[PF:.*]] = aten.view_as_real %[[F]] : (tensor<2x5xcomplex<f32>>) -> tensor<2x5x2xf32>
// CHECK:         %[[S:.*]] = aten.scalar_tensor {dtype = f32, s = 2.0 : f64}
// CHECK:         %[[S1:.*]] = aten.unsqueeze %[[S]] {dim = -1 : i64}
// CHECK:         %[[PS:.*]] = aten.constant_pad_nd %[[S1]] {pad = [0, 1]} : (tensor<1xf32>) -> tensor<2xf32>
// CHECK:         %[[P:.*]] = aten.stack
// CHECK:         %[[Z:.*]] = aten.view_as_complex %[[P]] : (tensor<2x5x2xf32>) -> tensor<2x5xcomplex<f32>>
// CHECK:         %[[B:.*]] = aten._fft_c2r %[[Z]]
// CHECK:         func.return %[[B]]
func.func @_fft_r2c$stays_complex(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %f = aten._fft_r2c %x {dim = [1], normalization = 0, onesided = true} : (tensor<2x8xf32>) -> tensor<2x5xcomplex<f32>>
  %m = aten.mul.Scalar %f {other = 2} : (tensor<2x5xcomplex<f32>>) -> tensor<2x5xcomplex<f32>>
  %b = aten._fft_c2r %m {dim = [1], normalization = 2, last_dim_size = 8} : (tensor<2x5xcomplex<f32>>) -> tensor<2x8xf32>
  func.return %b : tensor<2x8xf32>
}

// -----

// |a + bi| = m sqrt(1 + (n / m)^2) with m = max(|a|, |b|), n = min(|a|, |b|); 0 at m = 0,
// inf when a part is; the real result keeps its name.
// CHECK-LABEL: func.func @abs$real_result(
// CHECK:         %[[M:.*]] = aten.maximum
// CHECK:         %[[N:.*]] = aten.minimum
// CHECK:         aten.div.Tensor %[[N]], %[[M]]
// CHECK:         aten.sqrt
// CHECK:         %a = aten.where.self
// CHECK:         func.return %a : tensor<4xf64>
func.func @abs$real_result(%x: tensor<4x2xf64>) -> tensor<4xf64> {
  %z = aten.view_as_complex %x : (tensor<4x2xf64>) -> tensor<4xcomplex<f64>>
  %a = aten.abs %z : (tensor<4xcomplex<f64>>) -> tensor<4xf64>
  func.return %a : tensor<4xf64>
}

// -----

// An op outside the table keeps its complex tensors (the native backend names it).
// CHECK-LABEL: func.func @mm$left_complex(
// CHECK-SAME:      %[[A:.*]]: tensor<2x2xcomplex<f32>>)
// CHECK:         %[[P:.*]] = aten.stack
// CHECK:         %[[C:.*]] = aten.view_as_complex %[[P]]
// CHECK:         %m = aten.mm %[[C]], %[[A]] : (tensor<2x2xcomplex<f32>>, tensor<2x2xcomplex<f32>>) -> tensor<2x2xcomplex<f32>>
// CHECK:         func.return %m
func.func @mm$left_complex(%a: tensor<2x2xcomplex<f32>>) -> tensor<2x2xcomplex<f32>> {
  %c = aten._conj %a : (tensor<2x2xcomplex<f32>>) -> tensor<2x2xcomplex<f32>>
  %m = aten.mm %c, %a : (tensor<2x2xcomplex<f32>>, tensor<2x2xcomplex<f32>>) -> tensor<2x2xcomplex<f32>>
  func.return %m : tensor<2x2xcomplex<f32>>
}
