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

// -----

// Tensor-subclass pieces, as PyTorch's forward export of a TwoTensor parameter writes them:
// the parameter requires grad as a whole; each piece of the TwoTensor output gets a tangent
// (#aot.subclass_attr<#aot.tangent<..>, "a">) and each piece of the parameter a gradient
// (#aot.subclass_attr_out<#aot.grad<..>, "a">), the backward running once per piece. The
// plain parameter %primals_3, used by the ops of both pieces, gets PyTorch's TwoTensor
// gradient (a piece per lane); the unused TwoTensor parameter gets one none_grad slot, and
// so does the TwoTensor buffer.
// CHECK-LABEL: func.func @two_tensor$pieces(
// CHECK-SAME: %tangents_1: tensor<f32> {aot.desc = #aot.subclass_attr<#aot.tangent<#aot.plain_out<0>>, "a">}, %tangents_2: tensor<f32> {aot.desc = #aot.subclass_attr<#aot.tangent<#aot.plain_out<0>>, "b">})
// CHECK-SAME: -> (tensor<f32> {aot.desc = #aot.subclass_attr_out<#aot.plain_out<0>, "a">}, tensor<f32> {aot.desc = #aot.subclass_attr_out<#aot.plain_out<0>, "b">},
// CHECK-SAME: tensor<3x3xf32> {aot.desc = #aot.subclass_attr_out<#aot.grad<#aot.param<"w">>, "a">}, tensor<3x3xf32> {aot.desc = #aot.subclass_attr_out<#aot.grad<#aot.param<"w">>, "b">},
// CHECK-SAME: tensor<3xf32> {aot.desc = #aot.subclass_attr_out<#aot.grad<#aot.param<"v">>, "a">}, tensor<3xf32> {aot.desc = #aot.subclass_attr_out<#aot.grad<#aot.param<"v">>, "b">},
// CHECK-SAME: none {aot.desc = #aot.none_grad<#aot.param<"unused">>}, none {aot.desc = #aot.none_grad<#aot.buffer<"s">>}, none {aot.desc = #aot.none_grad<#aot.plain<0>>})
// CHECK-DAG: %[[EA:.*]] = aten.expand %tangents_1 {size = [2, 3]}
// CHECK-DAG: %[[EB:.*]] = aten.expand %tangents_2 {size = [2, 3]}
// CHECK-DAG: %[[GMA:.*]] = aten.mul.Tensor %[[EA]], %primals_3
// CHECK-DAG: %[[GMB:.*]] = aten.mul.Tensor %[[EB]], %primals_3
// CHECK-DAG: %[[GVA:.*]] = aten.mul.Tensor %[[EA]], %mm :
// CHECK-DAG: %[[GVB:.*]] = aten.mul.Tensor %[[EB]], %mm_1 :
// CHECK-DAG: %[[SVA:.*]] = aten.sum.dim_IntList %[[GVA]] {dim = [0], keepdim = true}
// CHECK-DAG: %[[SVB:.*]] = aten.sum.dim_IntList %[[GVB]] {dim = [0], keepdim = true}
// CHECK-DAG: %[[VA:.*]] = aten.view %[[SVA]] {size = [3]}
// CHECK-DAG: %[[VB:.*]] = aten.view %[[SVB]] {size = [3]}
// CHECK-DAG: %[[GWA:.*]] = aten.mm %{{.*}}, %[[GMA]] :
// CHECK-DAG: %[[GWB:.*]] = aten.mm %{{.*}}, %[[GMB]] :
// CHECK: func.return %sum_1, %sum_2, %[[GWA]], %[[GWB]], %[[VA]], %[[VB]], %[[NONE:.*]], %[[NONE]], %[[NONE]] :
func.func @two_tensor$pieces(%primals_1: tensor<3x3xf32> {aot.desc = #aot.subclass_attr<#aot.param<"w">, "a">},
                             %primals_2: tensor<3x3xf32> {aot.desc = #aot.subclass_attr<#aot.param<"w">, "b">},
                             %primals_3: tensor<3xf32> {aot.desc = #aot.param<"v">},
                             %primals_4: tensor<2xf32> {aot.desc = #aot.subclass_attr<#aot.param<"unused">, "a">},
                             %primals_5: tensor<2xf32> {aot.desc = #aot.subclass_attr<#aot.param<"unused">, "b">},
                             %primals_6: tensor<3xf32> {aot.desc = #aot.subclass_attr<#aot.buffer<"s">, "a">},
                             %primals_7: tensor<3xf32> {aot.desc = #aot.subclass_attr<#aot.buffer<"s">, "b">},
                             %primals_8: tensor<2x3xf32> {aot.desc = #aot.plain<0>})
    -> (tensor<f32> {aot.desc = #aot.subclass_attr_out<#aot.plain_out<0>, "a">},
        tensor<f32> {aot.desc = #aot.subclass_attr_out<#aot.plain_out<0>, "b">}) {
  %mm = aten.mm %primals_8, %primals_1 : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
  %mm_1 = aten.mm %primals_8, %primals_2 : (tensor<2x3xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
  %mul = aten.mul.Tensor %mm, %primals_3 : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %mul_1 = aten.mul.Tensor %mm_1, %primals_3 : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %add = aten.add.Tensor %mul, %primals_6 : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %add_1 = aten.add.Tensor %mul_1, %primals_7 : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %sum_1 = aten.sum %add : (tensor<2x3xf32>) -> tensor<f32>
  %sum_2 = aten.sum %add_1 : (tensor<2x3xf32>) -> tensor<f32>
  func.return %sum_1, %sum_2 : tensor<f32>, tensor<f32>
}
