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
    %alias = "aten.alias"(%getitem_1) : (tensor<3x3xf32>) -> tensor<3x3xf32>
    %alias_1 = "aten.alias"(%getitem_2) : (tensor<3x3xf32>) -> tensor<3x3xf32>
    %relu = "aten.relu"(%getitem) : (tensor<3x6x5xf32>) -> tensor<3x6x5xf32>
    %alias_2 = "aten.alias"(%relu) : (tensor<3x6x5xf32>) -> tensor<3x6x5xf32>
    %getitem_3, %getitem_4, %getitem_5 = "aten.native_group_norm"(%relu) {C = 6 : i64, HxW = 5 : i64, N = 3 : i64, eps = 1.0e-05 : f64, group = 2 : i64} : (tensor<3x6x5xf32>) -> (tensor<3x6x5xf32>, tensor<3x2xf32>, tensor<3x2xf32>)
    %alias_3 = "aten.alias"(%getitem_4) : (tensor<3x2xf32>) -> tensor<3x2xf32>
    %alias_4 = "aten.alias"(%getitem_5) : (tensor<3x2xf32>) -> tensor<3x2xf32>
    %view = "aten.view"(%getitem_3) {size = [3, 30]} : (tensor<3x6x5xf32>) -> tensor<3x30xf32>
    %arange = "aten.arange.start_step"() {device = "cpu", end = 30 : i64, layout = "strided", pin_memory = false, start = 0 : i64} : () -> tensor<30xi64>
    %lt = "aten.lt.Scalar"(%arange) {other = 15.0 : f64} : (tensor<30xi64>) -> tensor<30xi1>
    %_to_copy = "aten._to_copy"(%arange) {dtype = f32} : (tensor<30xi64>) -> tensor<30xf32>
    %mul = "aten.mul.Scalar"(%_to_copy) {other = 0.06896551724137931 : f64} : (tensor<30xf32>) -> tensor<30xf32>
    %add = "aten.add.Scalar"(%mul) {other = -1.0 : f64} : (tensor<30xf32>) -> tensor<30xf32>
    %sub_self = "arith.constant"() <{value = dense<29> : tensor<i64>}> : () -> tensor<i64>
    %sub = "aten.sub.Tensor"(%sub_self, %arange) : (tensor<i64>, tensor<30xi64>) -> tensor<30xi64>
    %_to_copy_1 = "aten._to_copy"(%sub) {dtype = f32} : (tensor<30xi64>) -> tensor<30xf32>
    %mul_1 = "aten.mul.Scalar"(%_to_copy_1) {other = 0.06896551724137931 : f64} : (tensor<30xf32>) -> tensor<30xf32>
    %sub_1_self = "arith.constant"() <{value = dense<1.0> : tensor<f32>}> : () -> tensor<f32>
    %sub_1 = "aten.sub.Tensor"(%sub_1_self, %mul_1) : (tensor<f32>, tensor<30xf32>) -> tensor<30xf32>
    %where = "aten.where.self"(%lt, %add, %sub_1) : (tensor<30xi1>, tensor<30xf32>, tensor<30xf32>) -> tensor<30xf32>
    %sigmoid = "aten.sigmoid"(%view) : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %alias_5 = "aten.alias"(%sigmoid) : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %expand = "aten.expand"(%where) {size = [3, 30]} : (tensor<30xf32>) -> tensor<3x30xf32>
    %sub_2 = "aten.sub.Tensor"(%view, %expand) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %abs_1 = "aten.abs"(%sub_2) : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %lt_1 = "aten.lt.Scalar"(%abs_1) {other = 0.5 : f64} : (tensor<3x30xf32>) -> tensor<3x30xi1>
    %pow_1 = "aten.pow.Tensor_Scalar"(%abs_1) {exponent = 2 : i64} : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %mul_2 = "aten.mul.Scalar"(%pow_1) {other = 0.5 : f64} : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %div = "aten.div.Scalar"(%mul_2) {other = 0.5 : f64} : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %sub_3 = "aten.sub.Scalar"(%abs_1) {other = 0.25 : f64} : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %where_1 = "aten.where.self"(%lt_1, %div, %sub_3) : (tensor<3x30xi1>, tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %mean = "aten.mean"(%where_1) : (tensor<3x30xf32>) -> tensor<f32>
    %flip = "aten.flip"(%where) {dims = [0]} : (tensor<30xf32>) -> tensor<30xf32>
    %expand_1 = "aten.expand"(%flip) {size = [3, 30]} : (tensor<30xf32>) -> tensor<3x30xf32>
    %sub_4 = "aten.sub.Tensor"(%view, %expand_1) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %abs_2 = "aten.abs"(%sub_4) : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %lt_2 = "aten.lt.Scalar"(%abs_2) {other = 1.0 : f64} : (tensor<3x30xf32>) -> tensor<3x30xi1>
    %pow_2 = "aten.pow.Tensor_Scalar"(%abs_2) {exponent = 2 : i64} : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %mul_3 = "aten.mul.Scalar"(%pow_2) {other = 0.5 : f64} : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %div_1 = "aten.div.Scalar"(%mul_3) {other = 1.0 : f64} : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %sub_5 = "aten.sub.Scalar"(%abs_2) {other = 0.5 : f64} : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %where_2 = "aten.where.self"(%lt_2, %div_1, %sub_5) : (tensor<3x30xi1>, tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %sum_1 = "aten.sum.dim_IntList"(%where_2) {dim = []} : (tensor<3x30xf32>) -> tensor<f32>
    %add_1 = "aten.add.Tensor"(%mean, %sum_1) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %expand_2 = "aten.expand"(%where) {size = [3, 30]} : (tensor<30xf32>) -> tensor<3x30xf32>
    %sub_6 = "aten.sub.Tensor"(%view, %expand_2) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %abs_3 = "aten.abs"(%sub_6) : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %lt_3 = "aten.lt.Scalar"(%abs_3) {other = 0.7 : f64} : (tensor<3x30xf32>) -> tensor<3x30xi1>
    %mul_4 = "aten.mul.Scalar"(%abs_3) {other = 0.5 : f64} : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %mul_5 = "aten.mul.Tensor"(%mul_4, %abs_3) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %sub_7 = "aten.sub.Scalar"(%abs_3) {other = 0.35 : f64} : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %mul_6 = "aten.mul.Scalar"(%sub_7) {other = 0.7 : f64} : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %where_3 = "aten.where.self"(%lt_3, %mul_5, %mul_6) : (tensor<3x30xi1>, tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %mean_1 = "aten.mean"(%where_3) : (tensor<3x30xf32>) -> tensor<f32>
    %add_2 = "aten.add.Tensor"(%add_1, %mean_1) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %sigmoid_1 = "aten.sigmoid"(%where) : (tensor<30xf32>) -> tensor<30xf32>
    %expand_3 = "aten.expand"(%sigmoid_1) {size = [3, 30]} : (tensor<30xf32>) -> tensor<3x30xf32>
    %sub_8 = "aten.sub.Scalar"(%expand_3) {other = 1 : i64} : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %neg = "aten.neg"(%sigmoid) : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %log1p = "aten.log1p"(%neg) : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %full = "aten.full"() {device = "cpu", dtype = f32, fill_value = -100 : i64, layout = "strided", pin_memory = false, size = []} : () -> tensor<f32>
    %maximum = "aten.maximum"(%log1p, %full) : (tensor<3x30xf32>, tensor<f32>) -> tensor<3x30xf32>
    %mul_7 = "aten.mul.Tensor"(%sub_8, %maximum) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %log = "aten.log"(%sigmoid) : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %full_1 = "aten.full"() {device = "cpu", dtype = f32, fill_value = -100 : i64, layout = "strided", pin_memory = false, size = []} : () -> tensor<f32>
    %maximum_1 = "aten.maximum"(%log, %full_1) : (tensor<3x30xf32>, tensor<f32>) -> tensor<3x30xf32>
    %mul_8 = "aten.mul.Tensor"(%expand_3, %maximum_1) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %sub_9 = "aten.sub.Tensor"(%mul_7, %mul_8) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %mean_2 = "aten.mean"(%sub_9) : (tensor<3x30xf32>) -> tensor<f32>
    %add_3 = "aten.add.Tensor"(%add_2, %mean_2) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %sigmoid_2 = "aten.sigmoid"(%where) : (tensor<30xf32>) -> tensor<30xf32>
    %expand_4 = "aten.expand"(%sigmoid_2) {size = [3, 30]} : (tensor<30xf32>) -> tensor<3x30xf32>
    %full_2 = "aten.full"() {device = "cpu", fill_value = 2.0 : f64, pin_memory = false, size = [30]} : () -> tensor<30xf32>
    %sub_10 = "aten.sub.Scalar"(%full_2) {other = 1 : i64} : (tensor<30xf32>) -> tensor<30xf32>
    %mul_9 = "aten.mul.Tensor"(%sub_10, %expand_4) : (tensor<30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %add_4 = "aten.add.Scalar"(%mul_9) {other = 1 : i64} : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %sub_11_self = "arith.constant"() <{value = dense<1.0> : tensor<f32>}> : () -> tensor<f32>
    %sub_11 = "aten.sub.Tensor"(%sub_11_self, %expand_4) : (tensor<f32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %mul_10 = "aten.mul.Tensor"(%sub_11, %view) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %full_3 = "aten.full"() {device = "cpu", dtype = f32, fill_value = 0 : i64, layout = "strided", pin_memory = false, size = []} : () -> tensor<f32>
    %minimum = "aten.minimum"(%full_3, %view) : (tensor<f32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %abs_4 = "aten.abs"(%view) : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %neg_1 = "aten.neg"(%abs_4) : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %exp = "aten.exp"(%neg_1) : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %log1p_1 = "aten.log1p"(%exp) : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %sub_12 = "aten.sub.Tensor"(%minimum, %log1p_1) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %mul_11 = "aten.mul.Tensor"(%add_4, %sub_12) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %sub_13 = "aten.sub.Tensor"(%mul_10, %mul_11) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %mean_3 = "aten.mean"(%sub_13) : (tensor<3x30xf32>) -> tensor<f32>
    %add_5 = "aten.add.Tensor"(%add_3, %mean_3) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %pow_3 = "aten.pow.Tensor_Scalar"(%view) {exponent = 2 : i64} : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %sum_2 = "aten.sum.dim_IntList"(%pow_3) {dim = [1]} : (tensor<3x30xf32>) -> tensor<3xf32>
    %pow_4 = "aten.pow.Tensor_Scalar"(%sum_2) {exponent = 0.5 : f64} : (tensor<3xf32>) -> tensor<3xf32>
    %alias_6 = "aten.alias"(%pow_4) : (tensor<3xf32>) -> tensor<3xf32>
    %abs_5 = "aten.abs"(%view) : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %pow_5 = "aten.pow.Tensor_Scalar"(%abs_5) {exponent = 1 : i64} : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %sum_3 = "aten.sum.dim_IntList"(%pow_5) {dim = [1]} : (tensor<3x30xf32>) -> tensor<3xf32>
    %pow_6 = "aten.pow.Tensor_Scalar"(%sum_3) {exponent = 1.0 : f64} : (tensor<3xf32>) -> tensor<3xf32>
    %add_6 = "aten.add.Tensor"(%pow_4, %pow_6) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    %abs_6 = "aten.abs"(%view) : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %amax = "aten.amax"(%abs_6) {dim = [-1]} : (tensor<3x30xf32>) -> tensor<3xf32>
    %alias_8 = "aten.alias"(%amax) : (tensor<3xf32>) -> tensor<3xf32>
    %add_7 = "aten.add.Tensor"(%add_6, %amax) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    %abs_7 = "aten.abs"(%view) : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %pow_7 = "aten.pow.Tensor_Scalar"(%abs_7) {exponent = 3 : i64} : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %sum_4 = "aten.sum.dim_IntList"(%pow_7) : (tensor<3x30xf32>) -> tensor<f32>
    %pow_8 = "aten.pow.Tensor_Scalar"(%sum_4) {exponent = 0.3333333333333333 : f64} : (tensor<f32>) -> tensor<f32>
    %alias_9 = "aten.alias"(%pow_8) : (tensor<f32>) -> tensor<f32>
    %add_8 = "aten.add.Tensor"(%add_7, %pow_8) : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
    %amin = "aten.amin"(%view) {dim = [-1]} : (tensor<3x30xf32>) -> tensor<3xf32>
    %alias_10 = "aten.alias"(%amin) : (tensor<3xf32>) -> tensor<3xf32>
    %add_9 = "aten.add.Tensor"(%add_8, %amin) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    %alias_11 = "aten.alias"(%view) : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %getitem_6, %getitem_7 = "aten.min.dim"(%alias_11) {dim = 1 : i64} : (tensor<3x30xf32>) -> (tensor<3xf32>, tensor<3xi64>)
    %argmax = "aten.argmax"(%view) {dim = -1 : i64} : (tensor<3x30xf32>) -> tensor<3xi64>
    %argmin = "aten.argmin"(%primals_3) : (tensor<3x6x5xf32>) -> tensor<i64>
    %alias_12 = "aten.alias"(%alias_10) : (tensor<3xf32>) -> tensor<3xf32>
    %view_1 = "aten.view"(%alias_12) {size = [3, 1]} : (tensor<3xf32>) -> tensor<3x1xf32>
    %eq = "aten.eq.Tensor"(%view_1, %view) : (tensor<3x1xf32>, tensor<3x30xf32>) -> tensor<3x30xi1>
    %view_2 = "aten.view"(%tangents_2) {size = [3, 1]} : (tensor<3xf32>) -> tensor<3x1xf32>
    %sum_5 = "aten.sum.dim_IntList"(%eq) {dim = [-1], keepdim = true} : (tensor<3x30xi1>) -> tensor<3x1xi64>
    %div_2 = "aten.div.Tensor"(%view_2, %sum_5) : (tensor<3x1xf32>, tensor<3x1xi64>) -> tensor<3x1xf32>
    %mul_12 = "aten.mul.Tensor"(%div_2, %eq) : (tensor<3x1xf32>, tensor<3x30xi1>) -> tensor<3x30xf32>
    %sum_6 = "aten.sum.dim_IntList"(%tangents_2) {dim = []} : (tensor<3xf32>) -> tensor<f32>
    %alias_13 = "aten.alias"(%alias_9) : (tensor<f32>) -> tensor<f32>
    %abs_8 = "aten.abs"(%view) : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %pow_9 = "aten.pow.Tensor_Scalar"(%abs_8) {exponent = 1.0 : f64} : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %mul_13 = "aten.mul.Tensor"(%view, %pow_9) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %pow_10 = "aten.pow.Tensor_Scalar"(%alias_13) {exponent = 2.0 : f64} : (tensor<f32>) -> tensor<f32>
    %div_3 = "aten.div.Tensor"(%sum_6, %pow_10) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %eq_1 = "aten.eq.Scalar"(%alias_13) {other = 0 : i64} : (tensor<f32>) -> tensor<i1>
    %scalar_tensor = "aten.scalar_tensor"() {device = "cpu", dtype = f32, layout = "strided", s = 0.0 : f64} : () -> tensor<f32>
    %where_4 = "aten.where.self"(%eq_1, %scalar_tensor, %div_3) : (tensor<i1>, tensor<f32>, tensor<f32>) -> tensor<f32>
    %mul_14 = "aten.mul.Tensor"(%mul_13, %where_4) : (tensor<3x30xf32>, tensor<f32>) -> tensor<3x30xf32>
    %add_10 = "aten.add.Tensor"(%mul_12, %mul_14) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %alias_14 = "aten.alias"(%alias_8) : (tensor<3xf32>) -> tensor<3xf32>
    %unsqueeze = "aten.unsqueeze"(%tangents_2) {dim = -1 : i64} : (tensor<3xf32>) -> tensor<3x1xf32>
    %unsqueeze_1 = "aten.unsqueeze"(%alias_14) {dim = -1 : i64} : (tensor<3xf32>) -> tensor<3x1xf32>
    %abs_9 = "aten.abs"(%view) : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %eq_2 = "aten.eq.Tensor"(%abs_9, %unsqueeze_1) : (tensor<3x30xf32>, tensor<3x1xf32>) -> tensor<3x30xi1>
    %isnan = "aten.isnan"(%abs_9) : (tensor<3x30xf32>) -> tensor<3x30xi1>
    %logical_or = "aten.logical_or"(%eq_2, %isnan) : (tensor<3x30xi1>, tensor<3x30xi1>) -> tensor<3x30xi1>
    %sum_7 = "aten.sum.dim_IntList"(%logical_or) {dim = [-1], keepdim = true} : (tensor<3x30xi1>) -> tensor<3x1xi64>
    %div_4 = "aten.div.Tensor"(%unsqueeze, %sum_7) : (tensor<3x1xf32>, tensor<3x1xi64>) -> tensor<3x1xf32>
    %mul_15 = "aten.mul.Tensor"(%div_4, %logical_or) : (tensor<3x1xf32>, tensor<3x30xi1>) -> tensor<3x30xf32>
    %sign = "aten.sign"(%view) : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %mul_16 = "aten.mul.Tensor"(%sign, %mul_15) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %add_11 = "aten.add.Tensor"(%add_10, %mul_16) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %unsqueeze_2 = "aten.unsqueeze"(%tangents_2) {dim = -1 : i64} : (tensor<3xf32>) -> tensor<3x1xf32>
    %sign_1 = "aten.sign"(%view) : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %mul_17 = "aten.mul.Tensor"(%sign_1, %unsqueeze_2) : (tensor<3x30xf32>, tensor<3x1xf32>) -> tensor<3x30xf32>
    %add_12 = "aten.add.Tensor"(%add_11, %mul_17) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %alias_16 = "aten.alias"(%alias_6) : (tensor<3xf32>) -> tensor<3xf32>
    %unsqueeze_4 = "aten.unsqueeze"(%tangents_2) {dim = -1 : i64} : (tensor<3xf32>) -> tensor<3x1xf32>
    %unsqueeze_5 = "aten.unsqueeze"(%alias_16) {dim = -1 : i64} : (tensor<3xf32>) -> tensor<3x1xf32>
    %div_5 = "aten.div.Tensor"(%view, %unsqueeze_5) : (tensor<3x30xf32>, tensor<3x1xf32>) -> tensor<3x30xf32>
    %eq_3 = "aten.eq.Scalar"(%unsqueeze_5) {other = 0 : i64} : (tensor<3x1xf32>) -> tensor<3x1xi1>
    %scalar_tensor_1 = "aten.scalar_tensor"() {device = "cpu", dtype = f32, layout = "strided", s = 0.0 : f64} : () -> tensor<f32>
    %where_5 = "aten.where.self"(%eq_3, %scalar_tensor_1, %div_5) : (tensor<3x1xi1>, tensor<f32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %mul_18 = "aten.mul.Tensor"(%unsqueeze_4, %where_5) : (tensor<3x1xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %add_13 = "aten.add.Tensor"(%add_12, %mul_18) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %mul_19 = "aten.mul.Tensor"(%full_2, %expand_4) : (tensor<30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %add_14 = "aten.add.Scalar"(%mul_19) {other = 1 : i64} : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %sub_14 = "aten.sub.Tensor"(%add_14, %expand_4) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %sigmoid_3 = "aten.sigmoid"(%view) : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %mul_20 = "aten.mul.Tensor"(%sub_14, %sigmoid_3) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %sub_15 = "aten.sub.Tensor"(%mul_20, %mul_19) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %mul_21 = "aten.mul.Tensor"(%sub_15, %tangents_1) : (tensor<3x30xf32>, tensor<f32>) -> tensor<3x30xf32>
    %div_6 = "aten.div.Scalar"(%mul_21) {other = 90 : i64} : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %add_15 = "aten.add.Tensor"(%add_13, %div_6) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %sub_16 = "aten.sub.Tensor"(%sigmoid, %expand_3) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %mul_22 = "aten.mul.Tensor"(%tangents_1, %sub_16) : (tensor<f32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %sub_17_self = "arith.constant"() <{value = dense<1.0> : tensor<f32>}> : () -> tensor<f32>
    %sub_17 = "aten.sub.Tensor"(%sub_17_self, %sigmoid) : (tensor<f32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %mul_23 = "aten.mul.Tensor"(%sigmoid, %sub_17) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %clamp = "aten.clamp"(%mul_23) {min = 1.0e-12 : f64} : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %div_7 = "aten.div.Tensor"(%mul_22, %clamp) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %div_8 = "aten.div.Scalar"(%div_7) {other = 90 : i64} : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %sub_18 = "aten.sub.Tensor"(%view, %expand_2) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %lt_4 = "aten.lt.Scalar"(%sub_18) {other = -0.7 : f64} : (tensor<3x30xf32>) -> tensor<3x30xi1>
    %mul_24 = "aten.mul.Scalar"(%tangents_1) {other = -0.011111111111111112 : f64} : (tensor<f32>) -> tensor<f32>
    %mul_25 = "aten.mul.Scalar"(%mul_24) {other = 0.7 : f64} : (tensor<f32>) -> tensor<f32>
    %gt = "aten.gt.Scalar"(%sub_18) {other = 0.7 : f64} : (tensor<3x30xf32>) -> tensor<3x30xi1>
    %mul_26 = "aten.mul.Scalar"(%tangents_1) {other = 0.011111111111111112 : f64} : (tensor<f32>) -> tensor<f32>
    %mul_27 = "aten.mul.Scalar"(%mul_26) {other = 0.7 : f64} : (tensor<f32>) -> tensor<f32>
    %mul_28 = "aten.mul.Scalar"(%sub_18) {other = 0.011111111111111112 : f64} : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %mul_29 = "aten.mul.Tensor"(%mul_28, %tangents_1) : (tensor<3x30xf32>, tensor<f32>) -> tensor<3x30xf32>
    %where_6 = "aten.where.self"(%gt, %mul_27, %mul_29) : (tensor<3x30xi1>, tensor<f32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %where_7 = "aten.where.self"(%lt_4, %mul_25, %where_6) : (tensor<3x30xi1>, tensor<f32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %add_16 = "aten.add.Tensor"(%add_15, %where_7) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %sub_19 = "aten.sub.Tensor"(%view, %expand_1) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %abs_10 = "aten.abs"(%sub_19) : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %mul_30 = "aten.mul.Scalar"(%tangents_1) {other = 1.0 : f64} : (tensor<f32>) -> tensor<f32>
    %lt_5 = "aten.lt.Scalar"(%abs_10) {other = 1.0 : f64} : (tensor<3x30xf32>) -> tensor<3x30xi1>
    %mul_31 = "aten.mul.Tensor"(%mul_30, %sub_19) : (tensor<f32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %div_9 = "aten.div.Scalar"(%mul_31) {other = 1.0 : f64} : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %sign_2 = "aten.sign"(%sub_19) : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %mul_32 = "aten.mul.Tensor"(%mul_30, %sign_2) : (tensor<f32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %where_8 = "aten.where.self"(%lt_5, %div_9, %mul_32) : (tensor<3x30xi1>, tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %add_17 = "aten.add.Tensor"(%add_16, %where_8) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %sub_20 = "aten.sub.Tensor"(%view, %expand) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %abs_11 = "aten.abs"(%sub_20) : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %mul_33 = "aten.mul.Scalar"(%tangents_1) {other = 0.011111111111111112 : f64} : (tensor<f32>) -> tensor<f32>
    %lt_6 = "aten.lt.Scalar"(%abs_11) {other = 0.5 : f64} : (tensor<3x30xf32>) -> tensor<3x30xi1>
    %mul_34 = "aten.mul.Tensor"(%mul_33, %sub_20) : (tensor<f32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %div_10 = "aten.div.Scalar"(%mul_34) {other = 0.5 : f64} : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %sign_3 = "aten.sign"(%sub_20) : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %mul_35 = "aten.mul.Tensor"(%mul_33, %sign_3) : (tensor<f32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %where_9 = "aten.where.self"(%lt_6, %div_10, %mul_35) : (tensor<3x30xi1>, tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %add_18 = "aten.add.Tensor"(%add_17, %where_9) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %alias_17 = "aten.alias"(%alias_5) : (tensor<3x30xf32>) -> tensor<3x30xf32>
    %sub_21_self = "arith.constant"() <{value = dense<1.0> : tensor<f32>}> : () -> tensor<f32>
    %sub_21 = "aten.sub.Tensor"(%sub_21_self, %alias_17) : (tensor<f32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %mul_36 = "aten.mul.Tensor"(%alias_17, %sub_21) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %mul_37 = "aten.mul.Tensor"(%div_8, %mul_36) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %add_19 = "aten.add.Tensor"(%add_18, %mul_37) : (tensor<3x30xf32>, tensor<3x30xf32>) -> tensor<3x30xf32>
    %view_3 = "aten.view"(%add_19) {size = [3, 6, 5]} : (tensor<3x30xf32>) -> tensor<3x6x5xf32>
    %alias_18 = "aten.alias"(%alias_3) : (tensor<3x2xf32>) -> tensor<3x2xf32>
    %alias_19 = "aten.alias"(%alias_4) : (tensor<3x2xf32>) -> tensor<3x2xf32>
    %mul_38 = "aten.mul.Tensor"(%view_3, %relu) : (tensor<3x6x5xf32>, tensor<3x6x5xf32>) -> tensor<3x6x5xf32>
    %view_4 = "aten.view"(%mul_38) {size = [3, 6, 5]} : (tensor<3x6x5xf32>) -> tensor<3x6x5xf32>
    %sum_8 = "aten.sum.dim_IntList"(%view_4) {dim = [2]} : (tensor<3x6x5xf32>) -> tensor<3x6xf32>
    %view_5 = "aten.view"(%view_3) {size = [3, 6, 5]} : (tensor<3x6x5xf32>) -> tensor<3x6x5xf32>
    %sum_9 = "aten.sum.dim_IntList"(%view_5) {dim = [2]} : (tensor<3x6x5xf32>) -> tensor<3x6xf32>
    %view_6 = "aten.view"(%sum_8) {size = [3, 2, 3]} : (tensor<3x6xf32>) -> tensor<3x2x3xf32>
    %sum_10 = "aten.sum.dim_IntList"(%view_6) {dim = [2]} : (tensor<3x2x3xf32>) -> tensor<3x2xf32>
    %view_7 = "aten.view"(%sum_9) {size = [3, 2, 3]} : (tensor<3x6xf32>) -> tensor<3x2x3xf32>
    %sum_11 = "aten.sum.dim_IntList"(%view_7) {dim = [2]} : (tensor<3x2x3xf32>) -> tensor<3x2xf32>
    %unsqueeze_6 = "aten.unsqueeze"(%alias_19) {dim = -1 : i64} : (tensor<3x2xf32>) -> tensor<3x2x1xf32>
    %full_4 = "aten.full"() {device = "cpu", dtype = f32, fill_value = 1 : i64, layout = "strided", pin_memory = false, size = [1, 2, 3]} : () -> tensor<1x2x3xf32>
    %mul_39 = "aten.mul.Tensor"(%unsqueeze_6, %full_4) : (tensor<3x2x1xf32>, tensor<1x2x3xf32>) -> tensor<3x2x3xf32>
    %neg_2 = "aten.neg"(%sum_10) : (tensor<3x2xf32>) -> tensor<3x2xf32>
    %mul_40 = "aten.mul.Scalar"(%sum_11) {other = 1 : i64} : (tensor<3x2xf32>) -> tensor<3x2xf32>
    %mul_41 = "aten.mul.Tensor"(%mul_40, %alias_18) : (tensor<3x2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
    %add_20 = "aten.add.Tensor"(%neg_2, %mul_41) : (tensor<3x2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
    %mul_42 = "aten.mul.Tensor"(%add_20, %alias_19) : (tensor<3x2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
    %mul_43 = "aten.mul.Tensor"(%mul_42, %alias_19) : (tensor<3x2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
    %mul_44 = "aten.mul.Tensor"(%mul_43, %alias_19) : (tensor<3x2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
    %mul_45 = "aten.mul.Scalar"(%mul_44) {other = 0.06666666666666667 : f64} : (tensor<3x2xf32>) -> tensor<3x2xf32>
    %neg_3 = "aten.neg"(%mul_45) : (tensor<3x2xf32>) -> tensor<3x2xf32>
    %mul_46 = "aten.mul.Tensor"(%neg_3, %alias_18) : (tensor<3x2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
    %mul_47 = "aten.mul.Tensor"(%sum_11, %alias_19) : (tensor<3x2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
    %mul_48 = "aten.mul.Scalar"(%mul_47) {other = 0.06666666666666667 : f64} : (tensor<3x2xf32>) -> tensor<3x2xf32>
    %sub_22 = "aten.sub.Tensor"(%mul_46, %mul_48) : (tensor<3x2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
    %unsqueeze_7 = "aten.unsqueeze"(%mul_39) {dim = -1 : i64} : (tensor<3x2x3xf32>) -> tensor<3x2x3x1xf32>
    %unsqueeze_8 = "aten.unsqueeze"(%mul_45) {dim = -1 : i64} : (tensor<3x2xf32>) -> tensor<3x2x1xf32>
    %unsqueeze_9 = "aten.unsqueeze"(%unsqueeze_8) {dim = -1 : i64} : (tensor<3x2x1xf32>) -> tensor<3x2x1x1xf32>
    %unsqueeze_10 = "aten.unsqueeze"(%sub_22) {dim = -1 : i64} : (tensor<3x2xf32>) -> tensor<3x2x1xf32>
    %unsqueeze_11 = "aten.unsqueeze"(%unsqueeze_10) {dim = -1 : i64} : (tensor<3x2x1xf32>) -> tensor<3x2x1x1xf32>
    %view_8 = "aten.view"(%view_3) {size = [3, 2, 3, 5]} : (tensor<3x6x5xf32>) -> tensor<3x2x3x5xf32>
    %mul_49 = "aten.mul.Tensor"(%view_8, %unsqueeze_7) : (tensor<3x2x3x5xf32>, tensor<3x2x3x1xf32>) -> tensor<3x2x3x5xf32>
    %view_9 = "aten.view"(%relu) {size = [3, 2, 3, 5]} : (tensor<3x6x5xf32>) -> tensor<3x2x3x5xf32>
    %mul_50 = "aten.mul.Tensor"(%view_9, %unsqueeze_9) : (tensor<3x2x3x5xf32>, tensor<3x2x1x1xf32>) -> tensor<3x2x3x5xf32>
    %add_21 = "aten.add.Tensor"(%mul_49, %mul_50) : (tensor<3x2x3x5xf32>, tensor<3x2x3x5xf32>) -> tensor<3x2x3x5xf32>
    %add_22 = "aten.add.Tensor"(%add_21, %unsqueeze_11) : (tensor<3x2x3x5xf32>, tensor<3x2x1x1xf32>) -> tensor<3x2x3x5xf32>
    %view_10 = "aten.view"(%add_22) {size = [3, 6, 5]} : (tensor<3x2x3x5xf32>) -> tensor<3x6x5xf32>
    %alias_20 = "aten.alias"(%alias_2) : (tensor<3x6x5xf32>) -> tensor<3x6x5xf32>
    %le = "aten.le.Scalar"(%alias_20) {other = 0 : i64} : (tensor<3x6x5xf32>) -> tensor<3x6x5xi1>
    %scalar_tensor_2 = "aten.scalar_tensor"() {device = "cpu", dtype = f32, layout = "strided", s = 0 : i64} : () -> tensor<f32>
    %where_10 = "aten.where.self"(%le, %scalar_tensor_2, %view_10) : (tensor<3x6x5xi1>, tensor<f32>, tensor<3x6x5xf32>) -> tensor<3x6x5xf32>
    %alias_21 = "aten.alias"(%alias) : (tensor<3x3xf32>) -> tensor<3x3xf32>
    %alias_22 = "aten.alias"(%alias_1) : (tensor<3x3xf32>) -> tensor<3x3xf32>
    %mul_51 = "aten.mul.Tensor"(%where_10, %primals_3) : (tensor<3x6x5xf32>, tensor<3x6x5xf32>) -> tensor<3x6x5xf32>
    %view_11 = "aten.view"(%mul_51) {size = [3, 6, 5]} : (tensor<3x6x5xf32>) -> tensor<3x6x5xf32>
    %sum_12 = "aten.sum.dim_IntList"(%view_11) {dim = [2]} : (tensor<3x6x5xf32>) -> tensor<3x6xf32>
    %view_12 = "aten.view"(%where_10) {size = [3, 6, 5]} : (tensor<3x6x5xf32>) -> tensor<3x6x5xf32>
    %sum_13 = "aten.sum.dim_IntList"(%view_12) {dim = [2]} : (tensor<3x6x5xf32>) -> tensor<3x6xf32>
    %unsqueeze_12 = "aten.unsqueeze"(%primals_1) {dim = 0 : i64} : (tensor<6xf32>) -> tensor<1x6xf32>
    %mul_52 = "aten.mul.Tensor"(%sum_12, %unsqueeze_12) : (tensor<3x6xf32>, tensor<1x6xf32>) -> tensor<3x6xf32>
    %view_13 = "aten.view"(%mul_52) {size = [3, 3, 2]} : (tensor<3x6xf32>) -> tensor<3x3x2xf32>
    %sum_14 = "aten.sum.dim_IntList"(%view_13) {dim = [2]} : (tensor<3x3x2xf32>) -> tensor<3x3xf32>
    %unsqueeze_13 = "aten.unsqueeze"(%primals_1) {dim = 0 : i64} : (tensor<6xf32>) -> tensor<1x6xf32>
    %mul_53 = "aten.mul.Tensor"(%sum_13, %unsqueeze_13) : (tensor<3x6xf32>, tensor<1x6xf32>) -> tensor<3x6xf32>
    %view_14 = "aten.view"(%mul_53) {size = [3, 3, 2]} : (tensor<3x6xf32>) -> tensor<3x3x2xf32>
    %sum_15 = "aten.sum.dim_IntList"(%view_14) {dim = [2]} : (tensor<3x3x2xf32>) -> tensor<3x3xf32>
    %unsqueeze_14 = "aten.unsqueeze"(%alias_22) {dim = -1 : i64} : (tensor<3x3xf32>) -> tensor<3x3x1xf32>
    %view_15 = "aten.view"(%primals_1) {size = [1, 3, 2]} : (tensor<6xf32>) -> tensor<1x3x2xf32>
    %mul_54 = "aten.mul.Tensor"(%unsqueeze_14, %view_15) : (tensor<3x3x1xf32>, tensor<1x3x2xf32>) -> tensor<3x3x2xf32>
    %neg_4 = "aten.neg"(%sum_14) : (tensor<3x3xf32>) -> tensor<3x3xf32>
    %mul_55 = "aten.mul.Scalar"(%sum_15) {other = 1 : i64} : (tensor<3x3xf32>) -> tensor<3x3xf32>
    %mul_56 = "aten.mul.Tensor"(%mul_55, %alias_21) : (tensor<3x3xf32>, tensor<3x3xf32>) -> tensor<3x3xf32>
    %add_23 = "aten.add.Tensor"(%neg_4, %mul_56) : (tensor<3x3xf32>, tensor<3x3xf32>) -> tensor<3x3xf32>
    %mul_57 = "aten.mul.Tensor"(%add_23, %alias_22) : (tensor<3x3xf32>, tensor<3x3xf32>) -> tensor<3x3xf32>
    %mul_58 = "aten.mul.Tensor"(%mul_57, %alias_22) : (tensor<3x3xf32>, tensor<3x3xf32>) -> tensor<3x3xf32>
    %mul_59 = "aten.mul.Tensor"(%mul_58, %alias_22) : (tensor<3x3xf32>, tensor<3x3xf32>) -> tensor<3x3xf32>
    %mul_60 = "aten.mul.Scalar"(%mul_59) {other = 0.1 : f64} : (tensor<3x3xf32>) -> tensor<3x3xf32>
    %neg_5 = "aten.neg"(%mul_60) : (tensor<3x3xf32>) -> tensor<3x3xf32>
    %mul_61 = "aten.mul.Tensor"(%neg_5, %alias_21) : (tensor<3x3xf32>, tensor<3x3xf32>) -> tensor<3x3xf32>
    %mul_62 = "aten.mul.Tensor"(%sum_15, %alias_22) : (tensor<3x3xf32>, tensor<3x3xf32>) -> tensor<3x3xf32>
    %mul_63 = "aten.mul.Scalar"(%mul_62) {other = 0.1 : f64} : (tensor<3x3xf32>) -> tensor<3x3xf32>
    %sub_23 = "aten.sub.Tensor"(%mul_61, %mul_63) : (tensor<3x3xf32>, tensor<3x3xf32>) -> tensor<3x3xf32>
    %unsqueeze_15 = "aten.unsqueeze"(%mul_54) {dim = -1 : i64} : (tensor<3x3x2xf32>) -> tensor<3x3x2x1xf32>
    %unsqueeze_16 = "aten.unsqueeze"(%mul_60) {dim = -1 : i64} : (tensor<3x3xf32>) -> tensor<3x3x1xf32>
    %unsqueeze_17 = "aten.unsqueeze"(%unsqueeze_16) {dim = -1 : i64} : (tensor<3x3x1xf32>) -> tensor<3x3x1x1xf32>
    %unsqueeze_18 = "aten.unsqueeze"(%sub_23) {dim = -1 : i64} : (tensor<3x3xf32>) -> tensor<3x3x1xf32>
    %unsqueeze_19 = "aten.unsqueeze"(%unsqueeze_18) {dim = -1 : i64} : (tensor<3x3x1xf32>) -> tensor<3x3x1x1xf32>
    %view_16 = "aten.view"(%where_10) {size = [3, 3, 2, 5]} : (tensor<3x6x5xf32>) -> tensor<3x3x2x5xf32>
    %mul_64 = "aten.mul.Tensor"(%view_16, %unsqueeze_15) : (tensor<3x3x2x5xf32>, tensor<3x3x2x1xf32>) -> tensor<3x3x2x5xf32>
    %view_17 = "aten.view"(%primals_3) {size = [3, 3, 2, 5]} : (tensor<3x6x5xf32>) -> tensor<3x3x2x5xf32>
    %mul_65 = "aten.mul.Tensor"(%view_17, %unsqueeze_17) : (tensor<3x3x2x5xf32>, tensor<3x3x1x1xf32>) -> tensor<3x3x2x5xf32>
    %add_24 = "aten.add.Tensor"(%mul_64, %mul_65) : (tensor<3x3x2x5xf32>, tensor<3x3x2x5xf32>) -> tensor<3x3x2x5xf32>
    %add_25 = "aten.add.Tensor"(%add_24, %unsqueeze_19) : (tensor<3x3x2x5xf32>, tensor<3x3x1x1xf32>) -> tensor<3x3x2x5xf32>
    %view_18 = "aten.view"(%add_25) {size = [3, 6, 5]} : (tensor<3x3x2x5xf32>) -> tensor<3x6x5xf32>
    %view_19 = "aten.view"(%sum_12) {size = [3, 3, 2]} : (tensor<3x6xf32>) -> tensor<3x3x2xf32>
    %view_20 = "aten.view"(%sum_13) {size = [3, 3, 2]} : (tensor<3x6xf32>) -> tensor<3x3x2xf32>
    %unsqueeze_20 = "aten.unsqueeze"(%alias_21) {dim = -1 : i64} : (tensor<3x3xf32>) -> tensor<3x3x1xf32>
    %mul_66 = "aten.mul.Tensor"(%view_20, %unsqueeze_20) : (tensor<3x3x2xf32>, tensor<3x3x1xf32>) -> tensor<3x3x2xf32>
    %sub_24 = "aten.sub.Tensor"(%view_19, %mul_66) : (tensor<3x3x2xf32>, tensor<3x3x2xf32>) -> tensor<3x3x2xf32>
    %unsqueeze_21 = "aten.unsqueeze"(%alias_22) {dim = -1 : i64} : (tensor<3x3xf32>) -> tensor<3x3x1xf32>
    %mul_67 = "aten.mul.Tensor"(%sub_24, %unsqueeze_21) : (tensor<3x3x2xf32>, tensor<3x3x1xf32>) -> tensor<3x3x2xf32>
    %sum_16 = "aten.sum.dim_IntList"(%mul_67) {dim = [0]} : (tensor<3x3x2xf32>) -> tensor<3x2xf32>
    %view_21 = "aten.view"(%sum_16) {size = [6]} : (tensor<3x2xf32>) -> tensor<6xf32>
    %sum_17 = "aten.sum.dim_IntList"(%sum_13) {dim = [0]} : (tensor<3x6xf32>) -> tensor<6xf32>
    func.return %add_5, %add_9, %argmax, %argmin, %getitem_6, %getitem_7, %view_21, %sum_17, %view_18 : tensor<f32>, tensor<3xf32>, tensor<3xi64>, tensor<i64>, tensor<3xf32>, tensor<3xi64>, tensor<6xf32>, tensor<6xf32>, tensor<3x6x5xf32>
  }
}
