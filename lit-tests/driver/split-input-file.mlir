// --split-input-file: each chunk is parsed and verified alone; outputs are joined with
// `// -----`; diagnostics carry line numbers of the whole file; one failing chunk makes
// the exit status 1 while the others are still printed.
// RUN: joinery-opt --allow-unregistered-dialect --split-input-file %s | FileCheck %s
// RUN: not joinery-opt --allow-unregistered-dialect --split-input-file %S/Inputs/split-with-error.mlir 2>&1 > %t.out | FileCheck %s --check-prefix=ERR
// RUN: FileCheck %s --check-prefix=PARTIAL < %t.out

// CHECK-LABEL: func.func @first
// CHECK: "test.a"
func.func @first() {
  "test.a"() : () -> ()
  func.return
}

// -----

// CHECK: // -----
// CHECK-LABEL: func.func @second
// CHECK: "test.b"
// Each chunk is its own module: the same symbol name is fine in two chunks.
func.func @second() {
  "test.b"() : () -> ()
  func.return
}

// -----

// CHECK: // -----
// CHECK-LABEL: func.func @second
func.func @second() {
  func.return
}

// ERR: split-with-error.mlir:8:{{[0-9]+}}: error: {{.*}}undefined
// ERR-NOT: split-with-error.mlir:{{[0-9]+}}:{{[0-9]+}}: error:

// PARTIAL-LABEL: func.func @ok_before
// PARTIAL: // -----
// PARTIAL-NEXT: // -----
// PARTIAL-NEXT: module
// PARTIAL: func.func @ok_after
