// Every joinery-run command picks the module's only candidate without --fn and lists the
// candidates when there are several; `train` also trains a pair partitioned by joinery-opt,
// named by its joint.
// RUN: rm -rf %t && mkdir -p %t/in
// RUN: not joinery-run --interpret %s --inputs %t/in --outputs %t/out 2>&1 | FileCheck %s --check-prefix=SEVERAL
// RUN: not joinery-run bench %s 2>&1 | FileCheck %s --check-prefix=SEVERAL
// RUN: not joinery-run --interpret %s --fn missing --inputs %t/in --outputs %t/out 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: joinery-run --interpret %S/Inputs/one-function.mlir --inputs %t/in --outputs %t/one
// RUN: joinery-run --native %S/Inputs/one-function.mlir --inputs %t/in --outputs %t/one-native
// RUN: ls %t/one %t/one-native | FileCheck %s --check-prefix=ONE
// RUN: not joinery-run train %s 2>&1 | FileCheck %s --check-prefix=NOJOINT
// RUN: joinery-opt %repo/examples/linear_relu_joint.mlir --aot-partition='strategy=min-cut' -o %t/l2.mlir
// RUN: joinery-run train %t/l2.mlir --steps 2 2>&1 | FileCheck %s --check-prefix=L2
// RUN: joinery-run train %repo/examples/linear_relu_joint.mlir --steps 2 2>&1 | FileCheck %s --check-prefix=L1

// SEVERAL: error: {{.*}}run-fn.mlir holds 2 functions this command can run (@first, @second): choose one with --fn NAME
// MISSING: no function named @missing in the module
// ONE: out0.npy
// ONE: out0.npy
// NOJOINT: error: {{.*}}run-fn.mlir holds no function this command can run
// L2: compiled @joint natively
// L2: trained 2 steps
// L1: compiled @joint natively
// L1: trained 2 steps

func.func @first(%a: tensor<2xf32>) -> tensor<2xf32> {
  func.return %a : tensor<2xf32>
}

func.func @second(%a: tensor<2xf32>) -> tensor<2xf32> {
  %b = aten.neg %a : (tensor<2xf32>) -> tensor<2xf32>
  func.return %b : tensor<2xf32>
}
