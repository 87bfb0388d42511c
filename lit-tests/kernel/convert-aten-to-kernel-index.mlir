// RUN: joinery-opt %s --convert-aten-to-kernel | FileCheck %s
// RUN: joinery-opt %s --convert-aten-to-kernel --kernel-fuse --kernel-plan-memory --verify-roundtrip | FileCheck %s --check-prefix=PLANNED

// convert-aten-to-kernel on index-driven moves: one kernel.gather or kernel.scatter each,
// views of the data and of the indices composed into their maps (nothing copied first),
// each naming the aten op and its position for the run-time index check.

// CHECK-LABEL: func.func @embedding$rows
// CHECK:         "kernel.gather"(%w, %i, %{{.*}}) <{bounds = [10], dims = [0], index_maps = {{\[}}[0, 3, 1, 0]], index_strides = [4]
// CHECK-SAME:      out_map = [0, 12, 4, 1], source = "aten.embedding at {{.*}}convert-aten-to-kernel-index.mlir:[[@LINE+3]]:3", space = [2, 3, 4], src_map = [0, 0, 0, 1], wrap = false}>
// PLANNED-LABEL: func.func @embedding$rows
func.func @embedding$rows(%w: tensor<10x4xf32>, %i: tensor<2x3xi64>) -> tensor<2x3x4xf32> {
  %e = aten.embedding %w, %i : (tensor<10x4xf32>, tensor<2x3xi64>) -> tensor<2x3x4xf32>
  func.return %e : tensor<2x3x4xf32>
}

// Advanced indexing with a `none` entry between two index tensors: the broadcast index
// dims come first, the sliced dim after; a transposed input is read through its strides.
// CHECK-LABEL: func.func @index$non_adjacent
// CHECK:         "kernel.gather"(%y, %i, %j, %{{.*}}) <{bounds = [4, 2], dims = [0, 2]
// CHECK-SAME:      index_maps = {{\[}}[0, 1, 1, 0], [0, 0, 1, 0]], index_strides = [1, 12]
// CHECK-SAME:      space = [3, 1, 3], src_map = [0, 0, 0, 4], wrap = true}>
func.func @index$non_adjacent(%y: tensor<2x3x4xf32>, %i: tensor<3x1xi64>, %j: tensor<1xi64>) -> tensor<3x1x3xf32> {
  %none = "aot.none"() : () -> none
  %x = aten.permute %y {dims = [2, 1, 0]} : (tensor<2x3x4xf32>) -> tensor<4x3x2xf32>
  %r = "aten.index.Tensor"(%x, %i, %none, %j) : (tensor<4x3x2xf32>, tensor<3x1xi64>, none, tensor<1xi64>) -> tensor<3x1x3xf32>
  func.return %r : tensor<3x1x3xf32>
}

// A scatter starts from a copy of `self`, then adds at the indexed rows (a negative index
// is out of range, as in PyTorch; `index` wraps it).
// CHECK-LABEL: func.func @scatter_add$rows
// CHECK:         "kernel.fused"(%x, %[[OUT:.*]]) <{{.*}}sources = ["aten.scatter_add (copy)"]
// CHECK:         "kernel.scatter"(%s, %i, %[[OUT]]) <{accumulate = true, bounds = [5], dims = [0], index_maps = {{\[}}[0, 4, 1]], index_strides = [4], out_map = [0, 0, 1]
// CHECK-SAME:      space = [2, 4], src_map = [0, 4, 1], wrap = false}>
// PLANNED-LABEL: func.func @scatter_add$rows
// PLANNED:         "kernel.scatter"
func.func @scatter_add$rows(%x: tensor<5x4xf32>, %i: tensor<2x4xi64>, %s: tensor<2x4xf32>) -> tensor<5x4xf32> {
  %r = aten.scatter_add %x, %i, %s {dim = 0 : i64} : (tensor<5x4xf32>, tensor<2x4xi64>, tensor<2x4xf32>) -> tensor<5x4xf32>
  func.return %r : tensor<5x4xf32>
}

// Ops along a dim are lane steps over a space with that dim last: topk is an argsort of
// the positions, then a gather of the values at them.
// CHECK-LABEL: func.func @topk$outer_dim
// CHECK:         "kernel.argsort"(%x, %[[I:.*]]) <{descending = true, k = 2 : i64, out_map = [0, 1, 4], source = "aten.topk", space = [4, 3], src_map = [0, 1, 4]}>
// CHECK:         "kernel.gather"(%x, %[[I]], %{{.*}}) <{bounds = [3], dims = [0], index_maps = {{\[}}[0, 4, 1]], index_strides = [4], out_map = [0, 4, 1]
// CHECK-SAME:      space = [2, 4], src_map = [0, 0, 1], wrap = false}>
// CHECK-LABEL: func.func @cumsum$int
// CHECK:         "kernel.fused"(%x, %[[L:.*]]) <{{.*}}sources = ["aten.cumsum"]
// CHECK:         "kernel.cumsum"(%[[L]], %{{.*}}) <{out_map = [0, 1, 4], source = "aten.cumsum", space = [4, 3], src_map = [0, 1, 4]}>
func.func @topk$outer_dim(%x: tensor<3x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xi64>) {
  %v, %i = aten.topk %x {k = 2 : i64, dim = 0 : i64} : (tensor<3x4xf32>) -> (tensor<2x4xf32>, tensor<2x4xi64>)
  func.return %v, %i : tensor<2x4xf32>, tensor<2x4xi64>
}
func.func @cumsum$int(%x: tensor<3x4xi32>) -> tensor<3x4xi64> {
  %c = aten.cumsum %x {dim = 0 : i64} : (tensor<3x4xi32>) -> tensor<3x4xi64>
  func.return %c : tensor<3x4xi64>
}

// masked_scatter: a running count of the mask's true elements (a cumsum) indexes
// `[0, source...]`; a mask with more true elements than the source is an index out of
// range at run time.
// CHECK-LABEL: func.func @masked_scatter$counted
// CHECK:         "kernel.cumsum"
// CHECK:         "kernel.gather"
// CHECK-SAME:      bounds = [6]
// CHECK-SAME:      source = "aten.masked_scatter at {{.*}}convert-aten-to-kernel-index.mlir:[[@LINE+3]]:3 (mask has more true elements than source's 5)"
// PLANNED-LABEL: func.func @masked_scatter$counted
func.func @masked_scatter$counted(%x: tensor<2x3xf32>, %m: tensor<2x1xi1>, %s: tensor<5xf32>) -> tensor<2x3xf32> {
  %r = "aten.masked_scatter"(%x, %m, %s) : (tensor<2x3xf32>, tensor<2x1xi1>, tensor<5xf32>) -> tensor<2x3xf32>
  func.return %r : tensor<2x3xf32>
}

// scatter_reduce amax without self: a stored scatter of the elements first (max(v, v)
// is v), then a max scatter into it.
// CHECK-LABEL: func.func @scatter_reduce$amax_without_self
// CHECK:         "kernel.scatter"
// CHECK-SAME:      accumulate = false
// CHECK:         "kernel.scatter"
// CHECK-SAME:      accumulate = true
// CHECK-SAME:      reduce = "max"
func.func @scatter_reduce$amax_without_self(%x: tensor<5xf32>, %i: tensor<3xi64>, %s: tensor<3xf32>) -> tensor<5xf32> {
  %r = aten.scatter_reduce.two %x, %i, %s {dim = 0 : i64, reduce = "amax", include_self = false} : (tensor<5xf32>, tensor<3xi64>, tensor<3xf32>) -> tensor<5xf32>
  func.return %r : tensor<5xf32>
}
