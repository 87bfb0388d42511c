// Scaled dot-product attention as the CPU flash kernel leaves it in a joint, forward and
// backward: the native backend (aten-decompose to bmm and a softmax) must agree with the
// interpreter (tools/native/tests/native.rs runs every function of this file).

func.func @causal_attention(%q: tensor<2x2x4x8xf32>, %k: tensor<2x2x6x8xf32>, %v: tensor<2x2x6x8xf32>, %g: tensor<2x2x4x8xf32>) -> (tensor<2x2x4x8xf32>, tensor<2x2x4xf32>, tensor<2x2x4x8xf32>, tensor<2x2x6x8xf32>, tensor<2x2x6x8xf32>) {
  %f:2 = aten._scaled_dot_product_flash_attention_for_cpu %q, %k, %v {dropout_p = 0.0 : f64, is_causal = true} : (tensor<2x2x4x8xf32>, tensor<2x2x6x8xf32>, tensor<2x2x6x8xf32>) -> (tensor<2x2x4x8xf32>, tensor<2x2x4xf32>)
  %b:3 = aten._scaled_dot_product_flash_attention_for_cpu_backward %g, %q, %k, %v, %f#0, %f#1 {dropout_p = 0.0 : f64, is_causal = true} : (tensor<2x2x4x8xf32>, tensor<2x2x4x8xf32>, tensor<2x2x6x8xf32>, tensor<2x2x6x8xf32>, tensor<2x2x4x8xf32>, tensor<2x2x4xf32>) -> (tensor<2x2x4x8xf32>, tensor<2x2x6x8xf32>, tensor<2x2x6x8xf32>)
  func.return %f#0, %f#1, %b#0, %b#1, %b#2 : tensor<2x2x4x8xf32>, tensor<2x2x4xf32>, tensor<2x2x4x8xf32>, tensor<2x2x6x8xf32>, tensor<2x2x6x8xf32>
}

func.func @masked_attention(%q: tensor<3x1x4x8xf32>, %k: tensor<3x1x5x8xf32>, %v: tensor<3x1x5x8xf32>, %m: tensor<4x5xf32>) -> (tensor<3x1x4x8xf32>, tensor<3x1x4xf32>) {
  %f:2 = aten._scaled_dot_product_flash_attention_for_cpu %q, %k, %v, %m {dropout_p = 0.0 : f64, is_causal = false, scale = 0.25 : f64} : (tensor<3x1x4x8xf32>, tensor<3x1x5x8xf32>, tensor<3x1x5x8xf32>, tensor<4x5xf32>) -> (tensor<3x1x4x8xf32>, tensor<3x1x4xf32>)
  func.return %f#0, %f#1 : tensor<3x1x4x8xf32>, tensor<3x1x4xf32>
}
