// The kernel dialect (L3) written by hand: it parses, verifies and round-trips.
// RUN: joinery-opt %s | FileCheck %s
// RUN: joinery-opt %s --verify-roundtrip | joinery-opt | FileCheck %s
// RUN: joinery-opt %s --print-op-generic | joinery-opt | FileCheck %s

// CHECK-LABEL: func.func @relu_sum$planned
// CHECK:         %[[T:.*]] = kernel.alloc {offset = 0 : i64} : () -> tensor<4x3xf32>
// CHECK:         %[[S:.*]] = kernel.alloc {output = 0 : i64} : () -> tensor<4x1xf32>
// CHECK:         kernel.fill %[[S]] {value = 0.0 : f64}
// CHECK:         "kernel.fused"(%x, %[[T]]) <{in_maps = {{\[}}[0, 3, 1]], name = "relu"
// CHECK:           %[[Z:.*]] = kernel.const {value = 0.0 : f64} : () -> f32
// CHECK:           kernel.max %{{.*}}, %[[Z]] : (f32, f32) -> f32
// CHECK:         "kernel.fused"(%[[T]], %[[S]])
// CHECK-SAME:      out_kinds = ["sum"]
// CHECK:         "kernel.gemm"(%x, %w, %{{.*}}) <{a_map = [0, 0, 3, 1], accumulate = false
// CHECK:         func.return %[[S]], %{{.*}}
func.func @relu_sum$planned(%x: tensor<4x3xf32>, %w: tensor<3x2xf32>) -> (tensor<4x1xf32>, tensor<4x2xf32>) {
  %t = kernel.alloc {offset = 0 : i64} : () -> tensor<4x3xf32>
  %s = kernel.alloc {output = 0 : i64} : () -> tensor<4x1xf32>
  %m = kernel.alloc {output = 1 : i64} : () -> tensor<4x2xf32>
  kernel.fill %s {value = 0.0 : f64} : (tensor<4x1xf32>) -> ()
  "kernel.fused"(%x, %t) <{in_maps = [[0, 3, 1]], name = "relu", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 3, 1]], sources = ["aten.relu"], space = [4, 3]}> ({
  ^bb0(%a: f32):
    %zero = kernel.const {value = 0.0 : f64} : () -> f32
    %r = kernel.max %a, %zero : (f32, f32) -> f32
    "kernel.yield"(%r) : (f32) -> ()
  }) : (tensor<4x3xf32>, tensor<4x3xf32>) -> ()
  "kernel.fused"(%t, %s) <{in_maps = [[0, 3, 1]], name = "sum", num_inputs = 1 : i64, out_kinds = ["sum"], out_maps = [[0, 1, 0]], sources = ["aten.sum.dim_IntList"], space = [4, 3]}> ({
  ^bb0(%a: f32):
    "kernel.yield"(%a) : (f32) -> ()
  }) : (tensor<4x3xf32>, tensor<4x1xf32>) -> ()
  "kernel.gemm"(%x, %w, %m) <{a_map = [0, 0, 3, 1], accumulate = false, b_map = [0, 0, 2, 1], batch = 1 : i64, c_map = [0, 0, 2, 1], k = 3 : i64, m = 4 : i64, n = 2 : i64, sources = ["aten.mm"]}> : (tensor<4x3xf32>, tensor<3x2xf32>, tensor<4x2xf32>) -> ()
  func.return %s, %m : tensor<4x1xf32>, tensor<4x2xf32>
}

// CHECK-LABEL: func.func @scalars$every_form
// CHECK:         kernel.index {dim = 1 : i64} : () -> i64
// CHECK:         kernel.cast
// CHECK:         kernel.cmp %{{.*}}, %{{.*}} {predicate = "lt"} : (f32, f32) -> i1
// CHECK:         kernel.select
func.func @scalars$every_form(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<2x2xf32>
  "kernel.fused"(%x, %o) <{in_maps = [[0, 2, 1]], name = "iota_select", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 2, 1]], sources = ["aten.where.self"], space = [2, 2]}> ({
  ^bb0(%a: f32):
    %i = kernel.index {dim = 1 : i64} : () -> i64
    %f = kernel.cast %i : (i64) -> f32
    %lt = kernel.cmp %a, %f {predicate = "lt"} : (f32, f32) -> i1
    %r = kernel.select %lt, %a, %f : (i1, f32, f32) -> f32
    "kernel.yield"(%r) : (f32) -> ()
  }) : (tensor<2x2xf32>, tensor<2x2xf32>) -> ()
  func.return %o : tensor<2x2xf32>
}

// Integer division and remainder carry the site a zero divisor's run-time error names.
// CHECK-LABEL: func.func @scalars$int_division
// CHECK:         kernel.div %{{.*}}, %{{.*}} {site = "aten.div.Tensor_mode at model.py:3"} : (i64, i64) -> i64
// CHECK:         kernel.rem %{{.*}}, %{{.*}} {site = "aten.fmod.Tensor at model.py:4"} : (i32, i32) -> i32
func.func @scalars$int_division(%x: tensor<4xi64>, %y: tensor<4xi32>) -> (tensor<4xi64>, tensor<4xi32>) {
  %q = kernel.alloc {output = 0 : i64} : () -> tensor<4xi64>
  %r = kernel.alloc {output = 1 : i64} : () -> tensor<4xi32>
  "kernel.fused"(%x, %y, %q, %r) <{in_maps = [[0, 1], [0, 1]], name = "divide", num_inputs = 2 : i64, out_kinds = ["store", "store"], out_maps = [[0, 1], [0, 1]], sources = ["aten.div.Tensor_mode", "aten.fmod.Tensor"], space = [4]}> ({
  ^bb0(%a: i64, %b: i32):
    %c = kernel.div %a, %a {site = "aten.div.Tensor_mode at model.py:3"} : (i64, i64) -> i64
    %d = kernel.rem %b, %b {site = "aten.fmod.Tensor at model.py:4"} : (i32, i32) -> i32
    "kernel.yield"(%c, %d) : (i64, i32) -> ()
  }) : (tensor<4xi64>, tensor<4xi32>, tensor<4xi64>, tensor<4xi32>) -> ()
  func.return %q, %r : tensor<4xi64>, tensor<4xi32>
}

// A row kernel: per point of its outer dim, each phase (region) runs over the inner dim
// before the next; the operands are split between the phases in order.
// CHECK-LABEL: func.func @softmax$row_kernel
// CHECK:         "kernel.fused"(%x, %x, %m, %x, %m, %s, %m, %s, %y) <{
// CHECK-SAME:      outer = 1 : i64, phases = {{\[}}[1, 1], [2, 1], [3, 1]]
// CHECK:         }, {
// CHECK:           kernel.exp
// CHECK:         }, {
// CHECK:           kernel.div
func.func @softmax$row_kernel(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %m = kernel.alloc : () -> tensor<4x1xf32>
  %s = kernel.alloc : () -> tensor<4x1xf32>
  %y = kernel.alloc {output = 0 : i64} : () -> tensor<4x8xf32>
  kernel.fill %m {value = 0xFFF0000000000000 : f64} : (tensor<4x1xf32>) -> ()
  kernel.fill %s {value = 0.0 : f64} : (tensor<4x1xf32>) -> ()
  "kernel.fused"(%x, %x, %m, %x, %m, %s, %m, %s, %y) <{in_maps = [[0, 8, 1], [0, 8, 1], [0, 1, 0], [0, 8, 1], [0, 1, 0], [0, 1, 0]], name = "softmax", num_inputs = 6 : i64, out_kinds = ["max", "sum", "store"], out_maps = [[0, 1, 0], [0, 1, 0], [0, 8, 1]], outer = 1 : i64, phases = [[1, 1], [2, 1], [3, 1]], sources = ["aten._softmax"], space = [4, 8]}> ({
  ^bb0(%a: f32):
    "kernel.yield"(%a) : (f32) -> ()
  }, {
  ^bb0(%a: f32, %mx: f32):
    %d = kernel.sub %a, %mx : (f32, f32) -> f32
    %e = kernel.exp %d : (f32) -> f32
    "kernel.yield"(%e) : (f32) -> ()
  }, {
  ^bb0(%a: f32, %mx: f32, %sum: f32):
    %d = kernel.sub %a, %mx : (f32, f32) -> f32
    %e = kernel.exp %d : (f32) -> f32
    %q = kernel.div %e, %sum : (f32, f32) -> f32
    "kernel.yield"(%q) : (f32) -> ()
  }) : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x1xf32>, tensor<4x8xf32>, tensor<4x1xf32>, tensor<4x1xf32>, tensor<4x1xf32>, tensor<4x1xf32>, tensor<4x8xf32>) -> ()
  func.return %y : tensor<4x8xf32>
}

// Moves through index buffers: a gather of embedding rows, and a scatter adding rows
// into a buffer filled first.
// An accumulating scatter may combine by a product, a max or a min instead of a sum.
// CHECK-LABEL: func.func @scatter$max
// CHECK:         "kernel.scatter"(%s, %i, %o) <{accumulate = true
// CHECK-SAME:      reduce = "max"
func.func @scatter$max(%s: tensor<3xf32>, %i: tensor<3xi64>) -> tensor<5xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<5xf32>
  kernel.fill %o {value = 0xFFF0000000000000 : f64} : (tensor<5xf32>) -> ()
  "kernel.scatter"(%s, %i, %o) <{accumulate = true, bounds = [5], dims = [0], index_maps = [[0, 1]], index_strides = [1], out_map = [0, 0], reduce = "max", source = "aten.scatter_reduce.two", space = [3], src_map = [0, 1], wrap = true}> : (tensor<3xf32>, tensor<3xi64>, tensor<5xf32>) -> ()
  func.return %o : tensor<5xf32>
}

// CHECK-LABEL: func.func @gather_scatter$planned
// CHECK:         "kernel.gather"(%w, %i, %[[E:.*]]) <{bounds = [10], dims = [0], index_maps = {{\[}}[0, 1, 0]], index_strides = [4], out_map = [0, 4, 1], source = "aten.embedding at model.mlir:3:3", space = [3, 4], src_map = [0, 0, 1], wrap = false}>
// CHECK:         kernel.fill %[[G:.*]] {value = 0.0 : f64}
// CHECK:         "kernel.scatter"(%[[E]], %i, %[[G]]) <{accumulate = true, bounds = [10]
func.func @gather_scatter$planned(%w: tensor<10x4xf32>, %i: tensor<3xi64>) -> (tensor<3x4xf32>, tensor<10x4xf32>) {
  %e = kernel.alloc {output = 0 : i64} : () -> tensor<3x4xf32>
  %g = kernel.alloc {output = 1 : i64} : () -> tensor<10x4xf32>
  "kernel.gather"(%w, %i, %e) <{bounds = [10], dims = [0], index_maps = [[0, 1, 0]], index_strides = [4], out_map = [0, 4, 1], source = "aten.embedding at model.mlir:3:3", space = [3, 4], src_map = [0, 0, 1], wrap = false}> : (tensor<10x4xf32>, tensor<3xi64>, tensor<3x4xf32>) -> ()
  kernel.fill %g {value = 0.0 : f64} : (tensor<10x4xf32>) -> ()
  "kernel.scatter"(%e, %i, %g) <{accumulate = true, bounds = [10], dims = [0], index_maps = [[0, 1, 0]], index_strides = [4], out_map = [0, 0, 1], source = "aten.embedding_dense_backward", space = [3, 4], src_map = [0, 4, 1], wrap = false}> : (tensor<3x4xf32>, tensor<3xi64>, tensor<10x4xf32>) -> ()
  func.return %e, %g : tensor<3x4xf32>, tensor<10x4xf32>
}

// Lane steps: running sums along rows, and the positions of each row's largest two.
// CHECK-LABEL: func.func @lanes$planned
// CHECK:         "kernel.cumsum"(%x, %{{.*}}) <{out_map = [0, 4, 1], source = "aten.cumsum", space = [3, 4], src_map = [0, 4, 1]}>
// CHECK:         "kernel.argsort"(%x, %{{.*}}) <{descending = true, k = 2 : i64, out_map = [0, 2, 1], source = "aten.topk", space = [3, 4], src_map = [0, 4, 1]}>
func.func @lanes$planned(%x: tensor<3x4xf32>) -> (tensor<3x4xf32>, tensor<3x2xi64>) {
  %c = kernel.alloc {output = 0 : i64} : () -> tensor<3x4xf32>
  %i = kernel.alloc {output = 1 : i64} : () -> tensor<3x2xi64>
  "kernel.cumsum"(%x, %c) <{out_map = [0, 4, 1], source = "aten.cumsum", space = [3, 4], src_map = [0, 4, 1]}> : (tensor<3x4xf32>, tensor<3x4xf32>) -> ()
  "kernel.argsort"(%x, %i) <{descending = true, k = 2 : i64, out_map = [0, 2, 1], source = "aten.topk", space = [3, 4], src_map = [0, 4, 1]}> : (tensor<3x4xf32>, tensor<3x2xi64>) -> ()
  func.return %c, %i : tensor<3x4xf32>, tensor<3x2xi64>
}
