// Number results and data-dependent shapes: each misuse is a located error.
// RUN: joinery-opt %s --split-input-file --verify-diagnostics

func.func @size_as_tensor(%x: tensor<2x3xf32>) {
  // expected-error@+1 {{aten.sym_size.int: result #0 is a number and must be declared i64}}
  %0 = aten.sym_size.int %x {dim = 0 : i64} : (tensor<2x3xf32>) -> tensor<i64>
  func.return
}

// -----

func.func @size_of_0d(%x: tensor<f32>) {
  // expected-error@+1 {{aten.sym_size.int: dimension specified as 0 but tensor has no dimensions}}
  %0 = aten.sym_size.int %x {dim = 0 : i64} : (tensor<f32>) -> i64
  func.return
}

// -----

func.func @item_of_many(%x: tensor<2xf32>) {
  // expected-error@+1 {{aten._local_scalar_dense: a Tensor with 2 elements cannot be converted to Scalar}}
  %0 = aten._local_scalar_dense %x : (tensor<2xf32>) -> f32
  func.return
}

// -----

func.func @item_wrong_type(%x: tensor<1xf32>) {
  // expected-error@+1 {{aten._local_scalar_dense: result #0 is a number and must be declared f32}}
  %0 = aten._local_scalar_dense %x : (tensor<1xf32>) -> f64
  func.return
}

// -----

func.func @nonzero_columns(%x: tensor<2x3xf32>) {
  // expected-error@+1 {{aten.nonzero: result #0 is declared tensor<?x3xi64> but inferred tensor<?x2xi64>}}
  %0 = aten.nonzero %x : (tensor<2x3xf32>) -> tensor<?x3xi64>
  func.return
}

// -----

func.func @randperm_negative() {
  // expected-error@+1 {{aten.randperm: n must be non-negative, got -1}}
  %0 = aten.randperm {n = -1 : i64} : () -> tensor<0xi64>
  func.return
}
