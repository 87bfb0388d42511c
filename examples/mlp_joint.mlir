// Linear(784->256) -> ReLU -> Linear(256->10) -> cross-entropy, batch 64: the joint graph
// that aot_export_joint_with_descriptors produces for it, exported by the PyTorch bridge
// (python -m joinery_torch export; torch.* spec attributes dropped). `make run` trains it
// natively: joinery-run train examples/mlp_joint.mlir --steps 30 --lr 0.1
module {
  func.func @joint(%primals_1: tensor<256x784xf32> {aot.desc = #aot.param<"fc1.weight">},
                   %primals_2: tensor<256xf32> {aot.desc = #aot.param<"fc1.bias">},
                   %primals_3: tensor<10x256xf32> {aot.desc = #aot.param<"fc2.weight">},
                   %primals_4: tensor<10xf32> {aot.desc = #aot.param<"fc2.bias">},
                   %primals_5: tensor<64x784xf32> {aot.desc = #aot.plain<0>},
                   %primals_6: tensor<64xi64> {aot.desc = #aot.plain<1>},
                   %tangents_1: tensor<f32> {aot.desc = #aot.tangent<#aot.plain_out<0>>})
      -> (tensor<f32> {aot.desc = #aot.plain_out<0>},
          tensor<256x784xf32> {aot.desc = #aot.grad<#aot.param<"fc1.weight">>},
          tensor<256xf32> {aot.desc = #aot.grad<#aot.param<"fc1.bias">>},
          tensor<10x256xf32> {aot.desc = #aot.grad<#aot.param<"fc2.weight">>},
          tensor<10xf32> {aot.desc = #aot.grad<#aot.param<"fc2.bias">>},
          none {aot.desc = #aot.none_grad<#aot.plain<0>>},
          none {aot.desc = #aot.none_grad<#aot.plain<1>>}) {
    %t = "aten.t"(%primals_1) : (tensor<256x784xf32>) -> tensor<784x256xf32>
    %addmm = "aten.addmm"(%primals_2, %primals_5, %t) : (tensor<256xf32>, tensor<64x784xf32>, tensor<784x256xf32>) -> tensor<64x256xf32>
    %relu = "aten.relu"(%addmm) : (tensor<64x256xf32>) -> tensor<64x256xf32>
    %detach = "aten.detach"(%relu) : (tensor<64x256xf32>) -> tensor<64x256xf32>
    %t_1 = "aten.t"(%primals_3) : (tensor<10x256xf32>) -> tensor<256x10xf32>
    %addmm_1 = "aten.addmm"(%primals_4, %relu, %t_1) : (tensor<10xf32>, tensor<64x256xf32>, tensor<256x10xf32>) -> tensor<64x10xf32>
    %_log_softmax = "aten._log_softmax"(%addmm_1) {dim = 1 : i64, half_to_float = false} : (tensor<64x10xf32>) -> tensor<64x10xf32>
    %detach_1 = "aten.detach"(%_log_softmax) : (tensor<64x10xf32>) -> tensor<64x10xf32>
    %getitem, %getitem_1 = "aten.nll_loss_forward"(%_log_softmax, %primals_6) {ignore_index = -100 : i64, reduction = 1 : i64} : (tensor<64x10xf32>, tensor<64xi64>) -> (tensor<f32>, tensor<f32>)
    %nll_loss_backward = "aten.nll_loss_backward"(%tangents_1, %_log_softmax, %primals_6, %getitem_1) {ignore_index = -100 : i64, reduction = 1 : i64} : (tensor<f32>, tensor<64x10xf32>, tensor<64xi64>, tensor<f32>) -> tensor<64x10xf32>
    %detach_2 = "aten.detach"(%detach_1) : (tensor<64x10xf32>) -> tensor<64x10xf32>
    %_log_softmax_backward_data = "aten._log_softmax_backward_data"(%nll_loss_backward, %detach_2) {dim = 1 : i64, input_dtype = f32} : (tensor<64x10xf32>, tensor<64x10xf32>) -> tensor<64x10xf32>
    %t_2 = "aten.t"(%t_1) : (tensor<256x10xf32>) -> tensor<10x256xf32>
    %mm = "aten.mm"(%_log_softmax_backward_data, %t_2) : (tensor<64x10xf32>, tensor<10x256xf32>) -> tensor<64x256xf32>
    %t_3 = "aten.t"(%_log_softmax_backward_data) : (tensor<64x10xf32>) -> tensor<10x64xf32>
    %mm_1 = "aten.mm"(%t_3, %relu) : (tensor<10x64xf32>, tensor<64x256xf32>) -> tensor<10x256xf32>
    %t_4 = "aten.t"(%mm_1) : (tensor<10x256xf32>) -> tensor<256x10xf32>
    %sum_1 = "aten.sum.dim_IntList"(%_log_softmax_backward_data) {dim = [0], keepdim = true} : (tensor<64x10xf32>) -> tensor<1x10xf32>
    %view = "aten.view"(%sum_1) {size = [10]} : (tensor<1x10xf32>) -> tensor<10xf32>
    %t_5 = "aten.t"(%t_4) : (tensor<256x10xf32>) -> tensor<10x256xf32>
    %detach_3 = "aten.detach"(%detach) : (tensor<64x256xf32>) -> tensor<64x256xf32>
    %threshold_backward = "aten.threshold_backward"(%mm, %detach_3) {threshold = 0 : i64} : (tensor<64x256xf32>, tensor<64x256xf32>) -> tensor<64x256xf32>
    %t_6 = "aten.t"(%threshold_backward) : (tensor<64x256xf32>) -> tensor<256x64xf32>
    %mm_2 = "aten.mm"(%t_6, %primals_5) : (tensor<256x64xf32>, tensor<64x784xf32>) -> tensor<256x784xf32>
    %t_7 = "aten.t"(%mm_2) : (tensor<256x784xf32>) -> tensor<784x256xf32>
    %sum_2 = "aten.sum.dim_IntList"(%threshold_backward) {dim = [0], keepdim = true} : (tensor<64x256xf32>) -> tensor<1x256xf32>
    %view_1 = "aten.view"(%sum_2) {size = [256]} : (tensor<1x256xf32>) -> tensor<256xf32>
    %t_8 = "aten.t"(%t_7) : (tensor<784x256xf32>) -> tensor<256x784xf32>
    %none = "aot.none"() : () -> none
    func.return %getitem, %t_8, %view_1, %t_5, %view, %none, %none : tensor<f32>, tensor<256x784xf32>, tensor<256xf32>, tensor<10x256xf32>, tensor<10xf32>, none, none
  }
}
