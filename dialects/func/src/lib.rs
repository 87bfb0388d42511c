//! The `func` dialect: functions, returns and calls, as MLIR's `func` dialect.
//!
//! `func.func` stores its signature in `function_type`, per-argument and per-result
//! attribute dictionaries in `arg_attrs` / `res_attrs` (arrays of dictionaries, MLIR's
//! representation), and its name in `sym_name`. [`edit`] inserts and erases arguments and
//! results of a function keeping all of these in step.

pub mod edit;

use joinery_ir::{AsmFormat, Context, Diagnostic, Dialect, OpDef, OpId, Traits, Type};

/// `func.func`.
pub const FUNC_OP: OpDef = OpDef {
    traits: Traits::FUNCTION_LIKE
        .union(Traits::SYMBOL)
        .union(Traits::ISOLATED_FROM_ABOVE),
    format: AsmFormat::FunctionLike,
    inherent_attrs: &[
        "arg_attrs",
        "function_type",
        "res_attrs",
        "sym_name",
        "sym_visibility",
    ],
    verify: Some(verify_func),
    default_dialect: Some("func"),
    ..OpDef::new("func.func", "A function with a body region")
};

/// `func.return`.
pub const RETURN_OP: OpDef = OpDef {
    traits: Traits::TERMINATOR
        .union(Traits::RETURN_LIKE)
        .union(Traits::PURE),
    format: AsmFormat::OperandTypes,
    verify: Some(verify_return),
    ..OpDef::new("func.return", "Returns values from a function")
};

/// `func.call`.
pub const CALL_OP: OpDef = OpDef {
    traits: Traits::CALL,
    format: AsmFormat::Call,
    inherent_attrs: &["callee"],
    verify: Some(verify_call),
    ..OpDef::new("func.call", "Calls a function by symbol")
};

/// The func dialect.
pub static FUNC_DIALECT: Dialect = Dialect {
    ops: &[FUNC_OP, RETURN_OP, CALL_OP],
    ..Dialect::new("func", "Functions, calls and returns")
};

/// The `function_type` of a function-like op as (inputs, results).
pub fn signature(ctx: &Context, func: OpId) -> Option<(Vec<Type>, Vec<Type>)> {
    let (inputs, results) = signature_types(ctx, func)?;
    Some((inputs.to_vec(), results.to_vec()))
}

/// The `function_type` of a function-like op as (inputs, results), borrowed from the
/// context: for checks of one slot, which must not copy a signature of any length.
pub fn signature_types(ctx: &Context, func: OpId) -> Option<(&[Type], &[Type])> {
    let ty = ctx.as_type(ctx.attr(func, "function_type")?)?;
    ctx.function_signature(ty)
}

fn verify_func(ctx: &Context, op: OpId) -> Result<(), Diagnostic> {
    if ctx.symbol_name(op).is_none() {
        return Err(Diagnostic::error(
            "'func.func' requires a string attribute 'sym_name'",
        ));
    }
    let Some((inputs, results)) = signature(ctx, op) else {
        return Err(Diagnostic::error(
            "'func.func' requires a function type attribute 'function_type'",
        ));
    };
    for (key, count) in [("arg_attrs", inputs.len()), ("res_attrs", results.len())] {
        if let Some(attr) = ctx.attr(op, key) {
            match ctx.as_array(attr) {
                Some(items)
                    if items.len() == count
                        && items.iter().all(|&d| ctx.as_dictionary(d).is_some()) => {}
                _ => {
                    return Err(Diagnostic::error(format!(
                        "'{key}' must be an array of {count} dictionaries, one per {}",
                        if key == "arg_attrs" {
                            "argument"
                        } else {
                            "result"
                        }
                    )));
                }
            }
        }
    }
    let Some(body) = ctx.body_block(op) else {
        return Ok(()); // a declaration
    };
    let arg_types: Vec<Type> = ctx
        .block_args(body)
        .iter()
        .map(|&a| ctx.value_type(a))
        .collect();
    if arg_types != inputs {
        return Err(Diagnostic::error(format!(
            "entry block has {} argument(s) but the function type has {} input(s), or their types differ",
            arg_types.len(),
            inputs.len()
        )));
    }
    Ok(())
}

fn verify_return(ctx: &Context, op: OpId) -> Result<(), Diagnostic> {
    let Some(func) = ctx.parent_op(op) else {
        return Ok(());
    };
    if ctx.def(func).map(|d| d.name) != Some(FUNC_OP.name) {
        return Err(Diagnostic::error(
            "'func.return' expects parent op 'func.func'",
        ));
    }
    let Some((_, results)) = signature(ctx, func) else {
        return Ok(());
    };
    let operands: Vec<Type> = ctx
        .operands(op)
        .iter()
        .map(|&v| ctx.value_type(v))
        .collect();
    if operands.len() != results.len() {
        return Err(Diagnostic::error(format!(
            "'func.return' has {} operand(s), but the enclosing function returns {}",
            operands.len(),
            results.len()
        )));
    }
    for (i, (a, b)) in operands.iter().zip(&results).enumerate() {
        if a != b {
            return Err(Diagnostic::error(format!(
                "type of return operand {i} does not match the function result type"
            )));
        }
    }
    Ok(())
}

fn verify_call(ctx: &Context, op: OpId) -> Result<(), Diagnostic> {
    let Some(callee) = ctx.attr(op, "callee").and_then(|a| ctx.as_symbol_ref(a)) else {
        return Err(Diagnostic::error(
            "'func.call' requires a symbol reference attribute 'callee'",
        ));
    };
    let mut table = ctx.parent_op(op);
    while let Some(t) = table {
        if ctx.has_traits(t, Traits::SYMBOL_TABLE) {
            break;
        }
        table = ctx.parent_op(t);
    }
    let Some(table) = table else { return Ok(()) };
    let Some(func) = ctx.lookup_symbol(table, callee) else {
        return Err(Diagnostic::error(format!(
            "'{callee}' does not reference a valid function"
        )));
    };
    let Some((inputs, results)) = signature(ctx, func) else {
        return Ok(());
    };
    let operands: Vec<Type> = ctx
        .operands(op)
        .iter()
        .map(|&v| ctx.value_type(v))
        .collect();
    let result_types: Vec<Type> = ctx.results(op).iter().map(|&v| ctx.value_type(v)).collect();
    if operands != inputs || result_types != results {
        return Err(Diagnostic::error(format!(
            "call to '{callee}' does not match the callee's signature"
        )));
    }
    Ok(())
}
