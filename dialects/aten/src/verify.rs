//! The verifier every aten op shares. It checks, in order:
//! - the operands split into the schema's tensor arguments (counts, `operandSegmentSizes`);
//! - every operand is a tensor of a supported dtype;
//! - every attribute is a non-tensor schema argument (or a `dialect.*` attribute) of the
//!   right kind, and every required one is present;
//! - the op's inference rule accepts the arguments (shape and dtype constraints);
//! - the declared results match the inferred ones in number and type (a `Scalar` or
//!   `SymInt` result is a builtin number type, `i64`, `f32`, `i1`: the inferred rank-0
//!   tensor's element type);
//! - every operand the op writes (`Tensor(a!)`) is an `!aten.ref`, and so is a result that
//!   returns it.

use crate::OpSchema;
use crate::args::{TensorInfo, tensor_view};
use joinery_ir::{Context, Diagnostic, OpId};

/// Verifies one aten op against its schema and inference rule.
pub fn verify_op(ctx: &Context, op: OpId) -> Result<(), Diagnostic> {
    let name = ctx.name_str(op);
    let (schema, entry) = crate::lookup(name).map_err(Diagnostic::error)?;
    let inferred = crate::infer_existing(ctx, op, schema, entry).map_err(Diagnostic::error)?;
    verify_writes(ctx, op, schema)?;
    let results = ctx.results(op);
    if results.len() != inferred.len() {
        return Err(Diagnostic::error(format!(
            "{name}: expected {} result(s), but the op declares {}",
            inferred.len(),
            results.len()
        )));
    }
    for (i, (&r, want)) in results.iter().zip(&inferred).enumerate() {
        let ty = ctx.value_type(r);
        if schema.returns.get(i).is_some_and(|ret| ret.is_number) {
            if ctx.dtype_of(ty) != Some(want.dtype) || want.rank() != Some(0) {
                return Err(Diagnostic::error(format!(
                    "{name}: result #{i} is a number and must be declared {}",
                    want.dtype
                )));
            }
            continue;
        }
        let Some((shape, dtype)) = tensor_view(ctx, ty) else {
            return Err(Diagnostic::error(format!(
                "{name}: result #{i} must be a tensor, inferred {want}"
            )));
        };
        if !want.is_compatible_with(shape, dtype) {
            let got = TensorInfo {
                shape: shape.map(<[_]>::to_vec),
                dtype,
            };
            return Err(Diagnostic::error(format!(
                "{name}: result #{i} is declared {got} but inferred {want}"
            )));
        }
    }
    Ok(())
}

/// The operands an in-place op writes, and the results returning them, are references.
fn verify_writes(ctx: &Context, op: OpId, schema: &OpSchema) -> Result<(), Diagnostic> {
    let name = ctx.name_str(op);
    if !schema.is_mutating() {
        return Ok(());
    }
    let groups = crate::operand_groups(ctx, op).map_err(Diagnostic::error)?;
    for (arg, values) in groups {
        if !arg.alias.as_ref().is_some_and(|a| a.is_write) {
            continue;
        }
        for v in values {
            if !crate::refs::is_ref(ctx, ctx.value_type(v)) {
                return Err(Diagnostic::error(format!(
                    "{name} writes '{}', which must be a mutable reference !aten.ref<...>, \
                     not a tensor value",
                    arg.name
                )));
            }
        }
    }
    for (i, (ret, &r)) in schema.returns.iter().zip(ctx.results(op)).enumerate() {
        let writes = ret.alias.as_ref().is_some_and(|a| a.is_write);
        if writes && !crate::refs::is_ref(ctx, ctx.value_type(r)) {
            return Err(Diagnostic::error(format!(
                "{name}: result #{i} is the written operand itself and must be an !aten.ref<...>"
            )));
        }
    }
    Ok(())
}
