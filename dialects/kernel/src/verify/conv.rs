//! The verifier of `kernel.conv`.

use super::{buffer, error, written_buffer};
use crate::attrs::{Conv, ConvPass};
use joinery_ir::{Context, DType, Diagnostic, OpId};

/// Verifies a `kernel.conv`: well-typed attributes ([`Conv::read`]); `input`, `weight` and
/// `output` of one rank from 3 to 5 with a `stride`, `padding` and `dilation` entry per
/// spatial dim; no `bias` on a backward-data pass; f32 buffer operands in
/// [`Conv::operand_shapes`]' order, each holding exactly the elements of its shape, no
/// results; the last
/// operand made by `kernel.alloc` and none of the others. Whether the sizes and
/// parameters make one convolution the runtime checks when it plans the step.
pub fn verify_conv(ctx: &Context, op: OpId) -> Result<(), Diagnostic> {
    let c = Conv::read(ctx, op)?;
    let rank = c.input.len();
    if !(3..=5).contains(&rank)
        || c.weight.len() != rank
        || c.output.len() != rank
        || [&c.stride, &c.padding, &c.dilation]
            .iter()
            .any(|v| v.len() != rank - 2)
    {
        return Err(error(
            ctx,
            op,
            format!(
                "'kernel.conv' needs input {:?}, weight {:?} and output {:?} of one rank from \
                 3 to 5 and a stride, padding and dilation per spatial dim",
                c.input, c.weight, c.output
            ),
        ));
    }
    if c.bias && c.pass == ConvPass::BackwardData {
        return Err(error(
            ctx,
            op,
            "'kernel.conv' of pass \"backward_data\" has no bias".into(),
        ));
    }
    let operands = ctx.operands(op);
    let shapes = c.operand_shapes();
    if operands.len() != shapes.len() || !ctx.results(op).is_empty() {
        return Err(error(
            ctx,
            op,
            format!(
                "'kernel.conv' of pass \"{}\" (bias {}) takes {} buffers and has no results",
                c.pass.keyword(),
                c.bias,
                shapes.len()
            ),
        ));
    }
    let last = operands.len() - 1;
    for (i, (&v, want)) in operands.iter().zip(&shapes).enumerate() {
        let what = format!("operand #{i}");
        let (shape, dt) = buffer(ctx, op, v, &what)?;
        let (have, need) = (shape.iter().product::<u64>(), want.iter().product::<u64>());
        if dt != DType::F32 || have != need {
            return Err(error(
                ctx,
                op,
                format!(
                    "{what} of 'kernel.conv' must be an f32 buffer of {need} elements \
                     ({want:?}), not {have} of {dt}"
                ),
            ));
        }
        if i == last {
            written_buffer(ctx, op, v, &what)?;
        } else if v == operands[last] {
            return Err(error(
                ctx,
                op,
                format!("'kernel.conv' writes operand #{last}, which it also reads"),
            ));
        }
    }
    Ok(())
}
