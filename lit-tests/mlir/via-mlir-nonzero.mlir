// Run-time shapes and numbers through MLIR. A number (sym_size.int, _local_scalar_dense)
// is a 0-d tensor, as the interpreter holds it: sym_* of static extents are constants,
// of nonzero's run-time row count a tensor.dim. nonzero counts its nonzero elements (a
// linalg.generic reduction), makes that many rows (tensor.empty with a dynamic extent)
// and fills them in order in an scf.for over the flattened input carrying the next row.
// --via-mlir passes a buffer of the most rows (one per element) and reads back the count.
// RUN: joinery-translate --to-mlir %s | FileCheck %s
// RUN: joinery-translate --to-mlir %s | mlir-opt | FileCheck %s --check-prefix=UPSTREAM
// RUN: rm -rf %t && mkdir -p %t/in %t/zeros
// RUN: %python %S/Inputs/npy.py write %t/in/arg0.npy 3x4 0 1.5 0 -2 nan 0 0 0 0.25 0 3 0
// RUN: %python %S/Inputs/npy.py write %t/in/arg1.npy 1x1 -0.75
// RUN: joinery-run --interpret %s --fn rows --inputs %t/in --outputs %t/interp
// RUN: joinery-run --via-mlir %s --fn rows --inputs %t/in --outputs %t/mlir
// RUN: %python %S/Inputs/npy.py header %t/mlir/out0.npy | FileCheck %s --check-prefix=SHAPE
// RUN: diff %t/mlir/out0.npy %t/interp/out0.npy
// RUN: diff %t/mlir/out1.npy %t/interp/out1.npy
// RUN: diff %t/mlir/out2.npy %t/interp/out2.npy
// RUN: diff %t/mlir/out3.npy %t/interp/out3.npy
// RUN: diff %t/mlir/out4.npy %t/interp/out4.npy
// RUN: %python %S/Inputs/npy.py close %t/mlir/out5.npy %t/interp/out5.npy | FileCheck %s --check-prefix=SAME
// No nonzero element: no row.
// RUN: %python %S/Inputs/npy.py write %t/zeros/arg0.npy 2x2 0 0 0 0
// RUN: joinery-run --interpret %s --fn none --inputs %t/zeros --outputs %t/interp-none
// RUN: joinery-run --via-mlir %s --fn none --inputs %t/zeros --outputs %t/mlir-none
// RUN: %python %S/Inputs/npy.py header %t/mlir-none/out0.npy | FileCheck %s --check-prefix=NOROW
// RUN: diff %t/mlir-none/out0.npy %t/interp-none/out0.npy

// CHECK-LABEL: func.func @rows
// CHECK-SAME: -> (tensor<?x2xi64>, tensor<i64>, tensor<i64>, tensor<i64>, tensor<i64>, tensor<f32>)
// CHECK: linalg.generic
// CHECK: arith.cmpf une
// CHECK: %[[INIT:.*]] = tensor.empty(%{{.*}}) : tensor<?x2xi64>
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[INIT]], %{{.*}} = %{{.*}}) -> (tensor<?x2xi64>, index)
// CHECK: scf.if
// CHECK: tensor.insert
// CHECK: tensor.dim
// CHECK: tensor.from_elements
// CHECK: arith.constant 4 : i64
// CHECK: arith.constant 0 : i64
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}] : tensor<1x1xf32>
// UPSTREAM-LABEL: func.func @rows
// UPSTREAM: scf.for
// SHAPE: <i8 (5, 2)
// SAME: close
// NOROW: <i8 (0, 2)

func.func @rows(%x: tensor<3x4xf32>, %one: tensor<1x1xf32>) -> (tensor<?x2xi64>, i64, i64, i64, i64, f32) {
  %nz = aten.nonzero %x : (tensor<3x4xf32>) -> tensor<?x2xi64>
  %n = aten.sym_size.int %nz {dim = 0 : i64} : (tensor<?x2xi64>) -> i64
  %s = aten.sym_stride.int %x {dim = 0 : i64} : (tensor<3x4xf32>) -> i64
  %e = aten.sym_numel %nz : (tensor<?x2xi64>) -> i64
  %o = aten.sym_storage_offset %x : (tensor<3x4xf32>) -> i64
  %v = aten._local_scalar_dense %one : (tensor<1x1xf32>) -> f32
  func.return %nz, %n, %s, %e, %o, %v : tensor<?x2xi64>, i64, i64, i64, i64, f32
}

func.func @none(%x: tensor<2x2xf32>) -> tensor<?x2xi64> {
  %nz = aten.nonzero %x : (tensor<2x2xf32>) -> tensor<?x2xi64>
  func.return %nz : tensor<?x2xi64>
}
