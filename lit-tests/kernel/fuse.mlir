// RUN: joinery-opt %s --kernel-fuse | FileCheck %s
// RUN: joinery-opt %s --kernel-fuse --pass-statistics 2>&1 >/dev/null | FileCheck %s --check-prefix=STATS
// RUN: joinery-opt %s --kernel-fuse='gemm-bias=false recompute=false horizontal=false rows=false' | FileCheck %s --check-prefix=OFF

// STATS: KernelFuse
// STATS: 1 bias-folds
// STATS: 8 collapsed
// STATS: 3 horizontal
// STATS: 11 merges
// STATS: 3 recomputed
// STATS: 3 rows

// add -> tanh -> sum: one loop nest; tanh's store stays (it is a result), add's goes
// with its buffer.
// CHECK-LABEL: func.func @chain$fuses
// CHECK-NOT:     kernel.alloc :
// CHECK:         kernel.fill
// CHECK:         "kernel.fused"(%x, %b, %[[SUM:.*]], %[[T:.*]]) <{in_maps = {{\[}}[0, 3, 1], [0, 0, 1]]
// CHECK-SAME:      out_kinds = ["sum", "store"]
// CHECK-SAME:      sources = ["aten.add.Tensor", "aten.tanh", "aten.sum.dim_IntList"]
// CHECK:           %[[A:.*]] = kernel.add
// CHECK:           %[[TH:.*]] = kernel.tanh %[[A]]
// CHECK:           "kernel.yield"(%[[TH]], %[[TH]])
// CHECK-NOT:     "kernel.fused"
// CHECK:         func.return

// The consumer reads the producer through a transpose: the value is not in a register
// at that point of the loop nest, and exp is too costly to recompute at every point, so
// the pair is left alone. The producer's loop nest collapses to one loop; the
// transposed reader's cannot.
// CHECK-LABEL: func.func @transpose$not_fused
// CHECK:         "kernel.fused"
// CHECK-SAME:      sources = ["aten.exp"], space = [16]
// CHECK:         "kernel.fused"
// CHECK-SAME:      sources = ["aten.neg"], space = [4, 4]

// A GEMM between exp and mul reads exp's buffer: the merged kernel goes where exp was,
// with sigmoid (which mul needs) hoisted above it, and keeps exp's store for the GEMM.
// CHECK-LABEL: func.func @gemm_between$hoisted
// CHECK:         "kernel.fused"
// CHECK-SAME:      out_kinds = ["store", "store"]
// CHECK-SAME:      sources = ["aten.sigmoid", "aten.exp", "aten.mul.Tensor"]
// CHECK:         "kernel.gemm"

// A threshold backward after a GEMM reads the forward's one-byte mask le(relu, 0).
// Recomputing it would reload the four-byte relu: more bytes than the mask's store and
// load, so the mask stays.
// CHECK-LABEL: func.func @relu_mask$not_recomputed
// CHECK:         "kernel.fused"(%x, %relu, %mask)
// CHECK:         "kernel.gemm"
// CHECK:         "kernel.fused"(%mask, %h, %dx)

// Layer norm: the centred x a variance kernel stores is recomputed from x and the mean
// in the normalizing kernel (one sub), and rsqrt(var / n + eps), stored per row by a
// kernel of its own, is recomputed there too: it only depends on the row, so it costs
// one evaluation per row. Both stores and the rstd kernel go. The normalizing kernel
// then reads the variance the first kernel reduced: it becomes that kernel's second
// phase, row by row (the row of x is read from memory once).
// CHECK-LABEL: func.func @layer_norm$recomputed
// CHECK-NOT:     kernel.alloc : () -> tensor<4x8xf32>
// CHECK:         "kernel.fused"(%x, %mean, %x, %mean, %var, %var, %y) <{in_maps = {{\[}}[0, 8, 1], [0, 1, 0], [0, 8, 1], [0, 1, 0], [0, 1, 0]]
// CHECK-SAME:      out_kinds = ["sum", "store"]
// CHECK-SAME:      outer = 1 : i64, phases = {{\[}}[2, 1], [3, 1]]
// CHECK:           kernel.sub
// CHECK:         }, {
// CHECK:           %[[C:.*]] = kernel.sub
// CHECK:           kernel.rsqrt
// CHECK:           kernel.mul %[[C]]
// CHECK-NOT:     "kernel.fused"
// CHECK:         func.return

// A cheap value read through a transpose is recomputed from the producer's input read
// through the same transpose.
// CHECK-LABEL: func.func @transpose$recomputed
// CHECK-NOT:     kernel.alloc :
// CHECK:         "kernel.fused"(%x, %o) <{in_maps = {{\[}}[0, 1, 8]]
// CHECK:           kernel.mul
// CHECK:           kernel.neg
// CHECK-NOT:     "kernel.fused"

// Recomputing x + y + z in the transposed reader would load three buffers instead of
// one: more bytes than the store and load it removes.
// CHECK-LABEL: func.func @wide_inputs$not_recomputed
// CHECK:         "kernel.fused"(%x, %y, %z, %t)
// CHECK:         "kernel.fused"(%t, %o)

// addmm: the bias copy goes, the GEMM overwrites instead of accumulating, and the relu
// after it adds the bias it loads (broadcast along rows).
// CHECK-LABEL: func.func @bias$folded
// CHECK-NOT:     "kernel.fused"
// CHECK:         "kernel.gemm"(%x, %w, %[[C:.*]]) <{{.*}}accumulate = false
// CHECK:         "kernel.fused"(%b, %[[C]], %o) <{in_maps = {{\[}}[0, 0, 1], [0, 8, 1]]
// CHECK-SAME:      sources = ["aten.relu", "aten.addmm (bias)"]
// CHECK:           %[[S:.*]] = kernel.add
// CHECK:           kernel.max %[[S]]
// OFF-LABEL:   func.func @bias$folded
// OFF:           "kernel.fused"(%b, %c)
// OFF:           "kernel.gemm"(%x, %w, %c) <{{.*}}accumulate = true

// The product is a result (it must hold the bias), or another GEMM reads it: the bias
// copy stays.
// CHECK-LABEL: func.func @bias_result$not_folded
// CHECK:         "kernel.fused"(%b, %c)
// CHECK:         "kernel.gemm"(%x, %w, %c) <{{.*}}accumulate = true
// CHECK-LABEL: func.func @bias_gemm_reader$not_folded
// CHECK:         "kernel.fused"(%b, %c)
// CHECK:         "kernel.gemm"(%x, %w, %c) <{{.*}}accumulate = true

// Row sums and column sums of squares of one buffer: one loop nest reads x once.
// CHECK-LABEL: func.func @siblings$horizontal
// CHECK:         kernel.fill %rows
// CHECK:         kernel.fill %cols
// CHECK:         "kernel.fused"(%x, %cols, %rows) <{
// CHECK-SAME:      out_kinds = ["sum", "sum"]
// CHECK-NOT:     "kernel.fused"
// OFF-LABEL:   func.func @siblings$horizontal
// OFF:           "kernel.fused"(%x, %rows)
// OFF:           "kernel.fused"(%x, %cols)

// Independent kernels over one space that share no buffer stay apart (one loop nest
// would stream both pairs of buffers anyway).
// CHECK-LABEL: func.func @independent$not_fused
// CHECK:         "kernel.fused"(%x, %a)
// CHECK:         "kernel.fused"(%y, %b)

// exp over [2, 4, 4] into a sum over the same elements seen as [8, 4]: both split into
// [2, 4, 4], merge, and the merged loop nest collapses to [8, 4].
// CHECK-LABEL: func.func @reshape$aligned
// CHECK-NOT:     kernel.alloc :
// CHECK:         "kernel.fused"(%x, %s) <{in_maps = {{\[}}[0, 4, 1]]
// CHECK-SAME:      out_maps = {{\[}}[0, 1, 0]]
// CHECK-SAME:      space = [8, 4]
// CHECK:           kernel.exp
// Softmax: the sum of exps reads the row max and the normalization reads the row sum,
// reductions a register cannot carry into the next loop nest; the three kernels become
// the phases of one row kernel, each row passed over three times while it is in L1.
// CHECK-LABEL: func.func @softmax$row
// CHECK:         kernel.fill %max
// CHECK:         kernel.fill %sum
// CHECK:         "kernel.fused"(%x, %x, %max, %e, %sum, %max, %sum, %e, %y) <{
// CHECK-SAME:      out_kinds = ["max", "sum", "store", "store"]
// CHECK-SAME:      outer = 1 : i64, phases = {{\[}}[1, 1], [2, 2], [2, 1]]
// CHECK:         }, {
// CHECK:           kernel.exp
// CHECK:         }, {
// CHECK:           kernel.div
// CHECK-NOT:     "kernel.fused"
// OFF-LABEL:   func.func @softmax$row
// OFF-COUNT-3:   "kernel.fused"

// Column sums are complete only after every row: the kernel reading them stays apart.
// CHECK-LABEL: func.func @column_stat$not_row
// CHECK:         "kernel.fused"(%x, %cols)
// CHECK:         "kernel.fused"(%x, %cols, %y)

  func.func @chain$fuses(%x: tensor<4x3xf32>, %b: tensor<3xf32>) -> (tensor<4x3xf32>, tensor<4x1xf32>) {
    %0 = kernel.alloc : () -> tensor<4x3xf32>
    %1 = kernel.alloc {output = 0 : i64} : () -> tensor<4x3xf32>
    %2 = kernel.alloc {output = 1 : i64} : () -> tensor<4x1xf32>
    "kernel.fused"(%x, %b, %0) <{in_maps = [[0, 3, 1], [0, 0, 1]], name = "chain$fuses_k0_add", num_inputs = 2 : i64, out_kinds = ["store"], out_maps = [[0, 3, 1]], sources = ["aten.add.Tensor"], space = [4, 3]}> ({
    ^bb0(%3: f32, %4: f32):
      %5 = kernel.add %3, %4 : (f32, f32) -> f32
      "kernel.yield"(%5) : (f32) -> ()
    }) : (tensor<4x3xf32>, tensor<3xf32>, tensor<4x3xf32>) -> ()
    "kernel.fused"(%0, %1) <{in_maps = [[0, 3, 1]], name = "chain$fuses_k1_tanh", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 3, 1]], sources = ["aten.tanh"], space = [4, 3]}> ({
    ^bb0(%6: f32):
      %7 = kernel.tanh %6 : (f32) -> f32
      "kernel.yield"(%7) : (f32) -> ()
    }) : (tensor<4x3xf32>, tensor<4x3xf32>) -> ()
    kernel.fill %2 {value = 0.0 : f64} : (tensor<4x1xf32>) -> ()
    "kernel.fused"(%1, %2) <{in_maps = [[0, 3, 1]], name = "chain$fuses_k2_sum", num_inputs = 1 : i64, out_kinds = ["sum"], out_maps = [[0, 1, 0]], sources = ["aten.sum.dim_IntList"], space = [4, 3]}> ({
    ^bb0(%8: f32):
      "kernel.yield"(%8) : (f32) -> ()
    }) : (tensor<4x3xf32>, tensor<4x1xf32>) -> ()
    func.return %1, %2 : tensor<4x3xf32>, tensor<4x1xf32>
  }
  func.func @transpose$not_fused(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
    %0 = kernel.alloc : () -> tensor<4x4xf32>
    %1 = kernel.alloc {output = 0 : i64} : () -> tensor<4x4xf32>
    "kernel.fused"(%x, %0) <{in_maps = [[0, 4, 1]], name = "transpose$not_fused_k0_exp", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 4, 1]], sources = ["aten.exp"], space = [4, 4]}> ({
    ^bb0(%2: f32):
      %3 = kernel.exp %2 : (f32) -> f32
      "kernel.yield"(%3) : (f32) -> ()
    }) : (tensor<4x4xf32>, tensor<4x4xf32>) -> ()
    "kernel.fused"(%0, %1) <{in_maps = [[0, 1, 4]], name = "transpose$not_fused_k1_neg", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 4, 1]], sources = ["aten.neg"], space = [4, 4]}> ({
    ^bb0(%4: f32):
      %5 = kernel.neg %4 : (f32) -> f32
      "kernel.yield"(%5) : (f32) -> ()
    }) : (tensor<4x4xf32>, tensor<4x4xf32>) -> ()
    func.return %1 : tensor<4x4xf32>
  }
  func.func @gemm_between$hoisted(%x: tensor<4x4xf32>, %y: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>) {
    %0 = kernel.alloc : () -> tensor<4x4xf32>
    %1 = kernel.alloc {output = 0 : i64} : () -> tensor<4x4xf32>
    %2 = kernel.alloc : () -> tensor<4x4xf32>
    %3 = kernel.alloc {output = 1 : i64} : () -> tensor<4x4xf32>
    "kernel.fused"(%x, %0) <{in_maps = [[0, 4, 1]], name = "gemm_between$hoisted_k0_exp", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 4, 1]], sources = ["aten.exp"], space = [4, 4]}> ({
    ^bb0(%4: f32):
      %5 = kernel.exp %4 : (f32) -> f32
      "kernel.yield"(%5) : (f32) -> ()
    }) : (tensor<4x4xf32>, tensor<4x4xf32>) -> ()
    "kernel.gemm"(%0, %y, %1) <{a_map = [0, 0, 4, 1], accumulate = false, b_map = [0, 0, 4, 1], batch = 1 : i64, c_map = [0, 0, 4, 1], k = 4 : i64, m = 4 : i64, n = 4 : i64, sources = ["aten.mm"]}> : (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) -> ()
    "kernel.fused"(%y, %2) <{in_maps = [[0, 4, 1]], name = "gemm_between$hoisted_k1_sigmoid", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 4, 1]], sources = ["aten.sigmoid"], space = [4, 4]}> ({
    ^bb0(%6: f32):
      %7 = kernel.sigmoid %6 : (f32) -> f32
      "kernel.yield"(%7) : (f32) -> ()
    }) : (tensor<4x4xf32>, tensor<4x4xf32>) -> ()
    "kernel.fused"(%0, %2, %3) <{in_maps = [[0, 4, 1], [0, 4, 1]], name = "gemm_between$hoisted_k2_mul", num_inputs = 2 : i64, out_kinds = ["store"], out_maps = [[0, 4, 1]], sources = ["aten.mul.Tensor"], space = [4, 4]}> ({
    ^bb0(%8: f32, %9: f32):
      %10 = kernel.mul %8, %9 : (f32, f32) -> f32
      "kernel.yield"(%10) : (f32) -> ()
    }) : (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) -> ()
    func.return %1, %3 : tensor<4x4xf32>, tensor<4x4xf32>
  }

  func.func @relu_mask$not_recomputed(%x: tensor<4x8xf32>, %w: tensor<8x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
    %relu = kernel.alloc : () -> tensor<4x8xf32>
    %mask = kernel.alloc : () -> tensor<4x8xi1>
    %h = kernel.alloc {output = 0 : i64} : () -> tensor<4x8xf32>
    %dx = kernel.alloc {output = 1 : i64} : () -> tensor<4x8xf32>
    "kernel.fused"(%x, %relu, %mask) <{in_maps = [[0, 8, 1]], name = "relu", num_inputs = 1 : i64, out_kinds = ["store", "store"], out_maps = [[0, 8, 1], [0, 8, 1]], sources = ["aten.relu", "aten.le.Scalar"], space = [4, 8]}> ({
    ^bb0(%a: f32):
      %z = kernel.const {value = 0.0 : f64} : () -> f32
      %r = kernel.max %a, %z : (f32, f32) -> f32
      %m = kernel.cmp %r, %z {predicate = "le"} : (f32, f32) -> i1
      "kernel.yield"(%r, %m) : (f32, i1) -> ()
    }) : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xi1>) -> ()
    "kernel.gemm"(%relu, %w, %h) <{a_map = [0, 0, 8, 1], accumulate = false, b_map = [0, 0, 8, 1], batch = 1 : i64, c_map = [0, 0, 8, 1], k = 8 : i64, m = 4 : i64, n = 8 : i64, sources = ["aten.mm"]}> : (tensor<4x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>) -> ()
    "kernel.fused"(%mask, %h, %dx) <{in_maps = [[0, 8, 1], [0, 8, 1]], name = "threshold_backward", num_inputs = 2 : i64, out_kinds = ["store"], out_maps = [[0, 8, 1]], sources = ["aten.where.self"], space = [4, 8]}> ({
    ^bb0(%m: i1, %g: f32):
      %z = kernel.const {value = 0.0 : f64} : () -> f32
      %s = kernel.select %m, %z, %g : (i1, f32, f32) -> f32
      "kernel.yield"(%s) : (f32) -> ()
    }) : (tensor<4x8xi1>, tensor<4x8xf32>, tensor<4x8xf32>) -> ()
    func.return %h, %dx : tensor<4x8xf32>, tensor<4x8xf32>
  }
  func.func @layer_norm$recomputed(%x: tensor<4x8xf32>, %mean: tensor<4x1xf32>) -> tensor<4x8xf32> {
    %d = kernel.alloc : () -> tensor<4x8xf32>
    %var = kernel.alloc : () -> tensor<4x1xf32>
    %rstd = kernel.alloc : () -> tensor<4x1xf32>
    %y = kernel.alloc {output = 0 : i64} : () -> tensor<4x8xf32>
    kernel.fill %var {value = 0.0 : f64} : (tensor<4x1xf32>) -> ()
    "kernel.fused"(%x, %mean, %var, %d) <{in_maps = [[0, 8, 1], [0, 1, 0]], name = "var", num_inputs = 2 : i64, out_kinds = ["sum", "store"], out_maps = [[0, 1, 0], [0, 8, 1]], sources = ["aten.sub.Tensor", "aten.mul.Tensor", "aten.sum.dim_IntList"], space = [4, 8]}> ({
    ^bb0(%a: f32, %m: f32):
      %s = kernel.sub %a, %m : (f32, f32) -> f32
      %sq = kernel.mul %s, %s : (f32, f32) -> f32
      "kernel.yield"(%sq, %s) : (f32, f32) -> ()
    }) : (tensor<4x8xf32>, tensor<4x1xf32>, tensor<4x1xf32>, tensor<4x8xf32>) -> ()
    "kernel.fused"(%var, %rstd) <{in_maps = [[0, 1, 1]], name = "rstd", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1, 1]], sources = ["aten.rsqrt"], space = [4, 1]}> ({
    ^bb0(%v: f32):
      %n = kernel.const {value = 0.125 : f64} : () -> f32
      %eps = kernel.const {value = 1.0e-05 : f64} : () -> f32
      %vn = kernel.mul %v, %n : (f32, f32) -> f32
      %ve = kernel.add %vn, %eps : (f32, f32) -> f32
      %r = kernel.rsqrt %ve : (f32) -> f32
      "kernel.yield"(%r) : (f32) -> ()
    }) : (tensor<4x1xf32>, tensor<4x1xf32>) -> ()
    "kernel.fused"(%d, %rstd, %y) <{in_maps = [[0, 8, 1], [0, 1, 0]], name = "normalize", num_inputs = 2 : i64, out_kinds = ["store"], out_maps = [[0, 8, 1]], sources = ["aten.mul.Tensor"], space = [4, 8]}> ({
    ^bb0(%a: f32, %r: f32):
      %p = kernel.mul %a, %r : (f32, f32) -> f32
      "kernel.yield"(%p) : (f32) -> ()
    }) : (tensor<4x8xf32>, tensor<4x1xf32>, tensor<4x8xf32>) -> ()
    func.return %y : tensor<4x8xf32>
  }
  func.func @transpose$recomputed(%x: tensor<4x8xf32>) -> tensor<8x4xf32> {
    %t = kernel.alloc : () -> tensor<4x8xf32>
    %o = kernel.alloc {output = 0 : i64} : () -> tensor<8x4xf32>
    "kernel.fused"(%x, %t) <{in_maps = [[0, 8, 1]], name = "double", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 8, 1]], sources = ["aten.mul.Scalar"], space = [4, 8]}> ({
    ^bb0(%a: f32):
      %two = kernel.const {value = 2.0 : f64} : () -> f32
      %p = kernel.mul %a, %two : (f32, f32) -> f32
      "kernel.yield"(%p) : (f32) -> ()
    }) : (tensor<4x8xf32>, tensor<4x8xf32>) -> ()
    "kernel.fused"(%t, %o) <{in_maps = [[0, 1, 8]], name = "neg", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 4, 1]], sources = ["aten.neg"], space = [8, 4]}> ({
    ^bb0(%a: f32):
      %n = kernel.neg %a : (f32) -> f32
      "kernel.yield"(%n) : (f32) -> ()
    }) : (tensor<4x8xf32>, tensor<8x4xf32>) -> ()
    func.return %o : tensor<8x4xf32>
  }
  func.func @wide_inputs$not_recomputed(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>, %z: tensor<4x8xf32>) -> tensor<8x4xf32> {
    %t = kernel.alloc : () -> tensor<4x8xf32>
    %o = kernel.alloc {output = 0 : i64} : () -> tensor<8x4xf32>
    "kernel.fused"(%x, %y, %z, %t) <{in_maps = [[0, 8, 1], [0, 8, 1], [0, 8, 1]], name = "add3", num_inputs = 3 : i64, out_kinds = ["store"], out_maps = [[0, 8, 1]], sources = ["aten.add.Tensor"], space = [4, 8]}> ({
    ^bb0(%a: f32, %b: f32, %c: f32):
      %s = kernel.add %a, %b : (f32, f32) -> f32
      %s2 = kernel.add %s, %c : (f32, f32) -> f32
      "kernel.yield"(%s2) : (f32) -> ()
    }) : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) -> ()
    "kernel.fused"(%t, %o) <{in_maps = [[0, 1, 8]], name = "neg", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 4, 1]], sources = ["aten.neg"], space = [8, 4]}> ({
    ^bb0(%a: f32):
      %n = kernel.neg %a : (f32) -> f32
      "kernel.yield"(%n) : (f32) -> ()
    }) : (tensor<4x8xf32>, tensor<8x4xf32>) -> ()
    func.return %o : tensor<8x4xf32>
  }
  func.func @bias$folded(%b: tensor<8xf32>, %x: tensor<4x8xf32>, %w: tensor<8x8xf32>) -> tensor<4x8xf32> {
    %c = kernel.alloc : () -> tensor<4x8xf32>
    %o = kernel.alloc {output = 0 : i64} : () -> tensor<4x8xf32>
    "kernel.fused"(%b, %c) <{in_maps = [[0, 0, 1]], name = "bias_copy", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 8, 1]], sources = ["aten.addmm (bias)"], space = [4, 8]}> ({
    ^bb0(%a: f32):
      "kernel.yield"(%a) : (f32) -> ()
    }) : (tensor<8xf32>, tensor<4x8xf32>) -> ()
    "kernel.gemm"(%x, %w, %c) <{a_map = [0, 0, 8, 1], accumulate = true, b_map = [0, 0, 8, 1], batch = 1 : i64, c_map = [0, 0, 8, 1], k = 8 : i64, m = 4 : i64, n = 8 : i64, sources = ["aten.addmm"]}> : (tensor<4x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>) -> ()
    "kernel.fused"(%c, %o) <{in_maps = [[0, 8, 1]], name = "relu", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 8, 1]], sources = ["aten.relu"], space = [4, 8]}> ({
    ^bb0(%a: f32):
      %z = kernel.const {value = 0.0 : f64} : () -> f32
      %r = kernel.max %a, %z : (f32, f32) -> f32
      "kernel.yield"(%r) : (f32) -> ()
    }) : (tensor<4x8xf32>, tensor<4x8xf32>) -> ()
    func.return %o : tensor<4x8xf32>
  }
  func.func @bias_result$not_folded(%b: tensor<8xf32>, %x: tensor<4x8xf32>, %w: tensor<8x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
    %c = kernel.alloc {output = 0 : i64} : () -> tensor<4x8xf32>
    %o = kernel.alloc {output = 1 : i64} : () -> tensor<4x8xf32>
    "kernel.fused"(%b, %c) <{in_maps = [[0, 0, 1]], name = "bias_copy", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 8, 1]], sources = ["aten.addmm (bias)"], space = [4, 8]}> ({
    ^bb0(%a: f32):
      "kernel.yield"(%a) : (f32) -> ()
    }) : (tensor<8xf32>, tensor<4x8xf32>) -> ()
    "kernel.gemm"(%x, %w, %c) <{a_map = [0, 0, 8, 1], accumulate = true, b_map = [0, 0, 8, 1], batch = 1 : i64, c_map = [0, 0, 8, 1], k = 8 : i64, m = 4 : i64, n = 8 : i64, sources = ["aten.addmm"]}> : (tensor<4x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>) -> ()
    "kernel.fused"(%c, %o) <{in_maps = [[0, 8, 1]], name = "relu", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 8, 1]], sources = ["aten.relu"], space = [4, 8]}> ({
    ^bb0(%a: f32):
      %z = kernel.const {value = 0.0 : f64} : () -> f32
      %r = kernel.max %a, %z : (f32, f32) -> f32
      "kernel.yield"(%r) : (f32) -> ()
    }) : (tensor<4x8xf32>, tensor<4x8xf32>) -> ()
    func.return %c, %o : tensor<4x8xf32>, tensor<4x8xf32>
  }
  func.func @bias_gemm_reader$not_folded(%b: tensor<8xf32>, %x: tensor<4x8xf32>, %w: tensor<8x8xf32>) -> tensor<4x8xf32> {
    %c = kernel.alloc : () -> tensor<4x8xf32>
    %o = kernel.alloc {output = 0 : i64} : () -> tensor<4x8xf32>
    "kernel.fused"(%b, %c) <{in_maps = [[0, 0, 1]], name = "bias_copy", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 8, 1]], sources = ["aten.addmm (bias)"], space = [4, 8]}> ({
    ^bb0(%a: f32):
      "kernel.yield"(%a) : (f32) -> ()
    }) : (tensor<8xf32>, tensor<4x8xf32>) -> ()
    "kernel.gemm"(%x, %w, %c) <{a_map = [0, 0, 8, 1], accumulate = true, b_map = [0, 0, 8, 1], batch = 1 : i64, c_map = [0, 0, 8, 1], k = 8 : i64, m = 4 : i64, n = 8 : i64, sources = ["aten.addmm"]}> : (tensor<4x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>) -> ()
    "kernel.gemm"(%c, %w, %o) <{a_map = [0, 0, 8, 1], accumulate = false, b_map = [0, 0, 8, 1], batch = 1 : i64, c_map = [0, 0, 8, 1], k = 8 : i64, m = 4 : i64, n = 8 : i64, sources = ["aten.mm"]}> : (tensor<4x8xf32>, tensor<8x8xf32>, tensor<4x8xf32>) -> ()
    func.return %o : tensor<4x8xf32>
  }
  func.func @siblings$horizontal(%x: tensor<4x8xf32>) -> (tensor<4x1xf32>, tensor<8xf32>) {
    %rows = kernel.alloc {output = 0 : i64} : () -> tensor<4x1xf32>
    %cols = kernel.alloc {output = 1 : i64} : () -> tensor<8xf32>
    kernel.fill %rows {value = 0.0 : f64} : (tensor<4x1xf32>) -> ()
    "kernel.fused"(%x, %rows) <{in_maps = [[0, 8, 1]], name = "row_sum", num_inputs = 1 : i64, out_kinds = ["sum"], out_maps = [[0, 1, 0]], sources = ["aten.sum.dim_IntList"], space = [4, 8]}> ({
    ^bb0(%a: f32):
      "kernel.yield"(%a) : (f32) -> ()
    }) : (tensor<4x8xf32>, tensor<4x1xf32>) -> ()
    kernel.fill %cols {value = 0.0 : f64} : (tensor<8xf32>) -> ()
    "kernel.fused"(%x, %cols) <{in_maps = [[0, 8, 1]], name = "col_sum_sq", num_inputs = 1 : i64, out_kinds = ["sum"], out_maps = [[0, 0, 1]], sources = ["aten.mul.Tensor", "aten.sum.dim_IntList"], space = [4, 8]}> ({
    ^bb0(%a: f32):
      %sq = kernel.mul %a, %a : (f32, f32) -> f32
      "kernel.yield"(%sq) : (f32) -> ()
    }) : (tensor<4x8xf32>, tensor<8xf32>) -> ()
    func.return %rows, %cols : tensor<4x1xf32>, tensor<8xf32>
  }
  func.func @independent$not_fused(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
    %a = kernel.alloc {output = 0 : i64} : () -> tensor<4x8xf32>
    %b = kernel.alloc {output = 1 : i64} : () -> tensor<4x8xf32>
    "kernel.fused"(%x, %a) <{in_maps = [[0, 8, 1]], name = "exp", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 8, 1]], sources = ["aten.exp"], space = [4, 8]}> ({
    ^bb0(%v: f32):
      %e = kernel.exp %v : (f32) -> f32
      "kernel.yield"(%e) : (f32) -> ()
    }) : (tensor<4x8xf32>, tensor<4x8xf32>) -> ()
    "kernel.fused"(%y, %b) <{in_maps = [[0, 1, 4]], name = "neg", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 8, 1]], sources = ["aten.neg"], space = [4, 8]}> ({
    ^bb0(%v: f32):
      %n = kernel.neg %v : (f32) -> f32
      "kernel.yield"(%n) : (f32) -> ()
    }) : (tensor<4x8xf32>, tensor<4x8xf32>) -> ()
    func.return %a, %b : tensor<4x8xf32>, tensor<4x8xf32>
  }
  func.func @reshape$aligned(%x: tensor<2x4x4xf32>) -> tensor<8x1xf32> {
    %e = kernel.alloc : () -> tensor<2x4x4xf32>
    %s = kernel.alloc {output = 0 : i64} : () -> tensor<8x1xf32>
    "kernel.fused"(%x, %e) <{in_maps = [[0, 16, 4, 1]], name = "exp", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 16, 4, 1]], sources = ["aten.exp"], space = [2, 4, 4]}> ({
    ^bb0(%v: f32):
      %r = kernel.exp %v : (f32) -> f32
      "kernel.yield"(%r) : (f32) -> ()
    }) : (tensor<2x4x4xf32>, tensor<2x4x4xf32>) -> ()
    kernel.fill %s {value = 0.0 : f64} : (tensor<8x1xf32>) -> ()
    "kernel.fused"(%e, %s) <{in_maps = [[0, 4, 1]], name = "sum", num_inputs = 1 : i64, out_kinds = ["sum"], out_maps = [[0, 1, 0]], sources = ["aten.sum.dim_IntList"], space = [8, 4]}> ({
    ^bb0(%v: f32):
      "kernel.yield"(%v) : (f32) -> ()
    }) : (tensor<2x4x4xf32>, tensor<8x1xf32>) -> ()
    func.return %s : tensor<8x1xf32>
  }
  func.func @softmax$row(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
    %max = kernel.alloc : () -> tensor<4x1xf32>
    %sum = kernel.alloc : () -> tensor<4x1xf32>
    %e = kernel.alloc : () -> tensor<4x8xf32>
    %y = kernel.alloc {output = 0 : i64} : () -> tensor<4x8xf32>
    kernel.fill %max {value = 0xFFF0000000000000 : f64} : (tensor<4x1xf32>) -> ()
    "kernel.fused"(%x, %max) <{in_maps = [[0, 8, 1]], name = "max", num_inputs = 1 : i64, out_kinds = ["max"], out_maps = [[0, 1, 0]], sources = ["aten.amax"], space = [4, 8]}> ({
    ^bb0(%a: f32):
      "kernel.yield"(%a) : (f32) -> ()
    }) : (tensor<4x8xf32>, tensor<4x1xf32>) -> ()
    kernel.fill %sum {value = 0.0 : f64} : (tensor<4x1xf32>) -> ()
    "kernel.fused"(%x, %max, %sum, %e) <{in_maps = [[0, 8, 1], [0, 1, 0]], name = "exp_sum", num_inputs = 2 : i64, out_kinds = ["sum", "store"], out_maps = [[0, 1, 0], [0, 8, 1]], sources = ["aten.sub.Tensor", "aten.exp", "aten.sum.dim_IntList"], space = [4, 8]}> ({
    ^bb0(%a: f32, %m: f32):
      %d = kernel.sub %a, %m : (f32, f32) -> f32
      %x1 = kernel.exp %d : (f32) -> f32
      "kernel.yield"(%x1, %x1) : (f32, f32) -> ()
    }) : (tensor<4x8xf32>, tensor<4x1xf32>, tensor<4x1xf32>, tensor<4x8xf32>) -> ()
    "kernel.fused"(%e, %sum, %y) <{in_maps = [[0, 8, 1], [0, 1, 0]], name = "normalize", num_inputs = 2 : i64, out_kinds = ["store"], out_maps = [[0, 8, 1]], sources = ["aten.div.Tensor"], space = [4, 8]}> ({
    ^bb0(%a: f32, %s: f32):
      %q = kernel.div %a, %s : (f32, f32) -> f32
      "kernel.yield"(%q) : (f32) -> ()
    }) : (tensor<4x8xf32>, tensor<4x1xf32>, tensor<4x8xf32>) -> ()
    func.return %y : tensor<4x8xf32>
  }
  func.func @column_stat$not_row(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
    %cols = kernel.alloc : () -> tensor<8xf32>
    %y = kernel.alloc {output = 0 : i64} : () -> tensor<4x8xf32>
    kernel.fill %cols {value = 0.0 : f64} : (tensor<8xf32>) -> ()
    "kernel.fused"(%x, %cols) <{in_maps = [[0, 8, 1]], name = "col_sum", num_inputs = 1 : i64, out_kinds = ["sum"], out_maps = [[0, 0, 1]], sources = ["aten.sum.dim_IntList"], space = [4, 8]}> ({
    ^bb0(%a: f32):
      "kernel.yield"(%a) : (f32) -> ()
    }) : (tensor<4x8xf32>, tensor<8xf32>) -> ()
    "kernel.fused"(%x, %cols, %y) <{in_maps = [[0, 8, 1], [0, 0, 1]], name = "center", num_inputs = 2 : i64, out_kinds = ["store"], out_maps = [[0, 8, 1]], sources = ["aten.sub.Tensor"], space = [4, 8]}> ({
    ^bb0(%a: f32, %c: f32):
      %d = kernel.sub %a, %c : (f32, f32) -> f32
      "kernel.yield"(%d) : (f32) -> ()
    }) : (tensor<4x8xf32>, tensor<8xf32>, tensor<4x8xf32>) -> ()
    func.return %y : tensor<4x8xf32>
  }

// Regression (issue 10): q reads p's output through a flip, and w (which c needs) is
// allocated after p. p and w merge horizontally (both read %x), and %u's alloc moves up
// with them: no value is used before its definition.
// CHECK-LABEL: func.func @alloc_between$not_hoisted
// CHECK-DAG:     %[[T:.*]] = kernel.alloc : () -> tensor<4xf32>
// CHECK-DAG:     %[[U:.*]] = kernel.alloc : () -> tensor<4xf32>
// CHECK:         "kernel.fused"(%x, %[[U]], %[[T]]) <{{.*}}name = "w"
// CHECK:         "kernel.fused"(%[[T]], %[[T]], %[[U]], %{{.*}}) <{{.*}}name = "c"
func.func @alloc_between$not_hoisted(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %t = kernel.alloc : () -> tensor<4xf32>
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<4xf32>
  %r = kernel.alloc {output = 1 : i64} : () -> tensor<4xf32>
  "kernel.fused"(%x, %t) <{in_maps = [[0, 1]], name = "p", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = ["aten.neg"], space = [4]}> ({
  ^bb0(%a: f32):
    %n = kernel.neg %a : (f32) -> f32
    "kernel.yield"(%n) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  "kernel.fused"(%t, %r) <{in_maps = [[3, -1]], name = "q", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = ["aten.flip"], space = [4]}> ({
  ^bb0(%a: f32):
    "kernel.yield"(%a) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  %u = kernel.alloc : () -> tensor<4xf32>
  "kernel.fused"(%x, %u) <{in_maps = [[0, 1]], name = "w", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = ["aten.abs"], space = [4]}> ({
  ^bb0(%a: f32):
    %e = kernel.abs %a : (f32) -> f32
    "kernel.yield"(%e) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  "kernel.fused"(%t, %u, %o) <{in_maps = [[0, 1], [3, -1]], name = "c", num_inputs = 2 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = ["aten.add.Tensor"], space = [4]}> ({
  ^bb0(%a: f32, %b: f32):
    %s = kernel.add %a, %b : (f32, f32) -> f32
    "kernel.yield"(%s) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> ()
  func.return %o, %r : tensor<4xf32>, tensor<4xf32>
}

// Regression: a scalar kernel (space []) reading a full sum (aligned with it to a 0-d
// space) has no row to split; it stays a kernel of its own, where row fusion used to
// underflow its outer-dim count.
// CHECK-LABEL: func.func @row$scalar_after_sum
// CHECK:         "kernel.fused"(%s, %e, %r) <{{.*}}name = "scale"{{.*}}space = []
func.func @row$scalar_after_sum(%p: tensor<f32>, %z: tensor<4x8xf32>, %n: tensor<4x1xf32>, %y: tensor<4x8xf32>, %w: tensor<4x8xf32>) -> (tensor<4x4xf32>, tensor<f32>) {
  %x = kernel.alloc : () -> tensor<4x8xf32>
  %e = kernel.alloc : () -> tensor<f32>
  %m = kernel.alloc : () -> tensor<4x8xf32>
  %c = kernel.alloc {output = 0 : i64} : () -> tensor<4x4xf32>
  %t = kernel.alloc : () -> tensor<4x8xf32>
  %s = kernel.alloc : () -> tensor<1x1xf32>
  %r = kernel.alloc {output = 1 : i64} : () -> tensor<f32>
  "kernel.fused"(%z, %n, %x) <{in_maps = [[0, 8, 1], [0, 1, 0]], name = "ratio", num_inputs = 2 : i64, out_kinds = ["store"], out_maps = [[0, 8, 1]], sources = ["aten.div.Tensor"], space = [4, 8]}> ({
  ^bb0(%a: f32, %b: f32):
    %v = kernel.div %a, %b : (f32, f32) -> f32
    "kernel.yield"(%v) : (f32) -> ()
  }) : (tensor<4x8xf32>, tensor<4x1xf32>, tensor<4x8xf32>) -> ()
  "kernel.fused"(%p, %e) <{in_maps = [[0]], name = "exp", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0]], sources = ["aten.exp"], space = []}> ({
  ^bb0(%a: f32):
    %v = kernel.exp %a : (f32) -> f32
    "kernel.yield"(%v) : (f32) -> ()
  }) : (tensor<f32>, tensor<f32>) -> ()
  "kernel.fused"(%e, %x, %m) <{in_maps = [[0, 0, 0], [0, 8, 1]], name = "scaled", num_inputs = 2 : i64, out_kinds = ["store"], out_maps = [[0, 8, 1]], sources = ["aten.mul.Tensor"], space = [4, 8]}> ({
  ^bb0(%a: f32, %b: f32):
    %v = kernel.mul %a, %b : (f32, f32) -> f32
    "kernel.yield"(%v) : (f32) -> ()
  }) : (tensor<f32>, tensor<4x8xf32>, tensor<4x8xf32>) -> ()
  "kernel.gemm"(%m, %w, %c) <{a_map = [0, 0, 8, 1], accumulate = false, b_map = [0, 0, 1, 8], batch = 1 : i64, c_map = [0, 0, 4, 1], k = 8 : i64, m = 4 : i64, n = 4 : i64, sources = ["aten.mm"]}> : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x4xf32>) -> ()
  "kernel.fused"(%y, %x, %t) <{in_maps = [[0, 8, 1], [0, 8, 1]], name = "product", num_inputs = 2 : i64, out_kinds = ["store"], out_maps = [[0, 8, 1]], sources = ["aten.mul.Tensor"], space = [4, 8]}> ({
  ^bb0(%a: f32, %b: f32):
    %v = kernel.mul %a, %b : (f32, f32) -> f32
    "kernel.yield"(%v) : (f32) -> ()
  }) : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) -> ()
  kernel.fill %s {value = 0.0 : f64} : (tensor<1x1xf32>) -> ()
  "kernel.fused"(%t, %s) <{in_maps = [[0, 8, 1]], name = "total", num_inputs = 1 : i64, out_kinds = ["sum"], out_maps = [[0, 0, 0]], sources = ["aten.sum"], space = [4, 8]}> ({
  ^bb0(%a: f32):
    "kernel.yield"(%a) : (f32) -> ()
  }) : (tensor<4x8xf32>, tensor<1x1xf32>) -> ()
  "kernel.fused"(%s, %e, %r) <{in_maps = [[0], [0]], name = "scale", num_inputs = 2 : i64, out_kinds = ["store"], out_maps = [[0]], sources = ["aten.mul.Tensor"], space = []}> ({
  ^bb0(%a: f32, %b: f32):
    %v = kernel.mul %a, %b : (f32, f32) -> f32
    "kernel.yield"(%v) : (f32) -> ()
  }) : (tensor<1x1xf32>, tensor<f32>, tensor<f32>) -> ()
  func.return %c, %r : tensor<4x4xf32>, tensor<f32>
}

// Producers first, then their consumers: each consumer merges with its producer across
// the other producers, which touch none of its buffers (the pass finds the ops between a
// pair that matter through use lists, and sweeps the block instead of restarting).
// CHECK-LABEL: func.func @ladder$fuses_across_unrelated_kernels
// CHECK-NOT:     kernel.alloc :
// CHECK-COUNT-3: sources = ["aten.exp", "aten.neg"]
// CHECK-NOT:     "kernel.fused"
// CHECK:         func.return
func.func @ladder$fuses_across_unrelated_kernels(%x0: tensor<4xf32>, %x1: tensor<4xf32>, %x2: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %t0 = kernel.alloc : () -> tensor<4xf32>
  %t1 = kernel.alloc : () -> tensor<4xf32>
  %t2 = kernel.alloc : () -> tensor<4xf32>
  %r0 = kernel.alloc {output = 0 : i64} : () -> tensor<4xf32>
  %r1 = kernel.alloc {output = 1 : i64} : () -> tensor<4xf32>
  %r2 = kernel.alloc {output = 2 : i64} : () -> tensor<4xf32>
  "kernel.fused"(%x0, %t0) <{in_maps = [[0, 1]], name = "p0", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = ["aten.exp"], space = [4]}> ({
  ^bb0(%a: f32):
    %e = kernel.exp %a : (f32) -> f32
    "kernel.yield"(%e) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  "kernel.fused"(%x1, %t1) <{in_maps = [[0, 1]], name = "p1", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = ["aten.exp"], space = [4]}> ({
  ^bb0(%a: f32):
    %e = kernel.exp %a : (f32) -> f32
    "kernel.yield"(%e) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  "kernel.fused"(%x2, %t2) <{in_maps = [[0, 1]], name = "p2", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = ["aten.exp"], space = [4]}> ({
  ^bb0(%a: f32):
    %e = kernel.exp %a : (f32) -> f32
    "kernel.yield"(%e) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  "kernel.fused"(%t0, %r0) <{in_maps = [[0, 1]], name = "c0", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = ["aten.neg"], space = [4]}> ({
  ^bb0(%a: f32):
    %n = kernel.neg %a : (f32) -> f32
    "kernel.yield"(%n) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  "kernel.fused"(%t1, %r1) <{in_maps = [[0, 1]], name = "c1", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = ["aten.neg"], space = [4]}> ({
  ^bb0(%a: f32):
    %n = kernel.neg %a : (f32) -> f32
    "kernel.yield"(%n) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  "kernel.fused"(%t2, %r2) <{in_maps = [[0, 1]], name = "c2", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, 1]], sources = ["aten.neg"], space = [4]}> ({
  ^bb0(%a: f32):
    %n = kernel.neg %a : (f32) -> f32
    "kernel.yield"(%n) : (f32) -> ()
  }) : (tensor<4xf32>, tensor<4xf32>) -> ()
  func.return %r0, %r1, %r2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}
