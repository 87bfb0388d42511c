// The joint of the conformance-zoo case `dropout` (tests/torch/models.py),
// exported by bench/partition_vs_torch.py.
module attributes {torch.buffers_spec = [], torch.in_spec = "[1, {\"type\": \"builtins.tuple\", \"context\": \"null\", \"children_spec\": [{\"type\": \"builtins.list\", \"context\": \"null\", \"children_spec\": [{\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}]}, {\"type\": \"builtins.dict\", \"context\": \"[]\", \"children_spec\": []}]}]", torch.out_spec = "[1, {\"type\": null, \"context\": null, \"children_spec\": []}]", torch.params_spec = ["linear.weight", "linear.bias"]} {
  func.func @joint(%primals_1: tensor<32x8xf32> {aot.desc = #aot.param<"linear.weight">},
                   %primals_2: tensor<32xf32> {aot.desc = #aot.param<"linear.bias">},
                   %primals_3: tensor<16x8xf32> {aot.desc = #aot.plain<0>},
                   %tangents_1: tensor<16x32xf32> {aot.desc = #aot.tangent<#aot.plain_out<0>>})
      -> (tensor<16x32xf32> {aot.desc = #aot.plain_out<0>},
          tensor<32x8xf32> {aot.desc = #aot.grad<#aot.param<"linear.weight">>},
          tensor<32xf32> {aot.desc = #aot.grad<#aot.param<"linear.bias">>},
          none {aot.desc = #aot.none_grad<#aot.plain<0>>}) {
    %t = "aten.t"(%primals_1) : (tensor<32x8xf32>) -> tensor<8x32xf32>
    %addmm = "aten.addmm"(%primals_2, %primals_3, %t) : (tensor<32xf32>, tensor<16x8xf32>, tensor<8x32xf32>) -> tensor<16x32xf32>
    %getitem, %getitem_1 = "aten.native_dropout"(%addmm) {p = 0.5 : f64, train = true} : (tensor<16x32xf32>) -> (tensor<16x32xf32>, tensor<16x32xi1>)
    %native_dropout_backward = "aten.native_dropout_backward"(%tangents_1, %getitem_1) {scale = 2.0 : f64} : (tensor<16x32xf32>, tensor<16x32xi1>) -> tensor<16x32xf32>
    %t_1 = "aten.t"(%native_dropout_backward) : (tensor<16x32xf32>) -> tensor<32x16xf32>
    %mm = "aten.mm"(%t_1, %primals_3) : (tensor<32x16xf32>, tensor<16x8xf32>) -> tensor<32x8xf32>
    %t_2 = "aten.t"(%mm) : (tensor<32x8xf32>) -> tensor<8x32xf32>
    %sum_1 = "aten.sum.dim_IntList"(%native_dropout_backward) {dim = [0], keepdim = true} : (tensor<16x32xf32>) -> tensor<1x32xf32>
    %view = "aten.view"(%sum_1) {size = [32]} : (tensor<1x32xf32>) -> tensor<32xf32>
    %t_3 = "aten.t"(%t_2) : (tensor<8x32xf32>) -> tensor<32x8xf32>
    %none = "aot.none"() : () -> none
    func.return %getitem, %t_3, %view, %none : tensor<16x32xf32>, tensor<32x8xf32>, tensor<32xf32>, none
  }
}
