// The zoo's mlp_cross_entropy joint (tests/torch/models.py), exported by joinery_torch.export with torch 2.15.0;
// a fixed input for Rust tests that must not need PyTorch (aten-decompose against the interpreter).
module attributes {torch.buffers_spec = [], torch.in_spec = "[1, {\"type\": \"builtins.tuple\", \"context\": \"null\", \"children_spec\": [{\"type\": \"builtins.list\", \"context\": \"null\", \"children_spec\": [{\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}]}, {\"type\": \"builtins.dict\", \"context\": \"[]\", \"children_spec\": []}]}]", torch.out_spec = "[1, {\"type\": null, \"context\": null, \"children_spec\": []}]", torch.params_spec = ["l1.weight", "l1.bias", "l2.weight", "l2.bias", "l3.weight", "l3.bias"]} {
  func.func @joint(%primals_1: tensor<32x20xf32> {aot.desc = #aot.param<"l1.weight">},
                   %primals_2: tensor<32xf32> {aot.desc = #aot.param<"l1.bias">},
                   %primals_3: tensor<32x32xf32> {aot.desc = #aot.param<"l2.weight">},
                   %primals_4: tensor<32xf32> {aot.desc = #aot.param<"l2.bias">},
                   %primals_5: tensor<5x32xf32> {aot.desc = #aot.param<"l3.weight">},
                   %primals_6: tensor<5xf32> {aot.desc = #aot.param<"l3.bias">},
                   %primals_7: tensor<6x20xf32> {aot.desc = #aot.plain<0>},
                   %primals_8: tensor<6xi64> {aot.desc = #aot.plain<1>},
                   %tangents_1: tensor<f32> {aot.desc = #aot.tangent<#aot.plain_out<0>>})
      -> (tensor<f32> {aot.desc = #aot.plain_out<0>},
          tensor<32x20xf32> {aot.desc = #aot.grad<#aot.param<"l1.weight">>},
          tensor<32xf32> {aot.desc = #aot.grad<#aot.param<"l1.bias">>},
          tensor<32x32xf32> {aot.desc = #aot.grad<#aot.param<"l2.weight">>},
          tensor<32xf32> {aot.desc = #aot.grad<#aot.param<"l2.bias">>},
          tensor<5x32xf32> {aot.desc = #aot.grad<#aot.param<"l3.weight">>},
          tensor<5xf32> {aot.desc = #aot.grad<#aot.param<"l3.bias">>},
          none {aot.desc = #aot.none_grad<#aot.plain<0>>},
          none {aot.desc = #aot.none_grad<#aot.plain<1>>}) {
    %t = "aten.t"(%primals_1) : (tensor<32x20xf32>) -> tensor<20x32xf32>
    %addmm = "aten.addmm"(%primals_2, %primals_7, %t) : (tensor<32xf32>, tensor<6x20xf32>, tensor<20x32xf32>) -> tensor<6x32xf32>
    %relu = "aten.relu"(%addmm) : (tensor<6x32xf32>) -> tensor<6x32xf32>
    %detach = "aten.detach"(%relu) : (tensor<6x32xf32>) -> tensor<6x32xf32>
    %t_1 = "aten.t"(%primals_3) : (tensor<32x32xf32>) -> tensor<32x32xf32>
    %addmm_1 = "aten.addmm"(%primals_4, %relu, %t_1) : (tensor<32xf32>, tensor<6x32xf32>, tensor<32x32xf32>) -> tensor<6x32xf32>
    %relu_1 = "aten.relu"(%addmm_1) : (tensor<6x32xf32>) -> tensor<6x32xf32>
    %detach_1 = "aten.detach"(%relu_1) : (tensor<6x32xf32>) -> tensor<6x32xf32>
    %t_2 = "aten.t"(%primals_5) : (tensor<5x32xf32>) -> tensor<32x5xf32>
    %addmm_2 = "aten.addmm"(%primals_6, %relu_1, %t_2) : (tensor<5xf32>, tensor<6x32xf32>, tensor<32x5xf32>) -> tensor<6x5xf32>
    %_log_softmax = "aten._log_softmax"(%addmm_2) {dim = 1 : i64, half_to_float = false} : (tensor<6x5xf32>) -> tensor<6x5xf32>
    %detach_2 = "aten.detach"(%_log_softmax) : (tensor<6x5xf32>) -> tensor<6x5xf32>
    %getitem, %getitem_1 = "aten.nll_loss_forward"(%_log_softmax, %primals_8) {ignore_index = -100 : i64, reduction = 1 : i64} : (tensor<6x5xf32>, tensor<6xi64>) -> (tensor<f32>, tensor<f32>)
    %nll_loss_backward = "aten.nll_loss_backward"(%tangents_1, %_log_softmax, %primals_8, %getitem_1) {ignore_index = -100 : i64, reduction = 1 : i64} : (tensor<f32>, tensor<6x5xf32>, tensor<6xi64>, tensor<f32>) -> tensor<6x5xf32>
    %detach_3 = "aten.detach"(%detach_2) : (tensor<6x5xf32>) -> tensor<6x5xf32>
    %_log_softmax_backward_data = "aten._log_softmax_backward_data"(%nll_loss_backward, %detach_3) {dim = 1 : i64, input_dtype = f32} : (tensor<6x5xf32>, tensor<6x5xf32>) -> tensor<6x5xf32>
    %t_3 = "aten.t"(%t_2) : (tensor<32x5xf32>) -> tensor<5x32xf32>
    %mm = "aten.mm"(%_log_softmax_backward_data, %t_3) : (tensor<6x5xf32>, tensor<5x32xf32>) -> tensor<6x32xf32>
    %t_4 = "aten.t"(%_log_softmax_backward_data) : (tensor<6x5xf32>) -> tensor<5x6xf32>
    %mm_1 = "aten.mm"(%t_4, %relu_1) : (tensor<5x6xf32>, tensor<6x32xf32>) -> tensor<5x32xf32>
    %t_5 = "aten.t"(%mm_1) : (tensor<5x32xf32>) -> tensor<32x5xf32>
    %sum_1 = "aten.sum.dim_IntList"(%_log_softmax_backward_data) {dim = [0], keepdim = true} : (tensor<6x5xf32>) -> tensor<1x5xf32>
    %view = "aten.view"(%sum_1) {size = [5]} : (tensor<1x5xf32>) -> tensor<5xf32>
    %t_6 = "aten.t"(%t_5) : (tensor<32x5xf32>) -> tensor<5x32xf32>
    %detach_4 = "aten.detach"(%detach_1) : (tensor<6x32xf32>) -> tensor<6x32xf32>
    %threshold_backward = "aten.threshold_backward"(%mm, %detach_4) {threshold = 0 : i64} : (tensor<6x32xf32>, tensor<6x32xf32>) -> tensor<6x32xf32>
    %t_7 = "aten.t"(%t_1) : (tensor<32x32xf32>) -> tensor<32x32xf32>
    %mm_2 = "aten.mm"(%threshold_backward, %t_7) : (tensor<6x32xf32>, tensor<32x32xf32>) -> tensor<6x32xf32>
    %t_8 = "aten.t"(%threshold_backward) : (tensor<6x32xf32>) -> tensor<32x6xf32>
    %mm_3 = "aten.mm"(%t_8, %relu) : (tensor<32x6xf32>, tensor<6x32xf32>) -> tensor<32x32xf32>
    %t_9 = "aten.t"(%mm_3) : (tensor<32x32xf32>) -> tensor<32x32xf32>
    %sum_2 = "aten.sum.dim_IntList"(%threshold_backward) {dim = [0], keepdim = true} : (tensor<6x32xf32>) -> tensor<1x32xf32>
    %view_1 = "aten.view"(%sum_2) {size = [32]} : (tensor<1x32xf32>) -> tensor<32xf32>
    %t_10 = "aten.t"(%t_9) : (tensor<32x32xf32>) -> tensor<32x32xf32>
    %detach_5 = "aten.detach"(%detach) : (tensor<6x32xf32>) -> tensor<6x32xf32>
    %threshold_backward_1 = "aten.threshold_backward"(%mm_2, %detach_5) {threshold = 0 : i64} : (tensor<6x32xf32>, tensor<6x32xf32>) -> tensor<6x32xf32>
    %t_11 = "aten.t"(%threshold_backward_1) : (tensor<6x32xf32>) -> tensor<32x6xf32>
    %mm_4 = "aten.mm"(%t_11, %primals_7) : (tensor<32x6xf32>, tensor<6x20xf32>) -> tensor<32x20xf32>
    %t_12 = "aten.t"(%mm_4) : (tensor<32x20xf32>) -> tensor<20x32xf32>
    %sum_3 = "aten.sum.dim_IntList"(%threshold_backward_1) {dim = [0], keepdim = true} : (tensor<6x32xf32>) -> tensor<1x32xf32>
    %view_2 = "aten.view"(%sum_3) {size = [32]} : (tensor<1x32xf32>) -> tensor<32xf32>
    %t_13 = "aten.t"(%t_12) : (tensor<20x32xf32>) -> tensor<32x20xf32>
    %none = "aot.none"() : () -> none
    func.return %getitem, %t_13, %view_2, %t_10, %view_1, %t_6, %view, %none, %none : tensor<f32>, tensor<32x20xf32>, tensor<32xf32>, tensor<32x32xf32>, tensor<32xf32>, tensor<5x32xf32>, tensor<5xf32>, none, none
  }
}
