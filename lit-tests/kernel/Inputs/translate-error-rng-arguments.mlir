func.func @f(%x: tensor<4xf32>, %seed: tensor<i64>) -> tensor<4xf32> attributes {kernel.rng_streams = 1 : i64} {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4xf32>
  "kernel.fused"(%x, %o) <{in_maps = [[0, 1]], name = "a", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = [], space = [4]}> ({
  ^bb0(%v: f32):
    "kernel.yield"(%v) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  func.return %o : tensor<4xf32>
}
