module attributes {torch.buffers_spec = [], torch.in_spec = "[1, {\"type\": \"builtins.tuple\", \"context\": \"null\", \"children_spec\": [{\"type\": \"builtins.list\", \"context\": \"null\", \"children_spec\": [{\"type\": null, \"context\": null, \"children_spec\": []}]}, {\"type\": \"builtins.dict\", \"context\": \"[]\", \"children_spec\": []}]}]", torch.out_spec = "[1, {\"type\": null, \"context\": null, \"children_spec\": []}]", torch.params_spec = []} {
  func.func @joint(%primals_1: tensor<2x3x9x10xf32> {aot.desc = #aot.plain<0>},
                   %tangents_1: tensor<2x3x3x4xf32> {aot.desc = #aot.tangent<#aot.plain_out<0>>})
      -> (tensor<2x3x3x4xf32> {aot.desc = #aot.plain_out<0>},
          tensor<2x3x9x10xf32> {aot.desc = #aot.grad<#aot.plain<0>>}) {
    %getitem, %getitem_1 = "aten.max_pool2d_with_indices"(%primals_1) {ceil_mode = true, dilation = [1, 2], kernel_size = [2, 3], padding = [1, 1], stride = [2, 1]} : (tensor<2x3x9x10xf32>) -> (tensor<2x3x5x8xf32>, tensor<2x3x5x8xi64>)
    %relu = "aten.relu"(%getitem) : (tensor<2x3x5x8xf32>) -> tensor<2x3x5x8xf32>
    %detach = "aten.detach"(%relu) : (tensor<2x3x5x8xf32>) -> tensor<2x3x5x8xf32>
    %getitem_2, %getitem_3 = "aten.max_pool2d_with_indices"(%relu) {ceil_mode = true, dilation = [1, 1], kernel_size = [2, 2], padding = [0, 0], stride = [2, 2]} : (tensor<2x3x5x8xf32>) -> (tensor<2x3x3x4xf32>, tensor<2x3x3x4xi64>)
    %max_pool2d_with_indices_backward = "aten.max_pool2d_with_indices_backward"(%tangents_1, %relu, %getitem_3) {ceil_mode = true, dilation = [1, 1], kernel_size = [2, 2], padding = [0, 0], stride = [2, 2]} : (tensor<2x3x3x4xf32>, tensor<2x3x5x8xf32>, tensor<2x3x3x4xi64>) -> tensor<2x3x5x8xf32>
    %detach_1 = "aten.detach"(%detach) : (tensor<2x3x5x8xf32>) -> tensor<2x3x5x8xf32>
    %threshold_backward = "aten.threshold_backward"(%max_pool2d_with_indices_backward, %detach_1) {threshold = 0 : i64} : (tensor<2x3x5x8xf32>, tensor<2x3x5x8xf32>) -> tensor<2x3x5x8xf32>
    %max_pool2d_with_indices_backward_1 = "aten.max_pool2d_with_indices_backward"(%threshold_backward, %primals_1, %getitem_1) {ceil_mode = true, dilation = [1, 2], kernel_size = [2, 3], padding = [1, 1], stride = [2, 1]} : (tensor<2x3x5x8xf32>, tensor<2x3x9x10xf32>, tensor<2x3x5x8xi64>) -> tensor<2x3x9x10xf32>
    func.return %getitem_2, %max_pool2d_with_indices_backward_1 : tensor<2x3x3x4xf32>, tensor<2x3x9x10xf32>
  }
}
