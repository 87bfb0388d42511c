// Attribute aliases `#name = attr`, type aliases `!name = type` and location aliases
// `#name = loc(...)` at the top level, as users write them and as mlir-opt prints them.
// Attribute and type aliases come before their uses; location aliases may come after,
// where mlir-opt --mlir-print-debuginfo puts them. Uses read as what the alias stands for;
// the printer writes the attribute, type or location itself.
// RUN: joinery-opt --allow-unregistered-dialect --print-debuginfo %s | FileCheck %s
// RUN: joinery-opt --allow-unregistered-dialect --print-debuginfo %s | joinery-opt --allow-unregistered-dialect --print-debuginfo | FileCheck %s

!vec = tensor<4xf32>
!pair = !demo.pair<!vec, i64>
#param = #aot.param<"fc1.weight">
#dims = [0, 1]
#desc = {test.desc = #param}

// CHECK-LABEL: func.func @uses
// CHECK-SAME: (%{{.*}}: tensor<4xf32> {test.desc = #aot.param<"fc1.weight">}) -> (tensor<4xf32>, !demo.pair<tensor<4xf32>, i64>)
// CHECK: "test.op"(%{{.*}}) {dims = [0, 1], meta = {test.desc = #aot.param<"fc1.weight">}} : (tensor<4xf32>) -> !demo.pair<tensor<4xf32>, i64> loc("model.py":3:7)
// CHECK: "test.fused"() : () -> () loc(fused["model.py":3:7, callsite("relu" at "model.py":9:1)])
// CHECK: func.return {{.*}} loc(unknown)
func.func @uses(%x: !vec {test.desc = #param} loc(#loc_arg)) -> (!vec, !pair) {
  %p = "test.op"(%x) {dims = #dims, meta = #desc} : (!vec) -> !pair loc(#loc_model)
  "test.fused"() : () -> () loc(#loc_fused)
  func.return %x, %p : !vec, !pair loc(#loc)
}
#loc = loc(unknown)
#loc_arg = loc("model.py":1:1)
#loc_model = loc("model.py":3:7)
#loc_callee = loc("relu")
#loc_site = loc(callsite(#loc_callee at "model.py":9:1))
#loc_fused = loc(fused[#loc_model, #loc_site])
