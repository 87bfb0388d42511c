//! A minimal `arith` dialect: MLIR's `arith.constant`, the one op that holds tensor
//! constants in joinery.
//!
//! A PyTorch joint graph gets constants from two places: tensors built in `forward`
//! (`torch.tensor([...])`, lifted to `get_attr` nodes) and Python numbers passed where a
//! schema wants a tensor (`1 - x` decomposes to `aten.sub.Tensor(1, x)`, which PyTorch
//! runs on a 0-d "wrapped number" tensor). Both are written as MLIR writes a tensor
//! constant, so upstream `mlir-opt` reads them as they are:
//!
//! ```mlir
//! %c = "arith.constant"() <{value = dense<[1.0, 2.0]> : tensor<2xf32>}> : () -> tensor<2xf32>
//! ```
//!
//! `value` is a `dense<...>` elements attribute whose type is the result type: a splat
//! (`dense<0.5>`), nested lists (`dense<[[1, 2], [3, 4]]>`), or, for large constants,
//! the raw little-endian bytes MLIR prints (`dense<"0x0000803F...">`, `i1` packed 8 to a
//! byte). The op is pure and constant-like; passes read its elements through
//! [`constant_elements`]. The custom form `mlir-opt` prints,
//! `%c = arith.constant dense<...> : tensor<2xf32>`, is read too; joinery prints the
//! generic form.

use joinery_ir::{
    AsmFormat, AttrData, Context, DenseScalar, Diagnostic, Dialect, OpDef, OpId, Traits, Type,
};

/// `arith.constant`: a tensor whose elements are the `value` attribute.
pub const CONSTANT_OP: OpDef = OpDef {
    traits: Traits::PURE.union(Traits::CONSTANT_LIKE),
    format: AsmFormat::Constant,
    inherent_attrs: &["value"],
    verify: Some(verify_constant),
    ..OpDef::new(
        "arith.constant",
        "A tensor constant given by a dense<...> literal",
    )
};

/// The arith dialect: only `arith.constant`.
pub static ARITH_DIALECT: Dialect = Dialect {
    ops: &[CONSTANT_OP],
    ..Dialect::new("arith", "Constants (MLIR's arith.constant on tensors)")
};

fn verify_constant(ctx: &Context, op: OpId) -> Result<(), Diagnostic> {
    let results = ctx.results(op);
    if !ctx.operands(op).is_empty() || results.len() != 1 {
        return Err(Diagnostic::error(
            "'arith.constant' takes no operands and has one result",
        ));
    }
    let result_ty = ctx.value_type(results[0]);
    let Some(value) = ctx.attr(op, "value") else {
        return Err(Diagnostic::error(
            "'arith.constant' requires attribute 'value' (a dense<...> literal)",
        ));
    };
    let AttrData::DenseElements { ty, .. } = ctx.attr_data(value) else {
        return Err(Diagnostic::error(
            "'arith.constant' attribute 'value' must be a dense<...> elements literal",
        ));
    };
    if *ty != result_ty {
        return Err(Diagnostic::error(
            "'arith.constant' result type must be the type of its 'value' literal",
        ));
    }
    if ctx.dense_elements(value).is_none() {
        return Err(Diagnostic::error(
            "'arith.constant' value does not hold one element per element of its type",
        ));
    }
    Ok(())
}

/// The result type and row-major elements of an `arith.constant` (splats and hex
/// expanded); `None` if `op` is not a well-formed constant.
pub fn constant_elements(ctx: &Context, op: OpId) -> Option<(Type, Vec<DenseScalar>)> {
    if ctx.name_str(op) != CONSTANT_OP.name {
        return None;
    }
    ctx.dense_elements(ctx.attr(op, "value")?)
}

/// Whether the `value` of an `arith.constant` is one value repeated (`dense<0.5>`, or
/// every element equal), and that value.
pub fn constant_splat(ctx: &Context, op: OpId) -> Option<DenseScalar> {
    let (_, elements) = constant_elements(ctx, op)?;
    let first = *elements.first()?;
    elements.iter().all(|&e| e == first).then_some(first)
}
