// aot-desugar-subclasses diagnostics.
// RUN: joinery-opt %s --split-input-file --verify-diagnostics --allow-unregistered-dialect --aot-desugar-subclasses

// An op outside the subclass protocol consumes a subclass value.
func.func @opaque$unknown_op(%x: !subclass.two_tensor<tensor<4xf32>, tensor<4xf32>>) -> tensor<4xf32> {
  // expected-error@+1 {{'mystery.op' takes or returns a tensor-subclass value; only subclass.unflatten, subclass.flatten, subclass.dispatch and func.return may, in the function's body}}
  %y = "mystery.op"(%x) : (!subclass.two_tensor<tensor<4xf32>, tensor<4xf32>>) -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}

// -----

// The declared result type is not what the TwoTensor rule produces.
func.func @dispatch$wrong_result(%x: !subclass.two_tensor<tensor<4xf32>, tensor<4xf32>>) -> tensor<4xf32> {
  // expected-error@+1 {{'subclass.dispatch' of 'aten.neg' declares result types that its subclass's rule does not produce: declared [tensor<4xf32>], the rule gives [tensor<4xf32> (subclass)]}}
  %y = subclass.dispatch %x {op = "aten.neg"} : (!subclass.two_tensor<tensor<4xf32>, tensor<4xf32>>) -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}

// -----

// Results with dynamic dims would need symbolic size pieces.
func.func @result$dynamic(%x: !subclass.two_tensor<tensor<?xf32>, tensor<?xf32>>) -> !subclass.two_tensor<tensor<?xf32>, tensor<?xf32>> {
  // expected-error@+1 {{result 0 is a tensor-subclass value with dynamic dims, whose symbolic sizes aot-desugar-subclasses cannot return yet}}
  func.return %x : !subclass.two_tensor<tensor<?xf32>, tensor<?xf32>>
}

// -----

// The verifier: a two_tensor's halves must look alike.
// expected-error@+1 {{the halves of a !subclass.two_tensor must look alike, but are tensor<4xf32> and tensor<3xf32>}}
func.func @type$mismatched_halves(%x: !subclass.two_tensor<tensor<4xf32>, tensor<3xf32>>) {
  func.return
}
