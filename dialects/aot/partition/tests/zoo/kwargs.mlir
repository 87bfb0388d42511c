// The joint of the conformance-zoo case `kwargs` (tests/torch/models.py),
// exported by bench/partition_vs_torch.py.
module attributes {torch.buffers_spec = [], torch.in_spec = "[1, {\"type\": \"builtins.tuple\", \"context\": \"null\", \"children_spec\": [{\"type\": \"builtins.list\", \"context\": \"null\", \"children_spec\": [{\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}]}, {\"type\": \"builtins.dict\", \"context\": \"[\\\"scale\\\"]\", \"children_spec\": [{\"type\": null, \"context\": null, \"children_spec\": []}]}]}]", torch.out_spec = "[1, {\"type\": null, \"context\": null, \"children_spec\": []}]", torch.params_spec = ["linear.weight", "linear.bias"]} {
  func.func @joint(%primals_1: tensor<2x3xf32> {aot.desc = #aot.param<"linear.weight">},
                   %primals_2: tensor<2xf32> {aot.desc = #aot.param<"linear.bias">},
                   %primals_3: tensor<4x3xf32> {aot.desc = #aot.plain<0>},
                   %primals_4: tensor<4x2xf32> {aot.desc = #aot.plain<1>},
                   %tangents_1: tensor<4x2xf32> {aot.desc = #aot.tangent<#aot.plain_out<0>>})
      -> (tensor<4x2xf32> {aot.desc = #aot.plain_out<0>},
          tensor<2x3xf32> {aot.desc = #aot.grad<#aot.param<"linear.weight">>},
          tensor<2xf32> {aot.desc = #aot.grad<#aot.param<"linear.bias">>},
          none {aot.desc = #aot.none_grad<#aot.plain<0>>},
          none {aot.desc = #aot.none_grad<#aot.plain<1>>}) {
    %t = "aten.t"(%primals_1) : (tensor<2x3xf32>) -> tensor<3x2xf32>
    %addmm = "aten.addmm"(%primals_2, %primals_3, %t) : (tensor<2xf32>, tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
    %mul = "aten.mul.Tensor"(%addmm, %primals_4) : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
    %mul_1 = "aten.mul.Tensor"(%tangents_1, %primals_4) : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
    %t_1 = "aten.t"(%mul_1) : (tensor<4x2xf32>) -> tensor<2x4xf32>
    %mm = "aten.mm"(%t_1, %primals_3) : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
    %t_2 = "aten.t"(%mm) : (tensor<2x3xf32>) -> tensor<3x2xf32>
    %sum_1 = "aten.sum.dim_IntList"(%mul_1) {dim = [0], keepdim = true} : (tensor<4x2xf32>) -> tensor<1x2xf32>
    %view = "aten.view"(%sum_1) {size = [2]} : (tensor<1x2xf32>) -> tensor<2xf32>
    %t_3 = "aten.t"(%t_2) : (tensor<3x2xf32>) -> tensor<2x3xf32>
    %none = "aot.none"() : () -> none
    func.return %mul, %t_3, %view, %none, %none : tensor<4x2xf32>, tensor<2x3xf32>, tensor<2xf32>, none, none
  }
}
