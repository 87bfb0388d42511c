//! Rendering diagnostics as text. Each diagnostic, and each of its notes, prints as MLIR
//! prints it — a header line `file:line:col: severity: message` — followed by the source
//! line under a codespan-reporting gutter with the span underlined:
//!
//! ```text
//! input.mlir:3:5: error: 'func.return' op has 1 operand(s), but the enclosing function returns 0
//!   │
//! 3 │     func.return %x : i32
//!   │     ^^^^^^^^^^^^^^^^^^^^
//! ```
//!
//! A span crossing lines is underlined to the end of its first line (the op's first line is
//! where a reader looks). Diagnostics and notes without a span print only `severity: message`.

use crate::{clamp_offset, file_of};
use codespan_reporting::diagnostic::{LabelStyle, Severity as CsSeverity};
use codespan_reporting::term::termcolor::Buffer;
use codespan_reporting::term::{Config, Renderer, WriteStyle};
use joinery_ir::{Diagnostic, Severity, SourceMap, Span};
use std::io::Write;

/// Renders diagnostics as plain text, in order, notes after their diagnostic.
pub fn render(sources: &SourceMap, diags: &[Diagnostic]) -> String {
    render_with(sources, diags, false)
}

/// Renders diagnostics, with ANSI colors when `color` is set (for terminals).
pub fn render_with(sources: &SourceMap, diags: &[Diagnostic], color: bool) -> String {
    let mut buffer = if color {
        Buffer::ansi()
    } else {
        Buffer::no_color()
    };
    let config = Config::default();
    {
        let mut renderer = Renderer::new(&mut buffer, &config);
        for d in diags {
            // Writing into an in-memory buffer cannot fail.
            let _ = entry(&mut renderer, sources, d.severity, &d.message, d.span);
            for note in &d.notes {
                let _ = entry(
                    &mut renderer,
                    sources,
                    Severity::Note,
                    &note.message,
                    note.span,
                );
            }
        }
    }
    String::from_utf8_lossy(buffer.as_slice()).into_owned()
}

/// codespan has no `remark`; it is styled like `help`, the other informational severity.
fn codespan_severity(severity: Severity) -> CsSeverity {
    match severity {
        Severity::Error => CsSeverity::Error,
        Severity::Warning => CsSeverity::Warning,
        Severity::Note => CsSeverity::Note,
        Severity::Remark => CsSeverity::Help,
    }
}

/// One header line plus, when the span points into a known file, its snippet.
fn entry(
    r: &mut Renderer<'_, '_>,
    sources: &SourceMap,
    severity: Severity,
    message: &str,
    span: Option<Span>,
) -> Result<(), codespan_reporting::files::Error> {
    let cs = codespan_severity(severity);
    let located = span.and_then(|s| Some((s, file_of(sources, s)?)));
    if let Some((span, file)) = located {
        let start = clamp_offset(&file.text, span.start);
        let (line, col) = file.line_col(start);
        write!(r, "{}:{line}:{col}: ", file.name)?;
        header(r, cs, severity, message)?;

        let line_start = file.line_start(line).unwrap_or(0);
        let rest = &file.text[line_start..];
        let source_line = rest.split('\n').next().unwrap_or("").trim_end_matches('\r');
        let end = clamp_offset(&file.text, span.end).max(start);
        let underline_end = (end - line_start)
            .min(source_line.trim_end().len())
            .max(start - line_start + 1);
        let labels = [(LabelStyle::Primary, start - line_start..underline_end, "")];
        let padding = line.to_string().len();
        r.render_snippet_empty(padding, cs, 0, &[])?;
        r.render_snippet_source(padding, line, source_line, cs, &labels, 0, &[])?;
    } else {
        header(r, cs, severity, message)?;
    }
    Ok(())
}

/// `severity: message` and a newline, styled like codespan's own headers.
fn header(
    r: &mut Renderer<'_, '_>,
    cs: CsSeverity,
    severity: Severity,
    message: &str,
) -> Result<(), codespan_reporting::files::Error> {
    r.set_header(cs)?;
    write!(r, "{}", severity.word())?;
    r.set_header_message()?;
    write!(r, ": {message}")?;
    r.reset()?;
    writeln!(r)?;
    Ok(())
}
