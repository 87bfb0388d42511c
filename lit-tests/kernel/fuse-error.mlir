// kernel-fuse reasons about buffers written once: planned functions are refused.
// RUN: joinery-opt %s --kernel-fuse --verify-diagnostics

func.func @planned$refused(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{kernel-fuse needs unplanned buffers (each written once); run it before kernel-plan-memory}}
  %t = kernel.alloc {offset = 0 : i64} : () -> tensor<4xf32>
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4xf32>
  "kernel.fused"(%x, %t) <{in_maps = [[0, 1]], name = "exp", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = ["aten.exp"], space = [4]}> ({
  ^bb0(%a: f32):
    %e = kernel.exp %a : (f32) -> f32
    "kernel.yield"(%e) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  "kernel.fused"(%t, %o) <{in_maps = [[0, 1]], name = "neg", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = ["aten.neg"], space = [4]}> ({
  ^bb0(%a: f32):
    %n = kernel.neg %a : (f32) -> f32
    "kernel.yield"(%n) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  func.return %o : tensor<4xf32>
}
