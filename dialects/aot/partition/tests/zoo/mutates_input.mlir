// The joint of the conformance-zoo case `mutates_input` (tests/torch/models.py),
// exported by bench/partition_vs_torch.py.
module attributes {torch.buffers_spec = [], torch.in_spec = "[1, {\"type\": \"builtins.tuple\", \"context\": \"null\", \"children_spec\": [{\"type\": \"builtins.list\", \"context\": \"null\", \"children_spec\": [{\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}]}, {\"type\": \"builtins.dict\", \"context\": \"[]\", \"children_spec\": []}]}]", torch.out_spec = "[1, {\"type\": null, \"context\": null, \"children_spec\": []}]", torch.params_spec = ["linear.weight", "linear.bias"]} {
  func.func @joint(%primals_1: tensor<3x3xf32> {aot.desc = #aot.param<"linear.weight">},
                   %primals_2: tensor<3xf32> {aot.desc = #aot.param<"linear.bias">},
                   %primals_3: tensor<2x3xf32> {aot.desc = #aot.plain<0>},
                   %tangents_1: tensor<f32> {aot.desc = #aot.tangent<#aot.plain_out<0>>})
      -> (tensor<2x3xf32> {aot.desc = #aot.input_mutation<#aot.plain<0>>},
          tensor<f32> {aot.desc = #aot.plain_out<0>},
          tensor<3x3xf32> {aot.desc = #aot.grad<#aot.param<"linear.weight">>},
          tensor<3xf32> {aot.desc = #aot.grad<#aot.param<"linear.bias">>},
          none {aot.desc = #aot.none_grad<#aot.plain<0>>}) {
    %mul = "aten.mul.Scalar"(%primals_3) {other = 2 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %t = "aten.t"(%primals_1) : (tensor<3x3xf32>) -> tensor<3x3xf32>
    %addmm = "aten.addmm"(%primals_2, %mul, %t) : (tensor<3xf32>, tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
    %sum_1 = "aten.sum"(%addmm) : (tensor<2x3xf32>) -> tensor<f32>
    %expand = "aten.expand"(%tangents_1) {size = [2, 3]} : (tensor<f32>) -> tensor<2x3xf32>
    %t_1 = "aten.t"(%expand) : (tensor<2x3xf32>) -> tensor<3x2xf32>
    %mm = "aten.mm"(%t_1, %mul) : (tensor<3x2xf32>, tensor<2x3xf32>) -> tensor<3x3xf32>
    %t_2 = "aten.t"(%mm) : (tensor<3x3xf32>) -> tensor<3x3xf32>
    %sum_2 = "aten.sum.dim_IntList"(%expand) {dim = [0], keepdim = true} : (tensor<2x3xf32>) -> tensor<1x3xf32>
    %view = "aten.view"(%sum_2) {size = [3]} : (tensor<1x3xf32>) -> tensor<3xf32>
    %t_3 = "aten.t"(%t_2) : (tensor<3x3xf32>) -> tensor<3x3xf32>
    %none = "aot.none"() : () -> none
    func.return %mul, %sum_1, %t_3, %view, %none : tensor<2x3xf32>, tensor<f32>, tensor<3x3xf32>, tensor<3xf32>, none
  }
}
