module attributes {torch.buffers_spec = [], torch.in_spec = "[1, {\"type\": \"builtins.tuple\", \"context\": \"null\", \"children_spec\": [{\"type\": \"builtins.list\", \"context\": \"null\", \"children_spec\": [{\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}]}, {\"type\": \"builtins.dict\", \"context\": \"[]\", \"children_spec\": []}]}]", torch.out_spec = "[1, {\"type\": null, \"context\": null, \"children_spec\": []}]", torch.params_spec = ["conv.weight", "conv.bias"]} {
  func.func @joint(%primals_1: tensor<2x2x3x3xf32> {aot.desc = #aot.param<"conv.weight">},
                   %primals_2: tensor<2xf32> {aot.desc = #aot.param<"conv.bias">},
                   %primals_3: tensor<1x2x4x4xf32> {aot.desc = #aot.plain<0>},
                   %tangents_1: tensor<f32> {aot.desc = #aot.tangent<#aot.plain_out<0>>})
      -> (tensor<f32> {aot.desc = #aot.plain_out<0>},
          tensor<2x2x3x3xf32> {aot.desc = #aot.grad<#aot.param<"conv.weight">>},
          tensor<2xf32> {aot.desc = #aot.grad<#aot.param<"conv.bias">>},
          none {aot.desc = #aot.none_grad<#aot.plain<0>>}) {
    %convolution = "aten.convolution"(%primals_3, %primals_1, %primals_2) {dilation = [1, 1], groups = 1 : i64, output_padding = [0, 0], padding = [1, 1], stride = [1, 1], transposed = false} : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
    %arange = "aten.arange.start_step"() {device = "cpu", dtype = f32, end = 8 : i64, layout = "strided", pin_memory = false, start = 0 : i64} : () -> tensor<8xf32>
    %add = "aten.add.Scalar"(%arange) {other = 0.0 : f64} : (tensor<8xf32>) -> tensor<8xf32>
    %mul = "aten.mul.Scalar"(%add) {other = 0.5 : f64} : (tensor<8xf32>) -> tensor<8xf32>
    %_to_copy = "aten._to_copy"(%mul) {dtype = i64} : (tensor<8xf32>) -> tensor<8xi64>
    %unsqueeze = "aten.unsqueeze"(%_to_copy) {dim = -1 : i64} : (tensor<8xi64>) -> tensor<8x1xi64>
    %arange_1 = "aten.arange.start_step"() {device = "cpu", dtype = f32, end = 8 : i64, layout = "strided", pin_memory = false, start = 0 : i64} : () -> tensor<8xf32>
    %add_1 = "aten.add.Scalar"(%arange_1) {other = 0.0 : f64} : (tensor<8xf32>) -> tensor<8xf32>
    %mul_1 = "aten.mul.Scalar"(%add_1) {other = 0.5 : f64} : (tensor<8xf32>) -> tensor<8xf32>
    %_to_copy_1 = "aten._to_copy"(%mul_1) {dtype = i64} : (tensor<8xf32>) -> tensor<8xi64>
    %none = "aot.none"() : () -> none
    %index = "aten.index.Tensor"(%convolution, %none, %none, %unsqueeze, %_to_copy_1) : (tensor<1x2x4x4xf32>, none, none, tensor<8x1xi64>, tensor<8xi64>) -> tensor<1x2x8x8xf32>
    %sum_1 = "aten.sum.dim_IntList"(%index) {dim = []} : (tensor<1x2x8x8xf32>) -> tensor<f32>
    %expand = "aten.expand"(%tangents_1) {size = [1, 2, 8, 8]} : (tensor<f32>) -> tensor<1x2x8x8xf32>
    %full = "aten.full"() {device = "cpu", dtype = f32, fill_value = 0 : i64, layout = "strided", pin_memory = false, size = [1, 2, 4, 4]} : () -> tensor<1x2x4x4xf32>
    %index_put = "aten.index_put"(%full, %none, %none, %unsqueeze, %_to_copy_1, %expand) {accumulate = true} : (tensor<1x2x4x4xf32>, none, none, tensor<8x1xi64>, tensor<8xi64>, tensor<1x2x8x8xf32>) -> tensor<1x2x4x4xf32>
    %convolution_backward_0, %getitem_1, %getitem_2 = "aten.convolution_backward"(%index_put, %primals_3, %primals_1) {bias_sizes = [2], dilation = [1, 1], groups = 1 : i64, output_mask = [false, true, true], output_padding = [0, 0], padding = [1, 1], stride = [1, 1], transposed = false} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>, tensor<2xf32>)
    func.return %sum_1, %getitem_1, %getitem_2, %none : tensor<f32>, tensor<2x2x3x3xf32>, tensor<2xf32>, none
  }
}
