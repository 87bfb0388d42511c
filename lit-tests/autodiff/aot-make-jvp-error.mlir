// aot-make-jvp diagnostics: what it cannot differentiate in forward mode, and why.
// RUN: joinery-opt %s --split-input-file --verify-diagnostics --aot-make-jvp

// A tangent reaching an op without a row names the op.
func.func @no_rule(%primals_1: tensor<3xf32> {aot.desc = #aot.param<"w">}) -> (tensor<f32> {aot.desc = #aot.plain_out<0>}) {
  // expected-error@+1 {{aot-make-jvp: no derivative rule for 'aten.prod': a tangent reaches it but the table (joinery-autodiff src/rules.rs) has no row for it}}
  %p = aten.prod %primals_1 : (tensor<3xf32>) -> tensor<f32>
  func.return %p : tensor<f32>
}

// -----

// A row without a forward rule names the op too.
func.func @no_forward_rule(%primals_1: tensor<2x3xf32> {aot.desc = #aot.param<"w">}) -> (tensor<2x3xf32> {aot.desc = #aot.plain_out<0>}) {
  // expected-error@+1 {{aot-make-jvp: no forward-mode rule for 'aten._softmax': its row of the derivative table has none yet}}
  %s = aten._softmax %primals_1 {dim = 1 : i64, half_to_float = false} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  func.return %s : tensor<2x3xf32>
}

// -----

// Forward mode takes no tensor-subclass pieces.
// expected-error@+1 {{aot-make-jvp: @pieces: ParamAOTInput(target='w') is a desugared tensor-subclass value; forward mode takes no subclass pieces}}
func.func @pieces(%primals_1: tensor<3xf32> {aot.desc = #aot.subclass_attr<#aot.param<"w">, "a">}, %primals_2: tensor<3xf32> {aot.desc = #aot.subclass_attr<#aot.param<"w">, "b">}) -> (tensor<3xf32> {aot.desc = #aot.subclass_attr_out<#aot.plain_out<0>, "a">}, tensor<3xf32> {aot.desc = #aot.subclass_attr_out<#aot.plain_out<0>, "b">}) {
  func.return %primals_1, %primals_2 : tensor<3xf32>, tensor<3xf32>
}
