//! The verifier of `kernel.fft`.

use super::{error, src_and_out};
use crate::attrs::{Fft, FftKind};
use joinery_ir::{Context, DType, Diagnostic, OpId};

/// Verifies a `kernel.fft`: well-typed attributes ([`Fft::read`]); operands `src` and
/// `out` (made by `kernel.alloc`, another buffer), no results; both f32 or both f64;
/// `dims` distinct, inside `shape` and none of extent 0; `normalization` 0, 1 or 2; a c2r's
/// input holding at least `last_dim_size / 2 + 1` entries along the last dim; `src` and
/// `out` holding exactly the elements of `shape` and of the result's shape (twice as many
/// floats on a complex side).
pub fn verify_fft(ctx: &Context, op: OpId) -> Result<(), Diagnostic> {
    let x = Fft::read(ctx, op)?;
    let ((src_shape, src_dt), (out_shape, out_dt)) = src_and_out(ctx, op)?;
    if src_dt != out_dt || !matches!(src_dt, DType::F32 | DType::F64) {
        return Err(error(
            ctx,
            op,
            format!(
                "'kernel.fft' needs src and out both f32 or both f64, not {src_dt} and {out_dt}"
            ),
        ));
    }
    for (i, &d) in x.dims.iter().enumerate() {
        if x.shape.get(d as usize).is_none_or(|&n| n == 0) || x.dims[..i].contains(&d) {
            return Err(error(
                ctx,
                op,
                format!(
                    "'kernel.fft' dims {:?} must be distinct dims of shape {:?} with elements",
                    x.dims, x.shape
                ),
            ));
        }
    }
    let Some(&last) = x.dims.last() else {
        return Err(error(ctx, op, "'kernel.fft' needs at least one dim".into()));
    };
    if !(0..=2).contains(&x.normalization) {
        return Err(error(
            ctx,
            op,
            format!(
                "'kernel.fft' normalization must be 0, 1 or 2, not {}",
                x.normalization
            ),
        ));
    }
    if let FftKind::C2r { last_dim_size } = x.kind
        && x.shape[last as usize] < last_dim_size / 2 + 1
    {
        return Err(error(
            ctx,
            op,
            format!(
                "'kernel.fft' of {last_dim_size} real points needs {} complex entries along dim {last}",
                last_dim_size / 2 + 1
            ),
        ));
    }
    let (src_complex, out_complex) = x.complex_sides();
    let floats =
        |shape: &[u64], complex: bool| shape.iter().product::<u64>() * if complex { 2 } else { 1 };
    for (what, have, want) in [
        (
            "src",
            floats(&src_shape, false),
            floats(&x.shape, src_complex),
        ),
        (
            "out",
            floats(&out_shape, false),
            floats(&x.out_shape(), out_complex),
        ),
    ] {
        if have != want {
            return Err(error(
                ctx,
                op,
                format!("{what} of 'kernel.fft' holds {have} elements, the transform needs {want}"),
            ));
        }
    }
    Ok(())
}
