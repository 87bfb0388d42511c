// Every inference and attribute error of the aten verifier, one per chunk.
// RUN: joinery-opt %s --split-input-file --verify-diagnostics

func.func @mm$inner(%a: tensor<4x3xf32>, %b: tensor<2x5xf32>) {
  // expected-error@+1 {{aten.mm: operand shapes 4x3 and 2x5 are incompatible (3 != 2)}}
  %0 = aten.mm %a, %b : (tensor<4x3xf32>, tensor<2x5xf32>) -> tensor<4x5xf32>
  func.return
}

// -----

func.func @add$broadcast(%a: tensor<4x3xf32>, %b: tensor<5x3xf32>) {
  // expected-error@+1 {{aten.add.Tensor: operand shapes 4x3 and 5x3 are not broadcastable (4 != 5)}}
  %0 = aten.add.Tensor %a, %b : (tensor<4x3xf32>, tensor<5x3xf32>) -> tensor<4x3xf32>
  func.return
}

// -----

func.func @relu$result_dtype(%a: tensor<4xf32>) {
  // expected-error@+1 {{aten.relu: result #0 is declared tensor<4xf64> but inferred tensor<4xf32>}}
  %0 = aten.relu %a : (tensor<4xf32>) -> tensor<4xf64>
  func.return
}

// -----

func.func @mul$scalar_promotion(%a: tensor<4xi32>) {
  // expected-error@+1 {{aten.mul.Scalar: result #0 is declared tensor<4xi32> but inferred tensor<4xf32>}}
  %0 = aten.mul.Scalar %a {other = 2.5 : f64} : (tensor<4xi32>) -> tensor<4xi32>
  func.return
}

// -----

func.func @add$float_alpha(%a: tensor<4xi64>) {
  // expected-error@+1 {{aten.add.Tensor: alpha must not be a floating point number for i64 inputs}}
  %0 = aten.add.Tensor %a, %a {alpha = 0.5 : f64} : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  func.return
}

// -----

func.func @sum$dim_out_of_range(%a: tensor<4x2xf32>) {
  // expected-error@+1 {{aten.sum.dim_IntList: dimension 2 is out of range for a tensor of rank 2 (expected -2..=1)}}
  %0 = aten.sum.dim_IntList %a {dim = [2]} : (tensor<4x2xf32>) -> tensor<4xf32>
  func.return
}

// -----

func.func @sum$keepdim_shape(%a: tensor<4x2xf32>) {
  // expected-error@+1 {{aten.sum.dim_IntList: result #0 is declared tensor<2xf32> but inferred tensor<1x2xf32>}}
  %0 = aten.sum.dim_IntList %a {dim = [0], keepdim = true} : (tensor<4x2xf32>) -> tensor<2xf32>
  func.return
}

// -----

func.func @mean$integer(%a: tensor<4x2xi64>) {
  // expected-error@+1 {{aten.mean.dim: could not infer the output dtype: the input dtype must be floating point, got i64}}
  %0 = aten.mean.dim %a {dim = [0]} : (tensor<4x2xi64>) -> tensor<2xi64>
  func.return
}

// -----

func.func @view$numel(%a: tensor<4x6xf32>) {
  // expected-error@+1 {{aten.view: shape [5, -1] is invalid for input of size 24}}
  %0 = aten.view %a {size = [5, -1]} : (tensor<4x6xf32>) -> tensor<5x5xf32>
  func.return
}

// -----

func.func @expand$non_singleton(%a: tensor<3x2xf32>) {
  // expected-error@+1 {{aten.expand: the expanded size 4 must match the existing size 2 at non-singleton dimension 1}}
  %0 = aten.expand %a {size = [3, 4]} : (tensor<3x2xf32>) -> tensor<3x4xf32>
  func.return
}

// -----

func.func @permute$repeat(%a: tensor<2x3x4xf32>) {
  // expected-error@+1 {{aten.permute: permute dims [0, 0, 1] repeat dim 0}}
  %0 = aten.permute %a {dims = [0, 0, 1]} : (tensor<2x3x4xf32>) -> tensor<2x2x3xf32>
  func.return
}

// -----

func.func @select$index(%a: tensor<4x3xf32>) {
  // expected-error@+1 {{aten.select.int: index 4 is out of range for dimension 0 of size 4}}
  %0 = aten.select.int %a {dim = 0 : i64, index = 4 : i64} : (tensor<4x3xf32>) -> tensor<3xf32>
  func.return
}

// -----

func.func @split$sizes(%a: tensor<10x4xf32>) {
  // expected-error@+1 {{aten.split_with_sizes: split_sizes [3, 6] must sum to 10, the size of dimension 0}}
  %0:2 = aten.split_with_sizes %a {split_sizes = [3, 6]} : (tensor<10x4xf32>) -> (tensor<3x4xf32>, tensor<6x4xf32>)
  func.return
}

// -----

func.func @split$result_count(%a: tensor<10x4xf32>) {
  // expected-error@+1 {{aten.split_with_sizes: expected 3 result(s), but the op declares 2}}
  %0:2 = aten.split_with_sizes %a {split_sizes = [3, 3, 4]} : (tensor<10x4xf32>) -> (tensor<3x4xf32>, tensor<3x4xf32>)
  func.return
}

// -----

func.func @cat$sizes(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) {
  // expected-error@+1 {{aten.cat: sizes of tensors must match except in the concatenated dimension: expected 3 but got 4 at dimension 1 for tensor 1}}
  %0 = aten.cat %a, %b : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x3xf32>
  func.return
}

// -----

func.func @where$condition(%c: tensor<4xf32>, %a: tensor<4xf32>) {
  // expected-error@+1 {{aten.where.self: condition must be a bool (i1) tensor, got f32}}
  %0 = aten.where.self %c, %a, %a : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return
}

// -----

func.func @clamp$no_bounds(%a: tensor<4xf32>) {
  // expected-error@+1 {{aten.clamp: at least one of 'min' or 'max' must not be None}}
  %0 = aten.clamp %a : (tensor<4xf32>) -> tensor<4xf32>
  func.return
}

// -----

func.func @softmax$missing_attr(%a: tensor<2x3xf32>) {
  // expected-error@+1 {{aten._softmax: requires attribute 'half_to_float' (bool)}}
  %0 = aten._softmax %a {dim = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  func.return
}

// -----

func.func @sum$unknown_attr(%a: tensor<4x2xf32>) {
  // expected-error@+1 {{aten.sum.dim_IntList: unknown attribute 'dims' (the schema's attributes are: dim, keepdim, dtype)}}
  %0 = aten.sum.dim_IntList %a {dims = [0]} : (tensor<4x2xf32>) -> tensor<2xf32>
  func.return
}

// -----

func.func @sum$attr_kind(%a: tensor<4x2xf32>) {
  // expected-error@+1 {{aten.sum.dim_IntList: attribute 'keepdim' must be a boolean for schema type bool, got an integer}}
  %0 = aten.sum.dim_IntList %a {dim = [0], keepdim = 1 : i64} : (tensor<4x2xf32>) -> tensor<2xf32>
  func.return
}

// -----

func.func @add$operand_count(%a: tensor<4xf32>) {
  // expected-error@+1 {{aten.add.Tensor: expects 2 operand(s) (Tensor self, Tensor other), got 1}}
  %0 = aten.add.Tensor %a : (tensor<4xf32>) -> tensor<4xf32>
  func.return
}

// -----

func.func @layer_norm$ambiguous_optionals(%x: tensor<2x8xf32>, %w: tensor<8xf32>) {
  // expected-error@+1 {{aten.native_layer_norm: has 2 operand(s) for tensor arguments (Tensor input, Tensor? weight, Tensor? bias); when only some optional tensors are present, 'operandSegmentSizes' must say which}}
  %0:3 = aten.native_layer_norm %x, %w {eps = 1.0e-05 : f64, normalized_shape = [8]} : (tensor<2x8xf32>, tensor<8xf32>) -> (tensor<2x8xf32>, tensor<2x1xf32>, tensor<2x1xf32>)
  func.return
}

// -----

func.func @layer_norm$normalized_shape(%x: tensor<2x7xf32>) {
  // expected-error@+1 {{aten.native_layer_norm: normalized_shape [8] does not match the trailing dims of input shape 2x7}}
  %0:3 = aten.native_layer_norm %x {eps = 1.0e-05 : f64, normalized_shape = [8]} : (tensor<2x7xf32>) -> (tensor<2x7xf32>, tensor<2x1xf32>, tensor<2x1xf32>)
  func.return
}

// -----

func.func @nll_loss$batch(%x: tensor<4x10xf32>, %t: tensor<5xi64>) {
  // expected-error@+1 {{aten.nll_loss_forward: size mismatch (got self 4x10, target 5)}}
  %0:2 = aten.nll_loss_forward %x, %t {ignore_index = -100 : i64, reduction = 1 : i64} : (tensor<4x10xf32>, tensor<5xi64>) -> (tensor<f32>, tensor<f32>)
  func.return
}

// -----

func.func @batch_norm$channels(%x: tensor<2x3x4xf32>, %m: tensor<4xf32>) {
  // expected-error@+1 {{aten._native_batch_norm_legit_functional: running_mean must have one element per channel (3), got shape 4}}
  %0:5 = aten._native_batch_norm_legit_functional %x, %m, %m {eps = 1.0e-05 : f64, momentum = 0.1 : f64, training = true} : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  func.return
}

// -----

func.func @conv$channels(%x: tensor<2x4x8x8xf32>, %w: tensor<16x3x3x3xf32>) {
  // expected-error@+1 {{aten.convolution: input of shape 2x4x8x8 has 4 channels, but weight of shape 16x3x3x3 with groups=1 expects 3}}
  %0 = aten.convolution %x, %w {dilation = [1], groups = 1 : i64, output_padding = [0], padding = [1], stride = [1], transposed = false} : (tensor<2x4x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<2x16x8x8xf32>
  func.return
}

// -----

func.func @max_pool$padding(%x: tensor<2x3x8x8xf32>) {
  // expected-error@+1 {{aten.max_pool2d_with_indices: pad should be at most half of the kernel size, but got pad=2 and kernel_size=3}}
  %0:2 = aten.max_pool2d_with_indices %x {kernel_size = [3, 3], padding = [2, 2]} : (tensor<2x3x8x8xf32>) -> (tensor<2x3x8x8xf32>, tensor<2x3x8x8xi64>)
  func.return
}

// -----

func.func @embedding$indices(%w: tensor<10x4xf32>, %i: tensor<3xf32>) {
  // expected-error@+1 {{aten.embedding: indices must have an integer dtype, got f32}}
  %0 = aten.embedding %w, %i : (tensor<10x4xf32>, tensor<3xf32>) -> tensor<3x4xf32>
  func.return
}

// -----

func.func @dropout$probability(%x: tensor<4xf32>) {
  // expected-error@+1 {{aten.native_dropout: dropout probability has to be between 0 and 1, got 1.5}}
  %0:2 = aten.native_dropout %x {p = 1.5 : f64, train = true} : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xi1>)
  func.return
}

// -----

func.func @gelu$approximate(%x: tensor<4xf32>) {
  // expected-error@+1 {{aten.gelu: approximate must be 'none' or 'tanh', got 'erf'}}
  %0 = aten.gelu %x {approximate = "erf"} : (tensor<4xf32>) -> tensor<4xf32>
  func.return
}

// -----

func.func @arange$step(%x: tensor<4xf32>) {
  // expected-error@+1 {{aten.arange.start_step: step must be nonzero}}
  %0 = aten.arange.start_step {end = 5 : i64, start = 0 : i64, step = 0 : i64} : () -> tensor<5xi64>
  func.return
}

// -----

func.func @add_$broadcast_into_self(%x: tensor<3xf32>, %y: tensor<2x3xf32>) {
  // expected-error@+1 {{aten.add_.Tensor: output with shape 3 doesn't match the broadcast shape 2x3}}
  %0 = aten.add_.Tensor %x, %y : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<3xf32>
  func.return
}

// -----

func.func @div_$integer_self(%x: tensor<3xi64>) {
  // expected-error@+1 {{aten.div_.Tensor: result type f32 can't be cast to the desired output type i64}}
  %0 = aten.div_.Tensor %x, %x : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  func.return
}

// -----

func.func @mul$non_tensor_operand(%x: tensor<3xf32>, %s: f32) {
  // expected-error@+1 {{aten.mul.Tensor: operand #1 ('other') must be a tensor of bool, integer or float elements}}
  %0 = aten.mul.Tensor %x, %s : (tensor<3xf32>, f32) -> tensor<3xf32>
  func.return
}

// -----

func.func @bitwise_not$float(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{bitwise ops are only defined on integer and bool tensors, got f32}}
  %r = aten.bitwise_not %x : (tensor<4xf32>) -> tensor<4xf32>
  func.return %r : tensor<4xf32>
}

// -----

func.func @mul$none_operand(%x: tensor<3xf32>) {
  %none = "aot.none"() : () -> none
  // expected-error@+1 {{aten.mul.Tensor: operand #1 ('other') must be a tensor of bool, integer or float elements (a 'none' value stands only for a None entry of a Tensor?[] list)}}
  %0 = aten.mul.Tensor %x, %none : (tensor<3xf32>, none) -> tensor<3xf32>
  func.return
}

// -----

func.func @_scaled_dot_product_flash_attention_for_cpu$mask_dtype(%q: tensor<1x2x4x8xf32>, %m: tensor<4x4xi1>) -> tensor<1x2x4x8xf32> {
  // expected-error@+1 {{the attention mask and query must have the same dtype, got f32 and i1}}
  %r:2 = aten._scaled_dot_product_flash_attention_for_cpu %q, %q, %q, %m : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<4x4xi1>) -> (tensor<1x2x4x8xf32>, tensor<1x2x4xf32>)
  func.return %r#0 : tensor<1x2x4x8xf32>
}

// -----

func.func @index$none_entries_too_many(%x: tensor<2x5xf32>, %i: tensor<3xi64>) {
  %none = "aot.none"() : () -> none
  // expected-error@+1 {{aten.index.Tensor: too many indices for a tensor of rank 2 (got 3)}}
  %0 = "aten.index.Tensor"(%x, %none, %none, %i) : (tensor<2x5xf32>, none, none, tensor<3xi64>) -> tensor<3xf32>
  func.return
}

// -----

// PyTorch's core decompositions can pass the attention probabilities where the backward
// expects the forward's log-sum-exp: refused, never computed with.
func.func @_scaled_dot_product_flash_attention_for_cpu_backward$logsumexp_shape(%q: tensor<1x2x4x8xf32>, %p: tensor<1x2x4x4xf32>) {
  // expected-error@+1 {{logsumexp 1x2x4x4 must have the query's shape without its last dim, 1x2x4}}
  %r:3 = aten._scaled_dot_product_flash_attention_for_cpu_backward %q, %q, %q, %q, %q, %p {dropout_p = 0.0 : f64, is_causal = false} : (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x4xf32>) -> (tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>)
  func.return
}

// -----

func.func @grid_sampler_2d$batch(%x: tensor<2x3x4x5xf32>, %g: tensor<1x4x5x2xf32>) {
  // expected-error@+1 {{grid and input must have the same batch size, got 1 and 2}}
  %0 = aten.grid_sampler_2d %x, %g {interpolation_mode = 0, padding_mode = 0, align_corners = false} : (tensor<2x3x4x5xf32>, tensor<1x4x5x2xf32>) -> tensor<2x3x4x5xf32>
  func.return
}

// -----

func.func @_cdist_forward$columns(%a: tensor<4x3xf32>, %b: tensor<5x2xf32>) {
  // expected-error@+1 {{x1 and x2 must have the same number of columns, got 3 and 2}}
  %0 = aten._cdist_forward %a, %b {p = 2.0} : (tensor<4x3xf32>, tensor<5x2xf32>) -> tensor<4x5xf32>
  func.return
}

// -----

// An out= overload writes its result into `out`, which must have the result's shape.
func.func @atan2.out$shape(%a: tensor<3xf32>, %b: tensor<3xf32>, %o: !aten.ref<tensor<4xf32>>) {
  // expected-error@+1 {{output with shape 4 doesn't match the broadcast shape 3}}
  %0 = aten.atan2.out %a, %b, %o : (tensor<3xf32>, tensor<3xf32>, !aten.ref<tensor<4xf32>>) -> !aten.ref<tensor<4xf32>>
  func.return
}

// -----

// col2im's columns must hold one column per sliding block of the output image.
func.func @col2im$blocks(%c: tensor<2x18x21xf32>) {
  // expected-error@+1 {{aten.col2im: given output_size=[6, 7], kernel_size=[2, 3], expected input.size(-1) to be 20 but got 21}}
  %0 = aten.col2im %c {dilation = [1, 1], kernel_size = [2, 3], output_size = [6, 7], padding = [1, 0], stride = [2, 1]} : (tensor<2x18x21xf32>) -> tensor<2x3x6x7xf32>
  func.return
}

// -----

func.func @max_pool3d$rank(%x: tensor<3x6x7xf32>) {
  // expected-error@+1 {{aten.max_pool3d_with_indices: self must have rank 4 or 5, got shape 3x6x7}}
  %0:2 = aten.max_pool3d_with_indices %x {kernel_size = [2, 2, 2]} : (tensor<3x6x7xf32>) -> (tensor<3x3x3xf32>, tensor<3x3x3xi64>)
  func.return
}

// -----

func.func @squeeze_dims$repeated(%x: tensor<1x2xf32>) {
  // expected-error@+1 {{aten.squeeze.dims: dim 0 appears multiple times in the list of dims}}
  %0 = aten.squeeze.dims %x {dim = [0, -2]} : (tensor<1x2xf32>) -> tensor<2xf32>
  func.return
}
