//! The file metadata section MLIR writes after the top-level ops, holding the blobs that
//! `dense_resource<key>` attributes name:
//!
//! ```text
//! {-#
//!   dialect_resources: {
//!     builtin: {
//!       blob1: "0x040000000000803F00000040"
//!     }
//!   }
//! #-}
//! ```
//!
//! A blob is a hex string: four bytes of alignment (little endian) then the raw data.
//! The section is read before the ops (uses come first in the text), so it is found with
//! the raw lexer and cut off; the grammar parses what precedes it.

use crate::ast::Pos;
use crate::lexer::{SyntaxError, Tok, is_key};
use crate::literal;
use logos::Logos;
use rustc_hash::FxHashMap;

/// The blobs of `dialect_resources: { builtin: {...} }`, by key, with the span of each.
pub(crate) type Resources = FxHashMap<String, (Vec<u8>, Pos)>;

/// Splits `text` at its file metadata section: returns the length of the part before it
/// and the resources it declares (the whole text and none when there is no section).
pub(crate) fn split_metadata(text: &str) -> Result<(usize, Resources), SyntaxError> {
    if !text.contains("{-#") {
        return Ok((text.len(), Resources::default()));
    }
    let mut lexer = Tok::lexer(text);
    while let Some(tok) = lexer.next() {
        if tok == Ok(Tok::MetaOpen) {
            let start = lexer.span().start;
            let mut p = MetaParser { lexer };
            let resources = p.section()?;
            if let Some(extra) = p.next_any() {
                return Err(SyntaxError::new(
                    extra.0,
                    extra.2,
                    "unexpected text after the file metadata section '{-# ... #-}'",
                ));
            }
            return Ok((start, resources));
        }
    }
    Ok((text.len(), Resources::default()))
}

/// A small recursive-descent reader over raw tokens (the section is a nested dictionary,
/// too small to be worth grammar rules).
struct MetaParser<'a> {
    lexer: logos::Lexer<'a, Tok<'a>>,
}

impl<'a> MetaParser<'a> {
    fn next_any(&mut self) -> Option<(usize, Tok<'a>, usize)> {
        let tok = self.lexer.next()?;
        let span = self.lexer.span();
        Some((span.start, tok.unwrap_or(Tok::Str("<invalid>")), span.end))
    }

    fn next(&mut self, what: &str) -> Result<(usize, Tok<'a>, usize), SyntaxError> {
        let end = self.lexer.source().len();
        match self.lexer.next() {
            Some(Ok(t)) => {
                let span = self.lexer.span();
                Ok((span.start, t, span.end))
            }
            Some(Err(())) => {
                let span = self.lexer.span();
                Err(SyntaxError::new(
                    span.start,
                    span.end,
                    format!("unexpected character in the file metadata section; expected {what}"),
                ))
            }
            None => Err(SyntaxError::new(
                end,
                end,
                format!("unexpected end of input in the file metadata section; expected {what}"),
            )),
        }
    }

    fn expect(&mut self, tok: Tok<'a>, what: &str) -> Result<(), SyntaxError> {
        let (s, t, e) = self.next(what)?;
        if t == tok {
            Ok(())
        } else {
            Err(SyntaxError::new(
                s,
                e,
                format!("expected {what} in the file metadata section"),
            ))
        }
    }

    /// `key:` with the key's text and span.
    fn key(&mut self, first: (usize, Tok<'a>, usize)) -> Result<(&'a str, Pos), SyntaxError> {
        let (s, t, e) = first;
        if !is_key(t) || matches!(t, Tok::Str(_)) {
            return Err(SyntaxError::new(
                s,
                e,
                "expected a key in the file metadata section",
            ));
        }
        self.expect(Tok::Colon, "':'")?;
        Ok((&self.lexer.source()[s..e], Pos::new(s, e)))
    }

    /// `{ entry, ... }` after its `{` was read; calls `entry` with each entry's first token.
    fn dict(
        &mut self,
        mut entry: impl FnMut(&mut Self, (usize, Tok<'a>, usize)) -> Result<(), SyntaxError>,
    ) -> Result<(), SyntaxError> {
        loop {
            let t = self.next("a key or '}'")?;
            if t.1 == Tok::RBrace {
                return Ok(());
            }
            entry(self, t)?;
            let (s, sep, e) = self.next("',' or '}'")?;
            match sep {
                Tok::Comma => {}
                Tok::RBrace => return Ok(()),
                _ => {
                    return Err(SyntaxError::new(
                        s,
                        e,
                        "expected ',' or '}' in the file metadata section",
                    ));
                }
            }
        }
    }

    /// Everything from after `{-#` to `#-}`.
    fn section(&mut self) -> Result<Resources, SyntaxError> {
        let mut resources = Resources::default();
        loop {
            let t = self.next("a section name or '#-}'")?;
            if t.1 == Tok::MetaClose {
                return Ok(resources);
            }
            let (name, pos) = self.key(t)?;
            if name != "dialect_resources" {
                return Err(SyntaxError::new(
                    pos.start as usize,
                    pos.end as usize,
                    format!(
                        "unsupported file metadata section '{name}' (only 'dialect_resources' is read)"
                    ),
                ));
            }
            self.expect(Tok::LBrace, "'{'")?;
            self.dict(|p, t| {
                let (dialect, dpos) = p.key(t)?;
                if dialect != "builtin" {
                    return Err(SyntaxError::new(
                        dpos.start as usize,
                        dpos.end as usize,
                        format!("resources of dialect '{dialect}' are not supported (only 'builtin' blobs are read)"),
                    ));
                }
                p.expect(Tok::LBrace, "'{'")?;
                p.dict(|p, t| p.blob(t, &mut resources))
            })?;
            let (s, t, e) = self.next("',' or '#-}'")?;
            match t {
                Tok::Comma => {}
                Tok::MetaClose => return Ok(resources),
                _ => {
                    return Err(SyntaxError::new(
                        s,
                        e,
                        "expected ',' or '#-}' in the file metadata section",
                    ));
                }
            }
        }
    }

    /// `key: "0x<alignment><data>"`.
    fn blob(
        &mut self,
        first: (usize, Tok<'a>, usize),
        resources: &mut Resources,
    ) -> Result<(), SyntaxError> {
        let (key, kpos) = self.key(first)?;
        let (s, t, e) = self.next("a blob string \"0x...\"")?;
        let Tok::Str(raw) = t else {
            return Err(SyntaxError::new(
                s,
                e,
                "expected a blob string \"0x...\" in the file metadata section",
            ));
        };
        let bytes = literal::hex_bytes(raw)
            .filter(|b| b.len() >= 4)
            .ok_or_else(|| {
                SyntaxError::new(
                    s,
                    e,
                    "a resource blob is \"0x\" then hex digits: 4 bytes of alignment and the data",
                )
            })?;
        let data = bytes[4..].to_vec();
        if resources
            .insert(key.to_string(), (data, Pos::new(s, e)))
            .is_some()
        {
            return Err(SyntaxError::new(
                kpos.start as usize,
                kpos.end as usize,
                format!("resource '{key}' is defined twice"),
            ));
        }
        Ok(())
    }
}
