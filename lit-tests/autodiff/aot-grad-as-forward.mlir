// aot-grad-as-forward: a joint becomes the forward function of its gradients, which
// aot-make-joint differentiates again (second derivatives).
// RUN: joinery-opt %s --split-input-file --aot-make-joint --aot-grad-as-forward | FileCheck %s
// RUN: joinery-opt %s --split-input-file --aot-make-joint --aot-grad-as-forward --aot-make-joint --verify-roundtrip | FileCheck %s --check-prefix=SECOND
// RUN: joinery-opt %s --aot-grad-as-forward | FileCheck %s --check-prefix=ALONE

// A forward function (no tangent, no gradient slot) is left alone.
// ALONE: -> (tensor<f32> {aot.desc = #aot.plain_out<0>}) {
// ALONE: aten.sum %tanh

// The tangent becomes the plain input after x, the weight's gradient the only output; the
// loss, the none slot of x and the ops only the loss used are gone.
// CHECK-LABEL: func.func @joint(
// CHECK-SAME: %primals_1: tensor<3x2xf32> {aot.desc = #aot.param<"w">}, %primals_2: tensor<4x3xf32> {aot.desc = #aot.plain<0>}, %cotangents_1: tensor<f32> {aot.desc = #aot.plain<1>})
// CHECK-SAME: -> (tensor<3x2xf32> {aot.desc = #aot.plain_out<0>})
// CHECK-NOT: aten.sum %
// CHECK: %[[G:.*]] = aten.expand %cotangents_1
// CHECK: %[[TB:.*]] = aten.tanh_backward %[[G]], %tanh
// CHECK: %[[XT:.*]] = aten.t %primals_2
// CHECK: %[[GW:.*]] = aten.mm %[[XT]], %[[TB]]
// CHECK: func.return %[[GW]] : tensor<3x2xf32>
// The second joint: a tangent for the gradient, the Hessian-vector product as w's gradient
// (through tanh_backward's output operand), none for x and the first tangent.
// SECOND-LABEL: func.func @joint(
// SECOND-SAME: %tangents_1: tensor<3x2xf32> {aot.desc = #aot.tangent<#aot.plain_out<0>>})
// SECOND-SAME: -> (tensor<3x2xf32> {aot.desc = #aot.plain_out<0>}, tensor<3x2xf32> {aot.desc = #aot.grad<#aot.param<"w">>}, none {aot.desc = #aot.none_grad<#aot.plain<0>>}, none {aot.desc = #aot.none_grad<#aot.plain<1>>})
// SECOND: aten.tanh_backward %{{.*}}, %tanh
// SECOND: aten.mul.Scalar %tanh {other = -2 : i64}
func.func @joint(%primals_1: tensor<3x2xf32> {aot.desc = #aot.param<"w">},
                 %primals_2: tensor<4x3xf32> {aot.desc = #aot.plain<0>})
    -> (tensor<f32> {aot.desc = #aot.plain_out<0>}) {
  %mm = aten.mm %primals_2, %primals_1 : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %tanh = aten.tanh %mm : (tensor<4x2xf32>) -> tensor<4x2xf32>
  %sum = aten.sum %tanh : (tensor<4x2xf32>) -> tensor<f32>
  func.return %sum : tensor<f32>
}

