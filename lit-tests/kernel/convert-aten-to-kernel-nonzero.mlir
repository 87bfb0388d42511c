// RUN: joinery-opt %s --convert-aten-to-kernel | FileCheck %s
// RUN: joinery-opt %s --convert-aten-to-kernel --kernel-fuse --kernel-plan-memory --verify-roundtrip | FileCheck %s --check-prefix=PLANNED

// convert-aten-to-kernel on aten.nonzero, whose row count is known only at run time: one
// kernel.nonzero writes the rows into a buffer sized for every element and their number
// into a 0-d i64 buffer; the result is kernel.rows of the two, the declared
// tensor<?xRxi64>. sym_size.int of dim 0 reads the count itself.

// CHECK-LABEL: func.func @nonzero$result
// CHECK:         %[[ROWS:.*]] = kernel.alloc {output = 0 : i64} : () -> tensor<12x2xi64>
// CHECK:         %[[COUNT:.*]] = kernel.alloc : () -> tensor<i64>
// CHECK:         "kernel.nonzero"(%x, %[[ROWS]], %[[COUNT]]) <{source = "aten.nonzero", space = [3, 4], src_map = [0, 4, 1]}>
// CHECK:         %[[R:.*]] = kernel.rows %[[ROWS]], %[[COUNT]] : (tensor<12x2xi64>, tensor<i64>) -> tensor<?x2xi64>
// CHECK:         func.return %[[R]] : tensor<?x2xi64>
// PLANNED-LABEL: func.func @nonzero$result
// PLANNED:         kernel.alloc {offset = 0 : i64} : () -> tensor<i64>
// PLANNED:         kernel.rows
func.func @nonzero$result(%x: tensor<3x4xf32>) -> tensor<?x2xi64> {
  %nz = aten.nonzero %x : (tensor<3x4xf32>) -> tensor<?x2xi64>
  func.return %nz : tensor<?x2xi64>
}

// A view is read through its strides (nothing copied first); the count is also a result
// of its own, through sym_size.int, and the static dim 1 a constant.
// CHECK-LABEL: func.func @nonzero$transposed_counted
// CHECK:         %[[ROWS:.*]] = kernel.alloc {output = 0 : i64} : () -> tensor<6x2xi64>
// CHECK:         %[[COUNT:.*]] = kernel.alloc {output = 1 : i64} : () -> i64
// CHECK:         "kernel.nonzero"(%m, %[[ROWS]], %[[COUNT]]) <{source = "aten.nonzero", space = [3, 2], src_map = [0, 1, 3]}>
// CHECK:         %[[R:.*]] = kernel.rows %[[ROWS]], %[[COUNT]]
// CHECK:         func.return %[[R]], %[[COUNT]], %{{.*}} : tensor<?x2xi64>, i64, i64
func.func @nonzero$transposed_counted(%m: tensor<2x3xi1>) -> (tensor<?x2xi64>, i64, i64) {
  %t = aten.t %m : (tensor<2x3xi1>) -> tensor<3x2xi1>
  %nz = aten.nonzero %t : (tensor<3x2xi1>) -> tensor<?x2xi64>
  %n = "aten.sym_size.int"(%nz) {dim = 0 : i64} : (tensor<?x2xi64>) -> i64
  %c = "aten.sym_size.int"(%nz) {dim = 1 : i64} : (tensor<?x2xi64>) -> i64
  func.return %nz, %n, %c : tensor<?x2xi64>, i64, i64
}
