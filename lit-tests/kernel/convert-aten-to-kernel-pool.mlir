// RUN: joinery-opt %s --convert-aten-to-kernel | FileCheck %s

// convert-aten-to-kernel on max pooling: a -inf placement, a window view reduced by max,
// and indices from comparisons against loop indices (nothing is read at a computed
// address); the backward scatters the gradient at the indices.

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

// The gradient added at its indices into a zeroed result, plane by plane: one
// accumulating scatter, whose indices are checked at run time.
// CHECK-LABEL: func.func @max_pool_backward$padded
// CHECK:         kernel.fill %[[G:.*]] {value = 0.0 : f64} : (tensor<1x2x5x5xf32>)
// CHECK:         "kernel.scatter"(%gy, %i, %[[G]]) <{accumulate = true, bounds = [25], dims = [2], index_maps = {{\[}}[0, 9, 1]], index_strides = [1], out_map = [0, 25, 0]
// CHECK-SAME:      source = "aten.max_pool2d_with_indices_backward at {{.*}}", space = [2, 9], src_map = [0, 9, 1], wrap = false
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

// Three spatial dims: the window view [planes, O.., K..] of the input, reduced over the
// three tap dims, each sum divided by its window's size from the loop indices.
// CHECK-LABEL: func.func @avg_pool3d$windows
// CHECK:         "kernel.fused"(%x, %[[SUM:.*]]) <{in_maps = {{\[}}[0, 64, 32, 8, 2, 16, 4, 1]]
// CHECK-SAME:      out_kinds = ["sum"], out_maps = {{\[}}[0, 8, 4, 2, 1, 0, 0, 0]]
// CHECK:         "kernel.fused"(%[[SUM]], %{{.*}})
// CHECK:           kernel.index {dim = 3 : i64}
// CHECK:           kernel.div %{{.*}}, %{{.*}} : (f32, f32) -> f32
func.func @avg_pool3d$windows(%x: tensor<1x2x4x4x4xf32>) -> tensor<1x2x2x2x2xf32> {
  %a = "aten.avg_pool3d"(%x) {kernel_size = [2, 2, 2]} : (tensor<1x2x4x4x4xf32>) -> tensor<1x2x2x2x2xf32>
  func.return %a : tensor<1x2x2x2x2xf32>
}

// col2im: each kernel tap's rows of the columns added into the zeroed image through a
// map shifted by the tap (here 2x2 taps, blocks 3x3, image 4x4).
// CHECK-LABEL: func.func @col2im$taps
// CHECK:         kernel.fill %[[IMG:.*]] {value = 0.0 : f64} : (tensor<1x2x4x4xf32>)
// CHECK:         "kernel.fused"(%c, %[[IMG]]) <{in_maps = {{\[}}[0, 72, 36, 3, 1]]{{.*}}out_kinds = ["sum"], out_maps = {{\[}}[0, 32, 16, 4, 1]]
// CHECK:         "kernel.fused"(%c, %[[IMG]]) <{in_maps = {{\[}}[9, 72, 36, 3, 1]]{{.*}}out_maps = {{\[}}[1, 32, 16, 4, 1]]
// CHECK:         "kernel.fused"(%c, %[[IMG]]) <{in_maps = {{\[}}[18, 72, 36, 3, 1]]{{.*}}out_maps = {{\[}}[4, 32, 16, 4, 1]]
// CHECK:         "kernel.fused"(%c, %[[IMG]]) <{in_maps = {{\[}}[27, 72, 36, 3, 1]]{{.*}}out_maps = {{\[}}[5, 32, 16, 4, 1]]
func.func @col2im$taps(%c: tensor<1x8x9xf32>) -> tensor<1x2x4x4xf32> {
  %a = aten.col2im %c {dilation = [1, 1], kernel_size = [2, 2], output_size = [4, 4], padding = [0, 0], stride = [1, 1]} : (tensor<1x8x9xf32>) -> tensor<1x2x4x4xf32>
  func.return %a : tensor<1x2x4x4xf32>
}
