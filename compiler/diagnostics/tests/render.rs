//! Snapshots of rendered diagnostics.

use joinery_diagnostics::{render, render_with};
use joinery_ir::{Diagnostic, FileId, SourceMap, Span};

const INPUT: &str = "module {
  func.func @f(%x: i32) -> i32 {
    %0 = \"test.op\"(%x) : (i32) -> i32
    func.return %0, %x : i32, i32
  }
}
";

fn sources() -> (SourceMap, FileId) {
    let mut sources = SourceMap::default();
    let file = sources.add("input.mlir", INPUT);
    (sources, file)
}

/// The span of the first occurrence of `needle` in the input.
fn span_of(file: FileId, needle: &str) -> Option<Span> {
    let start = INPUT.find(needle).expect("needle is in the input");
    Some(Span::new(file, start, start + needle.len()))
}

#[test]
fn error_with_caret_under_the_span() {
    let (sources, file) = sources();
    let d = Diagnostic::error(
        "'func.return' op has 2 operand(s), but the enclosing function returns 1",
    )
    .with_span(span_of(file, "func.return %0, %x : i32, i32"));
    insta::assert_snapshot!(render(&sources, &[d]));
}

#[test]
fn notes_with_and_without_spans() {
    let (sources, file) = sources();
    let d = Diagnostic::error("operand #0 does not dominate this use")
        .with_span(span_of(file, "func.return"))
        .with_note(
            "operand defined here (in the same block)",
            span_of(file, "%0 = "),
        )
        .with_note("a note with no place", None);
    insta::assert_snapshot!(render(&sources, &[d]));
}

#[test]
fn multi_line_span_underlines_its_first_line() {
    let (sources, file) = sources();
    let start = INPUT.find("func.func").unwrap();
    let end = INPUT.rfind("  }").unwrap() + 3;
    let d = Diagnostic::warning("function is never called")
        .with_span(Some(Span::new(file, start, end)));
    insta::assert_snapshot!(render(&sources, &[d]));
}

#[test]
fn every_severity_and_no_span() {
    let (sources, file) = sources();
    let diags = [
        Diagnostic::error("no file to point at"),
        Diagnostic::remark("folded 3 ops").with_span(span_of(file, "\"test.op\"")),
        Diagnostic::new(joinery_ir::Severity::Note, "just a note").with_span(span_of(file, "@f")),
        Diagnostic::warning("empty span").with_span(Some(Span::new(file, 2, 2))),
    ];
    insta::assert_snapshot!(render(&sources, &diags));
}

#[test]
fn first_line_of_a_diagnostic_is_the_mlir_header() {
    let (sources, file) = sources();
    let d = Diagnostic::error("bad").with_span(span_of(file, "%x: i32"));
    let text = render(&sources, &[d]);
    assert_eq!(text.lines().next(), Some("input.mlir:2:16: error: bad"));
}

#[test]
fn spans_out_of_range_do_not_panic() {
    let (sources, file) = sources();
    let diags = [
        Diagnostic::error("past the end").with_span(Some(Span::new(file, 10_000, 10_001))),
        Diagnostic::error("unknown file").with_span(Some(Span::new(FileId(7), 0, 1))),
    ];
    let text = render(&sources, &diags);
    assert!(
        text.contains("input.mlir:7:1: error: past the end"),
        "{text}"
    );
    assert!(text.contains("\nerror: unknown file\n"), "{text}");
}

#[test]
fn color_output_carries_ansi_escapes_and_the_same_text() {
    let (sources, file) = sources();
    let d = Diagnostic::error("bad").with_span(span_of(file, "%x: i32"));
    let colored = render_with(&sources, std::slice::from_ref(&d), true);
    assert!(colored.contains("\u{1b}["));
    assert!(!render(&sources, &[d]).contains('\u{1b}'));
}
