// RUN: joinery-opt --allow-unregistered-dialect --cse --split-input-file %s | FileCheck %s

// Two identical pure ops: the later one goes, its uses move to the earlier one.
// CHECK-LABEL: func.func @cse$duplicate
// CHECK-SAME: (%[[A:.*]]: tensor<4xf32>)
// CHECK: %[[N:.*]] = aten.neg %[[A]]
// CHECK-NOT: aten.neg
// CHECK: %[[S:.*]] = aten.add.Tensor %[[N]], %[[N]]
// CHECK: func.return %[[S]]
func.func @cse$duplicate(%a: tensor<4xf32>) -> tensor<4xf32> {
  %n1 = aten.neg %a : (tensor<4xf32>) -> tensor<4xf32>
  %n2 = aten.neg %a : (tensor<4xf32>) -> tensor<4xf32>
  %s = aten.add.Tensor %n1, %n2 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %s : tensor<4xf32>
}

// -----

// Chains collapse: once the operands are merged, their users are equal too.
// CHECK-LABEL: func.func @cse$chain
// CHECK-COUNT-1: aten.neg
// CHECK-COUNT-1: aten.relu
// CHECK-NOT: aten.relu
func.func @cse$chain(%a: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %n1 = aten.neg %a : (tensor<4xf32>) -> tensor<4xf32>
  %r1 = aten.relu %n1 : (tensor<4xf32>) -> tensor<4xf32>
  %n2 = aten.neg %a : (tensor<4xf32>) -> tensor<4xf32>
  %r2 = aten.relu %n2 : (tensor<4xf32>) -> tensor<4xf32>
  func.return %r1, %r2 : tensor<4xf32>, tensor<4xf32>
}

// -----

// Different attributes are different computations.
// CHECK-LABEL: func.func @cse$different_attributes
// CHECK: aten.sum.dim_IntList %{{.*}} {dim = [0{{( : i64)?}}]
// CHECK: aten.sum.dim_IntList %{{.*}} {dim = [1{{( : i64)?}}]
func.func @cse$different_attributes(%a: tensor<4x4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %s0 = aten.sum.dim_IntList %a {dim = [0]} : (tensor<4x4xf32>) -> tensor<4xf32>
  %s1 = aten.sum.dim_IntList %a {dim = [1]} : (tensor<4x4xf32>) -> tensor<4xf32>
  func.return %s0, %s1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// Left alone: unregistered ops (their effects are unknown) and impure (in-place) ops.
// CHECK-LABEL: func.func @cse$not_pure
// CHECK-COUNT-2: "test.unknown"
// CHECK-COUNT-2: aten.relu_
func.func @cse$not_pure(%a: !aten.ref<tensor<4xf32>>) -> (tensor<4xf32>, tensor<4xf32>, !aten.ref<tensor<4xf32>>, !aten.ref<tensor<4xf32>>) {
  %u1 = "test.unknown"(%a) : (!aten.ref<tensor<4xf32>>) -> tensor<4xf32>
  %u2 = "test.unknown"(%a) : (!aten.ref<tensor<4xf32>>) -> tensor<4xf32>
  %i1 = aten.relu_ %a : (!aten.ref<tensor<4xf32>>) -> !aten.ref<tensor<4xf32>>
  %i2 = aten.relu_ %a : (!aten.ref<tensor<4xf32>>) -> !aten.ref<tensor<4xf32>>
  func.return %u1, %u2, %i1, %i2 : tensor<4xf32>, tensor<4xf32>, !aten.ref<tensor<4xf32>>, !aten.ref<tensor<4xf32>>
}

// -----

// Functions are isolated from above: equal ops in two functions both stay.
// CHECK-LABEL: func.func @cse$isolated_a
// CHECK: aten.neg
// CHECK-LABEL: func.func @cse$isolated_b
// CHECK: aten.neg
func.func @cse$isolated_a(%a: tensor<4xf32>) -> tensor<4xf32> {
  %n = aten.neg %a : (tensor<4xf32>) -> tensor<4xf32>
  func.return %n : tensor<4xf32>
}
func.func @cse$isolated_b(%a: tensor<4xf32>) -> tensor<4xf32> {
  %n = aten.neg %a : (tensor<4xf32>) -> tensor<4xf32>
  func.return %n : tensor<4xf32>
}
