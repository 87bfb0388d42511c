//! Signature surgery on a `func.func` with a body: inserting and erasing arguments and
//! results keeps the entry block, the `func.return`, `function_type` and the
//! `arg_attrs` / `res_attrs` dictionaries in step, as MLIR's `FunctionOpInterface` helpers
//! (`insertArgument`, `eraseResult`, ...) do.

use joinery_ir::{Attribute, Context, OpId, Type, Value};

/// Which side of a signature.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Side {
    Args,
    Results,
}

impl Side {
    fn key(self) -> &'static str {
        match self {
            Side::Args => "arg_attrs",
            Side::Results => "res_attrs",
        }
    }
}

/// The attribute dictionaries of every argument (empty dictionaries where none is set).
pub fn arg_attr_dicts(ctx: &mut Context, func: OpId) -> Vec<Attribute> {
    attr_dicts(ctx, func, Side::Args)
}

/// The attribute dictionaries of every result (empty dictionaries where none is set).
pub fn res_attr_dicts(ctx: &mut Context, func: OpId) -> Vec<Attribute> {
    attr_dicts(ctx, func, Side::Results)
}

fn attr_dicts(ctx: &mut Context, func: OpId, side: Side) -> Vec<Attribute> {
    let count = crate::signature(ctx, func).map_or(0, |(i, r)| match side {
        Side::Args => i.len(),
        Side::Results => r.len(),
    });
    let existing = ctx
        .attr(func, side.key())
        .and_then(|a| ctx.as_array(a).map(<[Attribute]>::to_vec))
        .filter(|items| items.len() == count);
    existing.unwrap_or_else(|| {
        let empty = ctx.dictionary_attr(Vec::new());
        vec![empty; count]
    })
}

fn set_attr_dicts(ctx: &mut Context, func: OpId, side: Side, dicts: Vec<Attribute>) {
    let all_empty = dicts
        .iter()
        .all(|&d| ctx.as_dictionary(d).is_some_and(<[_]>::is_empty));
    if all_empty {
        ctx.remove_attr(func, side.key());
    } else {
        let array = ctx.array_attr(dicts);
        ctx.set_attr(func, side.key(), array);
    }
}

/// Sets the attribute dictionary of argument `index`.
pub fn set_arg_attrs(ctx: &mut Context, func: OpId, index: usize, dict: Attribute) {
    let mut dicts = arg_attr_dicts(ctx, func);
    dicts[index] = dict;
    set_attr_dicts(ctx, func, Side::Args, dicts);
}

/// Sets the attribute dictionary of result `index`.
pub fn set_res_attrs(ctx: &mut Context, func: OpId, index: usize, dict: Attribute) {
    let mut dicts = res_attr_dicts(ctx, func);
    dicts[index] = dict;
    set_attr_dicts(ctx, func, Side::Results, dicts);
}

/// Recomputes `function_type` from the entry block's argument types and the returned
/// values' types (after a pass retyped values in place).
pub fn sync_function_type(ctx: &mut Context, func: OpId) {
    let Some(body) = ctx.body_block(func) else {
        return;
    };
    let inputs: Vec<Type> = ctx
        .block_args(body)
        .iter()
        .map(|&a| ctx.value_type(a))
        .collect();
    let results: Vec<Type> = ctx
        .last_op(body)
        .map(|ret| {
            ctx.operands(ret)
                .iter()
                .map(|&v| ctx.value_type(v))
                .collect()
        })
        .unwrap_or_default();
    let ty = ctx.function_type(inputs, results);
    let attr = ctx.type_attr(ty);
    ctx.set_attr(func, "function_type", attr);
}

/// Inserts argument `index` of type `ty` with attribute dictionary `dict`; returns the new
/// entry-block argument.
pub fn insert_argument(
    ctx: &mut Context,
    func: OpId,
    index: usize,
    ty: Type,
    dict: Attribute,
) -> Option<Value> {
    let body = ctx.body_block(func)?;
    let mut dicts = arg_attr_dicts(ctx, func);
    let v = ctx.insert_block_argument(body, index, ty);
    dicts.insert(index, dict);
    sync_function_type(ctx, func);
    set_attr_dicts(ctx, func, Side::Args, dicts);
    Some(v)
}

/// Erases argument `index`, which must be unused.
pub fn erase_argument(ctx: &mut Context, func: OpId, index: usize) {
    let Some(body) = ctx.body_block(func) else {
        return;
    };
    let mut dicts = arg_attr_dicts(ctx, func);
    ctx.erase_block_argument(body, index);
    dicts.remove(index);
    sync_function_type(ctx, func);
    set_attr_dicts(ctx, func, Side::Args, dicts);
}

/// Inserts result `index`, returning `value` with attribute dictionary `dict`.
pub fn insert_result(ctx: &mut Context, func: OpId, index: usize, value: Value, dict: Attribute) {
    let Some(ret) = ctx.body_block(func).and_then(|b| ctx.last_op(b)) else {
        return;
    };
    let mut dicts = res_attr_dicts(ctx, func);
    let mut operands = ctx.operands(ret).to_vec();
    operands.insert(index, value);
    ctx.set_operands(ret, &operands);
    dicts.insert(index, dict);
    sync_function_type(ctx, func);
    set_attr_dicts(ctx, func, Side::Results, dicts);
}

/// Erases result `index`.
pub fn erase_result(ctx: &mut Context, func: OpId, index: usize) {
    let Some(ret) = ctx.body_block(func).and_then(|b| ctx.last_op(b)) else {
        return;
    };
    let mut dicts = res_attr_dicts(ctx, func);
    let mut operands = ctx.operands(ret).to_vec();
    operands.remove(index);
    ctx.set_operands(ret, &operands);
    dicts.remove(index);
    sync_function_type(ctx, func);
    set_attr_dicts(ctx, func, Side::Results, dicts);
}
