//! The verifier every aten op shares. It checks, in order:
//! - the operands split into the schema's tensor arguments (counts, `operandSegmentSizes`);
//! - every operand is a tensor of a supported dtype;
//! - every attribute is a non-tensor schema argument (or a `dialect.*` attribute) of the
//!   right kind, and every required one is present;
//! - the op's inference rule accepts the arguments (shape and dtype constraints);
//! - the declared results match the inferred ones in number and type.

use crate::args::TensorInfo;
use joinery_ir::{Context, Diagnostic, OpId};

/// Verifies one aten op against its schema and inference rule.
pub fn verify_op(ctx: &Context, op: OpId) -> Result<(), Diagnostic> {
    let name = ctx.name_str(op);
    let inferred = crate::infer_op(ctx, op).map_err(Diagnostic::error)?;
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
        let Some(got) = TensorInfo::from_type(ctx, ty) else {
            return Err(Diagnostic::error(format!(
                "{name}: result #{i} must be a tensor, inferred {want}"
            )));
        };
        if !want.is_compatible(&got) {
            return Err(Diagnostic::error(format!(
                "{name}: result #{i} is declared {got} but inferred {want}"
            )));
        }
    }
    Ok(())
}
