// --verify-diagnostics: exit 0 only if every expected-* comment matched a diagnostic on
// its line and no diagnostic was left unexpected.
// RUN: joinery-opt --verify-diagnostics --split-input-file %s
// RUN: not joinery-opt --verify-diagnostics --split-input-file %S/Inputs/unmet-expectations.mlir 2>&1 | FileCheck %s --check-prefix=UNMET

func.func @undefined() {
  // expected-error@+1 {{undefined}}
  func.return %nope : f32
}

// -----

func.func @redefined() {
  func.return
}
// expected-note@-3 {{}}
// expected-error@+1 {{redefinition of symbol named 'redefined'}}
func.func @redefined() {
  func.return
}

// UNMET: unmet-expectations.mlir:2:{{[0-9]+}}: error: expected error "this message is never produced" was not produced
// UNMET: unmet-expectations.mlir:9:{{[0-9]+}}: error: unexpected error: {{.*}}undefined
