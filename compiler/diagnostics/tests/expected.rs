//! `--verify-diagnostics` matching of `expected-*` designators.

use joinery_diagnostics::{check_expected, render};
use joinery_ir::{Diagnostic, FileId, SourceMap, Span};

/// A file plus a helper making a span at the start of 1-based `line`.
struct Input {
    sources: SourceMap,
    file: FileId,
}

impl Input {
    fn new(text: &str) -> Input {
        let mut sources = SourceMap::default();
        let file = sources.add("t.mlir", text);
        Input { sources, file }
    }

    fn at(&self, line: usize) -> Option<Span> {
        let start = self.sources.file(self.file).line_start(line).unwrap();
        Some(Span::new(self.file, start, start + 1))
    }

    fn check(&self, diags: &[Diagnostic]) -> Vec<String> {
        check_expected(&self.sources, self.file, diags)
            .iter()
            .map(|d| d.message.clone())
            .collect()
    }
}

#[test]
fn same_line_and_relative_designators_match() {
    let input = Input::new(
        "%a = foo // expected-error {{bad foo}}\n\
         // expected-warning@+1 {{watch out}}\n\
         %b = bar\n\
         %c = baz\n\
         // expected-remark@-1 {{folded}}\n",
    );
    let diags = [
        Diagnostic::error("a bad foo here").with_span(input.at(1)),
        Diagnostic::warning("watch out!").with_span(input.at(3)),
        Diagnostic::remark("folded 2 ops").with_span(input.at(4)),
    ];
    assert_eq!(input.check(&diags), Vec::<String>::new());
}

#[test]
fn above_and_below_skip_designator_lines() {
    let input = Input::new(
        "%a = foo\n\
         // expected-error@above {{first}}\n\
         // expected-error@below {{second}}\n\
         // expected-error@below {{third}}\n\
         %b = bar\n",
    );
    let diags = [
        Diagnostic::error("first").with_span(input.at(1)),
        Diagnostic::error("second").with_span(input.at(5)),
        Diagnostic::error("third").with_span(input.at(5)),
    ];
    assert_eq!(input.check(&diags), Vec::<String>::new());
    // On the wrong line: unexpected, and the designator stays unmatched.
    let wrong = [Diagnostic::error("second").with_span(input.at(1))];
    assert_eq!(
        input.check(&wrong),
        [
            "unexpected error: second",
            "expected error \"first\" was not produced",
            "expected error \"second\" was not produced",
            "expected error \"third\" was not produced",
        ]
    );
}

#[test]
fn missing_unexpected_and_near_miss_failures() {
    let input = Input::new(
        "%a = foo // expected-error {{never}}\n\
         %b = bar // expected-error {{kind}}\n\
         %c = baz\n",
    );
    let diags = [
        Diagnostic::warning("wrong kind").with_span(input.at(2)),
        Diagnostic::error("surprise").with_span(input.at(3)),
        Diagnostic::error("nowhere"),
    ];
    let failures = check_expected(&input.sources, input.file, &diags);
    let messages: Vec<&str> = failures.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "'warning' diagnostic emitted when expecting a 'error'",
            "unexpected error: surprise",
            "unexpected error: nowhere",
            "expected error \"never\" was not produced",
            "expected error \"kind\" was not produced",
        ]
    );
    // Failures point at the designator or the diagnostic.
    insta::assert_snapshot!(render(&input.sources, &failures));
}

#[test]
fn notes_must_be_expected_too() {
    let input = Input::new(
        "%a = foo // expected-note {{defined here}}\n\
         %b = bar(%a) // expected-error {{does not dominate}}\n",
    );
    let diag = Diagnostic::error("operand #0 does not dominate this use")
        .with_span(input.at(2))
        .with_note("operand defined here", input.at(1));
    assert_eq!(
        input.check(std::slice::from_ref(&diag)),
        Vec::<String>::new()
    );
    // An extra note is unexpected; a note without a span sits at its diagnostic's line.
    let noisy = diag
        .clone()
        .with_note("see the manual", None)
        .with_note("elsewhere", input.at(1));
    assert_eq!(
        input.check(&[noisy]),
        [
            "unexpected note: see the manual",
            "unexpected note: elsewhere"
        ]
    );
    let bare = Input::new("%b = bar // expected-error {{x}}\n");
    let with_note = Diagnostic::error("x")
        .with_span(bare.at(1))
        .with_note("spanless", None);
    assert_eq!(bare.check(&[with_note]), ["unexpected note: spanless"]);
}

#[test]
fn one_designator_matches_repeated_diagnostics() {
    let input = Input::new("%a = foo // expected-error {{dup}}\n");
    let d = Diagnostic::error("dup").with_span(input.at(1));
    assert_eq!(input.check(&[d.clone(), d]), Vec::<String>::new());
}

#[test]
fn designator_text_runs_to_the_last_braces_and_may_be_empty() {
    let input = Input::new(
        "%a = foo // expected-error {{want {{nested}} text}}\n\
         %b = bar // expected-warning{{}}\n",
    );
    let diags = [
        Diagnostic::error("we want {{nested}} text here").with_span(input.at(1)),
        Diagnostic::warning("anything").with_span(input.at(2)),
    ];
    assert_eq!(input.check(&diags), Vec::<String>::new());
}

#[test]
fn malformed_designators_are_ordinary_lines() {
    let input = Input::new(
        "// expected-error {{unterminated\n\
         // expected-bogus {{x}}\n\
         // expected-error@+x {{x}}\n\
         // expected-error@-9 {{too far up}}\n",
    );
    let failures = check_expected(&input.sources, input.file, &[]);
    let messages: Vec<&str> = failures.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        ["expected-* designator points above the first line"]
    );
    assert_eq!(
        failures[0].span.map(|s| s.start),
        input.at(4).map(|s| s.start + 3)
    );
}

#[test]
fn diagnostics_in_other_files_are_unexpected() {
    let mut input = Input::new("%a = foo // expected-error {{here}}\n");
    let other = input.sources.add("other.mlir", "x\n");
    let diags = [
        Diagnostic::error("here").with_span(input.at(1)),
        Diagnostic::error("here").with_span(Some(Span::new(other, 0, 1))),
    ];
    assert_eq!(input.check(&diags), ["unexpected error: here"]);
}
