// PyTorch's joint of `TwoTensorBeside` (tests/torch/test_make_joint.py), exported by joinery_torch.export (source
// locations dropped): a TwoTensor subclass whose pieces aot-make-joint differentiates.
module attributes {torch.buffers_spec = ["s"], torch.in_spec = "[1, {\"type\": \"builtins.tuple\", \"context\": \"null\", \"children_spec\": [{\"type\": \"builtins.list\", \"context\": \"null\", \"children_spec\": [{\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}]}, {\"type\": \"builtins.dict\", \"context\": \"[]\", \"children_spec\": []}]}]", torch.out_spec = "[1, {\"type\": \"builtins.tuple\", \"context\": \"null\", \"children_spec\": [{\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}]}]", torch.params_spec = ["w", "v", "unused"]} {
  func.func @joint(%primals_1: tensor<3x4xf32> {aot.desc = #aot.subclass_attr<#aot.param<"w">, "a">},
                   %primals_2: tensor<3x4xf32> {aot.desc = #aot.subclass_attr<#aot.param<"w">, "b">},
                   %primals_3: tensor<4xf32> {aot.desc = #aot.param<"v">},
                   %primals_4: tensor<2xf32> {aot.desc = #aot.subclass_attr<#aot.param<"unused">, "a">},
                   %primals_5: tensor<2xf32> {aot.desc = #aot.subclass_attr<#aot.param<"unused">, "b">},
                   %primals_6: tensor<4xf32> {aot.desc = #aot.subclass_attr<#aot.buffer<"s">, "a">},
                   %primals_7: tensor<4xf32> {aot.desc = #aot.subclass_attr<#aot.buffer<"s">, "b">},
                   %primals_8: tensor<2x3xf32> {aot.desc = #aot.plain<0>},
                   %tangents_1: tensor<2x4xf32> {aot.desc = #aot.subclass_attr<#aot.tangent<#aot.plain_out<0>>, "a">},
                   %tangents_2: tensor<2x4xf32> {aot.desc = #aot.subclass_attr<#aot.tangent<#aot.plain_out<0>>, "b">},
                   %tangents_3: tensor<f32> {aot.desc = #aot.subclass_attr<#aot.tangent<#aot.plain_out<1>>, "a">},
                   %tangents_4: tensor<f32> {aot.desc = #aot.subclass_attr<#aot.tangent<#aot.plain_out<1>>, "b">})
      -> (tensor<2x4xf32> {aot.desc = #aot.subclass_attr_out<#aot.plain_out<0>, "a">},
          tensor<2x4xf32> {aot.desc = #aot.subclass_attr_out<#aot.plain_out<0>, "b">},
          tensor<f32> {aot.desc = #aot.subclass_attr_out<#aot.plain_out<1>, "a">},
          tensor<f32> {aot.desc = #aot.subclass_attr_out<#aot.plain_out<1>, "b">},
          tensor<f32> {aot.desc = #aot.plain_out<2>},
          tensor<3x4xf32> {aot.desc = #aot.subclass_attr_out<#aot.grad<#aot.param<"w">>, "a">},
          tensor<3x4xf32> {aot.desc = #aot.subclass_attr_out<#aot.grad<#aot.param<"w">>, "b">},
          tensor<4xf32> {aot.desc = #aot.subclass_attr_out<#aot.grad<#aot.param<"v">>, "a">},
          tensor<4xf32> {aot.desc = #aot.subclass_attr_out<#aot.grad<#aot.param<"v">>, "b">},
          none {aot.desc = #aot.none_grad<#aot.param<"unused">>},
          none {aot.desc = #aot.none_grad<#aot.buffer<"s">>},
          none {aot.desc = #aot.none_grad<#aot.plain<0>>}) {
    %mm = "aten.mm"(%primals_8, %primals_1) : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
    %mm_1 = "aten.mm"(%primals_8, %primals_2) : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
    %tanh = "aten.tanh"(%mm) : (tensor<2x4xf32>) -> tensor<2x4xf32>
    %tanh_1 = "aten.tanh"(%mm_1) : (tensor<2x4xf32>) -> tensor<2x4xf32>
    %detach = "aten.detach"(%tanh) : (tensor<2x4xf32>) -> tensor<2x4xf32>
    %detach_1 = "aten.detach"(%tanh_1) : (tensor<2x4xf32>) -> tensor<2x4xf32>
    %mul = "aten.mul.Tensor"(%tanh, %primals_3) : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
    %mul_1 = "aten.mul.Tensor"(%tanh_1, %primals_3) : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
    %add = "aten.add.Tensor"(%mul, %primals_6) : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
    %add_1 = "aten.add.Tensor"(%mul_1, %primals_7) : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
    %mul_2 = "aten.mul.Tensor"(%add, %add) : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %mul_3 = "aten.mul.Tensor"(%add_1, %add_1) : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %sum_1 = "aten.sum"(%mul_2) : (tensor<2x4xf32>) -> tensor<f32>
    %sum_2 = "aten.sum"(%mul_3) : (tensor<2x4xf32>) -> tensor<f32>
    %mul_4 = "aten.mul.Tensor"(%primals_8, %primals_8) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    %sum_3 = "aten.sum"(%mul_4) : (tensor<2x3xf32>) -> tensor<f32>
    %expand = "aten.expand"(%tangents_3) {size = [2, 4]} : (tensor<f32>) -> tensor<2x4xf32>
    %expand_1 = "aten.expand"(%tangents_4) {size = [2, 4]} : (tensor<f32>) -> tensor<2x4xf32>
    %mul_5 = "aten.mul.Tensor"(%expand, %add) : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %mul_6 = "aten.mul.Tensor"(%expand_1, %add_1) : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %mul_7 = "aten.mul.Tensor"(%expand, %add) : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %mul_8 = "aten.mul.Tensor"(%expand_1, %add_1) : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %add_2 = "aten.add.Tensor"(%tangents_1, %mul_7) : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %add_3 = "aten.add.Tensor"(%tangents_2, %mul_8) : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %add_4 = "aten.add.Tensor"(%add_2, %mul_5) : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %add_5 = "aten.add.Tensor"(%add_3, %mul_6) : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %mul_9 = "aten.mul.Tensor"(%add_4, %tanh) : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %mul_10 = "aten.mul.Tensor"(%add_5, %tanh_1) : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %mul_11 = "aten.mul.Tensor"(%add_4, %primals_3) : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
    %mul_12 = "aten.mul.Tensor"(%add_5, %primals_3) : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
    %sum_4 = "aten.sum.dim_IntList"(%mul_9) {dim = [0], keepdim = true} : (tensor<2x4xf32>) -> tensor<1x4xf32>
    %sum_5 = "aten.sum.dim_IntList"(%mul_10) {dim = [0], keepdim = true} : (tensor<2x4xf32>) -> tensor<1x4xf32>
    %view = "aten.view"(%sum_4) {size = [4]} : (tensor<1x4xf32>) -> tensor<4xf32>
    %view_1 = "aten.view"(%sum_5) {size = [4]} : (tensor<1x4xf32>) -> tensor<4xf32>
    %detach_2 = "aten.detach"(%detach) : (tensor<2x4xf32>) -> tensor<2x4xf32>
    %detach_3 = "aten.detach"(%detach_1) : (tensor<2x4xf32>) -> tensor<2x4xf32>
    %tanh_backward = "aten.tanh_backward"(%mul_11, %detach_2) : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %tanh_backward_1 = "aten.tanh_backward"(%mul_12, %detach_3) : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %t = "aten.t"(%primals_8) : (tensor<2x3xf32>) -> tensor<3x2xf32>
    %mm_2 = "aten.mm"(%t, %tanh_backward) : (tensor<3x2xf32>, tensor<2x4xf32>) -> tensor<3x4xf32>
    %mm_3 = "aten.mm"(%t, %tanh_backward_1) : (tensor<3x2xf32>, tensor<2x4xf32>) -> tensor<3x4xf32>
    %none = "aot.none"() : () -> none
    func.return %add, %add_1, %sum_1, %sum_2, %sum_3, %mm_2, %mm_3, %view, %view_1, %none, %none, %none : tensor<2x4xf32>, tensor<2x4xf32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<3x4xf32>, tensor<3x4xf32>, tensor<4xf32>, tensor<4xf32>, none, none, none
  }
}
