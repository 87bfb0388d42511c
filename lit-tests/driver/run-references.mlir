// joinery-run functionalizes a module holding references (L0 code of in-place and out=
// ops) when it loads it, so the interpreter and the native backend run it as PyTorch
// would: the written argument comes back first, as its input mutation, then the results.
// The backends themselves refuse references with a diagnostic saying to functionalize.
// RUN: rm -rf %t && mkdir -p %t/in
// RUN: %python %S/../mlir/Inputs/npy.py write %t/in/arg0.npy 3 1 2 3
// RUN: %python %S/../mlir/Inputs/npy.py write %t/in/arg1.npy 3 10 20 30
// RUN: %python %S/../mlir/Inputs/npy.py write %t/x.npy 3 11 22 33
// RUN: %python %S/../mlir/Inputs/npy.py write %t/sum.npy "" 66
// RUN: joinery-run --interpret %s --inputs %t/in --outputs %t/interp
// RUN: %python %S/../mlir/Inputs/npy.py close %t/interp/out0.npy %t/x.npy | FileCheck %s --check-prefix=CLOSE
// RUN: %python %S/../mlir/Inputs/npy.py close %t/interp/out1.npy %t/sum.npy | FileCheck %s --check-prefix=CLOSE
// RUN: joinery-run --native %s --inputs %t/in --outputs %t/native
// RUN: %python %S/../mlir/Inputs/npy.py close %t/native/out0.npy %t/x.npy | FileCheck %s --check-prefix=CLOSE
// RUN: %python %S/../mlir/Inputs/npy.py close %t/native/out1.npy %t/sum.npy | FileCheck %s --check-prefix=CLOSE
// RUN: not joinery-translate --to-llvm %s 2>&1 | FileCheck %s --check-prefix=NATIVE

// CLOSE: close
// NATIVE: run-references.mlir:[[# @LINE + 3]]:3: error: 'aten.add_.Tensor' works on references (!aten.ref: L0 code of in-place and out= ops), and the native backend runs values only: functionalize first (joinery-opt --aot-functionalize; joinery-run does it when it loads a module)

func.func @add_in_place(%x: !aten.ref<tensor<3xf32>>, %y: tensor<3xf32>) -> tensor<f32> {
  %a = aten.add_.Tensor %x, %y : (!aten.ref<tensor<3xf32>>, tensor<3xf32>) -> !aten.ref<tensor<3xf32>>
  %s = aten.sum %x : (!aten.ref<tensor<3xf32>>) -> tensor<f32>
  func.return %s : tensor<f32>
}
