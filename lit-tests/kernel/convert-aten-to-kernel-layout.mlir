// RUN: joinery-opt %s --convert-aten-to-kernel | FileCheck %s

// Ops that only move or make elements: pads and the backwards and scatters of slices
// and selects are a fill and copies through strided maps, flip a view with a negative
// stride, triu and tril a select on loop indices.

// A negative pad crops (the copy starts one element in), a positive one shifts the
// placement (one row down).
// CHECK-LABEL: func.func @pad$crop
// CHECK:         %[[Y:.*]] = kernel.alloc {output = 0 : i64} : () -> tensor<3x6xf32>
// CHECK:         kernel.fill %[[Y]] {value = 0.5 : f64}
// CHECK:         "kernel.fused"(%x, %[[Y]]) <{in_maps = {{\[}}[1, 5, 1]]
// CHECK-SAME:      out_maps = {{\[}}[6, 6, 1]]
// CHECK-SAME:      space = [2, 4]
func.func @pad$crop(%x: tensor<2x5xf32>) -> tensor<3x6xf32> {
  %y = "aten.constant_pad_nd"(%x) {pad = [-1, 2, 1, 0], value = 0.5 : f64} : (tensor<2x5xf32>) -> tensor<3x6xf32>
  func.return %y : tensor<3x6xf32>
}

// CHECK-LABEL: func.func @flip$view
// CHECK:         "kernel.fused"(%x, %{{.*}}) <{in_maps = {{\[}}[3, 4, -1]]
// CHECK:           kernel.neg
func.func @flip$view(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %f = "aten.flip"(%x) {dims = [-1]} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  %y = "aten.neg"(%f) : (tensor<3x4xf32>) -> tensor<3x4xf32>
  func.return %y : tensor<3x4xf32>
}

// CHECK-LABEL: func.func @slice_backward$strided
// CHECK:         kernel.fill %[[Y:.*]] {value = 0.0{{.*}} : f64}
// CHECK:         "kernel.fused"(%g, %[[Y]]) <{in_maps = {{\[}}[0, 3, 1]]
// CHECK-SAME:      out_maps = {{\[}}[2, 8, 2]]
func.func @slice_backward$strided(%g: tensor<2x3xf32>) -> tensor<2x8xf32> {
  %y = "aten.slice_backward"(%g) {dim = 1 : i64, end = 8 : i64, input_sizes = [2, 8], start = 2 : i64, step = 2 : i64} : (tensor<2x3xf32>) -> tensor<2x8xf32>
  func.return %y : tensor<2x8xf32>
}

// `self` is copied (no fill: it covers the result), then `src` over row -1.
// CHECK-LABEL: func.func @select_scatter$last
// CHECK-NOT:     kernel.fill
// CHECK:         "kernel.fused"(%x, %[[Y:.*]]) <{in_maps = {{\[}}[0, 4, 1]]
// CHECK:         "kernel.fused"(%s, %[[Y]]) <{in_maps = {{\[}}[0, 1]]
// CHECK-SAME:      out_maps = {{\[}}[8, 1]]
func.func @select_scatter$last(%x: tensor<3x4xf32>, %s: tensor<4xf32>) -> tensor<3x4xf32> {
  %y = "aten.select_scatter"(%x, %s) {dim = 0 : i64, index = -1 : i64} : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  func.return %y : tensor<3x4xf32>
}

// Kept where column - row >= diagonal.
// CHECK-LABEL: func.func @triu$iota
// CHECK:           %[[J:.*]] = kernel.index {dim = 1 : i64}
// CHECK:           %[[I:.*]] = kernel.index {dim = 0 : i64}
// CHECK:           %[[D:.*]] = kernel.sub %[[J]], %[[I]]
// CHECK:           %[[K:.*]] = kernel.cmp %[[D]], %{{.*}} {predicate = "ge"}
// CHECK:           kernel.select %[[K]]
func.func @triu$iota(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %y = "aten.triu"(%x) {diagonal = 1 : i64} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  func.return %y : tensor<3x4xf32>
}

// An empty tensor's elements are unspecified; like the interpreter, zeros.
// CHECK-LABEL: func.func @empty_like$zeros
// CHECK:           %[[Z:.*]] = kernel.const {value = 0.0 : f64} : () -> f32
// CHECK:           "kernel.yield"(%[[Z]])
func.func @empty_like$zeros(%x: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %y = "aten.empty_like"(%x) : (tensor<3x4xf32>) -> tensor<3x4xf32>
  func.return %y : tensor<3x4xf32>
}

// A diagonal is a view stepping along both dims at once, from (0, offset).
// CHECK-LABEL: func.func @diagonal$view
// CHECK:         "kernel.fused"(%x, %{{.*}}) <{in_maps = {{\[}}[1, 5]]
func.func @diagonal$view(%x: tensor<3x4xf32>) -> tensor<3xf32> {
  %d = "aten.diagonal"(%x) {offset = 1 : i64, dim1 = 0 : i64, dim2 = 1 : i64} : (tensor<3x4xf32>) -> tensor<3xf32>
  %y = "aten.neg"(%d) : (tensor<3xf32>) -> tensor<3xf32>
  func.return %y : tensor<3xf32>
}

// The input in the middle; before it x[2 - j], after it x[2 - j]: views read backwards.
// CHECK-LABEL: func.func @reflection_pad1d$mirrored
// CHECK:         "kernel.fused"(%x, %[[Y:.*]]) <{in_maps = {{\[}}[0, 4, 1]]
// CHECK-SAME:      out_maps = {{\[}}[2, 7, 1]]
// CHECK:         "kernel.fused"(%x, %[[Y]]) <{in_maps = {{\[}}[2, 4, -1]]
// CHECK-SAME:      out_maps = {{\[}}[0, 7, 1]]{{.*}} space = [2, 2]
// CHECK:         "kernel.fused"(%x, %[[Y]]) <{in_maps = {{\[}}[2, 4, -1]]
// CHECK-SAME:      out_maps = {{\[}}[6, 7, 1]]{{.*}} space = [2, 1]
func.func @reflection_pad1d$mirrored(%x: tensor<2x4xf32>) -> tensor<2x7xf32> {
  %y = "aten.reflection_pad1d"(%x) {padding = [2, 1]} : (tensor<2x4xf32>) -> tensor<2x7xf32>
  func.return %y : tensor<2x7xf32>
}
