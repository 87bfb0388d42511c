// RUN: joinery-opt %s --kernel-fuse | FileCheck %s
// RUN: joinery-opt %s --kernel-fuse --pass-statistics 2>&1 >/dev/null | FileCheck %s --check-prefix=STATS

// STATS: KernelFuse
// STATS: 4 merges

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
// at that point of the loop nest, so the pair is left alone.
// CHECK-LABEL: func.func @transpose$not_fused
// CHECK:         "kernel.fused"
// CHECK-SAME:      sources = ["aten.exp"]
// CHECK:         "kernel.fused"
// CHECK-SAME:      sources = ["aten.neg"]

// A GEMM between exp and mul reads exp's buffer: the merged kernel goes where exp was,
// with sigmoid (which mul needs) hoisted above it, and keeps exp's store for the GEMM.
// CHECK-LABEL: func.func @gemm_between$hoisted
// CHECK:         "kernel.fused"
// CHECK-SAME:      out_kinds = ["store", "store"]
// CHECK-SAME:      sources = ["aten.sigmoid", "aten.exp", "aten.mul.Tensor"]
// CHECK:         "kernel.gemm"
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

// Regression (issue 10): q reads p's output through a flip, so merging p into c would
// hoist w (which c needs) and the merged kernel above p; both use %u, allocated after p,
// so the pair is left alone.
// CHECK-LABEL: func.func @alloc_between$not_hoisted
// CHECK:         "kernel.fused"(%x, %[[T:.*]]) <{{.*}}name = "p"
// CHECK:         "kernel.fused"(%[[T]], %{{.*}}) <{{.*}}name = "q"
// CHECK:         %[[U:.*]] = kernel.alloc : () -> tensor<4xf32>
// CHECK:         "kernel.fused"(%x, %[[U]]) <{{.*}}name = "w"
// CHECK:         "kernel.fused"(%[[T]], %[[U]], %{{.*}}) <{{.*}}name = "c"
func.func @alloc_between$not_hoisted(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %t = kernel.alloc : () -> tensor<4xf32>
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4xf32>
  %r = kernel.alloc {output = 1 : i64} : () -> tensor<4xf32>
  "kernel.fused"(%x, %t) <{in_maps = [[0, 1]], name = "p", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = ["aten.neg"], space = [4]}> ({
  ^bb0(%a: f32):
    %n = kernel.neg %a : (f32) -> f32
    "kernel.yield"(%n) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  "kernel.fused"(%t, %r) <{in_maps = [[3, -1]], name = "q", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = ["aten.flip"], space = [4]}> ({
  ^bb0(%a: f32):
    "kernel.yield"(%a) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  %u = kernel.alloc : () -> tensor<4xf32>
  "kernel.fused"(%x, %u) <{in_maps = [[0, 1]], name = "w", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = ["aten.abs"], space = [4]}> ({
  ^bb0(%a: f32):
    %e = kernel.abs %a : (f32) -> f32
    "kernel.yield"(%e) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  "kernel.fused"(%t, %u, %o) <{in_maps = [[0, 1], [3, -1]], name = "c", num_inputs = 2 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = ["aten.add.Tensor"], space = [4]}> ({
  ^bb0(%a: f32, %b: f32):
    %s = kernel.add %a, %b : (f32, f32) -> f32
    "kernel.yield"(%s) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> ()
  func.return %o, %r : tensor<4xf32>, tensor<4xf32>
}
