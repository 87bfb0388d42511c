//! The joint-graph inputs in `tests/inputs/` (descriptors.md §6 and §7 items 6-8), parsed
//! from text with every dialect registered, verify and answer the fx_utils queries as
//! PyTorch does.

use joinery_aot::{
    AOT_DIALECT, all_input_and_grad, all_output_and_tangent, named_buffers, named_params,
    param_and_grad, plain_input_and_grad, plain_output_and_tangent,
};
use joinery_ir::{Context, OpId, SourceMap};

fn load(ctx: &mut Context, name: &str) -> OpId {
    let path = format!("{}/../../tests/inputs/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let mut sources = SourceMap::default();
    let file = sources.add(name, text);
    let module = joinery_syntax::parse_source(ctx, &sources, file).unwrap();
    let diags = joinery_ir::verify::verify(ctx, module);
    assert!(diags.is_empty(), "{name}: {diags:#?}");
    ctx.lookup_symbol(module, "joint").unwrap()
}

fn context() -> Context {
    Context::new(&[
        &joinery_func::FUNC_DIALECT,
        &AOT_DIALECT,
        &joinery_aten::ATEN_DIALECT,
    ])
}

#[test]
fn linear_relu_joint_answers_as_section_6() {
    let mut ctx = context();
    let f = load(&mut ctx, "linear_relu_joint.mlir");
    assert_eq!(param_and_grad(&ctx, f).unwrap().len(), 2);
    let plain = plain_input_and_grad(&ctx, f).unwrap();
    assert_eq!(plain.len(), 1);
    assert_eq!(plain[0].input.to_string(), "PlainAOTInput(idx=0)");
    assert_eq!(ctx.value_name(plain[0].arg), Some("primals_4"));
    assert_eq!(plain[0].grad, None);
    assert_eq!(all_input_and_grad(&ctx, f).unwrap().len(), 5);
    let outputs = all_output_and_tangent(&ctx, f).unwrap();
    assert_eq!(outputs.len(), 4);
    let with_tangent: Vec<Option<&str>> = outputs
        .iter()
        .filter(|e| e.tangent.is_some())
        .map(|e| ctx.value_name(e.value))
        .collect();
    assert_eq!(with_tangent, [Some("sum_1")]);
}

#[test]
fn simple_linear_answers_as_conformance_6() {
    let mut ctx = context();
    let f = load(&mut ctx, "fx_utils_simple_linear.mlir");
    assert_eq!(named_params(&ctx, f).unwrap().len(), 2);
    assert_eq!(named_buffers(&ctx, f).unwrap().len(), 0);
    assert_eq!(all_input_and_grad(&ctx, f).unwrap().len(), 4);
    assert!(
        param_and_grad(&ctx, f)
            .unwrap()
            .iter()
            .all(|e| e.grad.is_some())
    );
    assert_eq!(plain_input_and_grad(&ctx, f).unwrap()[0].grad, None);
    assert_eq!(all_output_and_tangent(&ctx, f).unwrap().len(), 3);
    assert!(
        plain_output_and_tangent(&ctx, f).unwrap()[0]
            .tangent
            .is_some()
    );
}

#[test]
fn conv_bn_answers_as_conformance_7() {
    let mut ctx = context();
    let f = load(&mut ctx, "fx_utils_conv_bn.mlir");
    assert_eq!(named_params(&ctx, f).unwrap().len(), 4);
    assert_eq!(named_buffers(&ctx, f).unwrap().len(), 3);
    assert_eq!(all_input_and_grad(&ctx, f).unwrap().len(), 9);
}

#[test]
fn multiple_outputs_answers_as_conformance_8() {
    let mut ctx = context();
    let f = load(&mut ctx, "fx_utils_multiple_outputs.mlir");
    assert_eq!(all_output_and_tangent(&ctx, f).unwrap().len(), 6);
    let plain = plain_output_and_tangent(&ctx, f).unwrap();
    assert_eq!(plain.len(), 2);
    assert!(plain.iter().all(|e| e.tangent.is_some()));
    let params = param_and_grad(&ctx, f).unwrap();
    assert_eq!(params.len(), 4);
    assert!(params.iter().all(|e| e.grad.is_some()));
}
