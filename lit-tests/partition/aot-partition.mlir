// aot-partition splits a joint into @<name>_forward, @<name>_backward and an
// aot.joint_pair tying them; descriptors (never names) say what is a primal or a tangent.
// RUN: joinery-opt %s --split-input-file --aot-partition | FileCheck %s
// RUN: joinery-opt %s --split-input-file --aot-partition="strategy=min-cut" | FileCheck %s --check-prefix=MINCUT
// RUN: joinery-opt %s --split-input-file --aot-partition="strategy=min-cut memory-budget=0.0" | FileCheck %s --check-prefix=BUDGET0

// Linear(3->2) + ReLU + sum with a mutated buffer (descriptors.md §6). The default
// partition saves what the backward uses, {primals_4, relu}, as PyTorch does. Min-cut
// saves addmm instead (38 < 70 weighted bytes: relu would fuse into both users, so its
// cost doubles) and recomputes relu in the backward; addmm itself is banned.

// CHECK-LABEL: func.func @linear_relu_forward(
// CHECK-SAME: %primals_1: tensor<2x3xf32> {aot.desc = #aot.param<"lin.weight">}
// CHECK-SAME: %primals_4: tensor<4x3xf32> {aot.desc = #aot.plain<0>})
// CHECK-SAME: -> (tensor<f32> {aot.desc = #aot.input_mutation<#aot.buffer<"steps">>}, tensor<f32> {aot.desc = #aot.plain_out<0>}, tensor<4x3xf32> {aot.desc = #aot.saved_for_backwards<0>}, tensor<4x2xf32> {aot.desc = #aot.saved_for_backwards<1>})
// CHECK-NOT: tangents
// CHECK: func.return %add, %sum_1, %primals_4, %relu
// CHECK-LABEL: func.func @linear_relu_backward(
// CHECK-SAME: %primals_4: tensor<4x3xf32> {aot.desc = #aot.plain<0>}, %relu: tensor<4x2xf32>, %tangents_1: tensor<f32> {aot.desc = #aot.tangent<#aot.plain_out<0>>})
// CHECK-SAME: -> (tensor<2x3xf32> {aot.desc = #aot.grad<#aot.param<"lin.weight">>}, tensor<2xf32> {aot.desc = #aot.grad<#aot.param<"lin.bias">>}, none {aot.desc = #aot.none_grad<#aot.buffer<"steps">>}, none {aot.desc = #aot.none_grad<#aot.plain<0>>})
// CHECK-NOT: aten.relu
// CHECK-NOT: aten.addmm
// CHECK: aten.threshold_backward %expand, %relu
// CHECK: func.return %t_3, %view, %none, %none
// CHECK: "aot.joint_pair"() <{backward = @linear_relu_backward, forward = @linear_relu_forward, num_fwd_outputs = 2 : i64, num_saved = 2 : i64}>
// CHECK-NOT: func.func @linear_relu(

// MINCUT-LABEL: func.func @linear_relu_forward(
// MINCUT: func.return %add, %sum_1, %primals_4, %addmm
// MINCUT-LABEL: func.func @linear_relu_backward(%primals_4: tensor<4x3xf32> {aot.desc = #aot.plain<0>}, %addmm: tensor<4x2xf32>, %tangents_1: tensor<f32>
// MINCUT-NEXT: %relu = aten.relu %addmm
// MINCUT-NOT: aten.addmm
// MINCUT: "aot.joint_pair"

module {
  func.func @linear_relu(%primals_1: tensor<2x3xf32> {aot.desc = #aot.param<"lin.weight">}, %primals_2: tensor<2xf32> {aot.desc = #aot.param<"lin.bias">}, %primals_3: tensor<f32> {aot.desc = #aot.buffer<"steps">}, %primals_4: tensor<4x3xf32> {aot.desc = #aot.plain<0>}, %tangents_1: tensor<f32> {aot.desc = #aot.tangent<#aot.plain_out<0>>}) -> (tensor<f32> {aot.desc = #aot.input_mutation<#aot.buffer<"steps">>}, tensor<f32> {aot.desc = #aot.plain_out<0>}, tensor<2x3xf32> {aot.desc = #aot.grad<#aot.param<"lin.weight">>}, tensor<2xf32> {aot.desc = #aot.grad<#aot.param<"lin.bias">>}, none {aot.desc = #aot.none_grad<#aot.buffer<"steps">>}, none {aot.desc = #aot.none_grad<#aot.plain<0>>}) {
    %add = "aten.add.Scalar"(%primals_3) {alpha = 1 : i64, other = 1 : i64} : (tensor<f32>) -> tensor<f32>
    %t = "aten.t"(%primals_1) : (tensor<2x3xf32>) -> tensor<3x2xf32>
    %addmm = "aten.addmm"(%primals_2, %primals_4, %t) {alpha = 1 : i64, beta = 1 : i64} : (tensor<2xf32>, tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
    %relu = "aten.relu"(%addmm) : (tensor<4x2xf32>) -> tensor<4x2xf32>
    %sum_1 = "aten.sum"(%relu) : (tensor<4x2xf32>) -> tensor<f32>
    %expand = "aten.expand"(%tangents_1) {size = [4, 2]} : (tensor<f32>) -> tensor<4x2xf32>
    %threshold_backward = "aten.threshold_backward"(%expand, %relu) {threshold = 0 : i64} : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
    %t_1 = "aten.t"(%threshold_backward) : (tensor<4x2xf32>) -> tensor<2x4xf32>
    %mm = "aten.mm"(%t_1, %primals_4) : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
    %t_2 = "aten.t"(%mm) : (tensor<2x3xf32>) -> tensor<3x2xf32>
    %t_3 = "aten.t"(%t_2) : (tensor<3x2xf32>) -> tensor<2x3xf32>
    %sum_2 = "aten.sum.dim_IntList"(%threshold_backward) {dim = [0], keepdim = true} : (tensor<4x2xf32>) -> tensor<1x2xf32>
    %view = "aten.view"(%sum_2) {size = [2]} : (tensor<1x2xf32>) -> tensor<2xf32>
    %none = "aot.none"() : () -> none
    func.return %add, %sum_1, %t_3, %view, %none, %none : tensor<f32>, tensor<f32>, tensor<2x3xf32>, tensor<2xf32>, none, none
  }
}

// -----

// The same with threshold_backward decomposed into where(le(relu, 0), 0, grad), as a
// decomposition table produces it. Default still saves relu; min-cut saves the boolean
// mask `le` (1 byte per element instead of 4), and the backward recomputes nothing.

// CHECK-LABEL: func.func @decomposed_forward(
// CHECK: func.return %sum_1, %primals_3, %relu
// CHECK-LABEL: func.func @decomposed_backward(%primals_3: tensor<4x3xf32> {aot.desc = #aot.plain<0>}, %relu: tensor<4x2xf32>, %tangents_1

// MINCUT-LABEL: func.func @decomposed_forward(
// MINCUT-SAME: tensor<4x2xi1> {aot.desc = #aot.saved_for_backwards<1>})
// MINCUT: %le = aten.le.Scalar %relu
// MINCUT: func.return %sum_1, %primals_3, %le
// MINCUT-LABEL: func.func @decomposed_backward(%primals_3: tensor<4x3xf32> {aot.desc = #aot.plain<0>}, %le: tensor<4x2xi1>, %tangents_1
// MINCUT-NOT: aten.relu
// MINCUT-NOT: aten.le.Scalar
// MINCUT: aten.where.self %le

module {
  func.func @decomposed(%primals_1: tensor<2x3xf32> {aot.desc = #aot.param<"lin.weight">}, %primals_2: tensor<2xf32> {aot.desc = #aot.param<"lin.bias">}, %primals_3: tensor<4x3xf32> {aot.desc = #aot.plain<0>}, %tangents_1: tensor<f32> {aot.desc = #aot.tangent<#aot.plain_out<0>>}) -> (tensor<f32> {aot.desc = #aot.plain_out<0>}, tensor<2x3xf32> {aot.desc = #aot.grad<#aot.param<"lin.weight">>}, tensor<2xf32> {aot.desc = #aot.grad<#aot.param<"lin.bias">>}, none {aot.desc = #aot.none_grad<#aot.plain<0>>}) {
    %t = "aten.t"(%primals_1) : (tensor<2x3xf32>) -> tensor<3x2xf32>
    %addmm = "aten.addmm"(%primals_2, %primals_3, %t) : (tensor<2xf32>, tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
    %relu = "aten.relu"(%addmm) : (tensor<4x2xf32>) -> tensor<4x2xf32>
    %sum_1 = "aten.sum"(%relu) : (tensor<4x2xf32>) -> tensor<f32>
    %expand = "aten.expand"(%tangents_1) {size = [4, 2]} : (tensor<f32>) -> tensor<4x2xf32>
    %le = "aten.le.Scalar"(%relu) {other = 0 : i64} : (tensor<4x2xf32>) -> tensor<4x2xi1>
    %scalar_tensor = "aten.scalar_tensor"() {s = 0.0 : f64, dtype = f32} : () -> tensor<f32>
    %where = "aten.where.self"(%le, %scalar_tensor, %expand) : (tensor<4x2xi1>, tensor<f32>, tensor<4x2xf32>) -> tensor<4x2xf32>
    %t_1 = "aten.t"(%where) : (tensor<4x2xf32>) -> tensor<2x4xf32>
    %mm = "aten.mm"(%t_1, %primals_3) : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
    %t_2 = "aten.t"(%mm) : (tensor<2x3xf32>) -> tensor<3x2xf32>
    %t_3 = "aten.t"(%t_2) : (tensor<3x2xf32>) -> tensor<2x3xf32>
    %sum_2 = "aten.sum.dim_IntList"(%where) {dim = [0], keepdim = true} : (tensor<4x2xf32>) -> tensor<1x2xf32>
    %view = "aten.view"(%sum_2) {size = [2]} : (tensor<1x2xf32>) -> tensor<2xf32>
    %none = "aot.none"() : () -> none
    func.return %sum_1, %t_3, %view, %none : tensor<f32>, tensor<2x3xf32>, tensor<2xf32>, none
  }
}

// -----

// A dropout mask is a random value: min-cut never recomputes native_dropout, even with
// memory-budget=0 where everything else is recomputed from the primals.

// BUDGET0-LABEL: func.func @dropout_forward(
// BUDGET0: aten.native_dropout
// BUDGET0-LABEL: func.func @dropout_backward(
// BUDGET0-NOT: aten.native_dropout
// BUDGET0: aten.native_dropout_backward
// BUDGET0-NOT: aten.native_dropout

module {
  func.func @dropout(%primals_1: tensor<4x3xf32> {aot.desc = #aot.param<"w">}, %tangents_1: tensor<f32> {aot.desc = #aot.tangent<#aot.plain_out<0>>}) -> (tensor<f32> {aot.desc = #aot.plain_out<0>}, tensor<4x3xf32> {aot.desc = #aot.grad<#aot.param<"w">>}) {
    %exp = "aten.exp"(%primals_1) : (tensor<4x3xf32>) -> tensor<4x3xf32>
    %drop:2 = "aten.native_dropout"(%exp) {p = 5.000000e-01 : f64, train = true} : (tensor<4x3xf32>) -> (tensor<4x3xf32>, tensor<4x3xi1>)
    %sum = "aten.sum"(%drop#0) : (tensor<4x3xf32>) -> tensor<f32>
    %expand = "aten.expand"(%tangents_1) {size = [4, 3]} : (tensor<f32>) -> tensor<4x3xf32>
    %db = "aten.native_dropout_backward"(%expand, %drop#1) {scale = 2.000000e+00 : f64} : (tensor<4x3xf32>, tensor<4x3xi1>) -> tensor<4x3xf32>
    %mul = "aten.mul.Tensor"(%db, %exp) : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
    func.return %sum, %mul : tensor<f32>, tensor<4x3xf32>
  }
}

// -----

// A constant used by forward and backward is never saved: each function builds its own
// (PyTorch copies get_attr nodes into both graphs). Only the primal the backward reads
// is saved.
// CHECK-LABEL: func.func @constant$rebuilt_forward(
// CHECK: %c = "arith.constant"() <{value = dense<[1.0, 2.0, 3.0]> : tensor<3xf32>}>
// CHECK: func.return %sum, %x :
// CHECK-LABEL: func.func @constant$rebuilt_backward(
// CHECK-SAME: %x: tensor<3xf32> {aot.desc = #aot.plain<0>}, %tangents_1: tensor<f32>
// CHECK: %c = "arith.constant"() <{value = dense<[1.0, 2.0, 3.0]> : tensor<3xf32>}>
// CHECK: aten.mul.Tensor %{{.*}}, %c
// MINCUT-LABEL: func.func @constant$rebuilt_forward(
// MINCUT-NOT: saved_for_backwards<1>
// MINCUT-LABEL: func.func @constant$rebuilt_backward(
// MINCUT: "arith.constant"
// BUDGET0-LABEL: func.func @constant$rebuilt_backward(
// BUDGET0: "arith.constant"
func.func @constant$rebuilt(%x: tensor<3xf32> {aot.desc = #aot.plain<0>}, %tangents_1: tensor<f32> {aot.desc = #aot.tangent<#aot.plain_out<0>>}) -> (tensor<f32> {aot.desc = #aot.plain_out<0>}, tensor<3xf32> {aot.desc = #aot.grad<#aot.plain<0>>}) {
  %c = "arith.constant"() <{value = dense<[1.0, 2.0, 3.0]> : tensor<3xf32>}> : () -> tensor<3xf32>
  %m = "aten.mul.Tensor"(%x, %c) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %p = "aten.mul.Tensor"(%m, %x) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %sum = "aten.sum"(%p) : (tensor<3xf32>) -> tensor<f32>
  %e = "aten.expand"(%tangents_1) {size = [3]} : (tensor<f32>) -> tensor<3xf32>
  %g1 = "aten.mul.Tensor"(%e, %x) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %g2 = "aten.mul.Tensor"(%g1, %c) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %g = "aten.mul.Tensor"(%g2, %c) : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  func.return %sum, %g : tensor<f32>, tensor<3xf32>
}
