//! Unit tests of the whole pipeline: parse, print, parse again.

use joinery_ir::{Context, SourceMap};
use joinery_syntax::{PrintOptions, parse_source, print_op, print_op_to};

/// Parses `src` with builtin, func and unregistered dialects allowed.
fn parse(src: &str) -> Result<(Context, joinery_ir::OpId), String> {
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
    print_op(
        &ctx,
        m,
        &PrintOptions {
            generic,
            debug_info: true,
        },
    )
}

/// Prints `src`, checks that printing is a fixed point in both forms, returns the pretty text.
pub(crate) fn roundtrip(src: &str) -> String {
    let pretty = print(src, false);
    assert_eq!(
        print(&pretty, false),
        pretty,
        "pretty form is not a fixed point"
    );
    let generic = print(src, true);
    assert_eq!(
        print(&generic, true),
        generic,
        "generic form is not a fixed point"
    );
    assert_eq!(
        print(&generic, false),
        pretty,
        "generic form loses information"
    );
    pretty
}

fn error_of(src: &str) -> String {
    parse(src).expect_err("expected a parse error")
}

#[test]
fn shared_inputs_round_trip() {
    for f in ["joint", "attrs", "blocks"] {
        let src = std::fs::read_to_string(format!("inputs/syntax/{f}.mlir")).unwrap();
        roundtrip(&src);
    }
}

#[test]
fn names_are_kept_and_fresh_numbers_skip_them() {
    let src = r#"func.func @f(%1: f32) -> f32 {
  %r:2 = "d.two"(%1) : (f32) -> (f32, f32)
  %x = "d.add"(%r#0, %r#1) : (f32, f32) -> f32
  func.return %x : f32
}
"#;
    let (mut ctx, m) = parse(src).unwrap();
    let text = print_op(&ctx, m, &PrintOptions::default());
    assert!(text.contains("%r:2 = \"d.two\"(%1)"), "{text}");
    assert!(text.contains("\"d.add\"(%r#0, %r#1)"), "{text}");
    let func = ctx.first_op(ctx.body_block(m).unwrap()).unwrap();
    let body = ctx.body_block(func).unwrap();
    let two = ctx.first_op(body).unwrap();
    for &r in ctx.results(two).to_vec().iter() {
        ctx.set_value_name(r, None);
    }
    let text = print_op(&ctx, m, &PrintOptions::default());
    assert!(text.contains("%0:2 = \"d.two\"(%1)"), "{text}");
    ctx.set_value_name(ctx.results(two)[0], Some("x"));
    let text = print_op(&ctx, m, &PrintOptions::default());
    assert!(text.contains("%x, %0 = \"d.two\"(%1)"), "{text}");
    assert!(text.contains("%2 = \"d.add\"(%x, %0)"), "{text}");
    roundtrip(&text);
}

#[test]
fn forward_references_resolve_and_check_types() {
    let (ctx, m) = parse(
        r#""d.g"() ({
  "d.use"(%b) : (i32) -> ()
  %b = "d.def"() : () -> i32
}) : () -> ()"#,
    )
    .unwrap();
    let op = ctx.first_op(ctx.body_block(m).unwrap()).unwrap();
    let inner = ctx.first_op(ctx.body_block(op).unwrap()).unwrap();
    let def = ctx.next_op(inner).unwrap();
    assert_eq!(ctx.operands(inner), ctx.results(def));
    let e = error_of(
        r#""d.use"(%b) : (i32) -> ()
%b = "d.def"() : () -> f32"#,
    );
    assert!(
        e.contains("1:9: error: use of value '%b' expects different type"),
        "{e}"
    );
}

#[test]
fn name_errors_have_spans() {
    assert_eq!(
        error_of(r#""d.use"(%nope) : (i32) -> ()"#),
        "1:9: error: use of undefined value '%nope'\n"
    );
    assert_eq!(
        error_of("%a = \"d.x\"() : () -> i32\n%a = \"d.x\"() : () -> i32"),
        "2:1: error: redefinition of value '%a'\n"
    );
    assert_eq!(
        error_of("%a:2 = \"d.x\"() : () -> (i32, i32)\n\"d.u\"(%a#2) : (i32) -> ()"),
        "2:7: error: reference to invalid result number '%a#2'\n"
    );
    assert_eq!(
        error_of("\"d.b\"()[^nope] : () -> ()"),
        "1:9: error: reference to an undefined block '^nope'\n"
    );
}

#[test]
fn custom_forms_follow_the_registered_format() {
    let e = error_of("%0 = aten.relu %x : f32");
    assert!(
        e.starts_with(
            "1:6: error: custom form of 'aten.relu', which is not a registered operation"
        ),
        "{e}"
    );
    let e = error_of("func.func @f() {\n  func.return @g\n}");
    assert!(
        e.starts_with("2:15: error: 'func.return' does not take a symbol here"),
        "{e}"
    );
    let e = error_of("func.func @f(%a: i32) {\n  func.return %a\n}");
    assert!(
        e.starts_with("2:3: error: expected 1 operand type(s) but had 0"),
        "{e}"
    );
}

/// Ops are built as they are parsed, headers before regions: what an op's header declares
/// is what its regions see, and an op found wrong reports only its own error.
#[test]
fn regions_are_built_under_their_op_header() {
    // Function arguments are visible in the body, and unprefixed names resolve in `func`.
    let text = roundtrip("func.func @f(%a: i32) -> i32 {\n  return %a : i32\n}");
    assert!(text.contains("func.return %a : i32"), "{text}");
    // A branch to a block written later, and a graph region's use before its definition.
    let text = roundtrip(concat!(
        "\"d.r\"() ({\n",
        "  \"d.br\"()[^bb2] : () -> ()\n",
        "^bb1:\n  \"d.use\"(%v) : (i32) -> ()\n  \"d.br\"()[^bb1] : () -> ()\n",
        "^bb2:\n  %v = \"d.def\"() : () -> i32\n  \"d.br\"()[^bb1] : () -> ()\n",
        "}) : () -> ()",
    ));
    assert!(text.contains("^bb2:"), "{text}");
    // A function sees no value from outside; a non-isolated region sees earlier ones.
    assert_eq!(
        error_of("%x = \"d.x\"() : () -> i32\nfunc.func @f() {\n  \"d.use\"(%x) : (i32) -> ()\n}"),
        "3:11: error: use of undefined value '%x'\n"
    );
    roundtrip(
        "%x = \"d.x\"() : () -> i32\n\"d.r\"() ({\n  \"d.use\"(%x) : (i32) -> ()\n}) : () -> ()",
    );
    // Names defined in a region are forgotten when it ends: siblings may reuse them.
    roundtrip(concat!(
        "\"d.r\"() ({\n  %v = \"d.def\"() : () -> i32\n}, {\n",
        "  %v = \"d.def\"() : () -> i32\n}) : () -> ()\n",
        "%v = \"d.def\"() : () -> i32",
    ));
    assert_eq!(
        error_of(
            "\"d.r\"() ({\n  %v = \"d.def\"() : () -> i32\n}) : () -> ()\n\"d.use\"(%v) : (i32) -> ()"
        ),
        "4:9: error: use of undefined value '%v'\n"
    );
    // A generic op whose type is wrong reports that, not the errors inside its region.
    assert_eq!(
        error_of("\"d.r\"() ({\n  \"d.use\"(%nope) : (i32) -> ()\n}) : i32"),
        "3:6: error: expected a function type for the operation's signature\n"
    );
    // A region the format does not take is reported at the region, and nothing inside.
    let e = error_of(
        "%0 = \"d.x\"() : () -> i32\nfunc.return %0 : i32 {\n  \"d.use\"(%nope) : (i32) -> ()\n}",
    );
    assert!(
        e.starts_with("2:22: error: 'func.return' does not take a region here"),
        "{e}"
    );
    assert_eq!(e.lines().count(), 1, "{e}");
    // Labels: an entry block cannot be named when the function names its arguments, and
    // every use of a label never defined is reported.
    let e = error_of("func.func @f(%a: i32) {\n^bb0:\n  func.return\n}");
    assert!(
        e.starts_with("2:1: error: the entry block '^bb0' of a region with named arguments"),
        "{e}"
    );
    assert_eq!(
        error_of(
            "\"d.r\"() ({\n  \"d.br\"()[^x] : () -> ()\n  \"d.br\"()[^x] : () -> ()\n}) : () -> ()"
        ),
        "2:12: error: reference to an undefined block '^x'\n3:12: error: reference to an undefined block '^x'\n"
    );
}

#[test]
fn unregistered_ops_need_permission() {
    let mut ctx = Context::new(&[]);
    let mut sources = SourceMap::default();
    let file = sources.add("x.mlir", "\"aten.relu\"() : () -> ()");
    let diags = parse_source(&mut ctx, &sources, file).unwrap_err();
    assert!(diags[0].message.contains("unregistered dialect 'aten'"));
    let file = sources.add("y.mlir", "\"func.nope\"() : () -> ()");
    let diags = parse_source(&mut ctx, &sources, file).unwrap_err();
    assert!(
        diags[0].message.contains("dialect 'func' has no operation")
            || diags[0].message.contains("unregistered dialect 'func'")
    );
}

#[test]
fn syntax_errors_say_what_was_expected() {
    assert_eq!(
        error_of("%0 = \"d.x\"( : () -> ()"),
        "1:13: error: unexpected ':'; expected an SSA value or ')'\n"
    );
    assert_eq!(
        error_of("\"d.x\"() : () -> tensor<2x>"),
        "1:26: error: unexpected '>'; expected a dialect type, an identifier, a keyword or '('\n"
    );
    let deep = format!("\"d.x\"() {{a = {}}} : () -> ()", "[".repeat(1_000_000));
    assert!(error_of(&deep).contains("nest deeper than 512"));
}

/// A compact `tensor<4xf32>` is one token; its errors read as those of the spelled-out
/// tokens: the element's span, the `tensor` keyword, the `<` past the nesting limit.
#[test]
fn compact_tensor_types_report_like_their_tokens() {
    assert_eq!(
        error_of("\"d.x\"() : () -> tensor<4xfoo>"),
        "1:26: error: unknown type 'foo'\n"
    );
    assert_eq!(
        error_of("\"d.x\"() tensor<4xf32> : () -> ()"),
        "1:9: error: unexpected 'tensor'; expected '(', '{', '[', '<' or ':'\n"
    );
    let nested = |depth: usize| {
        format!(
            "\"d.x\"() {{a = {}tensor<4xf32>{}}} : () -> ()",
            "[".repeat(depth),
            "]".repeat(depth)
        )
    };
    assert!(parse(&nested(510)).is_ok());
    assert_eq!(
        error_of(&nested(511)),
        "1:531: error: brackets nest deeper than 512 levels\n"
    );
}

#[test]
fn implicit_and_explicit_modules() {
    let (ctx, m) = parse("module @m attributes {d.k = 1 : i64} {\n}").unwrap();
    assert_eq!(ctx.symbol_name(m), Some("m"));
    assert_eq!(
        print_op(&ctx, m, &PrintOptions::default()),
        "module @m attributes {d.k = 1 : i64} {\n}\n"
    );
    let (ctx, m) = parse("").unwrap();
    assert_eq!(
        print_op(
            &ctx,
            m,
            &PrintOptions {
                generic: true,
                debug_info: false
            }
        ),
        "\"builtin.module\"() ({\n^bb0:\n}) : () -> ()\n"
    );
}

/// A sink that takes at most `room` bytes, then fails.
struct Full {
    taken: Vec<u8>,
    room: usize,
}

impl std::io::Write for Full {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.taken.len() + buf.len() > self.room {
            return Err(std::io::Error::other("the sink is full"));
        }
        self.taken.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Streaming the text into a writer (several blocks of it for a large function, nested
/// regions included) gives exactly what `print_op` returns, and a failing writer is an error.
#[test]
fn printing_into_a_writer_gives_the_same_text() {
    let mut src = String::from("func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {\n");
    for i in 0..5000 {
        let prev = if i == 0 {
            "%a".to_string()
        } else {
            format!("%v{}", i - 1)
        };
        src += &format!("  %v{i} = \"test.op\"({prev}) : (tensor<4xf32>) -> tensor<4xf32>\n");
        if i % 1000 == 0 {
            src += "  \"test.region\"() ({\n    \"test.inner\"() : () -> ()\n  }) : () -> ()\n";
        }
    }
    src += "  func.return %v4999 : tensor<4xf32>\n}\n";
    let (ctx, m) = parse(&src).unwrap();
    for generic in [false, true] {
        let opts = PrintOptions {
            generic,
            debug_info: false,
        };
        let whole = print_op(&ctx, m, &opts);
        assert!(whole.len() > 4 * (1 << 16), "the text spans several blocks");
        let mut sink = Full {
            taken: Vec::new(),
            room: usize::MAX,
        };
        print_op_to(&ctx, m, &opts, &mut sink).unwrap();
        assert_eq!(String::from_utf8(sink.taken).unwrap(), whole);
        let mut full = Full {
            taken: Vec::new(),
            room: 1000,
        };
        let e = print_op_to(&ctx, m, &opts, &mut full).unwrap_err();
        assert_eq!(e.to_string(), "the sink is full");
    }
}

/// A result group may declare any size; the parser sizes its tables from what is written,
/// so a huge one is the usual located error, not an allocation of that size.
#[test]
fn a_huge_result_group_is_an_error() {
    let err = error_of("%r:4000000000 = \"test.op\"() : () -> ()\n");
    assert_eq!(
        err,
        "1:1: error: operation defines 0 results but was provided 4000000000 to bind\n"
    );
}

/// Numbers are bound in slots indexed by the number while they stay dense, and hashed
/// beyond: a name defined far out and reached again once the slots have grown past it
/// is still one name, and numbers with leading zeros are other names.
#[test]
fn numbered_names_far_apart_are_still_one_scope() {
    let op = |name: &str| format!("%{name} = \"d.x\"() : () -> i32\n");
    let mut src = op("2000");
    for i in 0..600 {
        src += &op(&i.to_string());
    }
    src += &op("1500");
    src += &op("02");
    src += "\"d.use\"(%2000, %1500, %599, %02, %2) : (i32, i32, i32, i32, i32) -> ()\n";
    let (ctx, m) = parse(&src).unwrap();
    let body = ctx.body_block(m).unwrap();
    let user = ctx.block_ops(body).last().unwrap();
    let names: Vec<_> = ctx
        .operands(user)
        .iter()
        .map(|&v| ctx.value_name(v).unwrap().to_string())
        .collect();
    assert_eq!(names, ["2000", "1500", "599", "02", "2"]);

    let again = src.lines().count() + 1;
    let e = error_of(&format!("{src}{}", op("2000")));
    assert_eq!(
        e,
        format!("{again}:1: error: redefinition of value '%2000'\n")
    );
    let e = error_of(&format!("{src}{}", op("7")));
    assert_eq!(e, format!("{again}:1: error: redefinition of value '%7'\n"));
}

#[test]
fn undefined_numbered_names_are_reported_in_order() {
    assert_eq!(
        error_of(
            "\"d.use\"(%9000000, %07, %3) : (i32, i32, i32) -> ()\n\
             %0 = \"d.x\"() : () -> i32"
        ),
        "1:9: error: use of undefined value '%9000000'\n\
         1:19: error: use of undefined value '%07'\n\
         1:24: error: use of undefined value '%3'\n"
    );
}

/// A whole module's value names are a table indexed by value, a piece's a hash table:
/// a function prints the same either way.
#[test]
fn a_function_prints_alone_as_in_its_module() {
    let src = r#"func.func @f(%a: f32) -> f32 {
  %0 = "d.x"(%a) : (f32) -> f32
  %r:2 = "d.two"(%0) : (f32) -> (f32, f32)
  %1, %2 = "d.two"(%r#1) : (f32) -> (f32, f32)
  func.return %2 : f32
}
"#;
    let (ctx, m) = parse(src).unwrap();
    let func = ctx.first_op(ctx.body_block(m).unwrap()).unwrap();
    let opts = PrintOptions::default();
    let alone = print_op(&ctx, func, &opts);
    let whole = print_op(&ctx, m, &opts);
    let indented: String = alone.lines().map(|l| format!("  {l}\n")).collect();
    assert!(whole.contains(&indented), "{whole}\n---\n{alone}");
}
