// The zoo's two_tensor_param joint written by hand with subclass types: what PyTorch's
// TwoTensor.__torch_dispatch__ traces, before PyTorch desugars it.
func.func @joint(%w: !subclass.two_tensor<tensor<3x3xf32>, tensor<3x3xf32>> {aot.desc = #aot.param<"w">},
                 %x: tensor<2x3xf32> {aot.desc = #aot.plain<0>},
                 %t: !subclass.two_tensor<tensor<f32>, tensor<f32>> {aot.desc = #aot.tangent<#aot.plain_out<0>>})
    -> (!subclass.two_tensor<tensor<f32>, tensor<f32>> {aot.desc = #aot.plain_out<0>},
        !subclass.two_tensor<tensor<3x3xf32>, tensor<3x3xf32>> {aot.desc = #aot.grad<#aot.param<"w">>},
        none {aot.desc = #aot.none_grad<#aot.plain<0>>}) {
  %mm = subclass.dispatch %x, %w {op = "aten.mm"} : (tensor<2x3xf32>, !subclass.two_tensor<tensor<3x3xf32>, tensor<3x3xf32>>) -> !subclass.two_tensor<tensor<2x3xf32>, tensor<2x3xf32>>
  %sum = subclass.dispatch %mm {op = "aten.sum"} : (!subclass.two_tensor<tensor<2x3xf32>, tensor<2x3xf32>>) -> !subclass.two_tensor<tensor<f32>, tensor<f32>>
  %e = subclass.dispatch %t {op = "aten.expand", size = [2, 3]} : (!subclass.two_tensor<tensor<f32>, tensor<f32>>) -> !subclass.two_tensor<tensor<2x3xf32>, tensor<2x3xf32>>
  %xt = aten.t %x : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %g = subclass.dispatch %xt, %e {op = "aten.mm"} : (tensor<3x2xf32>, !subclass.two_tensor<tensor<2x3xf32>, tensor<2x3xf32>>) -> !subclass.two_tensor<tensor<3x3xf32>, tensor<3x3xf32>>
  %none = "aot.none"() : () -> none
  func.return %sum, %g, %none : !subclass.two_tensor<tensor<f32>, tensor<f32>>, !subclass.two_tensor<tensor<3x3xf32>, tensor<3x3xf32>>, none
}
