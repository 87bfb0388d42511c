// `-o FILE` writes the output there instead of stdout.
// RUN: joinery-opt --allow-unregistered-dialect %s -o %t.out > %t.stdout
// RUN: FileCheck %s < %t.out
// RUN: count 0 < %t.stdout

// CHECK-LABEL: func.func @written
func.func @written() {
  func.return
}
