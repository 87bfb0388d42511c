// The zoo's embedding joint (tests/torch/models.py), exported by joinery_torch.export with torch 2.15.0;
// a fixed input for Rust tests that must not need PyTorch (aten-decompose against the interpreter).
module attributes {torch.buffers_spec = [], torch.in_spec = "[1, {\"type\": \"builtins.tuple\", \"context\": \"null\", \"children_spec\": [{\"type\": \"builtins.list\", \"context\": \"null\", \"children_spec\": [{\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}, {\"type\": null, \"context\": null, \"children_spec\": []}]}, {\"type\": \"builtins.dict\", \"context\": \"[]\", \"children_spec\": []}]}]", torch.out_spec = "[1, {\"type\": null, \"context\": null, \"children_spec\": []}]", torch.params_spec = ["emb.weight", "head.weight", "head.bias"]} {
  func.func @joint(%primals_1: tensor<10x8xf32> {aot.desc = #aot.param<"emb.weight">},
                   %primals_2: tensor<3x8xf32> {aot.desc = #aot.param<"head.weight">},
                   %primals_3: tensor<3xf32> {aot.desc = #aot.param<"head.bias">},
                   %primals_4: tensor<4x5xi64> {aot.desc = #aot.plain<0>},
                   %tangents_1: tensor<f32> {aot.desc = #aot.tangent<#aot.plain_out<0>>})
      -> (tensor<f32> {aot.desc = #aot.plain_out<0>},
          tensor<10x8xf32> {aot.desc = #aot.grad<#aot.param<"emb.weight">>},
          tensor<3x8xf32> {aot.desc = #aot.grad<#aot.param<"head.weight">>},
          tensor<3xf32> {aot.desc = #aot.grad<#aot.param<"head.bias">>},
          none {aot.desc = #aot.none_grad<#aot.plain<0>>}) {
    %embedding = "aten.embedding"(%primals_1, %primals_4) : (tensor<10x8xf32>, tensor<4x5xi64>) -> tensor<4x5x8xf32>
    %view = "aten.view"(%embedding) {size = [20, 8]} : (tensor<4x5x8xf32>) -> tensor<20x8xf32>
    %t = "aten.t"(%primals_2) : (tensor<3x8xf32>) -> tensor<8x3xf32>
    %addmm = "aten.addmm"(%primals_3, %view, %t) : (tensor<3xf32>, tensor<20x8xf32>, tensor<8x3xf32>) -> tensor<20x3xf32>
    %_unsafe_view = "aten._unsafe_view"(%addmm) {size = [4, 5, 3]} : (tensor<20x3xf32>) -> tensor<4x5x3xf32>
    %mean = "aten.mean"(%_unsafe_view) : (tensor<4x5x3xf32>) -> tensor<f32>
    %expand = "aten.expand"(%tangents_1) {size = [4, 5, 3]} : (tensor<f32>) -> tensor<4x5x3xf32>
    %div = "aten.div.Scalar"(%expand) {other = 60 : i64} : (tensor<4x5x3xf32>) -> tensor<4x5x3xf32>
    %view_1 = "aten.view"(%div) {size = [20, 3]} : (tensor<4x5x3xf32>) -> tensor<20x3xf32>
    %t_1 = "aten.t"(%t) : (tensor<8x3xf32>) -> tensor<3x8xf32>
    %mm = "aten.mm"(%view_1, %t_1) : (tensor<20x3xf32>, tensor<3x8xf32>) -> tensor<20x8xf32>
    %t_2 = "aten.t"(%view_1) : (tensor<20x3xf32>) -> tensor<3x20xf32>
    %mm_1 = "aten.mm"(%t_2, %view) : (tensor<3x20xf32>, tensor<20x8xf32>) -> tensor<3x8xf32>
    %t_3 = "aten.t"(%mm_1) : (tensor<3x8xf32>) -> tensor<8x3xf32>
    %sum_1 = "aten.sum.dim_IntList"(%view_1) {dim = [0], keepdim = true} : (tensor<20x3xf32>) -> tensor<1x3xf32>
    %view_2 = "aten.view"(%sum_1) {size = [3]} : (tensor<1x3xf32>) -> tensor<3xf32>
    %t_4 = "aten.t"(%t_3) : (tensor<8x3xf32>) -> tensor<3x8xf32>
    %view_3 = "aten.view"(%mm) {size = [4, 5, 8]} : (tensor<20x8xf32>) -> tensor<4x5x8xf32>
    %embedding_dense_backward = "aten.embedding_dense_backward"(%view_3, %primals_4) {num_weights = 10 : i64, padding_idx = -1 : i64, scale_grad_by_freq = false} : (tensor<4x5x8xf32>, tensor<4x5xi64>) -> tensor<10x8xf32>
    %none = "aot.none"() : () -> none
    func.return %mean, %embedding_dense_backward, %t_4, %view_2, %none : tensor<f32>, tensor<10x8xf32>, tensor<3x8xf32>, tensor<3xf32>, none
  }
}
