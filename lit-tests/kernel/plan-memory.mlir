// RUN: joinery-opt %s --kernel-plan-memory | FileCheck %s
// RUN: joinery-opt %s --kernel-plan-memory --pass-statistics 2>&1 >/dev/null | FileCheck %s --check-prefix=STATS
// RUN: joinery-opt %s --kernel-plan-memory=alignment=65536 | FileCheck %s --check-prefix=ALIGN

// Three 16 KiB intermediates in a chain: the first and the third are never alive
// together, so they share offset 0; results keep their `output` and get no offset.

// CHECK-LABEL: func.func @chain$reuses
// CHECK:         kernel.alloc {offset = 0 : i64} : () -> tensor<64x64xf32>
// CHECK:         kernel.alloc {offset = 16384 : i64} : () -> tensor<64x64xf32>
// CHECK:         kernel.alloc {offset = 0 : i64} : () -> tensor<64x64xf32>
// CHECK:         kernel.alloc {output = 0 : i64} : () -> tensor<64x64xf32>

// Slots rounded up to 64 KiB: the second buffer starts at 65536.
// ALIGN-LABEL: func.func @chain$reuses
// ALIGN:         kernel.alloc {offset = 0 : i64}
// ALIGN:         kernel.alloc {offset = 65536 : i64}
// ALIGN:         kernel.alloc {offset = 0 : i64}

// STATS: KernelPlanMemory
// STATS: 32768 arena-bytes
// STATS: 3 buffers
// STATS: 49152 unshared-bytes
  func.func @chain$reuses(%x: tensor<64x64xf32>) -> tensor<64x64xf32> {
    %0 = kernel.alloc : () -> tensor<64x64xf32>
    %1 = kernel.alloc : () -> tensor<64x64xf32>
    %2 = kernel.alloc : () -> tensor<64x64xf32>
    %3 = kernel.alloc {output = 0 : i64} : () -> tensor<64x64xf32>
    "kernel.fused"(%x, %0) <{in_maps = [[0, 64, 1]], name = "chain$reuses_k0_exp", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 64, 1]], sources = ["aten.exp"], space = [64, 64]}> ({
    ^bb0(%4: f32):
      %5 = kernel.exp %4 : (f32) -> f32
      "kernel.yield"(%5) : (f32) -> ()
    }) : (tensor<64x64xf32>, tensor<64x64xf32>) -> ()
    "kernel.fused"(%0, %1) <{in_maps = [[0, 1, 64]], name = "chain$reuses_k1_neg", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 64, 1]], sources = ["aten.neg"], space = [64, 64]}> ({
    ^bb0(%6: f32):
      %7 = kernel.neg %6 : (f32) -> f32
      "kernel.yield"(%7) : (f32) -> ()
    }) : (tensor<64x64xf32>, tensor<64x64xf32>) -> ()
    "kernel.fused"(%1, %2) <{in_maps = [[0, 1, 64]], name = "chain$reuses_k2_tanh", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 64, 1]], sources = ["aten.tanh"], space = [64, 64]}> ({
    ^bb0(%8: f32):
      %9 = kernel.tanh %8 : (f32) -> f32
      "kernel.yield"(%9) : (f32) -> ()
    }) : (tensor<64x64xf32>, tensor<64x64xf32>) -> ()
    "kernel.fused"(%2, %3) <{in_maps = [[0, 1, 64]], name = "chain$reuses_k3_sin", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 64, 1]], sources = ["aten.sin"], space = [64, 64]}> ({
    ^bb0(%10: f32):
      %11 = kernel.sin %10 : (f32) -> f32
      "kernel.yield"(%11) : (f32) -> ()
    }) : (tensor<64x64xf32>, tensor<64x64xf32>) -> ()
    func.return %3 : tensor<64x64xf32>
  }
