// Every parse error is a diagnostic at the offending token; each chunk shows one.
// RUN: joinery-opt --verify-diagnostics --split-input-file --allow-unregistered-dialect %s

// expected-error@+1 {{unexpected character '@'}}
func.func @f() { @@ }

// -----

func.func @f() {
  // expected-error@+1 {{use of undefined value '%nope'}}
  func.return %nope : f32
}

// -----

func.func @f(%a: f32) {
  // expected-note@+1 {{previously defined here}}
  %x = "test.op"(%a) : (f32) -> f32
  // expected-error@+1 {{redefinition of value '%x'}}
  %x = "test.op"(%a) : (f32) -> f32
  func.return
}

// -----

func.func @f() {
  // expected-error@+1 {{reference to an undefined block '^missing'}}
  "test.br"() [^missing] : () -> ()
}

// -----

func.func @f() {
  %r:2 = "test.two"() : () -> (f32, f32)
  // expected-error@+1 {{reference to invalid result number}}
  "test.use"(%r#5) : (f32) -> ()
  func.return
}

// -----

func.func @f() {
  // expected-error@+1 {{unknown type 'f31'}}
  "test.op"() : () -> f31
  func.return
}

// -----

func.func @f() {
  // expected-error@+1 {{duplicate attribute 'a'}}
  "test.op"() {a = 1, a = 2} : () -> ()
  func.return
}

// -----

func.func @f(%a: f32) {
  // expected-error@+1 {{expected 2 operand type(s) but had 1}}
  "test.op"(%a, %a) : (f32) -> ()
  func.return
}

// -----

func.func @f() {
  // expected-error@+1 {{custom form of 'nodialect.op', which is not a registered operation}}
  nodialect.op
  func.return
}

// -----

func.func @f() {
  // expected-error@+1 {{dialect 'aot' has no attribute named 'no_such_desc'}}
  "func.return"() {x = #aot.no_such_desc<0>} : () -> ()
}

// -----

func.func @f() {
  // expected-error@+1 {{duplicate key 'a' in dictionary}}
  "test.op"() {v = {a = 1, a = 2}} : () -> ()
  func.return
}

// -----

func.func @f() {
  // expected-error@+1 {{dimension '99999999999999999999' is too large}}
  "test.op"() : () -> tensor<99999999999999999999xf32>
  func.return
}

// -----

// expected-error@+1 {{unexpected end of input}}
func.func @f() {

// -----

func.func @f() {
  // expected-error@+1 {{the parts of a complex type must be a float type}}
  "test.op"() : () -> tensor<2xcomplex<i32>>
  func.return
}

// -----

func.func @f() {
  // expected-error@+1 {{unknown type 'quaternion<...>'}}
  "test.op"() : () -> quaternion<f32>
  func.return
}
