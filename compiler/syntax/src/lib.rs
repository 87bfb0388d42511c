//! The MLIR-syntax text format: a logos lexer, a lalrpop grammar whose reductions build
//! IR as they go, and a printer whose output parses back to the same text.
//!
//! ```text
//! module {
//!   func.func @f(%x: tensor<2xf32> {aot.desc = #aot.param<"w">}) -> tensor<2xf32> {
//!     %0 = "aten.relu"(%x) : (tensor<2xf32>) -> tensor<2xf32>
//!     func.return %0 : tensor<2xf32>
//!   }
//! }
//! ```

mod actions;
mod ast;
mod lexer;
mod literal;
mod lower;
mod meta;
mod numbered;
mod printer;

lalrpop_util::lalrpop_mod!(
    #[allow(clippy::all, unused_parens, dead_code)]
    grammar
);

pub use printer::{PrintOptions, attr_text, print_op, print_op_to, type_text};

use joinery_ir::{Context, Diagnostic, FileId, OpId, SourceMap, Span};
use lalrpop_util::ParseError;
use lexer::{ReleasingBehind, SyntaxError, Tok};

/// Parses file `file` of `sources` into a `builtin.module` (top-level ops without an
/// explicit `module {}` are wrapped in one). Returns every problem found as diagnostics
/// with spans; a syntax error stops parsing at the first one.
pub fn parse_source(
    ctx: &mut Context,
    sources: &SourceMap,
    file: FileId,
) -> Result<OpId, Vec<Diagnostic>> {
    let source = &sources.file(file).text;
    let text: &str = source;
    ctx.add_source_file(file, sources.shared_file(file));
    let registry: Vec<_> = ctx.registry().dialects().to_vec();
    // A full op name, or one without the prefix of a dialect some op names as its default
    // (`{ return }` in a function).
    let defaults: Vec<&str> = registry
        .iter()
        .flat_map(|d| d.ops.iter().filter_map(|op| op.default_dialect))
        .chain(["builtin"])
        .collect();
    let is_op_name = |name: &str| {
        registry.iter().any(|d| {
            d.ops.iter().any(|op| {
                op.name == name
                    || op
                        .name
                        .split_once('.')
                        .is_some_and(|(dialect, bare)| bare == name && defaults.contains(&dialect))
            })
        })
    };
    let (ops_end, resources) = match meta::split_metadata(text) {
        Ok(split) => split,
        Err(e) => {
            return Err(vec![syntax_diagnostic(
                file,
                text,
                ParseError::User { error: e },
            )]);
        }
    };
    let symbols = ast::Symbols {
        resources,
        ..ast::Symbols::default()
    };
    let ops_text = &text[..ops_end];
    let mut lower = lower::Lowerer::new(ctx, file, symbols, estimated_ops(ops_text));
    // Before the parse, the passes over the whole text above read every page of it.
    source.release(0..text.len());
    let lexer = lexer::Lexer::new(ops_text, &is_op_name);
    let parser = grammar::TopLevelParser::new();
    let parsed = if ops_text.len() >= LEX_AHEAD_MIN_BYTES && joinery_ir::parallel::cores() > 1 {
        std::thread::scope(|scope| {
            let tokens = lexer::lex_ahead(scope, lexer);
            parser.parse(&mut lower, ReleasingBehind::new(tokens, source))
        })
    } else {
        parser.parse(&mut lower, ReleasingBehind::new(lexer, source))
    };
    if let Err(e) = parsed {
        return Err(vec![syntax_diagnostic(file, text, e)]);
    }
    lower.finish(ast::Pos::new(0, ops_end))
}

/// The smallest text lexed on a thread of its own while the parser builds IR (when there
/// is a second core): below it, starting the thread costs more than it saves.
const LEX_AHEAD_MIN_BYTES: usize = 1 << 20;

/// About how many ops (and values) `text` defines, to reserve the IR's tables once: one
/// per line that holds more than a comment, and never more than one per 16 bytes (the
/// shortest op, `"d.o"() : () -> ()`, is longer), whatever the text's shape.
fn estimated_ops(text: &str) -> usize {
    let lines = text
        .lines()
        .filter(|line| {
            let first = line.bytes().find(|b| !b.is_ascii_whitespace());
            first.is_some_and(|b| b != b'/')
        })
        .count();
    lines.min(text.len() / 16)
}

fn syntax_diagnostic(
    file: FileId,
    text: &str,
    e: ParseError<usize, Tok<'_>, SyntaxError>,
) -> Diagnostic {
    let (start, end, message) = match e {
        ParseError::User { error } => (error.start, error.end, error.message),
        ParseError::InvalidToken { location } => (location, location, "invalid token".to_string()),
        ParseError::UnrecognizedEof { location, expected } => (
            location,
            location,
            format!(
                "unexpected end of input; expected {}",
                expected_words(&expected)
            ),
        ),
        ParseError::UnrecognizedToken {
            token: (s, t, e),
            expected,
        } => {
            let e = written_token_end(s, t, e);
            (
                s,
                e,
                format!(
                    "unexpected {}; expected {}",
                    found_words(&text[s..e]),
                    expected_words(&expected)
                ),
            )
        }
        ParseError::ExtraToken { token: (s, t, e) } => {
            let e = written_token_end(s, t, e);
            (
                s,
                e,
                format!(
                    "unexpected {} after the end of input",
                    found_words(&text[s..e])
                ),
            )
        }
    };
    Diagnostic::error(message).with_span(Some(Span::new(file, start, end)))
}

/// The end of the token an error names: a compact `tensor<4xf32>` is reported as its
/// `tensor` keyword, the token it stands for.
fn written_token_end(start: usize, tok: Tok<'_>, end: usize) -> usize {
    match tok {
        Tok::RankedTensor(_) => start + "tensor".len(),
        _ => end,
    }
}

fn found_words(slice: &str) -> String {
    let shown: String = slice.chars().take(40).collect();
    format!("'{shown}'")
}

/// Turns lalrpop's list of expected terminals into words.
fn expected_words(expected: &[String]) -> String {
    let mut words: Vec<&str> = Vec::new();
    for t in expected {
        let w = match t.as_str() {
            r#""%value""# => "an SSA value",
            r#""%result""# => "a result name",
            r#""^block""# => "a block label",
            r#""@symbol""# | r#""@\"symbol\"""# => "a symbol",
            r##""#attribute""## => "a dialect attribute",
            r##""#N""## => "a result number",
            r#""!type""# => "a dialect type",
            r#""identifier""# => "an identifier",
            r#""integer""# | r#""hex integer""# | r#""float""# | r#""-""# => "a number",
            r#""dimensions""# | r#""*x""# => "a shape",
            r#""ranked tensor""# => "tensor",
            r#""string""# => "a string",
            r#""{""# | r#""{}""# => "'{'",
            r#""region {""# => "a region",
            other => other.trim_matches('"'),
        };
        let w = match w {
            "dense" | "dense_resource" | "array" | "affine_map" | "tensor" | "loc"
            | "attributes" | "private" | "public" | "nested" => "a keyword",
            w => w,
        };
        if !words.contains(&w) {
            words.push(w);
        }
    }
    let quoted: Vec<String> = words
        .iter()
        .map(|w| {
            if w.chars().any(char::is_alphabetic) || w.starts_with('\'') {
                w.to_string()
            } else {
                format!("'{w}'")
            }
        })
        .collect();
    match quoted.as_slice() {
        [] => "nothing more".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::estimated_ops;

    #[test]
    fn op_estimate_counts_lines_with_code_and_stays_below_the_size() {
        let text =
            "func.func @f(%a: f32) -> f32 {\n  // the identity\n\n  func.return %a : f32\n}\n";
        assert_eq!(estimated_ops(text), 3);
        assert_eq!(estimated_ops(&"\n".repeat(1000)), 0);
        assert_eq!(estimated_ops(&"]\n".repeat(1000)), 2000 / 16);
    }
}
