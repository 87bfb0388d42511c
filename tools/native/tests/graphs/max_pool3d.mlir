module attributes {torch.buffers_spec = [], torch.in_spec = "[1, {\"type\": \"builtins.tuple\", \"context\": \"null\", \"children_spec\": [{\"type\": \"builtins.list\", \"context\": \"null\", \"children_spec\": [{\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}]}, {\"type\": \"builtins.dict\", \"context\": \"[]\", \"children_spec\": []}]}]", torch.out_spec = "[1, {\"type\": null, \"context\": null, \"children_spec\": []}]", torch.params_spec = ["first.weight", "first.bias"]} {
  func.func @joint(%primals_1: tensor<3x2x3x3x3xf32> {aot.desc = #aot.param<"first.weight">},
                   %primals_2: tensor<3xf32> {aot.desc = #aot.param<"first.bias">},
                   %primals_3: tensor<2x2x5x6x7xf32> {aot.desc = #aot.plain<0>},
                   %tangents_1: tensor<2x3x3x4x4xf32> {aot.desc = #aot.tangent<#aot.plain_out<0>>})
      -> (tensor<2x3x3x4x4xf32> {aot.desc = #aot.plain_out<0>},
          tensor<3x2x3x3x3xf32> {aot.desc = #aot.grad<#aot.param<"first.weight">>},
          tensor<3xf32> {aot.desc = #aot.grad<#aot.param<"first.bias">>},
          tensor<2x2x5x6x7xf32> {aot.desc = #aot.grad<#aot.plain<0>>}) {
    %convolution = "aten.convolution"(%primals_3, %primals_1, %primals_2) {dilation = [1, 1, 1], groups = 1 : i64, output_padding = [0, 0, 0], padding = [1, 1, 1], stride = [1, 1, 1], transposed = false} : (tensor<2x2x5x6x7xf32>, tensor<3x2x3x3x3xf32>, tensor<3xf32>) -> tensor<2x3x5x6x7xf32>
    %relu = "aten.relu"(%convolution) : (tensor<2x3x5x6x7xf32>) -> tensor<2x3x5x6x7xf32>
    %detach = "aten.detach"(%relu) : (tensor<2x3x5x6x7xf32>) -> tensor<2x3x5x6x7xf32>
    %getitem, %getitem_1 = "aten.max_pool3d_with_indices"(%relu) {ceil_mode = true, dilation = [1, 2, 1], kernel_size = [2, 3, 2], padding = [1, 1, 0], stride = [2, 1, 2]} : (tensor<2x3x5x6x7xf32>) -> (tensor<2x3x3x4x4xf32>, tensor<2x3x3x4x4xi64>)
    %max_pool3d_with_indices_backward = "aten.max_pool3d_with_indices_backward"(%tangents_1, %relu, %getitem_1) {ceil_mode = true, dilation = [1, 2, 1], kernel_size = [2, 3, 2], padding = [1, 1, 0], stride = [2, 1, 2]} : (tensor<2x3x3x4x4xf32>, tensor<2x3x5x6x7xf32>, tensor<2x3x3x4x4xi64>) -> tensor<2x3x5x6x7xf32>
    %detach_1 = "aten.detach"(%detach) : (tensor<2x3x5x6x7xf32>) -> tensor<2x3x5x6x7xf32>
    %threshold_backward = "aten.threshold_backward"(%max_pool3d_with_indices_backward, %detach_1) {threshold = 0 : i64} : (tensor<2x3x5x6x7xf32>, tensor<2x3x5x6x7xf32>) -> tensor<2x3x5x6x7xf32>
    %getitem_2, %getitem_3, %getitem_4 = "aten.convolution_backward"(%threshold_backward, %primals_3, %primals_1) {bias_sizes = [3], dilation = [1, 1, 1], groups = 1 : i64, output_mask = [true, true, true], output_padding = [0, 0, 0], padding = [1, 1, 1], stride = [1, 1, 1], transposed = false} : (tensor<2x3x5x6x7xf32>, tensor<2x2x5x6x7xf32>, tensor<3x2x3x3x3xf32>) -> (tensor<2x2x5x6x7xf32>, tensor<3x2x3x3x3xf32>, tensor<3xf32>)
    func.return %getitem, %getitem_3, %getitem_4, %getitem_2 : tensor<2x3x3x4x4xf32>, tensor<3x2x3x3x3xf32>, tensor<3xf32>, tensor<2x2x5x6x7xf32>
  }
}
