// aot-make-jvp: a forward function becomes the forward function of its Jacobian-vector
// product: tangent inputs for the primals that require grad, tangent outputs for the
// results that do.
// RUN: joinery-opt %s --split-input-file --aot-make-jvp --verify-roundtrip | FileCheck %s
// RUN: joinery-opt %s --split-input-file --aot-make-jvp='plain-requires-grad=0' | FileCheck %s --check-prefix=PLAIN

// Linear + ReLU + sum with a mutated buffer: tangents for the two parameters (plain inputs
// 1 and 2), one for the loss (plain output 1); none for the buffer, its update or x.
// addmm is affine: the bias tangent with zeroed matrices, then the weight's product with
// the bias at zero. ReLU is element-wise: its reverse rule on the tangent.
// CHECK-LABEL: func.func @joint(
// CHECK-SAME: %primals_4: tensor<4x3xf32> {aot.desc = #aot.plain<0>}, %d_primals_1: tensor<2x3xf32> {aot.desc = #aot.plain<1>}, %d_primals_2: tensor<2xf32> {aot.desc = #aot.plain<2>})
// CHECK-SAME: -> (tensor<f32> {aot.desc = #aot.input_mutation<#aot.buffer<"steps">>}, tensor<f32> {aot.desc = #aot.plain_out<0>}, tensor<f32> {aot.desc = #aot.plain_out<1>})
// CHECK: %[[DT:.*]] = aten.t %d_primals_1
// CHECK: %[[Z1:.*]] = aten.zeros {dtype = f32, size = [4, 3]}
// CHECK: %[[Z2:.*]] = aten.zeros {dtype = f32, size = [3, 2]}
// CHECK: %[[DB:.*]] = aten.addmm %d_primals_2, %[[Z1]], %[[Z2]]
// CHECK: %[[Z0:.*]] = aten.zeros {dtype = f32, size = [2]}
// CHECK: %[[DW:.*]] = aten.addmm %[[Z0]], %primals_4, %[[DT]]
// CHECK: %[[DY:.*]] = aten.add.Tensor %[[DB]], %[[DW]]
// CHECK: %[[DR:.*]] = aten.threshold_backward %[[DY]], %relu {threshold = 0 : i64}
// CHECK: %[[DL:.*]] = aten.sum %[[DR]]
// CHECK: func.return %add, %sum, %[[DL]]
// With x requiring grad, it gets a tangent too (plain input 3, after the parameters').
// PLAIN-LABEL: func.func @joint(
// PLAIN-SAME: %d_primals_4: tensor<4x3xf32> {aot.desc = #aot.plain<3>})
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

// A broadcast operand's tangent is expanded to the result; an integer result and a
// detached value get no tangent.
// CHECK-LABEL: func.func @broadcast(
// CHECK-SAME: -> (tensor<3x4xf32> {aot.desc = #aot.plain_out<0>}, tensor<3x4xi64> {aot.desc = #aot.plain_out<1>}, tensor<3x4xf32> {aot.desc = #aot.plain_out<2>}, tensor<3x4xf32> {aot.desc = #aot.plain_out<3>})
// CHECK: %[[E:.*]] = aten.expand %d_primals_1 {size = [3, 4]}
// CHECK: func.return %sum, %int, %detached, %[[E]]
func.func @broadcast(%primals_1: tensor<4xf32> {aot.desc = #aot.param<"b">},
                     %primals_2: tensor<3x4xf32> {aot.desc = #aot.plain<0>})
    -> (tensor<3x4xf32> {aot.desc = #aot.plain_out<0>}, tensor<3x4xi64> {aot.desc = #aot.plain_out<1>},
        tensor<3x4xf32> {aot.desc = #aot.plain_out<2>}) {
  %sum = aten.add.Tensor %primals_2, %primals_1 : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  %int = aten._to_copy %sum {dtype = i64} : (tensor<3x4xf32>) -> tensor<3x4xi64>
  %detached = aten.detach %sum : (tensor<3x4xf32>) -> tensor<3x4xf32>
  func.return %sum, %int, %detached : tensor<3x4xf32>, tensor<3x4xi64>, tensor<3x4xf32>
}
