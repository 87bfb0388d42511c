// RUN: joinery-opt %s --kernel-coalesce-dims | FileCheck %s
// RUN: joinery-opt %s --kernel-coalesce-dims --pass-statistics 2>&1 >/dev/null | FileCheck %s --check-prefix=STATS

// STATS: KernelCoalesceDims
// STATS: 3 kernels-coalesced

// A contiguous 3-d loop nest is one loop; a unit dimension disappears.
// CHECK-LABEL: func.func @contiguous$one_loop
// CHECK:         in_maps = {{\[}}[0, 1]]
// CHECK-SAME:    out_maps = {{\[}}[0, 1]]
// CHECK-SAME:    space = [512]
func.func @contiguous$one_loop(%x: tensor<4x1x8x16xf32>) -> tensor<4x1x8x16xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4x1x8x16xf32>
  "kernel.fused"(%x, %o) <{in_maps = [[0, 128, 128, 16, 1]], name = "neg", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 128, 128, 16, 1]], sources = ["aten.neg"], space = [4, 1, 8, 16]}> ({
  ^bb0(%a: f32):
    %n = kernel.neg %a : (f32) -> f32
    "kernel.yield"(%n) : (f32) -> ()
  }) : (tensor<4x1x8x16xf32>, tensor<4x1x8x16xf32>) -> ()
  func.return %o : tensor<4x1x8x16xf32>
}

// A broadcast bias walks the rows with stride 0: rows and columns stay apart, but the
// batch dimension merges into the rows.
// CHECK-LABEL: func.func @bias$rows_merge
// CHECK:         in_maps = {{\[}}[0, 16, 1], [0, 0, 1]]
// CHECK-SAME:    space = [32, 16]
func.func @bias$rows_merge(%x: tensor<4x8x16xf32>, %b: tensor<16xf32>) -> tensor<4x8x16xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4x8x16xf32>
  "kernel.fused"(%x, %b, %o) <{in_maps = [[0, 128, 16, 1], [0, 0, 0, 1]], name = "add", num_inputs = 2 : i64, out_kinds = ["store"], out_maps = [[0, 128, 16, 1]], sources = ["aten.add.Tensor"], space = [4, 8, 16]}> ({
  ^bb0(%a: f32, %c: f32):
    %s = kernel.add %a, %c : (f32, f32) -> f32
    "kernel.yield"(%s) : (f32) -> ()
  }) : (tensor<4x8x16xf32>, tensor<16xf32>, tensor<4x8x16xf32>) -> ()
  func.return %o : tensor<4x8x16xf32>
}

// A row sum keeps its reduced dimension apart; the kernel.index dimension is kept and
// renumbered after the unit dimension before it goes.
// CHECK-LABEL: func.func @row_sum$index_kept
// CHECK:         out_maps = {{\[}}[0, 1, 0]]
// CHECK-SAME:    space = [4, 8]
// CHECK:         kernel.index {dim = 1 : i64}
func.func @row_sum$index_kept(%x: tensor<1x4x8xf32>) -> tensor<1x4x1xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<1x4x1xf32>
  kernel.fill %o {value = 0.0 : f64} : (tensor<1x4x1xf32>) -> ()
  "kernel.fused"(%x, %o) <{in_maps = [[0, 32, 8, 1]], name = "sum", num_inputs = 1 : i64, out_kinds = ["sum"], out_maps = [[0, 4, 1, 0]], sources = ["aten.sum.dim_IntList"], space = [1, 4, 8]}> ({
  ^bb0(%a: f32):
    %i = kernel.index {dim = 2 : i64} : () -> i64
    %f = kernel.cast %i : (i64) -> f32
    %m = kernel.mul %a, %f : (f32, f32) -> f32
    "kernel.yield"(%m) : (f32) -> ()
  }) : (tensor<1x4x8xf32>, tensor<1x4x1xf32>) -> ()
  func.return %o : tensor<1x4x1xf32>
}

// A transposed read walks no two dimensions as one: left alone.
// CHECK-LABEL: func.func @transpose$not_coalesced
// CHECK:         space = [8, 4]
func.func @transpose$not_coalesced(%x: tensor<4x8xf32>) -> tensor<8x4xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<8x4xf32>
  "kernel.fused"(%x, %o) <{in_maps = [[0, 1, 8]], name = "t", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 4, 1]], sources = ["aten.t"], space = [8, 4]}> ({
  ^bb0(%a: f32):
    "kernel.yield"(%a) : (f32) -> ()
  }) : (tensor<4x8xf32>, tensor<8x4xf32>) -> ()
  func.return %o : tensor<8x4xf32>
}
