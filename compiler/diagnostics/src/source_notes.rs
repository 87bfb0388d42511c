//! Notes that name the user's source line of the op a diagnostic points at.
//!
//! An exporter records where each op came from as its `loc(...)` (the PyTorch bridge
//! writes `loc("model.py":12:9)`, and `loc(fused<"backward">["model.py":12:9])` for an op
//! of that line's backward). Passes keep an op's location on what they build from it, and
//! the ops they build take its span in the IR text. So a diagnostic whose span lies in an
//! op's text can name the Python line: [`add_source_notes`] adds that note, with the line
//! itself when the file can be read, as MLIR reports a diagnostic at its op's location.

use joinery_ir::{Context, Diagnostic, FileId, SourceMap, SourcePosition, Span};
use std::collections::HashMap;

/// Adds to every diagnostic whose span lies in the text of an op with a source position
/// in its location a note naming that position: `model.py:12:9: note: the op comes from
/// this line` with a snippet of the line when the file is readable (it is then added to
/// `sources`), else `note: the op comes from model.py:12:9`.
pub fn add_source_notes(ctx: &Context, sources: &mut SourceMap, diags: &mut [Diagnostic]) {
    if !diags.iter().any(|d| d.span.is_some()) {
        return;
    }
    let mut ops: Vec<(Span, joinery_ir::OpId)> = ctx
        .all_ops()
        .filter_map(|op| Some((ctx.span(op)?, op)))
        .collect();
    // By file and start, the outer of two ops starting together first: the innermost op
    // holding a span is then the last one at or before it that holds it.
    ops.sort_by_key(|(s, _)| (s.file.0, s.start, std::cmp::Reverse(s.end)));
    let mut files: HashMap<String, Option<FileId>> = HashMap::new();
    for d in diags.iter_mut() {
        let Some(span) = d.span else { continue };
        let Some(op) = innermost_op(&ops, span) else {
            continue;
        };
        let Some(pos) = ctx.loc(op).and_then(|l| l.source_position()) else {
            continue;
        };
        let file = *files
            .entry(pos.file.to_string())
            .or_insert_with(|| read_source(sources, pos.file));
        let note_span = file.and_then(|f| line_span(sources, f, pos));
        // With a snippet the note's header already names the position.
        let message = match (pos.backward, note_span.is_some()) {
            (false, true) => "the op comes from this line".to_string(),
            (true, true) => "the op is part of the backward of this line".to_string(),
            (false, false) => format!("the op comes from {pos}"),
            (true, false) => format!("the op is part of {pos}"),
        };
        d.notes.push(joinery_ir::Note {
            message,
            span: note_span,
        });
    }
}

/// The op whose text most tightly holds `span`, from ops sorted by
/// [`add_source_notes`]'s order.
fn innermost_op(ops: &[(Span, joinery_ir::OpId)], span: Span) -> Option<joinery_ir::OpId> {
    let key = (span.file.0, span.start);
    let upto = ops.partition_point(|(s, _)| (s.file.0, s.start) <= key);
    ops[..upto]
        .iter()
        .rev()
        .take_while(|(s, _)| s.file == span.file)
        .find(|(s, _)| s.start <= span.start && span.end <= s.end)
        .map(|&(_, op)| op)
}

/// Adds the file at `path` to `sources` when it can be read as text.
fn read_source(sources: &mut SourceMap, path: &str) -> Option<FileId> {
    let text = std::fs::read_to_string(path).ok()?;
    Some(sources.add(path, text))
}

/// The span of `pos`'s line in `file`, from its column to the end of the line's text.
fn line_span(sources: &SourceMap, file: FileId, pos: SourcePosition<'_>) -> Option<Span> {
    let f = sources.file(file);
    let start = f.line_start(pos.line as usize)?;
    let line = f.text[start..].split('\n').next().unwrap_or("");
    let text_len = line.trim_end().len();
    let col = line
        .char_indices()
        .nth(pos.col.saturating_sub(1) as usize)
        .map_or(text_len, |(i, _)| i)
        .min(text_len);
    (col < text_len).then(|| Span::new(file, start + col, start + text_len))
}
