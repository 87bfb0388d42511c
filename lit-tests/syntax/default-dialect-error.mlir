// An unprefixed name that the default dialect does not hold is an error naming the
// full name tried.
// RUN: joinery-opt --verify-diagnostics --split-input-file --allow-unregistered-dialect %s

// At the top level the default dialect is `builtin`.
// expected-error@+1 {{custom form of 'return', which is not a registered operation (read as 'builtin.return' in the default dialect 'builtin' of the enclosing op)}}
return

// -----

// A generic op names no default dialect: the region keeps `builtin`.
"func.func"() <{function_type = () -> (), sym_name = "g"}> ({
  // expected-error@+1 {{read as 'builtin.return'}}
  return
}) : () -> ()

// -----

// Inside a function `module` is read as `func.module`.
func.func @f() {
  // expected-error@+1 {{custom form of 'module', which is not a registered operation (read as 'func.module' in the default dialect 'func' of the enclosing op)}}
  module {
  }
  return
}
