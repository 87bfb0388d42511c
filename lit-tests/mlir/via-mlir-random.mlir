// Random ops through MLIR: the counter-based generator of joinery_aten::random written out
// in `arith` (shrui, xori, muli of the SplitMix64 finalizer) inside each op's
// linalg.generic, so `joinery-run --via-mlir` draws the interpreter's numbers for the same
// `--seed`. A function without Philox arguments gets two 0-d i64 arguments appended, seed
// then first stream, which --via-mlir fills as --interpret takes them; one with Philox
// arguments reads those (the oracle test of joinery-aten-to-mlir runs @philox too).
// RUN: joinery-translate --to-mlir %s | FileCheck %s
// RUN: joinery-translate --to-mlir %s | mlir-opt | FileCheck %s --check-prefix=UPSTREAM
// RUN: rm -rf %t && mkdir -p %t/in
// RUN: %python %S/Inputs/npy.py write %t/in/arg0.npy 2x8 0.5 -1.0 2.0 1.5 0.25 -3.0 1 2 3 4 -1 -2 -3 -4 0.5 0.25
// RUN: joinery-run --interpret %s --fn draws --inputs %t/in --outputs %t/interp --seed 7
// RUN: joinery-run --via-mlir %s --fn draws --inputs %t/in --outputs %t/mlir --seed 7
// RUN: %python %S/Inputs/npy.py close %t/mlir/out0.npy %t/interp/out0.npy | FileCheck %s --check-prefix=SAME
// RUN: %python %S/Inputs/npy.py close %t/mlir/out1.npy %t/interp/out1.npy | FileCheck %s --check-prefix=SAME
// RUN: %python %S/Inputs/npy.py close %t/mlir/out2.npy %t/interp/out2.npy | FileCheck %s --check-prefix=SAME
// RUN: %python %S/Inputs/npy.py close %t/mlir/out3.npy %t/interp/out3.npy | FileCheck %s --check-prefix=SAME
// RUN: %python %S/Inputs/npy.py close %t/mlir/out4.npy %t/interp/out4.npy | FileCheck %s --check-prefix=SAME
// Another seed draws other numbers: the seed argument is read.
// RUN: joinery-run --via-mlir %s --fn draws --inputs %t/in --outputs %t/other --seed 8
// RUN: %python %S/Inputs/npy.py close %t/other/out2.npy %t/interp/out2.npy | FileCheck %s --check-prefix=OTHER

// CHECK-LABEL: func.func @draws
// CHECK-SAME: %{{.*}}: tensor<i64> {aot.rng = "seed"}, %{{.*}}: tensor<i64> {aot.rng = "offset"}
// CHECK: arith.shrui
// CHECK: arith.xori
// CHECK: arith.uitofp
// CHECK: math.log
// CHECK: math.cos
// CHECK-LABEL: func.func @philox
// CHECK-NOT: aot.rng
// CHECK: return
// UPSTREAM-LABEL: func.func @draws
// UPSTREAM-LABEL: func.func @philox
// SAME: close
// OTHER: differ

func.func @draws(%x: tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<3x5xf32>, tensor<2x8xf32>) {
  %out, %mask = "aten.native_dropout"(%x) {p = 0.5 : f64, train = true} : (tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x8xi1>)
  %b = "aten.bernoulli.p"(%x) {p = 0.25 : f64} : (tensor<2x8xf32>) -> tensor<2x8xf32>
  %u = "aten.rand_like"(%x) : (tensor<2x8xf32>) -> tensor<2x8xf32>
  %n = "aten.randn"() {size = [3, 5]} : () -> tensor<3x5xf32>
  %pinned = "aten.rand_like"(%x) {interp.seed = 3 : i64} : (tensor<2x8xf32>) -> tensor<2x8xf32>
  func.return %out, %b, %u, %n, %pinned : tensor<2x8xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<3x5xf32>, tensor<2x8xf32>
}

func.func @philox(%x: tensor<4x3xf64> {aot.desc = #aot.plain<0>},
                  %seed: tensor<i64> {aot.desc = #aot.philox_fwd_seed},
                  %offset: tensor<i64> {aot.desc = #aot.philox_fwd_base_offset})
    -> (tensor<4x3xf64> {aot.desc = #aot.plain_out<0>}, tensor<4x3xi1> {aot.desc = #aot.plain_out<1>},
        tensor<4x3xf64> {aot.desc = #aot.plain_out<2>}) {
  %out, %mask = "aten.native_dropout"(%x) {p = 0.25 : f64, train = true} : (tensor<4x3xf64>) -> (tensor<4x3xf64>, tensor<4x3xi1>)
  %n = "aten.randn_like"(%x) : (tensor<4x3xf64>) -> tensor<4x3xf64>
  func.return %out, %mask, %n : tensor<4x3xf64>, tensor<4x3xi1>, tensor<4x3xf64>
}
