//! Presenting diagnostics: [`render`] prints them MLIR-style with source snippets drawn by
//! codespan-reporting, and [`check_expected`] implements `--verify-diagnostics`, matching
//! them against `expected-*` comments in the source as MLIR's
//! `SourceMgrDiagnosticVerifierHandler` does.

mod expected;
mod render;

pub use expected::check_expected;
pub use render::{render, render_with};

use joinery_ir::{SourceFile, SourceMap, Span};

/// The file of a span, or `None` when the span names no file of `sources`.
fn file_of(sources: &SourceMap, span: Span) -> Option<&SourceFile> {
    sources.files().get(span.file.0 as usize)
}

/// Clamps a byte offset into `text` and down to a character boundary.
fn clamp_offset(text: &str, offset: u32) -> usize {
    let mut offset = (offset as usize).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}
