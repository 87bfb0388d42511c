// The joint of the conformance-zoo case `multiple_outputs` (tests/torch/models.py),
// exported by bench/partition_vs_torch.py.
module attributes {torch.buffers_spec = [], torch.in_spec = "[1, {\"type\": \"builtins.tuple\", \"context\": \"null\", \"children_spec\": [{\"type\": \"builtins.list\", \"context\": \"null\", \"children_spec\": [{\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}]}, {\"type\": \"builtins.dict\", \"context\": \"[]\", \"children_spec\": []}]}]", torch.out_spec = "[1, {\"type\": \"builtins.tuple\", \"context\": \"null\", \"children_spec\": [{\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}]}]", torch.params_spec = ["linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias"]} {
  func.func @joint(%primals_1: tensor<2x3xf32> {aot.desc = #aot.param<"linear1.weight">},
                   %primals_2: tensor<2xf32> {aot.desc = #aot.param<"linear1.bias">},
                   %primals_3: tensor<4x3xf32> {aot.desc = #aot.param<"linear2.weight">},
                   %primals_4: tensor<4xf32> {aot.desc = #aot.param<"linear2.bias">},
                   %primals_5: tensor<4x3xf32> {aot.desc = #aot.plain<0>},
                   %tangents_1: tensor<4x2xf32> {aot.desc = #aot.tangent<#aot.plain_out<0>>},
                   %tangents_2: tensor<4x4xf32> {aot.desc = #aot.tangent<#aot.plain_out<1>>})
      -> (tensor<4x2xf32> {aot.desc = #aot.plain_out<0>},
          tensor<4x4xf32> {aot.desc = #aot.plain_out<1>},
          tensor<2x3xf32> {aot.desc = #aot.grad<#aot.param<"linear1.weight">>},
          tensor<2xf32> {aot.desc = #aot.grad<#aot.param<"linear1.bias">>},
          tensor<4x3xf32> {aot.desc = #aot.grad<#aot.param<"linear2.weight">>},
          tensor<4xf32> {aot.desc = #aot.grad<#aot.param<"linear2.bias">>},
          none {aot.desc = #aot.none_grad<#aot.plain<0>>}) {
    %t = "aten.t"(%primals_1) : (tensor<2x3xf32>) -> tensor<3x2xf32>
    %addmm = "aten.addmm"(%primals_2, %primals_5, %t) : (tensor<2xf32>, tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
    %t_1 = "aten.t"(%primals_3) : (tensor<4x3xf32>) -> tensor<3x4xf32>
    %addmm_1 = "aten.addmm"(%primals_4, %primals_5, %t_1) : (tensor<4xf32>, tensor<4x3xf32>, tensor<3x4xf32>) -> tensor<4x4xf32>
    %t_2 = "aten.t"(%tangents_2) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %mm = "aten.mm"(%t_2, %primals_5) : (tensor<4x4xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
    %t_3 = "aten.t"(%mm) : (tensor<4x3xf32>) -> tensor<3x4xf32>
    %sum_1 = "aten.sum.dim_IntList"(%tangents_2) {dim = [0], keepdim = true} : (tensor<4x4xf32>) -> tensor<1x4xf32>
    %view = "aten.view"(%sum_1) {size = [4]} : (tensor<1x4xf32>) -> tensor<4xf32>
    %t_4 = "aten.t"(%t_3) : (tensor<3x4xf32>) -> tensor<4x3xf32>
    %t_5 = "aten.t"(%tangents_1) : (tensor<4x2xf32>) -> tensor<2x4xf32>
    %mm_1 = "aten.mm"(%t_5, %primals_5) : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
    %t_6 = "aten.t"(%mm_1) : (tensor<2x3xf32>) -> tensor<3x2xf32>
    %sum_2 = "aten.sum.dim_IntList"(%tangents_1) {dim = [0], keepdim = true} : (tensor<4x2xf32>) -> tensor<1x2xf32>
    %view_1 = "aten.view"(%sum_2) {size = [2]} : (tensor<1x2xf32>) -> tensor<2xf32>
    %t_7 = "aten.t"(%t_6) : (tensor<3x2xf32>) -> tensor<2x3xf32>
    %none = "aot.none"() : () -> none
    func.return %addmm, %addmm_1, %t_7, %view_1, %t_4, %view, %none : tensor<4x2xf32>, tensor<4x4xf32>, tensor<2x3xf32>, tensor<2xf32>, tensor<4x3xf32>, tensor<4xf32>, none
  }
}
