//! Presenting diagnostics: [`render`] prints them MLIR-style with source snippets drawn by
//! codespan-reporting, [`add_source_notes`] names the user's source line of the op a
//! diagnostic points at, and [`check_expected`] implements `--verify-diagnostics`, matching
//! them against `expected-*` comments in the source as MLIR's
//! `SourceMgrDiagnosticVerifierHandler` does.

mod expected;
mod render;
mod source_notes;

pub use expected::check_expected;
pub use render::{render, render_with};
pub use source_notes::add_source_notes;

use joinery_ir::{SourceFile, SourceMap, Span};

/// The file of a span, or `None` when the span names no file of `sources`.
fn file_of(sources: &SourceMap, span: Span) -> Option<&SourceFile> {
    sources.files().get(span.file.0 as usize).map(|f| &**f)
}

/// Clamps a byte offset into `text` and down to a character boundary.
fn clamp_offset(text: &str, offset: u32) -> usize {
    let mut offset = (offset as usize).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}
