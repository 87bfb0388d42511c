// aot-partition diagnostics: what it cannot partition, and why.
// RUN: joinery-opt %s --split-input-file --verify-diagnostics --aot-partition
// RUN: not joinery-opt %s --aot-partition="memory-budget=0.5" -o /dev/null 2>&1 | FileCheck %s --check-prefix=BUDGET

// BUDGET: error: aot-partition: memory-budget applies to strategy=min-cut

// A function without descriptors is not a joint.
// expected-error@+1 {{cannot partition '@plain': it has no descriptors; aot-partition needs an L1 joint function with an 'aot.desc' on every argument and result}}
func.func @plain(%a: tensor<4xf32>) -> tensor<4xf32> {
  %n = "aten.neg"(%a) : (tensor<4xf32>) -> tensor<4xf32>
  func.return %n : tensor<4xf32>
}

// -----

// A forward output computed from a tangent cannot run before the backward.
// expected-error@+1 {{cannot partition '@tangent_in_forward': forward output 0 (PlainAOTOutput(idx=0)) depends on a tangent or backward input}}
func.func @tangent_in_forward(%primals_1: tensor<4xf32> {aot.desc = #aot.param<"w">}, %tangents_1: tensor<4xf32> {aot.desc = #aot.tangent<#aot.plain_out<0>>}) -> (tensor<4xf32> {aot.desc = #aot.plain_out<0>}, tensor<4xf32> {aot.desc = #aot.grad<#aot.param<"w">>}) {
  %out = "aten.mul.Tensor"(%primals_1, %tangents_1) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %out, %tangents_1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// The pass will not overwrite an existing symbol (declarations are not joints: skipped).
func.func private @taken_forward()
// expected-error@+1 {{cannot partition '@taken': the module already defines '@taken_forward'}}
func.func @taken(%primals_1: tensor<4xf32> {aot.desc = #aot.param<"w">}, %tangents_1: tensor<4xf32> {aot.desc = #aot.tangent<#aot.plain_out<0>>}) -> (tensor<4xf32> {aot.desc = #aot.plain_out<0>}, tensor<4xf32> {aot.desc = #aot.grad<#aot.param<"w">>}) {
  %out = "aten.neg"(%primals_1) : (tensor<4xf32>) -> tensor<4xf32>
  func.return %out, %tangents_1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// A forward function that already returns saved values is not a joint.
// expected-error@+1 {{cannot partition '@already_partitioned': result 1 (SavedForBackwardsAOTOutput(idx=0)) is a value saved for the backward, so this is already a partitioned forward function; aot-partition takes an L1 joint}}
func.func @already_partitioned(%w: tensor<4xf32> {aot.desc = #aot.param<"w">}) -> (tensor<4xf32> {aot.desc = #aot.plain_out<0>}, tensor<4xf32> {aot.desc = #aot.saved_for_backwards<0>}) {
  %n = aten.neg %w : (tensor<4xf32>) -> tensor<4xf32>
  func.return %n, %w : tensor<4xf32>, tensor<4xf32>
}

// -----

// An L0 joint (in-place ops on references) must be functionalized first.
func.func @l0_joint(%w: tensor<4xf32> {aot.desc = #aot.param<"w">}, %steps: !aten.ref<tensor<4xf32>> {aot.desc = #aot.buffer<"steps">}, %t: tensor<4xf32> {aot.desc = #aot.tangent<#aot.plain_out<0>>}) -> (tensor<4xf32> {aot.desc = #aot.plain_out<0>}, tensor<4xf32> {aot.desc = #aot.grad<#aot.param<"w">>}, none {aot.desc = #aot.none_grad<#aot.buffer<"steps">>}) {
  // expected-error@+1 {{cannot partition '@l0_joint': 'aten.add_.Scalar' writes its operand in place; aot-partition takes a functional L1 joint (run aot-functionalize first)}}
  %0 = aten.add_.Scalar %steps {other = 1} : (!aten.ref<tensor<4xf32>>) -> !aten.ref<tensor<4xf32>>
  %y = aten.mul.Tensor %w, %steps : (tensor<4xf32>, !aten.ref<tensor<4xf32>>) -> tensor<4xf32>
  %n = "aot.none"() : () -> none
  func.return %y, %t, %n : tensor<4xf32>, tensor<4xf32>, none
}
