// Malformed affine maps are located errors.
// RUN: joinery-opt --verify-diagnostics --split-input-file --allow-unregistered-dialect %s

// expected-error@+1 {{'d2' is neither a dimension nor a symbol of the affine map}}
"test.op"() {m = affine_map<(d0, d1) -> (d2)>} : () -> ()

// -----

// expected-error@+1 {{'d0' is declared twice in the affine map}}
"test.op"() {m = affine_map<(d0)[d0] -> (d0)>} : () -> ()

// -----

// expected-error@+1 {{expected '+', '-', '*', 'floordiv', 'ceildiv' or 'mod', found 'div'}}
"test.op"() {m = affine_map<(d0) -> (d0 div 2)>} : () -> ()
