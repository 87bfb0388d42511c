module attributes {torch.buffers_spec = [], torch.in_spec = "[1, {\"type\": \"builtins.tuple\", \"context\": \"null\", \"children_spec\": [{\"type\": \"builtins.list\", \"context\": \"null\", \"children_spec\": [{\"type\": null, \"context\": null, \"children_spec\": []}]}, {\"type\": \"builtins.dict\", \"context\": \"[]\", \"children_spec\": []}]}]", torch.out_spec = "[1, {\"type\": null, \"context\": null, \"children_spec\": []}]", torch.params_spec = []} {
  func.func @joint(%primals_1: tensor<2x3x6x7xf32> {aot.desc = #aot.plain<0>},
                   %tangents_1: tensor<2x3x6x7xf32> {aot.desc = #aot.tangent<#aot.plain_out<0>>})
      -> (tensor<2x3x6x7xf32> {aot.desc = #aot.plain_out<0>},
          tensor<2x3x6x7xf32> {aot.desc = #aot.grad<#aot.plain<0>>}) {
    %im2col = "aten.im2col"(%primals_1) {dilation = [1, 2], kernel_size = [2, 3], padding = [1, 1], stride = [2, 1]} : (tensor<2x3x6x7xf32>) -> tensor<2x18x20xf32>
    %relu = "aten.relu"(%im2col) : (tensor<2x18x20xf32>) -> tensor<2x18x20xf32>
    %detach = "aten.detach"(%relu) : (tensor<2x18x20xf32>) -> tensor<2x18x20xf32>
    %col2im = "aten.col2im"(%relu) {dilation = [1, 2], kernel_size = [2, 3], output_size = [6, 7], padding = [1, 1], stride = [2, 1]} : (tensor<2x18x20xf32>) -> tensor<2x3x6x7xf32>
    %im2col_1 = "aten.im2col"(%tangents_1) {dilation = [1, 2], kernel_size = [2, 3], padding = [1, 1], stride = [2, 1]} : (tensor<2x3x6x7xf32>) -> tensor<2x18x20xf32>
    %detach_1 = "aten.detach"(%detach) : (tensor<2x18x20xf32>) -> tensor<2x18x20xf32>
    %threshold_backward = "aten.threshold_backward"(%im2col_1, %detach_1) {threshold = 0 : i64} : (tensor<2x18x20xf32>, tensor<2x18x20xf32>) -> tensor<2x18x20xf32>
    %col2im_1 = "aten.col2im"(%threshold_backward) {dilation = [1, 2], kernel_size = [2, 3], output_size = [6, 7], padding = [1, 1], stride = [2, 1]} : (tensor<2x18x20xf32>) -> tensor<2x3x6x7xf32>
    func.return %col2im, %col2im_1 : tensor<2x3x6x7xf32>, tensor<2x3x6x7xf32>
  }
}
