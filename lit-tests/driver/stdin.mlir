// `-` (and no input argument at all) reads standard input.
// RUN: joinery-opt --allow-unregistered-dialect - < %s | FileCheck %s
// RUN: joinery-opt --allow-unregistered-dialect < %s | FileCheck %s
// Diagnostics name the input `<stdin>`.
// RUN: %python -c "print('func.func @g() {')" | not joinery-opt 2>&1 | FileCheck %s --check-prefix=ERR

// CHECK-LABEL: func.func @from_stdin
// CHECK: "test.op"
// ERR: <stdin>:{{[0-9]+}}:{{[0-9]+}}: error:
func.func @from_stdin() {
  "test.op"() : () -> ()
  func.return
}
