module attributes {torch.buffers_spec = [], torch.in_spec = "[1, {\"type\": \"builtins.tuple\", \"context\": \"null\", \"children_spec\": [{\"type\": \"builtins.list\", \"context\": \"null\", \"children_spec\": [{\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}]}, {\"type\": \"builtins.dict\", \"context\": \"[]\", \"children_spec\": []}]}]", torch.out_spec = "[1, {\"type\": null, \"context\": null, \"children_spec\": []}]", torch.params_spec = ["first.weight", "second.weight", "second.bias"]} {
  func.func @joint(%primals_1: tensor<4x2x3xf32> {aot.desc = #aot.param<"first.weight">},
                   %primals_2: tensor<4x2x4xf32> {aot.desc = #aot.param<"second.weight">},
                   %primals_3: tensor<2xf32> {aot.desc = #aot.param<"second.bias">},
                   %primals_4: tensor<2x4x6xf32> {aot.desc = #aot.plain<0>},
                   %tangents_1: tensor<2x2x34xf32> {aot.desc = #aot.tangent<#aot.plain_out<0>>})
      -> (tensor<2x2x34xf32> {aot.desc = #aot.plain_out<0>},
          tensor<4x2x3xf32> {aot.desc = #aot.grad<#aot.param<"first.weight">>},
          tensor<4x2x4xf32> {aot.desc = #aot.grad<#aot.param<"second.weight">>},
          tensor<2xf32> {aot.desc = #aot.grad<#aot.param<"second.bias">>},
          tensor<2x4x6xf32> {aot.desc = #aot.grad<#aot.plain<0>>}) {
    %convolution = "aten.convolution"(%primals_4, %primals_1) {dilation = [1], groups = 2 : i64, output_padding = [0], padding = [2], stride = [3], transposed = true} : (tensor<2x4x6xf32>, tensor<4x2x3xf32>) -> tensor<2x4x14xf32>
    %relu = "aten.relu"(%convolution) : (tensor<2x4x14xf32>) -> tensor<2x4x14xf32>
    %detach = "aten.detach"(%relu) : (tensor<2x4x14xf32>) -> tensor<2x4x14xf32>
    %convolution_1 = "aten.convolution"(%relu, %primals_2, %primals_3) {dilation = [2], groups = 1 : i64, output_padding = [1], padding = [0], stride = [2], transposed = true} : (tensor<2x4x14xf32>, tensor<4x2x4xf32>, tensor<2xf32>) -> tensor<2x2x34xf32>
    %getitem, %getitem_1, %getitem_2 = "aten.convolution_backward"(%tangents_1, %relu, %primals_2) {bias_sizes = [2], dilation = [2], groups = 1 : i64, output_mask = [true, true, true], output_padding = [1], padding = [0], stride = [2], transposed = true} : (tensor<2x2x34xf32>, tensor<2x4x14xf32>, tensor<4x2x4xf32>) -> (tensor<2x4x14xf32>, tensor<4x2x4xf32>, tensor<2xf32>)
    %detach_1 = "aten.detach"(%detach) : (tensor<2x4x14xf32>) -> tensor<2x4x14xf32>
    %threshold_backward = "aten.threshold_backward"(%getitem, %detach_1) {threshold = 0 : i64} : (tensor<2x4x14xf32>, tensor<2x4x14xf32>) -> tensor<2x4x14xf32>
    %getitem_3, %getitem_4, %convolution_backward_1_2 = "aten.convolution_backward"(%threshold_backward, %primals_4, %primals_1) {bias_sizes = [0], dilation = [1], groups = 2 : i64, output_mask = [true, true, false], output_padding = [0], padding = [2], stride = [3], transposed = true} : (tensor<2x4x14xf32>, tensor<2x4x6xf32>, tensor<4x2x3xf32>) -> (tensor<2x4x6xf32>, tensor<4x2x3xf32>, tensor<0xf32>)
    func.return %convolution_1, %getitem_4, %getitem_1, %getitem_2, %getitem_3 : tensor<2x2x34xf32>, tensor<4x2x3xf32>, tensor<4x2x4xf32>, tensor<2xf32>, tensor<2x4x6xf32>
  }
}
