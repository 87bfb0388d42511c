// Ops and types the conversion cannot lower are errors at the op naming it, never a
// silent fallback.
// RUN: joinery-opt %s --convert-aten-to-kernel --split-input-file --verify-diagnostics
// RUN: not joinery-translate %s --to-kernels 2>&1 | FileCheck %s

// CHECK: error: the native backend does not support 'aten.embedding'
func.func @embedding$unsupported(%w: tensor<10x4xf32>, %i: tensor<3xi64>) -> tensor<3x4xf32> {
  // expected-error@+1 {{the native backend does not support 'aten.embedding'}}
  %e = "aten.embedding"(%w, %i) : (tensor<10x4xf32>, tensor<3xi64>) -> tensor<3x4xf32>
  func.return %e : tensor<3x4xf32>
}

// -----

// expected-error@+1 {{argument #0 of the function has type that the native backend does not support (it needs statically shaped tensors)}}
func.func @dynamic$unsupported(%x: tensor<?xf32>) -> tensor<?xf32> {
  %t = "aten.tanh"(%x) : (tensor<?xf32>) -> tensor<?xf32>
  func.return %t : tensor<?xf32>
}
