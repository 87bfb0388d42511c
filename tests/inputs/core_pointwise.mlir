// The core pointwise ops and activations beyond the first backend's set, in plain
// functions: the native backend (kernel scalar ops, or aten-decompose) must agree with the
// interpreter on each (tools/native/tests/native.rs runs every function of this file).

func.func @unary_math(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %half = aten.mul.Scalar %x {other = 0.9 : f64} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %asin = aten.asin %half : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %acos = aten.acos %half : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %atanh = aten.atanh %half : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %atan = aten.atan %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %tan = aten.tan %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %sinh = aten.sinh %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %sq = aten.mul.Tensor %x, %x : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %above1 = aten.add.Scalar %sq {other = 1.5 : f64, alpha = 1 : i64} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %acosh = aten.acosh %above1 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %log2 = aten.log2 %above1 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %log10 = aten.log10 %above1 : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %cosh = aten.cosh %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %asinh = aten.asinh %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %s = aten.add.Tensor %cosh, %asinh {alpha = 1 : i64} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  func.return %asin, %acos, %atanh, %atan, %tan, %sinh, %acosh, %log2, %s : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

func.func @rounding_and_remainders(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %big = aten.mul.Scalar %x {other = 7.0 : f64} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %floor = aten.floor %big : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %ceil = aten.ceil %big : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %round = aten.round %big : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %trunc = aten.trunc %big : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %fmod = aten.fmod.Tensor %big, %y : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %rem = aten.remainder.Scalar %big {other = -1.5 : f64} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %atan2 = aten.atan2 %x, %y : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %pow = aten.pow.Scalar %x {self = 2.0 : f64} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  func.return %floor, %ceil, %round, %trunc, %fmod, %rem, %atan2, %pow : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

func.func @bits_and_logic(%i: tensor<4x8xi64>, %j: tensor<4x8xi64>, %b: tensor<4x8xi1>, %x: tensor<4x8xf32>) -> (tensor<4x8xi64>, tensor<4x8xi64>, tensor<4x8xi64>, tensor<4x8xi64>, tensor<4x8xi1>, tensor<4x8xi1>, tensor<4x8xi1>, tensor<4x8xi1>, tensor<4x8xi1>, tensor<4x8xi64>) {
  %and = aten.bitwise_and.Tensor %i, %j : (tensor<4x8xi64>, tensor<4x8xi64>) -> tensor<4x8xi64>
  %or = aten.bitwise_or.Scalar %i {other = 6 : i64} : (tensor<4x8xi64>) -> tensor<4x8xi64>
  %xor = aten.bitwise_xor.Tensor %i, %j : (tensor<4x8xi64>, tensor<4x8xi64>) -> tensor<4x8xi64>
  %not = aten.bitwise_not %i : (tensor<4x8xi64>) -> tensor<4x8xi64>
  %land = aten.logical_and %x, %b : (tensor<4x8xf32>, tensor<4x8xi1>) -> tensor<4x8xi1>
  %lor = aten.logical_or %i, %b : (tensor<4x8xi64>, tensor<4x8xi1>) -> tensor<4x8xi1>
  %lxor = aten.logical_xor %b, %land : (tensor<4x8xi1>, tensor<4x8xi1>) -> tensor<4x8xi1>
  %r = aten.reciprocal %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %zero = aten.mul.Scalar %x {other = 0.0 : f64} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %nan = aten.div.Tensor %zero, %zero : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %isnan = aten.isnan %nan : (tensor<4x8xf32>) -> tensor<4x8xi1>
  %inf = aten.div.Tensor %x, %zero : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %isinf = aten.isinf %inf : (tensor<4x8xf32>) -> tensor<4x8xi1>
  %imod = aten.remainder.Scalar %i {other = -3 : i64} : (tensor<4x8xi64>) -> tensor<4x8xi64>
  func.return %and, %or, %xor, %not, %land, %lor, %lxor, %isnan, %isinf, %imod : tensor<4x8xi64>, tensor<4x8xi64>, tensor<4x8xi64>, tensor<4x8xi64>, tensor<4x8xi1>, tensor<4x8xi1>, tensor<4x8xi1>, tensor<4x8xi1>, tensor<4x8xi1>, tensor<4x8xi64>
}

func.func @activations(%x: tensor<4x8xf32>, %g: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %w = aten.mul.Scalar %x {other = 4.0 : f64} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %silu = aten.silu %w : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %elu = aten.elu %w {alpha = 1.5 : f64} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %leaky = aten.leaky_relu %w {negative_slope = 0.1 : f64} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %ht = aten.hardtanh %w : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %hs = aten.hardswish %w : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %hsig = aten.hardsigmoid %w : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %mish = aten.mish %w : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %sp = aten.softplus %w {beta = 2.0 : f64, threshold = 3.0 : f64} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  func.return %silu, %elu, %leaky, %ht, %hs, %hsig, %mish, %sp : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

func.func @activation_backwards(%x: tensor<4x8xf32>, %g: tensor<4x8xf32>, %t: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<f32>) {
  %w = aten.mul.Scalar %x {other = 4.0 : f64} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %silu = aten.silu_backward %g, %w : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %elu = aten.elu_backward %g, %w {alpha = 1.5 : f64, scale = 1.0 : f64, input_scale = 1.0 : f64, is_result = false} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %leaky = aten.leaky_relu_backward %g, %w {negative_slope = 0.1 : f64, self_is_result = false} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %ht = aten.hardtanh_backward %g, %w {min_val = -1.0 : f64, max_val = 1.0 : f64} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %hs = aten.hardswish_backward %g, %w : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %hsig = aten.hardsigmoid_backward %g, %w : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %mish = aten.mish_backward %g, %w : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %sp = aten.softplus_backward %g, %w {beta = 2.0 : f64, threshold = 3.0 : f64} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %mse = aten.mse_loss %x, %t : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<f32>
  %one = aten.ones_like %mse : (tensor<f32>) -> tensor<f32>
  %dmse = aten.mse_loss_backward %one, %x, %t {reduction = 1 : i64} : (tensor<f32>, tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  func.return %silu, %elu, %leaky, %ht, %hs, %hsig, %mish, %sp, %dmse, %mse : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<f32>
}
