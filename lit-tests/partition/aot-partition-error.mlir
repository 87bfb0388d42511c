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
