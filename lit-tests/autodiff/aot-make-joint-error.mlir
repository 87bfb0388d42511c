// aot-make-joint diagnostics: what it cannot differentiate, and why.
// RUN: joinery-opt %s --split-input-file --verify-diagnostics --aot-make-joint
// RUN: not joinery-opt %s --split-input-file --aot-make-joint="plain-requires-grad=5" -o /dev/null 2>&1 | FileCheck %s --check-prefix=LISTED

// LISTED: error: aot-make-joint: plain-requires-grad lists 5, but no argument is #aot.plain<5>

// A gradient reaching an op without a row of the derivative table names the op.
func.func @no_rule(%primals_1: tensor<3xf32> {aot.desc = #aot.param<"w">}) -> (tensor<f32> {aot.desc = #aot.plain_out<0>}) {
  // expected-error@+1 {{aot-make-joint: no derivative rule for 'aten.prod': a gradient reaches it but the table (joinery-autodiff src/rules.rs) has no row for it}}
  %p = aten.prod %primals_1 : (tensor<3xf32>) -> tensor<f32>
  func.return %p : tensor<f32>
}

// -----

// Only parameters, buffers and plain inputs are primals of a forward function.
// expected-error@+1 {{aot-make-joint: argument 1 of @token is ForwardTokenAOTInput(idx=0); a forward function's arguments are parameters, buffers and plain inputs}}
func.func @token(%primals_1: tensor<3xf32> {aot.desc = #aot.param<"w">}, %tok: tensor<0xf32> {aot.desc = #aot.forward_token<0>}) -> (tensor<3xf32> {aot.desc = #aot.plain_out<0>}) {
  func.return %primals_1 : tensor<3xf32>
}

// -----

// binary_cross_entropy's row differentiates self only (its target formula is not in the
// table yet): a target that requires grad is an error at the op.
func.func @bce_target(%primals_1: tensor<3xf32> {aot.desc = #aot.param<"p">}, %primals_2: tensor<3xf32> {aot.desc = #aot.param<"t">}) -> (tensor<f32> {aot.desc = #aot.plain_out<0>}) {
  %s = aten.sigmoid %primals_1 : (tensor<3xf32>) -> tensor<3xf32>
  // expected-error@+1 {{aot-make-joint: 'aten.binary_cross_entropy' is not differentiable with respect to operand 1 (target), which requires grad}}
  %l = aten.binary_cross_entropy %s, %primals_2 : (tensor<3xf32>, tensor<3xf32>) -> tensor<f32>
  func.return %l : tensor<f32>
}

// -----

// A scaled tensor's pieces: its dispatch dequantizes, so PyTorch's gradient is a plain
// tensor of the outer type, which the pieces' gradients do not give.
// expected-error@+1 {{aot-make-joint: argument 0 of @scaled is a piece of ParamAOTInput(target='w'), which cannot be differentiated: it is a ScaledTensor (pieces ["data", "scale"]), whose gradients the desugared graph does not give: its dispatch dequantizes}}
func.func @scaled(%primals_1: tensor<3xi8> {aot.desc = #aot.subclass_attr<#aot.param<"w">, "data">}, %primals_2: tensor<f32> {aot.desc = #aot.subclass_attr<#aot.param<"w">, "scale">}) -> (tensor<3xf32> {aot.desc = #aot.plain_out<0>}) {
  %w = aten._to_copy %primals_1 {dtype = f32} : (tensor<3xi8>) -> tensor<3xf32>
  %d = aten.mul.Tensor %w, %primals_2 : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  func.return %d : tensor<3xf32>
}

// -----

// Pieces of a subclass the registry does not know (a DTensor's): how PyTorch differentiates
// it is unknown.
// expected-error@+1 {{aot-make-joint: result 0 of @unknown is a piece of PlainAOTOutput(idx=0), which cannot be differentiated: its pieces ["_local_tensor"] are those of no subclass kind joinery knows}}
func.func @unknown(%primals_1: tensor<3xf32> {aot.desc = #aot.param<"w">}) -> (tensor<3xf32> {aot.desc = #aot.subclass_attr_out<#aot.plain_out<0>, "_local_tensor">}) {
  func.return %primals_1 : tensor<3xf32>
}

// -----

// Symbolic sizes of a subclass input: differentiation needs static shapes.
// expected-error@+1 {{aot-make-joint: argument 2 of @symbolic: SubclassSizeAOTInput(base=PlainAOTInput(idx=0), idx=0) is a symbolic size or stride of a tensor-subclass value; differentiation needs static shapes}}
func.func @symbolic(%primals_1: tensor<?xf32> {aot.desc = #aot.subclass_attr<#aot.plain<0>, "a">}, %primals_2: tensor<?xf32> {aot.desc = #aot.subclass_attr<#aot.plain<0>, "b">}, %primals_3: i64 {aot.desc = #aot.subclass_size<#aot.plain<0>, 0>}) -> (tensor<?xf32> {aot.desc = #aot.plain_out<0>}) {
  func.return %primals_1 : tensor<?xf32>
}

// -----

// An op combining two pieces of subclass values is no per-piece dispatch's.
func.func @mixed(%primals_1: tensor<3xf32> {aot.desc = #aot.subclass_attr<#aot.param<"w">, "a">}, %primals_2: tensor<3xf32> {aot.desc = #aot.subclass_attr<#aot.param<"w">, "b">}) -> (tensor<3xf32> {aot.desc = #aot.plain_out<0>}) {
  // expected-error@+1 {{aot-make-joint: 'aten.mul.Tensor' combines pieces ["a"] and ["b"] of subclass values, which a per-piece dispatch never does}}
  %m = aten.mul.Tensor %primals_1, %primals_2 : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  func.return %m : tensor<3xf32>
}

// -----

// A result that is one piece of its output but computed from another piece.
// expected-error@+1 {{aot-make-joint: @swapped: result 0 is the piece ["a"] of its output but is computed from the piece ["b"] of a subclass value}}
func.func @swapped(%primals_1: tensor<3xf32> {aot.desc = #aot.subclass_attr<#aot.param<"w">, "a">}, %primals_2: tensor<3xf32> {aot.desc = #aot.subclass_attr<#aot.param<"w">, "b">}) -> (tensor<3xf32> {aot.desc = #aot.subclass_attr_out<#aot.plain_out<0>, "a">}, tensor<3xf32> {aot.desc = #aot.subclass_attr_out<#aot.plain_out<0>, "b">}) {
  func.return %primals_2, %primals_1 : tensor<3xf32>, tensor<3xf32>
}
