// RUN: joinery-opt %s --kernel-plan-memory=alignment=48 --verify-diagnostics

// expected-error@+1 {{kernel-plan-memory: alignment must be a power of two, got 48}}
func.func @alignment$not_a_power_of_two() -> tensor<4xf32> {
  %t = kernel.alloc : () -> tensor<4xf32>
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4xf32>
  "kernel.fused"(%t, %o) <{in_maps = [[0, 1]], name = "copy", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = [], space = [4]}> ({
  ^bb0(%a: f32):
    "kernel.yield"(%a) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  func.return %o : tensor<4xf32>
}
