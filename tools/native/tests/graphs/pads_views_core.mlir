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
    %full = "aten.full"() {device = "cpu", dtype = i1, fill_value = true, layout = "strided", pin_memory = false, size = [5, 6]} : () -> tensor<5x6xi1>
    %arange = "aten.arange.start_step"() {device = "cpu", end = 6 : i64, layout = "strided", pin_memory = false, start = 0 : i64} : () -> tensor<6xi64>
    %unsqueeze = "aten.unsqueeze"(%arange) {dim = -2 : i64} : (tensor<6xi64>) -> tensor<1x6xi64>
    %arange_1 = "aten.arange.start_step"() {device = "cpu", end = 5 : i64, layout = "strided", pin_memory = false, start = 0 : i64} : () -> tensor<5xi64>
    %unsqueeze_1 = "aten.unsqueeze"(%arange_1) {dim = -1 : i64} : (tensor<5xi64>) -> tensor<5x1xi64>
    %sub = "aten.sub.Tensor"(%unsqueeze, %unsqueeze_1) : (tensor<1x6xi64>, tensor<5x1xi64>) -> tensor<5x6xi64>
    %ge = "aten.ge.Scalar"(%sub) {other = 1 : i64} : (tensor<5x6xi64>) -> tensor<5x6xi1>
    %logical_and = "aten.logical_and"(%ge, %full) : (tensor<5x6xi1>, tensor<5x6xi1>) -> tensor<5x6xi1>
    %arange_2 = "aten.arange.start_step"() {device = "cpu", end = 6 : i64, layout = "strided", pin_memory = false, start = 0 : i64} : () -> tensor<6xi64>
    %unsqueeze_2 = "aten.unsqueeze"(%arange_2) {dim = -2 : i64} : (tensor<6xi64>) -> tensor<1x6xi64>
    %arange_3 = "aten.arange.start_step"() {device = "cpu", end = 5 : i64, layout = "strided", pin_memory = false, start = 0 : i64} : () -> tensor<5xi64>
    %unsqueeze_3 = "aten.unsqueeze"(%arange_3) {dim = -1 : i64} : (tensor<5xi64>) -> tensor<5x1xi64>
    %sub_1 = "aten.sub.Tensor"(%unsqueeze_2, %unsqueeze_3) : (tensor<1x6xi64>, tensor<5x1xi64>) -> tensor<5x6xi64>
    %ge_1 = "aten.ge.Scalar"(%sub_1) {other = -1 : i64} : (tensor<5x6xi64>) -> tensor<5x6xi1>
    %scalar_tensor = "aten.scalar_tensor"() {device = "cpu", dtype = f32, layout = "strided", s = 0 : i64} : () -> tensor<f32>
    %where = "aten.where.self"(%ge_1, %select_1, %scalar_tensor) : (tensor<5x6xi1>, tensor<5x6xf32>, tensor<f32>) -> tensor<5x6xf32>
    %arange_4 = "aten.arange.start_step"() {device = "cpu", end = 6 : i64, layout = "strided", pin_memory = false, start = 0 : i64} : () -> tensor<6xi64>
    %unsqueeze_4 = "aten.unsqueeze"(%arange_4) {dim = -2 : i64} : (tensor<6xi64>) -> tensor<1x6xi64>
    %arange_5 = "aten.arange.start_step"() {device = "cpu", end = 5 : i64, layout = "strided", pin_memory = false, start = 0 : i64} : () -> tensor<5xi64>
    %unsqueeze_5 = "aten.unsqueeze"(%arange_5) {dim = -1 : i64} : (tensor<5xi64>) -> tensor<5x1xi64>
    %sub_2 = "aten.sub.Tensor"(%unsqueeze_4, %unsqueeze_5) : (tensor<1x6xi64>, tensor<5x1xi64>) -> tensor<5x6xi64>
    %le = "aten.le.Scalar"(%sub_2) {other = 1 : i64} : (tensor<5x6xi64>) -> tensor<5x6xi1>
    %scalar_tensor_1 = "aten.scalar_tensor"() {device = "cpu", dtype = f32, layout = "strided", s = 0 : i64} : () -> tensor<f32>
    %where_1 = "aten.where.self"(%le, %select_1, %scalar_tensor_1) : (tensor<5x6xi1>, tensor<5x6xf32>, tensor<f32>) -> tensor<5x6xf32>
    %flip_1 = "aten.flip"(%where_1) {dims = [0]} : (tensor<5x6xf32>) -> tensor<5x6xf32>
    %add = "aten.add.Tensor"(%where, %flip_1) : (tensor<5x6xf32>, tensor<5x6xf32>) -> tensor<5x6xf32>
    %scalar_tensor_2 = "aten.scalar_tensor"() {device = "cpu", dtype = f32, layout = "strided", s = 0.0 : f64} : () -> tensor<f32>
    %where_2 = "aten.where.self"(%logical_and, %scalar_tensor_2, %select_1) : (tensor<5x6xi1>, tensor<f32>, tensor<5x6xf32>) -> tensor<5x6xf32>
    %add_1 = "aten.add.Tensor"(%add, %where_2) : (tensor<5x6xf32>, tensor<5x6xf32>) -> tensor<5x6xf32>
    %arange_6 = "aten.arange.start_step"() {device = "cpu", end = 6 : i64, layout = "strided", pin_memory = false, start = 0 : i64} : () -> tensor<6xi64>
    %lt = "aten.lt.Scalar"(%arange_6) {other = 3.0 : f64} : (tensor<6xi64>) -> tensor<6xi1>
    %_to_copy = "aten._to_copy"(%arange_6) {dtype = f32} : (tensor<6xi64>) -> tensor<6xf32>
    %mul = "aten.mul.Scalar"(%_to_copy) {other = 0.6 : f64} : (tensor<6xf32>) -> tensor<6xf32>
    %add_2 = "aten.add.Scalar"(%mul) {other = -1.0 : f64} : (tensor<6xf32>) -> tensor<6xf32>
    %sub_3_self = "arith.constant"() <{value = dense<5> : tensor<i64>}> : () -> tensor<i64>
    %sub_3 = "aten.sub.Tensor"(%sub_3_self, %arange_6) : (tensor<i64>, tensor<6xi64>) -> tensor<6xi64>
    %_to_copy_1 = "aten._to_copy"(%sub_3) {dtype = f32} : (tensor<6xi64>) -> tensor<6xf32>
    %mul_1 = "aten.mul.Scalar"(%_to_copy_1) {other = 0.6 : f64} : (tensor<6xf32>) -> tensor<6xf32>
    %sub_4_self = "arith.constant"() <{value = dense<2.0> : tensor<f32>}> : () -> tensor<f32>
    %sub_4 = "aten.sub.Tensor"(%sub_4_self, %mul_1) : (tensor<f32>, tensor<6xf32>) -> tensor<6xf32>
    %where_3 = "aten.where.self"(%lt, %add_2, %sub_4) : (tensor<6xi1>, tensor<6xf32>, tensor<6xf32>) -> tensor<6xf32>
    %full_1 = "aten.full"() {device = "cpu", dtype = f32, fill_value = 3.0 : f64, layout = "strided", pin_memory = false, size = [1]} : () -> tensor<1xf32>
    %mul_2 = "aten.mul.Tensor"(%where_3, %full_1) : (tensor<6xf32>, tensor<1xf32>) -> tensor<6xf32>
    %slice_1 = "aten.slice.Tensor"(%primals_1) {dim = 1 : i64, end = 9223372036854775807 : i64, start = 1 : i64} : (tensor<2x3x5x6xf32>) -> tensor<2x2x5x6xf32>
    %slice_2 = "aten.slice.Tensor"(%slice_1) {dim = 3 : i64, end = 9223372036854775807 : i64, start = 0 : i64, step = 2 : i64} : (tensor<2x2x5x6xf32>) -> tensor<2x2x5x3xf32>
    %slice_3 = "aten.slice.Tensor"(%mul_2) {dim = 0 : i64, end = 9223372036854775807 : i64, start = 0 : i64, step = 2 : i64} : (tensor<6xf32>) -> tensor<3xf32>
    %mul_3 = "aten.mul.Tensor"(%slice_2, %slice_3) : (tensor<2x2x5x3xf32>, tensor<3xf32>) -> tensor<2x2x5x3xf32>
    %mul_4 = "aten.mul.Scalar"(%primals_1) {other = 2.0 : f64} : (tensor<2x3x5x6xf32>) -> tensor<2x3x5x6xf32>
    %select_2 = "aten.select.int"(%primals_1) {dim = 1 : i64, index = 2 : i64} : (tensor<2x3x5x6xf32>) -> tensor<2x5x6xf32>
    %sin = "aten.sin"(%select_2) : (tensor<2x5x6xf32>) -> tensor<2x5x6xf32>
    %arange_7 = "aten.arange.start_step"() {device = "cpu", end = 3 : i64, layout = "strided", pin_memory = false, start = 0 : i64} : () -> tensor<3xi64>
    %view = "aten.view"(%arange_7) {size = [1, -1, 1, 1]} : (tensor<3xi64>) -> tensor<1x3x1x1xi64>
    %eq = "aten.eq.Scalar"(%view) {other = 0 : i64} : (tensor<1x3x1x1xi64>) -> tensor<1x3x1x1xi1>
    %unsqueeze_6 = "aten.unsqueeze"(%sin) {dim = 1 : i64} : (tensor<2x5x6xf32>) -> tensor<2x1x5x6xf32>
    %expand = "aten.expand"(%unsqueeze_6) {size = [2, 3, 5, 6]} : (tensor<2x1x5x6xf32>) -> tensor<2x3x5x6xf32>
    %where_4 = "aten.where.self"(%eq, %expand, %mul_4) : (tensor<1x3x1x1xi1>, tensor<2x3x5x6xf32>, tensor<2x3x5x6xf32>) -> tensor<2x3x5x6xf32>
    %slice_4 = "aten.slice.Tensor"(%where_4) {dim = 2 : i64, end = 5 : i64, start = 3 : i64} : (tensor<2x3x5x6xf32>) -> tensor<2x3x2x6xf32>
    %mul_5 = "aten.mul.Scalar"(%slice_4) {other = 3.0 : f64} : (tensor<2x3x2x6xf32>) -> tensor<2x3x2x6xf32>
    %slice_scatter = "aten.slice_scatter"(%where_4, %mul_5) {dim = 2 : i64, end = -2 : i64, start = 1 : i64} : (tensor<2x3x5x6xf32>, tensor<2x3x2x6xf32>) -> tensor<2x3x5x6xf32>
    %select_3 = "aten.select.int"(%primals_1) {dim = 0 : i64, index = 0 : i64} : (tensor<2x3x5x6xf32>) -> tensor<3x5x6xf32>
    %select_4 = "aten.select.int"(%select_3) {dim = 0 : i64, index = 0 : i64} : (tensor<3x5x6xf32>) -> tensor<5x6xf32>
    %mul_6 = "aten.mul.Scalar"(%select_4) {other = 4.0 : f64} : (tensor<5x6xf32>) -> tensor<5x6xf32>
    %_to_copy_2 = "aten._to_copy"(%mul_6) {dtype = i64} : (tensor<5x6xf32>) -> tensor<5x6xi64>
    %sum_1 = "aten.sum.dim_IntList"(%constant_pad_nd) {dim = []} : (tensor<2x3x6x9xf32>) -> tensor<f32>
    %mean = "aten.mean"(%constant_pad_nd_1) : (tensor<2x3x4x7xf32>) -> tensor<f32>
    %add_3 = "aten.add.Tensor"(%sum_1, %mean) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %flip_2 = "aten.flip"(%_to_copy_2) {dims = [1]} : (tensor<5x6xi64>) -> tensor<5x6xi64>
    %constant_pad_nd_2 = "aten.constant_pad_nd"(%flip_2) {pad = [1, -2, 0, 1], value = 7.0 : f64} : (tensor<5x6xi64>) -> tensor<6x5xi64>
    %arange_8 = "aten.arange.start_step"() {device = "cpu", end = 6 : i64, layout = "strided", pin_memory = false, start = 0 : i64} : () -> tensor<6xi64>
    %unsqueeze_7 = "aten.unsqueeze"(%arange_8) {dim = -2 : i64} : (tensor<6xi64>) -> tensor<1x6xi64>
    %arange_9 = "aten.arange.start_step"() {device = "cpu", end = 5 : i64, layout = "strided", pin_memory = false, start = 0 : i64} : () -> tensor<5xi64>
    %unsqueeze_8 = "aten.unsqueeze"(%arange_9) {dim = -1 : i64} : (tensor<5xi64>) -> tensor<5x1xi64>
    %sub_5 = "aten.sub.Tensor"(%unsqueeze_7, %unsqueeze_8) : (tensor<1x6xi64>, tensor<5x1xi64>) -> tensor<5x6xi64>
    %le_1 = "aten.le.Scalar"(%sub_5) {other = -1 : i64} : (tensor<5x6xi64>) -> tensor<5x6xi1>
    %scalar_tensor_3 = "aten.scalar_tensor"() {device = "cpu", dtype = i64, layout = "strided", s = 0 : i64} : () -> tensor<i64>
    %where_5 = "aten.where.self"(%le_1, %_to_copy_2, %scalar_tensor_3) : (tensor<5x6xi1>, tensor<5x6xi64>, tensor<i64>) -> tensor<5x6xi64>
    %expand_1 = "aten.expand"(%tangents_1) {size = [2, 3, 4, 7]} : (tensor<f32>) -> tensor<2x3x4x7xf32>
    %div = "aten.div.Scalar"(%expand_1) {other = 168 : i64} : (tensor<2x3x4x7xf32>) -> tensor<2x3x4x7xf32>
    %expand_2 = "aten.expand"(%tangents_1) {size = [2, 3, 6, 9]} : (tensor<f32>) -> tensor<2x3x6x9xf32>
    %full_2 = "aten.full"() {device = "cpu", dtype = f32, fill_value = 0 : i64, layout = "strided", pin_memory = false, size = [2, 3, 2, 6]} : () -> tensor<2x3x2x6xf32>
    %slice_scatter_1 = "aten.slice_scatter"(%tangents_5, %full_2) {dim = 2 : i64, end = -2 : i64, start = 1 : i64} : (tensor<2x3x5x6xf32>, tensor<2x3x2x6xf32>) -> tensor<2x3x5x6xf32>
    %slice_5 = "aten.slice.Tensor"(%tangents_5) {dim = 2 : i64, end = -2 : i64, start = 1 : i64} : (tensor<2x3x5x6xf32>) -> tensor<2x3x2x6xf32>
    %mul_7 = "aten.mul.Scalar"(%slice_5) {other = 3.0 : f64} : (tensor<2x3x2x6xf32>) -> tensor<2x3x2x6xf32>
    %full_3 = "aten.full"() {device = "cpu", dtype = f32, fill_value = 0 : i64, layout = "strided", pin_memory = false, size = [2, 3, 5, 6]} : () -> tensor<2x3x5x6xf32>
    %slice_scatter_2 = "aten.slice_scatter"(%full_3, %mul_7) {dim = 2 : i64, end = 5 : i64, start = 3 : i64} : (tensor<2x3x5x6xf32>, tensor<2x3x2x6xf32>) -> tensor<2x3x5x6xf32>
    %add_4 = "aten.add.Tensor"(%slice_scatter_1, %slice_scatter_2) : (tensor<2x3x5x6xf32>, tensor<2x3x5x6xf32>) -> tensor<2x3x5x6xf32>
    %full_4 = "aten.full"() {device = "cpu", dtype = f32, fill_value = 0 : i64, layout = "strided", pin_memory = false, size = [2, 5, 6]} : () -> tensor<2x5x6xf32>
    %arange_10 = "aten.arange.start_step"() {device = "cpu", end = 3 : i64, layout = "strided", pin_memory = false, start = 0 : i64} : () -> tensor<3xi64>
    %view_1 = "aten.view"(%arange_10) {size = [1, -1, 1, 1]} : (tensor<3xi64>) -> tensor<1x3x1x1xi64>
    %eq_1 = "aten.eq.Scalar"(%view_1) {other = 0 : i64} : (tensor<1x3x1x1xi64>) -> tensor<1x3x1x1xi1>
    %unsqueeze_9 = "aten.unsqueeze"(%full_4) {dim = 1 : i64} : (tensor<2x5x6xf32>) -> tensor<2x1x5x6xf32>
    %expand_3 = "aten.expand"(%unsqueeze_9) {size = [2, 3, 5, 6]} : (tensor<2x1x5x6xf32>) -> tensor<2x3x5x6xf32>
    %where_6 = "aten.where.self"(%eq_1, %expand_3, %add_4) : (tensor<1x3x1x1xi1>, tensor<2x3x5x6xf32>, tensor<2x3x5x6xf32>) -> tensor<2x3x5x6xf32>
    %select_5 = "aten.select.int"(%add_4) {dim = 1 : i64, index = 0 : i64} : (tensor<2x3x5x6xf32>) -> tensor<2x5x6xf32>
    %cos = "aten.cos"(%select_2) : (tensor<2x5x6xf32>) -> tensor<2x5x6xf32>
    %mul_8 = "aten.mul.Tensor"(%select_5, %cos) : (tensor<2x5x6xf32>, tensor<2x5x6xf32>) -> tensor<2x5x6xf32>
    %full_5 = "aten.full"() {device = "cpu", dtype = f32, fill_value = 0 : i64, layout = "strided", pin_memory = false, size = [2, 3, 5, 6]} : () -> tensor<2x3x5x6xf32>
    %arange_11 = "aten.arange.start_step"() {device = "cpu", end = 3 : i64, layout = "strided", pin_memory = false, start = 0 : i64} : () -> tensor<3xi64>
    %view_2 = "aten.view"(%arange_11) {size = [1, -1, 1, 1]} : (tensor<3xi64>) -> tensor<1x3x1x1xi64>
    %eq_2 = "aten.eq.Scalar"(%view_2) {other = 2 : i64} : (tensor<1x3x1x1xi64>) -> tensor<1x3x1x1xi1>
    %unsqueeze_10 = "aten.unsqueeze"(%mul_8) {dim = 1 : i64} : (tensor<2x5x6xf32>) -> tensor<2x1x5x6xf32>
    %expand_4 = "aten.expand"(%unsqueeze_10) {size = [2, 3, 5, 6]} : (tensor<2x1x5x6xf32>) -> tensor<2x3x5x6xf32>
    %where_7 = "aten.where.self"(%eq_2, %expand_4, %full_5) : (tensor<1x3x1x1xi1>, tensor<2x3x5x6xf32>, tensor<2x3x5x6xf32>) -> tensor<2x3x5x6xf32>
    %mul_9 = "aten.mul.Scalar"(%where_6) {other = 2.0 : f64} : (tensor<2x3x5x6xf32>) -> tensor<2x3x5x6xf32>
    %add_5 = "aten.add.Tensor"(%where_7, %mul_9) : (tensor<2x3x5x6xf32>, tensor<2x3x5x6xf32>) -> tensor<2x3x5x6xf32>
    %mul_10 = "aten.mul.Tensor"(%tangents_4, %slice_3) : (tensor<2x2x5x3xf32>, tensor<3xf32>) -> tensor<2x2x5x3xf32>
    %full_6 = "aten.full"() {device = "cpu", dtype = f32, fill_value = 0 : i64, layout = "strided", pin_memory = false, size = [2, 2, 5, 6]} : () -> tensor<2x2x5x6xf32>
    %slice_scatter_3 = "aten.slice_scatter"(%full_6, %mul_10) {dim = 3 : i64, end = 9223372036854775807 : i64, start = 0 : i64, step = 2 : i64} : (tensor<2x2x5x6xf32>, tensor<2x2x5x3xf32>) -> tensor<2x2x5x6xf32>
    %full_7 = "aten.full"() {device = "cpu", dtype = f32, fill_value = 0 : i64, layout = "strided", pin_memory = false, size = [2, 3, 5, 6]} : () -> tensor<2x3x5x6xf32>
    %slice_scatter_4 = "aten.slice_scatter"(%full_7, %slice_scatter_3) {dim = 1 : i64, end = 9223372036854775807 : i64, start = 1 : i64} : (tensor<2x3x5x6xf32>, tensor<2x2x5x6xf32>) -> tensor<2x3x5x6xf32>
    %add_6 = "aten.add.Tensor"(%add_5, %slice_scatter_4) : (tensor<2x3x5x6xf32>, tensor<2x3x5x6xf32>) -> tensor<2x3x5x6xf32>
    %scalar_tensor_4 = "aten.scalar_tensor"() {device = "cpu", dtype = f32, layout = "strided", s = 0.0 : f64} : () -> tensor<f32>
    %where_8 = "aten.where.self"(%logical_and, %scalar_tensor_4, %tangents_3) : (tensor<5x6xi1>, tensor<f32>, tensor<5x6xf32>) -> tensor<5x6xf32>
    %flip_3 = "aten.flip"(%tangents_3) {dims = [0]} : (tensor<5x6xf32>) -> tensor<5x6xf32>
    %arange_12 = "aten.arange.start_step"() {device = "cpu", end = 6 : i64, layout = "strided", pin_memory = false, start = 0 : i64} : () -> tensor<6xi64>
    %unsqueeze_11 = "aten.unsqueeze"(%arange_12) {dim = -2 : i64} : (tensor<6xi64>) -> tensor<1x6xi64>
    %arange_13 = "aten.arange.start_step"() {device = "cpu", end = 5 : i64, layout = "strided", pin_memory = false, start = 0 : i64} : () -> tensor<5xi64>
    %unsqueeze_12 = "aten.unsqueeze"(%arange_13) {dim = -1 : i64} : (tensor<5xi64>) -> tensor<5x1xi64>
    %sub_6 = "aten.sub.Tensor"(%unsqueeze_11, %unsqueeze_12) : (tensor<1x6xi64>, tensor<5x1xi64>) -> tensor<5x6xi64>
    %le_2 = "aten.le.Scalar"(%sub_6) {other = 1 : i64} : (tensor<5x6xi64>) -> tensor<5x6xi1>
    %scalar_tensor_5 = "aten.scalar_tensor"() {device = "cpu", dtype = f32, layout = "strided", s = 0 : i64} : () -> tensor<f32>
    %where_9 = "aten.where.self"(%le_2, %flip_3, %scalar_tensor_5) : (tensor<5x6xi1>, tensor<5x6xf32>, tensor<f32>) -> tensor<5x6xf32>
    %add_7 = "aten.add.Tensor"(%where_8, %where_9) : (tensor<5x6xf32>, tensor<5x6xf32>) -> tensor<5x6xf32>
    %arange_14 = "aten.arange.start_step"() {device = "cpu", end = 6 : i64, layout = "strided", pin_memory = false, start = 0 : i64} : () -> tensor<6xi64>
    %unsqueeze_13 = "aten.unsqueeze"(%arange_14) {dim = -2 : i64} : (tensor<6xi64>) -> tensor<1x6xi64>
    %arange_15 = "aten.arange.start_step"() {device = "cpu", end = 5 : i64, layout = "strided", pin_memory = false, start = 0 : i64} : () -> tensor<5xi64>
    %unsqueeze_14 = "aten.unsqueeze"(%arange_15) {dim = -1 : i64} : (tensor<5xi64>) -> tensor<5x1xi64>
    %sub_7 = "aten.sub.Tensor"(%unsqueeze_13, %unsqueeze_14) : (tensor<1x6xi64>, tensor<5x1xi64>) -> tensor<5x6xi64>
    %ge_2 = "aten.ge.Scalar"(%sub_7) {other = -1 : i64} : (tensor<5x6xi64>) -> tensor<5x6xi1>
    %scalar_tensor_6 = "aten.scalar_tensor"() {device = "cpu", dtype = f32, layout = "strided", s = 0 : i64} : () -> tensor<f32>
    %where_10 = "aten.where.self"(%ge_2, %tangents_3, %scalar_tensor_6) : (tensor<5x6xi1>, tensor<5x6xf32>, tensor<f32>) -> tensor<5x6xf32>
    %add_8 = "aten.add.Tensor"(%add_7, %where_10) : (tensor<5x6xf32>, tensor<5x6xf32>) -> tensor<5x6xf32>
    %full_8 = "aten.full"() {device = "cpu", dtype = f32, fill_value = 0 : i64, layout = "strided", pin_memory = false, size = [3, 5, 6]} : () -> tensor<3x5x6xf32>
    %arange_16 = "aten.arange.start_step"() {device = "cpu", end = 3 : i64, layout = "strided", pin_memory = false, start = 0 : i64} : () -> tensor<3xi64>
    %view_3 = "aten.view"(%arange_16) {size = [-1, 1, 1]} : (tensor<3xi64>) -> tensor<3x1x1xi64>
    %eq_3 = "aten.eq.Scalar"(%view_3) {other = 0 : i64} : (tensor<3x1x1xi64>) -> tensor<3x1x1xi1>
    %unsqueeze_15 = "aten.unsqueeze"(%add_8) {dim = 0 : i64} : (tensor<5x6xf32>) -> tensor<1x5x6xf32>
    %expand_5 = "aten.expand"(%unsqueeze_15) {size = [3, 5, 6]} : (tensor<1x5x6xf32>) -> tensor<3x5x6xf32>
    %where_11 = "aten.where.self"(%eq_3, %expand_5, %full_8) : (tensor<3x1x1xi1>, tensor<3x5x6xf32>, tensor<3x5x6xf32>) -> tensor<3x5x6xf32>
    %full_9 = "aten.full"() {device = "cpu", dtype = f32, fill_value = 0 : i64, layout = "strided", pin_memory = false, size = [2, 3, 5, 6]} : () -> tensor<2x3x5x6xf32>
    %arange_17 = "aten.arange.start_step"() {device = "cpu", end = 2 : i64, layout = "strided", pin_memory = false, start = 0 : i64} : () -> tensor<2xi64>
    %view_4 = "aten.view"(%arange_17) {size = [-1, 1, 1, 1]} : (tensor<2xi64>) -> tensor<2x1x1x1xi64>
    %eq_4 = "aten.eq.Scalar"(%view_4) {other = 1 : i64} : (tensor<2x1x1x1xi64>) -> tensor<2x1x1x1xi1>
    %unsqueeze_16 = "aten.unsqueeze"(%where_11) {dim = 0 : i64} : (tensor<3x5x6xf32>) -> tensor<1x3x5x6xf32>
    %expand_6 = "aten.expand"(%unsqueeze_16) {size = [2, 3, 5, 6]} : (tensor<1x3x5x6xf32>) -> tensor<2x3x5x6xf32>
    %where_12 = "aten.where.self"(%eq_4, %expand_6, %full_9) : (tensor<2x1x1x1xi1>, tensor<2x3x5x6xf32>, tensor<2x3x5x6xf32>) -> tensor<2x3x5x6xf32>
    %add_9 = "aten.add.Tensor"(%add_6, %where_12) : (tensor<2x3x5x6xf32>, tensor<2x3x5x6xf32>) -> tensor<2x3x5x6xf32>
    %flip_4 = "aten.flip"(%tangents_2) {dims = [1, -1]} : (tensor<2x3x6x9xf32>) -> tensor<2x3x6x9xf32>
    %add_10 = "aten.add.Tensor"(%expand_2, %flip_4) : (tensor<2x3x6x9xf32>, tensor<2x3x6x9xf32>) -> tensor<2x3x6x9xf32>
    %constant_pad_nd_3 = "aten.constant_pad_nd"(%div) {pad = [1, -2, -2, 3]} : (tensor<2x3x4x7xf32>) -> tensor<2x3x5x6xf32>
    %add_11 = "aten.add.Tensor"(%add_9, %constant_pad_nd_3) : (tensor<2x3x5x6xf32>, tensor<2x3x5x6xf32>) -> tensor<2x3x5x6xf32>
    %constant_pad_nd_4 = "aten.constant_pad_nd"(%add_10) {pad = [-1, -2, 0, -1]} : (tensor<2x3x6x9xf32>) -> tensor<2x3x5x6xf32>
    %add_12 = "aten.add.Tensor"(%add_11, %constant_pad_nd_4) : (tensor<2x3x5x6xf32>, tensor<2x3x5x6xf32>) -> tensor<2x3x5x6xf32>
    func.return %add_3, %flip, %add_1, %mul_3, %slice_scatter, %constant_pad_nd_2, %where_5, %add_12 : tensor<f32>, tensor<2x3x6x9xf32>, tensor<5x6xf32>, tensor<2x2x5x3xf32>, tensor<2x3x5x6xf32>, tensor<6x5xi64>, tensor<5x6xi64>, tensor<2x3x5x6xf32>
  }
}
