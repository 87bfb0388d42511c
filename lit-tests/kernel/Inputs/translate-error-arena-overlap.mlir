func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %t = kernel.alloc {offset = 0 : i64} : () -> tensor<4xf32>
  %u = kernel.alloc {offset = 8 : i64} : () -> tensor<4xf32>
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4xf32>
  "kernel.fused"(%x, %t) <{in_maps = [[0, 1]], name = "a", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = [], space = [4]}> ({
  ^bb0(%v: f32):
    "kernel.yield"(%v) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  "kernel.fused"(%x, %u) <{in_maps = [[0, 1]], name = "b", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = [], space = [4]}> ({
  ^bb0(%v: f32):
    %n = kernel.neg %v : (f32) -> f32
    "kernel.yield"(%n) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  "kernel.fused"(%t, %u, %o) <{in_maps = [[0, 1], [0, 1]], name = "c", num_inputs = 2 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = [], space = [4]}> ({
  ^bb0(%v: f32, %w: f32):
    %s = kernel.add %v, %w : (f32, f32) -> f32
    "kernel.yield"(%s) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> ()
  func.return %o : tensor<4xf32>
}
