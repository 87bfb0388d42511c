// Every tool reports a bug (a panic) as an internal error with a request to report it and
// exit status 70, never a backtrace: they all run under one guard. The test-only variable
// JOINERY_TEST_PANIC makes that guard panic on purpose.

// RUN: env JOINERY_TEST_PANIC=1 %python %S/Inputs/exit-code.py joinery-opt %s | FileCheck %s
// RUN: env JOINERY_TEST_PANIC=1 %python %S/Inputs/exit-code.py joinery-translate --to-kernels %s | FileCheck %s
// RUN: env JOINERY_TEST_PANIC=1 %python %S/Inputs/exit-code.py joinery-run --interpret %s --fn f --inputs %t --outputs %t | FileCheck %s
// RUN: env JOINERY_TEST_PANIC=1 %python %S/Inputs/exit-code.py joinery-run train %s --fn f | FileCheck %s
// RUN: env JOINERY_TEST_PANIC=1 %python %S/Inputs/exit-code.py joinery-run bench %s --fn f | FileCheck %s
// CHECK: error: internal error: JOINERY_TEST_PANIC is set: a panic on purpose, for tests at {{.*}}.rs:{{[0-9]+}}
// CHECK-NEXT: = note: this is a bug in joinery; please report it with the input
// CHECK-NOT: backtrace
// CHECK: exit code: 70

// Without it, the same commands succeed or fail as usual.
// RUN: %python %S/Inputs/exit-code.py joinery-opt %s | FileCheck %s --check-prefix=OK
// OK-NOT: internal error
// OK: exit code: 0

func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {
  func.return %a : tensor<4xf32>
}
