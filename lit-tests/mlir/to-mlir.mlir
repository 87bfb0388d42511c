// `joinery-translate --to-mlir`: aten (after aten-decompose) as upstream func, tensor,
// linalg, arith and math, built with melior and checked by MLIR's verifier. mlir-opt-22
// must accept the output as it is: no --allow-unregistered-dialect, since descriptors
// travel as discardable string attributes and no joinery dialect is left.
// RUN: joinery-translate --to-mlir %s | FileCheck %s
// RUN: joinery-translate --to-mlir %s | FileCheck %s --check-prefix=MAPS
// RUN: joinery-translate --to-mlir %s | mlir-opt | FileCheck %s --check-prefix=UPSTREAM
// The example joint graph (mm, addmm, t, relu, sum, expand, view, threshold_backward).
// RUN: joinery-translate --to-mlir %S/../../examples/linear_relu_joint.mlir | mlir-opt | FileCheck %s --check-prefix=JOINT

// CHECK-LABEL: func.func @linear
// CHECK-SAME: {aot.desc = "#aot.param<\22fc.weight\22>"}
// CHECK: linalg.matmul
// CHECK: linalg.generic
// CHECK: arith.maximumf
// CHECK: return
// UPSTREAM-LABEL: func.func @linear
// UPSTREAM: linalg.matmul
func.func @linear(%w: tensor<3x4xf32> {aot.desc = #aot.param<"fc.weight">}, %x: tensor<2x3xf32> {aot.desc = #aot.plain<0>}) -> (tensor<2x4xf32> {aot.desc = #aot.plain_out<0>}) {
  %mm = "aten.mm"(%x, %w) : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %r = "aten.relu"(%mm) : (tensor<2x4xf32>) -> tensor<2x4xf32>
  func.return %r : tensor<2x4xf32>
}

// Broadcasting reads a size-1 dim at index 0; the scalar attribute is a constant in the body.
// MAPS: affine_map<(d0, d1) -> (0, d1)>
// CHECK-LABEL: func.func @broadcast
// CHECK: arith.addf
// CHECK: arith.mulf
func.func @broadcast(%a: tensor<2x3xf32>, %b: tensor<1x3xf32>) -> tensor<2x3xf32> {
  %s = "aten.add.Tensor"(%a, %b) {alpha = 1 : i64} : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
  %m = "aten.mul.Scalar"(%s) {other = 2.5 : f64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  func.return %m : tensor<2x3xf32>
}

// A reduction keeps its dims with keepdim through tensor.reshape; comparisons yield i1.
// CHECK-LABEL: func.func @reduce
// CHECK: linalg.fill
// CHECK: iterator_types = ["parallel", "reduction"]
// CHECK: tensor.reshape
// CHECK: arith.cmpf ogt
func.func @reduce(%a: tensor<2x3xf32>) -> (tensor<2x1xf32>, tensor<2x3xi1>) {
  %s = "aten.sum.dim_IntList"(%a) {dim = [1], keepdim = true} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  %c = "aten.gt.Scalar"(%a) {other = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xi1>
  func.return %s, %c : tensor<2x1xf32>, tensor<2x3xi1>
}

// A `none` result has no upstream value: it leaves the signature, and its attributes stay
// on the function.
// JOINT-LABEL: func.func @joint
// JOINT-SAME: aot.none_results = [{attrs = {aot.desc = "#aot.none_grad<#aot.buffer<\22steps\22>>"}, index = 4 : i64}
// JOINT: linalg.matmul

// A grouped, strided, padded convolution: one linalg.generic whose weight is read through
// a projected permutation and whose input is read with tensor.extract at computed places,
// clamped into range (padding reads zero through a select); the f32 sum runs in f64.
// CHECK-LABEL: func.func @conv$grouped_strided
// CHECK: linalg.generic {{.*}}"parallel", "reduction", "reduction", "reduction"]
// CHECK: linalg.index 1
// CHECK: arith.floordivsi
// CHECK: arith.minsi
// CHECK: tensor.extract
// CHECK: arith.extf
// CHECK: arith.select
// CHECK: arith.addf {{.*}} : f64
// CHECK: arith.truncf
// UPSTREAM-LABEL: func.func @conv$grouped_strided
func.func @conv$grouped_strided(%x: tensor<1x4x5x5xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x3x3xf32> {
  %y = "aten.convolution"(%x, %w) {dilation = [1, 1], groups = 2 : i64, output_padding = [0, 0], padding = [1, 1], stride = [2, 2], transposed = false} : (tensor<1x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x3x3xf32>
  func.return %y : tensor<1x4x3x3xf32>
}

// gather reads the index tensor elementwise and self at the coordinates it names.
// CHECK-LABEL: func.func @gather$dim1
// CHECK: linalg.generic
// CHECK: %[[ROW:.*]] = linalg.index 0
// CHECK: %[[COL:.*]] = arith.index_cast
// CHECK: tensor.extract %{{.*}}[%[[ROW]], %[[COL]]]
func.func @gather$dim1(%x: tensor<3x5xf32>, %i: tensor<3x2xi64>) -> tensor<3x2xf32> {
  %g = "aten.gather"(%x, %i) {dim = 1 : i64} : (tensor<3x5xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  func.return %g : tensor<3x2xf32>
}

// A call of another function of the module stays a call of that function's export.
// CHECK-LABEL: func.func @caller
// CHECK: %[[R:.*]] = call @callee(%{{.*}}) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK: return %[[R]]
// CHECK-LABEL: func.func @callee
// CHECK: arith.negf
func.func @caller(%a: tensor<4xf32>) -> tensor<4xf32> {
  %r = func.call @callee(%a) : (tensor<4xf32>) -> tensor<4xf32>
  func.return %r : tensor<4xf32>
}
func.func private @callee(%x: tensor<4xf32>) -> tensor<4xf32> {
  %n = aten.neg %x : (tensor<4xf32>) -> tensor<4xf32>
  func.return %n : tensor<4xf32>
}
