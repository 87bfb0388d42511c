// RUN: joinery-opt %s --split-input-file --convert-aten-to-kernel | FileCheck %s

// A function without Philox arguments gets two, which the runtime fills from the
// compiled module's (seed, offset); random op k draws from stream offset + k with the
// interpreter's generator (i64 multiply, xor and logical shift), dropout keeps what falls
// below 1 - p and scales it in f64.
// CHECK-LABEL: func.func @dropout$appended
// CHECK-SAME: (%x: tensor<4x8xf32>, %rng_seed: tensor<i64>, %rng_offset: tensor<i64>)
// CHECK-SAME: attributes {kernel.rng_streams = 2 : i64}
// CHECK: "kernel.fused"(%rng_seed, %rng_offset, %[[MASK:[0-9]+]]) <{{.*}}sources = ["aten.native_dropout"]
// CHECK: kernel.add %{{.*}}, %{{.*}} : (i64, i64) -> i64
// CHECK: kernel.const {value = -3335678366873096957 : i64}
// CHECK: kernel.shr %{{.*}}, %{{.*}} : (i64, i64) -> i64
// CHECK: kernel.const {value = 0.75 : f64}
// CHECK: kernel.cmp %{{.*}}, %{{.*}} {predicate = "lt"} : (f64, f64) -> i1
// CHECK: "kernel.fused"(%[[MASK]], %x, %{{.*}}) <{{.*}}sources = ["aten.native_dropout"]
// CHECK: kernel.const {value = 1.3333333333333333 : f64}
// CHECK: "kernel.fused"(%rng_seed, %rng_offset, %{{.*}}) <{{.*}}sources = ["aten.rand"]
// CHECK: kernel.const {value = 1 : i64}
func.func @dropout$appended(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xi1>, tensor<2x2xf32>) {
  %y, %mask = "aten.native_dropout"(%x) {p = 0.25 : f64, train = true} : (tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xi1>)
  %u = "aten.rand"() {size = [2, 2]} : () -> tensor<2x2xf32>
  func.return %y, %mask, %u : tensor<4x8xf32>, tensor<4x8xi1>, tensor<2x2xf32>
}

// -----

// The function's own Philox seed and offset are the random state: nothing is appended.
// CHECK-LABEL: func.func @dropout$philox
// CHECK-SAME: (%x: tensor<8xf32> {aot.desc = #aot.plain<0>}, %seed: tensor<i64> {aot.desc = #aot.philox_fwd_seed}, %offset: tensor<i64> {aot.desc = #aot.philox_fwd_base_offset})
// CHECK-NOT: kernel.rng_streams
// CHECK: "kernel.fused"(%seed, %offset, %{{.*}})
func.func @dropout$philox(%x: tensor<8xf32> {aot.desc = #aot.plain<0>},
                          %seed: tensor<i64> {aot.desc = #aot.philox_fwd_seed},
                          %offset: tensor<i64> {aot.desc = #aot.philox_fwd_base_offset})
    -> (tensor<8xf32> {aot.desc = #aot.plain_out<0>}) {
  %y, %mask = "aten.native_dropout"(%x) {p = 0.5 : f64, train = true} : (tensor<8xf32>) -> (tensor<8xf32>, tensor<8xi1>)
  func.return %y : tensor<8xf32>
}
