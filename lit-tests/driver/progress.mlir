// --progress prints a line per top-level pass of the pipeline on stderr, with its wall
// time; without it, off a terminal (lit's stderr is a pipe), nothing is printed.
// RUN: joinery-opt %s --pass-pipeline='builtin.module(cse,func.func(dce),canonicalize)' --progress -o /dev/null 2>&1 | FileCheck %s
// RUN: joinery-opt %s --pass-pipeline='builtin.module(cse,func.func(dce),canonicalize)' -o /dev/null 2>&1 | FileCheck %s --check-prefix=QUIET --allow-empty

// CHECK: pass 1/3 cse ... {{[0-9]+\.[0-9]}} s
// CHECK-NEXT: pass 2/3 func.func(dce) ... {{[0-9]+\.[0-9]}} s
// CHECK-NEXT: pass 3/3 canonicalize ... {{[0-9]+\.[0-9]}} s
// CHECK-NOT: pass

// QUIET-NOT: {{.}}

func.func @dup(%a: tensor<4xf32>) -> tensor<4xf32> {
  %n1 = aten.neg %a : (tensor<4xf32>) -> tensor<4xf32>
  %n2 = aten.neg %a : (tensor<4xf32>) -> tensor<4xf32>
  %unused = aten.add.Tensor %n1, %n2 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %n2 : tensor<4xf32>
}
