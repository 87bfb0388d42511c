// aot-grad-as-forward diagnostics.
// RUN: joinery-opt %s --split-input-file --verify-diagnostics --aot-grad-as-forward

// A joint whose gradient slots are all empty has no gradient to differentiate.
// expected-error@+1 {{aot-grad-as-forward: @no_grad: no gradient slot gets a gradient}}
func.func @no_grad(%primals_1: tensor<3xf32> {aot.desc = #aot.plain<0>}, %tangents_1: tensor<3xf32> {aot.desc = #aot.tangent<#aot.plain_out<0>>}) -> (tensor<3xf32> {aot.desc = #aot.plain_out<0>}, none {aot.desc = #aot.none_grad<#aot.plain<0>>}) {
  %none = "aot.none"() : () -> none
  func.return %primals_1, %none : tensor<3xf32>, none
}

// -----

// Only primals and tangents are arguments of a joint it takes.
// expected-error@+1 {{aot-grad-as-forward: @token: argument 1 is ForwardTokenAOTInput(idx=0), not a primal or tangent}}
func.func @token(%primals_1: tensor<3xf32> {aot.desc = #aot.param<"w">}, %tok: tensor<0xf32> {aot.desc = #aot.forward_token<0>}, %tangents_1: tensor<3xf32> {aot.desc = #aot.tangent<#aot.plain_out<0>>}) -> (tensor<3xf32> {aot.desc = #aot.plain_out<0>}, tensor<3xf32> {aot.desc = #aot.grad<#aot.param<"w">>}) {
  func.return %primals_1, %tangents_1 : tensor<3xf32>, tensor<3xf32>
}
