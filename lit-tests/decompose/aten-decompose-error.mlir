// aten-decompose diagnostics: with strict=true, a selected op the pass cannot decompose is
// an error naming the op and the reason (by default it is left alone, see aten-decompose.mlir).
// RUN: joinery-opt %s --split-input-file --verify-diagnostics --aten-decompose=strict=true
// RUN: not joinery-opt %s --split-input-file --aten-decompose=ops=addmm 2>&1 | FileCheck %s --check-prefix=UNKNOWN

// UNKNOWN: error: aten-decompose has no decomposition of 'aten.addmm' (ops=...); it decomposes aten._softmax, aten.softmax.int,

func.func @mean.dim$dynamic(%x: tensor<?x5xf32>) -> tensor<?xf32> {
  // expected-error@+1 {{cannot decompose 'aten.mean.dim': it needs static shapes to count the elements it averages}}
  %mean = aten.mean.dim %x {dim = [-1]} : (tensor<?x5xf32>) -> tensor<?xf32>
  func.return %mean : tensor<?xf32>
}

// -----

func.func @_softmax$dynamic_dim(%x: tensor<3x?xf32>) -> tensor<3x?xf32> {
  // expected-error@+1 {{cannot decompose 'aten._softmax': it reduces a dynamic dim, which may be empty (amax is undefined)}}
  %softmax = aten._softmax %x {dim = 1, half_to_float = false} : (tensor<3x?xf32>) -> tensor<3x?xf32>
  func.return %softmax : tensor<3x?xf32>
}

// -----

func.func @_softmax$unranked(%x: tensor<*xf32>) -> tensor<*xf32> {
  // expected-error@+1 {{cannot decompose 'aten._softmax': 'self' is unranked}}
  %softmax = aten._softmax %x {dim = 0, half_to_float = false} : (tensor<*xf32>) -> tensor<*xf32>
  func.return %softmax : tensor<*xf32>
}

// -----

func.func @nll_loss_forward$dynamic_classes(%x: tensor<4x?xf32>, %t: tensor<4xi64>) -> tensor<f32> {
  // expected-error@+1 {{cannot decompose 'aten.nll_loss_forward': the class count (last dim of 'self') is dynamic}}
  %loss:2 = aten.nll_loss_forward %x, %t {ignore_index = -100, reduction = 1} : (tensor<4x?xf32>, tensor<4xi64>) -> (tensor<f32>, tensor<f32>)
  func.return %loss#0 : tensor<f32>
}

// -----

func.func @nll_loss_backward$dynamic_classes(%g: tensor<f32>, %x: tensor<4x?xf32>, %t: tensor<4xi64>, %tw: tensor<f32>) -> tensor<4x?xf32> {
  // expected-error@+1 {{cannot decompose 'aten.nll_loss_backward': the class count (last dim of 'self') is dynamic}}
  %grad = aten.nll_loss_backward %g, %x, %t, %tw {ignore_index = -100, reduction = 1} : (tensor<f32>, tensor<4x?xf32>, tensor<4xi64>, tensor<f32>) -> tensor<4x?xf32>
  func.return %grad : tensor<4x?xf32>
}

// -----

// The declared '?' is valid IR, but the decomposition knows the size: replacing the
// result would change its type.
func.func @gelu$less_precise_result(%x: tensor<3x5xf32>) -> tensor<3x?xf32> {
  // expected-error@+1 {{cannot decompose 'aten.gelu': result #0 would change type from tensor<3x?xf32> to tensor<3x5xf32>}}
  %gelu = aten.gelu %x : (tensor<3x5xf32>) -> tensor<3x?xf32>
  func.return %gelu : tensor<3x?xf32>
}

// -----

func.func @native_layer_norm_backward$used_dynamic_zero(%g: tensor<?x8xf32>, %x: tensor<?x8xf32>, %m: tensor<?x1xf32>, %r: tensor<?x1xf32>) -> tensor<?x8xf32> {
  // expected-error@+1 {{cannot decompose 'aten.native_layer_norm_backward': a result it does not compute is used and has a dynamic shape}}
  %grads:3 = aten.native_layer_norm_backward %g, %x, %m, %r {normalized_shape = [8], output_mask = [false, true, true]} : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x1xf32>, tensor<?x1xf32>) -> (tensor<?x8xf32>, tensor<8xf32>, tensor<8xf32>)
  func.return %grads#0 : tensor<?x8xf32>
}

// -----

func.func @var.correction$no_degrees_of_freedom(%x: tensor<3x1xf32>) -> tensor<3xf32> {
  // expected-error@+1 {{cannot decompose 'aten.var.correction': N - correction = 0 is not positive}}
  %var = aten.var.correction %x {dim = [1]} : (tensor<3x1xf32>) -> tensor<3xf32>
  func.return %var : tensor<3xf32>
}

// -----

func.func @native_batch_norm$training_one_element(%x: tensor<1x3xf32>) -> tensor<1x3xf32> {
  // expected-error@+1 {{cannot decompose 'aten.native_batch_norm': training needs more than one element per channel}}
  %bn:3 = aten.native_batch_norm %x {eps = 1.0e-05, momentum = 0.1, training = true} : (tensor<1x3xf32>) -> (tensor<1x3xf32>, tensor<3xf32>, tensor<3xf32>)
  func.return %bn#0 : tensor<1x3xf32>
}

// -----

func.func @native_batch_norm$eval_without_running_stats(%x: tensor<4x3xf32>) -> tensor<4x3xf32> {
  // expected-error@+1 {{cannot decompose 'aten.native_batch_norm': evaluation mode needs running statistics}}
  %bn:3 = aten.native_batch_norm %x {eps = 1.0e-05, momentum = 0.1, training = false} : (tensor<4x3xf32>) -> (tensor<4x3xf32>, tensor<0xf32>, tensor<0xf32>)
  func.return %bn#0 : tensor<4x3xf32>
}
