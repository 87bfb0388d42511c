// The zoo's conv_bn joint (tests/torch/models.py), exported by joinery_torch.export with torch 2.15.0;
// a fixed input for Rust tests that must not need PyTorch (aten-decompose against the interpreter).
module attributes {torch.buffers_spec = ["bn.running_mean", "bn.running_var", "bn.num_batches_tracked"], torch.in_spec = "[1, {\"type\": \"builtins.tuple\", \"context\": \"null\", \"children_spec\": [{\"type\": \"builtins.list\", \"context\": \"null\", \"children_spec\": [{\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}]}, {\"type\": \"builtins.dict\", \"context\": \"[]\", \"children_spec\": []}]}]", torch.out_spec = "[1, {\"type\": null, \"context\": null, \"children_spec\": []}]", torch.params_spec = ["conv.weight", "conv.bias", "bn.weight", "bn.bias"]} {
  func.func @joint(%primals_1: tensor<4x3x3x3xf32> {aot.desc = #aot.param<"conv.weight">},
                   %primals_2: tensor<4xf32> {aot.desc = #aot.param<"conv.bias">},
                   %primals_3: tensor<4xf32> {aot.desc = #aot.param<"bn.weight">},
                   %primals_4: tensor<4xf32> {aot.desc = #aot.param<"bn.bias">},
                   %primals_5: tensor<4xf32> {aot.desc = #aot.buffer<"bn.running_mean">},
                   %primals_6: tensor<4xf32> {aot.desc = #aot.buffer<"bn.running_var">},
                   %primals_7: tensor<i64> {aot.desc = #aot.buffer<"bn.num_batches_tracked">},
                   %primals_8: tensor<2x3x6x6xf32> {aot.desc = #aot.plain<0>},
                   %tangents_1: tensor<2x4x4x4xf32> {aot.desc = #aot.tangent<#aot.plain_out<0>>})
      -> (tensor<4xf32> {aot.desc = #aot.input_mutation<#aot.buffer<"bn.running_mean">>},
          tensor<4xf32> {aot.desc = #aot.input_mutation<#aot.buffer<"bn.running_var">>},
          tensor<i64> {aot.desc = #aot.input_mutation<#aot.buffer<"bn.num_batches_tracked">>},
          tensor<2x4x4x4xf32> {aot.desc = #aot.plain_out<0>},
          tensor<4x3x3x3xf32> {aot.desc = #aot.grad<#aot.param<"conv.weight">>},
          tensor<4xf32> {aot.desc = #aot.grad<#aot.param<"conv.bias">>},
          tensor<4xf32> {aot.desc = #aot.grad<#aot.param<"bn.weight">>},
          tensor<4xf32> {aot.desc = #aot.grad<#aot.param<"bn.bias">>},
          none {aot.desc = #aot.none_grad<#aot.buffer<"bn.running_mean">>},
          none {aot.desc = #aot.none_grad<#aot.buffer<"bn.running_var">>},
          none {aot.desc = #aot.none_grad<#aot.buffer<"bn.num_batches_tracked">>},
          none {aot.desc = #aot.none_grad<#aot.plain<0>>}) {
    %convolution = "aten.convolution"(%primals_8, %primals_1, %primals_2) {dilation = [1, 1], groups = 1 : i64, output_padding = [0, 0], padding = [0, 0], stride = [1, 1], transposed = false} : (tensor<2x3x6x6xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<2x4x4x4xf32>
    %add = "aten.add.Scalar"(%primals_7) {other = 1 : i64} : (tensor<i64>) -> tensor<i64>
    %getitem, %getitem_1, %getitem_2, %getitem_3, %getitem_4 = "aten._native_batch_norm_legit_functional"(%convolution, %primals_3, %primals_4, %primals_5, %primals_6) {eps = 1.0e-05 : f64, momentum = 0.1 : f64, training = true} : (tensor<2x4x4x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<2x4x4x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
    %getitem_5, %getitem_6, %getitem_7 = "aten.native_batch_norm_backward"(%tangents_1, %convolution, %primals_3, %getitem_3, %getitem_4, %getitem_1, %getitem_2) {eps = 1.0e-05 : f64, output_mask = [true, true, true], train = true} : (tensor<2x4x4x4xf32>, tensor<2x4x4x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<2x4x4x4xf32>, tensor<4xf32>, tensor<4xf32>)
    %convolution_backward_0, %getitem_9, %getitem_10 = "aten.convolution_backward"(%getitem_5, %primals_8, %primals_1) {bias_sizes = [4], dilation = [1, 1], groups = 1 : i64, output_mask = [false, true, true], output_padding = [0, 0], padding = [0, 0], stride = [1, 1], transposed = false} : (tensor<2x4x4x4xf32>, tensor<2x3x6x6xf32>, tensor<4x3x3x3xf32>) -> (tensor<2x3x6x6xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>)
    %none = "aot.none"() : () -> none
    func.return %getitem_3, %getitem_4, %add, %getitem, %getitem_9, %getitem_10, %getitem_6, %getitem_7, %none, %none, %none, %none : tensor<4xf32>, tensor<4xf32>, tensor<i64>, tensor<2x4x4x4xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, none, none, none, none
  }
}
