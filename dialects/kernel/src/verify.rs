//! The verifier of the `kernel` dialect. Checked, per op:
//!
//! - `kernel.alloc`: no operands, one statically shaped tensor result of a PyTorch dtype;
//!   `output` or `offset` (not both), non-negative.
//! - `kernel.fused`: every attribute present and well typed ([`Fused::read`]);
//!   `num_inputs` inputs plus one buffer per output kind; one map per buffer with one
//!   stride per dimension of `space`; every access inside its buffer; a body block with
//!   one scalar argument per input, of the input's element type, ending in `kernel.yield`
//!   of one scalar per output, of the output's element type. A row kernel: at least two
//!   `phases` splitting the inputs and outputs, `1 <= outer < rank`, one region per
//!   phase, each body checked against its share.
//! - `kernel.gemm`: three f32 buffers, well-typed attributes ([`Gemm::read`]), every
//!   element of `a`, `b` and `c` inside its buffer.
//! - `kernel.fill`: one buffer operand and a numeric `value`.
//! - scalar ops: the arity of [`ScalarOp`] and scalar (non-tensor) operands; `kernel.cmp`'s
//!   predicate, `kernel.index`'s dim and `kernel.const`'s value readable.

use crate::attrs::{Alloc, Fused, Gemm, Map, MatrixMap, index_dim, predicate, static_info, value};
use crate::ops::ScalarOp;
use joinery_ir::{Context, DType, Diagnostic, OpId, Value};

fn error(ctx: &Context, op: OpId, message: String) -> Diagnostic {
    Diagnostic::error(message).with_span(ctx.span(op))
}

fn buffer(ctx: &Context, op: OpId, v: Value, what: &str) -> Result<(Vec<u64>, DType), Diagnostic> {
    static_info(ctx, ctx.value_type(v)).ok_or_else(|| {
        error(
            ctx,
            op,
            format!(
                "{what} of '{}' must be a statically shaped tensor buffer",
                ctx.name_str(op)
            ),
        )
    })
}

/// The lowest and highest element index a map touches over `space` (empty space: none).
fn extent(map: &Map, space: &[u64]) -> Option<(i64, i64)> {
    if space.contains(&0) {
        return None;
    }
    let (mut lo, mut hi) = (map.offset, map.offset);
    for (&s, &d) in map.strides.iter().zip(space) {
        let reach = s * (d as i64 - 1);
        if reach < 0 {
            lo += reach;
        } else {
            hi += reach;
        }
    }
    Some((lo, hi))
}

fn check_inside(
    ctx: &Context,
    op: OpId,
    what: &str,
    range: Option<(i64, i64)>,
    elements: u64,
) -> Result<(), Diagnostic> {
    match range {
        Some((lo, hi)) if lo < 0 || hi >= elements as i64 => Err(error(
            ctx,
            op,
            format!("{what} reaches elements {lo}..={hi} of a buffer of {elements} elements"),
        )),
        _ => Ok(()),
    }
}

/// Verifies a `kernel.alloc`.
pub fn verify_alloc(ctx: &Context, op: OpId) -> Result<(), Diagnostic> {
    Alloc::read(ctx, op)?;
    if !ctx.operands(op).is_empty() || ctx.results(op).len() != 1 {
        return Err(error(
            ctx,
            op,
            "'kernel.alloc' takes no operands and has one result".into(),
        ));
    }
    buffer(ctx, op, ctx.result(op, 0), "the result")?;
    Ok(())
}

/// Verifies a `kernel.fill`.
pub fn verify_fill(ctx: &Context, op: OpId) -> Result<(), Diagnostic> {
    value(ctx, op)?;
    if ctx.operands(op).len() != 1 || !ctx.results(op).is_empty() {
        return Err(error(
            ctx,
            op,
            "'kernel.fill' takes one buffer and has no results".into(),
        ));
    }
    buffer(ctx, op, ctx.operand(op, 0), "the operand")?;
    Ok(())
}

/// Verifies a `kernel.gemm`.
pub fn verify_gemm(ctx: &Context, op: OpId) -> Result<(), Diagnostic> {
    let g = Gemm::read(ctx, op)?;
    if ctx.operands(op).len() != 3 || !ctx.results(op).is_empty() {
        return Err(error(
            ctx,
            op,
            "'kernel.gemm' takes buffers a, b, c and has no results".into(),
        ));
    }
    for (i, (name, map, rows, cols)) in [
        ("a", g.a, g.m, g.k),
        ("b", g.b, g.k, g.n),
        ("c", g.c, g.m, g.n),
    ]
    .into_iter()
    .enumerate()
    {
        let v = ctx.operand(op, i);
        let (shape, dt) = buffer(ctx, op, v, name)?;
        if dt != DType::F32 {
            return Err(error(
                ctx,
                op,
                format!("'kernel.gemm' operand {name} must be f32, not {dt}"),
            ));
        }
        let MatrixMap {
            offset,
            batch_stride,
            row_stride,
            col_stride,
        } = map;
        let as_map = Map {
            offset,
            strides: vec![batch_stride, row_stride, col_stride],
        };
        let range = extent(&as_map, &[g.batch, rows, cols]);
        check_inside(
            ctx,
            op,
            &format!("operand {name}"),
            range,
            shape.iter().product(),
        )?;
    }
    Ok(())
}

/// Verifies a `kernel.fused`.
pub fn verify_fused(ctx: &Context, op: OpId) -> Result<(), Diagnostic> {
    let k = Fused::read(ctx, op)?;
    let operands = ctx.operands(op);
    let outputs = k.out_kinds.len();
    if operands.len() != k.num_inputs + outputs {
        return Err(error(
            ctx,
            op,
            format!(
                "'kernel.fused' has {} operands, expected num_inputs ({}) + one per out kind ({outputs})",
                operands.len(),
                k.num_inputs
            ),
        ));
    }
    if k.in_maps.len() != k.num_inputs || k.out_maps.len() != outputs {
        return Err(error(
            ctx,
            op,
            format!(
                "'kernel.fused' needs one in_map per input ({}) and one out_map per output ({outputs}); it has {} and {}",
                k.num_inputs,
                k.in_maps.len(),
                k.out_maps.len()
            ),
        ));
    }
    let mut elems = Vec::with_capacity(operands.len());
    for (i, (&v, map)) in operands
        .iter()
        .zip(k.in_maps.iter().chain(&k.out_maps))
        .enumerate()
    {
        let what = if i < k.num_inputs {
            format!("input #{i}")
        } else {
            format!("output #{}", i - k.num_inputs)
        };
        let (shape, dt) = buffer(ctx, op, v, &what)?;
        if map.strides.len() != k.space.len() {
            return Err(error(
                ctx,
                op,
                format!(
                    "the map of {what} has {} strides for a {}-dimensional space",
                    map.strides.len(),
                    k.space.len()
                ),
            ));
        }
        check_inside(
            ctx,
            op,
            &what,
            extent(map, &k.space),
            shape.iter().product(),
        )?;
        elems.push(dt);
    }
    if !k.phases.is_empty() {
        let inputs: usize = k.phases.iter().map(|p| p.inputs).sum();
        let outs: usize = k.phases.iter().map(|p| p.outputs).sum();
        if k.phases.len() < 2 || inputs != k.num_inputs || outs != outputs {
            return Err(error(
                ctx,
                op,
                format!(
                    "'phases' must split the {} inputs and {outputs} outputs between at least \
                     two phases",
                    k.num_inputs
                ),
            ));
        }
        if k.outer == 0 || k.outer >= k.space.len() {
            return Err(error(
                ctx,
                op,
                format!(
                    "'outer' of a row kernel must leave both outer and inner dims: 1 <= {} < {}",
                    k.outer,
                    k.space.len()
                ),
            ));
        }
    } else if ctx.attr(op, "outer").is_some() {
        return Err(error(ctx, op, "'outer' without 'phases'".into()));
    }
    let ranges = k.phase_ranges();
    if ctx.regions(op).len() != ranges.len() {
        return Err(error(
            ctx,
            op,
            format!(
                "'kernel.fused' has {} regions, expected one per phase ({})",
                ctx.regions(op).len(),
                ranges.len()
            ),
        ));
    }
    for (&region, (ins, outs)) in ctx.regions(op).iter().zip(ranges) {
        let body = ctx
            .region_blocks(region)
            .first()
            .copied()
            .ok_or_else(|| error(ctx, op, "'kernel.fused' needs a body block".into()))?;
        let args = ctx.block_args(body);
        if args.len() != ins.len() {
            return Err(error(
                ctx,
                op,
                format!(
                    "the body takes {} scalars, expected one per input ({})",
                    args.len(),
                    ins.len()
                ),
            ));
        }
        for (&a, i) in args.iter().zip(ins) {
            if ctx.dtype_of(ctx.value_type(a)) != Some(elems[i]) {
                return Err(error(
                    ctx,
                    op,
                    format!("body argument #{i} must be a scalar {}", elems[i]),
                ));
            }
        }
        let terminator = ctx
            .block_ops(body)
            .last()
            .filter(|&t| ctx.name_str(t) == "kernel.yield")
            .ok_or_else(|| error(ctx, op, "the body must end in 'kernel.yield'".into()))?;
        let yielded = ctx.operands(terminator);
        if yielded.len() != outs.len() {
            return Err(error(
                ctx,
                terminator,
                format!(
                    "'kernel.yield' yields {} values, expected one per output ({})",
                    yielded.len(),
                    outs.len()
                ),
            ));
        }
        for (&y, j) in yielded.iter().zip(outs) {
            let want = elems[k.num_inputs + j];
            if ctx.dtype_of(ctx.value_type(y)) != Some(want) {
                return Err(error(
                    ctx,
                    terminator,
                    format!("yielded value #{j} must be a scalar {want}"),
                ));
            }
        }
    }
    Ok(())
}

/// Verifies a scalar op of a fused body.
pub fn verify_scalar(ctx: &Context, op: OpId) -> Result<(), Diagnostic> {
    let name = ctx.name_str(op);
    let want = match name {
        "kernel.const" => {
            value(ctx, op)?;
            0
        }
        "kernel.index" => {
            index_dim(ctx, op)?;
            0
        }
        "kernel.cast" => 1,
        "kernel.cmp" => {
            predicate(ctx, op)?;
            2
        }
        "kernel.select" => 3,
        other => ScalarOp::from_name(other).map_or(0, ScalarOp::arity),
    };
    if ctx.operands(op).len() != want || ctx.results(op).len() != 1 {
        return Err(error(
            ctx,
            op,
            format!("'{name}' takes {want} operands and has one result"),
        ));
    }
    for &v in ctx.operands(op).iter().chain(ctx.results(op)) {
        if ctx.dtype_of(ctx.value_type(v)).is_none() {
            return Err(error(
                ctx,
                op,
                format!("'{name}' works on scalars of a PyTorch dtype"),
            ));
        }
    }
    Ok(())
}
