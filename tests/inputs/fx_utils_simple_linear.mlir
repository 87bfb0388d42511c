// Conformance item 6 (test_fx_utils_simple_linear): the joint of Linear(3->2) on x: f32[4,3].
// fx_utils: 2 params, 0 buffers; 4 differentiable inputs (w, b, x, tangent); both params
// have gradients and x's slot is None; 3 differentiable outputs (out, grad w, grad b); the
// plain output has a tangent.
module {
  func.func @joint(%primals_1: tensor<2x3xf32> {aot.desc = #aot.param<"linear.weight">}, %primals_2: tensor<2xf32> {aot.desc = #aot.param<"linear.bias">}, %primals_3: tensor<4x3xf32> {aot.desc = #aot.plain<0>}, %tangents_1: tensor<4x2xf32> {aot.desc = #aot.tangent<#aot.plain_out<0>>}) -> (tensor<4x2xf32> {aot.desc = #aot.plain_out<0>}, tensor<2x3xf32> {aot.desc = #aot.grad<#aot.param<"linear.weight">>}, tensor<2xf32> {aot.desc = #aot.grad<#aot.param<"linear.bias">>}, none {aot.desc = #aot.none_grad<#aot.plain<0>>}) {
    %t = "aten.t"(%primals_1) : (tensor<2x3xf32>) -> tensor<3x2xf32>
    %addmm = "aten.addmm"(%primals_2, %primals_3, %t) {alpha = 1 : i64, beta = 1 : i64} : (tensor<2xf32>, tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
    %t_1 = "aten.t"(%tangents_1) : (tensor<4x2xf32>) -> tensor<2x4xf32>
    %mm = "aten.mm"(%t_1, %primals_3) : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
    %sum_1 = "aten.sum.dim_IntList"(%tangents_1) {dim = [0], keepdim = true} : (tensor<4x2xf32>) -> tensor<1x2xf32>
    %view = "aten.view"(%sum_1) {size = [2]} : (tensor<1x2xf32>) -> tensor<2xf32>
    %none = "aot.none"() : () -> none
    func.return %addmm, %mm, %view, %none : tensor<4x2xf32>, tensor<2x3xf32>, tensor<2xf32>, none
  }
}
