// RUN: joinery-translate %s --to-kernels | FileCheck %s
// RUN: joinery-translate %s --to-llvm | FileCheck %s --check-prefix=LLVM

// A pointwise chain with a broadcast, a reduction and a transpose: views are index
// arithmetic (no copy kernel), the chain and the sum fuse into one loop nest, the product
// goes to the GEMM with a transposed (strided) operand.

// CHECK-LABEL: func.func @chain$fuses
// CHECK-DAG:   %[[OUT:.*]] = kernel.alloc {output = 0 : i64} : () -> tensor<4x3xf32>
// CHECK-DAG:   %[[SUM:.*]] = kernel.alloc {output = 1 : i64} : () -> tensor<4x1xf32>
// CHECK:       kernel.fill %[[SUM]] {value = 0.0 : f64}
// CHECK:       "kernel.fused"(%x, %b, %[[OUT]], %[[SUM]])
// CHECK-SAME:    in_maps = {{\[}}[0, 3, 1], [0, 0, 1]]
// CHECK-SAME:    out_kinds = ["store", "sum"]
// CHECK-SAME:    out_maps = {{\[}}[0, 3, 1], [0, 1, 0]]
// CHECK-SAME:    sources = ["aten.add.Tensor", "aten.tanh", "aten.sum.dim_IntList"]
// CHECK-SAME:    space = [4, 3]
// CHECK:         kernel.add
// CHECK:         kernel.tanh
// CHECK:         "kernel.yield"
// CHECK:       "kernel.gemm"(%[[OUT]], %x, %{{[0-9]+}})
// CHECK-SAME:    a_map = [0, 0, 1, 3]
// CHECK-SAME:    accumulate = false
// CHECK-SAME:    m = 3 : i64
// CHECK-NOT:   kernel.fused
// CHECK:       func.return

// LLVM: ; kernel chain$fuses_k0_add over [4, 3] fuses: aten.add.Tensor, aten.tanh, aten.sum.dim_IntList
// LLVM: define void @"chain$fuses_k0_add"(ptr
func.func @chain$fuses(%x: tensor<4x3xf32>, %b: tensor<3xf32>) -> (tensor<4x3xf32>, tensor<4x1xf32>, tensor<3x3xf32>) {
  %a = "aten.add.Tensor"(%x, %b) : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %t = "aten.tanh"(%a) : (tensor<4x3xf32>) -> tensor<4x3xf32>
  %s = "aten.sum.dim_IntList"(%t) {dim = [1], keepdim = true} : (tensor<4x3xf32>) -> tensor<4x1xf32>
  %tt = "aten.t"(%t) : (tensor<4x3xf32>) -> tensor<3x4xf32>
  %m = "aten.mm"(%tt, %x) : (tensor<3x4xf32>, tensor<4x3xf32>) -> tensor<3x3xf32>
  func.return %t, %s, %m : tensor<4x3xf32>, tensor<4x1xf32>, tensor<3x3xf32>
}
