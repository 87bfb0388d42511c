// --print-op-generic prints every op, registered or not, in the generic form, which
// upstream mlir-opt parses (contract 1 of ARCHITECTURE.md).
// RUN: joinery-opt --print-op-generic %s | FileCheck %s
// RUN: joinery-opt --print-op-generic %s | mlir-opt --allow-unregistered-dialect --mlir-print-op-generic | FileCheck %s --check-prefix=MLIR
// RUN: joinery-opt --print-op-generic %repo/examples/linear_relu_joint.mlir | mlir-opt --allow-unregistered-dialect | FileCheck %s --check-prefix=EXAMPLE
// --print-debuginfo prints locations.
// RUN: joinery-opt --print-debuginfo %s | FileCheck %s --check-prefix=LOC

// CHECK: "builtin.module"() ({
// CHECK: "func.func"() <{
// CHECK-SAME: function_type = (tensor<4x2xf32>) -> tensor<4x2xf32>
// CHECK-SAME: sym_name = "relu"
// CHECK: ^bb0(%[[A:.*]]: tensor<4x2xf32>):
// CHECK: %[[R:.*]] = "aten.relu"(%[[A]]) : (tensor<4x2xf32>) -> tensor<4x2xf32>
// CHECK: "func.return"(%[[R]]) : (tensor<4x2xf32>) -> ()

// MLIR: "func.func"()
// MLIR: "aten.relu"
// MLIR: "func.return"

// EXAMPLE-LABEL: func.func @joint
// EXAMPLE-SAME: #aot.param<"lin.weight">
// EXAMPLE: "aten.addmm"
// EXAMPLE: "aot.none"

// LOC: aten.relu %{{.*}} : (tensor<4x2xf32>) -> tensor<4x2xf32> loc("model.py":12:4)

func.func @relu(%a: tensor<4x2xf32>) -> tensor<4x2xf32> {
  %r = aten.relu %a : (tensor<4x2xf32>) -> tensor<4x2xf32> loc("model.py":12:4)
  func.return %r : tensor<4x2xf32>
}
