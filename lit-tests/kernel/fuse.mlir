// RUN: joinery-opt %s --kernel-fuse | FileCheck %s
// RUN: joinery-opt %s --kernel-fuse --pass-statistics 2>&1 >/dev/null | FileCheck %s --check-prefix=STATS

// STATS: KernelFuse
// STATS: 3 collapsed
// STATS: 5 merges

// add -> tanh -> sum: one loop nest; tanh's store stays (it is a result), add's goes
// with its buffer.
// CHECK-LABEL: func.func @chain$fuses
// CHECK-NOT:     kernel.alloc :
// CHECK:         kernel.fill
// CHECK:         "kernel.fused"(%x, %b, %[[SUM:.*]], %[[T:.*]]) <{in_maps = {{\[}}[0, 3, 1], [0, 0, 1]]
// CHECK-SAME:      out_kinds = ["sum", "store"]
// CHECK-SAME:      sources = ["aten.add.Tensor", "aten.tanh", "aten.sum.dim_IntList"]
// CHECK:           %[[A:.*]] = kernel.add
// CHECK:           %[[TH:.*]] = kernel.tanh %[[A]]
// CHECK:           "kernel.yield"(%[[TH]], %[[TH]])
// CHECK-NOT:     "kernel.fused"
// CHECK:         func.return

// The consumer reads the producer through a transpose: the value is not in a register
// at that point of the loop nest, so the pair is left alone. The producer's loop nest collapses to one loop; the
// transposed reader's cannot.
// CHECK-LABEL: func.func @transpose$not_fused
// CHECK:         "kernel.fused"
// CHECK-SAME:      sources = ["aten.exp"], space = [16]
// CHECK:         "kernel.fused"
// CHECK-SAME:      sources = ["aten.neg"], space = [4, 4]

// A GEMM between exp and mul reads exp's buffer: the merged kernel goes where exp was,
// with sigmoid (which mul needs) hoisted above it, and keeps exp's store for the GEMM.
// CHECK-LABEL: func.func @gemm_between$hoisted
// CHECK:         "kernel.fused"
// CHECK-SAME:      out_kinds = ["store", "store"]
// CHECK-SAME:      sources = ["aten.sigmoid", "aten.exp", "aten.mul.Tensor"]
// CHECK:         "kernel.gemm"

// exp over [2, 4, 4] into a sum over the same elements seen as [8, 4]: both split into
// [2, 4, 4], merge, and the merged loop nest collapses to [8, 4].
// CHECK-LABEL: func.func @reshape$aligned
// CHECK-NOT:     kernel.alloc :
// CHECK:         "kernel.fused"(%x, %s) <{in_maps = {{\[}}[0, 4, 1]]
// CHECK-SAME:      out_maps = {{\[}}[0, 1, 0]]
// CHECK-SAME:      space = [8, 4]
// CHECK:           kernel.exp
  func.func @chain$fuses(%x: tensor<4x3xf32>, %b: tensor<3xf32>) -> (tensor<4x3xf32>, tensor<4x1xf32>) {
    %0 = kernel.alloc : () -> tensor<4x3xf32>
    %1 = kernel.alloc {output = 0 : i64} : () -> tensor<4x3xf32>
    %2 = kernel.alloc {output = 1 : i64} : () -> tensor<4x1xf32>
    "kernel.fused"(%x, %b, %0) <{in_maps = [[0, 3, 1], [0, 0, 1]], name = "chain$fuses_k0_add", num_inputs = 2 : i64, out_kinds = ["store"], out_maps = [[0, 3, 1]], sources = ["aten.add.Tensor"], space = [4, 3]}> ({
    ^bb0(%3: f32, %4: f32):
      %5 = kernel.add %3, %4 : (f32, f32) -> f32
      "kernel.yield"(%5) : (f32) -> ()
    }) : (tensor<4x3xf32>, tensor<3xf32>, tensor<4x3xf32>) -> ()
    "kernel.fused"(%0, %1) <{in_maps = [[0, 3, 1]], name = "chain$fuses_k1_tanh", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 3, 1]], sources = ["aten.tanh"], space = [4, 3]}> ({
    ^bb0(%6: f32):
      %7 = kernel.tanh %6 : (f32) -> f32
      "kernel.yield"(%7) : (f32) -> ()
    }) : (tensor<4x3xf32>, tensor<4x3xf32>) -> ()
    kernel.fill %2 {value = 0.0 : f64} : (tensor<4x1xf32>) -> ()
    "kernel.fused"(%1, %2) <{in_maps = [[0, 3, 1]], name = "chain$fuses_k2_sum", num_inputs = 1 : i64, out_kinds = ["sum"], out_maps = [[0, 1, 0]], sources = ["aten.sum.dim_IntList"], space = [4, 3]}> ({
    ^bb0(%8: f32):
      "kernel.yield"(%8) : (f32) -> ()
    }) : (tensor<4x3xf32>, tensor<4x1xf32>) -> ()
    func.return %1, %2 : tensor<4x3xf32>, tensor<4x1xf32>
  }
  func.func @transpose$not_fused(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
    %0 = kernel.alloc : () -> tensor<4x4xf32>
    %1 = kernel.alloc {output = 0 : i64} : () -> tensor<4x4xf32>
    "kernel.fused"(%x, %0) <{in_maps = [[0, 4, 1]], name = "transpose$not_fused_k0_exp", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 4, 1]], sources = ["aten.exp"], space = [4, 4]}> ({
    ^bb0(%2: f32):
      %3 = kernel.exp %2 : (f32) -> f32
      "kernel.yield"(%3) : (f32) -> ()
    }) : (tensor<4x4xf32>, tensor<4x4xf32>) -> ()
    "kernel.fused"(%0, %1) <{in_maps = [[0, 1, 4]], name = "transpose$not_fused_k1_neg", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 4, 1]], sources = ["aten.neg"], space = [4, 4]}> ({
    ^bb0(%4: f32):
      %5 = kernel.neg %4 : (f32) -> f32
      "kernel.yield"(%5) : (f32) -> ()
    }) : (tensor<4x4xf32>, tensor<4x4xf32>) -> ()
    func.return %1 : tensor<4x4xf32>
  }
  func.func @gemm_between$hoisted(%x: tensor<4x4xf32>, %y: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
    %0 = kernel.alloc : () -> tensor<4x4xf32>
    %1 = kernel.alloc {output = 0 : i64} : () -> tensor<4x4xf32>
    %2 = kernel.alloc : () -> tensor<4x4xf32>
    %3 = kernel.alloc {output = 1 : i64} : () -> tensor<4x4xf32>
    "kernel.fused"(%x, %0) <{in_maps = [[0, 4, 1]], name = "gemm_between$hoisted_k0_exp", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 4, 1]], sources = ["aten.exp"], space = [4, 4]}> ({
    ^bb0(%4: f32):
      %5 = kernel.exp %4 : (f32) -> f32
      "kernel.yield"(%5) : (f32) -> ()
    }) : (tensor<4x4xf32>, tensor<4x4xf32>) -> ()
    "kernel.gemm"(%0, %y, %1) <{a_map = [0, 0, 4, 1], accumulate = false, b_map = [0, 0, 4, 1], batch = 1 : i64, c_map = [0, 0, 4, 1], k = 4 : i64, m = 4 : i64, n = 4 : i64, sources = ["aten.mm"]}> : (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) -> ()
    "kernel.fused"(%y, %2) <{in_maps = [[0, 4, 1]], name = "gemm_between$hoisted_k1_sigmoid", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 4, 1]], sources = ["aten.sigmoid"], space = [4, 4]}> ({
    ^bb0(%6: f32):
      %7 = kernel.sigmoid %6 : (f32) -> f32
      "kernel.yield"(%7) : (f32) -> ()
    }) : (tensor<4x4xf32>, tensor<4x4xf32>) -> ()
    "kernel.fused"(%0, %2, %3) <{in_maps = [[0, 4, 1], [0, 4, 1]], name = "gemm_between$hoisted_k2_mul", num_inputs = 2 : i64, out_kinds = ["store"], out_maps = [[0, 4, 1]], sources = ["aten.mul.Tensor"], space = [4, 4]}> ({
    ^bb0(%8: f32, %9: f32):
      %10 = kernel.mul %8, %9 : (f32, f32) -> f32
      "kernel.yield"(%10) : (f32) -> ()
    }) : (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) -> ()
    func.return %1, %3 : tensor<4x4xf32>, tensor<4x4xf32>
  }
  func.func @reshape$aligned(%x: tensor<2x4x4xf32>) -> tensor<8x1xf32> {
    %e = kernel.alloc : () -> tensor<2x4x4xf32>
    %s = kernel.alloc {output = 0 : i64} : () -> tensor<8x1xf32>
    "kernel.fused"(%x, %e) <{in_maps = [[0, 16, 4, 1]], name = "exp", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 16, 4, 1]], sources = ["aten.exp"], space = [2, 4, 4]}> ({
    ^bb0(%v: f32):
      %r = kernel.exp %v : (f32) -> f32
      "kernel.yield"(%r) : (f32) -> ()
    }) : (tensor<2x4x4xf32>, tensor<2x4x4xf32>) -> ()
    kernel.fill %s {value = 0.0 : f64} : (tensor<8x1xf32>) -> ()
    "kernel.fused"(%e, %s) <{in_maps = [[0, 4, 1]], name = "sum", num_inputs = 1 : i64, out_kinds = ["sum"], out_maps = [[0, 1, 0]], sources = ["aten.sum.dim_IntList"], space = [8, 4]}> ({
    ^bb0(%v: f32):
      "kernel.yield"(%v) : (f32) -> ()
    }) : (tensor<2x4x4xf32>, tensor<8x1xf32>) -> ()
    func.return %s : tensor<8x1xf32>
  }
