module attributes {torch.buffers_spec = [], torch.in_spec = "[1, {\"type\": \"builtins.tuple\", \"context\": \"null\", \"children_spec\": [{\"type\": \"builtins.list\", \"context\": \"null\", \"children_spec\": [{\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}]}, {\"type\": \"builtins.dict\", \"context\": \"[]\", \"children_spec\": []}]}]", torch.out_spec = "[1, {\"type\": null, \"context\": null, \"children_spec\": []}]", torch.params_spec = ["first.weight", "first.bias"]} {
  func.func @joint(%primals_1: tensor<2x2x1x1x1xf32> {aot.desc = #aot.param<"first.weight">},
                   %primals_2: tensor<2xf32> {aot.desc = #aot.param<"first.bias">},
                   %primals_3: tensor<1x2x5x4x3xf32> {aot.desc = #aot.plain<0>},
                   %tangents_1: tensor<1x2x3x2x2xf32> {aot.desc = #aot.tangent<#aot.plain_out<0>>})
      -> (tensor<1x2x3x2x2xf32> {aot.desc = #aot.plain_out<0>},
          tensor<2x2x1x1x1xf32> {aot.desc = #aot.grad<#aot.param<"first.weight">>},
          tensor<2xf32> {aot.desc = #aot.grad<#aot.param<"first.bias">>},
          tensor<1x2x5x4x3xf32> {aot.desc = #aot.grad<#aot.plain<0>>}) {
    %convolution = "aten.convolution"(%primals_3, %primals_1, %primals_2) {dilation = [1, 1, 1], groups = 1 : i64, output_padding = [0, 0, 0], padding = [0, 0, 0], stride = [1, 1, 1], transposed = false} : (tensor<1x2x5x4x3xf32>, tensor<2x2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x5x4x3xf32>
    %relu = "aten.relu"(%convolution) : (tensor<1x2x5x4x3xf32>) -> tensor<1x2x5x4x3xf32>
    %detach = "aten.detach"(%relu) : (tensor<1x2x5x4x3xf32>) -> tensor<1x2x5x4x3xf32>
    %avg_pool3d = "aten.avg_pool3d"(%relu) {ceil_mode = true, count_include_pad = true, divisor_override = 3 : i64, kernel_size = [2, 2, 2], padding = [0, 0, 0], stride = [2, 2, 2]} : (tensor<1x2x5x4x3xf32>) -> tensor<1x2x3x2x2xf32>
    %avg_pool3d_backward = "aten.avg_pool3d_backward"(%tangents_1, %relu) {ceil_mode = true, count_include_pad = true, divisor_override = 3 : i64, kernel_size = [2, 2, 2], padding = [0, 0, 0], stride = [2, 2, 2]} : (tensor<1x2x3x2x2xf32>, tensor<1x2x5x4x3xf32>) -> tensor<1x2x5x4x3xf32>
    %detach_1 = "aten.detach"(%detach) : (tensor<1x2x5x4x3xf32>) -> tensor<1x2x5x4x3xf32>
    %threshold_backward = "aten.threshold_backward"(%avg_pool3d_backward, %detach_1) {threshold = 0 : i64} : (tensor<1x2x5x4x3xf32>, tensor<1x2x5x4x3xf32>) -> tensor<1x2x5x4x3xf32>
    %getitem, %getitem_1, %getitem_2 = "aten.convolution_backward"(%threshold_backward, %primals_3, %primals_1) {bias_sizes = [2], dilation = [1, 1, 1], groups = 1 : i64, output_mask = [true, true, true], output_padding = [0, 0, 0], padding = [0, 0, 0], stride = [1, 1, 1], transposed = false} : (tensor<1x2x5x4x3xf32>, tensor<1x2x5x4x3xf32>, tensor<2x2x1x1x1xf32>) -> (tensor<1x2x5x4x3xf32>, tensor<2x2x1x1x1xf32>, tensor<2xf32>)
    func.return %avg_pool3d, %getitem_1, %getitem_2, %getitem : tensor<1x2x3x2x2xf32>, tensor<2x2x1x1x1xf32>, tensor<2xf32>, tensor<1x2x5x4x3xf32>
  }
}
