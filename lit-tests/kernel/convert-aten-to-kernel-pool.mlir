// RUN: joinery-opt %s --convert-aten-to-kernel | FileCheck %s

// convert-aten-to-kernel on max pooling: a -inf placement, a window view reduced by max,
// and indices and gradients from comparisons against loop indices (nothing is read at a
// computed address).

// CHECK-LABEL: func.func @max_pool$padded
// CHECK:         kernel.fill %[[PAD:.*]] {value = 0xFFF0000000000000 : f64} : (tensor<2x1x7x7xf32>)
// CHECK:         "kernel.fused"(%x, %[[PAD]]) <{in_maps = {{\[}}[0, 25, 25, 5, 1]]
// CHECK-SAME:      out_maps = {{\[}}[8, 49, 49, 7, 1]]
// CHECK:         "kernel.fused"(%[[PAD]], %[[MAX:.*]]) <{in_maps = {{\[}}[0, 49, 14, 2, 7, 1]]
// CHECK-SAME:      out_kinds = ["max"], out_maps = {{\[}}[0, 9, 3, 1, 0, 0]]
// CHECK:         "kernel.fused"(%[[PAD]], %[[MAX]], %{{.*}})
// CHECK:           kernel.cmp %{{.*}}, %{{.*}} {predicate = "eq"} : (f32, f32) -> i1
// CHECK:           kernel.index {dim = 3 : i64}
// CHECK:         out_kinds = ["max"]
// CHECK:         func.return
func.func @max_pool$padded(%x: tensor<1x2x5x5xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x2x3x3xi64>) {
  %v, %i = "aten.max_pool2d_with_indices"(%x) {kernel_size = [3, 3], stride = [2, 2], padding = [1, 1]} : (tensor<1x2x5x5xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x2x3x3xi64>)
  func.return %v, %i : tensor<1x2x3x3xf32>, tensor<1x2x3x3xi64>
}

// The gradient and the indices spread by the stride (fill -1 for the indices), read by
// every input position at its taps (negative strides), summed where the index matches.
// CHECK-LABEL: func.func @max_pool_backward$padded
// CHECK:         kernel.fill %[[G:.*]] {value = 0.0 : f64} : (tensor<2x1x8x8xf32>)
// CHECK:         out_maps = {{\[}}[18, 64, 64, 16, 2]]
// CHECK:         kernel.fill %[[I:.*]] {value = -1.0 : f64} : (tensor<2x1x8x8xi64>)
// CHECK:         "kernel.fused"(%[[I]], %[[G]], %{{.*}}) <{in_maps = {{\[}}[27, 64, 8, 1, -8, -1], [27, 64, 8, 1, -8, -1]]
// CHECK:           kernel.cmp %{{.*}}, %{{.*}} {predicate = "eq"} : (i64, i64) -> i1
// CHECK:         out_kinds = ["sum"], out_maps = {{\[}}[0, 25, 5, 1, 0, 0]]
func.func @max_pool_backward$padded(%gy: tensor<1x2x3x3xf32>, %x: tensor<1x2x5x5xf32>, %i: tensor<1x2x3x3xi64>) -> tensor<1x2x5x5xf32> {
  %gx = "aten.max_pool2d_with_indices_backward"(%gy, %x, %i) {kernel_size = [3, 3], stride = [2, 2], padding = [1, 1], dilation = [1, 1], ceil_mode = false} : (tensor<1x2x3x3xf32>, tensor<1x2x5x5xf32>, tensor<1x2x3x3xi64>) -> tensor<1x2x5x5xf32>
  func.return %gx : tensor<1x2x5x5xf32>
}

// Average pooling: a zero placement, the window view summed, each sum divided by its
// window's size computed from the loop indices (clipped to the input without
// count_include_pad).
// CHECK-LABEL: func.func @avg_pool$padded
// CHECK:         kernel.fill %[[PAD:.*]] {value = 0.0 : f64} : (tensor<2x1x7x7xf32>)
// CHECK:         "kernel.fused"(%[[PAD]], %[[SUM:.*]]) <{in_maps = {{\[}}[0, 49, 14, 2, 7, 1]]
// CHECK-SAME:      out_kinds = ["sum"], out_maps = {{\[}}[0, 9, 3, 1, 0, 0]]
// CHECK:         "kernel.fused"(%[[SUM]], %{{.*}})
// CHECK:           kernel.index {dim = 1 : i64}
// CHECK:           kernel.min
// CHECK:           kernel.max
// CHECK:           kernel.div %{{.*}}, %{{.*}} : (f32, f32) -> f32
func.func @avg_pool$padded(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32> {
  %a = "aten.avg_pool2d"(%x) {kernel_size = [3, 3], stride = [2, 2], padding = [1, 1], count_include_pad = false} : (tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32>
  func.return %a : tensor<1x2x3x3xf32>
}
