//! Unit tests of the whole pipeline: parse, print, parse again.

use crate::{PrintOptions, parse_source, print_op};
use joinery_ir::{Context, SourceMap};

/// Parses `src` with builtin, func and unregistered dialects allowed.
pub(crate) fn parse(src: &str) -> Result<(Context, joinery_ir::OpId), String> {
    let mut ctx = Context::new(&[&joinery_func::FUNC_DIALECT]);
    ctx.allow_unregistered = true;
    let mut sources = SourceMap::default();
    let file = sources.add("input.mlir", src);
    match parse_source(&mut ctx, &sources, file) {
        Ok(m) => Ok((ctx, m)),
        Err(diags) => Err(diags
            .iter()
            .map(|d| {
                let span = d.span.unwrap();
                let (l, c) = sources.file(file).line_col(span.start as usize);
                format!("{l}:{c}: {}\n", d)
            })
            .collect()),
    }
}

fn print(src: &str, generic: bool) -> String {
    let (ctx, m) = parse(src).unwrap_or_else(|e| panic!("{e}\nin:\n{src}"));
    print_op(&ctx, m, &PrintOptions { generic, debug_info: true })
}

/// Prints `src`, checks that printing is a fixed point in both forms, returns the pretty text.
pub(crate) fn roundtrip(src: &str) -> String {
    let pretty = print(src, false);
    assert_eq!(print(&pretty, false), pretty, "pretty form is not a fixed point");
    let generic = print(src, true);
    assert_eq!(print(&generic, true), generic, "generic form is not a fixed point");
    assert_eq!(print(&generic, false), pretty, "generic form loses information");
    pretty
}

#[test]
fn scratch_inputs() {
    for f in ["joint", "attrs", "blocks"] {
        let src = std::fs::read_to_string(format!("../../tests/inputs/{f}.mlir")).unwrap();
        let pretty = roundtrip(&src);
        println!("{pretty}");
        println!("{}", print(&src, true));
    }
}
