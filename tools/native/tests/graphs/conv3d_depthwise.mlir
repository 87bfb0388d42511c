module attributes {torch.buffers_spec = [], torch.in_spec = "[1, {\"type\": \"builtins.tuple\", \"context\": \"null\", \"children_spec\": [{\"type\": \"builtins.list\", \"context\": \"null\", \"children_spec\": [{\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}]}, {\"type\": \"builtins.dict\", \"context\": \"[]\", \"children_spec\": []}]}]", torch.out_spec = "[1, {\"type\": null, \"context\": null, \"children_spec\": []}]", torch.params_spec = ["first.weight", "first.bias", "second.weight", "second.bias"]} {
  func.func @joint(%primals_1: tensor<4x1x3x3x3xf32> {aot.desc = #aot.param<"first.weight">},
                   %primals_2: tensor<4xf32> {aot.desc = #aot.param<"first.bias">},
                   %primals_3: tensor<8x1x3x1x1xf32> {aot.desc = #aot.param<"second.weight">},
                   %primals_4: tensor<8xf32> {aot.desc = #aot.param<"second.bias">},
                   %primals_5: tensor<1x4x5x6x7xf32> {aot.desc = #aot.plain<0>},
                   %tangents_1: tensor<1x8x3x6x7xf32> {aot.desc = #aot.tangent<#aot.plain_out<0>>})
      -> (tensor<1x8x3x6x7xf32> {aot.desc = #aot.plain_out<0>},
          tensor<4x1x3x3x3xf32> {aot.desc = #aot.grad<#aot.param<"first.weight">>},
          tensor<4xf32> {aot.desc = #aot.grad<#aot.param<"first.bias">>},
          tensor<8x1x3x1x1xf32> {aot.desc = #aot.grad<#aot.param<"second.weight">>},
          tensor<8xf32> {aot.desc = #aot.grad<#aot.param<"second.bias">>},
          tensor<1x4x5x6x7xf32> {aot.desc = #aot.grad<#aot.plain<0>>}) {
    %convolution = "aten.convolution"(%primals_5, %primals_1, %primals_2) {dilation = [1, 1, 1], groups = 4 : i64, output_padding = [0, 0, 0], padding = [1, 1, 1], stride = [1, 1, 1], transposed = false} : (tensor<1x4x5x6x7xf32>, tensor<4x1x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x5x6x7xf32> loc("/work/wt-conv/tools/native/tests/graphs/gen_graphs.py":39:9)
    %relu = "aten.relu"(%convolution) : (tensor<1x4x5x6x7xf32>) -> tensor<1x4x5x6x7xf32> loc("/work/wt-conv/tools/native/tests/graphs/gen_graphs.py":39:9)
    %detach = "aten.detach"(%relu) : (tensor<1x4x5x6x7xf32>) -> tensor<1x4x5x6x7xf32> loc("/work/wt-conv/tools/native/tests/graphs/gen_graphs.py":39:9)
    %convolution_1 = "aten.convolution"(%relu, %primals_3, %primals_4) {dilation = [1, 1, 1], groups = 4 : i64, output_padding = [0, 0, 0], padding = [0, 0, 0], stride = [1, 1, 1], transposed = false} : (tensor<1x4x5x6x7xf32>, tensor<8x1x3x1x1xf32>, tensor<8xf32>) -> tensor<1x8x3x6x7xf32> loc("/work/wt-conv/tools/native/tests/graphs/gen_graphs.py":39:9)
    %getitem, %getitem_1, %getitem_2 = "aten.convolution_backward"(%tangents_1, %relu, %primals_3) {bias_sizes = [8], dilation = [1, 1, 1], groups = 4 : i64, output_mask = [true, true, true], output_padding = [0, 0, 0], padding = [0, 0, 0], stride = [1, 1, 1], transposed = false} : (tensor<1x8x3x6x7xf32>, tensor<1x4x5x6x7xf32>, tensor<8x1x3x1x1xf32>) -> (tensor<1x4x5x6x7xf32>, tensor<8x1x3x1x1xf32>, tensor<8xf32>) loc(fused<"backward">["/work/wt-conv/tools/native/tests/graphs/gen_graphs.py":39:9])
    %detach_1 = "aten.detach"(%detach) : (tensor<1x4x5x6x7xf32>) -> tensor<1x4x5x6x7xf32> loc(fused<"backward">["/work/wt-conv/tools/native/tests/graphs/gen_graphs.py":39:9])
    %threshold_backward = "aten.threshold_backward"(%getitem, %detach_1) {threshold = 0 : i64} : (tensor<1x4x5x6x7xf32>, tensor<1x4x5x6x7xf32>) -> tensor<1x4x5x6x7xf32> loc(fused<"backward">["/work/wt-conv/tools/native/tests/graphs/gen_graphs.py":39:9])
    %getitem_3, %getitem_4, %getitem_5 = "aten.convolution_backward"(%threshold_backward, %primals_5, %primals_1) {bias_sizes = [4], dilation = [1, 1, 1], groups = 4 : i64, output_mask = [true, true, true], output_padding = [0, 0, 0], padding = [1, 1, 1], stride = [1, 1, 1], transposed = false} : (tensor<1x4x5x6x7xf32>, tensor<1x4x5x6x7xf32>, tensor<4x1x3x3x3xf32>) -> (tensor<1x4x5x6x7xf32>, tensor<4x1x3x3x3xf32>, tensor<4xf32>) loc(fused<"backward">["/work/wt-conv/tools/native/tests/graphs/gen_graphs.py":39:9])
    func.return %convolution_1, %getitem_4, %getitem_5, %getitem_1, %getitem_2, %getitem_3 : tensor<1x8x3x6x7xf32>, tensor<4x1x3x3x3xf32>, tensor<4xf32>, tensor<8x1x3x1x1xf32>, tensor<8xf32>, tensor<1x4x5x6x7xf32>
  }
}
