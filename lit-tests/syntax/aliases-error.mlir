// Alias errors are located at the alias.
// RUN: joinery-opt --verify-diagnostics --split-input-file --allow-unregistered-dialect %s

// expected-error@+1 {{undefined attribute alias '#missing'}}
"test.op"() {a = #missing} : () -> ()

// -----

// expected-error@+1 {{undefined type alias '!missing'}}
"test.op"() : () -> !missing

// -----

// Attribute and type aliases must come before their uses.
// expected-error@+1 {{undefined type alias '!late'}}
"test.op"() : () -> !late
!late = i32

// -----

#a = 1 : i64
// expected-error@+1 {{redefinition of alias '#a'}}
#a = 2 : i64

// -----

// Location and attribute aliases share the `#` names.
#a = loc("x":1:1)
// expected-error@+1 {{redefinition of alias '#a'}}
#a = 2 : i64

// -----

// expected-error@+1 {{'#a' is an alias (no '.'), which takes no parameters}}
"test.op"() {a = #a<1>} : () -> ()

// -----

// expected-error@+1 {{undefined location alias '#nowhere'}}
"test.op"() : () -> () loc(#nowhere)

// -----

// A cycle of location aliases is reported where it closes.
"test.op"() : () -> () loc(#l1)
#l1 = loc(fused[#l2])
// expected-error@+1 {{location alias '#l1' refers to itself}}
#l2 = loc(#l1)
