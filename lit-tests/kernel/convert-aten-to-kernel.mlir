// RUN: joinery-opt %s --convert-aten-to-kernel | FileCheck %s
// RUN: joinery-opt %s --convert-aten-to-kernel --pass-statistics 2>&1 >/dev/null | FileCheck %s --check-prefix=STATS

// One loop nest per pointwise or reduction op (fusion is kernel-fuse's job), views as
// strided maps (the broadcast bias reads with stride 0, the transpose is a column-major
// GEMM operand), results in `output` allocs, intermediates in unplanned allocs.

// CHECK-LABEL: func.func @chain$unfused
// CHECK:         %[[ADD:.*]] = kernel.alloc : () -> tensor<4x3xf32>
// CHECK:         %[[OUT:.*]] = kernel.alloc {output = 0 : i64} : () -> tensor<4x3xf32>
// CHECK:         %[[SUM:.*]] = kernel.alloc {output = 1 : i64} : () -> tensor<4x1xf32>
// CHECK:         %[[MM:.*]] = kernel.alloc {output = 2 : i64} : () -> tensor<3x3xf32>
// CHECK:         "kernel.fused"(%x, %b, %[[ADD]]) <{in_maps = {{\[}}[0, 3, 1], [0, 0, 1]]
// CHECK-SAME:      sources = ["aten.add.Tensor"]
// CHECK:           kernel.add
// CHECK:         "kernel.fused"(%[[ADD]], %[[OUT]])
// CHECK:           kernel.tanh
// CHECK:         kernel.fill %[[SUM]] {value = 0.0 : f64}
// CHECK:         "kernel.fused"(%[[OUT]], %[[SUM]])
// CHECK-SAME:      out_kinds = ["sum"], out_maps = {{\[}}[0, 1, 0]]
// CHECK:         "kernel.gemm"(%[[OUT]], %x, %[[MM]]) <{a_map = [0, 0, 1, 3]
// CHECK:         func.return %[[OUT]], %[[SUM]], %[[MM]]

// STATS: ConvertAtenToKernel
// STATS: 1 gemms
// STATS: 5 kernels
func.func @chain$unfused(%x: tensor<4x3xf32>, %b: tensor<3xf32>) -> (tensor<4x3xf32>, tensor<4x1xf32>, tensor<3x3xf32>) {
  %a = "aten.add.Tensor"(%x, %b) : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %t = "aten.tanh"(%a) : (tensor<4x3xf32>) -> tensor<4x3xf32>
  %s = "aten.sum.dim_IntList"(%t) {dim = [1], keepdim = true} : (tensor<4x3xf32>) -> tensor<4x1xf32>
  %tt = "aten.t"(%t) : (tensor<4x3xf32>) -> tensor<3x4xf32>
  %m = "aten.mm"(%tt, %x) : (tensor<3x4xf32>, tensor<4x3xf32>) -> tensor<3x3xf32>
  func.return %t, %s, %m : tensor<4x3xf32>, tensor<4x1xf32>, tensor<3x3xf32>
}

// A function already at L3 is left alone.
// CHECK-LABEL: func.func @l3$left_alone
// CHECK-NEXT:    kernel.alloc {output = 0 : i64}
// CHECK-NEXT:    func.return
func.func @l3$left_alone() -> tensor<2xf32> {
  %o = kernel.alloc {output = 0 : i64} : () -> tensor<2xf32>
  func.return %o : tensor<2xf32>
}

// A product is an accumulation into a buffer of ones.
// CHECK-LABEL: func.func @prod$accumulates
// CHECK:         kernel.fill %[[P:.*]] {value = 1.0 : f64}
// CHECK:         "kernel.fused"(%x, %[[P]])
// CHECK-SAME:      out_kinds = ["prod"], out_maps = {{\[}}[0, 1, 0]]
func.func @prod$accumulates(%x: tensor<3x4xf32>) -> tensor<3xf32> {
  %y = "aten.prod.dim_int"(%x) {dim = 1 : i64, keepdim = false} : (tensor<3x4xf32>) -> tensor<3xf32>
  func.return %y : tensor<3xf32>
}

// Integer floor division: the truncating quotient, one less when the remainder's sign
// differs from the divisor's; both divisions name the op for a zero divisor's error.
// CHECK-LABEL: func.func @div_floor$int
// CHECK:         "kernel.fused"
// CHECK-DAG:       kernel.div %{{.*}}, %{{.*}} {site = "aten.div.Tensor_mode at {{.*}}convert-aten-to-kernel.mlir:[[@LINE+3]]:3"} : (i64, i64) -> i64
// CHECK-DAG:       kernel.rem %{{.*}}, %{{.*}} {site = "aten.div.Tensor_mode at {{.*}}convert-aten-to-kernel.mlir:[[@LINE+2]]:3"} : (i64, i64) -> i64
func.func @div_floor$int(%a: tensor<6xi64>, %b: tensor<6xi64>) -> tensor<6xi64> {
  %q = aten.div.Tensor_mode %a, %b {rounding_mode = "floor"} : (tensor<6xi64>, tensor<6xi64>) -> tensor<6xi64>
  func.return %q : tensor<6xi64>
}
