// Valid IR passes the verifier untouched: graph regions (no terminator, any order),
// multi-block CFGs where definitions dominate uses, nested symbol tables.
// RUN: joinery-opt --allow-unregistered-dialect --verify-roundtrip %s | FileCheck %s

// CHECK-LABEL: func.func @cfg
// CHECK: ^bb1:
// CHECK: ^bb2:
func.func @cfg(%a: f32) -> f32 {
  %v = "test.def"(%a) : (f32) -> f32
  "test.br"() [^bb1, ^bb2] : () -> ()
^bb1:
  "test.br"() [^bb2] : () -> ()
^bb2:
  func.return %v : f32
}

// CHECK-LABEL: module @inner
// CHECK: func.func @same_name
module @inner {
  func.func @same_name() {
    func.return
  }
}
// CHECK: func.func @same_name
func.func @same_name() {
  func.return
}
