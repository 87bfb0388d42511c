func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %t = kernel.alloc {offset = 0 : i64} : () -> tensor<4xf32>
  "kernel.fused"(%x, %t) <{in_maps = [[0, 1]], name = "a", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = [], space = [4]}> ({
  ^bb0(%v: f32):
    "kernel.yield"(%v) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  func.return %x : tensor<4xf32>
}
