module attributes {torch.buffers_spec = [], torch.in_spec = "[1, {\"type\": \"builtins.tuple\", \"context\": \"null\", \"children_spec\": [{\"type\": \"builtins.list\", \"context\": \"null\", \"children_spec\": [{\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}]}, {\"type\": \"builtins.dict\", \"context\": \"[]\", \"children_spec\": []}]}]", torch.out_spec = "[1, {\"type\": \"builtins.tuple\", \"context\": \"null\", \"children_spec\": [{\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}]}]", torch.params_spec = ["affine.weight", "affine.bias"]} {
  func.func @joint(%primals_1: tensor<6xf32> {aot.desc = #aot.param<"affine.weight">},
                   %primals_2: tensor<6xf32> {aot.desc = #aot.param<"affine.bias">},
                   %primals_3: tensor<3x6x5xf32> {aot.desc = #aot.plain<0>},
                   %tangents_1: tensor<f32> {aot.desc = #aot.tangent<#aot.plain_out<0>>},
                   %tangents_2: tensor<3xf32> {aot.desc = #aot.tangent<#aot.plain_out<1>>})
      -> (tensor<f32> {aot.desc = #aot.plain_out<0>},
          tensor<3xf32> {aot.desc = #aot.plain_out<1>},
          tensor<3xi64> {aot.desc = #aot.plain_out<2>},
          tensor<i64> {aot.desc = #aot.plain_out<3>},
          tensor<3xf32> {aot.desc = #aot.plain_out<4>},
          tensor<3xi64> {aot.desc = #aot.plain_out<5>},
          tensor<6xf32> {aot.desc = #aot.grad<#aot.param<"affine.weight">>},
          tensor<6xf32> {aot.desc = #aot.grad<#aot.param<"affine.bias">>},
          tensor<3x6x5xf32> {aot.desc = #aot.grad<#aot.plain<0>>}) {
    %getitem, %getitem_1, %getitem_2 = "aten.native_group_norm"(%primals_3, %primals_1, %primals_2) {C = 6 : i64, HxW = 5 : i64, N = 3 : i64, eps = 1.0e-05 : f64, group = 3 : i64} : (tensor<3x6x5xf32>, tensor<6xf32>, tensor<6xf32>) -> (tensor<3x6x5xf32>, tensor<3x3xf32>, tensor<3x3xf32>)
    %detach = "aten.detach"(%getitem_1) : (tensor<3x3xf32>) -> tensor<3x3xf32>
    %detach_1 = "aten.detach"(%getitem_2) : (tensor<3x3xf32>) -> tensor<3x3xf32>
    %relu = "aten.relu"(%getitem) : (tensor<3x6x5xf32>) -> tensor<3x6x5xf32>
    %detach_2 = "aten.detach"(%relu) : (tensor<3x6x5xf32>) -> tensor<3x6x5xf32>
    %getitem_3, %getitem_4, %getitem_5 = "aten.native_group_norm"(%relu) {C = 6 : i64, HxW = 5 : i64, N = 3 : i64, eps = 1.0e-05 : f64, group = 2 : i64} : (tensor<3x6x5xf32>) -> (tensor<3x6x5xf32>, tensor<3x2xf32>, tensor<3x2xf32>)
    %detach_3 = "aten.detach"(%getitem_4) : (tensor<3x2xf32>) -> tensor<3x2xf32>
    %detach_4 = "aten.detach"(%getitem_5) : (tensor<3x2xf32>) -> tensor<3x2xf32>
    %view = "aten.view"(%getitem_3) {size = [3, 30]} : (tensor<3x6x5xf32>) -> tensor<3x30xf32>
    %linspace = "aten.linspace"() {device = "cpu", end = 1.0 : f64, pin_memory = false, start = -1.0 : f64, steps = 30 : i64} : () -> tensor<30xf32>
    %sigmoid = "aten.sigmoid"(%view) : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %detach_5 = "aten.detach"(%sigmoid) : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %expand = "aten.expand"(%linspace) {size = [3, 30]} : (tensor<30xf32>) -> tensor<3x30xf32>
    %smooth_l1_loss = "aten.smooth_l1_loss"(%view, %expand) {beta = 0.5 : f64, reduction = 1 : i64} : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<f32>
    %flip = "aten.flip"(%linspace) {dims = [0]} : (tensor<30xf32>) -> tensor<30xf32>
    %expand_1 = "aten.expand"(%flip) {size = [3, 30]} : (tensor<30xf32>) -> tensor<3x30xf32>
    %smooth_l1_loss_1 = "aten.smooth_l1_loss"(%view, %expand_1) {reduction = 2 : i64} : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<f32>
    %add = "aten.add.Tensor"(%smooth_l1_loss, %smooth_l1_loss_1) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %expand_2 = "aten.expand"(%linspace) {size = [3, 30]} : (tensor<30xf32>) -> tensor<3x30xf32>
    %huber_loss = "aten.huber_loss"(%view, %expand_2) {delta = 0.7 : f64, reduction = 1 : i64} : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<f32>
    %add_1 = "aten.add.Tensor"(%add, %huber_loss) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %sigmoid_1 = "aten.sigmoid"(%linspace) : (tensor<30xf32>) -> tensor<30xf32>
    %expand_3 = "aten.expand"(%sigmoid_1) {size = [3, 30]} : (tensor<30xf32>) -> tensor<3x30xf32>
    %binary_cross_entropy = "aten.binary_cross_entropy"(%sigmoid, %expand_3) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<f32>
    %add_2 = "aten.add.Tensor"(%add_1, %binary_cross_entropy) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %sigmoid_2 = "aten.sigmoid"(%linspace) : (tensor<30xf32>) -> tensor<30xf32>
    %expand_4 = "aten.expand"(%sigmoid_2) {size = [3, 30]} : (tensor<30xf32>) -> tensor<3x30xf32>
    %full = "aten.full"() {device = "cpu", fill_value = 2.0 : f64, pin_memory = false, size = [30]} : () -> tensor<30xf32>
    %binary_cross_entropy_with_logits = "aten.binary_cross_entropy_with_logits"(%view, %expand_4, %full) {operandSegmentSizes = [1, 1, 0, 1]} : (tensor<3x30xf32>, tensor<3x30xf32>, tensor<30xf32>) -> tensor<f32>
    %add_3 = "aten.add.Tensor"(%add_2, %binary_cross_entropy_with_logits) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %linalg_vector_norm = "aten.linalg_vector_norm"(%view) {dim = [-1], ord = 2 : i64} : (tensor<3x30xf32>) -> tensor<3xf32>
    %detach_6 = "aten.detach"(%linalg_vector_norm) : (tensor<3xf32>) -> tensor<3xf32>
    %linalg_vector_norm_1 = "aten.linalg_vector_norm"(%view) {dim = [-1], ord = 1 : i64} : (tensor<3x30xf32>) -> tensor<3xf32>
    %add_4 = "aten.add.Tensor"(%linalg_vector_norm, %linalg_vector_norm_1) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    %linalg_vector_norm_2 = "aten.linalg_vector_norm"(%view) {dim = [-1], ord = 0x7FF0000000000000 : f64} : (tensor<3x30xf32>) -> tensor<3xf32>
    %detach_8 = "aten.detach"(%linalg_vector_norm_2) : (tensor<3xf32>) -> tensor<3xf32>
    %add_5 = "aten.add.Tensor"(%add_4, %linalg_vector_norm_2) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    %linalg_vector_norm_3 = "aten.linalg_vector_norm"(%view) {ord = 3 : i64} : (tensor<3x30xf32>) -> tensor<f32>
    %detach_9 = "aten.detach"(%linalg_vector_norm_3) : (tensor<f32>) -> tensor<f32>
    %add_6 = "aten.add.Tensor"(%add_5, %linalg_vector_norm_3) : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
    %amin = "aten.amin"(%view) {dim = [-1]} : (tensor<3x30xf32>) -> tensor<3xf32>
    %detach_10 = "aten.detach"(%amin) : (tensor<3xf32>) -> tensor<3xf32>
    %add_7 = "aten.add.Tensor"(%add_6, %amin) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    %detach_11 = "aten.detach"(%view) : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %getitem_6, %getitem_7 = "aten.min.dim"(%detach_11) {dim = 1 : i64} : (tensor<3x30xf32>) -> (tensor<3xf32>, tensor<3xi64>)
    %argmax = "aten.argmax"(%view) {dim = -1 : i64} : (tensor<3x30xf32>) -> tensor<3xi64>
    %argmin = "aten.argmin"(%primals_3) : (tensor<3x6x5xf32>) -> tensor<i64>
    %detach_12 = "aten.detach"(%detach_10) : (tensor<3xf32>) -> tensor<3xf32>
    %view_1 = "aten.view"(%detach_12) {size = [3, 1]} : (tensor<3xf32>) -> tensor<3x1xf32>
    %eq = "aten.eq.Tensor"(%view_1, %view) : (tensor<3x1xf32>, tensor<3x30xf32>) -> tensor<3x30xi1>
    %view_2 = "aten.view"(%tangents_2) {size = [3, 1]} : (tensor<3xf32>) -> tensor<3x1xf32>
    %sum_1 = "aten.sum.dim_IntList"(%eq) {dim = [-1], keepdim = true} : (tensor<3x30xi1>) -> tensor<3x1xi64>
    %div = "aten.div.Tensor"(%view_2, %sum_1) : (tensor<3x1xf32>, tensor<3x1xi64>) -> tensor<3x1xf32>
    %mul = "aten.mul.Tensor"(%div, %eq) : (tensor<3x1xf32>, tensor<3x30xi1>) -> tensor<3x30xf32>
    %sum_2 = "aten.sum"(%tangents_2) : (tensor<3xf32>) -> tensor<f32>
    %detach_13 = "aten.detach"(%detach_9) : (tensor<f32>) -> tensor<f32>
    %abs_1 = "aten.abs"(%view) : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %pow_1 = "aten.pow.Tensor_Scalar"(%abs_1) {exponent = 1.0 : f64} : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %mul_1 = "aten.mul.Tensor"(%view, %pow_1) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %pow_2 = "aten.pow.Tensor_Scalar"(%detach_13) {exponent = 2.0 : f64} : (tensor<f32>) -> tensor<f32>
    %div_1 = "aten.div.Tensor"(%sum_2, %pow_2) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %eq_1 = "aten.eq.Scalar"(%detach_13) {other = 0 : i64} : (tensor<f32>) -> tensor<i1>
    %masked_fill = "aten.masked_fill.Scalar"(%div_1, %eq_1) {value = 0 : i64} : (tensor<f32>, tensor<i1>) -> tensor<f32>
    %mul_2 = "aten.mul.Tensor"(%mul_1, %masked_fill) : (tensor<3x30xf32>, tensor<f32>) -> tensor<3x30xf32>
    %add_8 = "aten.add.Tensor"(%mul, %mul_2) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %detach_14 = "aten.detach"(%detach_8) : (tensor<3xf32>) -> tensor<3xf32>
    %unsqueeze = "aten.unsqueeze"(%tangents_2) {dim = -1 : i64} : (tensor<3xf32>) -> tensor<3x1xf32>
    %unsqueeze_1 = "aten.unsqueeze"(%detach_14) {dim = -1 : i64} : (tensor<3xf32>) -> tensor<3x1xf32>
    %abs_2 = "aten.abs"(%view) : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %eq_2 = "aten.eq.Tensor"(%abs_2, %unsqueeze_1) : (tensor<3x30xf32>, tensor<3x1xf32>) -> tensor<3x30xi1>
    %isnan = "aten.isnan"(%abs_2) : (tensor<3x30xf32>) -> tensor<3x30xi1>
    %logical_or = "aten.logical_or"(%eq_2, %isnan) : (tensor<3x30xi1>, tensor<3x30xi1>) -> tensor<3x30xi1>
    %sum_3 = "aten.sum.dim_IntList"(%logical_or) {dim = [-1], keepdim = true} : (tensor<3x30xi1>) -> tensor<3x1xi64>
    %div_2 = "aten.div.Tensor"(%unsqueeze, %sum_3) : (tensor<3x1xf32>, tensor<3x1xi64>) -> tensor<3x1xf32>
    %mul_3 = "aten.mul.Tensor"(%div_2, %logical_or) : (tensor<3x1xf32>, tensor<3x30xi1>) -> tensor<3x30xf32>
    %sgn = "aten.sgn"(%view) : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %mul_4 = "aten.mul.Tensor"(%sgn, %mul_3) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %add_9 = "aten.add.Tensor"(%add_8, %mul_4) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %unsqueeze_2 = "aten.unsqueeze"(%tangents_2) {dim = -1 : i64} : (tensor<3xf32>) -> tensor<3x1xf32>
    %sgn_1 = "aten.sgn"(%view) : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %mul_5 = "aten.mul.Tensor"(%sgn_1, %unsqueeze_2) : (tensor<3x30xf32>, tensor<3x1xf32>) -> tensor<3x30xf32>
    %add_10 = "aten.add.Tensor"(%add_9, %mul_5) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %detach_16 = "aten.detach"(%detach_6) : (tensor<3xf32>) -> tensor<3xf32>
    %unsqueeze_4 = "aten.unsqueeze"(%tangents_2) {dim = -1 : i64} : (tensor<3xf32>) -> tensor<3x1xf32>
    %unsqueeze_5 = "aten.unsqueeze"(%detach_16) {dim = -1 : i64} : (tensor<3xf32>) -> tensor<3x1xf32>
    %div_3 = "aten.div.Tensor"(%view, %unsqueeze_5) : (tensor<3x30xf32>, tensor<3x1xf32>) -> tensor<3x30xf32>
    %eq_3 = "aten.eq.Scalar"(%unsqueeze_5) {other = 0 : i64} : (tensor<3x1xf32>) -> tensor<3x1xi1>
    %masked_fill_1 = "aten.masked_fill.Scalar"(%div_3, %eq_3) {value = 0 : i64} : (tensor<3x30xf32>, tensor<3x1xi1>) -> tensor<3x30xf32>
    %mul_6 = "aten.mul.Tensor"(%unsqueeze_4, %masked_fill_1) : (tensor<3x1xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %add_11 = "aten.add.Tensor"(%add_10, %mul_6) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %mul_7 = "aten.mul.Tensor"(%full, %expand_4) : (tensor<30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %add_12 = "aten.add.Scalar"(%mul_7) {other = 1 : i64} : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %sub = "aten.sub.Tensor"(%add_12, %expand_4) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %sigmoid_3 = "aten.sigmoid"(%view) : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %mul_8 = "aten.mul.Tensor"(%sub, %sigmoid_3) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %sub_1 = "aten.sub.Tensor"(%mul_8, %mul_7) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %mul_9 = "aten.mul.Tensor"(%sub_1, %tangents_1) : (tensor<3x30xf32>, tensor<f32>) -> tensor<3x30xf32>
    %div_4 = "aten.div.Scalar"(%mul_9) {other = 90 : i64} : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %add_13 = "aten.add.Tensor"(%add_11, %div_4) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %binary_cross_entropy_backward = "aten.binary_cross_entropy_backward"(%tangents_1, %sigmoid, %expand_3) : (tensor<f32>, tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %huber_loss_backward = "aten.huber_loss_backward"(%tangents_1, %view, %expand_2) {delta = 0.7 : f64, reduction = 1 : i64} : (tensor<f32>, tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %add_14 = "aten.add.Tensor"(%add_13, %huber_loss_backward) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %smooth_l1_loss_backward = "aten.smooth_l1_loss_backward"(%tangents_1, %view, %expand_1) {beta = 1.0 : f64, reduction = 2 : i64} : (tensor<f32>, tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %add_15 = "aten.add.Tensor"(%add_14, %smooth_l1_loss_backward) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %smooth_l1_loss_backward_1 = "aten.smooth_l1_loss_backward"(%tangents_1, %view, %expand) {beta = 0.5 : f64, reduction = 1 : i64} : (tensor<f32>, tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %add_16 = "aten.add.Tensor"(%add_15, %smooth_l1_loss_backward_1) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %detach_17 = "aten.detach"(%detach_5) : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %sigmoid_backward = "aten.sigmoid_backward"(%binary_cross_entropy_backward, %detach_17) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %add_17 = "aten.add.Tensor"(%add_16, %sigmoid_backward) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %view_3 = "aten.view"(%add_17) {size = [3, 6, 5]} : (tensor<3x30xf32>) -> tensor<3x6x5xf32>
    %detach_18 = "aten.detach"(%detach_3) : (tensor<3x2xf32>) -> tensor<3x2xf32>
    %detach_19 = "aten.detach"(%detach_4) : (tensor<3x2xf32>) -> tensor<3x2xf32>
    %getitem_8, %native_group_norm_backward_1_1, %native_group_norm_backward_2 = "aten.native_group_norm_backward"(%view_3, %relu, %detach_18, %detach_19) {C = 6 : i64, HxW = 5 : i64, N = 3 : i64, group = 2 : i64, output_mask = [true, false, false]} : (tensor<3x6x5xf32>, tensor<3x6x5xf32>, tensor<3x2xf32>, tensor<3x2xf32>) -> (tensor<3x6x5xf32>, tensor<6xf32>, tensor<6xf32>)
    %detach_20 = "aten.detach"(%detach_2) : (tensor<3x6x5xf32>) -> tensor<3x6x5xf32>
    %threshold_backward = "aten.threshold_backward"(%getitem_8, %detach_20) {threshold = 0 : i64} : (tensor<3x6x5xf32>, tensor<3x6x5xf32>) -> tensor<3x6x5xf32>
    %detach_21 = "aten.detach"(%detach) : (tensor<3x3xf32>) -> tensor<3x3xf32>
    %detach_22 = "aten.detach"(%detach_1) : (tensor<3x3xf32>) -> tensor<3x3xf32>
    %getitem_11, %getitem_12, %getitem_13 = "aten.native_group_norm_backward"(%threshold_backward, %primals_3, %detach_21, %detach_22, %primals_1) {C = 6 : i64, HxW = 5 : i64, N = 3 : i64, group = 3 : i64, output_mask = [true, true, true]} : (tensor<3x6x5xf32>, tensor<3x6x5xf32>, tensor<3x3xf32>, tensor<3x3xf32>, tensor<6xf32>) -> (tensor<3x6x5xf32>, tensor<6xf32>, tensor<6xf32>)
    func.return %add_3, %add_7, %argmax, %argmin, %getitem_6, %getitem_7, %getitem_12, %getitem_13, %getitem_11 : tensor<f32>, tensor<3xf32>, tensor<3xi64>, tensor<i64>, tensor<3xf32>, tensor<3xi64>, tensor<6xf32>, tensor<6xf32>, tensor<3x6x5xf32>
  }
}
