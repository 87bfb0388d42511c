// --verify-roundtrip prints, parses back and prints again, in generic and pretty form,
// and fails unless both prints agree; --verify-each=false turns off the verifier between
// passes without changing the result.
// RUN: joinery-opt --verify-roundtrip --allow-unregistered-dialect %s | FileCheck %s
// RUN: joinery-opt --verify-each=false --cse --allow-unregistered-dialect %s | FileCheck %s
// RUN: joinery-opt --verify-each --cse --allow-unregistered-dialect %s | FileCheck %s
// RUN: joinery-opt --verify-roundtrip %repo/examples/linear_relu_joint.mlir | FileCheck %s --check-prefix=EXAMPLE

// CHECK-LABEL: func.func @roundtrip
// CHECK-SAME: (%[[ARG:.*]]: tensor<2x3xf32> {test.attr = #test.thing<1, "s", f32>})
// CHECK: %[[R:.*]]:2 = "test.multi"(%[[ARG]])
// CHECK: func.return %[[R]]#1
func.func @roundtrip(%arg: tensor<2x3xf32> {test.attr = #test.thing<1, "s", f32>}) -> f32 {
  %r:2 = "test.multi"(%arg) <{inherent = 1 : i64}> {discardable} ({
  ^bb0(%x: f32):
    "test.yield"(%x) : (f32) -> ()
  }) : (tensor<2x3xf32>) -> (f32, f32)
  func.return %r#1 : f32
}

// EXAMPLE-LABEL: func.func @joint
// EXAMPLE: aot.desc = #aot.param<"lin.weight">
// EXAMPLE: func.return
