// Malformed elements attributes and resource sections are located errors.
// RUN: joinery-opt --verify-diagnostics --split-input-file --allow-unregistered-dialect %s

// expected-error@+1 {{unknown resource 'nope'}}
"test.op"() {v = dense_resource<nope> : tensor<2xf32>} : () -> ()

// -----

// expected-error@+1 {{resource 'short' has 4 bytes; 2 element(s) of 4 byte(s) need 8}}
"test.op"() {v = dense_resource<short> : tensor<2xf32>} : () -> ()
{-#
  dialect_resources: { builtin: { short: "0x040000000000803F" } }
#-}

// -----

"test.op"() {v = dense_resource<odd> : tensor<2xf32>} : () -> ()
{-#
  // expected-error@+1 {{a resource blob is "0x" then hex digits}}
  dialect_resources: { builtin: { odd: "0x0400" } }
#-}

// -----

{-#
  // expected-error@+1 {{resources of dialect 'test' are not supported}}
  dialect_resources: { test: { k: "0x04000000" } }
#-}

// -----

{-#
  // expected-error@+1 {{unsupported file metadata section 'external_resources'}}
  external_resources: { }
#-}

// -----

{-#
  dialect_resources: { builtin: { } }
#-}
// expected-error@+1 {{unexpected text after the file metadata section}}
"test.op"() : () -> ()

// -----

// expected-error@+1 {{array<...> elements must be i1, i8, i16, i32, i64, f32 or f64}}
"test.op"() {a = array<index: 1>} : () -> ()

// -----

// expected-error@+1 {{integer constant out of range for type i8}}
"test.op"() {a = array<i8: 300>} : () -> ()

// -----

// expected-error@+1 {{'arith.constant' does not take types here}}
%c = arith.constant dense<1.0> : tensor<2xf32> : tensor<2xf32>
