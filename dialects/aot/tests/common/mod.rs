//! Builds functions with descriptors for the aot tests (the text parser is not used here so
//! these tests pin the dialect alone).

#![allow(dead_code)]

use joinery_aot::{AOT_DIALECT, AotInput, AotOutput};
use joinery_func::FUNC_DIALECT;
use joinery_ir::{
    Attribute, Builder, Context, Diagnostic, FloatKind, InsertPoint, OpId, OperationState, Type,
    Value,
};

/// A context with func and aot registered; other ops (aten, test) stay unregistered.
pub fn context() -> Context {
    let mut ctx = Context::new(&[&FUNC_DIALECT, &AOT_DIALECT]);
    ctx.allow_unregistered = true;
    ctx
}

/// `tensor<shape x f32>`.
pub fn f32_tensor(ctx: &mut Context, shape: &[u64]) -> Type {
    let f = ctx.float_type(FloatKind::F32);
    ctx.static_tensor_type(shape, f)
}

/// A descriptor to put on a slot.
#[derive(Clone)]
pub enum D {
    In(AotInput),
    Out(AotOutput),
    Raw(Attribute),
    None,
}

impl D {
    fn attr(&self, ctx: &mut Context) -> Option<Attribute> {
        match self {
            D::In(d) => Some(d.to_attr(ctx)),
            D::Out(d) => Some(d.to_attr(ctx)),
            D::Raw(a) => Some(*a),
            D::None => None,
        }
    }
}

pub fn param(t: &str) -> AotInput {
    AotInput::Param { target: t.into() }
}
pub fn buffer(t: &str) -> AotInput {
    AotInput::Buffer { target: t.into() }
}
pub fn plain(idx: usize) -> AotInput {
    AotInput::Plain { idx }
}
pub fn plain_out(idx: usize) -> AotOutput {
    AotOutput::Plain { idx }
}
pub fn tangent(o: AotOutput) -> AotInput {
    AotInput::Tangent {
        output: Box::new(o),
    }
}
pub fn grad(i: AotInput) -> AotOutput {
    AotOutput::Grad {
        grad_of: Box::new(i),
    }
}
pub fn none_grad(i: AotInput) -> AotOutput {
    AotOutput::NoneGrad {
        grad_of: Box::new(i),
    }
}
pub fn mutation(i: AotInput) -> AotOutput {
    AotOutput::InputMutation {
        mutated_input: Box::new(i),
    }
}

/// One argument: name, type, descriptor.
pub struct Arg(pub &'static str, pub Type, pub D);
/// One result: type, descriptor.
pub struct Res(pub Type, pub D);

/// A module holding one `func.func @name` with the given signature. The body returns the
/// results of one unregistered `"test.source"` op (and `aot.none` for `none` results).
pub fn build_func(ctx: &mut Context, name: &str, args: &[Arg], results: &[Res]) -> (OpId, OpId) {
    let module = ctx.create_module();
    let func = empty_func(ctx, module, name, args, results);
    let body = ctx.body_block(func).unwrap();
    let result_types: Vec<Type> = results.iter().map(|r| r.0).collect();
    let mut b = Builder::new(ctx, InsertPoint::End(body));
    let src = b.build("test.source", &[], &result_types, vec![]);
    let values = b.ctx.results(src).to_vec();
    b.build("func.return", &values, &[], vec![]);
    (module, func)
}

/// A module holding `func.func @name` with an empty entry block (the caller fills it).
pub fn empty_func(
    ctx: &mut Context,
    module: OpId,
    name: &str,
    args: &[Arg],
    results: &[Res],
) -> OpId {
    let arg_types: Vec<Type> = args.iter().map(|a| a.1).collect();
    let result_types: Vec<Type> = results.iter().map(|r| r.0).collect();
    let fty = ctx.function_type(arg_types.clone(), result_types);
    let mut arg_dicts = Vec::new();
    for a in args {
        arg_dicts.push(dict(ctx, &a.2));
    }
    let mut res_dicts = Vec::new();
    for r in results {
        res_dicts.push(dict(ctx, &r.1));
    }
    let region = ctx.create_region();
    let block = ctx.create_block(&arg_types);
    ctx.append_block(region, block);
    for (i, a) in args.iter().enumerate() {
        let v = ctx.block_args(block)[i];
        ctx.set_value_name(v, Some(a.0));
    }
    let mut state = OperationState::new(ctx.op_name("func.func"));
    state.attrs = vec![
        ("sym_name".into(), ctx.string_attr(name)),
        ("function_type".into(), ctx.type_attr(fty)),
        ("arg_attrs".into(), ctx.array_attr(arg_dicts)),
        ("res_attrs".into(), ctx.array_attr(res_dicts)),
    ];
    state.regions.push(region);
    let func = ctx.create_op(state);
    let mbody = ctx.body_block(module).unwrap();
    ctx.append_op(mbody, func);
    func
}

fn dict(ctx: &mut Context, d: &D) -> Attribute {
    let entries = match d.attr(ctx) {
        Some(a) => vec![("aot.desc".to_string(), a)],
        None => vec![],
    };
    ctx.dictionary_attr(entries)
}

/// Builds `name(operands) {attrs} -> ty` at the end of `block`, naming the result.
pub fn op(
    ctx: &mut Context,
    block: joinery_ir::BlockId,
    result: &str,
    name: &str,
    operands: &[Value],
    ty: Type,
    attrs: Vec<(String, Attribute)>,
) -> Value {
    let mut b = Builder::new(ctx, InsertPoint::End(block));
    let o = b.build(name, operands, &[ty], attrs);
    let v = ctx.result(o, 0);
    ctx.set_value_name(v, Some(result));
    v
}

/// The verifier's error messages for `op`.
pub fn errors(ctx: &Context, op: OpId) -> Vec<String> {
    joinery_ir::verify::verify(ctx, op)
        .into_iter()
        .filter(Diagnostic::is_error)
        .map(|d| d.message)
        .collect()
}

/// Asserts that verification reports exactly one error, containing `needle`.
#[track_caller]
pub fn assert_one_error(ctx: &Context, op: OpId, needle: &str) {
    let errs = errors(ctx, op);
    assert_eq!(
        errs.len(),
        1,
        "expected one error containing {needle:?}, got {errs:#?}"
    );
    assert!(
        errs[0].contains(needle),
        "expected {needle:?} in {:?}",
        errs[0]
    );
}
