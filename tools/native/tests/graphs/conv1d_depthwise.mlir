module attributes {torch.buffers_spec = [], torch.in_spec = "[1, {\"type\": \"builtins.tuple\", \"context\": \"null\", \"children_spec\": [{\"type\": \"builtins.list\", \"context\": \"null\", \"children_spec\": [{\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}]}, {\"type\": \"builtins.dict\", \"context\": \"[]\", \"children_spec\": []}]}]", torch.out_spec = "[1, {\"type\": null, \"context\": null, \"children_spec\": []}]", torch.params_spec = ["first.weight", "first.bias", "second.weight", "second.bias"]} {
  func.func @joint(%primals_1: tensor<6x1x3xf32> {aot.desc = #aot.param<"first.weight">},
                   %primals_2: tensor<6xf32> {aot.desc = #aot.param<"first.bias">},
                   %primals_3: tensor<6x1x5xf32> {aot.desc = #aot.param<"second.weight">},
                   %primals_4: tensor<6xf32> {aot.desc = #aot.param<"second.bias">},
                   %primals_5: tensor<2x3x17xf32> {aot.desc = #aot.plain<0>},
                   %tangents_1: tensor<2x6x9xf32> {aot.desc = #aot.tangent<#aot.plain_out<0>>})
      -> (tensor<2x6x9xf32> {aot.desc = #aot.plain_out<0>},
          tensor<6x1x3xf32> {aot.desc = #aot.grad<#aot.param<"first.weight">>},
          tensor<6xf32> {aot.desc = #aot.grad<#aot.param<"first.bias">>},
          tensor<6x1x5xf32> {aot.desc = #aot.grad<#aot.param<"second.weight">>},
          tensor<6xf32> {aot.desc = #aot.grad<#aot.param<"second.bias">>},
          tensor<2x3x17xf32> {aot.desc = #aot.grad<#aot.plain<0>>}) {
    %convolution = "aten.convolution"(%primals_5, %primals_1, %primals_2) {dilation = [1], groups = 3 : i64, output_padding = [0], padding = [1], stride = [1], transposed = false} : (tensor<2x3x17xf32>, tensor<6x1x3xf32>, tensor<6xf32>) -> tensor<2x6x17xf32> loc("/work/wt-conv/tools/native/tests/graphs/gen_graphs.py":39:9)
    %relu = "aten.relu"(%convolution) : (tensor<2x6x17xf32>) -> tensor<2x6x17xf32> loc("/work/wt-conv/tools/native/tests/graphs/gen_graphs.py":39:9)
    %detach = "aten.detach"(%relu) : (tensor<2x6x17xf32>) -> tensor<2x6x17xf32> loc("/work/wt-conv/tools/native/tests/graphs/gen_graphs.py":39:9)
    %convolution_1 = "aten.convolution"(%relu, %primals_3, %primals_4) {dilation = [1], groups = 6 : i64, output_padding = [0], padding = [2], stride = [2], transposed = false} : (tensor<2x6x17xf32>, tensor<6x1x5xf32>, tensor<6xf32>) -> tensor<2x6x9xf32> loc("/work/wt-conv/tools/native/tests/graphs/gen_graphs.py":39:9)
    %getitem, %getitem_1, %getitem_2 = "aten.convolution_backward"(%tangents_1, %relu, %primals_3) {bias_sizes = [6], dilation = [1], groups = 6 : i64, output_mask = [true, true, true], output_padding = [0], padding = [2], stride = [2], transposed = false} : (tensor<2x6x9xf32>, tensor<2x6x17xf32>, tensor<6x1x5xf32>) -> (tensor<2x6x17xf32>, tensor<6x1x5xf32>, tensor<6xf32>) loc(fused<"backward">["/work/wt-conv/tools/native/tests/graphs/gen_graphs.py":39:9])
    %detach_1 = "aten.detach"(%detach) : (tensor<2x6x17xf32>) -> tensor<2x6x17xf32> loc(fused<"backward">["/work/wt-conv/tools/native/tests/graphs/gen_graphs.py":39:9])
    %threshold_backward = "aten.threshold_backward"(%getitem, %detach_1) {threshold = 0 : i64} : (tensor<2x6x17xf32>, tensor<2x6x17xf32>) -> tensor<2x6x17xf32> loc(fused<"backward">["/work/wt-conv/tools/native/tests/graphs/gen_graphs.py":39:9])
    %getitem_3, %getitem_4, %getitem_5 = "aten.convolution_backward"(%threshold_backward, %primals_5, %primals_1) {bias_sizes = [6], dilation = [1], groups = 3 : i64, output_mask = [true, true, true], output_padding = [0], padding = [1], stride = [1], transposed = false} : (tensor<2x6x17xf32>, tensor<2x3x17xf32>, tensor<6x1x3xf32>) -> (tensor<2x3x17xf32>, tensor<6x1x3xf32>, tensor<6xf32>) loc(fused<"backward">["/work/wt-conv/tools/native/tests/graphs/gen_graphs.py":39:9])
    func.return %convolution_1, %getitem_4, %getitem_5, %getitem_1, %getitem_2, %getitem_3 : tensor<2x6x9xf32>, tensor<6x1x3xf32>, tensor<6xf32>, tensor<6x1x5xf32>, tensor<6xf32>, tensor<2x3x17xf32>
  }
}
