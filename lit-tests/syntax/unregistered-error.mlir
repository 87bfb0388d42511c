// Without --allow-unregistered-dialect, ops, attributes and types of unknown dialects are
// parse errors; with it they are kept opaque.
// RUN: joinery-opt --verify-diagnostics --split-input-file %s
// RUN: joinery-opt --allow-unregistered-dialect --split-input-file %s | FileCheck %s

// CHECK: "nodialect.op"() : () -> ()
func.func @f() {
  // expected-error@+1 {{operation 'nodialect.op' of unregistered dialect 'nodialect'}}
  "nodialect.op"() : () -> ()
  func.return
}

// -----

// CHECK: {x = #nodialect.thing<1, "a">}
func.func @f() {
  // expected-error@+1 {{attribute of unregistered dialect 'nodialect'}}
  "func.return"() {x = #nodialect.thing<1, "a">} : () -> ()
}

// -----

// CHECK: (%{{.*}}: !nodialect.type<f32>)
// expected-error@+1 {{type of unregistered dialect 'nodialect'}}
func.func @f(%a: !nodialect.type<f32>) {
  func.return
}
