// PyTorch's joint of the conformance-zoo case `two_tensor_param` (tests/torch/models.py), exported by joinery_torch.export (source
// locations dropped): a TwoTensor subclass whose pieces aot-make-joint differentiates.
module attributes {torch.buffers_spec = [], torch.in_spec = "[1, {\"type\": \"builtins.tuple\", \"context\": \"null\", \"children_spec\": [{\"type\": \"builtins.list\", \"context\": \"null\", \"children_spec\": [{\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}]}, {\"type\": \"builtins.dict\", \"context\": \"[]\", \"children_spec\": []}]}]", torch.out_spec = "[1, {\"type\": null, \"context\": null, \"children_spec\": []}]", torch.params_spec = ["w"]} {
  func.func @joint(%primals_1: tensor<3x3xf32> {aot.desc = #aot.subclass_attr<#aot.param<"w">, "a">},
                   %primals_2: tensor<3x3xf32> {aot.desc = #aot.subclass_attr<#aot.param<"w">, "b">},
                   %primals_3: tensor<2x3xf32> {aot.desc = #aot.plain<0>},
                   %tangents_1: tensor<f32> {aot.desc = #aot.subclass_attr<#aot.tangent<#aot.plain_out<0>>, "a">},
                   %tangents_2: tensor<f32> {aot.desc = #aot.subclass_attr<#aot.tangent<#aot.plain_out<0>>, "b">})
      -> (tensor<f32> {aot.desc = #aot.subclass_attr_out<#aot.plain_out<0>, "a">},
          tensor<f32> {aot.desc = #aot.subclass_attr_out<#aot.plain_out<0>, "b">},
          tensor<3x3xf32> {aot.desc = #aot.subclass_attr_out<#aot.grad<#aot.param<"w">>, "a">},
          tensor<3x3xf32> {aot.desc = #aot.subclass_attr_out<#aot.grad<#aot.param<"w">>, "b">},
          none {aot.desc = #aot.none_grad<#aot.plain<0>>}) {
    %mm = "aten.mm"(%primals_3, %primals_1) : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
    %mm_1 = "aten.mm"(%primals_3, %primals_2) : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
    %sum_1 = "aten.sum"(%mm) : (tensor<2x3xf32>) -> tensor<f32>
    %sum_2 = "aten.sum"(%mm_1) : (tensor<2x3xf32>) -> tensor<f32>
    %expand = "aten.expand"(%tangents_1) {size = [2, 3]} : (tensor<f32>) -> tensor<2x3xf32>
    %expand_1 = "aten.expand"(%tangents_2) {size = [2, 3]} : (tensor<f32>) -> tensor<2x3xf32>
    %t = "aten.t"(%primals_3) : (tensor<2x3xf32>) -> tensor<3x2xf32>
    %mm_2 = "aten.mm"(%t, %expand) : (tensor<3x2xf32>, tensor<2x3xf32>) -> tensor<3x3xf32>
    %mm_3 = "aten.mm"(%t, %expand_1) : (tensor<3x2xf32>, tensor<2x3xf32>) -> tensor<3x3xf32>
    %none = "aot.none"() : () -> none
    func.return %sum_1, %sum_2, %mm_2, %mm_3, %none : tensor<f32>, tensor<f32>, tensor<3x3xf32>, tensor<3x3xf32>, none
  }
}
