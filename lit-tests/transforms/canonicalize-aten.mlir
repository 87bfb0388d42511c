// RUN: joinery-opt --canonicalize --split-input-file %s | FileCheck %s
// RUN: joinery-opt -p 'builtin.module(canonicalize{disable-patterns=aten.same-type,aten.same-shape,aten.reshape-chain,aten.permute-compose,aten.involution,aten.neutral-operand})' --split-input-file %s | FileCheck %s --check-prefix=OFF

// The aten patterns declared in catalogue.txt's fifth column (src/canon.rs) and the
// constant folder of pure aten ops. Each pattern has a case it rewrites and a case it
// must leave alone; with every pattern disabled (OFF) the rewritten ops stay.

// same-type: detach/alias/clone/lift_fresh_copy chains, _to_copy to the same dtype,
// cat of one tensor.
// CHECK-LABEL: func.func @same_type
// CHECK-NOT: aten.
// CHECK: func.return %arg0, %arg0, %arg0
// OFF-LABEL: func.func @same_type
// OFF: aten.detach
// OFF: aten.cat
func.func @same_type(%arg0: tensor<4x3xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>) {
  %d = aten.detach %arg0 : (tensor<4x3xf32>) -> tensor<4x3xf32>
  %a = aten.alias %d : (tensor<4x3xf32>) -> tensor<4x3xf32>
  %c = aten.clone %a : (tensor<4x3xf32>) -> tensor<4x3xf32>
  %l = aten.lift_fresh_copy %c : (tensor<4x3xf32>) -> tensor<4x3xf32>
  %t = aten._to_copy %arg0 {dtype = f32, layout = "strided"} : (tensor<4x3xf32>) -> tensor<4x3xf32>
  %k = aten.cat %arg0 {dim = 1 : i64} : (tensor<4x3xf32>) -> tensor<4x3xf32>
  func.return %l, %t, %k : tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>
}

// -----

// same-type keeps: a dtype change, a cat of two tensors, and L0 code (a clone of a
// reference is a snapshot of a tensor that may be written later).
// CHECK-LABEL: func.func @same_type_kept
// CHECK: aten._to_copy
// CHECK: aten.cat
// CHECK: aten.clone
func.func @same_type_kept(%arg0: tensor<4x3xf32>, %r: !aten.ref<tensor<4x3xf32>>) -> (tensor<4x3xf64>, tensor<8x3xf32>, tensor<4x3xf32>) {
  %t = aten._to_copy %arg0 {dtype = f64} : (tensor<4x3xf32>) -> tensor<4x3xf64>
  %k = aten.cat %arg0, %arg0 : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<8x3xf32>
  %c = aten.clone %r : (!aten.ref<tensor<4x3xf32>>) -> tensor<4x3xf32>
  func.return %t, %k, %c : tensor<4x3xf64>, tensor<8x3xf32>, tensor<4x3xf32>
}

// -----

// same-shape: expand to the same shape, slice over the whole dim.
// CHECK-LABEL: func.func @same_shape
// CHECK-NOT: aten.
// CHECK: func.return %arg0, %arg0
// OFF-LABEL: func.func @same_shape
// OFF: aten.expand
// OFF: aten.slice.Tensor
func.func @same_shape(%arg0: tensor<4x3xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>) {
  %e = aten.expand %arg0 {size = [4, 3]} : (tensor<4x3xf32>) -> tensor<4x3xf32>
  %s = aten.slice.Tensor %arg0 {dim = 1 : i64, start = 0 : i64, end = 9223372036854775807 : i64} : (tensor<4x3xf32>) -> tensor<4x3xf32>
  func.return %e, %s : tensor<4x3xf32>, tensor<4x3xf32>
}

// -----

// same-shape keeps: a real expand and slice, and a dynamic dim (the slice may shorten it).
// CHECK-LABEL: func.func @same_shape_kept
// CHECK: aten.expand
// CHECK: aten.slice.Tensor
// CHECK: aten.slice.Tensor
func.func @same_shape_kept(%arg0: tensor<1x3xf32>, %arg1: tensor<?x3xf32>) -> (tensor<4x3xf32>, tensor<1x2xf32>, tensor<?x3xf32>) {
  %e = aten.expand %arg0 {size = [4, 3]} : (tensor<1x3xf32>) -> tensor<4x3xf32>
  %s = aten.slice.Tensor %arg0 {dim = 1 : i64, start = 1 : i64, end = 3 : i64} : (tensor<1x3xf32>) -> tensor<1x2xf32>
  %d = aten.slice.Tensor %arg1 {dim = 0 : i64, start = 1 : i64, end = 9223372036854775807 : i64} : (tensor<?x3xf32>) -> tensor<?x3xf32>
  func.return %e, %s, %d : tensor<4x3xf32>, tensor<1x2xf32>, tensor<?x3xf32>
}

// -----

// reshape-chain: a reshape back to the shape it came from goes, squeeze(unsqueeze) goes,
// and a view of an _unsafe_view of a view reads the first operand.
// CHECK-LABEL: func.func @reshape_chain
// CHECK-NEXT: %[[V:.*]] = aten.view %arg0 {size = [2, 6]} : (tensor<4x3xf32>) -> tensor<2x6xf32>
// CHECK-NEXT: func.return %arg0, %arg0, %[[V]]
// OFF-LABEL: func.func @reshape_chain
// OFF: aten.reshape
// OFF: aten.squeeze.dim
func.func @reshape_chain(%arg0: tensor<4x3xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>, tensor<2x6xf32>) {
  %v = aten.view %arg0 {size = [12]} : (tensor<4x3xf32>) -> tensor<12xf32>
  %w = aten._unsafe_view %v {size = [3, 4]} : (tensor<12xf32>) -> tensor<3x4xf32>
  %b = aten.reshape %w {shape = [4, 3]} : (tensor<3x4xf32>) -> tensor<4x3xf32>
  %u = aten.unsqueeze %arg0 {dim = 0 : i64} : (tensor<4x3xf32>) -> tensor<1x4x3xf32>
  %s = aten.squeeze.dim %u {dim = 0 : i64} : (tensor<1x4x3xf32>) -> tensor<4x3xf32>
  %x = aten.view %w {size = [2, 6]} : (tensor<3x4xf32>) -> tensor<2x6xf32>
  func.return %b, %s, %x : tensor<4x3xf32>, tensor<4x3xf32>, tensor<2x6xf32>
}

// -----

// reshape-chain keeps: a view to another shape of a non-view, a squeeze of another dim
// after an unsqueeze (no given shape to read the first operand with), and a view to a
// dynamic shape (it reads the first operand, but `?` could hide a change of extent).
// CHECK-LABEL: func.func @reshape_chain_kept
// CHECK: aten.view %arg0 {size = [12]}
// CHECK: %[[U:.*]] = aten.unsqueeze %arg1
// CHECK: aten.squeeze.dim %[[U]] {dim = 2 : i64}
// CHECK: aten.view %arg2 {size = [-1, 4]}
func.func @reshape_chain_kept(%arg0: tensor<4x3xf32>, %arg1: tensor<4x1xf32>, %arg2: tensor<?x4xf32>) -> (tensor<12xf32>, tensor<1x4xf32>, tensor<?x4xf32>) {
  %v = aten.view %arg0 {size = [12]} : (tensor<4x3xf32>) -> tensor<12xf32>
  %u = aten.unsqueeze %arg1 {dim = 0 : i64} : (tensor<4x1xf32>) -> tensor<1x4x1xf32>
  %s = aten.squeeze.dim %u {dim = 2 : i64} : (tensor<1x4x1xf32>) -> tensor<1x4xf32>
  %d = aten.view %arg2 {size = [-1]} : (tensor<?x4xf32>) -> tensor<?xf32>
  %e = aten.view %d {size = [-1, 4]} : (tensor<?xf32>) -> tensor<?x4xf32>
  func.return %v, %s, %e : tensor<12xf32>, tensor<1x4xf32>, tensor<?x4xf32>
}

// -----

// permute-compose: t(t(x)) goes, transpose of a permute becomes one permute, a permute
// by the identity goes.
// CHECK-LABEL: func.func @permute_compose
// CHECK-NEXT: %[[P:.*]] = aten.permute %arg1 {dims = [1, 2, 0]} : (tensor<2x3x4xf32>) -> tensor<3x4x2xf32>
// CHECK-NEXT: func.return %arg0, %[[P]], %arg1
// OFF-LABEL: func.func @permute_compose
// OFF-COUNT-2: aten.t
// OFF: aten.permute
// OFF: aten.transpose.int
func.func @permute_compose(%arg0: tensor<4x3xf32>, %arg1: tensor<2x3x4xf32>) -> (tensor<4x3xf32>, tensor<3x4x2xf32>, tensor<2x3x4xf32>) {
  %t = aten.t %arg0 : (tensor<4x3xf32>) -> tensor<3x4xf32>
  %tt = aten.t %t : (tensor<3x4xf32>) -> tensor<4x3xf32>
  %p = aten.permute %arg1 {dims = [2, 1, 0]} : (tensor<2x3x4xf32>) -> tensor<4x3x2xf32>
  %q = aten.transpose.int %p {dim0 = 0 : i64, dim1 = -2 : i64} : (tensor<4x3x2xf32>) -> tensor<3x4x2xf32>
  %i = aten.permute %arg1 {dims = [0, 1, 2]} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  func.return %tt, %q, %i : tensor<4x3xf32>, tensor<3x4x2xf32>, tensor<2x3x4xf32>
}

// -----

// permute-compose keeps: one transposition of a square matrix (same type, not the
// identity) and a permutation of a non-permutation.
// CHECK-LABEL: func.func @permute_compose_kept
// CHECK: aten.t %arg0
// CHECK: aten.neg
// CHECK: aten.permute
func.func @permute_compose_kept(%arg0: tensor<3x3xf32>) -> (tensor<3x3xf32>, tensor<3x3xf32>) {
  %t = aten.t %arg0 : (tensor<3x3xf32>) -> tensor<3x3xf32>
  %n = aten.neg %t : (tensor<3x3xf32>) -> tensor<3x3xf32>
  %p = aten.permute %n {dims = [1, 0]} : (tensor<3x3xf32>) -> tensor<3x3xf32>
  func.return %t, %p : tensor<3x3xf32>, tensor<3x3xf32>
}

// -----

// involution: neg(neg(x)) is x.
// CHECK-LABEL: func.func @involution
// CHECK-NOT: aten.neg
// CHECK: func.return %arg0
// OFF-LABEL: func.func @involution
// OFF-COUNT-2: aten.neg
func.func @involution(%arg0: tensor<4xi64>) -> tensor<4xi64> {
  %n = aten.neg %arg0 : (tensor<4xi64>) -> tensor<4xi64>
  %m = aten.neg %n : (tensor<4xi64>) -> tensor<4xi64>
  func.return %m : tensor<4xi64>
}

// -----

// involution keeps: one neg, and neg of another op.
// CHECK-LABEL: func.func @involution_kept
// CHECK: aten.neg
// CHECK: aten.relu
// CHECK: aten.neg
func.func @involution_kept(%arg0: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %n = aten.neg %arg0 : (tensor<4xf32>) -> tensor<4xf32>
  %r = aten.relu %n : (tensor<4xf32>) -> tensor<4xf32>
  %m = aten.neg %r : (tensor<4xf32>) -> tensor<4xf32>
  func.return %n, %m : tensor<4xf32>, tensor<4xf32>
}

// -----

// neutral-operand: x * 1 (a Scalar, a splat constant on either side), x / 1, x - 0,
// x + 0 on integers, x + (-0.0) on floats, with alpha 1.
// CHECK-LABEL: func.func @neutral_operand
// CHECK-NOT: aten.
// CHECK: func.return %arg0, %arg0, %arg0, %arg0, %arg0, %arg1, %arg0
// OFF-LABEL: func.func @neutral_operand
// OFF: aten.mul.Scalar
// OFF: aten.add.Scalar
func.func @neutral_operand(%arg0: tensor<4xf32>, %arg1: tensor<4xi64>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xi64>, tensor<4xf32>) {
  %one = "arith.constant"() <{value = dense<1.0> : tensor<f32>}> : () -> tensor<f32>
  %a = aten.mul.Scalar %arg0 {other = 1 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  %b = aten.mul.Tensor %one, %arg0 : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  %c = aten.div.Scalar %arg0 {other = 1.0 : f64} : (tensor<4xf32>) -> tensor<4xf32>
  %d = aten.sub.Scalar %arg0 {other = 0 : i64, alpha = 1 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  %e = aten.add.Scalar %arg0 {other = -0.0 : f64} : (tensor<4xf32>) -> tensor<4xf32>
  %f = aten.add.Scalar %arg1 {other = 0 : i64, alpha = 1 : i64} : (tensor<4xi64>) -> tensor<4xi64>
  %g = aten.mul.Tensor %arg0, %one : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  func.return %a, %b, %c, %d, %e, %f, %g : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xi64>, tensor<4xf32>
}

// -----

// neutral-operand keeps: x + 0.0 on floats (-0.0 + 0.0 is +0.0), x - 0 with alpha 2,
// x * 1 that broadcasts or promotes, 1 / x, x * 2.
// CHECK-LABEL: func.func @neutral_operand_kept
// CHECK: aten.add.Scalar
// CHECK: aten.sub.Scalar
// CHECK: aten.mul.Tensor
// CHECK: aten.mul.Scalar
// CHECK: aten.div.Tensor
// CHECK: aten.mul.Scalar
func.func @neutral_operand_kept(%arg0: tensor<4xf32>, %arg1: tensor<4xi64>) -> (tensor<4xf32>, tensor<4xf32>, tensor<3x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %ones = "arith.constant"() <{value = dense<1.0> : tensor<3x4xf32>}> : () -> tensor<3x4xf32>
  %one = "arith.constant"() <{value = dense<1.0> : tensor<f32>}> : () -> tensor<f32>
  %a = aten.add.Scalar %arg0 {other = 0.0 : f64} : (tensor<4xf32>) -> tensor<4xf32>
  %b = aten.sub.Scalar %arg0 {other = 0 : i64, alpha = 2 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  %c = aten.mul.Tensor %arg0, %ones : (tensor<4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %d = aten.mul.Scalar %arg1 {other = 1.0 : f64} : (tensor<4xi64>) -> tensor<4xf32>
  %e = aten.div.Tensor %one, %arg0 : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  %f = aten.mul.Scalar %arg0 {other = 2 : i64} : (tensor<4xf32>) -> tensor<4xf32>
  func.return %a, %b, %c, %d, %e, %f : tensor<4xf32>, tensor<4xf32>, tensor<3x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// Constant folding through the interpreter's kernels: an op of constants becomes the
// constant it computes (a splat when all elements are equal).
// CHECK-LABEL: func.func @fold_constants
// CHECK-NOT: aten.
// CHECK-DAG: "arith.constant"() <{value = dense<[2.0, 4.0]> : tensor<2xf32>}>
// CHECK-DAG: "arith.constant"() <{value = dense<3> : tensor<2x2xi64>}>
// CHECK: func.return
// OFF-LABEL: func.func @fold_constants
// OFF-NOT: aten.
// OFF: func.return
func.func @fold_constants() -> (tensor<2xf32>, tensor<2x2xi64>) {
  %a = "arith.constant"() <{value = dense<[1.0, 2.0]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %m = aten.mul.Scalar %a {other = 2 : i64} : (tensor<2xf32>) -> tensor<2xf32>
  %b = "arith.constant"() <{value = dense<1> : tensor<2x2xi64>}> : () -> tensor<2x2xi64>
  %c = aten.add.Tensor %b, %b {alpha = 2 : i64} : (tensor<2x2xi64>, tensor<2x2xi64>) -> tensor<2x2xi64>
  func.return %m, %c : tensor<2xf32>, tensor<2x2xi64>
}

// -----

// Constant folding keeps: ops with a non-constant operand, factories without operands,
// random ops, constants over the size limit (1,024 elements), and an op whose kernel
// fails (an integer remainder by zero stays for its run-time error).
// CHECK-LABEL: func.func @fold_constants_kept
// CHECK: aten.add.Tensor
// CHECK: aten.zeros
// CHECK: aten.rand_like
// CHECK: aten.neg
// CHECK: aten.remainder.Tensor
func.func @fold_constants_kept(%arg0: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2048xf32>, tensor<2xi64>) {
  %a = "arith.constant"() <{value = dense<[1.0, 2.0]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %s = aten.add.Tensor %a, %arg0 : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %z = aten.zeros {size = [2]} : () -> tensor<2xf32>
  %r = aten.rand_like %a : (tensor<2xf32>) -> tensor<2xf32>
  %big = "arith.constant"() <{value = dense<1.0> : tensor<2048xf32>}> : () -> tensor<2048xf32>
  %n = aten.neg %big : (tensor<2048xf32>) -> tensor<2048xf32>
  %i = "arith.constant"() <{value = dense<[7, 3]> : tensor<2xi64>}> : () -> tensor<2xi64>
  %zero = "arith.constant"() <{value = dense<0> : tensor<2xi64>}> : () -> tensor<2xi64>
  %m = aten.remainder.Tensor %i, %zero : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  func.return %s, %z, %r, %n, %m : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2048xf32>, tensor<2xi64>
}

// -----

// permute-compose on a 0-d tensor: transpose(0, 0) is left alone (no dim to permute).
// CHECK-LABEL: func.func @permute_scalar
// CHECK: aten.transpose.int
func.func @permute_scalar(%arg0: tensor<f32>) -> tensor<f32> {
  %t = aten.transpose.int %arg0 {dim0 = 0 : i64, dim1 = 0 : i64} : (tensor<f32>) -> tensor<f32>
  func.return %t : tensor<f32>
}

// -----

// neutral-operand keeps boolean results: PyTorch refuses `x - False` (an error at run
// time that the rewrite must not remove).
// CHECK-LABEL: func.func @neutral_operand_bool
// CHECK: aten.sub.Scalar
func.func @neutral_operand_bool(%arg0: tensor<2xi1>) -> tensor<2xi1> {
  %s = aten.sub.Scalar %arg0 {other = false} : (tensor<2xi1>) -> tensor<2xi1>
  func.return %s : tensor<2xi1>
}
