// Diagnostics of arith.constant and of malformed dense<...> literals.
// RUN: joinery-opt %s --split-input-file --verify-diagnostics

func.func @constant$type_mismatch() -> tensor<2xi32> {
  // expected-error@+1 {{'arith.constant' result type must be the type of its 'value' literal}}
  %0 = "arith.constant"() <{value = dense<1> : tensor<2xi64>}> : () -> tensor<2xi32>
  func.return %0 : tensor<2xi32>
}

// -----

func.func @constant$not_dense() -> tensor<i64> {
  // expected-error@+1 {{'arith.constant' attribute 'value' must be a dense<...> elements literal}}
  %0 = "arith.constant"() <{value = 1 : i64}> : () -> tensor<i64>
  func.return %0 : tensor<i64>
}

// -----

func.func @constant$no_value() -> tensor<i64> {
  // expected-error@+1 {{'arith.constant' requires attribute 'value' (a dense<...> literal)}}
  %0 = "arith.constant"() : () -> tensor<i64>
  func.return %0 : tensor<i64>
}

// -----

func.func @constant$operands(%x: tensor<i64>) -> tensor<i64> {
  // expected-error@+1 {{'arith.constant' takes no operands and has one result}}
  %0 = "arith.constant"(%x) <{value = dense<1> : tensor<i64>}> : (tensor<i64>) -> tensor<i64>
  func.return %0 : tensor<i64>
}

// -----

func.func @constant$short_hex() -> tensor<3xf32> {
  // expected-error@+1 {{dense hex literal has 5 bytes; expected 12 (4 per element) or 4 for a splat for 3 element(s)}}
  %0 = "arith.constant"() <{value = dense<"0x0000803F00"> : tensor<3xf32>}> : () -> tensor<3xf32>
  func.return %0 : tensor<3xf32>
}

// -----

func.func @constant$bool_hex() -> tensor<20xi1> {
  // expected-error@+1 {{dense hex literal has 2 bytes; expected 3 (i1 elements packed 8 to a byte) or one byte 0x00/0xFF for 20 element(s)}}
  %0 = "arith.constant"() <{value = dense<"0x0102"> : tensor<20xi1>}> : () -> tensor<20xi1>
  func.return %0 : tensor<20xi1>
}
