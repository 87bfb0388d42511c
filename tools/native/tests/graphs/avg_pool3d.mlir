module attributes {torch.buffers_spec = [], torch.in_spec = "[1, {\"type\": \"builtins.tuple\", \"context\": \"null\", \"children_spec\": [{\"type\": \"builtins.list\", \"context\": \"null\", \"children_spec\": [{\"type\": null, \"context\": null, \"children_spec\": []}]}, {\"type\": \"builtins.dict\", \"context\": \"[]\", \"children_spec\": []}]}]", torch.out_spec = "[1, {\"type\": null, \"context\": null, \"children_spec\": []}]", torch.params_spec = []} {
  func.func @joint(%primals_1: tensor<2x3x7x6x5xf32> {aot.desc = #aot.plain<0>},
                   %tangents_1: tensor<2x3x3x3x2xf32> {aot.desc = #aot.tangent<#aot.plain_out<0>>})
      -> (tensor<2x3x3x3x2xf32> {aot.desc = #aot.plain_out<0>},
          tensor<2x3x7x6x5xf32> {aot.desc = #aot.grad<#aot.plain<0>>}) {
    %avg_pool3d = "aten.avg_pool3d"(%primals_1) {kernel_size = [3, 3, 3], padding = [1, 1, 1], stride = [2, 2, 2]} : (tensor<2x3x7x6x5xf32>) -> tensor<2x3x4x3x3xf32>
    %relu = "aten.relu"(%avg_pool3d) : (tensor<2x3x4x3x3xf32>) -> tensor<2x3x4x3x3xf32>
    %detach = "aten.detach"(%relu) : (tensor<2x3x4x3x3xf32>) -> tensor<2x3x4x3x3xf32>
    %avg_pool3d_1 = "aten.avg_pool3d"(%relu) {ceil_mode = true, count_include_pad = false, kernel_size = [2, 3, 2], padding = [1, 1, 0], stride = [2, 1, 1]} : (tensor<2x3x4x3x3xf32>) -> tensor<2x3x3x3x2xf32>
    %avg_pool3d_backward = "aten.avg_pool3d_backward"(%tangents_1, %relu) {ceil_mode = true, count_include_pad = false, kernel_size = [2, 3, 2], padding = [1, 1, 0], stride = [2, 1, 1]} : (tensor<2x3x3x3x2xf32>, tensor<2x3x4x3x3xf32>) -> tensor<2x3x4x3x3xf32>
    %detach_1 = "aten.detach"(%detach) : (tensor<2x3x4x3x3xf32>) -> tensor<2x3x4x3x3xf32>
    %threshold_backward = "aten.threshold_backward"(%avg_pool3d_backward, %detach_1) {threshold = 0 : i64} : (tensor<2x3x4x3x3xf32>, tensor<2x3x4x3x3xf32>) -> tensor<2x3x4x3x3xf32>
    %avg_pool3d_backward_1 = "aten.avg_pool3d_backward"(%threshold_backward, %primals_1) {ceil_mode = false, count_include_pad = true, kernel_size = [3, 3, 3], padding = [1, 1, 1], stride = [2, 2, 2]} : (tensor<2x3x4x3x3xf32>, tensor<2x3x7x6x5xf32>) -> tensor<2x3x7x6x5xf32>
    func.return %avg_pool3d_1, %avg_pool3d_backward_1 : tensor<2x3x3x3x2xf32>, tensor<2x3x7x6x5xf32>
  }
}
