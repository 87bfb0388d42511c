// Ops whose results are numbers (`SymInt`, `Scalar`: a builtin `i64`/`f32`/`i1` value,
// not a tensor), a data-dependent result shape (`nonzero`) and `randperm`: they verify
// and round-trip.
// RUN: joinery-opt %s | FileCheck %s
// RUN: joinery-opt %s | joinery-opt | FileCheck %s
// RUN: joinery-opt --print-op-generic %s | joinery-opt | FileCheck %s

// CHECK-LABEL: func.func @numbers
func.func @numbers(%x: tensor<2x3xf32>, %one: tensor<1x1xi1>) -> (i64, i64, i64, i64, i1) {
  // CHECK: aten.sym_size.int %{{.*}} {dim = -1 : i64} : (tensor<2x3xf32>) -> i64
  %s = aten.sym_size.int %x {dim = -1 : i64} : (tensor<2x3xf32>) -> i64
  // CHECK: aten.sym_stride.int %{{.*}} {dim = 0 : i64} : (tensor<2x3xf32>) -> i64
  %t = aten.sym_stride.int %x {dim = 0 : i64} : (tensor<2x3xf32>) -> i64
  // CHECK: aten.sym_numel %{{.*}} : (tensor<2x3xf32>) -> i64
  %n = aten.sym_numel %x : (tensor<2x3xf32>) -> i64
  // CHECK: aten.sym_storage_offset %{{.*}} : (tensor<2x3xf32>) -> i64
  %o = aten.sym_storage_offset %x : (tensor<2x3xf32>) -> i64
  // CHECK: aten._local_scalar_dense %{{.*}} : (tensor<1x1xi1>) -> i1
  %b = aten._local_scalar_dense %one : (tensor<1x1xi1>) -> i1
  func.return %s, %t, %n, %o, %b : i64, i64, i64, i64, i1
}

// CHECK-LABEL: func.func @data_dependent
func.func @data_dependent(%m: tensor<4x5xf32>) -> (tensor<?x2xi64>, tensor<7xi64>, tensor<3xf32>) {
  // CHECK: aten.nonzero %{{.*}} : (tensor<4x5xf32>) -> tensor<?x2xi64>
  %nz = aten.nonzero %m : (tensor<4x5xf32>) -> tensor<?x2xi64>
  // CHECK: aten.randperm {n = 7 : i64} : () -> tensor<7xi64>
  %p = aten.randperm {n = 7 : i64} : () -> tensor<7xi64>
  // CHECK: aten.randperm {dtype = f32, n = 3 : i64} : () -> tensor<3xf32>
  %q = aten.randperm {dtype = f32, n = 3 : i64} : () -> tensor<3xf32>
  func.return %nz, %p, %q : tensor<?x2xi64>, tensor<7xi64>, tensor<3xf32>
}
