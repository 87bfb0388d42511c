// RUN: joinery-translate %s --to-kernels | FileCheck %s
// RUN: joinery-translate %s --to-llvm | FileCheck %s --check-prefix=LLVM
// L3 text (here the printed kernels, read from stdin) translates as it is.
// RUN: joinery-translate %s --to-kernels | joinery-translate - --to-llvm | FileCheck %s --check-prefix=LLVM
// L2 text: the forward and backward an aot.joint_pair ties are both lowered.
// RUN: joinery-opt %S/../../examples/linear_relu_joint.mlir --aot-partition | joinery-translate - --to-kernels | FileCheck %s --check-prefix=L2
// RUN: joinery-translate %S/../../examples/linear_relu_joint.mlir --partition --to-kernels | FileCheck %s --check-prefix=L2
// Kernels are vectorized for the host: 8 (AVX2) or 16 (AVX-512) floats per operation.
// RUN: joinery-translate %s --fn wide --to-llvm | FileCheck %s --check-prefix=VEC

// A pointwise chain with a broadcast, a reduction and a transpose: views are index
// arithmetic (no copy kernel), the chain and the sum fuse into one loop nest, the product
// goes to the GEMM with a transposed (strided) operand.

// CHECK-LABEL: func.func @chain$fuses
// CHECK-DAG:   %[[OUT:.*]] = kernel.alloc {output = 0 : i64} : () -> tensor<4x3xf32>
// CHECK-DAG:   %[[SUM:.*]] = kernel.alloc {output = 1 : i64} : () -> tensor<4x1xf32>
// CHECK:       kernel.fill %[[SUM]] {value = 0.0 : f64}
// CHECK:       "kernel.fused"(%x, %b, %[[SUM]], %[[OUT]])
// CHECK-SAME:    in_maps = {{\[}}[0, 3, 1], [0, 0, 1]]
// CHECK-SAME:    out_kinds = ["sum", "store"]
// CHECK-SAME:    out_maps = {{\[}}[0, 1, 0], [0, 3, 1]]
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

// LLVM: ; kernel chain$fuses_k2_sum over [4, 3] fuses: aten.add.Tensor, aten.tanh, aten.sum.dim_IntList
// LLVM: define void @"chain$fuses_k2_sum"(ptr
func.func @chain$fuses(%x: tensor<4x3xf32>, %b: tensor<3xf32>) -> (tensor<4x3xf32>, tensor<4x1xf32>, tensor<3x3xf32>) {
  %a = "aten.add.Tensor"(%x, %b) : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %t = "aten.tanh"(%a) : (tensor<4x3xf32>) -> tensor<4x3xf32>
  %s = "aten.sum.dim_IntList"(%t) {dim = [1], keepdim = true} : (tensor<4x3xf32>) -> tensor<4x1xf32>
  %tt = "aten.t"(%t) : (tensor<4x3xf32>) -> tensor<3x4xf32>
  %m = "aten.mm"(%tt, %x) : (tensor<3x4xf32>, tensor<4x3xf32>) -> tensor<3x3xf32>
  func.return %t, %s, %m : tensor<4x3xf32>, tensor<4x1xf32>, tensor<3x3xf32>
}

// Softmax decomposes into a max, a sum of exps and a division; the three loop nests
// become the phases of one row kernel (each row passed over while it is in L1), and the
// LLVM function shares the row loop between the phases.
// CHECK-LABEL: func.func @softmax$row
// CHECK:         "kernel.fused"
// CHECK-SAME:      outer = 1 : i64, phases = {{\[}}[1, 1], [2, 2], [2, 1]]
// CHECK-NOT:     "kernel.fused"
// CHECK:         func.return
// LLVM: ; kernel softmax$row_k{{[0-9]+}}__softmax over [4, 8] fuses: aten._softmax
// LLVM: define void @"softmax$row_k{{[0-9]+}}__softmax"(ptr
// LLVM: row0
func.func @softmax$row(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = "aten._softmax"(%x) {dim = 1 : i64, half_to_float = false} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  func.return %y : tensor<4x8xf32>
}

// An integer division checks its divisor: a zero stores the site's code (1) in the
// status word the runtime passes after the buffers, atomically, and yields 0.
// CHECK-LABEL: func.func @fmod$int
// CHECK:         kernel.rem %{{.*}}, %{{.*}} {site = "aten.fmod.Tensor at
// LLVM: define void @"fmod$int_k{{[0-9]+}}_fmod"(ptr
// LLVM: %status = load ptr
// LLVM: divzero
// LLVM: store atomic i32 1, ptr %status monotonic, align 4
// LLVM: srem i64
func.func @fmod$int(%a: tensor<6xi64>, %b: tensor<6xi64>) -> tensor<6xi64> {
  %r = "aten.fmod.Tensor"(%a, %b) : (tensor<6xi64>, tensor<6xi64>) -> tensor<6xi64>
  func.return %r : tensor<6xi64>
}

// L2: func.func @joint_forward
// L2: "kernel.gemm"
// L2: func.func @joint_backward
// L2: "kernel.gemm"
// L2: "aot.joint_pair"() <{backward = @joint_backward, forward = @joint_forward

// VEC: define void @wide_k{{[0-9]+}}_tanh
// VEC: fadd {{.*}}<{{8|16}} x float>
func.func @wide(%x: tensor<256x256xf32>, %y: tensor<256x256xf32>) -> tensor<256x256xf32> {
  %a = "aten.add.Tensor"(%x, %y) : (tensor<256x256xf32>, tensor<256x256xf32>) -> tensor<256x256xf32>
  %t = "aten.tanh"(%a) : (tensor<256x256xf32>) -> tensor<256x256xf32>
  func.return %t : tensor<256x256xf32>
}
