// aot-desugar-subclasses: tensor-subclass arguments, results and ops become inner tensors.
// RUN: joinery-opt %s --split-input-file --aot-desugar-subclasses | FileCheck %s

// A TwoTensor parameter (the zoo's two_tensor_param, hand-written with subclass types):
// PyTorch's flattened signature, with every op run on both halves.
// CHECK-LABEL: func.func @two_tensor$param(
// CHECK-SAME: %[[WA:.*]]: tensor<3x3xf32> {aot.desc = #aot.subclass_attr<#aot.param<"w">, "a">}
// CHECK-SAME: %[[WB:.*]]: tensor<3x3xf32> {aot.desc = #aot.subclass_attr<#aot.param<"w">, "b">}
// CHECK-SAME: %[[X:.*]]: tensor<2x3xf32> {aot.desc = #aot.plain<0>}
// CHECK-SAME: %[[TA:.*]]: tensor<f32> {aot.desc = #aot.subclass_attr<#aot.tangent<#aot.plain_out<0>>, "a">}
// CHECK-SAME: %[[TB:.*]]: tensor<f32> {aot.desc = #aot.subclass_attr<#aot.tangent<#aot.plain_out<0>>, "b">}
// CHECK-SAME: -> (tensor<f32> {aot.desc = #aot.subclass_attr_out<#aot.plain_out<0>, "a">}, tensor<f32> {aot.desc = #aot.subclass_attr_out<#aot.plain_out<0>, "b">}, tensor<3x3xf32> {aot.desc = #aot.subclass_attr_out<#aot.grad<#aot.param<"w">>, "a">}, tensor<3x3xf32> {aot.desc = #aot.subclass_attr_out<#aot.grad<#aot.param<"w">>, "b">}, none {aot.desc = #aot.none_grad<#aot.plain<0>>})
// CHECK:   %[[MA:.*]] = aten.mm %[[X]], %[[WA]]
// CHECK:   %[[MB:.*]] = aten.mm %[[X]], %[[WB]]
// CHECK:   %[[SA:.*]] = aten.sum %[[MA]]
// CHECK:   %[[SB:.*]] = aten.sum %[[MB]]
// CHECK:   %[[EA:.*]] = aten.expand %[[TA]]
// CHECK:   %[[EB:.*]] = aten.expand %[[TB]]
// CHECK:   %[[T:.*]] = aten.t %[[X]]
// CHECK:   %[[GA:.*]] = aten.mm %[[T]], %[[EA]]
// CHECK:   %[[GB:.*]] = aten.mm %[[T]], %[[EB]]
// CHECK:   func.return %[[SA]], %[[SB]], %[[GA]], %[[GB]], %{{.*}} :
// CHECK-NOT: subclass.
func.func @two_tensor$param(%w: !subclass.two_tensor<tensor<3x3xf32>, tensor<3x3xf32>> {aot.desc = #aot.param<"w">},
                            %x: tensor<2x3xf32> {aot.desc = #aot.plain<0>},
                            %t: !subclass.two_tensor<tensor<f32>, tensor<f32>> {aot.desc = #aot.tangent<#aot.plain_out<0>>})
    -> (!subclass.two_tensor<tensor<f32>, tensor<f32>> {aot.desc = #aot.plain_out<0>},
        !subclass.two_tensor<tensor<3x3xf32>, tensor<3x3xf32>> {aot.desc = #aot.grad<#aot.param<"w">>},
        none {aot.desc = #aot.none_grad<#aot.plain<0>>}) {
  %mm = subclass.dispatch %x, %w {op = "aten.mm"} : (tensor<2x3xf32>, !subclass.two_tensor<tensor<3x3xf32>, tensor<3x3xf32>>) -> !subclass.two_tensor<tensor<2x3xf32>, tensor<2x3xf32>>
  %sum = subclass.dispatch %mm {op = "aten.sum"} : (!subclass.two_tensor<tensor<2x3xf32>, tensor<2x3xf32>>) -> !subclass.two_tensor<tensor<f32>, tensor<f32>>
  %e = subclass.dispatch %t {op = "aten.expand", size = [2, 3]} : (!subclass.two_tensor<tensor<f32>, tensor<f32>>) -> !subclass.two_tensor<tensor<2x3xf32>, tensor<2x3xf32>>
  %xt = aten.t %x : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %g = subclass.dispatch %xt, %e {op = "aten.mm"} : (tensor<3x2xf32>, !subclass.two_tensor<tensor<2x3xf32>, tensor<2x3xf32>>) -> !subclass.two_tensor<tensor<3x3xf32>, tensor<3x3xf32>>
  %none = "aot.none"() : () -> none
  func.return %sum, %g, %none : !subclass.two_tensor<tensor<f32>, tensor<f32>>, !subclass.two_tensor<tensor<3x3xf32>, tensor<3x3xf32>>, none
}

// -----

// Nested subclasses: the pieces of a TwoTensor whose `a` is itself a TwoTensor nest their
// descriptors, in __tensor_flatten__ order (a.a, a.b, b).
// CHECK-LABEL: func.func @two_tensor$nested(
// CHECK-SAME: %{{.*}}: tensor<4xf32> {aot.desc = #aot.subclass_attr<#aot.subclass_attr<#aot.plain<0>, "a">, "a">}
// CHECK-SAME: %{{.*}}: tensor<4xf32> {aot.desc = #aot.subclass_attr<#aot.subclass_attr<#aot.plain<0>, "a">, "b">}
// CHECK-SAME: %{{.*}}: tensor<4xf32> {aot.desc = #aot.subclass_attr<#aot.plain<0>, "b">}
// CHECK-SAME: -> (tensor<4xf32> {aot.desc = #aot.subclass_attr_out<#aot.subclass_attr_out<#aot.plain_out<0>, "a">, "a">}, tensor<4xf32> {aot.desc = #aot.subclass_attr_out<#aot.subclass_attr_out<#aot.plain_out<0>, "a">, "b">}, tensor<4xf32> {aot.desc = #aot.subclass_attr_out<#aot.plain_out<0>, "b">})
// CHECK-COUNT-3: aten.neg
func.func @two_tensor$nested(%x: !subclass.two_tensor<!subclass.two_tensor<tensor<4xf32>, tensor<4xf32>>, tensor<4xf32>> {aot.desc = #aot.plain<0>})
    -> (!subclass.two_tensor<!subclass.two_tensor<tensor<4xf32>, tensor<4xf32>>, tensor<4xf32>> {aot.desc = #aot.plain_out<0>}) {
  %n = subclass.dispatch %x {op = "aten.neg"} : (!subclass.two_tensor<!subclass.two_tensor<tensor<4xf32>, tensor<4xf32>>, tensor<4xf32>>) -> !subclass.two_tensor<!subclass.two_tensor<tensor<4xf32>, tensor<4xf32>>, tensor<4xf32>>
  func.return %n : !subclass.two_tensor<!subclass.two_tensor<tensor<4xf32>, tensor<4xf32>>, tensor<4xf32>>
}

// -----

// A scaled tensor dequantizes before the op: data.to(f32) * scale.
// CHECK-LABEL: func.func @scaled$matmul(
// CHECK-SAME: %[[D:.*]]: tensor<3x2xi8> {aot.desc = #aot.subclass_attr<#aot.param<"q">, "data">}
// CHECK-SAME: %[[S:.*]]: tensor<f32> {aot.desc = #aot.subclass_attr<#aot.param<"q">, "scale">}
// CHECK:   %[[W:.*]] = aten._to_copy %[[D]] {dtype = f32} : (tensor<3x2xi8>) -> tensor<3x2xf32>
// CHECK:   %[[DQ:.*]] = aten.mul.Tensor %[[W]], %[[S]]
// CHECK:   %[[MM:.*]] = aten.mm %{{.*}}, %[[DQ]]
// CHECK:   func.return %[[MM]]
func.func @scaled$matmul(%q: !subclass.scaled<tensor<3x2xi8>, tensor<f32>> {aot.desc = #aot.param<"q">}, %x: tensor<4x3xf32> {aot.desc = #aot.plain<0>}) -> (tensor<4x2xf32> {aot.desc = #aot.plain_out<0>}) {
  %y = subclass.dispatch %x, %q {op = "aten.mm"} : (tensor<4x3xf32>, !subclass.scaled<tensor<3x2xi8>, tensor<f32>>) -> tensor<4x2xf32>
  func.return %y : tensor<4x2xf32>
}

// -----

// A primal with dynamic outer dims is followed by its symbolic sizes and strides.
// CHECK-LABEL: func.func @two_tensor$dynamic(
// CHECK-SAME: tensor<?x3xf32> {aot.desc = #aot.subclass_attr<#aot.plain<0>, "a">}, %{{.*}}: tensor<?x3xf32> {aot.desc = #aot.subclass_attr<#aot.plain<0>, "b">}, %{{.*}}: i64 {aot.desc = #aot.subclass_size<#aot.plain<0>, 0>}
// CHECK-SAME: %{{.*}}: tensor<f32> {aot.desc = #aot.plain<1>}
func.func @two_tensor$dynamic(%x: !subclass.two_tensor<tensor<?x3xf32>, tensor<?x3xf32>> {aot.desc = #aot.plain<0>}, %y: tensor<f32> {aot.desc = #aot.plain<1>}) -> (tensor<f32> {aot.desc = #aot.plain_out<0>}) {
  %p:2 = subclass.flatten %x : (!subclass.two_tensor<tensor<?x3xf32>, tensor<?x3xf32>>) -> (tensor<?x3xf32>, tensor<?x3xf32>)
  %s = aten.sum %p#0 : (tensor<?x3xf32>) -> tensor<f32>
  %r = aten.add.Tensor %s, %y : (tensor<f32>, tensor<f32>) -> tensor<f32>
  func.return %r : tensor<f32>
}
