// RUN: joinery-opt --allow-unregistered-dialect --canonicalize --split-input-file %s | FileCheck %s
// RUN: joinery-opt --allow-unregistered-dialect -p 'builtin.module(canonicalize{max-iterations=1 top-down=false})' --split-input-file %s | FileCheck %s

// Dead pure ops go, whole chains at once.
// CHECK-LABEL: func.func @canonicalize$dead_chain
// CHECK-NOT: aten.
// CHECK: func.return
func.func @canonicalize$dead_chain(%a: tensor<4xf32>) {
  %n = aten.neg %a : (tensor<4xf32>) -> tensor<4xf32>
  %r = aten.relu %n : (tensor<4xf32>) -> tensor<4xf32>
  %s = aten.add.Tensor %n, %r : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return
}

// -----

// A dead `aot.none` (pure, constant-like) goes too.
// CHECK-LABEL: func.func @canonicalize$dead_none
// CHECK-NOT: aot.none
func.func @canonicalize$dead_none() {
  %none = "aot.none"() : () -> none
  func.return
}

// -----

// Left alone: live ops, unregistered ops and in-place ops.
// CHECK-LABEL: func.func @canonicalize$kept
// CHECK: %[[N:.*]] = aten.neg
// CHECK: "test.unknown"
// CHECK: aten.relu_
// CHECK: func.return %[[N]]
func.func @canonicalize$kept(%a: !aten.ref<tensor<4xf32>>) -> tensor<4xf32> {
  %n = aten.neg %a : (!aten.ref<tensor<4xf32>>) -> tensor<4xf32>
  %u = "test.unknown"(%a) : (!aten.ref<tensor<4xf32>>) -> tensor<4xf32>
  %i = aten.relu_ %a : (!aten.ref<tensor<4xf32>>) -> !aten.ref<tensor<4xf32>>
  func.return %n : tensor<4xf32>
}
