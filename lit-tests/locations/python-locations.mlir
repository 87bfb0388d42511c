// Source locations as the PyTorch bridge writes them: `loc("model.py":LINE:COL)` on a
// forward op, `loc(fused<"backward">[...])` on an op of that line's backward. They print
// with --print-debuginfo, round-trip, and every pass keeps them on what it builds.
// RUN: joinery-opt %s --print-debuginfo --verify-roundtrip | FileCheck %s
// RUN: joinery-opt %s --print-debuginfo --aot-partition | FileCheck %s --check-prefix=PART
// RUN: joinery-opt %s --print-debuginfo --aten-decompose | FileCheck %s --check-prefix=DECOMP
// RUN: joinery-opt %s --aot-partition | FileCheck %s --check-prefix=PLAIN

// CHECK: aten.addmm {{.*}} loc("model.py":10:9)
// CHECK: aten.threshold_backward {{.*}} loc(fused<"backward">["model.py":11:9])

// PART-LABEL: func.func @joint_forward
// PART: aten.relu {{.*}} loc("model.py":11:9)
// PART-LABEL: func.func @joint_backward
// PART: aten.threshold_backward {{.*}} loc(fused<"backward">["model.py":11:9])
// PART: aten.mm {{.*}} loc(fused<"backward">["model.py":10:9])

// DECOMP: aten.where.self {{.*}} loc("aten.threshold_backward"(fused<"backward">["model.py":11:9]))

// PLAIN-NOT: loc(

func.func @joint(%primals_1: tensor<3x4xf32> {aot.desc = #aot.param<"fc.weight">},
                 %primals_2: tensor<3xf32> {aot.desc = #aot.param<"fc.bias">},
                 %primals_3: tensor<2x4xf32> {aot.desc = #aot.plain<0>},
                 %tangents_1: tensor<f32> {aot.desc = #aot.tangent<#aot.plain_out<0>>})
    -> (tensor<f32> {aot.desc = #aot.plain_out<0>},
        tensor<3x4xf32> {aot.desc = #aot.grad<#aot.param<"fc.weight">>},
        tensor<3xf32> {aot.desc = #aot.grad<#aot.param<"fc.bias">>},
        none {aot.desc = #aot.none_grad<#aot.plain<0>>}) {
  %t = "aten.t"(%primals_1) : (tensor<3x4xf32>) -> tensor<4x3xf32> loc("model.py":10:9)
  %addmm = "aten.addmm"(%primals_2, %primals_3, %t) : (tensor<3xf32>, tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32> loc("model.py":10:9)
  %relu = "aten.relu"(%addmm) : (tensor<2x3xf32>) -> tensor<2x3xf32> loc("model.py":11:9)
  %sum_1 = "aten.sum"(%relu) : (tensor<2x3xf32>) -> tensor<f32> loc("model.py":11:9)
  %expand = "aten.expand"(%tangents_1) {size = [2, 3]} : (tensor<f32>) -> tensor<2x3xf32> loc(fused<"backward">["model.py":11:9])
  %threshold_backward = "aten.threshold_backward"(%expand, %relu) {threshold = 0 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32> loc(fused<"backward">["model.py":11:9])
  %t_1 = "aten.t"(%threshold_backward) : (tensor<2x3xf32>) -> tensor<3x2xf32> loc(fused<"backward">["model.py":10:9])
  %mm = "aten.mm"(%t_1, %primals_3) : (tensor<3x2xf32>, tensor<2x4xf32>) -> tensor<3x4xf32> loc(fused<"backward">["model.py":10:9])
  %sum_2 = "aten.sum.dim_IntList"(%threshold_backward) {dim = [0], keepdim = false} : (tensor<2x3xf32>) -> tensor<3xf32> loc(fused<"backward">["model.py":10:9])
  %none = "aot.none"() : () -> none
  func.return %sum_1, %mm, %sum_2, %none : tensor<f32>, tensor<3x4xf32>, tensor<3xf32>, none
}
