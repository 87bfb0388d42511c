func.func @f(%x: tensor<4x3xf32>) -> tensor<4x1xf32> {
  %t = kernel.alloc {offset = 0 : i64} : () -> tensor<4x1xf32>
  %s = kernel.alloc {output = 0 : i64} : () -> tensor<4x1xf32>
  "kernel.fused"(%x, %t) <{in_maps = [[0, 3, 1]], name = "sum", num_inputs = 1 : i64, out_kinds = ["sum"], out_maps = [[0, 1, 0]], sources = [], space = [4, 3]}> ({
  ^bb0(%v: f32):
    "kernel.yield"(%v) : (f32) -> ()
  }) : (tensor<4x3xf32>, tensor<4x1xf32>) -> ()
  "kernel.fused"(%t, %s) <{in_maps = [[0, 1, 0]], name = "copy", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1, 0]], sources = [], space = [4, 1]}> ({
  ^bb0(%v: f32):
    "kernel.yield"(%v) : (f32) -> ()
  }) : (tensor<4x1xf32>, tensor<4x1xf32>) -> ()
  func.return %s : tensor<4x1xf32>
}
