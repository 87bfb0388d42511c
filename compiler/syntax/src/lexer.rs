//! The lexer: a logos DFA for MLIR tokens, wrapped in an iterator that feeds the lalrpop
//! parser. The wrapper adds what a context-free DFA cannot know:
//! - `%a, %r:2 =` result lists become [`Tok::DefId`] tokens, so `d.op %a` followed by
//!   `%b = ...` needs only one token of lookahead;
//! - `{` becomes [`Tok::LBraceDict`], [`Tok::LBraceRegion`] or [`Tok::EmptyBraces`] from
//!   the next two tokens, since attribute dictionaries and regions both open with `{`;
//! - `tensor<0xf32>` is read as dimension `0` of `f32`, not the hex literal `0xf32`;
//! - bracket nesting is bounded, so deeply nested input is an error, not a stack overflow;
//! - unknown characters and unterminated strings become errors with spans.

use joinery_ir::SourceText;
use logos::Logos;
use std::collections::VecDeque;

/// Deepest bracket nesting the parser accepts.
pub(crate) const MAX_NESTING: u32 = 512;

/// A syntax error with a byte range in the source.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SyntaxError {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) message: String,
}

impl SyntaxError {
    pub(crate) fn new(start: usize, end: usize, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            start,
            end,
            message: message.into(),
        }
    }
}

/// A token. Identifier-like tokens hold their text without the sigil, as a slice of the
/// source; numbers and strings hold their raw text and are decoded by the grammar.
#[derive(Logos, Clone, Copy, Debug, PartialEq)]
#[logos(skip r"[ \t\r\n\f]+")]
#[logos(skip(r"//[^\n]*", allow_greedy = true))]
pub(crate) enum Tok<'a> {
    /// `%name` or `%0` (a use, or an argument declaration).
    #[regex(r"%[0-9]+|%[a-zA-Z$._\-][a-zA-Z0-9$._\-]*", |l| &l.slice()[1..])]
    ValueId(&'a str),
    /// `%name` in a result list `%a, %r:2 = ...` (made by the wrapper).
    DefId(&'a str),
    /// `^bb0`.
    #[regex(r"\^[a-zA-Z0-9$._\-]+", |l| &l.slice()[1..])]
    CaretId(&'a str),
    /// `@name`.
    #[regex(r"@[a-zA-Z_$.][a-zA-Z0-9_$.\-]*", |l| &l.slice()[1..])]
    AtId(&'a str),
    /// `@"quoted name"` (raw text between the quotes, escapes undecoded).
    #[regex(r#"@"([^"\\\n]|\\[^\n])*""#, |l| { let s = l.slice(); &s[2..s.len() - 1] })]
    AtStr(&'a str),
    /// `#dialect.attr` or an alias `#name`.
    #[regex(r"#[a-zA-Z_][a-zA-Z0-9_$.\-]*", |l| &l.slice()[1..])]
    HashId(&'a str),
    /// `#0` after a value name: a result number.
    #[regex(r"#[0-9]+", |l| &l.slice()[1..])]
    HashNum(&'a str),
    /// `!dialect.type`.
    #[regex(r"![a-zA-Z_][a-zA-Z0-9_$.\-]*", |l| &l.slice()[1..])]
    BangId(&'a str),
    /// A bare identifier: op names, keywords, builtin type names.
    #[regex(r"[a-zA-Z_][a-zA-Z0-9_$.]*")]
    BareId(&'a str),
    #[token("dense")]
    KwDense,
    #[token("dense_resource")]
    KwDenseResource,
    #[token("array")]
    KwArray,
    #[token("affine_map")]
    KwAffineMap,
    #[token("tensor")]
    KwTensor,
    /// `tensor<4x?xf32>` written without spaces, with a bare element type: the most common
    /// type, read as one token instead of five.
    #[regex(r"tensor<(([0-9]+|\?)x)*[a-zA-Z_][a-zA-Z0-9_$.]*>")]
    RankedTensor(&'a str),
    #[token("loc")]
    KwLoc,
    #[token("attributes")]
    KwAttributes,
    #[token("private")]
    KwPrivate,
    #[token("public")]
    KwPublic,
    #[token("nested")]
    KwNested,
    /// A decimal integer.
    #[regex(r"[0-9]+")]
    Int(&'a str),
    /// A hexadecimal integer `0x1F`.
    #[regex(r"0x[0-9a-fA-F]+")]
    HexInt(&'a str),
    /// A float literal `1.5`, `1.`, `2.5e-3`.
    #[regex(r"[0-9]+\.[0-9]*([eE][+\-]?[0-9]+)?")]
    Float(&'a str),
    /// The dimensions of a ranked shape, `2x?x4x`.
    #[regex(r"(([0-9]+|\?)x)+")]
    Dims(&'a str),
    /// `*x`, the prefix of an unranked shape.
    #[token("*x")]
    StarX,
    /// A string literal (raw text between the quotes, escapes undecoded).
    #[regex(r#""([^"\\\n]|\\[^\n])*""#, |l| { let s = l.slice(); &s[1..s.len() - 1] })]
    Str(&'a str),
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    /// A raw `{`; the wrapper never emits it.
    #[token("{")]
    LBrace,
    /// `{` opening an attribute dictionary.
    LBraceDict,
    /// `{` opening a region.
    LBraceRegion,
    /// `{}`: an empty dictionary or an empty region, whichever the position needs.
    EmptyBraces,
    #[token("}")]
    RBrace,
    /// `{-#`: opens the file metadata section (resource blobs).
    #[token("{-#")]
    MetaOpen,
    /// `#-}`: closes the file metadata section.
    #[token("#-}")]
    MetaClose,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token("<")]
    Less,
    #[token(">")]
    Greater,
    #[token(",")]
    Comma,
    #[token(":")]
    Colon,
    #[token("::")]
    ColonColon,
    #[token("=")]
    Equal,
    #[token("->")]
    Arrow,
    #[token("*")]
    Star,
    #[token("?")]
    Question,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
}

/// A token with its byte range, as lalrpop expects it.
pub(crate) type Spanned<'a> = (usize, Tok<'a>, usize);

#[derive(Clone, Copy)]
enum Class {
    /// Not looked at yet.
    Fresh,
    /// Already classified: emit as is.
    Done,
}

/// The token stream the parser reads; see the module docs.
pub(crate) struct Lexer<'a, 'f> {
    src: &'a str,
    raw: logos::Lexer<'a, Tok<'a>>,
    buf: VecDeque<(Result<Spanned<'a>, SyntaxError>, Class)>,
    depth: u32,
    /// Op names that may stand alone in a region (`{ func.return }` is a region, not a dict).
    is_op_name: &'f (dyn Fn(&str) -> bool + Sync),
    /// Whether the last two emitted tokens were `tensor <`, where a hex literal is a shape.
    after_tensor_less: bool,
    /// Whether the last emitted token was `tensor`.
    after_tensor: bool,
    failed: bool,
}

impl<'a, 'f> Lexer<'a, 'f> {
    /// A lexer over `src`; `is_op_name` tells registered op names.
    pub(crate) fn new(
        src: &'a str,
        is_op_name: &'f (dyn Fn(&str) -> bool + Sync),
    ) -> Lexer<'a, 'f> {
        Lexer {
            src,
            raw: Tok::lexer(src),
            buf: VecDeque::new(),
            depth: 0,
            is_op_name,
            after_tensor_less: false,
            after_tensor: false,
            failed: false,
        }
    }

    fn lex_raw(&mut self) -> Option<Result<Spanned<'a>, SyntaxError>> {
        let tok = self.raw.next()?;
        let span = self.raw.span();
        Some(match tok {
            Ok(t) => Ok((span.start, t, span.end)),
            Err(()) => Err(self.bad_char(span.start)),
        })
    }

    fn bad_char(&self, at: usize) -> SyntaxError {
        let c = self.src[at..].chars().next().unwrap_or('\0');
        let end = at + c.len_utf8();
        match c {
            '"' => SyntaxError::new(at, end, "unterminated string literal"),
            '@' if self.src[end..].starts_with('"') => {
                SyntaxError::new(at, end, "unterminated string literal")
            }
            _ if c.is_ascii_graphic() => {
                SyntaxError::new(at, end, format!("unexpected character '{c}'"))
            }
            _ => SyntaxError::new(at, end, format!("unexpected character {:?}", c)),
        }
    }

    /// Makes sure at least `n` tokens are buffered (fewer at end of input).
    fn fill(&mut self, n: usize) {
        while self.buf.len() < n {
            match self.lex_raw() {
                Some(t) => self.buf.push_back((t, Class::Fresh)),
                None => break,
            }
        }
    }

    fn peek_tok(&mut self, i: usize) -> Option<Tok<'a>> {
        self.fill(i + 1);
        match self.buf.get(i) {
            Some((Ok((_, t, _)), _)) => Some(*t),
            _ => None,
        }
    }

    /// Classifies the run of value names starting at the front of the buffer: a result
    /// list `%a, %r:2 =` turns into definitions, anything else into uses.
    fn classify_values(&mut self) {
        let mut i = 1;
        let is_def = loop {
            if self.peek_tok(i) == Some(Tok::Colon) {
                if !matches!(self.peek_tok(i + 1), Some(Tok::Int(_))) {
                    break false;
                }
                i += 2;
            }
            match self.peek_tok(i) {
                Some(Tok::Equal) => break true,
                Some(Tok::Comma) if matches!(self.peek_tok(i + 1), Some(Tok::ValueId(_))) => i += 2,
                _ => break false,
            }
        };
        for entry in self.buf.range_mut(..i) {
            if let (Ok((_, t, _)), class) = entry
                && let Tok::ValueId(name) = *t
            {
                *class = Class::Done;
                if is_def {
                    *t = Tok::DefId(name);
                }
            }
        }
    }

    /// Decides what a `{` at the front of the buffer opens.
    fn classify_brace(&mut self) {
        let next = self.peek_tok(1);
        let after = self.peek_tok(2);
        let tok = match (next, after) {
            (Some(Tok::RBrace), _) => {
                let end = match self.buf.remove(1) {
                    Some((Ok((_, _, end)), _)) => end,
                    _ => unreachable!("peeked a `}}`"),
                };
                if let Ok((_, _, e)) = &mut self.buf[0].0 {
                    *e = end;
                }
                Tok::EmptyBraces
            }
            (Some(k), Some(Tok::Equal | Tok::Comma)) if is_key(k) => Tok::LBraceDict,
            (Some(Tok::BareId(name)), Some(Tok::RBrace)) => {
                if name == "module" || (self.is_op_name)(name) {
                    Tok::LBraceRegion
                } else {
                    Tok::LBraceDict
                }
            }
            (Some(k), Some(Tok::RBrace)) if is_key(k) => Tok::LBraceDict,
            _ => Tok::LBraceRegion,
        };
        if let Ok((_, t, _)) = &mut self.buf[0].0 {
            *t = tok;
        }
        self.buf[0].1 = Class::Done;
    }

    /// Splits a hex literal read where a shape is expected: `0xf32` is `0x` then `f32`.
    fn split_shape_hex(&mut self, start: usize, text: &'a str, end: usize) -> Spanned<'a> {
        let rest = &text[2..];
        let rest_tok = if rest.as_bytes()[0].is_ascii_digit() {
            Tok::Int(rest)
        } else {
            Tok::BareId(rest)
        };
        self.buf
            .push_front((Ok((start + 2, rest_tok, end)), Class::Done));
        (start, Tok::Dims(&text[..2]), start + 2)
    }

    fn track_depth(&mut self, t: &Spanned<'a>) -> Result<(), SyntaxError> {
        match t.1 {
            Tok::LParen | Tok::LBracket | Tok::Less | Tok::LBraceDict | Tok::LBraceRegion => {
                self.depth += 1;
                if self.depth > MAX_NESTING {
                    return Err(SyntaxError::new(
                        t.0,
                        t.2,
                        format!("brackets nest deeper than {MAX_NESTING} levels"),
                    ));
                }
            }
            Tok::RParen | Tok::RBracket | Tok::Greater | Tok::RBrace => {
                self.depth = self.depth.saturating_sub(1)
            }
            // Its `<` nests once, as the five tokens it stands for do.
            Tok::RankedTensor(_) if self.depth >= MAX_NESTING => {
                let less = t.0 + "tensor".len();
                return Err(SyntaxError::new(
                    less,
                    less + 1,
                    format!("brackets nest deeper than {MAX_NESTING} levels"),
                ));
            }
            _ => {}
        }
        Ok(())
    }

    /// Hands a classified token to the parser: splits a hex literal read as a shape,
    /// tracks nesting and the last two tokens, and stops after an error.
    fn emit(&mut self, item: Result<Spanned<'a>, SyntaxError>) -> Result<Spanned<'a>, SyntaxError> {
        let item = match item {
            Ok((s, Tok::HexInt(text), e)) if self.after_tensor_less => {
                Ok(self.split_shape_hex(s, text, e))
            }
            other => other,
        };
        let item = item.and_then(|t| self.track_depth(&t).map(|()| t));
        match &item {
            Ok((_, t, _)) => {
                self.after_tensor_less = self.after_tensor && matches!(t, Tok::Less);
                self.after_tensor = matches!(t, Tok::KwTensor);
            }
            Err(_) => self.failed = true,
        }
        item
    }
}

/// Whether a token can be the key of a dictionary entry.
pub(crate) fn is_key(t: Tok<'_>) -> bool {
    matches!(
        t,
        Tok::BareId(_)
            | Tok::Str(_)
            | Tok::KwDense
            | Tok::KwDenseResource
            | Tok::KwArray
            | Tok::KwAffineMap
            | Tok::KwTensor
            | Tok::KwLoc
            | Tok::KwAttributes
            | Tok::KwPrivate
            | Tok::KwPublic
            | Tok::KwNested
    )
}

impl<'a> Iterator for Lexer<'a, '_> {
    type Item = Result<Spanned<'a>, SyntaxError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        if self.buf.is_empty() {
            // Most tokens need no lookahead: they skip the buffer.
            match self.lex_raw()? {
                Ok(t) if !matches!(t.1, Tok::ValueId(_) | Tok::LBrace) => {
                    return Some(self.emit(Ok(t)));
                }
                other => self.buf.push_back((other, Class::Fresh)),
            }
        }
        if let Some((Ok((_, t, _)), Class::Fresh)) = self.buf.front() {
            match t {
                Tok::ValueId(_) => self.classify_values(),
                Tok::LBrace => self.classify_brace(),
                _ => {}
            }
        }
        let (item, _) = self.buf.pop_front()?;
        Some(self.emit(item))
    }
}

/// Tokens the lexing thread hands over at a time ([`lex_ahead`]).
const BATCH: usize = 8192;

/// Batches the lexing thread may run ahead of the parser.
const BATCHES_AHEAD: usize = 3;

/// A run of tokens from the lexing thread; the last one of the stream ends with the
/// lexer's error, if it stopped at one.
struct Batch<'a> {
    tokens: Vec<Spanned<'a>>,
    error: Option<SyntaxError>,
}

/// Runs `lexer` on a thread of `scope`, [`BATCH`] tokens at a time, up to
/// [`BATCHES_AHEAD`] batches ahead of the parser: the tokens of a large text, the same
/// stream as `lexer` gives, lexed while the parser builds IR. The thread stops at the
/// end of the text, at an error, or when the returned stream is dropped.
pub(crate) fn lex_ahead<'scope, 'a: 'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    mut lexer: Lexer<'a, 'scope>,
) -> AheadTokens<'a> {
    let (sender, batches) = std::sync::mpsc::sync_channel(BATCHES_AHEAD);
    scope.spawn(move || {
        loop {
            let mut batch = Batch {
                tokens: Vec::with_capacity(BATCH),
                error: None,
            };
            let mut done = false;
            while batch.tokens.len() < BATCH {
                match lexer.next() {
                    Some(Ok(token)) => batch.tokens.push(token),
                    Some(Err(error)) => {
                        batch.error = Some(error);
                        done = true;
                        break;
                    }
                    None => {
                        done = true;
                        break;
                    }
                }
            }
            // A send fails when the parser stopped reading: nothing is left to do.
            if sender.send(batch).is_err() || done {
                return;
            }
        }
    });
    AheadTokens {
        batches,
        tokens: Vec::new().into_iter(),
        error: None,
    }
}

/// The token stream of [`lex_ahead`], as the parser reads it.
pub(crate) struct AheadTokens<'a> {
    batches: std::sync::mpsc::Receiver<Batch<'a>>,
    tokens: std::vec::IntoIter<Spanned<'a>>,
    error: Option<SyntaxError>,
}

impl<'a> Iterator for AheadTokens<'a> {
    type Item = Result<Spanned<'a>, SyntaxError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(token) = self.tokens.next() {
                return Some(Ok(token));
            }
            if let Some(error) = self.error.take() {
                return Some(Err(error));
            }
            // The thread hung up: the text ended.
            let batch = self.batches.recv().ok()?;
            self.tokens = batch.tokens.into_iter();
            self.error = batch.error;
        }
    }
}

/// How far the parser reads past the pages last given back before it gives back more.
const RELEASE_STEP: usize = 1 << 20;

/// A token stream that gives the pages of a mapped `source` back behind the tokens it
/// hands on, every [`RELEASE_STEP`] bytes (a token the parser still holds reads its page
/// again).
pub(crate) struct ReleasingBehind<'a, I> {
    tokens: I,
    source: &'a SourceText,
    released: usize,
    /// The offset of the next token that gives more back (never, without a mapped text).
    release_at: usize,
}

impl<'a, I> ReleasingBehind<'a, I> {
    /// `tokens`, read from `source` (the text they are lexed from starts it).
    pub(crate) fn new(tokens: I, source: &'a SourceText) -> ReleasingBehind<'a, I> {
        let release_at = if source.is_mapped() {
            RELEASE_STEP
        } else {
            usize::MAX
        };
        ReleasingBehind {
            tokens,
            source,
            released: 0,
            release_at,
        }
    }

    /// Gives back the pages of the text from where the last release ended to `offset`.
    #[cold]
    fn release_to(&mut self, offset: usize) {
        self.source.release(self.released..offset);
        self.released = offset;
        self.release_at = offset.saturating_add(RELEASE_STEP);
    }
}

impl<'a, I: Iterator<Item = Result<Spanned<'a>, SyntaxError>>> Iterator for ReleasingBehind<'a, I> {
    type Item = I::Item;

    fn next(&mut self) -> Option<Self::Item> {
        let item = self.tokens.next()?;
        if let Ok((start, _, _)) = &item
            && *start >= self.release_at
        {
            self.release_to(*start);
        }
        Some(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok<'_>> {
        let no_ops = |_: &str| false;
        Lexer::new(src, &no_ops).map(|t| t.unwrap().1).collect()
    }

    #[test]
    fn compact_ranked_tensors_are_one_token() {
        assert_eq!(
            toks("tensor<2x?x4xf32> tensor<index> tensor<0xf32>"),
            vec![
                Tok::RankedTensor("tensor<2x?x4xf32>"),
                Tok::RankedTensor("tensor<index>"),
                Tok::RankedTensor("tensor<0xf32>"),
            ]
        );
    }

    #[test]
    fn shapes_lex_as_dimension_lists() {
        assert_eq!(
            toks("tensor<2x?x4x f32>"),
            vec![
                Tok::KwTensor,
                Tok::Less,
                Tok::Dims("2x?x4x"),
                Tok::BareId("f32"),
                Tok::Greater
            ]
        );
        assert_eq!(
            toks("tensor<0xf32 > 0xf32"),
            vec![
                Tok::KwTensor,
                Tok::Less,
                Tok::Dims("0x"),
                Tok::BareId("f32"),
                Tok::Greater,
                Tok::HexInt("0xf32"),
            ]
        );
        assert_eq!(
            toks("tensor<*xbf16>"),
            vec![
                Tok::KwTensor,
                Tok::Less,
                Tok::StarX,
                Tok::BareId("bf16"),
                Tok::Greater
            ]
        );
    }

    #[test]
    fn result_lists_become_definitions() {
        assert_eq!(
            toks("d.op %a %b, %r:2 = x %c, %d"),
            vec![
                Tok::BareId("d.op"),
                Tok::ValueId("a"),
                Tok::DefId("b"),
                Tok::Comma,
                Tok::DefId("r"),
                Tok::Colon,
                Tok::Int("2"),
                Tok::Equal,
                Tok::BareId("x"),
                Tok::ValueId("c"),
                Tok::Comma,
                Tok::ValueId("d"),
            ]
        );
        assert_eq!(
            toks("%r#1 %x: f32"),
            vec![
                Tok::ValueId("r"),
                Tok::HashNum("1"),
                Tok::ValueId("x"),
                Tok::Colon,
                Tok::BareId("f32")
            ]
        );
    }

    #[test]
    fn braces_are_classified_by_what_follows() {
        assert_eq!(toks("{ }")[0], Tok::EmptyBraces);
        assert_eq!(toks("{a = 1}")[0], Tok::LBraceDict);
        assert_eq!(toks("{a, b}")[0], Tok::LBraceDict);
        assert_eq!(toks("{unit_attr}")[0], Tok::LBraceDict);
        assert_eq!(toks("{ \"d.op\"() }")[0], Tok::LBraceRegion);
        assert_eq!(toks("{ ^bb0: }")[0], Tok::LBraceRegion);
        assert_eq!(toks("{ %0 = }")[0], Tok::LBraceRegion);
        let is_op = |n: &str| n == "func.return";
        let mut lexer = Lexer::new("{func.return}", &is_op);
        assert_eq!(lexer.next().unwrap().unwrap().1, Tok::LBraceRegion);
    }

    #[test]
    fn literals_and_symbols() {
        assert_eq!(
            toks(r#"@f @"a b" #aot.param !d.t "x\"y" 1.5e-3 1. 42 -7 // comment"#),
            vec![
                Tok::AtId("f"),
                Tok::AtStr("a b"),
                Tok::HashId("aot.param"),
                Tok::BangId("d.t"),
                Tok::Str(r#"x\"y"#),
                Tok::Float("1.5e-3"),
                Tok::Float("1."),
                Tok::Int("42"),
                Tok::Minus,
                Tok::Int("7"),
            ]
        );
    }

    #[test]
    fn lexing_ahead_on_a_thread_gives_the_same_stream() {
        let no_ops = |_: &str| false;
        let ops: String = (0..4000)
            .map(|i| format!("%{i} = d.op %a, %b {{k = 0x{i}}} : tensor<0xf32>\n"))
            .collect();
        for src in [ops.clone(), format!("{ops}\"unterminated"), String::new()] {
            let alone: Vec<_> = Lexer::new(&src, &no_ops).collect();
            let ahead: Vec<_> =
                std::thread::scope(|scope| lex_ahead(scope, Lexer::new(&src, &no_ops)).collect());
            assert_eq!(ahead, alone);
        }
        assert!(Lexer::new(&ops, &no_ops).count() > 4 * BATCH);
        // A parser that stops early stops the thread (else the scope would never end).
        let first = std::thread::scope(|scope| lex_ahead(scope, Lexer::new(&ops, &no_ops)).next());
        assert_eq!(first, Some(Ok((0, Tok::DefId("0"), 2))));
    }

    #[test]
    fn bad_input_is_an_error() {
        let no_ops = |_: &str| false;
        let err = Lexer::new("a \u{1} b", &no_ops)
            .find_map(|t| t.err())
            .unwrap();
        assert_eq!((err.start, err.end), (2, 3));
        let err = Lexer::new("\"abc", &no_ops).find_map(|t| t.err()).unwrap();
        assert_eq!(err.message, "unterminated string literal");
        let deep = "[".repeat(100_000);
        let err = Lexer::new(&deep, &no_ops).find_map(|t| t.err()).unwrap();
        assert_eq!(err.start, MAX_NESTING as usize);
    }
}
