// aot-desugar-subclasses then aot-make-joint: a forward function over tensor-subclass
// values (L0) becomes the joint PyTorch traces for it, tangents and gradients in pieces.
// RUN: joinery-opt %s --split-input-file --aot-desugar-subclasses --aot-make-joint | FileCheck %s

// The zoo's two_tensor_param, forward only: (x @ w).sum() with a TwoTensor w.
// CHECK-LABEL: func.func @two_tensor$param(
// CHECK-SAME: %[[WA:.*]]: tensor<3x3xf32> {aot.desc = #aot.subclass_attr<#aot.param<"w">, "a">}, %[[WB:.*]]: tensor<3x3xf32> {aot.desc = #aot.subclass_attr<#aot.param<"w">, "b">}, %[[X:.*]]: tensor<2x3xf32> {aot.desc = #aot.plain<0>},
// CHECK-SAME: %tangents_1: tensor<f32> {aot.desc = #aot.subclass_attr<#aot.tangent<#aot.plain_out<0>>, "a">}, %tangents_2: tensor<f32> {aot.desc = #aot.subclass_attr<#aot.tangent<#aot.plain_out<0>>, "b">})
// CHECK-SAME: -> (tensor<f32> {aot.desc = #aot.subclass_attr_out<#aot.plain_out<0>, "a">}, tensor<f32> {aot.desc = #aot.subclass_attr_out<#aot.plain_out<0>, "b">}, tensor<3x3xf32> {aot.desc = #aot.subclass_attr_out<#aot.grad<#aot.param<"w">>, "a">}, tensor<3x3xf32> {aot.desc = #aot.subclass_attr_out<#aot.grad<#aot.param<"w">>, "b">}, none {aot.desc = #aot.none_grad<#aot.plain<0>>})
// CHECK-DAG: %[[EA:.*]] = aten.expand %tangents_1 {size = [2, 3]}
// CHECK-DAG: %[[EB:.*]] = aten.expand %tangents_2 {size = [2, 3]}
// CHECK-DAG: %[[GA:.*]] = aten.mm %{{.*}}, %[[EA]] :
// CHECK-DAG: %[[GB:.*]] = aten.mm %{{.*}}, %[[EB]] :
// CHECK: func.return %{{.*}}, %{{.*}}, %[[GA]], %[[GB]], %{{.*}} :
// CHECK-NOT: subclass.
func.func @two_tensor$param(%w: !subclass.two_tensor<tensor<3x3xf32>, tensor<3x3xf32>> {aot.desc = #aot.param<"w">},
                            %x: tensor<2x3xf32> {aot.desc = #aot.plain<0>})
    -> (!subclass.two_tensor<tensor<f32>, tensor<f32>> {aot.desc = #aot.plain_out<0>}) {
  %mm = subclass.dispatch %x, %w {op = "aten.mm"} : (tensor<2x3xf32>, !subclass.two_tensor<tensor<3x3xf32>, tensor<3x3xf32>>) -> !subclass.two_tensor<tensor<2x3xf32>, tensor<2x3xf32>>
  %sum = subclass.dispatch %mm {op = "aten.sum"} : (!subclass.two_tensor<tensor<2x3xf32>, tensor<2x3xf32>>) -> !subclass.two_tensor<tensor<f32>, tensor<f32>>
  func.return %sum : !subclass.two_tensor<tensor<f32>, tensor<f32>>
}

// -----

// A nested TwoTensor parameter: tangents and gradients nest their pieces as the primal does
// (a.a, a.b, b), one backward op per piece.
// CHECK-LABEL: func.func @two_tensor$nested(
// CHECK-SAME: %tangents_1: tensor<4xf32> {aot.desc = #aot.subclass_attr<#aot.subclass_attr<#aot.tangent<#aot.plain_out<0>>, "a">, "a">}, %tangents_2: tensor<4xf32> {aot.desc = #aot.subclass_attr<#aot.subclass_attr<#aot.tangent<#aot.plain_out<0>>, "a">, "b">}, %tangents_3: tensor<4xf32> {aot.desc = #aot.subclass_attr<#aot.tangent<#aot.plain_out<0>>, "b">})
// CHECK-SAME: tensor<4xf32> {aot.desc = #aot.subclass_attr_out<#aot.subclass_attr_out<#aot.grad<#aot.param<"w">>, "a">, "a">}, tensor<4xf32> {aot.desc = #aot.subclass_attr_out<#aot.subclass_attr_out<#aot.grad<#aot.param<"w">>, "a">, "b">}, tensor<4xf32> {aot.desc = #aot.subclass_attr_out<#aot.grad<#aot.param<"w">>, "b">})
// CHECK-DAG: %[[G1:.*]] = aten.neg %tangents_1
// CHECK-DAG: %[[G2:.*]] = aten.neg %tangents_2
// CHECK-DAG: %[[G3:.*]] = aten.neg %tangents_3
// CHECK: func.return %{{.*}}, %{{.*}}, %{{.*}}, %[[G1]], %[[G2]], %[[G3]] :
func.func @two_tensor$nested(%w: !subclass.two_tensor<!subclass.two_tensor<tensor<4xf32>, tensor<4xf32>>, tensor<4xf32>> {aot.desc = #aot.param<"w">})
    -> (!subclass.two_tensor<!subclass.two_tensor<tensor<4xf32>, tensor<4xf32>>, tensor<4xf32>> {aot.desc = #aot.plain_out<0>}) {
  %n = subclass.dispatch %w {op = "aten.neg"} : (!subclass.two_tensor<!subclass.two_tensor<tensor<4xf32>, tensor<4xf32>>, tensor<4xf32>>) -> !subclass.two_tensor<!subclass.two_tensor<tensor<4xf32>, tensor<4xf32>>, tensor<4xf32>>
  func.return %n : !subclass.two_tensor<!subclass.two_tensor<tensor<4xf32>, tensor<4xf32>>, tensor<4xf32>>
}
