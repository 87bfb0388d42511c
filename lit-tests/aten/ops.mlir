// Pretty forms of aten ops round-trip: attributes named after PyTorch's schema arguments,
// results typed by inference (the verifier runs on every op).
// RUN: joinery-opt --allow-unregistered-dialect %s | FileCheck %s
// RUN: joinery-opt --allow-unregistered-dialect %s | joinery-opt --allow-unregistered-dialect | FileCheck %s
// RUN: joinery-opt --allow-unregistered-dialect --print-op-generic %s | joinery-opt --allow-unregistered-dialect | FileCheck %s

// CHECK-LABEL: func.func @pointwise
func.func @pointwise(%a: tensor<4x1xf32>, %b: tensor<3xf32>, %i: tensor<3xi32>) -> tensor<4x3xf32> {
  // CHECK: %[[ADD:.*]] = aten.add.Tensor %{{.*}}, %{{.*}} {alpha = 1 : i64} : (tensor<4x1xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %add = aten.add.Tensor %a, %b {alpha = 1 : i64} : (tensor<4x1xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  // CHECK: aten.mul.Scalar %{{.*}} {other = 2.5 : f64} : (tensor<3xi32>) -> tensor<3xf32>
  %ms = aten.mul.Scalar %i {other = 2.5 : f64} : (tensor<3xi32>) -> tensor<3xf32>
  // CHECK: aten.relu %[[ADD]] : (tensor<4x3xf32>) -> tensor<4x3xf32>
  %r = aten.relu %add : (tensor<4x3xf32>) -> tensor<4x3xf32>
  // CHECK: aten.gelu %{{.*}} {approximate = "tanh"} : (tensor<4x3xf32>) -> tensor<4x3xf32>
  %g = aten.gelu %r {approximate = "tanh"} : (tensor<4x3xf32>) -> tensor<4x3xf32>
  // CHECK: aten.gt.Scalar %{{.*}} {other = 0 : i64} : (tensor<4x3xf32>) -> tensor<4x3xi1>
  %c = aten.gt.Scalar %g {other = 0 : i64} : (tensor<4x3xf32>) -> tensor<4x3xi1>
  // CHECK: aten.where.self
  %w = aten.where.self %c, %g, %r : (tensor<4x3xi1>, tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  // CHECK: aten.exp %{{.*}} : (tensor<3xi32>) -> tensor<3xf32>
  %e = aten.exp %i : (tensor<3xi32>) -> tensor<3xf32>
  func.return %w : tensor<4x3xf32>
}

// CHECK-LABEL: func.func @reductions_and_matmul
func.func @reductions_and_matmul(%x: tensor<4x3xf32>, %w: tensor<5x3xf32>, %bias: tensor<5xf32>) -> tensor<1x5xf32> {
  // CHECK: aten.t %{{.*}} : (tensor<5x3xf32>) -> tensor<3x5xf32>
  %wt = aten.t %w : (tensor<5x3xf32>) -> tensor<3x5xf32>
  // CHECK: aten.addmm %{{.*}}, %{{.*}}, %{{.*}} : (tensor<5xf32>, tensor<4x3xf32>, tensor<3x5xf32>) -> tensor<4x5xf32>
  %y = aten.addmm %bias, %x, %wt : (tensor<5xf32>, tensor<4x3xf32>, tensor<3x5xf32>) -> tensor<4x5xf32>
  // CHECK: aten.mm
  %m = aten.mm %x, %wt : (tensor<4x3xf32>, tensor<3x5xf32>) -> tensor<4x5xf32>
  // CHECK: aten.sum.dim_IntList %{{.*}} {dim = [0], keepdim = true} : (tensor<4x5xf32>) -> tensor<1x5xf32>
  %s = aten.sum.dim_IntList %y {dim = [0], keepdim = true} : (tensor<4x5xf32>) -> tensor<1x5xf32>
  // CHECK: aten.amax %{{.*}} {dim = [1]} : (tensor<4x5xf32>) -> tensor<4xf32>
  %mx = aten.amax %m {dim = [1]} : (tensor<4x5xf32>) -> tensor<4xf32>
  // CHECK: %{{.*}}:2 = aten.var_mean.correction %{{.*}} {correction = 0 : i64, dim = [1]} : (tensor<4x5xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  %vm:2 = aten.var_mean.correction %m {correction = 0 : i64, dim = [1]} : (tensor<4x5xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  // CHECK: aten.mean.dim %{{.*}} {dim = [-1]} : (tensor<?x5xf32>) -> tensor<?xf32>
  %dyn = "test.dynamic"() : () -> tensor<?x5xf32>
  %md = aten.mean.dim %dyn {dim = [-1]} : (tensor<?x5xf32>) -> tensor<?xf32>
  func.return %s : tensor<1x5xf32>
}

// CHECK-LABEL: func.func @views
func.func @views(%x: tensor<2x3x4xf32>) -> tensor<6x4xf32> {
  // CHECK: aten.view %{{.*}} {size = [-1, 4]} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  %v = aten.view %x {size = [-1, 4]} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  // CHECK: aten.permute %{{.*}} {dims = [2, 0, 1]} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  %p = aten.permute %x {dims = [2, 0, 1]} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  // CHECK: aten.transpose.int %{{.*}} {dim0 = 0 : i64, dim1 = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<3x2x4xf32>
  %tr = aten.transpose.int %x {dim0 = 0 : i64, dim1 = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<3x2x4xf32>
  // CHECK: aten.unsqueeze %{{.*}} {dim = 0 : i64} : (tensor<2x3x4xf32>) -> tensor<1x2x3x4xf32>
  %u = aten.unsqueeze %x {dim = 0 : i64} : (tensor<2x3x4xf32>) -> tensor<1x2x3x4xf32>
  // CHECK: aten.expand %{{.*}} {size = [5, 2, 3, 4]} : (tensor<1x2x3x4xf32>) -> tensor<5x2x3x4xf32>
  %ex = aten.expand %u {size = [5, 2, 3, 4]} : (tensor<1x2x3x4xf32>) -> tensor<5x2x3x4xf32>
  // CHECK: aten.slice.Tensor %{{.*}} {dim = 1 : i64, end = 9223372036854775807 : i64, start = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x2x4xf32>
  %sl = aten.slice.Tensor %x {dim = 1 : i64, end = 9223372036854775807 : i64, start = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x2x4xf32>
  // CHECK: aten.select.int %{{.*}} {dim = 0 : i64, index = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<3x4xf32>
  %se = aten.select.int %x {dim = 0 : i64, index = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<3x4xf32>
  // CHECK: %{{.*}}:2 = aten.split_with_sizes %{{.*}} {dim = 2 : i64, split_sizes = [1, 3]} : (tensor<2x3x4xf32>) -> (tensor<2x3x1xf32>, tensor<2x3x3xf32>)
  %sp:2 = aten.split_with_sizes %x {dim = 2 : i64, split_sizes = [1, 3]} : (tensor<2x3x4xf32>) -> (tensor<2x3x1xf32>, tensor<2x3x3xf32>)
  // CHECK: aten.cat %{{.*}}, %{{.*}} {dim = -1 : i64} : (tensor<2x3x1xf32>, tensor<2x3x3xf32>) -> tensor<2x3x4xf32>
  %ct = aten.cat %sp#0, %sp#1 {dim = -1 : i64} : (tensor<2x3x1xf32>, tensor<2x3x3xf32>) -> tensor<2x3x4xf32>
  // CHECK: aten._to_copy %{{.*}} {dtype = bf16} : (tensor<2x3x4xf32>) -> tensor<2x3x4xbf16>
  %cp = aten._to_copy %x {dtype = bf16} : (tensor<2x3x4xf32>) -> tensor<2x3x4xbf16>
  func.return %v : tensor<6x4xf32>
}

// CHECK-LABEL: func.func @nn
func.func @nn(%x: tensor<2x8xf32>, %w: tensor<8xf32>, %labels: tensor<2xi64>) -> tensor<f32> {
  // Weight present, bias absent: operandSegmentSizes says which.
  // CHECK: %{{.*}}:3 = aten.native_layer_norm %{{.*}}, %{{.*}} {eps = 1.0e-5 : f64, normalized_shape = [8], operandSegmentSizes = [1, 1, 0]} : (tensor<2x8xf32>, tensor<8xf32>) -> (tensor<2x8xf32>, tensor<2x1xf32>, tensor<2x1xf32>)
  %ln:3 = aten.native_layer_norm %x, %w {eps = 1.0e-05 : f64, normalized_shape = [8], operandSegmentSizes = [1, 1, 0]} : (tensor<2x8xf32>, tensor<8xf32>) -> (tensor<2x8xf32>, tensor<2x1xf32>, tensor<2x1xf32>)
  // CHECK: aten._log_softmax %{{.*}} {dim = 1 : i64, half_to_float = false} : (tensor<2x8xf32>) -> tensor<2x8xf32>
  %ls = aten._log_softmax %ln#0 {dim = 1 : i64, half_to_float = false} : (tensor<2x8xf32>) -> tensor<2x8xf32>
  // CHECK: %{{.*}}:2 = aten.nll_loss_forward %{{.*}}, %{{.*}} {ignore_index = -100 : i64, reduction = 1 : i64} : (tensor<2x8xf32>, tensor<2xi64>) -> (tensor<f32>, tensor<f32>)
  %loss:2 = aten.nll_loss_forward %ls, %labels {ignore_index = -100 : i64, reduction = 1 : i64} : (tensor<2x8xf32>, tensor<2xi64>) -> (tensor<f32>, tensor<f32>)
  // CHECK: %{{.*}}:2 = aten.native_dropout %{{.*}} {p = 0.5 : f64, train = true} : (tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x8xi1>)
  %d:2 = aten.native_dropout %x {p = 0.5 : f64, train = true} : (tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x8xi1>)
  // CHECK: aten.randn_like %{{.*}} {dtype = f64} : (tensor<2x8xf32>) -> tensor<2x8xf64>
  %rl = aten.randn_like %x {dtype = f64} : (tensor<2x8xf32>) -> tensor<2x8xf64>
  // CHECK: aten.full {fill_value = 0 : i64, size = [2, 3]} : () -> tensor<2x3xi64>
  %f = aten.full {fill_value = 0 : i64, size = [2, 3]} : () -> tensor<2x3xi64>
  // CHECK: aten.embedding %{{.*}}, %{{.*}} : (tensor<10x4xf32>, tensor<2x3xi64>) -> tensor<2x3x4xf32>
  %table = "test.table"() : () -> tensor<10x4xf32>
  %e = aten.embedding %table, %f : (tensor<10x4xf32>, tensor<2x3xi64>) -> tensor<2x3x4xf32>
  func.return %loss#0 : tensor<f32>
}

// CHECK-LABEL: func.func @conv_pool
func.func @conv_pool(%x: tensor<2x3x8x8xf32>, %w: tensor<16x3x3x3xf32>, %b: tensor<16xf32>) -> tensor<2x16x4x4xf32> {
  // CHECK: aten.convolution %{{.*}}, %{{.*}}, %{{.*}} {dilation = [1, 1], groups = 1 : i64, output_padding = [0, 0], padding = [1, 1], stride = [1, 1], transposed = false} : (tensor<2x3x8x8xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<2x16x8x8xf32>
  %c = aten.convolution %x, %w, %b {dilation = [1, 1], groups = 1 : i64, output_padding = [0, 0], padding = [1, 1], stride = [1, 1], transposed = false} : (tensor<2x3x8x8xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<2x16x8x8xf32>
  // CHECK: %{{.*}}:2 = aten.max_pool2d_with_indices %{{.*}} {kernel_size = [2, 2], stride = [2, 2]} : (tensor<2x16x8x8xf32>) -> (tensor<2x16x4x4xf32>, tensor<2x16x4x4xi64>)
  %p:2 = aten.max_pool2d_with_indices %c {kernel_size = [2, 2], stride = [2, 2]} : (tensor<2x16x8x8xf32>) -> (tensor<2x16x4x4xf32>, tensor<2x16x4x4xi64>)
  func.return %p#0 : tensor<2x16x4x4xf32>
}

// CHECK-LABEL: func.func @avg_pool
func.func @avg_pool(%x: tensor<2x16x8x8xf32>, %g: tensor<2x16x5x5xf32>) -> (tensor<2x16x5x5xf32>, tensor<2x16x8x8xf32>) {
  // CHECK: aten.avg_pool2d %{{.*}} {ceil_mode = true, count_include_pad = false, kernel_size = [2, 2], padding = [1, 1], stride = [2, 2]} : (tensor<2x16x8x8xf32>) -> tensor<2x16x5x5xf32>
  %a = aten.avg_pool2d %x {ceil_mode = true, count_include_pad = false, kernel_size = [2, 2], padding = [1, 1], stride = [2, 2]} : (tensor<2x16x8x8xf32>) -> tensor<2x16x5x5xf32>
  // CHECK: aten.avg_pool2d_backward %{{.*}}, %{{.*}} {ceil_mode = true, count_include_pad = false, divisor_override = 3 : i64, kernel_size = [2, 2], padding = [1, 1], stride = [2, 2]} : (tensor<2x16x5x5xf32>, tensor<2x16x8x8xf32>) -> tensor<2x16x8x8xf32>
  %b = aten.avg_pool2d_backward %g, %x {ceil_mode = true, count_include_pad = false, divisor_override = 3 : i64, kernel_size = [2, 2], padding = [1, 1], stride = [2, 2]} : (tensor<2x16x5x5xf32>, tensor<2x16x8x8xf32>) -> tensor<2x16x8x8xf32>
  func.return %a, %b : tensor<2x16x5x5xf32>, tensor<2x16x8x8xf32>
}

// CHECK-LABEL: func.func @in_place
func.func @in_place(%x: !aten.ref<tensor<4xf32>>, %y: tensor<4xf32>) -> !aten.ref<tensor<4xf32>> {
  // CHECK: aten.add_.Tensor %{{.*}}, %{{.*}} : (!aten.ref<tensor<4xf32>>, tensor<4xf32>) -> !aten.ref<tensor<4xf32>>
  %a = aten.add_.Tensor %x, %y : (!aten.ref<tensor<4xf32>>, tensor<4xf32>) -> !aten.ref<tensor<4xf32>>
  // CHECK: aten.copy_ %{{.*}}, %{{.*}} : (!aten.ref<tensor<4xf32>>, !aten.ref<tensor<4xf32>>) -> !aten.ref<tensor<4xf32>>
  %c = aten.copy_ %x, %a : (!aten.ref<tensor<4xf32>>, !aten.ref<tensor<4xf32>>) -> !aten.ref<tensor<4xf32>>
  func.return %c : !aten.ref<tensor<4xf32>>
}

// The generic form parses too.
// CHECK-LABEL: func.func @generic
func.func @generic(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: aten.neg %{{.*}} : (tensor<4xf32>) -> tensor<4xf32>
  %n = "aten.neg"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  func.return %n : tensor<4xf32>
}

// CHECK-LABEL: func.func @core_pointwise
func.func @core_pointwise(%x: tensor<4xf32>, %i: tensor<4xi64>, %b: tensor<4xi1>) -> tensor<4xf32> {
  // CHECK: aten.atan2 %{{.*}}, %{{.*}} : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xf32>
  %a = aten.atan2 %i, %i : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xf32>
  // CHECK: aten.round %{{.*}} : (tensor<4xf32>) -> tensor<4xf32>
  %r = aten.round %x : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: aten.bitwise_and.Scalar %{{.*}} {other = 3 : i64} : (tensor<4xi64>) -> tensor<4xi64>
  %ba = aten.bitwise_and.Scalar %i {other = 3 : i64} : (tensor<4xi64>) -> tensor<4xi64>
  // CHECK: aten.logical_and %{{.*}}, %{{.*}} : (tensor<4xi64>, tensor<4xi1>) -> tensor<4xi1>
  %la = aten.logical_and %i, %b : (tensor<4xi64>, tensor<4xi1>) -> tensor<4xi1>
  // CHECK: aten.isnan %{{.*}} : (tensor<4xf32>) -> tensor<4xi1>
  %n = aten.isnan %x : (tensor<4xf32>) -> tensor<4xi1>
  // CHECK: aten.pow.Scalar %{{.*}} {self = 2.0 : f64} : (tensor<4xi64>) -> tensor<4xf32>
  %p = aten.pow.Scalar %i {self = 2.0 : f64} : (tensor<4xi64>) -> tensor<4xf32>
  // CHECK: aten.elu %{{.*}} {alpha = 1.5 : f64} : (tensor<4xf32>) -> tensor<4xf32>
  %e = aten.elu %x {alpha = 1.5 : f64} : (tensor<4xf32>) -> tensor<4xf32>
  // CHECK: aten.silu_backward %{{.*}}, %{{.*}} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %s = aten.silu_backward %x, %e : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %s : tensor<4xf32>
}

// CHECK-LABEL: func.func @core_structured
func.func @core_structured(%x: tensor<3x4xf32>, %i: tensor<2x4xi64>, %v: tensor<2xi64>) -> tensor<3x4xf32> {
  // CHECK: %{{.*}}:2 = aten.topk %{{.*}} {k = 2 : i64} : (tensor<3x4xf32>) -> (tensor<3x2xf32>, tensor<3x2xi64>)
  %t:2 = aten.topk %x {k = 2 : i64} : (tensor<3x4xf32>) -> (tensor<3x2xf32>, tensor<3x2xi64>)
  // CHECK: aten.cumsum %{{.*}} {dim = 1 : i64} : (tensor<2x4xi64>) -> tensor<2x4xi64>
  %c = aten.cumsum %i {dim = 1 : i64} : (tensor<2x4xi64>) -> tensor<2x4xi64>
  // CHECK: aten.constant_pad_nd %{{.*}} {pad = [1, 2]} : (tensor<3x4xf32>) -> tensor<3x7xf32>
  %p = aten.constant_pad_nd %x {pad = [1, 2]} : (tensor<3x4xf32>) -> tensor<3x7xf32>
  // CHECK: aten.index_select %{{.*}}, %{{.*}} {dim = 0 : i64} : (tensor<3x4xf32>, tensor<2xi64>) -> tensor<2x4xf32>
  %s = aten.index_select %x, %v {dim = 0 : i64} : (tensor<3x4xf32>, tensor<2xi64>) -> tensor<2x4xf32>
  // CHECK: aten.scatter.value %{{.*}}, %{{.*}} {dim = 0 : i64, value = 1.0 : f64} : (tensor<3x4xf32>, tensor<2x4xi64>) -> tensor<3x4xf32>
  %sc = aten.scatter.value %x, %i {dim = 0 : i64, value = 1.0 : f64} : (tensor<3x4xf32>, tensor<2x4xi64>) -> tensor<3x4xf32>
  // CHECK: aten.any.dim %{{.*}} {dim = 1 : i64} : (tensor<3x4xf32>) -> tensor<3xi1>
  %a = aten.any.dim %x {dim = 1 : i64} : (tensor<3x4xf32>) -> tensor<3xi1>
  // CHECK: %{{.*}}:3 = aten.native_group_norm %{{.*}} {C = 4 : i64, HxW = 1 : i64, N = 3 : i64, eps = 1.0e-5 : f64, group = 2 : i64} : (tensor<3x4xf32>) -> (tensor<3x4xf32>, tensor<3x2xf32>, tensor<3x2xf32>)
  %g:3 = aten.native_group_norm %x {C = 4 : i64, HxW = 1 : i64, N = 3 : i64, eps = 1.0e-05 : f64, group = 2 : i64} : (tensor<3x4xf32>) -> (tensor<3x4xf32>, tensor<3x2xf32>, tensor<3x2xf32>)
  // CHECK: aten.mse_loss %{{.*}}, %{{.*}} : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<f32>
  %l = aten.mse_loss %x, %g#0 : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<f32>
  // CHECK: aten.huber_loss %{{.*}}, %{{.*}} {delta = 0.5 : f64, reduction = 0 : i64} : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %h = aten.huber_loss %x, %g#0 {delta = 0.5 : f64, reduction = 0 : i64} : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  func.return %sc : tensor<3x4xf32>
}

// None forms: an absent optional tensor is an empty operand group; a None entry of a
// Tensor?[] list is the `none` value of aot.none (full slice on that dim).
// CHECK-LABEL: func.func @index$none_entries
// CHECK: %[[N:.*]] = "aot.none"() : () -> none
// CHECK: aten.index.Tensor %x, %[[N]], %i : (tensor<2x5x7xf32>, none, tensor<3xi64>) -> tensor<2x3x7xf32>
// CHECK: aten.index.Tensor %x, %i, %[[N]], %j : (tensor<2x5x7xf32>, tensor<3xi64>, none, tensor<4x1xi64>) -> tensor<4x3x5xf32>
func.func @index$none_entries(%x: tensor<2x5x7xf32>, %i: tensor<3xi64>, %j: tensor<4x1xi64>) -> (tensor<2x3x7xf32>, tensor<4x3x5xf32>) {
  %none = "aot.none"() : () -> none
  %0 = "aten.index.Tensor"(%x, %none, %i) : (tensor<2x5x7xf32>, none, tensor<3xi64>) -> tensor<2x3x7xf32>
  %1 = "aten.index.Tensor"(%x, %i, %none, %j) : (tensor<2x5x7xf32>, tensor<3xi64>, none, tensor<4x1xi64>) -> tensor<4x3x5xf32>
  func.return %0, %1 : tensor<2x3x7xf32>, tensor<4x3x5xf32>
}

// Geometric ops: grid sampling, affine grids, pairwise distances; an out= overload
// (L0 only) returns its `out` reference.
// CHECK-LABEL: func.func @geometry
// CHECK: aten.affine_grid_generator %{{.*}} {align_corners = false, size = [2, 3, 4, 5]} : (tensor<2x2x3xf32>) -> tensor<2x4x5x2xf32>
// CHECK: aten.grid_sampler_2d %{{.*}}, %{{.*}} {align_corners = false, interpolation_mode = 0 : i64, padding_mode = 2 : i64} : (tensor<2x3x4x5xf32>, tensor<2x4x5x2xf32>) -> tensor<2x3x4x5xf32>
// CHECK: aten._cdist_forward %{{.*}}, %{{.*}} {p = 2.0 : f64} : (tensor<3x1x4x2xf32>, tensor<2x6x2xf32>) -> tensor<3x2x4x6xf32>
// CHECK: aten._pdist_forward %{{.*}} {p = 0x7FF0000000000000 : f64} : (tensor<5x2xf32>) -> tensor<10xf32>
// CHECK: aten.atan2.out %{{.*}}, %{{.*}}, %{{.*}} : (tensor<3xi64>, tensor<3xf32>, !aten.ref<tensor<3xf64>>) -> !aten.ref<tensor<3xf64>>
func.func @geometry(%t: tensor<2x2x3xf32>, %x: tensor<2x3x4x5xf32>, %a: tensor<3x1x4x2xf32>, %b: tensor<2x6x2xf32>, %p: tensor<5x2xf32>, %i: tensor<3xi64>, %f: tensor<3xf32>, %o: !aten.ref<tensor<3xf64>>) -> (tensor<2x3x4x5xf32>, tensor<3x2x4x6xf32>, tensor<10xf32>) {
  %g = aten.affine_grid_generator %t {size = [2, 3, 4, 5], align_corners = false} : (tensor<2x2x3xf32>) -> tensor<2x4x5x2xf32>
  %s = aten.grid_sampler_2d %x, %g {interpolation_mode = 0, padding_mode = 2, align_corners = false} : (tensor<2x3x4x5xf32>, tensor<2x4x5x2xf32>) -> tensor<2x3x4x5xf32>
  %c = aten._cdist_forward %a, %b {p = 2.0} : (tensor<3x1x4x2xf32>, tensor<2x6x2xf32>) -> tensor<3x2x4x6xf32>
  %d = aten._pdist_forward %p {p = 0x7FF0000000000000 : f64} : (tensor<5x2xf32>) -> tensor<10xf32>
  %w = aten.atan2.out %i, %f, %o : (tensor<3xi64>, tensor<3xf32>, !aten.ref<tensor<3xf64>>) -> !aten.ref<tensor<3xf64>>
  func.return %s, %c, %d : tensor<2x3x4x5xf32>, tensor<3x2x4x6xf32>, tensor<10xf32>
}

// CHECK-LABEL: func.func @pool3d_and_blocks
func.func @pool3d_and_blocks(%x: tensor<2x3x5x6x7xf32>, %img: tensor<3x6x7xf32>) -> (tensor<2x3x3x3x4xf32>, tensor<2x3x2x3x3xf32>, tensor<2x3x3x3x1xf32>, tensor<3x6x7xf32>) {
  // CHECK: %{{.*}}:2 = aten.max_pool3d_with_indices %{{.*}} {kernel_size = [3, 2, 3], padding = [1, 0, 1], stride = [2, 2, 2]} : (tensor<2x3x5x6x7xf32>) -> (tensor<2x3x3x3x4xf32>, tensor<2x3x3x3x4xi64>)
  %m:2 = aten.max_pool3d_with_indices %x {kernel_size = [3, 2, 3], padding = [1, 0, 1], stride = [2, 2, 2]} : (tensor<2x3x5x6x7xf32>) -> (tensor<2x3x3x3x4xf32>, tensor<2x3x3x3x4xi64>)
  // CHECK: aten.avg_pool3d %{{.*}} {ceil_mode = true, count_include_pad = false, kernel_size = [2, 2, 2]} : (tensor<2x3x5x6x7xf32>) -> tensor<2x3x3x3x4xf32>
  %a = aten.avg_pool3d %x {ceil_mode = true, count_include_pad = false, kernel_size = [2, 2, 2]} : (tensor<2x3x5x6x7xf32>) -> tensor<2x3x3x3x4xf32>
  // CHECK: aten._adaptive_avg_pool3d %{{.*}} {output_size = [2, 3, 3]} : (tensor<2x3x5x6x7xf32>) -> tensor<2x3x2x3x3xf32>
  %p = aten._adaptive_avg_pool3d %x {output_size = [2, 3, 3]} : (tensor<2x3x5x6x7xf32>) -> tensor<2x3x2x3x3xf32>
  // CHECK: aten._adaptive_avg_pool3d_backward %{{.*}}, %{{.*}} : (tensor<2x3x2x3x3xf32>, tensor<2x3x5x6x7xf32>) -> tensor<2x3x5x6x7xf32>
  %pb = aten._adaptive_avg_pool3d_backward %p, %x : (tensor<2x3x2x3x3xf32>, tensor<2x3x5x6x7xf32>) -> tensor<2x3x5x6x7xf32>
  // CHECK: aten.max_pool3d_with_indices_backward %{{.*}}, %{{.*}}, %{{.*}} {ceil_mode = false, dilation = [1, 1, 1], kernel_size = [2, 2, 2], padding = [0, 0, 0], stride = [2, 2, 2]} : (tensor<2x3x2x3x3xf32>, tensor<2x3x5x6x7xf32>, tensor<2x3x2x3x3xi64>) -> tensor<2x3x5x6x7xf32>
  %m2:2 = aten.max_pool3d_with_indices %x {kernel_size = [2, 2, 2]} : (tensor<2x3x5x6x7xf32>) -> (tensor<2x3x2x3x3xf32>, tensor<2x3x2x3x3xi64>)
  %mb = aten.max_pool3d_with_indices_backward %p, %x, %m2#1 {ceil_mode = false, dilation = [1, 1, 1], kernel_size = [2, 2, 2], padding = [0, 0, 0], stride = [2, 2, 2]} : (tensor<2x3x2x3x3xf32>, tensor<2x3x5x6x7xf32>, tensor<2x3x2x3x3xi64>) -> tensor<2x3x5x6x7xf32>
  // CHECK: aten.avg_pool3d_backward %{{.*}}, %{{.*}} {ceil_mode = false, count_include_pad = true, kernel_size = [3, 3, 7], padding = [1, 1, 0], stride = [2, 2, 1]} : (tensor<2x3x3x3x1xf32>, tensor<2x3x5x6x7xf32>) -> tensor<2x3x5x6x7xf32>
  %g = aten.avg_pool3d %x {kernel_size = [3, 3, 7], padding = [1, 1, 0], stride = [2, 2, 1]} : (tensor<2x3x5x6x7xf32>) -> tensor<2x3x3x3x1xf32>
  %gb = aten.avg_pool3d_backward %g, %x {ceil_mode = false, count_include_pad = true, kernel_size = [3, 3, 7], padding = [1, 1, 0], stride = [2, 2, 1]} : (tensor<2x3x3x3x1xf32>, tensor<2x3x5x6x7xf32>) -> tensor<2x3x5x6x7xf32>
  // CHECK: aten.im2col %{{.*}} {dilation = [1, 1], kernel_size = [2, 3], padding = [1, 0], stride = [2, 1]} : (tensor<3x6x7xf32>) -> tensor<18x20xf32>
  %cols = aten.im2col %img {dilation = [1, 1], kernel_size = [2, 3], padding = [1, 0], stride = [2, 1]} : (tensor<3x6x7xf32>) -> tensor<18x20xf32>
  // CHECK: aten.col2im %{{.*}} {dilation = [1, 1], kernel_size = [2, 3], output_size = [6, 7], padding = [1, 0], stride = [2, 1]} : (tensor<18x20xf32>) -> tensor<3x6x7xf32>
  %im = aten.col2im %cols {dilation = [1, 1], kernel_size = [2, 3], output_size = [6, 7], padding = [1, 0], stride = [2, 1]} : (tensor<18x20xf32>) -> tensor<3x6x7xf32>
  func.return %m#0, %p, %g, %im : tensor<2x3x3x3x4xf32>, tensor<2x3x2x3x3xf32>, tensor<2x3x3x3x1xf32>, tensor<3x6x7xf32>
}
