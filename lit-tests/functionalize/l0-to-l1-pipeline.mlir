// From L0 to a verifier-clean L1 joint: functionalize, desugar subclasses, clean up.
// RUN: joinery-opt %s -p 'builtin.module(func.func(aot-functionalize,aot-desugar-subclasses,canonicalize,cse))' | FileCheck %s
// RUN: joinery-opt %s -p 'builtin.module(func.func(aot-functionalize,aot-desugar-subclasses,canonicalize,cse))' | joinery-opt --verify-roundtrip -o /dev/null

// A TwoTensor parameter, a buffer incremented in place and read afterwards through a
// view, and the joint's backward.
// CHECK-LABEL: func.func @joint(
// CHECK-SAME: %[[WA:.*]]: tensor<3x3xf32> {aot.desc = #aot.subclass_attr<#aot.param<"w">, "a">}, %[[WB:.*]]: tensor<3x3xf32> {aot.desc = #aot.subclass_attr<#aot.param<"w">, "b">}, %[[STEPS:.*]]: tensor<3xf32> {aot.desc = #aot.buffer<"steps">}, %[[X:.*]]: tensor<2x3xf32> {aot.desc = #aot.plain<0>}, %[[TA:.*]]: tensor<f32> {aot.desc = #aot.subclass_attr<#aot.tangent<#aot.plain_out<0>>, "a">}, %[[TB:.*]]: tensor<f32> {aot.desc = #aot.subclass_attr<#aot.tangent<#aot.plain_out<0>>, "b">})
// CHECK-SAME: -> (tensor<3xf32> {aot.desc = #aot.input_mutation<#aot.buffer<"steps">>}, tensor<f32> {aot.desc = #aot.subclass_attr_out<#aot.plain_out<0>, "a">}, tensor<f32> {aot.desc = #aot.subclass_attr_out<#aot.plain_out<0>, "b">}, tensor<3x3xf32> {aot.desc = #aot.subclass_attr_out<#aot.grad<#aot.param<"w">>, "a">}, tensor<3x3xf32> {aot.desc = #aot.subclass_attr_out<#aot.grad<#aot.param<"w">>, "b">}, none {aot.desc = #aot.none_grad<#aot.buffer<"steps">>}, none {aot.desc = #aot.none_grad<#aot.plain<0>>})
// CHECK:   %[[S:.*]] = aten.slice.Tensor %[[STEPS]] {dim = 0 : i64, end = 2 : i64, start = 0 : i64}
// CHECK:   %[[ADD:.*]] = aten.add.Scalar %[[S]] {other = 1 : i64}
// CHECK:   %[[NEW:.*]] = aten.slice_scatter %[[STEPS]], %[[ADD]]
// CHECK:   %[[XS:.*]] = aten.mul.Tensor %[[X]], %{{.*}}
// CHECK:   aten.mm %[[XS]], %[[WA]]
// CHECK:   aten.mm %[[XS]], %[[WB]]
// CHECK:   func.return %[[NEW]],
// CHECK-NOT: aten.ref
// CHECK-NOT: subclass.
func.func @joint(%w: !subclass.two_tensor<tensor<3x3xf32>, tensor<3x3xf32>> {aot.desc = #aot.param<"w">},
                 %steps: !aten.ref<tensor<3xf32>> {aot.desc = #aot.buffer<"steps">},
                 %x: tensor<2x3xf32> {aot.desc = #aot.plain<0>},
                 %t: !subclass.two_tensor<tensor<f32>, tensor<f32>> {aot.desc = #aot.tangent<#aot.plain_out<0>>})
    -> (!subclass.two_tensor<tensor<f32>, tensor<f32>> {aot.desc = #aot.plain_out<0>},
        !subclass.two_tensor<tensor<3x3xf32>, tensor<3x3xf32>> {aot.desc = #aot.grad<#aot.param<"w">>},
        none {aot.desc = #aot.none_grad<#aot.buffer<"steps">>},
        none {aot.desc = #aot.none_grad<#aot.plain<0>>}) {
  %head = aten.slice.Tensor %steps {dim = 0, start = 0, end = 2} : (!aten.ref<tensor<3xf32>>) -> !aten.ref<tensor<2xf32>>
  %0 = aten.add_.Scalar %head {other = 1} : (!aten.ref<tensor<2xf32>>) -> !aten.ref<tensor<2xf32>>
  %xs = aten.mul.Tensor %x, %steps : (tensor<2x3xf32>, !aten.ref<tensor<3xf32>>) -> tensor<2x3xf32>
  %mm = subclass.dispatch %xs, %w {op = "aten.mm"} : (tensor<2x3xf32>, !subclass.two_tensor<tensor<3x3xf32>, tensor<3x3xf32>>) -> !subclass.two_tensor<tensor<2x3xf32>, tensor<2x3xf32>>
  %sum = subclass.dispatch %mm {op = "aten.sum"} : (!subclass.two_tensor<tensor<2x3xf32>, tensor<2x3xf32>>) -> !subclass.two_tensor<tensor<f32>, tensor<f32>>
  %e = subclass.dispatch %t {op = "aten.expand", size = [2, 3]} : (!subclass.two_tensor<tensor<f32>, tensor<f32>>) -> !subclass.two_tensor<tensor<2x3xf32>, tensor<2x3xf32>>
  %xt = aten.t %xs : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %g = subclass.dispatch %xt, %e {op = "aten.mm"} : (tensor<3x2xf32>, !subclass.two_tensor<tensor<2x3xf32>, tensor<2x3xf32>>) -> !subclass.two_tensor<tensor<3x3xf32>, tensor<3x3xf32>>
  %none = "aot.none"() : () -> none
  func.return %sum, %g, %none, %none : !subclass.two_tensor<tensor<f32>, tensor<f32>>, !subclass.two_tensor<tensor<3x3xf32>, tensor<3x3xf32>>, none, none
}
