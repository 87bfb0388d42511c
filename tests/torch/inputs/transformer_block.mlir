// The zoo's transformer_block joint (tests/torch/models.py), exported by joinery_torch.export with torch 2.15.0;
// a fixed input for Rust tests that must not need PyTorch (aten-decompose against the interpreter).
module attributes {torch.buffers_spec = [], torch.in_spec = "[1, {\"type\": \"builtins.tuple\", \"context\": \"null\", \"children_spec\": [{\"type\": \"builtins.list\", \"context\": \"null\", \"children_spec\": [{\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}]}, {\"type\": \"builtins.dict\", \"context\": \"[]\", \"children_spec\": []}]}]", torch.out_spec = "[1, {\"type\": null, \"context\": null, \"children_spec\": []}]", torch.params_spec = ["ln1.weight", "ln1.bias", "ln2.weight", "ln2.bias", "qkv.weight", "qkv.bias", "o.weight", "o.bias", "f1.weight", "f1.bias", "f2.weight", "f2.bias"]} {
  func.func @joint(%primals_1: tensor<16xf32> {aot.desc = #aot.param<"ln1.weight">},
                   %primals_2: tensor<16xf32> {aot.desc = #aot.param<"ln1.bias">},
                   %primals_3: tensor<16xf32> {aot.desc = #aot.param<"ln2.weight">},
                   %primals_4: tensor<16xf32> {aot.desc = #aot.param<"ln2.bias">},
                   %primals_5: tensor<48x16xf32> {aot.desc = #aot.param<"qkv.weight">},
                   %primals_6: tensor<48xf32> {aot.desc = #aot.param<"qkv.bias">},
                   %primals_7: tensor<16x16xf32> {aot.desc = #aot.param<"o.weight">},
                   %primals_8: tensor<16xf32> {aot.desc = #aot.param<"o.bias">},
                   %primals_9: tensor<64x16xf32> {aot.desc = #aot.param<"f1.weight">},
                   %primals_10: tensor<64xf32> {aot.desc = #aot.param<"f1.bias">},
                   %primals_11: tensor<16x64xf32> {aot.desc = #aot.param<"f2.weight">},
                   %primals_12: tensor<16xf32> {aot.desc = #aot.param<"f2.bias">},
                   %primals_13: tensor<2x5x16xf32> {aot.desc = #aot.plain<0>},
                   %tangents_1: tensor<f32> {aot.desc = #aot.tangent<#aot.plain_out<0>>})
      -> (tensor<f32> {aot.desc = #aot.plain_out<0>},
          tensor<16xf32> {aot.desc = #aot.grad<#aot.param<"ln1.weight">>},
          tensor<16xf32> {aot.desc = #aot.grad<#aot.param<"ln1.bias">>},
          tensor<16xf32> {aot.desc = #aot.grad<#aot.param<"ln2.weight">>},
          tensor<16xf32> {aot.desc = #aot.grad<#aot.param<"ln2.bias">>},
          tensor<48x16xf32> {aot.desc = #aot.grad<#aot.param<"qkv.weight">>},
          tensor<48xf32> {aot.desc = #aot.grad<#aot.param<"qkv.bias">>},
          tensor<16x16xf32> {aot.desc = #aot.grad<#aot.param<"o.weight">>},
          tensor<16xf32> {aot.desc = #aot.grad<#aot.param<"o.bias">>},
          tensor<64x16xf32> {aot.desc = #aot.grad<#aot.param<"f1.weight">>},
          tensor<64xf32> {aot.desc = #aot.grad<#aot.param<"f1.bias">>},
          tensor<16x64xf32> {aot.desc = #aot.grad<#aot.param<"f2.weight">>},
          tensor<16xf32> {aot.desc = #aot.grad<#aot.param<"f2.bias">>},
          none {aot.desc = #aot.none_grad<#aot.plain<0>>}) {
    %getitem, %getitem_1, %getitem_2 = "aten.native_layer_norm"(%primals_13, %primals_1, %primals_2) {eps = 1.0e-05 : f64, normalized_shape = [16]} : (tensor<2x5x16xf32>, tensor<16xf32>, tensor<16xf32>) -> (tensor<2x5x16xf32>, tensor<2x5x1xf32>, tensor<2x5x1xf32>)
    %view = "aten.view"(%getitem) {size = [10, 16]} : (tensor<2x5x16xf32>) -> tensor<10x16xf32>
    %t = "aten.t"(%primals_5) : (tensor<48x16xf32>) -> tensor<16x48xf32>
    %addmm = "aten.addmm"(%primals_6, %view, %t) : (tensor<48xf32>, tensor<10x16xf32>, tensor<16x48xf32>) -> tensor<10x48xf32>
    %_unsafe_view = "aten._unsafe_view"(%addmm) {size = [2, 5, 48]} : (tensor<10x48xf32>) -> tensor<2x5x48xf32>
    %getitem_3, %getitem_4, %getitem_5 = "aten.split.Tensor"(%_unsafe_view) {dim = -1 : i64, split_size = 16 : i64} : (tensor<2x5x48xf32>) -> (tensor<2x5x16xf32>, tensor<2x5x16xf32>, tensor<2x5x16xf32>)
    %view_1 = "aten.view"(%getitem_3) {size = [2, 5, 2, 8]} : (tensor<2x5x16xf32>) -> tensor<2x5x2x8xf32>
    %transpose = "aten.transpose.int"(%view_1) {dim0 = 1 : i64, dim1 = 2 : i64} : (tensor<2x5x2x8xf32>) -> tensor<2x2x5x8xf32>
    %view_2 = "aten.view"(%getitem_4) {size = [2, 5, 2, 8]} : (tensor<2x5x16xf32>) -> tensor<2x5x2x8xf32>
    %transpose_1 = "aten.transpose.int"(%view_2) {dim0 = 1 : i64, dim1 = 2 : i64} : (tensor<2x5x2x8xf32>) -> tensor<2x2x5x8xf32>
    %view_3 = "aten.view"(%getitem_5) {size = [2, 5, 2, 8]} : (tensor<2x5x16xf32>) -> tensor<2x5x2x8xf32>
    %transpose_2 = "aten.transpose.int"(%view_3) {dim0 = 1 : i64, dim1 = 2 : i64} : (tensor<2x5x2x8xf32>) -> tensor<2x2x5x8xf32>
    %transpose_3 = "aten.transpose.int"(%transpose_1) {dim0 = -1 : i64, dim1 = -2 : i64} : (tensor<2x2x5x8xf32>) -> tensor<2x2x8x5xf32>
    %expand = "aten.expand"(%transpose) {size = [2, 2, 5, 8]} : (tensor<2x2x5x8xf32>) -> tensor<2x2x5x8xf32>
    %clone = "aten.clone"(%expand) {memory_format = "contiguous_format"} : (tensor<2x2x5x8xf32>) -> tensor<2x2x5x8xf32>
    %_unsafe_view_1 = "aten._unsafe_view"(%clone) {size = [4, 5, 8]} : (tensor<2x2x5x8xf32>) -> tensor<4x5x8xf32>
    %expand_1 = "aten.expand"(%transpose_3) {size = [2, 2, 8, 5]} : (tensor<2x2x8x5xf32>) -> tensor<2x2x8x5xf32>
    %clone_1 = "aten.clone"(%expand_1) {memory_format = "contiguous_format"} : (tensor<2x2x8x5xf32>) -> tensor<2x2x8x5xf32>
    %_unsafe_view_2 = "aten._unsafe_view"(%clone_1) {size = [4, 8, 5]} : (tensor<2x2x8x5xf32>) -> tensor<4x8x5xf32>
    %bmm = "aten.bmm"(%_unsafe_view_1, %_unsafe_view_2) : (tensor<4x5x8xf32>, tensor<4x8x5xf32>) -> tensor<4x5x5xf32>
    %view_4 = "aten.view"(%bmm) {size = [2, 2, 5, 5]} : (tensor<4x5x5xf32>) -> tensor<2x2x5x5xf32>
    %div = "aten.div.Scalar"(%view_4) {other = 2.8284271247461903 : f64} : (tensor<2x2x5x5xf32>) -> tensor<2x2x5x5xf32>
    %_softmax = "aten._softmax"(%div) {dim = -1 : i64, half_to_float = false} : (tensor<2x2x5x5xf32>) -> tensor<2x2x5x5xf32>
    %detach = "aten.detach"(%_softmax) : (tensor<2x2x5x5xf32>) -> tensor<2x2x5x5xf32>
    %expand_2 = "aten.expand"(%_softmax) {size = [2, 2, 5, 5]} : (tensor<2x2x5x5xf32>) -> tensor<2x2x5x5xf32>
    %view_5 = "aten.view"(%expand_2) {size = [4, 5, 5]} : (tensor<2x2x5x5xf32>) -> tensor<4x5x5xf32>
    %expand_3 = "aten.expand"(%transpose_2) {size = [2, 2, 5, 8]} : (tensor<2x2x5x8xf32>) -> tensor<2x2x5x8xf32>
    %clone_2 = "aten.clone"(%expand_3) {memory_format = "contiguous_format"} : (tensor<2x2x5x8xf32>) -> tensor<2x2x5x8xf32>
    %_unsafe_view_3 = "aten._unsafe_view"(%clone_2) {size = [4, 5, 8]} : (tensor<2x2x5x8xf32>) -> tensor<4x5x8xf32>
    %bmm_1 = "aten.bmm"(%view_5, %_unsafe_view_3) : (tensor<4x5x5xf32>, tensor<4x5x8xf32>) -> tensor<4x5x8xf32>
    %view_6 = "aten.view"(%bmm_1) {size = [2, 2, 5, 8]} : (tensor<4x5x8xf32>) -> tensor<2x2x5x8xf32>
    %transpose_4 = "aten.transpose.int"(%view_6) {dim0 = 1 : i64, dim1 = 2 : i64} : (tensor<2x2x5x8xf32>) -> tensor<2x5x2x8xf32>
    %clone_3 = "aten.clone"(%transpose_4) {memory_format = "contiguous_format"} : (tensor<2x5x2x8xf32>) -> tensor<2x5x2x8xf32>
    %_unsafe_view_4 = "aten._unsafe_view"(%clone_3) {size = [2, 5, 16]} : (tensor<2x5x2x8xf32>) -> tensor<2x5x16xf32>
    %view_7 = "aten.view"(%_unsafe_view_4) {size = [10, 16]} : (tensor<2x5x16xf32>) -> tensor<10x16xf32>
    %t_1 = "aten.t"(%primals_7) : (tensor<16x16xf32>) -> tensor<16x16xf32>
    %addmm_1 = "aten.addmm"(%primals_8, %view_7, %t_1) : (tensor<16xf32>, tensor<10x16xf32>, tensor<16x16xf32>) -> tensor<10x16xf32>
    %_unsafe_view_5 = "aten._unsafe_view"(%addmm_1) {size = [2, 5, 16]} : (tensor<10x16xf32>) -> tensor<2x5x16xf32>
    %add = "aten.add.Tensor"(%primals_13, %_unsafe_view_5) : (tensor<2x5x16xf32>, tensor<2x5x16xf32>) -> tensor<2x5x16xf32>
    %getitem_6, %getitem_7, %getitem_8 = "aten.native_layer_norm"(%add, %primals_3, %primals_4) {eps = 1.0e-05 : f64, normalized_shape = [16]} : (tensor<2x5x16xf32>, tensor<16xf32>, tensor<16xf32>) -> (tensor<2x5x16xf32>, tensor<2x5x1xf32>, tensor<2x5x1xf32>)
    %view_8 = "aten.view"(%getitem_6) {size = [10, 16]} : (tensor<2x5x16xf32>) -> tensor<10x16xf32>
    %t_2 = "aten.t"(%primals_9) : (tensor<64x16xf32>) -> tensor<16x64xf32>
    %addmm_2 = "aten.addmm"(%primals_10, %view_8, %t_2) : (tensor<64xf32>, tensor<10x16xf32>, tensor<16x64xf32>) -> tensor<10x64xf32>
    %_unsafe_view_6 = "aten._unsafe_view"(%addmm_2) {size = [2, 5, 64]} : (tensor<10x64xf32>) -> tensor<2x5x64xf32>
    %gelu = "aten.gelu"(%_unsafe_view_6) : (tensor<2x5x64xf32>) -> tensor<2x5x64xf32>
    %view_9 = "aten.view"(%gelu) {size = [10, 64]} : (tensor<2x5x64xf32>) -> tensor<10x64xf32>
    %t_3 = "aten.t"(%primals_11) : (tensor<16x64xf32>) -> tensor<64x16xf32>
    %addmm_3 = "aten.addmm"(%primals_12, %view_9, %t_3) : (tensor<16xf32>, tensor<10x64xf32>, tensor<64x16xf32>) -> tensor<10x16xf32>
    %_unsafe_view_7 = "aten._unsafe_view"(%addmm_3) {size = [2, 5, 16]} : (tensor<10x16xf32>) -> tensor<2x5x16xf32>
    %add_1 = "aten.add.Tensor"(%add, %_unsafe_view_7) : (tensor<2x5x16xf32>, tensor<2x5x16xf32>) -> tensor<2x5x16xf32>
    %sum_1 = "aten.sum"(%add_1) : (tensor<2x5x16xf32>) -> tensor<f32>
    %expand_4 = "aten.expand"(%tangents_1) {size = [2, 5, 16]} : (tensor<f32>) -> tensor<2x5x16xf32>
    %view_10 = "aten.view"(%expand_4) {size = [10, 16]} : (tensor<2x5x16xf32>) -> tensor<10x16xf32>
    %t_4 = "aten.t"(%t_3) : (tensor<64x16xf32>) -> tensor<16x64xf32>
    %mm = "aten.mm"(%view_10, %t_4) : (tensor<10x16xf32>, tensor<16x64xf32>) -> tensor<10x64xf32>
    %t_5 = "aten.t"(%view_10) : (tensor<10x16xf32>) -> tensor<16x10xf32>
    %mm_1 = "aten.mm"(%t_5, %view_9) : (tensor<16x10xf32>, tensor<10x64xf32>) -> tensor<16x64xf32>
    %t_6 = "aten.t"(%mm_1) : (tensor<16x64xf32>) -> tensor<64x16xf32>
    %sum_2 = "aten.sum.dim_IntList"(%view_10) {dim = [0], keepdim = true} : (tensor<10x16xf32>) -> tensor<1x16xf32>
    %view_11 = "aten.view"(%sum_2) {size = [16]} : (tensor<1x16xf32>) -> tensor<16xf32>
    %t_7 = "aten.t"(%t_6) : (tensor<64x16xf32>) -> tensor<16x64xf32>
    %view_12 = "aten.view"(%mm) {size = [2, 5, 64]} : (tensor<10x64xf32>) -> tensor<2x5x64xf32>
    %gelu_backward = "aten.gelu_backward"(%view_12, %_unsafe_view_6) : (tensor<2x5x64xf32>, tensor<2x5x64xf32>) -> tensor<2x5x64xf32>
    %view_13 = "aten.view"(%gelu_backward) {size = [10, 64]} : (tensor<2x5x64xf32>) -> tensor<10x64xf32>
    %t_8 = "aten.t"(%t_2) : (tensor<16x64xf32>) -> tensor<64x16xf32>
    %mm_2 = "aten.mm"(%view_13, %t_8) : (tensor<10x64xf32>, tensor<64x16xf32>) -> tensor<10x16xf32>
    %t_9 = "aten.t"(%view_13) : (tensor<10x64xf32>) -> tensor<64x10xf32>
    %mm_3 = "aten.mm"(%t_9, %view_8) : (tensor<64x10xf32>, tensor<10x16xf32>) -> tensor<64x16xf32>
    %t_10 = "aten.t"(%mm_3) : (tensor<64x16xf32>) -> tensor<16x64xf32>
    %sum_3 = "aten.sum.dim_IntList"(%view_13) {dim = [0], keepdim = true} : (tensor<10x64xf32>) -> tensor<1x64xf32>
    %view_14 = "aten.view"(%sum_3) {size = [64]} : (tensor<1x64xf32>) -> tensor<64xf32>
    %t_11 = "aten.t"(%t_10) : (tensor<16x64xf32>) -> tensor<64x16xf32>
    %view_15 = "aten.view"(%mm_2) {size = [2, 5, 16]} : (tensor<10x16xf32>) -> tensor<2x5x16xf32>
    %getitem_9, %getitem_10, %getitem_11 = "aten.native_layer_norm_backward"(%view_15, %add, %getitem_7, %getitem_8, %primals_3, %primals_4) {normalized_shape = [16], output_mask = [true, true, true]} : (tensor<2x5x16xf32>, tensor<2x5x16xf32>, tensor<2x5x1xf32>, tensor<2x5x1xf32>, tensor<16xf32>, tensor<16xf32>) -> (tensor<2x5x16xf32>, tensor<16xf32>, tensor<16xf32>)
    %add_2 = "aten.add.Tensor"(%expand_4, %getitem_9) : (tensor<2x5x16xf32>, tensor<2x5x16xf32>) -> tensor<2x5x16xf32>
    %view_16 = "aten.view"(%add_2) {size = [10, 16]} : (tensor<2x5x16xf32>) -> tensor<10x16xf32>
    %t_12 = "aten.t"(%t_1) : (tensor<16x16xf32>) -> tensor<16x16xf32>
    %mm_4 = "aten.mm"(%view_16, %t_12) : (tensor<10x16xf32>, tensor<16x16xf32>) -> tensor<10x16xf32>
    %t_13 = "aten.t"(%view_16) : (tensor<10x16xf32>) -> tensor<16x10xf32>
    %mm_5 = "aten.mm"(%t_13, %view_7) : (tensor<16x10xf32>, tensor<10x16xf32>) -> tensor<16x16xf32>
    %t_14 = "aten.t"(%mm_5) : (tensor<16x16xf32>) -> tensor<16x16xf32>
    %sum_4 = "aten.sum.dim_IntList"(%view_16) {dim = [0], keepdim = true} : (tensor<10x16xf32>) -> tensor<1x16xf32>
    %view_17 = "aten.view"(%sum_4) {size = [16]} : (tensor<1x16xf32>) -> tensor<16xf32>
    %t_15 = "aten.t"(%t_14) : (tensor<16x16xf32>) -> tensor<16x16xf32>
    %view_18 = "aten.view"(%mm_4) {size = [2, 5, 16]} : (tensor<10x16xf32>) -> tensor<2x5x16xf32>
    %view_19 = "aten.view"(%view_18) {size = [2, 5, 2, 8]} : (tensor<2x5x16xf32>) -> tensor<2x5x2x8xf32>
    %transpose_5 = "aten.transpose.int"(%view_19) {dim0 = 1 : i64, dim1 = 2 : i64} : (tensor<2x5x2x8xf32>) -> tensor<2x2x5x8xf32>
    %clone_4 = "aten.clone"(%transpose_5) {memory_format = "contiguous_format"} : (tensor<2x2x5x8xf32>) -> tensor<2x2x5x8xf32>
    %_unsafe_view_8 = "aten._unsafe_view"(%clone_4) {size = [4, 5, 8]} : (tensor<2x2x5x8xf32>) -> tensor<4x5x8xf32>
    %transpose_6 = "aten.transpose.int"(%view_5) {dim0 = 1 : i64, dim1 = 2 : i64} : (tensor<4x5x5xf32>) -> tensor<4x5x5xf32>
    %bmm_2 = "aten.bmm"(%transpose_6, %_unsafe_view_8) : (tensor<4x5x5xf32>, tensor<4x5x8xf32>) -> tensor<4x5x8xf32>
    %transpose_7 = "aten.transpose.int"(%_unsafe_view_3) {dim0 = 1 : i64, dim1 = 2 : i64} : (tensor<4x5x8xf32>) -> tensor<4x8x5xf32>
    %bmm_3 = "aten.bmm"(%_unsafe_view_8, %transpose_7) : (tensor<4x5x8xf32>, tensor<4x8x5xf32>) -> tensor<4x5x5xf32>
    %view_20 = "aten.view"(%bmm_2) {size = [2, 2, 5, 8]} : (tensor<4x5x8xf32>) -> tensor<2x2x5x8xf32>
    %view_21 = "aten.view"(%bmm_3) {size = [2, 2, 5, 5]} : (tensor<4x5x5xf32>) -> tensor<2x2x5x5xf32>
    %detach_1 = "aten.detach"(%detach) : (tensor<2x2x5x5xf32>) -> tensor<2x2x5x5xf32>
    %_softmax_backward_data = "aten._softmax_backward_data"(%view_21, %detach_1) {dim = -1 : i64, input_dtype = f32} : (tensor<2x2x5x5xf32>, tensor<2x2x5x5xf32>) -> tensor<2x2x5x5xf32>
    %div_1 = "aten.div.Scalar"(%_softmax_backward_data) {other = 2.8284271247461903 : f64} : (tensor<2x2x5x5xf32>) -> tensor<2x2x5x5xf32>
    %view_22 = "aten.view"(%div_1) {size = [4, 5, 5]} : (tensor<2x2x5x5xf32>) -> tensor<4x5x5xf32>
    %transpose_8 = "aten.transpose.int"(%_unsafe_view_1) {dim0 = 1 : i64, dim1 = 2 : i64} : (tensor<4x5x8xf32>) -> tensor<4x8x5xf32>
    %bmm_4 = "aten.bmm"(%transpose_8, %view_22) : (tensor<4x8x5xf32>, tensor<4x5x5xf32>) -> tensor<4x8x5xf32>
    %transpose_9 = "aten.transpose.int"(%_unsafe_view_2) {dim0 = 1 : i64, dim1 = 2 : i64} : (tensor<4x8x5xf32>) -> tensor<4x5x8xf32>
    %bmm_5 = "aten.bmm"(%view_22, %transpose_9) : (tensor<4x5x5xf32>, tensor<4x5x8xf32>) -> tensor<4x5x8xf32>
    %view_23 = "aten.view"(%bmm_4) {size = [2, 2, 8, 5]} : (tensor<4x8x5xf32>) -> tensor<2x2x8x5xf32>
    %view_24 = "aten.view"(%bmm_5) {size = [2, 2, 5, 8]} : (tensor<4x5x8xf32>) -> tensor<2x2x5x8xf32>
    %transpose_10 = "aten.transpose.int"(%view_23) {dim0 = -1 : i64, dim1 = -2 : i64} : (tensor<2x2x8x5xf32>) -> tensor<2x2x5x8xf32>
    %transpose_11 = "aten.transpose.int"(%view_20) {dim0 = 1 : i64, dim1 = 2 : i64} : (tensor<2x2x5x8xf32>) -> tensor<2x5x2x8xf32>
    %clone_5 = "aten.clone"(%transpose_11) {memory_format = "contiguous_format"} : (tensor<2x5x2x8xf32>) -> tensor<2x5x2x8xf32>
    %_unsafe_view_9 = "aten._unsafe_view"(%clone_5) {size = [2, 5, 16]} : (tensor<2x5x2x8xf32>) -> tensor<2x5x16xf32>
    %transpose_12 = "aten.transpose.int"(%transpose_10) {dim0 = 1 : i64, dim1 = 2 : i64} : (tensor<2x2x5x8xf32>) -> tensor<2x5x2x8xf32>
    %view_25 = "aten.view"(%transpose_12) {size = [2, 5, 16]} : (tensor<2x5x2x8xf32>) -> tensor<2x5x16xf32>
    %transpose_13 = "aten.transpose.int"(%view_24) {dim0 = 1 : i64, dim1 = 2 : i64} : (tensor<2x2x5x8xf32>) -> tensor<2x5x2x8xf32>
    %clone_6 = "aten.clone"(%transpose_13) {memory_format = "contiguous_format"} : (tensor<2x5x2x8xf32>) -> tensor<2x5x2x8xf32>
    %_unsafe_view_10 = "aten._unsafe_view"(%clone_6) {size = [2, 5, 16]} : (tensor<2x5x2x8xf32>) -> tensor<2x5x16xf32>
    %cat = "aten.cat"(%_unsafe_view_10, %view_25, %_unsafe_view_9) {dim = 2 : i64} : (tensor<2x5x16xf32>, tensor<2x5x16xf32>, tensor<2x5x16xf32>) -> tensor<2x5x48xf32>
    %view_26 = "aten.view"(%cat) {size = [10, 48]} : (tensor<2x5x48xf32>) -> tensor<10x48xf32>
    %t_16 = "aten.t"(%t) : (tensor<16x48xf32>) -> tensor<48x16xf32>
    %mm_6 = "aten.mm"(%view_26, %t_16) : (tensor<10x48xf32>, tensor<48x16xf32>) -> tensor<10x16xf32>
    %t_17 = "aten.t"(%view_26) : (tensor<10x48xf32>) -> tensor<48x10xf32>
    %mm_7 = "aten.mm"(%t_17, %view) : (tensor<48x10xf32>, tensor<10x16xf32>) -> tensor<48x16xf32>
    %t_18 = "aten.t"(%mm_7) : (tensor<48x16xf32>) -> tensor<16x48xf32>
    %sum_5 = "aten.sum.dim_IntList"(%view_26) {dim = [0], keepdim = true} : (tensor<10x48xf32>) -> tensor<1x48xf32>
    %view_27 = "aten.view"(%sum_5) {size = [48]} : (tensor<1x48xf32>) -> tensor<48xf32>
    %t_19 = "aten.t"(%t_18) : (tensor<16x48xf32>) -> tensor<48x16xf32>
    %view_28 = "aten.view"(%mm_6) {size = [2, 5, 16]} : (tensor<10x16xf32>) -> tensor<2x5x16xf32>
    %native_layer_norm_backward_1_0, %getitem_13, %getitem_14 = "aten.native_layer_norm_backward"(%view_28, %primals_13, %getitem_1, %getitem_2, %primals_1, %primals_2) {normalized_shape = [16], output_mask = [false, true, true]} : (tensor<2x5x16xf32>, tensor<2x5x16xf32>, tensor<2x5x1xf32>, tensor<2x5x1xf32>, tensor<16xf32>, tensor<16xf32>) -> (tensor<2x5x16xf32>, tensor<16xf32>, tensor<16xf32>)
    %none = "aot.none"() : () -> none
    func.return %sum_1, %getitem_13, %getitem_14, %getitem_10, %getitem_11, %t_19, %view_27, %t_15, %view_17, %t_11, %view_14, %t_7, %view_11, %none : tensor<f32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<48x16xf32>, tensor<48xf32>, tensor<16x16xf32>, tensor<16xf32>, tensor<64x16xf32>, tensor<64xf32>, tensor<16x64xf32>, tensor<16xf32>, none
  }
}
