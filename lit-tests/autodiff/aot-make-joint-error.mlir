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
