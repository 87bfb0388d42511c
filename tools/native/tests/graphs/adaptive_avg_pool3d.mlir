module attributes {torch.buffers_spec = [], torch.in_spec = "[1, {\"type\": \"builtins.tuple\", \"context\": \"null\", \"children_spec\": [{\"type\": \"builtins.list\", \"context\": \"null\", \"children_spec\": [{\"type\": null, \"context\": null, \"children_spec\": []}]}, {\"type\": \"builtins.dict\", \"context\": \"[]\", \"children_spec\": []}]}]", torch.out_spec = "[1, {\"type\": null, \"context\": null, \"children_spec\": []}]", torch.params_spec = []} {
  func.func @joint(%primals_1: tensor<2x3x7x6x8xf32> {aot.desc = #aot.plain<0>},
                   %tangents_1: tensor<2x3x1x2x2xf32> {aot.desc = #aot.tangent<#aot.plain_out<0>>})
      -> (tensor<2x3x1x2x2xf32> {aot.desc = #aot.plain_out<0>},
          tensor<2x3x7x6x8xf32> {aot.desc = #aot.grad<#aot.plain<0>>}) {
    %_adaptive_avg_pool3d = "aten._adaptive_avg_pool3d"(%primals_1) {output_size = [3, 2, 4]} : (tensor<2x3x7x6x8xf32>) -> tensor<2x3x3x2x4xf32>
    %relu = "aten.relu"(%_adaptive_avg_pool3d) : (tensor<2x3x3x2x4xf32>) -> tensor<2x3x3x2x4xf32>
    %detach = "aten.detach"(%relu) : (tensor<2x3x3x2x4xf32>) -> tensor<2x3x3x2x4xf32>
    %_adaptive_avg_pool3d_1 = "aten._adaptive_avg_pool3d"(%relu) {output_size = [1, 2, 2]} : (tensor<2x3x3x2x4xf32>) -> tensor<2x3x1x2x2xf32>
    %_adaptive_avg_pool3d_backward = "aten._adaptive_avg_pool3d_backward"(%tangents_1, %relu) : (tensor<2x3x1x2x2xf32>, tensor<2x3x3x2x4xf32>) -> tensor<2x3x3x2x4xf32>
    %detach_1 = "aten.detach"(%detach) : (tensor<2x3x3x2x4xf32>) -> tensor<2x3x3x2x4xf32>
    %threshold_backward = "aten.threshold_backward"(%_adaptive_avg_pool3d_backward, %detach_1) {threshold = 0 : i64} : (tensor<2x3x3x2x4xf32>, tensor<2x3x3x2x4xf32>) -> tensor<2x3x3x2x4xf32>
    %_adaptive_avg_pool3d_backward_1 = "aten._adaptive_avg_pool3d_backward"(%threshold_backward, %primals_1) : (tensor<2x3x3x2x4xf32>, tensor<2x3x7x6x8xf32>) -> tensor<2x3x7x6x8xf32>
    func.return %_adaptive_avg_pool3d_1, %_adaptive_avg_pool3d_backward_1 : tensor<2x3x1x2x2xf32>, tensor<2x3x7x6x8xf32>
  }
}
