// --progress in joinery-translate and joinery-run: one line per step of the tool (load,
// lower, LLVM, interpret, compile, run, write) on stderr with its wall time; off a terminal
// without the flag, nothing.
// RUN: rm -rf %t && mkdir -p %t/in
// RUN: joinery-translate %s --to-llvm --progress 2>&1 >/dev/null | FileCheck %s --check-prefix=LLVM
// RUN: joinery-translate %s --to-kernels --progress 2>&1 >/dev/null | FileCheck %s --check-prefix=KERNELS
// RUN: joinery-run --interpret %s --inputs %t/in --outputs %t/out --progress 2>&1 | FileCheck %s --check-prefix=INTERP
// RUN: joinery-run --native %s --inputs %t/in --outputs %t/out --progress 2>&1 | FileCheck %s --check-prefix=NATIVE
// RUN: joinery-translate %s --to-llvm 2>&1 >/dev/null | FileCheck %s --check-prefix=QUIET --allow-empty
// RUN: joinery-run --native %s --inputs %t/in --outputs %t/out 2>&1 | FileCheck %s --check-prefix=QUIET --allow-empty

// LLVM: step 1/3 load ... {{[0-9]+\.[0-9]}} s
// LLVM-NEXT: step 2/3 lower to kernels ... {{[0-9]+\.[0-9]}} s
// LLVM-NEXT: step 3/3 translate to LLVM IR ... {{[0-9]+\.[0-9]}} s

// KERNELS: step 1/2 load ... {{[0-9]+\.[0-9]}} s
// KERNELS-NEXT: step 2/2 lower to kernels ... {{[0-9]+\.[0-9]}} s

// INTERP: step 1/3 load ... {{[0-9]+\.[0-9]}} s
// INTERP-NEXT: step 2/3 interpret @twice ... {{[0-9]+\.[0-9]}} s
// INTERP-NEXT: step 3/3 write outputs ... {{[0-9]+\.[0-9]}} s

// NATIVE: step 1/4 load ... {{[0-9]+\.[0-9]}} s
// NATIVE-NEXT: step 2/4 compile @twice ... {{[0-9]+\.[0-9]}} s
// NATIVE-NEXT: step 3/4 run @twice ... {{[0-9]+\.[0-9]}} s
// NATIVE-NEXT: step 4/4 write outputs ... {{[0-9]+\.[0-9]}} s

// QUIET-NOT: {{.}}

func.func @twice() -> tensor<3xf32> {
  %c = arith.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %r = aten.add.Tensor %c, %c : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  func.return %r : tensor<3xf32>
}
