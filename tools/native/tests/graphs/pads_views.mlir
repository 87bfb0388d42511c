module attributes {torch.buffers_spec = [], torch.in_spec = "[1, {\"type\": \"builtins.tuple\", \"context\": \"null\", \"children_spec\": [{\"type\": \"builtins.list\", \"context\": \"null\", \"children_spec\": [{\"type\": null, \"context\": null, \"children_spec\": []}]}, {\"type\": \"builtins.dict\", \"context\": \"[]\", \"children_spec\": []}]}]", torch.out_spec = "[1, {\"type\": \"builtins.tuple\", \"context\": \"null\", \"children_spec\": [{\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}]}]", torch.params_spec = []} {
  func.func @joint(%primals_1: tensor<2x3x5x6xf32> {aot.desc = #aot.plain<0>},
                   %tangents_1: tensor<f32> {aot.desc = #aot.tangent<#aot.plain_out<0>>},
                   %tangents_2: tensor<2x3x6x9xf32> {aot.desc = #aot.tangent<#aot.plain_out<1>>},
                   %tangents_3: tensor<5x6xf32> {aot.desc = #aot.tangent<#aot.plain_out<2>>},
                   %tangents_4: tensor<2x2x5x3xf32> {aot.desc = #aot.tangent<#aot.plain_out<3>>},
                   %tangents_5: tensor<2x3x5x6xf32> {aot.desc = #aot.tangent<#aot.plain_out<4>>})
      -> (tensor<f32> {aot.desc = #aot.plain_out<0>},
          tensor<2x3x6x9xf32> {aot.desc = #aot.plain_out<1>},
          tensor<5x6xf32> {aot.desc = #aot.plain_out<2>},
          tensor<2x2x5x3xf32> {aot.desc = #aot.plain_out<3>},
          tensor<2x3x5x6xf32> {aot.desc = #aot.plain_out<4>},
          tensor<6x5xi64> {aot.desc = #aot.plain_out<5>},
          tensor<5x6xi64> {aot.desc = #aot.plain_out<6>},
          tensor<2x3x5x6xf32> {aot.desc = #aot.grad<#aot.plain<0>>}) {
    %constant_pad_nd = "aten.constant_pad_nd"(%primals_1) {pad = [1, 2, 0, 1], value = 0.5 : f64} : (tensor<2x3x5x6xf32>) -> tensor<2x3x6x9xf32>
    %constant_pad_nd_1 = "aten.constant_pad_nd"(%primals_1) {pad = [-1, 2, 2, -3], value = 0.0 : f64} : (tensor<2x3x5x6xf32>) -> tensor<2x3x4x7xf32>
    %flip = "aten.flip"(%constant_pad_nd) {dims = [1, -1]} : (tensor<2x3x6x9xf32>) -> tensor<2x3x6x9xf32>
    %select = "aten.select.int"(%primals_1) {dim = 0 : i64, index = 1 : i64} : (tensor<2x3x5x6xf32>) -> tensor<3x5x6xf32>
    %select_1 = "aten.select.int"(%select) {dim = 0 : i64, index = 0 : i64} : (tensor<3x5x6xf32>) -> tensor<5x6xf32>
    %ones = "aten.ones"() {device = "cpu", dtype = i1, pin_memory = false, size = [5, 6]} : () -> tensor<5x6xi1>
    %triu = "aten.triu"(%ones) {diagonal = 1 : i64} : (tensor<5x6xi1>) -> tensor<5x6xi1>
    %triu_1 = "aten.triu"(%select_1) {diagonal = -1 : i64} : (tensor<5x6xf32>) -> tensor<5x6xf32>
    %tril = "aten.tril"(%select_1) {diagonal = 1 : i64} : (tensor<5x6xf32>) -> tensor<5x6xf32>
    %flip_1 = "aten.flip"(%tril) {dims = [0]} : (tensor<5x6xf32>) -> tensor<5x6xf32>
    %add = "aten.add.Tensor"(%triu_1, %flip_1) : (tensor<5x6xf32>, tensor<5x6xf32>) -> tensor<5x6xf32>
    %masked_fill = "aten.masked_fill.Scalar"(%select_1, %triu) {value = 0.0 : f64} : (tensor<5x6xf32>, tensor<5x6xi1>) -> tensor<5x6xf32>
    %add_1 = "aten.add.Tensor"(%add, %masked_fill) : (tensor<5x6xf32>, tensor<5x6xf32>) -> tensor<5x6xf32>
    %linspace = "aten.linspace"() {device = "cpu", end = 2.0 : f64, pin_memory = false, start = -1.0 : f64, steps = 6 : i64} : () -> tensor<6xf32>
    %linspace_1 = "aten.linspace"() {device = "cpu", end = 3.0 : f64, pin_memory = false, start = 3.0 : f64, steps = 1 : i64} : () -> tensor<1xf32>
    %mul = "aten.mul.Tensor"(%linspace, %linspace_1) : (tensor<6xf32>, tensor<1xf32>) -> tensor<6xf32>
    %slice_1 = "aten.slice.Tensor"(%primals_1) {dim = 1 : i64, end = 9223372036854775807 : i64, start = 1 : i64} : (tensor<2x3x5x6xf32>) -> tensor<2x2x5x6xf32>
    %slice_2 = "aten.slice.Tensor"(%slice_1) {dim = 3 : i64, end = 9223372036854775807 : i64, start = 0 : i64, step = 2 : i64} : (tensor<2x2x5x6xf32>) -> tensor<2x2x5x3xf32>
    %slice_3 = "aten.slice.Tensor"(%mul) {dim = 0 : i64, end = 9223372036854775807 : i64, start = 0 : i64, step = 2 : i64} : (tensor<6xf32>) -> tensor<3xf32>
    %mul_1 = "aten.mul.Tensor"(%slice_2, %slice_3) : (tensor<2x2x5x3xf32>, tensor<3xf32>) -> tensor<2x2x5x3xf32>
    %mul_2 = "aten.mul.Scalar"(%primals_1) {other = 2.0 : f64} : (tensor<2x3x5x6xf32>) -> tensor<2x3x5x6xf32>
    %select_2 = "aten.select.int"(%primals_1) {dim = 1 : i64, index = 2 : i64} : (tensor<2x3x5x6xf32>) -> tensor<2x5x6xf32>
    %sin = "aten.sin"(%select_2) : (tensor<2x5x6xf32>) -> tensor<2x5x6xf32>
    %select_scatter = "aten.select_scatter"(%mul_2, %sin) {dim = 1 : i64, index = 0 : i64} : (tensor<2x3x5x6xf32>, tensor<2x5x6xf32>) -> tensor<2x3x5x6xf32>
    %slice_4 = "aten.slice.Tensor"(%select_scatter) {dim = 2 : i64, end = 5 : i64, start = 3 : i64} : (tensor<2x3x5x6xf32>) -> tensor<2x3x2x6xf32>
    %mul_3 = "aten.mul.Scalar"(%slice_4) {other = 3.0 : f64} : (tensor<2x3x2x6xf32>) -> tensor<2x3x2x6xf32>
    %slice_scatter = "aten.slice_scatter"(%select_scatter, %mul_3) {dim = 2 : i64, end = -2 : i64, start = 1 : i64} : (tensor<2x3x5x6xf32>, tensor<2x3x2x6xf32>) -> tensor<2x3x5x6xf32>
    %select_3 = "aten.select.int"(%primals_1) {dim = 0 : i64, index = 0 : i64} : (tensor<2x3x5x6xf32>) -> tensor<3x5x6xf32>
    %select_4 = "aten.select.int"(%select_3) {dim = 0 : i64, index = 0 : i64} : (tensor<3x5x6xf32>) -> tensor<5x6xf32>
    %mul_4 = "aten.mul.Scalar"(%select_4) {other = 4.0 : f64} : (tensor<5x6xf32>) -> tensor<5x6xf32>
    %_to_copy = "aten._to_copy"(%mul_4) {dtype = i64} : (tensor<5x6xf32>) -> tensor<5x6xi64>
    %sum_1 = "aten.sum"(%constant_pad_nd) : (tensor<2x3x6x9xf32>) -> tensor<f32>
    %mean = "aten.mean"(%constant_pad_nd_1) : (tensor<2x3x4x7xf32>) -> tensor<f32>
    %add_2 = "aten.add.Tensor"(%sum_1, %mean) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %flip_2 = "aten.flip"(%_to_copy) {dims = [1]} : (tensor<5x6xi64>) -> tensor<5x6xi64>
    %constant_pad_nd_2 = "aten.constant_pad_nd"(%flip_2) {pad = [1, -2, 0, 1], value = 7.0 : f64} : (tensor<5x6xi64>) -> tensor<6x5xi64>
    %tril_1 = "aten.tril"(%_to_copy) {diagonal = -1 : i64} : (tensor<5x6xi64>) -> tensor<5x6xi64>
    %expand = "aten.expand"(%tangents_1) {size = [2, 3, 4, 7]} : (tensor<f32>) -> tensor<2x3x4x7xf32>
    %div = "aten.div.Scalar"(%expand) {other = 168 : i64} : (tensor<2x3x4x7xf32>) -> tensor<2x3x4x7xf32>
    %expand_1 = "aten.expand"(%tangents_1) {size = [2, 3, 6, 9]} : (tensor<f32>) -> tensor<2x3x6x9xf32>
    %zeros = "aten.zeros"() {device = "cpu", dtype = f32, layout = "strided", size = [2, 3, 2, 6]} : () -> tensor<2x3x2x6xf32>
    %slice_scatter_1 = "aten.slice_scatter"(%tangents_5, %zeros) {dim = 2 : i64, end = -2 : i64, start = 1 : i64} : (tensor<2x3x5x6xf32>, tensor<2x3x2x6xf32>) -> tensor<2x3x5x6xf32>
    %slice_5 = "aten.slice.Tensor"(%tangents_5) {dim = 2 : i64, end = -2 : i64, start = 1 : i64} : (tensor<2x3x5x6xf32>) -> tensor<2x3x2x6xf32>
    %mul_5 = "aten.mul.Scalar"(%slice_5) {other = 3.0 : f64} : (tensor<2x3x2x6xf32>) -> tensor<2x3x2x6xf32>
    %slice_backward = "aten.slice_backward"(%mul_5) {dim = 2 : i64, end = 5 : i64, input_sizes = [2, 3, 5, 6], start = 3 : i64, step = 1 : i64} : (tensor<2x3x2x6xf32>) -> tensor<2x3x5x6xf32>
    %add_3 = "aten.add.Tensor"(%slice_scatter_1, %slice_backward) : (tensor<2x3x5x6xf32>, tensor<2x3x5x6xf32>) -> tensor<2x3x5x6xf32>
    %zeros_1 = "aten.zeros"() {device = "cpu", dtype = f32, layout = "strided", size = [2, 5, 6]} : () -> tensor<2x5x6xf32>
    %select_scatter_1 = "aten.select_scatter"(%add_3, %zeros_1) {dim = 1 : i64, index = 0 : i64} : (tensor<2x3x5x6xf32>, tensor<2x5x6xf32>) -> tensor<2x3x5x6xf32>
    %select_5 = "aten.select.int"(%add_3) {dim = 1 : i64, index = 0 : i64} : (tensor<2x3x5x6xf32>) -> tensor<2x5x6xf32>
    %cos = "aten.cos"(%select_2) : (tensor<2x5x6xf32>) -> tensor<2x5x6xf32>
    %mul_6 = "aten.mul.Tensor"(%select_5, %cos) : (tensor<2x5x6xf32>, tensor<2x5x6xf32>) -> tensor<2x5x6xf32>
    %select_backward = "aten.select_backward"(%mul_6) {dim = 1 : i64, index = 2 : i64, input_sizes = [2, 3, 5, 6]} : (tensor<2x5x6xf32>) -> tensor<2x3x5x6xf32>
    %mul_7 = "aten.mul.Scalar"(%select_scatter_1) {other = 2.0 : f64} : (tensor<2x3x5x6xf32>) -> tensor<2x3x5x6xf32>
    %add_4 = "aten.add.Tensor"(%select_backward, %mul_7) : (tensor<2x3x5x6xf32>, tensor<2x3x5x6xf32>) -> tensor<2x3x5x6xf32>
    %mul_8 = "aten.mul.Tensor"(%tangents_4, %slice_3) : (tensor<2x2x5x3xf32>, tensor<3xf32>) -> tensor<2x2x5x3xf32>
    %slice_backward_1 = "aten.slice_backward"(%mul_8) {dim = 3 : i64, end = 9223372036854775807 : i64, input_sizes = [2, 2, 5, 6], start = 0 : i64, step = 2 : i64} : (tensor<2x2x5x3xf32>) -> tensor<2x2x5x6xf32>
    %slice_backward_2 = "aten.slice_backward"(%slice_backward_1) {dim = 1 : i64, end = 9223372036854775807 : i64, input_sizes = [2, 3, 5, 6], start = 1 : i64, step = 1 : i64} : (tensor<2x2x5x6xf32>) -> tensor<2x3x5x6xf32>
    %add_5 = "aten.add.Tensor"(%add_4, %slice_backward_2) : (tensor<2x3x5x6xf32>, tensor<2x3x5x6xf32>) -> tensor<2x3x5x6xf32>
    %masked_fill_1 = "aten.masked_fill.Scalar"(%tangents_3, %triu) {value = 0 : i64} : (tensor<5x6xf32>, tensor<5x6xi1>) -> tensor<5x6xf32>
    %flip_3 = "aten.flip"(%tangents_3) {dims = [0]} : (tensor<5x6xf32>) -> tensor<5x6xf32>
    %tril_2 = "aten.tril"(%flip_3) {diagonal = 1 : i64} : (tensor<5x6xf32>) -> tensor<5x6xf32>
    %add_6 = "aten.add.Tensor"(%masked_fill_1, %tril_2) : (tensor<5x6xf32>, tensor<5x6xf32>) -> tensor<5x6xf32>
    %triu_2 = "aten.triu"(%tangents_3) {diagonal = -1 : i64} : (tensor<5x6xf32>) -> tensor<5x6xf32>
    %add_7 = "aten.add.Tensor"(%add_6, %triu_2) : (tensor<5x6xf32>, tensor<5x6xf32>) -> tensor<5x6xf32>
    %select_backward_1 = "aten.select_backward"(%add_7) {dim = 0 : i64, index = 0 : i64, input_sizes = [3, 5, 6]} : (tensor<5x6xf32>) -> tensor<3x5x6xf32>
    %select_backward_2 = "aten.select_backward"(%select_backward_1) {dim = 0 : i64, index = 1 : i64, input_sizes = [2, 3, 5, 6]} : (tensor<3x5x6xf32>) -> tensor<2x3x5x6xf32>
    %add_8 = "aten.add.Tensor"(%add_5, %select_backward_2) : (tensor<2x3x5x6xf32>, tensor<2x3x5x6xf32>) -> tensor<2x3x5x6xf32>
    %flip_4 = "aten.flip"(%tangents_2) {dims = [1, -1]} : (tensor<2x3x6x9xf32>) -> tensor<2x3x6x9xf32>
    %add_9 = "aten.add.Tensor"(%expand_1, %flip_4) : (tensor<2x3x6x9xf32>, tensor<2x3x6x9xf32>) -> tensor<2x3x6x9xf32>
    %constant_pad_nd_3 = "aten.constant_pad_nd"(%div) {pad = [1, -2, -2, 3]} : (tensor<2x3x4x7xf32>) -> tensor<2x3x5x6xf32>
    %add_10 = "aten.add.Tensor"(%add_8, %constant_pad_nd_3) : (tensor<2x3x5x6xf32>, tensor<2x3x5x6xf32>) -> tensor<2x3x5x6xf32>
    %constant_pad_nd_4 = "aten.constant_pad_nd"(%add_9) {pad = [-1, -2, 0, -1]} : (tensor<2x3x6x9xf32>) -> tensor<2x3x5x6xf32>
    %add_11 = "aten.add.Tensor"(%add_10, %constant_pad_nd_4) : (tensor<2x3x5x6xf32>, tensor<2x3x5x6xf32>) -> tensor<2x3x5x6xf32>
    func.return %add_2, %flip, %add_1, %mul_1, %slice_scatter, %constant_pad_nd_2, %tril_1, %add_11 : tensor<f32>, tensor<2x3x6x9xf32>, tensor<5x6xf32>, tensor<2x2x5x3xf32>, tensor<2x3x5x6xf32>, tensor<6x5xi64>, tensor<5x6xi64>, tensor<2x3x5x6xf32>
  }
}
