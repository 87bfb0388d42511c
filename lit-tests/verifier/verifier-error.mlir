// Each verifier invariant, violated once per chunk; the verifier reports every problem
// with the op's span (and notes pointing at related places).
// RUN: joinery-opt --verify-diagnostics --split-input-file --allow-unregistered-dialect %s

func.func @dominance(%a: f32) {
  // expected-error@+1 {{operand #0 does not dominate this use}}
  "test.use"(%later) : (f32) -> ()
  // expected-note@+1 {{}}
  %later = "test.def"() : () -> f32
  func.return
}

// -----

func.func @dominance_across_blocks(%c: i1) {
  "test.br"() [^bb1, ^bb2] : () -> ()
^bb1:
  // expected-note@+1 {{operand defined here}}
  %v = "test.def"() : () -> f32
  "test.br"() [^bb3] : () -> ()
^bb2:
  "test.br"() [^bb3] : () -> ()
^bb3:
  // expected-error@+1 {{operand #0 does not dominate this use}}
  "test.use"(%v) : (f32) -> ()
  func.return
}

// -----

// expected-error@+1 {{empty block: expect at least a terminator}}
func.func @no_terminator() {
}

// -----

func.func @terminator_in_the_middle() {
  // expected-error@+1 {{must be the last operation}}
  func.return
  "test.after"() : () -> ()
}

// -----

func.func @twice() {
  func.return
}
// expected-note@-3 {{}}
// expected-error@+1 {{redefinition of symbol named 'twice'}}
func.func @twice() {
  func.return
}

// -----

func.func @return_count() -> f32 {
  // expected-error@+1 {{'func.return' has 0 operand(s), but the enclosing function returns 1}}
  func.return
}

// -----

func.func @return_type(%a: f64) -> f32 {
  // expected-error@+1 {{type of return operand 0 does not match the function result type}}
  func.return %a : f64
}

// -----

func.func @callee(%a: f32) -> f32 {
  func.return %a : f32
}
func.func @bad_call(%a: f64) -> f32 {
  // expected-error@+1 {{call to 'callee' does not match the callee's signature}}
  %r = func.call @callee(%a) : (f64) -> f32
  func.return %r : f32
}

// -----

func.func @missing_callee() {
  // expected-error@+1 {{'nowhere' does not reference a valid function}}
  func.call @nowhere() : () -> ()
  func.return
}

// -----

// Isolation from above is enforced by name scoping already: inside an isolated op the
// names of enclosing values are not visible.
func.func @outer(%a: f32) {
  "test.region"() ({
    func.func @inner() {
      // expected-error@+1 {{use of undefined value '%a'}}
      "test.use"(%a) : (f32) -> ()
      func.return
    }
    "test.end"() : () -> ()
  }) : () -> ()
  func.return
}

// -----

func.func @aten_types(%a: tensor<4xf32>) -> tensor<5xf32> {
  // expected-error@+1 {{result #0 is declared tensor<5xf32> but inferred tensor<4xf32>}}
  %r = aten.neg %a : (tensor<4xf32>) -> tensor<5xf32>
  func.return %r : tensor<5xf32>
}

// -----

// expected-error@+1 {{parameter 1 of #aot.param must be a string}}
func.func @bad_descriptor(%a: tensor<4xf32> {aot.desc = #aot.param<0>}) {
  func.return
}

// -----

// A tensor type whose size overflows 64-bit byte arithmetic (each dim alone is fine).
func.func @huge(%a: tensor<2xf32>) {
  // expected-error@+1 {{a tensor of shape 4294967296x4294967296x16 holds more than 2^63 bytes}}
  %0 = "test.make"() : () -> tensor<4294967296x4294967296x16xf32>
  func.return
}

// -----

// Dynamic dims count as 1: the static ones alone already overflow.
func.func @huge_dynamic(%a: tensor<2xf32>) {
  // expected-error@+1 {{a tensor of shape ?x2305843009213693952x2x2 holds more than 2^63 bytes}}
  %0 = "test.make"() : () -> tensor<?x2305843009213693952x2x2xi8>
  func.return
}
