module attributes {torch.buffers_spec = [], torch.in_spec = "[1, {\"type\": \"builtins.tuple\", \"context\": \"null\", \"children_spec\": [{\"type\": \"builtins.list\", \"context\": \"null\", \"children_spec\": [{\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}]}, {\"type\": \"builtins.dict\", \"context\": \"[]\", \"children_spec\": []}]}]", torch.out_spec = "[1, {\"type\": null, \"context\": null, \"children_spec\": []}]", torch.params_spec = ["l.weight", "l.bias"]} {
  func.func @joint(%primals_1: tensor<3x3xf32> {aot.desc = #aot.param<"l.weight">},
                   %primals_2: tensor<3xf32> {aot.desc = #aot.param<"l.bias">},
                   %primals_3: tensor<2x3xf32> {aot.desc = #aot.plain<0>},
                   %tangents_1: tensor<f32> {aot.desc = #aot.tangent<#aot.plain_out<0>>})
      -> (tensor<f32> {aot.desc = #aot.plain_out<0>},
          tensor<3x3xf32> {aot.desc = #aot.grad<#aot.param<"l.weight">>},
          tensor<3xf32> {aot.desc = #aot.grad<#aot.param<"l.bias">>},
          none {aot.desc = #aot.none_grad<#aot.plain<0>>}) {
    %_tensor_constant0 = "arith.constant"() <{value = dense<[1.0, 2.0, 3.0]> : tensor<3xf32>}> : () -> tensor<3xf32>
    %permute = "aten.permute"(%primals_1) {dims = [1, 0]} : (tensor<3x3xf32>) -> tensor<3x3xf32>
    %addmm = "aten.addmm"(%primals_2, %primals_3, %permute) : (tensor<3xf32>, tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
    %sub_self = "arith.constant"() <{value = dense<1.0> : tensor<f32>}> : () -> tensor<f32>
    %sub = "aten.sub.Tensor"(%sub_self, %addmm) : (tensor<f32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    %mul = "aten.mul.Tensor"(%sub, %_tensor_constant0) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
    %_tensor_constant1 = "arith.constant"() <{value = dense<[[0.5], [2.0]]> : tensor<2x1xf32>}> : () -> tensor<2x1xf32>
    %mul_1 = "aten.mul.Tensor"(%mul, %_tensor_constant1) : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
    %sum_1 = "aten.sum.dim_IntList"(%mul_1) {dim = []} : (tensor<2x3xf32>) -> tensor<f32>
    %expand = "aten.expand"(%tangents_1) {size = [2, 3]} : (tensor<f32>) -> tensor<2x3xf32>
    %mul_2 = "aten.mul.Tensor"(%expand, %_tensor_constant1) : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
    %mul_3 = "aten.mul.Tensor"(%mul_2, %_tensor_constant0) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
    %neg = "aten.neg"(%mul_3) : (tensor<2x3xf32>) -> tensor<2x3xf32>
    %permute_1 = "aten.permute"(%neg) {dims = [1, 0]} : (tensor<2x3xf32>) -> tensor<3x2xf32>
    %mm = "aten.mm"(%permute_1, %primals_3) : (tensor<3x2xf32>, tensor<2x3xf32>) -> tensor<3x3xf32>
    %permute_2 = "aten.permute"(%mm) {dims = [1, 0]} : (tensor<3x3xf32>) -> tensor<3x3xf32>
    %sum_2 = "aten.sum.dim_IntList"(%neg) {dim = [0], keepdim = true} : (tensor<2x3xf32>) -> tensor<1x3xf32>
    %view = "aten.view"(%sum_2) {size = [3]} : (tensor<1x3xf32>) -> tensor<3xf32>
    %permute_3 = "aten.permute"(%permute_2) {dims = [1, 0]} : (tensor<3x3xf32>) -> tensor<3x3xf32>
    %none = "aot.none"() : () -> none
    func.return %sum_1, %permute_3, %view, %none : tensor<f32>, tensor<3x3xf32>, tensor<3xf32>, none
  }
}
