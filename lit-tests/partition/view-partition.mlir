// view-partition draws each forward/backward pair aot-partition made: arguments and results
// as boxes with their descriptors, forward ops lightblue, backward ops lightsalmon, saved
// values gold (with a dashed edge from the forward producer to the backward argument), and
// backward ops recomputing a forward op palegreen. Min-cut saves addmm here and recomputes
// relu in the backward; the default partition saves relu and recomputes nothing.
// RUN: joinery-opt %s --aot-partition='strategy=min-cut' --view-partition='print-attrs=false' -o /dev/null 2>&1 | FileCheck %s
// RUN: joinery-opt %s --aot-partition --view-partition -o /dev/null 2>&1 | FileCheck %s --check-prefix=DEFAULT

// CHECK-LABEL: digraph G {
// CHECK:         label = legend;
// CHECK-NEXT:    [label = forward, shape = box, style = filled, fillcolor = lightblue];
// CHECK-NEXT:    [label = backward, shape = box, style = filled, fillcolor = lightsalmon];
// CHECK-NEXT:    [label = "saved for backward", shape = box, style = filled, fillcolor = gold];
// CHECK-NEXT:    [label = "recomputed in backward", shape = box, style = filled, fillcolor = palegreen];
// CHECK:         label = "@linear_relu_forward (forward)";
// CHECK-NEXT:    v[[W:[0-9]+]] [label = "%primals_1 : tensor<2x3xf32>\n#aot.param<\"lin.weight\">", shape = box];
// CHECK:         v[[X:[0-9]+]] [label = "%primals_4 : tensor<4x3xf32>\n#aot.plain<0>", shape = box];
// CHECK:         v[[ADDMM:[0-9]+]] [label = "aten.addmm : (tensor<4x2xf32>)", shape = ellipse, style = filled, fillcolor = gold];
// CHECK-NEXT:    [label = "aten.relu : (tensor<4x2xf32>)", shape = ellipse, style = filled, fillcolor = lightblue];
// CHECK:         [label = "result 1 : tensor<f32>\n#aot.plain_out<0>", shape = box];
// CHECK-NEXT:    [label = "result 2 : tensor<4x3xf32>\n#aot.saved_for_backwards<0>", shape = box];
// CHECK:         label = "@linear_relu_backward (backward)";
// CHECK-NEXT:    v[[SX:[0-9]+]] [label = "%primals_4 : tensor<4x3xf32>\n#aot.plain<0>", shape = box, style = filled, fillcolor = gold];
// CHECK-NEXT:    v[[SADDMM:[0-9]+]] [label = "%addmm : tensor<4x2xf32>", shape = box, style = filled, fillcolor = gold];
// CHECK-NEXT:    [label = "%tangents_1 : tensor<f32>\n#aot.tangent<#aot.plain_out<0>>", shape = box];
// CHECK-NEXT:    [label = "aten.relu : (tensor<4x2xf32>)", shape = ellipse, style = filled, fillcolor = palegreen];
// CHECK-NEXT:    [label = "aten.expand : (tensor<4x2xf32>)", shape = ellipse, style = filled, fillcolor = lightsalmon];
// CHECK:         [label = "result 0 : tensor<2x3xf32>\n#aot.grad<#aot.param<\"lin.weight\">>", shape = box];
// CHECK:         v[[X]] -> v[[SX]] [label = "", style = dashed, color = goldenrod];
// CHECK-NEXT:    v[[ADDMM]] -> v[[SADDMM]] [label = "", style = dashed, color = goldenrod];
// CHECK-NEXT:  }

// DEFAULT:     [label = "aten.relu : (tensor<4x2xf32>)\n", shape = ellipse, style = filled, fillcolor = gold];
// DEFAULT:     label = "@linear_relu_backward (backward)";
// DEFAULT-NOT: palegreen
// DEFAULT:     [label = "aten.threshold_backward : (tensor<4x2xf32>)\n\nthreshold: 0 : i64", shape = ellipse, style = filled, fillcolor = lightsalmon];
// DEFAULT-NOT: palegreen
// DEFAULT:     }

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
