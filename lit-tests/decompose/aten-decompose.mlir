// aten-decompose: composite aten ops become primitive aten ops, as PyTorch's
// decompositions write them; the replacement keeps the replaced result's name.
// RUN: joinery-opt %s --split-input-file --aten-decompose | FileCheck %s
// RUN: joinery-opt %s --split-input-file --aten-decompose=ops=gelu,aten.mean | FileCheck %s --check-prefix=SOME
// RUN: joinery-opt %s --split-input-file --aten-decompose --pass-statistics -o /dev/null 2>&1 | FileCheck %s --check-prefix=STATS
// RUN: joinery-opt %s --split-input-file --aten-decompose --print-op-generic | mlir-opt --allow-unregistered-dialect --split-input-file > /dev/null
// RUN: joinery-opt --list-passes | FileCheck %s --check-prefix=LIST

// LIST:      --aten-decompose {{ *}}- Rewrite composite aten ops into primitive aten ops
// LIST-NEXT:   (runs on 'func.func')
// LIST-NEXT:   ops=<string>,... - {{.+}}
// LIST-NEXT:   strict=<bool> - {{.+}} (default: false)

// STATS: AtenDecompose
// STATS-NEXT: (S) {{ *}}{{[0-9]+}} created    - Primitive ops created
// STATS-NEXT: (S) {{ *}}27 decomposed - Composite ops decomposed
// STATS-NEXT: (S) {{ *}}2 left-alone - Selected ops left alone (not decomposable here)

// softmax(x) = exp(x - amax(x)) / sum(exp(x - amax(x))).
// CHECK-LABEL: func.func @_softmax$last_dim(
// CHECK-SAME:      %[[X:.*]]: tensor<3x5xf32>)
// CHECK:         %[[MAX:.*]] = aten.amax %[[X]] {dim = [-1], keepdim = true} : (tensor<3x5xf32>) -> tensor<3x1xf32>
// CHECK:         %[[SHIFTED:.*]] = aten.sub.Tensor %[[X]], %[[MAX]]
// CHECK:         %[[EXP:.*]] = aten.exp %[[SHIFTED]]
// CHECK:         %[[SUM:.*]] = aten.sum.dim_IntList %[[EXP]] {dim = [-1], keepdim = true}
// CHECK:         %softmax = aten.div.Tensor %[[EXP]], %[[SUM]] : (tensor<3x5xf32>, tensor<3x1xf32>) -> tensor<3x5xf32>
// CHECK:         func.return %softmax
// SOME-LABEL: func.func @_softmax$last_dim(
// SOME:         aten._softmax
func.func @_softmax$last_dim(%x: tensor<3x5xf32>) -> tensor<3x5xf32> {
  %softmax = aten._softmax %x {dim = -1, half_to_float = false} : (tensor<3x5xf32>) -> tensor<3x5xf32>
  func.return %softmax : tensor<3x5xf32>
}

// -----

// half_to_float: the f16 input is converted first and the f32 result stays f32.
// CHECK-LABEL: func.func @_softmax$half_to_float(
// CHECK-SAME:      %[[X:.*]]: tensor<3x5xf16>)
// CHECK:         %[[WIDE:.*]] = aten._to_copy %[[X]] {dtype = f32} : (tensor<3x5xf16>) -> tensor<3x5xf32>
// CHECK:         aten.amax %[[WIDE]]
// CHECK:         %softmax = aten.div.Tensor
// CHECK-NOT:     aten._to_copy
// CHECK:         func.return %softmax : tensor<3x5xf32>
func.func @_softmax$half_to_float(%x: tensor<3x5xf16>) -> tensor<3x5xf32> {
  %softmax = aten._softmax %x {dim = 1, half_to_float = true} : (tensor<3x5xf16>) -> tensor<3x5xf32>
  func.return %softmax : tensor<3x5xf32>
}

// -----

// log_softmax.int(x, d, dtype) = _log_softmax(x.to(dtype), d): shifted - log(sum(exp(shifted))).
// CHECK-LABEL: func.func @log_softmax.int$dtype(
// CHECK-SAME:      %[[X:.*]]: tensor<3x5xf32>)
// CHECK:         %[[WIDE:.*]] = aten._to_copy %[[X]] {dtype = f64}
// CHECK:         %[[MAX:.*]] = aten.amax %[[WIDE]] {dim = [0], keepdim = true} : (tensor<3x5xf64>) -> tensor<1x5xf64>
// CHECK:         %[[SHIFTED:.*]] = aten.sub.Tensor %[[WIDE]], %[[MAX]]
// CHECK:         %[[EXP:.*]] = aten.exp %[[SHIFTED]]
// CHECK:         %[[SUM:.*]] = aten.sum.dim_IntList %[[EXP]] {dim = [0], keepdim = true}
// CHECK:         %[[LSE:.*]] = aten.log %[[SUM]]
// CHECK:         %ls = aten.sub.Tensor %[[SHIFTED]], %[[LSE]] : (tensor<3x5xf64>, tensor<1x5xf64>) -> tensor<3x5xf64>
func.func @log_softmax.int$dtype(%x: tensor<3x5xf32>) -> tensor<3x5xf64> {
  %ls = aten.log_softmax.int %x {dim = 0, dtype = f64} : (tensor<3x5xf32>) -> tensor<3x5xf64>
  func.return %ls : tensor<3x5xf64>
}

// -----

// _log_softmax_backward_data(g, y) = g - exp(y) * sum(g), computed in f32 for f16.
// CHECK-LABEL: func.func @_log_softmax_backward_data$f16(
// CHECK-SAME:      %[[G:.*]]: tensor<4x8xf16>, %[[Y:.*]]: tensor<4x8xf16>)
// CHECK:         %[[G32:.*]] = aten._to_copy %[[G]] {dtype = f32}
// CHECK:         %[[Y32:.*]] = aten._to_copy %[[Y]] {dtype = f32}
// CHECK:         %[[SUM:.*]] = aten.sum.dim_IntList %[[G32]] {dim = [1], keepdim = true}
// CHECK:         %[[EXP:.*]] = aten.exp %[[Y32]]
// CHECK:         %[[SCALED:.*]] = aten.mul.Tensor %[[EXP]], %[[SUM]]
// CHECK:         %[[DIFF:.*]] = aten.sub.Tensor %[[G32]], %[[SCALED]]
// CHECK:         %grad = aten._to_copy %[[DIFF]] {dtype = f16} : (tensor<4x8xf32>) -> tensor<4x8xf16>
func.func @_log_softmax_backward_data$f16(%g: tensor<4x8xf16>, %y: tensor<4x8xf16>) -> tensor<4x8xf16> {
  %grad = aten._log_softmax_backward_data %g, %y {dim = 1, input_dtype = f16} : (tensor<4x8xf16>, tensor<4x8xf16>) -> tensor<4x8xf16>
  func.return %grad : tensor<4x8xf16>
}

// -----

// _softmax_backward_data(g, y) = g*y - y * sum(g*y).
// CHECK-LABEL: func.func @_softmax_backward_data$basic(
// CHECK-SAME:      %[[G:.*]]: tensor<4x8xf32>, %[[Y:.*]]: tensor<4x8xf32>)
// CHECK:         %[[GY:.*]] = aten.mul.Tensor %[[G]], %[[Y]]
// CHECK:         %[[SUM:.*]] = aten.sum.dim_IntList %[[GY]] {dim = [-1], keepdim = true}
// CHECK:         %[[YS:.*]] = aten.mul.Tensor %[[Y]], %[[SUM]]
// CHECK:         %grad = aten.sub.Tensor %[[GY]], %[[YS]]
func.func @_softmax_backward_data$basic(%g: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %grad = aten._softmax_backward_data %g, %y {dim = -1, input_dtype = f32} : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  func.return %grad : tensor<4x8xf32>
}

// -----

// gather(x, 1, t) picks each kept target's score (the gather checks the target against
// the class count; ignored targets read class 0 and count neither loss nor weight); the
// unused total_weight's ops are not left behind.
// CHECK-LABEL: func.func @nll_loss_forward$mean(
// CHECK-SAME:      %[[X:.*]]: tensor<6x5xf32>, %[[T:.*]]: tensor<6xi64>)
// CHECK:         %[[ZERO:.*]] = aten.scalar_tensor {dtype = f32, s = 0.0 : f64} : () -> tensor<f32>
// CHECK:         %[[KEPT:.*]] = aten.ne.Scalar %[[T]] {other = -100 : i64}
// CHECK:         %[[SAFE:.*]] = aten.where.self %[[KEPT]], %[[T]], %{{.*}} : (tensor<6xi1>, tensor<6xi64>, tensor<i64>) -> tensor<6xi64>
// CHECK:         %[[COL:.*]] = aten.unsqueeze %[[SAFE]] {dim = 1 : i64} : (tensor<6xi64>) -> tensor<6x1xi64>
// CHECK:         %[[PICKED:.*]] = aten.gather %[[X]], %[[COL]] {dim = 1 : i64} : (tensor<6x5xf32>, tensor<6x1xi64>) -> tensor<6x1xf32>
// CHECK:         %[[ROW:.*]] = aten.squeeze.dims %[[PICKED]] {dim = [1]} : (tensor<6x1xf32>) -> tensor<6xf32>
// CHECK:         %[[LOSS:.*]] = aten.neg %[[ROW]]
// CHECK:         %[[MASKED:.*]] = aten.where.self %[[KEPT]], %[[LOSS]], %[[ZERO]]
// CHECK:         %[[COUNT:.*]] = aten.sum %[[KEPT]] {dtype = f32} : (tensor<6xi1>) -> tensor<f32>
// CHECK:         %[[TOTAL:.*]] = aten.sum %[[MASKED]] : (tensor<6xf32>) -> tensor<f32>
// CHECK:         %[[MEAN:.*]] = aten.div.Tensor %[[TOTAL]], %[[COUNT]]
// CHECK:         func.return %[[MEAN]] : tensor<f32>
func.func @nll_loss_forward$mean(%x: tensor<6x5xf32>, %t: tensor<6xi64>) -> tensor<f32> {
  %loss:2 = aten.nll_loss_forward %x, %t {ignore_index = -100, reduction = 1} : (tensor<6x5xf32>, tensor<6xi64>) -> (tensor<f32>, tensor<f32>)
  func.return %loss#0 : tensor<f32>
}

// -----

// Class weights scale the picked scores; total_weight sums the kept targets' weights.
// CHECK-LABEL: func.func @nll_loss_forward$sum_weight(
// CHECK-SAME:      %[[X:.*]]: tensor<6x5xf32>, %[[T:.*]]: tensor<6xi64>, %[[W:.*]]: tensor<5xf32>)
// CHECK:         %[[HIT:.*]] = aten.eq.Tensor
// CHECK:         %[[XW:.*]] = aten.mul.Tensor %[[X]], %[[W]]
// CHECK:         %[[ZERO:.*]] = aten.scalar_tensor
// CHECK:         %[[KEPT:.*]] = aten.ne.Scalar %[[T]] {other = 0 : i64}
// CHECK:         aten.gather %[[XW]], %{{.*}} {dim = 1 : i64}
// CHECK:         %[[LOSSES:.*]] = aten.where.self %[[KEPT]]
// CHECK:         %[[WHIT:.*]] = aten.where.self %[[HIT]], %[[W]], %[[ZERO]] : (tensor<6x5xi1>, tensor<5xf32>, tensor<f32>) -> tensor<6x5xf32>
// CHECK:         %[[WROW:.*]] = aten.sum.dim_IntList %[[WHIT]] {dim = [1], keepdim = false}
// CHECK:         %[[WKEPT:.*]] = aten.where.self %[[KEPT]], %[[WROW]], %[[ZERO]]
// CHECK:         %[[TW:.*]] = aten.sum %[[WKEPT]]
// CHECK:         %[[SUM:.*]] = aten.sum %[[LOSSES]]
// CHECK:         func.return %[[SUM]], %[[TW]]
func.func @nll_loss_forward$sum_weight(%x: tensor<6x5xf32>, %t: tensor<6xi64>, %w: tensor<5xf32>) -> (tensor<f32>, tensor<f32>) {
  %loss:2 = aten.nll_loss_forward %x, %t, %w {ignore_index = 0, reduction = 2} : (tensor<6x5xf32>, tensor<6xi64>, tensor<5xf32>) -> (tensor<f32>, tensor<f32>)
  func.return %loss#0, %loss#1 : tensor<f32>, tensor<f32>
}

// -----

// scatter(zeros, 1, t, -1) * g as where(t == arange(C), -g, 0).
// CHECK-LABEL: func.func @nll_loss_backward$mean(
// CHECK-SAME:      %[[G:.*]]: tensor<f32>, %[[X:.*]]: tensor<6x5xf32>, %[[T:.*]]: tensor<6xi64>, %[[TW:.*]]: tensor<f32>)
// CHECK:         %[[COL:.*]] = aten.unsqueeze %[[T]] {dim = 1 : i64}
// CHECK:         %[[HIT:.*]] = aten.eq.Tensor %[[COL]]
// CHECK:         %[[SCALED:.*]] = aten.div.Tensor %[[G]], %[[TW]]
// CHECK:         %[[ZERO:.*]] = aten.scalar_tensor
// CHECK:         %[[KEPT:.*]] = aten.ne.Scalar %[[COL]] {other = -100 : i64} : (tensor<6x1xi64>) -> tensor<6x1xi1>
// CHECK:         %[[ROWS:.*]] = aten.where.self %[[KEPT]], %[[SCALED]], %[[ZERO]] : (tensor<6x1xi1>, tensor<f32>, tensor<f32>) -> tensor<6x1xf32>
// CHECK:         %[[NEG:.*]] = aten.neg %[[ROWS]]
// CHECK:         %grad = aten.where.self %[[HIT]], %[[NEG]], %[[ZERO]] : (tensor<6x5xi1>, tensor<6x1xf32>, tensor<f32>) -> tensor<6x5xf32>
func.func @nll_loss_backward$mean(%g: tensor<f32>, %x: tensor<6x5xf32>, %t: tensor<6xi64>, %tw: tensor<f32>) -> tensor<6x5xf32> {
  %grad = aten.nll_loss_backward %g, %x, %t, %tw {ignore_index = -100, reduction = 1} : (tensor<f32>, tensor<6x5xf32>, tensor<6xi64>, tensor<f32>) -> tensor<6x5xf32>
  func.return %grad : tensor<6x5xf32>
}

// -----

// mean = sum / N, var = sum((x - mean)^2) / N, rstd = rsqrt(var + eps).
// CHECK-LABEL: func.func @native_layer_norm$affine(
// CHECK-SAME:      %[[X:.*]]: tensor<2x3x8xf32>, %[[W:.*]]: tensor<8xf32>, %[[B:.*]]: tensor<8xf32>)
// CHECK:         %[[SUM:.*]] = aten.sum.dim_IntList %[[X]] {dim = [2], keepdim = true} : (tensor<2x3x8xf32>) -> tensor<2x3x1xf32>
// CHECK:         %[[MEAN:.*]] = aten.div.Scalar %[[SUM]] {other = 8 : i64}
// CHECK:         %[[CENTERED:.*]] = aten.sub.Tensor %[[X]], %[[MEAN]]
// CHECK:         %[[SQ:.*]] = aten.mul.Tensor %[[CENTERED]], %[[CENTERED]]
// CHECK:         %[[SQSUM:.*]] = aten.sum.dim_IntList %[[SQ]] {dim = [2], keepdim = true}
// CHECK:         %[[VAR:.*]] = aten.div.Scalar %[[SQSUM]] {other = 8 : i64}
// CHECK:         %[[VAREPS:.*]] = aten.add.Scalar %[[VAR]] {other = 1.0e-5 : f64}
// CHECK:         %[[RSTD:.*]] = aten.rsqrt %[[VAREPS]]
// CHECK:         %[[NORM:.*]] = aten.mul.Tensor %[[CENTERED]], %[[RSTD]]
// CHECK:         %[[SCALED:.*]] = aten.mul.Tensor %[[NORM]], %[[W]]
// CHECK:         %[[OUT:.*]] = aten.add.Tensor %[[SCALED]], %[[B]]
// CHECK:         func.return %[[OUT]], %[[MEAN]], %[[RSTD]] : tensor<2x3x8xf32>, tensor<2x3x1xf32>, tensor<2x3x1xf32>
func.func @native_layer_norm$affine(%x: tensor<2x3x8xf32>, %w: tensor<8xf32>, %b: tensor<8xf32>) -> (tensor<2x3x8xf32>, tensor<2x3x1xf32>, tensor<2x3x1xf32>) {
  %ln:3 = aten.native_layer_norm %x, %w, %b {eps = 1.0e-05, normalized_shape = [8]} : (tensor<2x3x8xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<2x3x8xf32>, tensor<2x3x1xf32>, tensor<2x3x1xf32>)
  func.return %ln#0, %ln#1, %ln#2 : tensor<2x3x8xf32>, tensor<2x3x1xf32>, tensor<2x3x1xf32>
}

// -----

// dx = rstd / N * (N * g*w - sum(g*w) - x^ * sum(g*w * x^)) with x^ = (x - mean) * rstd.
// CHECK-LABEL: func.func @native_layer_norm_backward$input_grad_only(
// CHECK-SAME:      %[[G:.*]]: tensor<4x8xf32>, %[[X:.*]]: tensor<4x8xf32>, %[[MEAN:.*]]: tensor<4x1xf32>, %[[RSTD:.*]]: tensor<4x1xf32>, %[[W:.*]]: tensor<8xf32>, %{{.*}}: tensor<8xf32>)
// CHECK:         %[[CENTERED:.*]] = aten.sub.Tensor %[[X]], %[[MEAN]]
// CHECK:         %[[XHAT:.*]] = aten.mul.Tensor %[[CENTERED]], %[[RSTD]]
// CHECK:         %[[GW:.*]] = aten.mul.Tensor %[[G]], %[[W]]
// CHECK:         %[[A:.*]] = aten.mul.Scalar %[[GW]] {other = 8 : i64}
// CHECK:         %[[B:.*]] = aten.sum.dim_IntList %[[GW]] {dim = [1], keepdim = true}
// CHECK:         %[[C1:.*]] = aten.mul.Tensor %[[GW]], %[[XHAT]]
// CHECK:         %[[C2:.*]] = aten.sum.dim_IntList %[[C1]] {dim = [1], keepdim = true}
// CHECK:         %[[C3:.*]] = aten.mul.Tensor %[[XHAT]], %[[C2]]
// CHECK:         %[[AB:.*]] = aten.sub.Tensor %[[A]], %[[B]]
// CHECK:         %[[INNER:.*]] = aten.sub.Tensor %[[AB]], %[[C3]]
// CHECK:         %[[SCALE:.*]] = aten.div.Scalar %[[RSTD]] {other = 8 : i64}
// CHECK:         %[[DX:.*]] = aten.mul.Tensor %[[SCALE]], %[[INNER]]
// CHECK:         func.return %[[DX]]
func.func @native_layer_norm_backward$input_grad_only(%g: tensor<4x8xf32>, %x: tensor<4x8xf32>, %mean: tensor<4x1xf32>, %rstd: tensor<4x1xf32>, %w: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  %grads:3 = aten.native_layer_norm_backward %g, %x, %mean, %rstd, %w, %b {normalized_shape = [8], output_mask = [true, false, false]} : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x1xf32>, tensor<4x1xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>)
  func.return %grads#0 : tensor<4x8xf32>
}

// -----

// dw = sum(g * x^) and db = sum(g) over the outer dims; dx is masked out and not built.
// CHECK-LABEL: func.func @native_layer_norm_backward$param_grads(
// CHECK-SAME:      %[[G:.*]]: tensor<4x8xf32>, %[[X:.*]]: tensor<4x8xf32>, %[[MEAN:.*]]: tensor<4x1xf32>, %[[RSTD:.*]]: tensor<4x1xf32>
// CHECK:         %[[CENTERED:.*]] = aten.sub.Tensor %[[X]], %[[MEAN]]
// CHECK:         %[[XHAT:.*]] = aten.mul.Tensor %[[CENTERED]], %[[RSTD]]
// CHECK:         %[[GX:.*]] = aten.mul.Tensor %[[G]], %[[XHAT]]
// CHECK:         %[[DW:.*]] = aten.sum.dim_IntList %[[GX]] {dim = [0], keepdim = false} : (tensor<4x8xf32>) -> tensor<8xf32>
// CHECK:         %[[DB:.*]] = aten.sum.dim_IntList %[[G]] {dim = [0], keepdim = false} : (tensor<4x8xf32>) -> tensor<8xf32>
// CHECK-NEXT:    func.return %[[DW]], %[[DB]]
func.func @native_layer_norm_backward$param_grads(%g: tensor<4x8xf32>, %x: tensor<4x8xf32>, %mean: tensor<4x1xf32>, %rstd: tensor<4x1xf32>, %w: tensor<8xf32>, %b: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %grads:3 = aten.native_layer_norm_backward %g, %x, %mean, %rstd, %w, %b {normalized_shape = [8], output_mask = [false, true, true]} : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x1xf32>, tensor<4x1xf32>, tensor<8xf32>, tensor<8xf32>) -> (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>)
  func.return %grads#1, %grads#2 : tensor<8xf32>, tensor<8xf32>
}

// -----

// gelu(x) = x * 0.5 * (1 + erf(x * M_SQRT1_2)).
// CHECK-LABEL: func.func @gelu$erf(
// CHECK-SAME:      %[[X:.*]]: tensor<4xf32>)
// CHECK:         %[[HALF:.*]] = aten.mul.Scalar %[[X]] {other = 0.5 : f64}
// CHECK:         %[[SCALED:.*]] = aten.mul.Scalar %[[X]] {other = 0.7071067811865476 : f64}
// CHECK:         %[[ERF:.*]] = aten.erf %[[SCALED]]
// CHECK:         %[[ONE_PLUS:.*]] = aten.add.Scalar %[[ERF]] {other = 1.0 : f64}
// CHECK:         %gelu = aten.mul.Tensor %[[HALF]], %[[ONE_PLUS]]
// SOME-LABEL: func.func @gelu$erf(
// SOME-NOT:     aten.gelu
// SOME:         aten.erf
func.func @gelu$erf(%x: tensor<4xf32>) -> tensor<4xf32> {
  %gelu = aten.gelu %x : (tensor<4xf32>) -> tensor<4xf32>
  func.return %gelu : tensor<4xf32>
}

// -----

// gelu(x, 'tanh') = 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3))).
// CHECK-LABEL: func.func @gelu$tanh(
// CHECK-SAME:      %[[X:.*]]: tensor<4xf32>)
// CHECK:         %[[HALF:.*]] = aten.mul.Scalar %[[X]] {other = 0.5 : f64}
// CHECK:         %[[SQ:.*]] = aten.mul.Tensor %[[X]], %[[X]]
// CHECK:         %[[CUBE:.*]] = aten.mul.Tensor %[[SQ]], %[[X]]
// CHECK:         %[[K:.*]] = aten.mul.Scalar %[[CUBE]] {other = 0.044715 : f64}
// CHECK:         %[[SUM:.*]] = aten.add.Tensor %[[X]], %[[K]]
// CHECK:         %[[INNER:.*]] = aten.mul.Scalar %[[SUM]] {other = 0.7978845608028654 : f64}
// CHECK:         %[[TANH:.*]] = aten.tanh %[[INNER]]
// CHECK:         %[[ONE_PLUS:.*]] = aten.add.Scalar %[[TANH]] {other = 1.0 : f64}
// CHECK:         %gelu = aten.mul.Tensor %[[HALF]], %[[ONE_PLUS]]
func.func @gelu$tanh(%x: tensor<4xf32>) -> tensor<4xf32> {
  %gelu = aten.gelu %x {approximate = "tanh"} : (tensor<4xf32>) -> tensor<4xf32>
  func.return %gelu : tensor<4xf32>
}

// -----

// gelu_backward(g, x) = g * (cdf(x) + x * pdf(x)), pdf(x) = exp(-x^2 / 2) / sqrt(2 pi).
// CHECK-LABEL: func.func @gelu_backward$erf(
// CHECK-SAME:      %[[G:.*]]: tensor<4xf32>, %[[X:.*]]: tensor<4xf32>)
// CHECK:         %[[SCALED:.*]] = aten.mul.Scalar %[[X]] {other = 0.7071067811865476 : f64}
// CHECK:         %[[ERF:.*]] = aten.erf %[[SCALED]]
// CHECK:         %[[ONE_PLUS:.*]] = aten.add.Scalar %[[ERF]] {other = 1.0 : f64}
// CHECK:         %[[CDF:.*]] = aten.mul.Scalar %[[ONE_PLUS]] {other = 0.5 : f64}
// CHECK:         %[[SQ:.*]] = aten.mul.Tensor %[[X]], %[[X]]
// CHECK:         %[[HALF_SQ:.*]] = aten.mul.Scalar %[[SQ]] {other = -0.5 : f64}
// CHECK:         %[[EXP:.*]] = aten.exp %[[HALF_SQ]]
// CHECK:         %[[PDF:.*]] = aten.mul.Scalar %[[EXP]] {other = 0.3989422804014327 : f64}
// CHECK:         %[[XPDF:.*]] = aten.mul.Tensor %[[X]], %[[PDF]]
// CHECK:         %[[SLOPE:.*]] = aten.add.Tensor %[[CDF]], %[[XPDF]]
// CHECK:         %grad = aten.mul.Tensor %[[G]], %[[SLOPE]]
func.func @gelu_backward$erf(%g: tensor<4xf32>, %x: tensor<4xf32>) -> tensor<4xf32> {
  %grad = aten.gelu_backward %g, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %grad : tensor<4xf32>
}

// -----

// mean(x) = sum(x) / numel.
// CHECK-LABEL: func.func @mean$all(
// CHECK-SAME:      %[[X:.*]]: tensor<2x3xf32>)
// CHECK:         %[[SUM:.*]] = aten.sum %[[X]] : (tensor<2x3xf32>) -> tensor<f32>
// CHECK:         %mean = aten.div.Scalar %[[SUM]] {other = 6 : i64}
// SOME-LABEL: func.func @mean$all(
// SOME:         aten.sum
// SOME-NOT:     aten.mean
func.func @mean$all(%x: tensor<2x3xf32>) -> tensor<f32> {
  %mean = aten.mean %x : (tensor<2x3xf32>) -> tensor<f32>
  func.return %mean : tensor<f32>
}

// -----

// bf16 sums in f32 (sum's dtype) and converts the quotient back.
// CHECK-LABEL: func.func @mean.dim$bf16(
// CHECK-SAME:      %[[X:.*]]: tensor<2x3x4xbf16>)
// CHECK:         %[[SUM:.*]] = aten.sum.dim_IntList %[[X]] {dim = [-1, 1], dtype = f32, keepdim = true} : (tensor<2x3x4xbf16>) -> tensor<2x1x1xf32>
// CHECK:         %[[MEAN:.*]] = aten.div.Scalar %[[SUM]] {other = 12 : i64}
// CHECK:         %mean = aten._to_copy %[[MEAN]] {dtype = bf16} : (tensor<2x1x1xf32>) -> tensor<2x1x1xbf16>
// SOME-LABEL: func.func @mean.dim$bf16(
// SOME:         aten.mean.dim
func.func @mean.dim$bf16(%x: tensor<2x3x4xbf16>) -> tensor<2x1x1xbf16> {
  %mean = aten.mean.dim %x {dim = [-1, 1], keepdim = true} : (tensor<2x3x4xbf16>) -> tensor<2x1x1xbf16>
  func.return %mean : tensor<2x1x1xbf16>
}

// -----

// tanh_backward(g, y) = g * (1 - y * y), with 1 - v written -v + 1.
// CHECK-LABEL: func.func @tanh_backward$basic(
// CHECK-SAME:      %[[G:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xf32>)
// CHECK:         %[[SQ:.*]] = aten.mul.Tensor %[[Y]], %[[Y]]
// CHECK:         %[[NEG:.*]] = aten.neg %[[SQ]]
// CHECK:         %[[SLOPE:.*]] = aten.add.Scalar %[[NEG]] {other = 1.0 : f64}
// CHECK:         %grad = aten.mul.Tensor %[[G]], %[[SLOPE]]
func.func @tanh_backward$basic(%g: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %grad = aten.tanh_backward %g, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %grad : tensor<4xf32>
}

// -----

// sigmoid_backward(g, y) = g * (y * (1 - y)).
// CHECK-LABEL: func.func @sigmoid_backward$basic(
// CHECK-SAME:      %[[G:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xf32>)
// CHECK:         %[[NEG:.*]] = aten.neg %[[Y]]
// CHECK:         %[[COMPLEMENT:.*]] = aten.add.Scalar %[[NEG]] {other = 1.0 : f64}
// CHECK:         %[[SLOPE:.*]] = aten.mul.Tensor %[[Y]], %[[COMPLEMENT]]
// CHECK:         %grad = aten.mul.Tensor %[[G]], %[[SLOPE]]
func.func @sigmoid_backward$basic(%g: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %grad = aten.sigmoid_backward %g, %y : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %grad : tensor<4xf32>
}

// -----

// threshold_backward(g, x, t) = where(x <= t, 0, g), the threshold converted to the result
// dtype (a float here; an integer result truncates it, as PyTorch's kernel).
// CHECK-LABEL: func.func @threshold_backward$relu(
// CHECK-SAME:      %[[G:.*]]: tensor<4xf32>, %[[X:.*]]: tensor<4xf32>)
// CHECK:         %[[BELOW:.*]] = aten.le.Scalar %[[X]] {other = 0.0 : f64} : (tensor<4xf32>) -> tensor<4xi1>
// CHECK:         %[[ZERO:.*]] = aten.scalar_tensor {dtype = f32, s = 0.0 : f64}
// CHECK:         %grad = aten.where.self %[[BELOW]], %[[ZERO]], %[[G]]
func.func @threshold_backward$relu(%g: tensor<4xf32>, %x: tensor<4xf32>) -> tensor<4xf32> {
  %grad = aten.threshold_backward %g, %x {threshold = 0} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %grad : tensor<4xf32>
}

// -----

// native_dropout_backward(g, mask, scale) = g * (mask.to(g) * scale).
// CHECK-LABEL: func.func @native_dropout_backward$basic(
// CHECK-SAME:      %[[G:.*]]: tensor<8xf32>, %[[MASK:.*]]: tensor<8xi1>)
// CHECK:         %[[KEPT:.*]] = aten._to_copy %[[MASK]] {dtype = f32} : (tensor<8xi1>) -> tensor<8xf32>
// CHECK:         %[[SCALED:.*]] = aten.mul.Scalar %[[KEPT]] {other = 2.0 : f64}
// CHECK:         %grad = aten.mul.Tensor %[[G]], %[[SCALED]]
func.func @native_dropout_backward$basic(%g: tensor<8xf32>, %mask: tensor<8xi1>) -> tensor<8xf32> {
  %grad = aten.native_dropout_backward %g, %mask {scale = 2.0} : (tensor<8xf32>, tensor<8xi1>) -> tensor<8xf32>
  func.return %grad : tensor<8xf32>
}

// -----

// var(x, D) = sum((x - mean)^2, D) / (N - 1) by default; the mean drops its kept dims.
// CHECK-LABEL: func.func @var_mean.correction$unbiased(
// CHECK-SAME:      %[[X:.*]]: tensor<4x6xf32>)
// CHECK:         %[[SUM:.*]] = aten.sum.dim_IntList %[[X]] {dim = [1], keepdim = true}
// CHECK:         %[[MEAN:.*]] = aten.div.Scalar %[[SUM]] {other = 6 : i64} : (tensor<4x1xf32>) -> tensor<4x1xf32>
// CHECK:         %[[CENTERED:.*]] = aten.sub.Tensor %[[X]], %[[MEAN]]
// CHECK:         %[[SQ:.*]] = aten.mul.Tensor %[[CENTERED]], %[[CENTERED]]
// CHECK:         %[[SQSUM:.*]] = aten.sum.dim_IntList %[[SQ]] {dim = [1], keepdim = false} : (tensor<4x6xf32>) -> tensor<4xf32>
// CHECK:         %[[VAR:.*]] = aten.div.Scalar %[[SQSUM]] {other = 5.0 : f64}
// CHECK:         %[[FLAT:.*]] = aten.view %[[MEAN]] {size = [4]} : (tensor<4x1xf32>) -> tensor<4xf32>
// CHECK:         func.return %[[VAR]], %[[FLAT]]
func.func @var_mean.correction$unbiased(%x: tensor<4x6xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %vm:2 = aten.var_mean.correction %x {dim = [1]} : (tensor<4x6xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  func.return %vm#0, %vm#1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// Training batch norm: per-channel statistics over dims 0, 2, 3; the running mean and
// variance move by momentum, the variance unbiased by n / (n - 1) = 32 / 31.
// CHECK-LABEL: func.func @_native_batch_norm_legit_functional$training(
// CHECK-SAME:      %[[X:.*]]: tensor<2x3x4x4xf32>, %[[W:.*]]: tensor<3xf32>, %[[B:.*]]: tensor<3xf32>, %[[RM:.*]]: tensor<3xf32>, %[[RV:.*]]: tensor<3xf32>)
// CHECK:         %[[SUM:.*]] = aten.sum.dim_IntList %[[X]] {dim = [0, 2, 3], keepdim = true} : (tensor<2x3x4x4xf32>) -> tensor<1x3x1x1xf32>
// CHECK:         %[[MEAN:.*]] = aten.div.Scalar %[[SUM]] {other = 32 : i64}
// CHECK:         %[[CENTERED:.*]] = aten.sub.Tensor %[[X]], %[[MEAN]]
// CHECK:         %[[VAR:.*]] = aten.div.Scalar %{{.*}} {other = 32 : i64}
// CHECK:         %[[RSTD:.*]] = aten.rsqrt
// CHECK:         %[[NORM:.*]] = aten.mul.Tensor %[[CENTERED]], %[[RSTD]]
// CHECK:         %[[SAVE_MEAN:.*]] = aten.squeeze.dims %[[MEAN]] {dim = [0, 2, 3]} : (tensor<1x3x1x1xf32>) -> tensor<3xf32>
// CHECK:         %[[SAVE_RSTD:.*]] = aten.squeeze.dims %[[RSTD]] {dim = [0, 2, 3]}
// CHECK:         %[[MOVED:.*]] = aten.mul.Scalar %[[SAVE_MEAN]] {other = 0.1 : f64}
// CHECK:         %[[KEPT:.*]] = aten.mul.Scalar %[[RM]] {other = 0.9 : f64}
// CHECK:         %[[NEW_MEAN:.*]] = aten.add.Tensor %[[MOVED]], %[[KEPT]]
// CHECK:         %[[BATCH_VAR:.*]] = aten.squeeze.dims %[[VAR]] {dim = [0, 2, 3]}
// CHECK:         %[[UNBIASED:.*]] = aten.mul.Scalar %[[BATCH_VAR]] {other = 1.032258064516129 : f64}
// CHECK:         %[[NEW_VAR:.*]] = aten.add.Tensor
// CHECK:         %[[WC:.*]] = aten.view %[[W]] {size = [-1, 1, 1]} : (tensor<3xf32>) -> tensor<3x1x1xf32>
// CHECK:         %[[SCALED:.*]] = aten.mul.Tensor %[[NORM]], %[[WC]]
// CHECK:         %[[BC:.*]] = aten.view %[[B]] {size = [-1, 1, 1]}
// CHECK:         %[[OUT:.*]] = aten.add.Tensor %[[SCALED]], %[[BC]]
// CHECK:         func.return %[[OUT]], %[[SAVE_MEAN]], %[[SAVE_RSTD]], %[[NEW_MEAN]], %[[NEW_VAR]]
func.func @_native_batch_norm_legit_functional$training(%x: tensor<2x3x4x4xf32>, %w: tensor<3xf32>, %b: tensor<3xf32>, %rm: tensor<3xf32>, %rv: tensor<3xf32>) -> (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
  %bn:5 = aten._native_batch_norm_legit_functional %x, %w, %b, %rm, %rv {eps = 1.0e-05, momentum = 0.1, training = true} : (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  func.return %bn#0, %bn#1, %bn#2, %bn#3, %bn#4 : tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
}

// -----

// Evaluation: the running statistics, viewed per channel.
// CHECK-LABEL: func.func @_native_batch_norm_legit_no_training$affine(
// CHECK-SAME:      %[[X:.*]]: tensor<2x3x4xf32>, %{{.*}}: tensor<3xf32>, %{{.*}}: tensor<3xf32>, %[[RM:.*]]: tensor<3xf32>, %[[RV:.*]]: tensor<3xf32>)
// CHECK:         %[[VAREPS:.*]] = aten.add.Scalar %[[RV]] {other = 1.0e-5 : f64}
// CHECK:         %[[INVSTD:.*]] = aten.rsqrt %[[VAREPS]]
// CHECK:         %[[MEAN:.*]] = aten.view %[[RM]] {size = [-1, 1]} : (tensor<3xf32>) -> tensor<3x1xf32>
// CHECK:         %[[SCALE:.*]] = aten.view %[[INVSTD]] {size = [-1, 1]}
// CHECK:         %[[CENTERED:.*]] = aten.sub.Tensor %[[X]], %[[MEAN]]
// CHECK:         aten.mul.Tensor %[[CENTERED]], %[[SCALE]]
// CHECK-NOT:     aten.zeros
// CHECK:         func.return
func.func @_native_batch_norm_legit_no_training$affine(%x: tensor<2x3x4xf32>, %w: tensor<3xf32>, %b: tensor<3xf32>, %rm: tensor<3xf32>, %rv: tensor<3xf32>) -> tensor<2x3x4xf32> {
  %bn:3 = aten._native_batch_norm_legit_no_training %x, %w, %b, %rm, %rv {eps = 1.0e-05, momentum = 0.1} : (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<2x3x4xf32>, tensor<0xf32>, tensor<0xf32>)
  func.return %bn#0 : tensor<2x3x4xf32>
}

// -----

// dx = ((g - (x - mean) * dot/n * invstd^2) - sum(g)/n) * invstd * w, dw = dot * invstd,
// db = sum(g), with dot = sum(g * (x - mean)).
// CHECK-LABEL: func.func @native_batch_norm_backward$training(
// CHECK-SAME:      %[[G:.*]]: tensor<2x3x4xf32>, %[[X:.*]]: tensor<2x3x4xf32>, %[[W:.*]]: tensor<3xf32>, %[[MEAN:.*]]: tensor<3xf32>, %[[INVSTD:.*]]: tensor<3xf32>)
// CHECK:         %[[MEANC:.*]] = aten.view %[[MEAN]] {size = [-1, 1]}
// CHECK:         %[[GSUM:.*]] = aten.sum.dim_IntList %[[G]] {dim = [0, 2], keepdim = false} : (tensor<2x3x4xf32>) -> tensor<3xf32>
// CHECK:         %[[CENTERED:.*]] = aten.sub.Tensor %[[X]], %[[MEANC]]
// CHECK:         %[[GC:.*]] = aten.mul.Tensor %[[G]], %[[CENTERED]]
// CHECK:         %[[DOT:.*]] = aten.sum.dim_IntList %[[GC]] {dim = [0, 2], keepdim = false}
// CHECK:         %[[WS:.*]] = aten.mul.Tensor %[[INVSTD]], %[[W]]
// CHECK:         %[[GRAD_SCALE:.*]] = aten.view %[[WS]] {size = [-1, 1]}
// CHECK:         %[[GMEAN:.*]] = aten.mul.Scalar %[[GSUM]] {other = 0.125 : f64}
// CHECK:         %[[GMEANC:.*]] = aten.view %[[GMEAN]] {size = [-1, 1]}
// CHECK:         %[[DOTN:.*]] = aten.mul.Scalar %[[DOT]] {other = 0.125 : f64}
// CHECK:         %[[INVSTD_SQ:.*]] = aten.mul.Tensor %[[INVSTD]], %[[INVSTD]]
// CHECK:         %[[PS:.*]] = aten.mul.Tensor %[[DOTN]], %[[INVSTD_SQ]]
// CHECK:         %[[PROJ_SCALE:.*]] = aten.view %[[PS]] {size = [-1, 1]}
// CHECK:         %[[PROJ:.*]] = aten.mul.Tensor %[[CENTERED]], %[[PROJ_SCALE]]
// CHECK:         %[[A:.*]] = aten.sub.Tensor %[[G]], %[[PROJ]]
// CHECK:         %[[B:.*]] = aten.sub.Tensor %[[A]], %[[GMEANC]]
// CHECK:         %[[DX:.*]] = aten.mul.Tensor %[[B]], %[[GRAD_SCALE]]
// CHECK:         %[[DW:.*]] = aten.mul.Tensor %[[DOT]], %[[INVSTD]]
// CHECK:         func.return %[[DX]], %[[DW]], %[[GSUM]]
func.func @native_batch_norm_backward$training(%g: tensor<2x3x4xf32>, %x: tensor<2x3x4xf32>, %w: tensor<3xf32>, %mean: tensor<3xf32>, %invstd: tensor<3xf32>) -> (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>) {
  %grads:3 = aten.native_batch_norm_backward %g, %x, %w, %mean, %invstd {eps = 1.0e-05, train = true, output_mask = [true, true, true], operandSegmentSizes = [1, 1, 1, 0, 0, 1, 1]} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>)
  func.return %grads#0, %grads#1, %grads#2 : tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>
}

// -----

// Left alone: mean counts the elements it averages, which a dynamic dim hides.
// CHECK-LABEL: func.func @mean.dim$dynamic_left_alone(
// CHECK:         %mean = aten.mean.dim
func.func @mean.dim$dynamic_left_alone(%x: tensor<?x5xf32>) -> tensor<?xf32> {
  %mean = aten.mean.dim %x {dim = [-1]} : (tensor<?x5xf32>) -> tensor<?xf32>
  func.return %mean : tensor<?xf32>
}

// -----

// Left alone: a dynamic softmax dim may be empty, where amax has no value.
// CHECK-LABEL: func.func @_softmax$dynamic_dim_left_alone(
// CHECK:         %softmax = aten._softmax
func.func @_softmax$dynamic_dim_left_alone(%x: tensor<3x?xf32>) -> tensor<3x?xf32> {
  %softmax = aten._softmax %x {dim = 1, half_to_float = false} : (tensor<3x?xf32>) -> tensor<3x?xf32>
  func.return %softmax : tensor<3x?xf32>
}

// -----

// An empty dim: no amax (it has no identity), as _refs.softmax does for empty inputs.
// CHECK-LABEL: func.func @_log_softmax$empty_dim(
// CHECK-SAME:      %[[X:.*]]: tensor<3x0xf32>)
// CHECK-NOT:     aten.amax
// CHECK:         %[[EXP:.*]] = aten.exp %[[X]]
// CHECK:         %[[SUM:.*]] = aten.sum.dim_IntList %[[EXP]] {dim = [-1], keepdim = true} : (tensor<3x0xf32>) -> tensor<3x1xf32>
// CHECK:         %[[LSE:.*]] = aten.log %[[SUM]]
// CHECK:         %ls = aten.sub.Tensor %[[X]], %[[LSE]]
func.func @_log_softmax$empty_dim(%x: tensor<3x0xf32>) -> tensor<3x0xf32> {
  %ls = aten._log_softmax %x {dim = -1, half_to_float = false} : (tensor<3x0xf32>) -> tensor<3x0xf32>
  func.return %ls : tensor<3x0xf32>
}

// -----

// A dynamic dim the softmax does not reduce is fine.
// CHECK-LABEL: func.func @_softmax$dynamic_batch(
// CHECK:         aten.amax %{{.*}} {dim = [1], keepdim = true} : (tensor<?x5xf32>) -> tensor<?x1xf32>
// CHECK:         %softmax = aten.div.Tensor %{{.*}}, %{{.*}} : (tensor<?x5xf32>, tensor<?x1xf32>) -> tensor<?x5xf32>
func.func @_softmax$dynamic_batch(%x: tensor<?x5xf32>) -> tensor<?x5xf32> {
  %softmax = aten._softmax %x {dim = 1, half_to_float = false} : (tensor<?x5xf32>) -> tensor<?x5xf32>
  func.return %softmax : tensor<?x5xf32>
}

// -----

// randperm: the ascending order of uniform f64 keys, converted to its dtype; a pinned
// stream stays on the key draw.
// CHECK-LABEL: func.func @randperm
func.func @randperm() -> tensor<6xi32> {
  // CHECK: %[[K:.*]] = aten.rand {dtype = f64, interp.seed = 3 : i64, size = [6]} : () -> tensor<6xf64>
  // CHECK: %[[S:.*]]:2 = aten.sort %[[K]] {descending = false, dim = 0 : i64} : (tensor<6xf64>) -> (tensor<6xf64>, tensor<6xi64>)
  // CHECK: aten._to_copy %[[S]]#1 {dtype = i32} : (tensor<6xi64>) -> tensor<6xi32>
  // CHECK-NOT: aten.randperm
  %p = aten.randperm {n = 6 : i64, dtype = i32, interp.seed = 3 : i64} : () -> tensor<6xi32>
  func.return %p : tensor<6xi32>
}
