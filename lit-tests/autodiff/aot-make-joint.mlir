// aot-make-joint: a forward function becomes its joint in PyTorch's layout.
// RUN: joinery-opt %s --split-input-file --aot-make-joint | FileCheck %s
// RUN: joinery-opt %s --split-input-file --aot-make-joint --aot-partition | FileCheck %s --check-prefix=PAIR

// Linear + ReLU + sum with a mutated buffer: parameters get grads, the buffer and the
// plain input get none_grad, the buffer's new value gets no tangent.
// CHECK-LABEL: func.func @joint(
// CHECK-SAME: %primals_4: tensor<4x3xf32> {aot.desc = #aot.plain<0>}, %tangents_1: tensor<f32> {aot.desc = #aot.tangent<#aot.plain_out<0>>})
// CHECK-SAME: -> (tensor<f32> {aot.desc = #aot.input_mutation<#aot.buffer<"steps">>}, tensor<f32> {aot.desc = #aot.plain_out<0>}, tensor<2x3xf32> {aot.desc = #aot.grad<#aot.param<"lin.weight">>}, tensor<2xf32> {aot.desc = #aot.grad<#aot.param<"lin.bias">>}, none {aot.desc = #aot.none_grad<#aot.buffer<"steps">>}, none {aot.desc = #aot.none_grad<#aot.plain<0>>})
// CHECK: %[[RELU:.*]] = aten.relu
// CHECK: %[[G:.*]] = aten.expand %tangents_1 {size = [4, 2]}
// CHECK: %[[TB:.*]] = aten.threshold_backward %[[G]], %[[RELU]] {threshold = 0 : i64}
// CHECK: %[[XT:.*]] = aten.t %primals_4
// CHECK: %[[MM:.*]] = aten.mm %[[XT]], %[[TB]]
// CHECK: %[[BSUM:.*]] = aten.sum.dim_IntList %[[TB]] {dim = [0], keepdim = true}
// CHECK: %[[BIAS:.*]] = aten.view %[[BSUM]] {size = [2]}
// CHECK: %[[WT:.*]] = aten.t %[[MM]]
// CHECK: %[[NONE:.*]] = "aot.none"()
// CHECK: func.return %add, %sum, %[[WT]], %[[BIAS]], %[[NONE]], %[[NONE]]
// PAIR: func.func @joint_forward(
// PAIR: func.func @joint_backward(
// PAIR: "aot.joint_pair"() <{backward = @joint_backward, forward = @joint_forward, num_fwd_outputs = 2 : i64
func.func @joint(%primals_1: tensor<2x3xf32> {aot.desc = #aot.param<"lin.weight">},
                 %primals_2: tensor<2xf32> {aot.desc = #aot.param<"lin.bias">},
                 %primals_3: tensor<f32> {aot.desc = #aot.buffer<"steps">},
                 %primals_4: tensor<4x3xf32> {aot.desc = #aot.plain<0>})
    -> (tensor<f32> {aot.desc = #aot.input_mutation<#aot.buffer<"steps">>},
        tensor<f32> {aot.desc = #aot.plain_out<0>}) {
  %add = aten.add.Scalar %primals_3 {alpha = 1 : i64, other = 1 : i64} : (tensor<f32>) -> tensor<f32>
  %t = aten.t %primals_1 : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %addmm = aten.addmm %primals_2, %primals_4, %t {alpha = 1 : i64, beta = 1 : i64} : (tensor<2xf32>, tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %relu = aten.relu %addmm : (tensor<4x2xf32>) -> tensor<4x2xf32>
  %sum = aten.sum %relu : (tensor<4x2xf32>) -> tensor<f32>
  func.return %add, %sum : tensor<f32>, tensor<f32>
}

// -----

// A value with two uses sums its gradients; an integer output and a detached value get
// no tangent.
// CHECK-LABEL: func.func @two_uses(
// CHECK-SAME: %tangents_1: tensor<3xf32> {aot.desc = #aot.tangent<#aot.plain_out<0>>}) -> (tensor<3xf32> {aot.desc = #aot.plain_out<0>}, tensor<3xi64> {aot.desc = #aot.plain_out<1>}, tensor<3xf32> {aot.desc = #aot.plain_out<2>}, tensor<3xf32> {aot.desc = #aot.grad<#aot.param<"w">>})
// CHECK: %[[A:.*]] = aten.mul.Tensor %tangents_1, %primals_1
// CHECK: %[[B:.*]] = aten.mul.Tensor %tangents_1, %primals_1
// CHECK: aten.add.Tensor %[[A]], %[[B]]
func.func @two_uses(%primals_1: tensor<3xf32> {aot.desc = #aot.param<"w">})
    -> (tensor<3xf32> {aot.desc = #aot.plain_out<0>}, tensor<3xi64> {aot.desc = #aot.plain_out<1>},
        tensor<3xf32> {aot.desc = #aot.plain_out<2>}) {
  %sq = aten.mul.Tensor %primals_1, %primals_1 : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %i = aten._to_copy %primals_1 {dtype = i64} : (tensor<3xf32>) -> tensor<3xi64>
  %d = aten.detach %primals_1 : (tensor<3xf32>) -> tensor<3xf32>
  func.return %sq, %i, %d : tensor<3xf32>, tensor<3xi64>, tensor<3xf32>
}
