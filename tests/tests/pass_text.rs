//! Passes on IR written as text (joinery-syntax), checked on the printed result.

#[path = "pass_common/mod.rs"]
mod common;

use joinery_ir::SourceMap;
use joinery_pass::{PassManager, PassRegistry, register_generic_passes};
use joinery_syntax::{PrintOptions, parse_source, print_op};

/// Parses `input`, runs `pipeline`, prints the module.
fn run(pipeline: &str, input: &str) -> String {
    let mut ctx = common::context();
    let mut sources = SourceMap::default();
    let file = sources.add("input.mlir", input);
    let module = parse_source(&mut ctx, &sources, file).expect("input parses");
    let mut registry = PassRegistry::new();
    register_generic_passes(&mut registry);
    let mut pm = PassManager::parse(&registry, pipeline).unwrap();
    pm.run(&mut ctx, module).expect("pipeline succeeds");
    print_op(&ctx, module, &PrintOptions::default())
}

#[test]
fn cse_then_canonicalize_on_text() {
    let out = run(
        "builtin.module(func.func(cse,canonicalize))",
        r#"
func.func @f(%x: i64) -> (i64, i64) {
  %a = "test.add"(%x, %x) : (i64, i64) -> i64
  %b = "test.add"(%x, %x) : (i64, i64) -> i64
  %n = "test.neg"(%a) : (i64) -> i64
  %nn = "test.neg"(%n) : (i64) -> i64
  %dead = "test.sub"(%b, %x) : (i64, i64) -> i64
  func.return %nn, %b : i64, i64
}
"#,
    );
    assert_eq!(
        out,
        r#"module {
  func.func @f(%x: i64) -> (i64, i64) {
    %a = "test.add"(%x, %x) : (i64, i64) -> i64
    func.return %a, %a : i64, i64
  }
}
"#
    );
}

#[test]
fn inline_and_symbol_dce_on_text() {
    let out = run(
        "builtin.module(inline{remove-dead-callees=false},symbol-dce)",
        r#"
func.func @main(%x: i64) -> i64 {
  %r = func.call @double(%x) : (i64) -> i64
  func.return %r : i64
}
func.func private @double(%y: i64) -> i64 {
  %s = "test.add"(%y, %y) : (i64, i64) -> i64
  func.return %s : i64
}
func.func private @unused() {
  func.return
}
func.func @public_unused() {
  func.return
}
"#,
    );
    assert_eq!(
        out,
        r#"module {
  func.func @main(%x: i64) -> i64 {
    %0 = "test.add"(%x, %x) : (i64, i64) -> i64
    func.return %0 : i64
  }
  func.func @public_unused() {
    func.return
  }
}
"#
    );
}
