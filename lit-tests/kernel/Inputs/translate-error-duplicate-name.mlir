func.func @f(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %a = kernel.alloc {output = 0 : i64} : () -> tensor<4xf32>
  %b = kernel.alloc {output = 1 : i64} : () -> tensor<4xf32>
  "kernel.fused"(%x, %a) <{in_maps = [[0, 1]], name = "k", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = [], space = [4]}> ({
  ^bb0(%v: f32):
    "kernel.yield"(%v) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  "kernel.fused"(%x, %b) <{in_maps = [[0, 1]], name = "k", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = [], space = [4]}> ({
  ^bb0(%v: f32):
    %n = kernel.neg %v : (f32) -> f32
    "kernel.yield"(%n) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  func.return %a, %b : tensor<4xf32>, tensor<4xf32>
}
