//! Snapshots of the printed text format (pretty and generic) and of parse diagnostics.

mod syntax_common;

use syntax_common::{assert_roundtrip, inputs, parse};

#[test]
fn printed_inputs() {
    for (name, src) in inputs() {
        let r = assert_roundtrip(&src);
        insta::assert_snapshot!(format!("{name}_pretty"), r.pretty);
        insta::assert_snapshot!(format!("{name}_generic"), r.generic);
    }
}

/// Malformed inputs, one per line of the snapshot as `case: line:col: error: message`.
const BAD: &[(&str, &str)] = &[
    ("unterminated string", "\"d.op\"() {s = \"abc} : () -> ()"),
    ("unknown character", "\"d.op\"() : () -> () ~"),
    ("missing signature", "%0 = \"d.op\"()"),
    ("missing paren", "%0 = \"d.op\"(%a : (f32) -> f32"),
    ("bad type", "\"d.op\"() : () -> f33"),
    ("bad tensor", "\"d.op\"() : () -> tensor<2xx>"),
    (
        "bad dense shape",
        "\"d.op\"() {d = dense<[1, 2, 3]> : tensor<2xi32>} : () -> ()",
    ),
    (
        "ragged dense",
        "\"d.op\"() {d = dense<[[1], [2, 3]]> : tensor<2x2xi32>} : () -> ()",
    ),
    (
        "integer too large",
        "\"d.op\"() {a = 99999999999999999999 : i64} : () -> ()",
    ),
    (
        "integer out of range",
        "\"d.op\"() {a = -129 : i8, b = 255 : i8} : () -> ()",
    ),
    ("bad escape", "\"d.op\"() {s = \"\\q\"} : () -> ()"),
    ("duplicate key", "\"d.op\"() {a, a = 1} : () -> ()"),
    ("duplicate attr", "\"d.op\"() <{a = 1}> {a = 2} : () -> ()"),
    ("undefined value", "\"d.op\"(%x) : (f32) -> ()"),
    (
        "redefinition",
        "%x = \"d.a\"() : () -> f32\n%x = \"d.b\"() : () -> f32",
    ),
    (
        "type mismatch",
        "%x = \"d.a\"() : () -> f32\n\"d.b\"(%x) : (i32) -> ()",
    ),
    (
        "invalid result number",
        "%x:2 = \"d.a\"() : () -> (f32, f32)\n\"d.b\"(%x#5) : (f32) -> ()",
    ),
    ("result count", "%x, %y = \"d.a\"() : () -> f32"),
    (
        "operand count",
        "%x = \"d.a\"() : () -> f32\n\"d.b\"(%x) : () -> ()",
    ),
    ("undefined block", "\"d.br\"()[^nowhere] : () -> ()"),
    (
        "duplicate block",
        "\"d.r\"() ({\n^a:\n  \"d.x\"() : () -> ()\n^a:\n  \"d.y\"() : () -> ()\n}) : () -> ()",
    ),
    ("not a function type", "\"d.op\"() : f32"),
    (
        "custom form of unregistered op",
        "%0 = aten.relu %x : tensor<2xf32>",
    ),
    (
        "func.return with a symbol",
        "func.func @f() {\n  func.return @g\n}",
    ),
    (
        "func.call without callee",
        "func.func @f(%a: i32) {\n  %0 = func.call(%a) : (i32) -> i32\n  func.return\n}",
    ),
    (
        "func.func with unnamed args",
        "func.func @f(i32) {\n  func.return\n}",
    ),
    (
        "func.func with results",
        "%0 = func.func @f() {\n  func.return\n}",
    ),
    (
        "labelled function entry",
        "func.func @f(%a: i32) {\n^bb0:\n  func.return\n}",
    ),
    ("alias attribute", "\"d.op\"() {a = #alias} : () -> ()"),
    (
        "bad location",
        "\"d.op\"() : () -> () loc(callsite(\"a\" with \"b\"))",
    ),
    ("unexpected end", "func.func @f() {\n  func.return"),
    (
        "deep nesting",
        "\"d.op\"() {a = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    ),
];

#[test]
fn parse_diagnostics() {
    let mut out = String::new();
    for (case, src) in BAD {
        let err = parse(src)
            .err()
            .unwrap_or_else(|| panic!("{case}: expected an error"));
        for line in err.lines() {
            out.push_str(&format!("{case}: {line}\n"));
        }
    }
    insta::assert_snapshot!(out);
}
