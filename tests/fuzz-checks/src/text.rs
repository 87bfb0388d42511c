//! What the text-input checks share: parsing with every dialect registered, the
//! verifier, and the checks every diagnostic must pass (an error a user sees carries a
//! location).

use joinery_ir::{Context, Diagnostic, OpId, SourceMap};

/// Inputs longer than this are skipped: the targets look for crashes, not for how the
/// parser scales, and libFuzzer's `-max_len` may be raised by hand.
pub const MAX_TEXT: usize = 64 * 1024;

/// The fuzzer's bytes as text: invalid UTF-8 is replaced (the tools reject it before
/// parsing, with a location), so byte-level mutations still reach the lexer.
pub fn text(data: &[u8]) -> Option<String> {
    (data.len() <= MAX_TEXT).then(|| String::from_utf8_lossy(data).into_owned())
}

/// Parses `text` with every dialect registered. A syntax error must be a located error.
pub fn parse(text: &str) -> Option<(Context, OpId)> {
    let mut sources = SourceMap::default();
    let file = sources.add("input.mlir", text.to_string());
    let mut ctx = Context::new(&joinery_all::DIALECTS);
    match joinery_syntax::parse_source(&mut ctx, &sources, file) {
        Ok(module) => Some((ctx, module)),
        Err(diagnostics) => {
            assert_refusal("the parser", &diagnostics, true);
            None
        }
    }
}

/// Parses and verifies `text`; `None` unless it parses and verifies without errors.
/// Verifier errors must be located.
pub fn parse_verified(text: &str) -> Option<(Context, OpId)> {
    let (ctx, module) = parse(text)?;
    let problems = joinery_ir::verify::verify(&ctx, module);
    if problems.iter().any(Diagnostic::is_error) {
        assert_refusal("the verifier", &problems, true);
        return None;
    }
    Some((ctx, module))
}

/// Checks that a refusal is one: at least one error, and (when `located`) every error
/// carries a span.
pub fn assert_refusal(who: &str, diagnostics: &[Diagnostic], located: bool) {
    assert!(
        diagnostics.iter().any(Diagnostic::is_error),
        "{who} failed without an error: {diagnostics:?}"
    );
    if located {
        for d in diagnostics.iter().filter(|d| d.is_error()) {
            assert!(
                d.span.is_some(),
                "{who} reported an error without a location: {d:?}"
            );
        }
    }
}

/// Prints the module in the custom form (what the tools print).
pub fn print(ctx: &Context, module: OpId) -> String {
    joinery_syntax::print_op(ctx, module, &joinery_syntax::PrintOptions::default())
}
