//! `arith.constant` read back in every `dense<...>` form, and its verifier.

use joinery_arith::{ARITH_DIALECT, constant_elements, constant_splat};
use joinery_ir::{Context, DenseScalar, FloatBits, OpId, SourceMap};

/// Parses `src` and returns the context, the module and every op under it in order.
fn parse(src: &str) -> (Context, OpId, Vec<OpId>) {
    let mut ctx = Context::new(&[&ARITH_DIALECT]);
    ctx.allow_unregistered = true;
    let mut sources = SourceMap::default();
    let file = sources.add("input.mlir", src);
    let module = joinery_syntax::parse_source(&mut ctx, &sources, file).expect("parses");
    let ops = ctx.walk(module);
    (ctx, module, ops)
}

fn constants(src: &str) -> Vec<Vec<DenseScalar>> {
    let (ctx, _, ops) = parse(src);
    ops.into_iter()
        .filter_map(|op| constant_elements(&ctx, op).map(|(_, e)| e))
        .collect()
}

fn f(v: f64) -> DenseScalar {
    DenseScalar::Float(FloatBits(v))
}

#[test]
fn every_dense_form_reads_as_row_major_elements() {
    let got = constants(
        r#"
        %a = "arith.constant"() <{value = dense<[[1, -2], [3, 4]]> : tensor<2x2xi32>}> : () -> tensor<2x2xi32>
        %b = "arith.constant"() <{value = dense<0.5> : tensor<3xf32>}> : () -> tensor<3xf32>
        %c = "arith.constant"() <{value = dense<"0x0000803F000000C0"> : tensor<2xf32>}> : () -> tensor<2xf32>
        %d = "arith.constant"() <{value = dense<"0xFEFF"> : tensor<1xi16>}> : () -> tensor<1xi16>
        %e = "arith.constant"() <{value = dense<"0x0501"> : tensor<9xi1>}> : () -> tensor<9xi1>
        %g = "arith.constant"() <{value = dense<"0xFF"> : tensor<12xi1>}> : () -> tensor<12xi1>
        %h = "arith.constant"() <{value = dense<"0x003C"> : tensor<2xf16>}> : () -> tensor<2xf16>
        %i = "arith.constant"() <{value = dense<true> : tensor<i1>}> : () -> tensor<i1>
        "#,
    );
    let i = DenseScalar::Int;
    let b = DenseScalar::Bool;
    assert_eq!(got[0], vec![i(1), i(-2), i(3), i(4)]);
    assert_eq!(got[1], vec![f(0.5); 3]);
    assert_eq!(got[2], vec![f(1.0), f(-2.0)]);
    assert_eq!(got[3], vec![i(-2)]);
    let packed: Vec<DenseScalar> = [1, 0, 1, 0, 0, 0, 0, 0, 1]
        .iter()
        .map(|&x| b(x == 1))
        .collect();
    assert_eq!(got[4], packed);
    assert_eq!(got[5], vec![b(true); 12]);
    assert_eq!(
        got[6],
        vec![f(1.0); 2],
        "two bytes of f16 are one element: a splat"
    );
    assert_eq!(got[7], vec![b(true)]);
}

#[test]
fn splats_are_recognised_however_written() {
    let (ctx, _, ops) = parse(
        r#"
        %a = "arith.constant"() <{value = dense<[2, 2, 2]> : tensor<3xi64>}> : () -> tensor<3xi64>
        %b = "arith.constant"() <{value = dense<[2, 3]> : tensor<2xi64>}> : () -> tensor<2xi64>
        "#,
    );
    let splats: Vec<Option<DenseScalar>> = ops
        .iter()
        .filter(|&&op| ctx.name_str(op) == "arith.constant")
        .map(|&op| constant_splat(&ctx, op))
        .collect();
    assert_eq!(splats, vec![Some(DenseScalar::Int(2)), None]);
}

#[test]
fn the_verifier_wants_a_literal_of_the_result_type() {
    let cases = [
        (
            r#"%a = "arith.constant"() <{value = dense<1> : tensor<2xi64>}> : () -> tensor<2xi32>"#,
            "result type must be the type of its 'value' literal",
        ),
        (
            r#"%a = "arith.constant"() <{value = 1 : i64}> : () -> tensor<i64>"#,
            "must be a dense<...> elements literal",
        ),
        (
            r#"%a = "arith.constant"() : () -> tensor<i64>"#,
            "requires attribute 'value'",
        ),
    ];
    for (src, expected) in cases {
        let (ctx, module, _) = parse(src);
        let diags = joinery_ir::verify::verify(&ctx, module);
        assert!(
            diags.iter().any(|d| d.message.contains(expected)),
            "{src}: {diags:?}"
        );
    }
}
