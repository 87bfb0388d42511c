// aot-functionalize diagnostics: what it cannot prove safe, naming the op.
// RUN: joinery-opt %s --split-input-file --verify-diagnostics --allow-unregistered-dialect --aot-functionalize

// An op the pass knows nothing about takes a reference: it might write or alias it.
func.func @opaque$unknown_op(%x: !aten.ref<tensor<4xf32>>) -> tensor<4xf32> {
  // expected-error@+1 {{'mystery.scale_' takes or returns a mutable !aten.ref tensor, and aot-functionalize cannot tell whether it writes or aliases it; inline it or pass values}}
  %0 = "mystery.scale_"(%x) : (!aten.ref<tensor<4xf32>>) -> !aten.ref<tensor<4xf32>>
  %v = aten.ref_to_value %x : (!aten.ref<tensor<4xf32>>) -> tensor<4xf32>
  func.return %v : tensor<4xf32>
}

// -----

func.func private @callee(!aten.ref<tensor<4xf32>>)

func.func @opaque$call(%x: !aten.ref<tensor<4xf32>>) {
  // expected-error@+1 {{'func.call' takes or returns a mutable !aten.ref tensor}}
  func.call @callee(%x) : (!aten.ref<tensor<4xf32>>) -> ()
  func.return
}

// -----

// Writing through an expanded view writes one element several times.
func.func @mutation$through_expand(%x: tensor<f32>) -> tensor<4xf32> {
  %b = aten.value_to_ref %x : (tensor<f32>) -> !aten.ref<tensor<f32>>
  // expected-error@+1 {{cannot write through 'aten.expand': an expanded view holds one element in several places (PyTorch rejects such in-place writes too)}}
  %e = aten.expand %b {size = [4]} : (!aten.ref<tensor<f32>>) -> !aten.ref<tensor<4xf32>>
  %m = aten.mul_.Scalar %e {other = 2} : (!aten.ref<tensor<4xf32>>) -> !aten.ref<tensor<4xf32>>
  %v = aten.ref_to_value %e : (!aten.ref<tensor<4xf32>>) -> tensor<4xf32>
  func.return %v : tensor<4xf32>
}

// -----

// reshape aliases or copies depending on strides, which L0 does not model.
func.func @alias$reshape_of_ref(%x: !aten.ref<tensor<4xf32>>) -> tensor<2x2xf32> {
  // expected-error@+1 {{'aten.reshape' of an !aten.ref may copy or alias depending on strides; use 'aten.view' (alias) or 'aten.clone' + 'aten.view' (copy)}}
  %r = aten.reshape %x {shape = [2, 2]} : (!aten.ref<tensor<4xf32>>) -> !aten.ref<tensor<2x2xf32>>
  %v = aten.ref_to_value %r : (!aten.ref<tensor<2x2xf32>>) -> tensor<2x2xf32>
  func.return %v : tensor<2x2xf32>
}

// -----

// Two outputs alias one intermediate of a joint that has no intermediate-base slot.
// expected-error@+1 {{results 0, 1 alias one intermediate, so PyTorch returns its base as #aot.intermediate_base<PlainAOTOutput> with a tangent, which this joint lacks; re-export it or functionalize before building the joint}}
func.func @alias$joint_without_intermediate_base(%w: tensor<4xf32> {aot.desc = #aot.param<"w">}) -> (!aten.ref<tensor<2x2xf32>> {aot.desc = #aot.plain_out<0>}, !aten.ref<tensor<3xf32>> {aot.desc = #aot.plain_out<1>}, tensor<4xf32> {aot.desc = #aot.grad<#aot.param<"w">>}) {
  %m = aten.mul.Tensor %w, %w : (tensor<4xf32>, tensor<4xf32>) -> !aten.ref<tensor<4xf32>>
  %v = aten.view %m {size = [2, 2]} : (!aten.ref<tensor<4xf32>>) -> !aten.ref<tensor<2x2xf32>>
  %s = aten.slice.Tensor %m {dim = 0, start = 1} : (!aten.ref<tensor<4xf32>>) -> !aten.ref<tensor<3xf32>>
  func.return %v, %s, %w : !aten.ref<tensor<2x2xf32>>, !aten.ref<tensor<3xf32>>, tensor<4xf32>
}

// -----

// References inside a nested region are out of reach.
func.func @control$nested_region(%x: !aten.ref<tensor<4xf32>>) {
  "test.region"() ({
    // expected-error@+1 {{'aten.add_.Scalar' uses an !aten.ref tensor inside a nested region, which aot-functionalize does not handle}}
    %0 = aten.add_.Scalar %x {other = 1} : (!aten.ref<tensor<4xf32>>) -> !aten.ref<tensor<4xf32>>
    "test.yield"() : () -> ()
  }) : () -> ()
  func.return
}

// -----

// An `out=` overload whose `out` is a value cannot be written (the verifier says so).
func.func @error$out_value(%y: tensor<3xf32>, %x: tensor<3xf32>, %o: !aten.ref<tensor<3xf32>>) -> tensor<3xf32> {
  %v = aten.ref_to_value %o : (!aten.ref<tensor<3xf32>>) -> tensor<3xf32>
  // expected-error@+1 {{aten.atan2.out writes 'out', which must be a mutable reference !aten.ref<...>, not a tensor value}}
  %r = aten.atan2.out %y, %x, %v : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  func.return %r : tensor<3xf32>
}
