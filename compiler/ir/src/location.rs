//! Source positions: [`Span`]s point into files held by a [`SourceMap`] (for diagnostics
//! with carets), [`Location`]s are MLIR's user-visible `loc(...)` values.

use crate::SourceText;

/// Identifies a file in a [`SourceMap`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct FileId(pub u32);

/// A byte range in a source file.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    /// A span from byte `start` to byte `end` of `file`.
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end as u32,
        }
    }
}

/// A source file known to the diagnostics engine.
#[derive(Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: SourceText,
    /// Where each line starts: four bytes a line, as spans hold 32-bit offsets.
    line_starts: Vec<u32>,
}

impl SourceFile {
    /// 1-based line and column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&s| s as usize <= offset) - 1;
        let col = self.text[self.line_starts[line] as usize..offset.min(self.text.len())]
            .chars()
            .count();
        (line + 1, col + 1)
    }

    /// Byte offset of the start of 1-based `line`.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        let start = self.line_starts.get(line.checked_sub(1)?)?;
        Some(*start as usize)
    }
}

/// All source files of a session, indexed by [`FileId`]. Files are shared, not copied,
/// with the contexts that parse them ([`SourceMap::shared_file`]).
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<std::sync::Arc<SourceFile>>,
}

impl SourceMap {
    /// Adds a file and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        self.add_text(name, SourceText::from(text.into()))
    }

    /// Adds a file whose text may be a mapping of it ([`SourceText::map`]) and returns its id.
    pub fn add_text(&mut self, name: impl Into<String>, text: SourceText) -> FileId {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i as u32 + 1));
        self.files.push(std::sync::Arc::new(SourceFile {
            name: name.into(),
            text,
            line_starts,
        }));
        FileId(self.files.len() as u32 - 1)
    }

    /// The file behind an id.
    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// The file behind an id, shared.
    pub fn shared_file(&self, id: FileId) -> std::sync::Arc<SourceFile> {
        self.files[id.0 as usize].clone()
    }

    /// All files in id order.
    pub fn files(&self) -> &[std::sync::Arc<SourceFile>] {
        &self.files
    }
}

/// An MLIR location: what `loc(...)` holds.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Location {
    /// `loc(unknown)`.
    Unknown,
    /// `loc("file.py":12:4)`.
    FileLineCol { file: String, line: u32, col: u32 },
    /// `loc("name")` or `loc("name"(child))`.
    Name {
        name: String,
        child: Option<Box<Location>>,
    },
    /// `loc(callsite(callee at caller))`.
    CallSite {
        callee: Box<Location>,
        caller: Box<Location>,
    },
    /// `loc(fused[a, b])`, or `loc(fused<"meta">[a, b])` with string metadata (the PyTorch
    /// bridge marks an op of the backward as `fused<"backward">[forward op's position]`).
    Fused {
        metadata: Option<String>,
        locs: Vec<Location>,
    },
}

/// Where in the user's source an op comes from: the first `file:line:col` of its
/// location, and whether the location marks it as part of the backward of that line.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SourcePosition<'l> {
    pub file: &'l str,
    pub line: u32,
    pub col: u32,
    pub backward: bool,
}

impl Location {
    /// The first `file:line:col` in this location (depth first: a name's child, a call
    /// site's callee, the parts of a fusion in order), or `None` when it holds none.
    pub fn source_position(&self) -> Option<SourcePosition<'_>> {
        match self {
            Location::Unknown => None,
            Location::FileLineCol { file, line, col } => Some(SourcePosition {
                file,
                line: *line,
                col: *col,
                backward: false,
            }),
            Location::Name { child, .. } => child.as_ref()?.source_position(),
            Location::CallSite { callee, caller } => callee
                .source_position()
                .or_else(|| caller.source_position()),
            Location::Fused { metadata, locs } => {
                let mut p = locs.iter().find_map(Location::source_position)?;
                p.backward |= metadata.as_deref() == Some("backward");
                Some(p)
            }
        }
    }
}

impl std::fmt::Display for SourcePosition<'_> {
    /// `file:line:col`, prefixed by `the backward of ` for a backward op.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.backward {
            f.write_str("the backward of ")?;
        }
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(line: u32) -> Location {
        Location::FileLineCol {
            file: "model.py".into(),
            line,
            col: 9,
        }
    }

    #[test]
    fn the_source_position_is_the_first_file_position_depth_first() {
        assert_eq!(Location::Unknown.source_position(), None);
        let named = Location::Name {
            name: "aten.addmm".into(),
            child: Some(Box::new(file(12))),
        };
        assert_eq!(named.source_position().map(|p| p.line), Some(12));
        let call = Location::CallSite {
            callee: Box::new(Location::Unknown),
            caller: Box::new(file(3)),
        };
        assert_eq!(call.source_position().map(|p| p.line), Some(3));
        let backward = Location::Fused {
            metadata: Some("backward".into()),
            locs: vec![Location::Unknown, named],
        };
        let p = backward.source_position().expect("a position");
        assert_eq!((p.line, p.backward), (12, true));
        assert_eq!(p.to_string(), "the backward of model.py:12:9");
        let other = Location::Fused {
            metadata: Some("fusion".into()),
            locs: vec![file(4)],
        };
        assert_eq!(other.source_position().map(|p| p.backward), Some(false));
    }
}
