// The joint of the conformance-zoo case `linear_relu_steps` (tests/torch/models.py),
// exported by bench/partition_vs_torch.py.
module attributes {torch.buffers_spec = ["steps"], torch.in_spec = "[1, {\"type\": \"builtins.tuple\", \"context\": \"null\", \"children_spec\": [{\"type\": \"builtins.list\", \"context\": \"null\", \"children_spec\": [{\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}]}, {\"type\": \"builtins.dict\", \"context\": \"[]\", \"children_spec\": []}]}]", torch.out_spec = "[1, {\"type\": null, \"context\": null, \"children_spec\": []}]", torch.params_spec = ["lin.weight", "lin.bias"]} {
  func.func @joint(%primals_1: tensor<2x3xf32> {aot.desc = #aot.param<"lin.weight">},
                   %primals_2: tensor<2xf32> {aot.desc = #aot.param<"lin.bias">},
                   %primals_3: tensor<f32> {aot.desc = #aot.buffer<"steps">},
                   %primals_4: tensor<4x3xf32> {aot.desc = #aot.plain<0>},
                   %tangents_1: tensor<f32> {aot.desc = #aot.tangent<#aot.plain_out<0>>})
      -> (tensor<f32> {aot.desc = #aot.input_mutation<#aot.buffer<"steps">>},
          tensor<f32> {aot.desc = #aot.plain_out<0>},
          tensor<2x3xf32> {aot.desc = #aot.grad<#aot.param<"lin.weight">>},
          tensor<2xf32> {aot.desc = #aot.grad<#aot.param<"lin.bias">>},
          none {aot.desc = #aot.none_grad<#aot.buffer<"steps">>},
          none {aot.desc = #aot.none_grad<#aot.plain<0>>}) {
    %add = "aten.add.Scalar"(%primals_3) {other = 1 : i64} : (tensor<f32>) -> tensor<f32>
    %t = "aten.t"(%primals_1) : (tensor<2x3xf32>) -> tensor<3x2xf32>
    %addmm = "aten.addmm"(%primals_2, %primals_4, %t) : (tensor<2xf32>, tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
    %relu = "aten.relu"(%addmm) : (tensor<4x2xf32>) -> tensor<4x2xf32>
    %detach = "aten.detach"(%relu) : (tensor<4x2xf32>) -> tensor<4x2xf32>
    %sum_1 = "aten.sum"(%relu) : (tensor<4x2xf32>) -> tensor<f32>
    %expand = "aten.expand"(%tangents_1) {size = [4, 2]} : (tensor<f32>) -> tensor<4x2xf32>
    %detach_1 = "aten.detach"(%detach) : (tensor<4x2xf32>) -> tensor<4x2xf32>
    %threshold_backward = "aten.threshold_backward"(%expand, %detach_1) {threshold = 0 : i64} : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
    %t_1 = "aten.t"(%threshold_backward) : (tensor<4x2xf32>) -> tensor<2x4xf32>
    %mm = "aten.mm"(%t_1, %primals_4) : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
    %t_2 = "aten.t"(%mm) : (tensor<2x3xf32>) -> tensor<3x2xf32>
    %sum_2 = "aten.sum.dim_IntList"(%threshold_backward) {dim = [0], keepdim = true} : (tensor<4x2xf32>) -> tensor<1x2xf32>
    %view = "aten.view"(%sum_2) {size = [2]} : (tensor<1x2xf32>) -> tensor<2xf32>
    %t_3 = "aten.t"(%t_2) : (tensor<3x2xf32>) -> tensor<2x3xf32>
    %none = "aot.none"() : () -> none
    func.return %add, %sum_1, %t_3, %view, %none, %none : tensor<f32>, tensor<f32>, tensor<2x3xf32>, tensor<2xf32>, none, none
  }
}
