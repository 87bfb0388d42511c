//! A small test dialect and IR-building helpers shared by the pass tests.

#![allow(dead_code)]

use joinery_ir::dialect::FoldResult;
use joinery_ir::{
    BlockId, Builder, Context, Dialect, InsertPoint, OpDef, OpId, OperationState, RewritePattern,
    Rewriter, Traits, Type, Value,
};

/// `test.constant {value = N : i64}`: a constant; folds to its own value.
pub const CONSTANT: OpDef = OpDef {
    traits: Traits::PURE.union(Traits::CONSTANT_LIKE),
    fold: Some(fold_constant),
    ..OpDef::new("test.constant", "A constant")
};
/// `test.add`: pure, commutative; folds constants and `x + 0`.
pub const ADD: OpDef = OpDef {
    traits: Traits::PURE.union(Traits::COMMUTATIVE),
    fold: Some(fold_add),
    ..OpDef::new("test.add", "Integer addition")
};
/// `test.sub`: pure, not commutative.
pub const SUB: OpDef = OpDef {
    traits: Traits::PURE,
    ..OpDef::new("test.sub", "Integer subtraction")
};
/// `test.neg`: pure, with the pattern `-(-x) ==> x`.
pub const NEG: OpDef = OpDef {
    traits: Traits::PURE,
    canonicalize: &[&NegNeg],
    ..OpDef::new("test.neg", "Negation")
};
/// `test.effect`: has side effects.
pub const EFFECT: OpDef = OpDef::new("test.effect", "An op with side effects");
/// `test.scope`: one region that sees outer values.
pub const SCOPE: OpDef = OpDef {
    traits: Traits::SINGLE_BLOCK.union(Traits::NO_TERMINATOR),
    ..OpDef::new("test.scope", "A region op")
};
/// `test.isolated`: one region isolated from above.
pub const ISOLATED: OpDef = OpDef {
    traits: Traits::SINGLE_BLOCK
        .union(Traits::NO_TERMINATOR)
        .union(Traits::ISOLATED_FROM_ABOVE),
    ..OpDef::new("test.isolated", "An isolated region op")
};

/// The test dialect.
pub static TEST_DIALECT: Dialect = Dialect {
    ops: &[CONSTANT, ADD, SUB, NEG, EFFECT, SCOPE, ISOLATED],
    materialize_constant: Some(materialize),
    ..Dialect::new("test", "Ops for pass tests")
};

fn fold_constant(ctx: &mut Context, op: OpId) -> Option<Vec<FoldResult>> {
    Some(vec![FoldResult::Attr(ctx.attr(op, "value")?)])
}

fn constant_value(ctx: &Context, v: Value) -> Option<i64> {
    let op = ctx.defining_op(v)?;
    if ctx.name_str(op) != CONSTANT.name {
        return None;
    }
    ctx.as_i64(ctx.attr(op, "value")?)
}

fn fold_add(ctx: &mut Context, op: OpId) -> Option<Vec<FoldResult>> {
    let (a, b) = (ctx.operand(op, 0), ctx.operand(op, 1));
    match (constant_value(ctx, a), constant_value(ctx, b)) {
        // c1 + c2 ==> c
        (Some(x), Some(y)) => Some(vec![FoldResult::Attr(ctx.integer_attr(x + y, 64))]),
        // x + 0 ==> x
        (_, Some(0)) => Some(vec![FoldResult::Value(a)]),
        (Some(0), _) => Some(vec![FoldResult::Value(b)]),
        _ => None,
    }
}

fn materialize(
    ctx: &mut Context,
    value: joinery_ir::Attribute,
    ty: Type,
) -> Option<OperationState> {
    let mut state = OperationState::new(ctx.op_name(CONSTANT.name));
    state.attrs.push(("value".into(), value));
    state.result_types.push(ty);
    Some(state)
}

/// `-(-x) ==> x`.
pub struct NegNeg;

impl RewritePattern for NegNeg {
    fn name(&self) -> &'static str {
        "neg-neg"
    }
    fn apply(&self, op: OpId, rewriter: &mut Rewriter<'_>) -> bool {
        let ctx = &*rewriter.ctx;
        let Some(inner) = ctx.defining_op(ctx.operand(op, 0)) else {
            return false;
        };
        if ctx.name_str(inner) != NEG.name {
            return false;
        }
        let x = ctx.operand(inner, 0);
        rewriter.replace_op(op, &[x]);
        true
    }
}

/// A context with the func and test dialects.
pub fn context() -> Context {
    Context::new(&[&joinery_func::FUNC_DIALECT, &TEST_DIALECT])
}

/// `i64`.
pub fn i64_type(ctx: &mut Context) -> Type {
    ctx.integer_type(64)
}

/// Appends `func.func @name(inputs) -> results` with an empty body to `module`; returns the
/// function and its body block.
pub fn add_func(
    ctx: &mut Context,
    module: OpId,
    name: &str,
    inputs: &[Type],
    results: &[Type],
    private: bool,
) -> (OpId, BlockId) {
    let region = ctx.create_region();
    let block = ctx.create_block(inputs);
    ctx.append_block(region, block);
    let fty = ctx.function_type(inputs.to_vec(), results.to_vec());
    let mut state = OperationState::new(ctx.op_name("func.func"));
    state.regions.push(region);
    state.attrs.push(("sym_name".into(), ctx.string_attr(name)));
    state
        .attrs
        .push(("function_type".into(), ctx.type_attr(fty)));
    if private {
        state
            .attrs
            .push(("sym_visibility".into(), ctx.string_attr("private")));
    }
    let f = ctx.create_op(state);
    let body = ctx.body_block(module).unwrap();
    ctx.append_op(body, f);
    (f, block)
}

/// A builder at the end of `block`.
pub fn at_end(ctx: &mut Context, block: BlockId) -> Builder<'_> {
    Builder::new(ctx, InsertPoint::End(block))
}

/// `test.constant {value = v}` at the end of `block`.
pub fn constant(ctx: &mut Context, block: BlockId, v: i64) -> Value {
    let ty = i64_type(ctx);
    let attr = ctx.integer_attr(v, 64);
    let op = at_end(ctx, block).build("test.constant", &[], &[ty], vec![("value".into(), attr)]);
    ctx.result(op, 0)
}

/// A one-result i64 op `name(operands)` at the end of `block`.
pub fn op1(ctx: &mut Context, block: BlockId, name: &str, operands: &[Value]) -> Value {
    let ty = i64_type(ctx);
    let op = at_end(ctx, block).build(name, operands, &[ty], vec![]);
    ctx.result(op, 0)
}

/// `func.return values` at the end of `block`.
pub fn ret(ctx: &mut Context, block: BlockId, values: &[Value]) -> OpId {
    at_end(ctx, block).build("func.return", values, &[], vec![])
}

/// `func.call @callee(args) : results` at the end of `block`.
pub fn call(
    ctx: &mut Context,
    block: BlockId,
    callee: &str,
    args: &[Value],
    results: &[Type],
) -> OpId {
    let attr = ctx.symbol_ref_attr(callee);
    at_end(ctx, block).build("func.call", args, results, vec![("callee".into(), attr)])
}

/// Creates a region op (`test.scope` / `test.isolated`) at the end of `block`; returns it
/// and its body block.
pub fn region_op(ctx: &mut Context, block: BlockId, name: &str) -> (OpId, BlockId) {
    let region = ctx.create_region();
    let inner = ctx.create_block(&[]);
    ctx.append_block(region, inner);
    let mut state = OperationState::new(ctx.op_name(name));
    state.regions.push(region);
    let op = at_end(ctx, block).insert(state);
    (op, inner)
}

/// The names of the ops directly in `block`.
pub fn op_names(ctx: &Context, block: BlockId) -> Vec<String> {
    ctx.block_ops(block)
        .map(|o| ctx.name_str(o).to_string())
        .collect()
}

/// The names of every function in `module`.
pub fn symbols(ctx: &Context, module: OpId) -> Vec<String> {
    let body = ctx.body_block(module).unwrap();
    ctx.block_ops(body)
        .filter_map(|o| ctx.symbol_name(o).map(str::to_string))
        .collect()
}
