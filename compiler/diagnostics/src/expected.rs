//! `--verify-diagnostics`: checks produced diagnostics against `expected-*` comments, with
//! the semantics of MLIR's `SourceMgrDiagnosticVerifierHandler`.
//!
//! A line holding `expected-<severity>[@<where>] {{<text>}}` (severity `error`, `warning`,
//! `note` or `remark`) expects a diagnostic of that severity whose message contains
//! `<text>`, reported on:
//! - the designator's own line when there is no `@...`;
//! - `@+N` / `@-N`: N lines below / above it;
//! - `@above`: the closest line above that holds no designator;
//! - `@below`: the closest line below that holds no designator.
//!
//! Every produced diagnostic must be expected, notes included (a note without a span is
//! located at its diagnostic, as MLIR attaches it). One designator matches any number of
//! identical diagnostics. Failures are reported as MLIR words them: `unexpected error: ...`
//! at the diagnostic, `expected error "..." was not produced` at the designator, and a
//! near miss (right line and text, wrong severity) as
//! `'warning' diagnostic emitted when expecting a 'error'` at the designator.

use crate::{clamp_offset, file_of};
use joinery_ir::{Diagnostic, FileId, Severity, SourceMap, Span};

/// One `expected-*` designator.
struct Expected {
    severity: Severity,
    /// The 1-based line the diagnostic is expected on.
    line: usize,
    substring: String,
    /// The designator's text, `expected-...}}`.
    span: Span,
    matched: bool,
}

/// Where a designator points.
enum Target {
    Same,
    Offset(i64),
    Above,
    Below,
}

/// Checks `diags` against the `expected-*` designators of `file`; returns the failures
/// (empty = every diagnostic was expected and every expectation was met).
pub fn check_expected(sources: &SourceMap, file: FileId, diags: &[Diagnostic]) -> Vec<Diagnostic> {
    let mut failures = Vec::new();
    let mut expected = match sources.files().get(file.0 as usize) {
        Some(source) => parse_designators(&source.text, file, &mut failures),
        None => Vec::new(),
    };
    for d in diags {
        process(
            sources,
            file,
            &mut expected,
            d.severity,
            &d.message,
            d.span,
            &mut failures,
        );
        for note in &d.notes {
            let span = note.span.or(d.span);
            process(
                sources,
                file,
                &mut expected,
                Severity::Note,
                &note.message,
                span,
                &mut failures,
            );
        }
    }
    for e in expected.iter().filter(|e| !e.matched) {
        failures.push(
            Diagnostic::error(format!(
                "expected {} \"{}\" was not produced",
                e.severity.word(),
                e.substring
            ))
            .with_span(Some(e.span)),
        );
    }
    failures
}

/// Matches one produced diagnostic (or note) against the designators.
fn process(
    sources: &SourceMap,
    file: FileId,
    expected: &mut [Expected],
    severity: Severity,
    message: &str,
    span: Option<Span>,
    failures: &mut Vec<Diagnostic>,
) {
    let unexpected =
        || Diagnostic::error(format!("unexpected {}: {message}", severity.word())).with_span(span);
    let Some(line) = span.filter(|s| s.file == file).and_then(|s| {
        let source = file_of(sources, s)?;
        Some(source.line_col(clamp_offset(&source.text, s.start)).0)
    }) else {
        failures.push(unexpected());
        return;
    };
    let mut near_miss = None;
    for e in expected.iter_mut() {
        if e.line == line && message.contains(&e.substring) {
            if e.severity == severity {
                e.matched = true;
                return;
            }
            near_miss = Some((e.severity, e.span));
        }
    }
    failures.push(match near_miss {
        Some((wanted, at)) => Diagnostic::error(format!(
            "'{}' diagnostic emitted when expecting a '{}'",
            severity.word(),
            wanted.word()
        ))
        .with_span(Some(at)),
        None => unexpected(),
    });
}

/// Finds every designator of a file, resolving the line each one points at.
fn parse_designators(text: &str, file: FileId, failures: &mut Vec<Diagnostic>) -> Vec<Expected> {
    let mut expected: Vec<Expected> = Vec::new();
    let mut last_plain_line = 0;
    let mut waiting_below: Vec<usize> = Vec::new();
    let mut offset = 0;
    let line_count = text.split('\n').count();
    for (index, line_text) in text.split('\n').enumerate() {
        let line = index + 1;
        let line_offset = offset;
        offset += line_text.len() + 1;
        let Some((start, end, severity, target, substring)) = parse_line(line_text) else {
            for i in waiting_below.drain(..) {
                expected[i].line = line;
            }
            last_plain_line = line;
            continue;
        };
        let span = Span::new(file, line_offset + start, line_offset + end);
        let target_line = match target {
            Target::Same => Some(line),
            Target::Offset(n) => usize::try_from(line as i64 + n).ok().filter(|&l| l >= 1),
            Target::Above => Some(last_plain_line).filter(|&l| l >= 1),
            Target::Below => {
                waiting_below.push(expected.len());
                Some(line_count)
            }
        };
        let Some(target_line) = target_line else {
            failures.push(
                Diagnostic::error("expected-* designator points above the first line")
                    .with_span(Some(span)),
            );
            continue;
        };
        expected.push(Expected {
            severity,
            line: target_line,
            substring: substring.to_string(),
            span,
            matched: false,
        });
    }
    expected
}

/// Parses the first designator on a line, as MLIR's regex
/// `expected-(error|note|remark|warning) *(@([+-][0-9]+|above|below))? *{{(.*)}}` does;
/// returns its byte range in the line, severity, target and expected text.
fn parse_line(line: &str) -> Option<(usize, usize, Severity, Target, &str)> {
    let mut search_from = 0;
    while let Some(found) = line[search_from..].find("expected-") {
        let start = search_from + found;
        search_from = start + 1;
        if let Some((end, severity, target, substring)) = parse_designator(&line[start..]) {
            return Some((start, start + end, severity, target, substring));
        }
    }
    None
}

/// Parses a designator at the start of `s`; returns its length and parts.
fn parse_designator(s: &str) -> Option<(usize, Severity, Target, &str)> {
    let rest = s.strip_prefix("expected-")?;
    let (severity, rest) = [
        ("error", Severity::Error),
        ("note", Severity::Note),
        ("remark", Severity::Remark),
        ("warning", Severity::Warning),
    ]
    .into_iter()
    .find_map(|(word, sev)| rest.strip_prefix(word).map(|r| (sev, r)))?;
    let rest = rest.trim_start_matches(' ');
    let (target, rest) = match rest.strip_prefix('@') {
        None => (Target::Same, rest),
        Some(r) => {
            if let Some(r) = r.strip_prefix("above") {
                (Target::Above, r)
            } else if let Some(r) = r.strip_prefix("below") {
                (Target::Below, r)
            } else {
                let sign = match r.chars().next()? {
                    '+' => 1,
                    '-' => -1,
                    _ => return None,
                };
                let digits = r[1..].len()
                    - r[1..]
                        .trim_start_matches(|c: char| c.is_ascii_digit())
                        .len();
                let n: i64 = r[1..1 + digits].parse().ok()?;
                (Target::Offset(sign * n), &r[1 + digits..])
            }
        }
    };
    let rest = rest.trim_start_matches(' ').strip_prefix("{{")?;
    let close = rest.rfind("}}")?;
    let end = s.len() - rest.len() + close + 2;
    Some((end, severity, target, &rest[..close]))
}
