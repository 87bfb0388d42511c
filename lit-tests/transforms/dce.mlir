// RUN: joinery-opt --allow-unregistered-dialect --dce --split-input-file %s | FileCheck %s

// A dead chain of pure ops goes in one run.
// CHECK-LABEL: func.func @dce$chain
// CHECK-NOT: aten.neg
// CHECK-NOT: aten.relu
// CHECK: func.return %[[A:.*]] :
func.func @dce$chain(%a: tensor<4xf32>) -> tensor<4xf32> {
  %n = aten.neg %a : (tensor<4xf32>) -> tensor<4xf32>
  %r = aten.relu %n : (tensor<4xf32>) -> tensor<4xf32>
  func.return %a : tensor<4xf32>
}

// -----

// Live ops stay.
// CHECK-LABEL: func.func @dce$live
// CHECK: %[[N:.*]] = aten.neg
// CHECK: func.return %[[N]]
func.func @dce$live(%a: tensor<4xf32>) -> tensor<4xf32> {
  %n = aten.neg %a : (tensor<4xf32>) -> tensor<4xf32>
  func.return %n : tensor<4xf32>
}

// -----

// Left alone: unregistered ops and in-place ops may have effects.
// CHECK-LABEL: func.func @dce$effects
// CHECK: "test.unknown"
// CHECK: aten.relu_
func.func @dce$effects(%a: !aten.ref<tensor<4xf32>>) {
  %u = "test.unknown"(%a) : (!aten.ref<tensor<4xf32>>) -> tensor<4xf32>
  %i = aten.relu_ %a : (!aten.ref<tensor<4xf32>>) -> !aten.ref<tensor<4xf32>>
  func.return
}
