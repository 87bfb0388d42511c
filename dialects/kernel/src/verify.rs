//! The verifier of the `kernel` dialect: whatever it accepts, code generation and the
//! runtime handle (no input reaches an internal error). Checked, per op:
//!
//! - every buffer: a statically shaped tensor of a [`KERNEL_DTYPES`] element type, of at
//!   most `i64::MAX` bytes ([`checked_bytes`]); buffers an op writes are made by
//!   `kernel.alloc` (arguments are the caller's and are only read).
//! - `kernel.alloc`: no operands, one buffer result; `output` or `offset` (not both),
//!   non-negative; an `output = j` buffer is operand `j` of the function's return (the
//!   runtime hands that buffer back as result `j`); an `offset` is a multiple of the
//!   element size.
//! - `kernel.fused`: every attribute present and well typed ([`Fused::read`]); `name` a
//!   symbol ([`is_kernel_symbol`]); `num_inputs` inputs plus one buffer per output kind;
//!   one map per buffer with one stride per dimension of `space`; every access inside its
//!   buffer, in 64-bit index arithmetic; each output a distinct buffer that the kernel
//!   does not read (no in-place kernels); a stored output writes each element at most
//!   once (its map is injective over the space), an accumulated one at most once per
//!   point of the dims it does not reduce (so the runtime may split the outer loop);
//!   `sum`, `max` and `prod` outputs are not `i1`; one body block (isolated from above) with one
//!   scalar argument per input, of the input's element type, holding only scalar ops and
//!   ending in `kernel.yield` of one scalar per output, of the output's element type;
//!   `kernel.index` dims inside the space. A row kernel: at least two `phases` splitting
//!   the inputs and outputs, `1 <= outer < rank`, one region per phase, each body checked
//!   against its share; a later phase may read an earlier phase's output through the map
//!   it was written with (the only reading of an output allowed).
//! - `kernel.gemm`: three f32 buffers, well-typed attributes ([`Gemm::read`]), every
//!   element of `a`, `b` (through its patch dims, whose sizes divide `k` and `n`) and `c`
//!   inside its buffer; `c` is neither `a` nor `b` and each of
//!   its elements is written once.
//! - `kernel.gather`, `kernel.scatter`: well-typed attributes ([`Indexed::read`]);
//!   operands `src`, one i64 or i32 buffer per index, `out`, no results; one map, stride,
//!   bound and dim per index; every map with one stride per dim of `space`; `src` and
//!   `out` of one element type (not `i1` when accumulating); a `reduce` (sum, prod, max,
//!   min) only on an accumulating scatter; `out` made by `kernel.alloc`
//!   and none of the other operands; every index read inside its buffer, and every
//!   element an in-range index can reach inside the indexed buffer; a gather's `out_map`
//!   writes each element once.
//! - `kernel.cumsum`, `kernel.argsort`: well-typed attributes ([`Lanes::read`]); operands
//!   `src` and `out` (made by `kernel.alloc`, another buffer), no results; both maps
//!   with one stride per dim of `space`, inside their buffers, `out_map` (over the space
//!   with `k` per lane) writing each element once; a cumsum's buffers of one type, not
//!   `i1`; an argsort's `out` i64 and `k` at most the lane's length.
//! - `kernel.fft`: see [`verify_fft`].
//! - `kernel.conv`: see [`verify_conv`].
//! - `kernel.nonzero`: well-typed attributes ([`Nonzero::read`]); operands `src`, `out`
//!   and `count`, no results; `src_map` with one stride per dim of `space`, inside `src`;
//!   `out` an i64 buffer of one row of `rank(space)` indices per point of `space`,
//!   `count` a 0-d i64 buffer, both made by `kernel.alloc`, three distinct buffers.
//! - `kernel.rows`: a buffer of rank 1 or more and a 0-d i64 count; one result of the
//!   buffer's type with its leading extent dynamic (`?`), used only by the function's
//!   return (no kernel reads a buffer whose size it does not know).
//! - `kernel.fill`: one buffer operand and a numeric `value`.
//! - an integer `kernel.div` or `kernel.rem`: a string `site` (what a zero divisor's
//!   run-time error names).
//! - `kernel.yield`: directly inside a `kernel.fused`.
//! - scalar ops: directly inside a `kernel.fused` body, no regions; operands and result
//!   scalars of a [`KERNEL_DTYPES`] element type; [`ScalarOp`]s take their arity of one
//!   type and yield it, of a kind the op is defined on ([`ScalarOp::defined_on`]);
//!   `kernel.cmp` compares two operands of one type into `i1` by a readable predicate;
//!   `kernel.select` picks between two values of its result type by an `i1`;
//!   `kernel.index` yields `i64` of a readable dim; `kernel.const` has a readable value;
//!   `kernel.cast` converts one operand.

use crate::attrs::{
    Alloc, Fused, Gemm, Indexed, KERNEL_DTYPES, Lanes, Map, MatrixMap, Nonzero, checked_bytes,
    index_dim, is_checked_division, is_kernel_symbol, predicate, site, static_info, value,
};
use crate::ops::{OutKind, ScalarKind, ScalarOp};
use joinery_ir::{Context, DType, Diagnostic, OpId, Traits, Value};

mod conv;
mod fft;
pub use conv::verify_conv;
pub use fft::verify_fft;

fn error(ctx: &Context, op: OpId, message: String) -> Diagnostic {
    Diagnostic::error(message).with_span(ctx.span(op))
}

/// Shape and element type of a buffer operand or result; `what` names it in errors.
/// The operands of an op that reads `src` and writes `out` and has no results
/// (`kernel.cumsum`, `kernel.argsort`, `kernel.fft`): their buffers' shapes and dtypes,
/// `out` written and another buffer than `src`.
type SrcAndOut = ((Vec<u64>, DType), (Vec<u64>, DType));

/// Checks and reads the operands of a `src` → `out` op ([`SrcAndOut`]).
fn src_and_out(ctx: &Context, op: OpId) -> Result<SrcAndOut, Diagnostic> {
    let name = ctx.name_str(op);
    let operands = ctx.operands(op);
    if operands.len() != 2 || !ctx.results(op).is_empty() {
        return Err(error(
            ctx,
            op,
            format!("'{name}' takes src and out and has no results"),
        ));
    }
    let (src, out) = (operands[0], operands[1]);
    let src_buffer = buffer(ctx, op, src, "src")?;
    let out_buffer = buffer(ctx, op, out, "out")?;
    written_buffer(ctx, op, out, "out")?;
    if src == out {
        return Err(error(
            ctx,
            op,
            format!("'{name}' writes out, which must be another buffer than src"),
        ));
    }
    Ok((src_buffer, out_buffer))
}

fn buffer(ctx: &Context, op: OpId, v: Value, what: &str) -> Result<(Vec<u64>, DType), Diagnostic> {
    let name = ctx.name_str(op);
    let (shape, dt) = static_info(ctx, ctx.value_type(v)).ok_or_else(|| {
        error(
            ctx,
            op,
            format!("{what} of '{name}' must be a statically shaped tensor buffer"),
        )
    })?;
    if !KERNEL_DTYPES.contains(&dt) {
        return Err(error(
            ctx,
            op,
            format!(
                "{what} of '{name}' has element type {dt}; kernels handle f32, f64, i64, i32 and i1"
            ),
        ));
    }
    if checked_bytes(&shape, dt).is_none() {
        return Err(error(
            ctx,
            op,
            format!("{what} of '{name}' is too large (more than 2^63 bytes)"),
        ));
    }
    Ok((shape, dt))
}

/// A buffer an op writes: made by `kernel.alloc`, not a caller's argument.
fn written_buffer(ctx: &Context, op: OpId, v: Value, what: &str) -> Result<(), Diagnostic> {
    let made = ctx
        .defining_op(v)
        .is_some_and(|d| ctx.name_str(d) == "kernel.alloc");
    if made {
        Ok(())
    } else {
        Err(error(
            ctx,
            op,
            format!(
                "{what} of '{}' is written, so it must be a buffer made by 'kernel.alloc' (arguments are only read)",
                ctx.name_str(op)
            ),
        ))
    }
}

/// The lowest and highest element index a map touches over `space`: `Ok(None)` for an
/// empty space, `Err(())` when the index arithmetic overflows 64 bits.
fn extent(map: &Map, space: &[u64]) -> Result<Option<(i64, i64)>, ()> {
    if space.contains(&0) {
        return Ok(None);
    }
    let (mut lo, mut hi) = (map.offset, map.offset);
    for (&s, &d) in map.strides.iter().zip(space) {
        let last = i64::try_from(d - 1).map_err(drop)?;
        let reach = s.checked_mul(last).ok_or(())?;
        if reach < 0 {
            lo = lo.checked_add(reach).ok_or(())?;
        } else {
            hi = hi.checked_add(reach).ok_or(())?;
        }
    }
    Ok(Some((lo, hi)))
}

/// Checks that `map` over `space` stays inside a buffer of `elements` elements.
fn check_inside(
    ctx: &Context,
    op: OpId,
    what: &str,
    map: &Map,
    space: &[u64],
    elements: u64,
) -> Result<(), Diagnostic> {
    match extent(map, space) {
        Err(()) => Err(error(
            ctx,
            op,
            format!("the map of {what} overflows 64-bit index arithmetic"),
        )),
        Ok(Some((lo, hi))) if lo < 0 || hi as u64 >= elements => Err(error(
            ctx,
            op,
            format!("{what} reaches elements {lo}..={hi} of a buffer of {elements} elements"),
        )),
        Ok(_) => Ok(()),
    }
}

/// Whether distinct points of `space` that differ in dims of non-zero stride reach
/// distinct elements. Sufficient test (exact for the layouts lowering makes): sorted by
/// stride, every stride exceeds the reach of the smaller ones.
fn injective(strides: &[i64], space: &[u64]) -> bool {
    if space.contains(&0) {
        return true; // an empty space sends no point anywhere
    }
    let mut dims: Vec<(u64, u64)> = strides
        .iter()
        .zip(space)
        .filter(|&(&s, &d)| s != 0 && d > 1)
        .map(|(&s, &d)| (s.unsigned_abs(), d))
        .collect();
    dims.sort_unstable();
    let mut reach = 0u64;
    for (s, d) in dims {
        if s <= reach {
            return false;
        }
        reach = reach.saturating_add(s.saturating_mul(d - 1));
    }
    true
}

/// The first dim of extent above 1 that `strides` gives stride 0, if any; none in an
/// empty space, which writes no element.
fn broadcast_dim(strides: &[i64], space: &[u64]) -> Option<usize> {
    if space.contains(&0) {
        return None;
    }
    strides
        .iter()
        .zip(space)
        .position(|(&s, &d)| s == 0 && d > 1)
}

/// Verifies a `kernel.alloc`.
pub fn verify_alloc(ctx: &Context, op: OpId) -> Result<(), Diagnostic> {
    let place = Alloc::read(ctx, op)?;
    if !ctx.operands(op).is_empty() || ctx.results(op).len() != 1 {
        return Err(error(
            ctx,
            op,
            "'kernel.alloc' takes no operands and has one result".into(),
        ));
    }
    let v = ctx.result(op, 0);
    let (_, dt) = buffer(ctx, op, v, "the result")?;
    match place {
        Alloc::Output(j) => {
            let returned = ctx
                .parent_block(op)
                .and_then(|b| ctx.last_op(b))
                .filter(|&t| ctx.has_traits(t, Traits::RETURN_LIKE))
                .and_then(|t| ctx.operands(t).get(j).copied());
            // A value with a run-time row count returns its buffer through `kernel.rows`.
            let returned = returned.map(|r| {
                ctx.defining_op(r)
                    .filter(|&d| ctx.name_str(d) == "kernel.rows")
                    .and_then(|d| ctx.operands(d).first().copied())
                    .unwrap_or(r)
            });
            if returned != Some(v) {
                return Err(error(
                    ctx,
                    op,
                    format!(
                        "'kernel.alloc' with output = {j} must be result #{j} of the function's return"
                    ),
                ));
            }
        }
        Alloc::Arena(offset) if offset % dt.size_bytes() as u64 != 0 => {
            return Err(error(
                ctx,
                op,
                format!(
                    "'kernel.alloc' offset {offset} is not a multiple of the {dt} element size ({} bytes)",
                    dt.size_bytes()
                ),
            ));
        }
        _ => {}
    }
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
    written_buffer(ctx, op, ctx.operand(op, 0), "the operand")
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
        let what = format!("operand {name}");
        let (shape, dt) = buffer(ctx, op, v, &what)?;
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
        let strides = vec![batch_stride, row_stride, col_stride];
        let (as_map, space) = (Map { offset, strides }, vec![g.batch, rows, cols]);
        check_inside(ctx, op, &what, &as_map, &space, shape.iter().product())?;
        if name == "c" {
            written_buffer(ctx, op, v, &what)?;
            if v == ctx.operand(op, 0) || v == ctx.operand(op, 1) {
                return Err(error(
                    ctx,
                    op,
                    "'kernel.gemm' writes c, which must be another buffer than a and b".into(),
                ));
            }
            if broadcast_dim(&as_map.strides, &space).is_some()
                || !injective(&as_map.strides, &space)
            {
                return Err(error(
                    ctx,
                    op,
                    "'kernel.gemm' c_map writes some element of c more than once".into(),
                ));
            }
        }
    }
    Ok(())
}

/// Verifies a `kernel.gather` or `kernel.scatter`.
pub fn verify_indexed(ctx: &Context, op: OpId) -> Result<(), Diagnostic> {
    let name = ctx.name_str(op);
    let scatter = name == "kernel.scatter";
    let x = Indexed::read(ctx, op)?;
    let k = x.index_maps.len();
    let operands = ctx.operands(op);
    if operands.len() != k + 2 || !ctx.results(op).is_empty() {
        return Err(error(
            ctx,
            op,
            format!(
                "'{name}' takes src, one buffer per index map ({k}) and out, and has no results"
            ),
        ));
    }
    if x.index_strides.len() != k || x.bounds.len() != k || x.dims.len() != k {
        return Err(error(
            ctx,
            op,
            format!("'{name}' needs one index stride, bound and dim per index map ({k})"),
        ));
    }
    let rank = x.space.len();
    if [&x.src_map, &x.out_map]
        .into_iter()
        .chain(&x.index_maps)
        .any(|m| m.strides.len() != rank)
    {
        return Err(error(
            ctx,
            op,
            format!("every map of '{name}' needs one stride per dim of its space ({rank})"),
        ));
    }
    let (src, out) = (operands[0], operands[k + 1]);
    let (src_shape, src_dt) = buffer(ctx, op, src, "src")?;
    let (out_shape, out_dt) = buffer(ctx, op, out, "out")?;
    if src_dt != out_dt {
        return Err(error(
            ctx,
            op,
            format!("'{name}' moves {src_dt} elements into an {out_dt} buffer"),
        ));
    }
    if x.accumulate && out_dt == DType::Bool {
        return Err(error(
            ctx,
            op,
            format!("'{name}' cannot accumulate i1 elements"),
        ));
    }
    written_buffer(ctx, op, out, "out")?;
    if operands[..=k].contains(&out) {
        return Err(error(
            ctx,
            op,
            format!("'{name}' writes out, which must be another buffer than its other operands"),
        ));
    }
    for (j, map) in x.index_maps.iter().enumerate() {
        let what = format!("index {j}");
        let (shape, dt) = buffer(ctx, op, operands[1 + j], &what)?;
        if !matches!(dt, DType::I64 | DType::I32) {
            return Err(error(
                ctx,
                op,
                format!("index {j} of '{name}' must be an i64 or i32 buffer, not {dt}"),
            ));
        }
        check_inside(ctx, op, &what, map, &x.space, shape.iter().product())?;
    }
    let (reach, reach_space) = x.indexed_reach(scatter);
    let (direct, direct_space, direct_shape) = if scatter {
        (&x.src_map, &x.space, &src_shape)
    } else {
        (&x.out_map, &x.space, &out_shape)
    };
    let (indexed_what, indexed_shape) = if scatter {
        ("out", &out_shape)
    } else {
        ("src", &src_shape)
    };
    check_inside(
        ctx,
        op,
        indexed_what,
        &reach,
        &reach_space,
        indexed_shape.iter().product(),
    )?;
    let direct_what = if scatter { "src" } else { "out" };
    check_inside(
        ctx,
        op,
        direct_what,
        direct,
        direct_space,
        direct_shape.iter().product(),
    )?;
    if !scatter
        && (broadcast_dim(&x.out_map.strides, &x.space).is_some()
            || !injective(&x.out_map.strides, &x.space))
    {
        return Err(error(
            ctx,
            op,
            format!("'{name}' out_map writes some element of out more than once"),
        ));
    }
    Ok(())
}

/// Verifies a `kernel.cumsum` or `kernel.argsort`.
pub fn verify_lanes(ctx: &Context, op: OpId) -> Result<(), Diagnostic> {
    let name = ctx.name_str(op);
    let x = Lanes::read(ctx, op)?;
    let ((src_shape, src_dt), (out_shape, out_dt)) = src_and_out(ctx, op)?;
    let rank = x.space.len();
    if x.src_map.strides.len() != rank || x.out_map.strides.len() != rank {
        return Err(error(
            ctx,
            op,
            format!("every map of '{name}' needs one stride per dim of its space ({rank})"),
        ));
    }
    if name == "kernel.argsort" {
        if out_dt != DType::I64 {
            return Err(error(
                ctx,
                op,
                format!("'{name}' writes i64 positions, not {out_dt}"),
            ));
        }
        if x.k > x.space[rank - 1] {
            return Err(error(
                ctx,
                op,
                format!(
                    "'{name}' k = {} exceeds the lane's {} elements",
                    x.k,
                    x.space[rank - 1]
                ),
            ));
        }
    } else if src_dt != out_dt || src_dt == DType::Bool {
        return Err(error(
            ctx,
            op,
            format!(
                "'{name}' needs src and out of one type other than i1, not {src_dt} and {out_dt}"
            ),
        ));
    }
    check_inside(
        ctx,
        op,
        "src",
        &x.src_map,
        &x.space,
        src_shape.iter().product(),
    )?;
    let out_space = x.out_space();
    check_inside(
        ctx,
        op,
        "out",
        &x.out_map,
        &out_space,
        out_shape.iter().product(),
    )?;
    if broadcast_dim(&x.out_map.strides, &out_space).is_some()
        || !injective(&x.out_map.strides, &out_space)
    {
        return Err(error(
            ctx,
            op,
            format!("'{name}' out_map writes some element of out more than once"),
        ));
    }
    Ok(())
}

/// Verifies a `kernel.fused`.
pub fn verify_fused(ctx: &Context, op: OpId) -> Result<(), Diagnostic> {
    let k = Fused::read(ctx, op)?;
    if !is_kernel_symbol(&k.name) {
        return Err(error(
            ctx,
            op,
            format!(
                "'kernel.fused' name \"{}\" is not a symbol (letters, digits, '_' and '$', not starting with a digit)",
                k.name.escape_default()
            ),
        ));
    }
    let operands = ctx.operands(op);
    let outputs = k.out_kinds.len();
    if operands.len() != k.num_inputs.saturating_add(outputs) || !ctx.results(op).is_empty() {
        return Err(error(
            ctx,
            op,
            format!(
                "'kernel.fused' has {} operands, expected num_inputs ({}) + one per out kind ({outputs}), and no results",
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
        check_inside(ctx, op, &what, map, &k.space, shape.iter().product())?;
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
    // The phase of input `i` and of output `j` (one phase when there are no phases).
    let phase_of_input = |i: usize| ranges.iter().position(|(ins, _)| ins.contains(&i));
    let phase_of_output = |j: usize| ranges.iter().position(|(_, outs)| outs.contains(&j));
    for (j, (map, &kind)) in k.out_maps.iter().zip(&k.out_kinds).enumerate() {
        let v = operands[k.num_inputs + j];
        let what = format!("output #{j}");
        written_buffer(ctx, op, v, &what)?;
        // Only a later phase of a row kernel may read what an earlier phase wrote, and
        // only through the map it was written with.
        for i in (0..k.num_inputs).filter(|&i| operands[i] == v) {
            let later_phase = matches!(
                (phase_of_output(j), phase_of_input(i)),
                (Some(w), Some(r)) if r > w
            );
            if !later_phase || k.in_maps[i] != *map {
                return Err(error(
                    ctx,
                    op,
                    format!(
                        "{what} of 'kernel.fused' is also its input #{i}; kernels do not write in place"
                    ),
                ));
            }
        }
        if operands[k.num_inputs..k.num_inputs + j].contains(&v) {
            return Err(error(
                ctx,
                op,
                format!("{what} of 'kernel.fused' is the buffer of an earlier output"),
            ));
        }
        if kind == OutKind::Store
            && let Some(d) = broadcast_dim(&map.strides, &k.space)
        {
            return Err(error(
                ctx,
                op,
                format!(
                    "stored {what} has stride 0 along dim {d} of the space: it would write its elements {} times (only \"sum\" and \"max\" outputs reduce)",
                    k.space[d]
                ),
            ));
        }
        if !injective(&map.strides, &k.space) {
            return Err(error(
                ctx,
                op,
                format!("the map of {what} sends different points of the space to one element"),
            ));
        }
        let dt = elems[k.num_inputs + j];
        if kind != OutKind::Store && dt == DType::Bool {
            return Err(error(
                ctx,
                op,
                format!(
                    "{what} accumulates (\"{}\") into i1, which has no sum, max or product",
                    kind.text()
                ),
            ));
        }
    }
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
        let body = match ctx.region_blocks(region) {
            [b] => *b,
            _ => {
                return Err(error(
                    ctx,
                    op,
                    "'kernel.fused' needs one body block per region".into(),
                ));
            }
        };
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
            .last_op(body)
            .filter(|&t| ctx.name_str(t) == "kernel.yield")
            .ok_or_else(|| error(ctx, op, "the body must end in 'kernel.yield'".into()))?;
        for sop in ctx.block_ops(body) {
            if sop == terminator {
                continue;
            }
            let name = ctx.name_str(sop);
            if !is_scalar_op(name) {
                return Err(error(
                    ctx,
                    sop,
                    format!("'kernel.fused' bodies hold only scalar kernel ops, not '{name}'"),
                ));
            }
            if name == "kernel.index" {
                let d = index_dim(ctx, sop)?;
                if d >= k.space.len() {
                    return Err(error(
                        ctx,
                        sop,
                        format!(
                            "'kernel.index' of dim {d} in a kernel over a {}-dimensional space",
                            k.space.len()
                        ),
                    ));
                }
            }
        }
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

/// Whether `name` is a scalar op of fused bodies.
fn is_scalar_op(name: &str) -> bool {
    matches!(
        name,
        "kernel.const" | "kernel.index" | "kernel.cast" | "kernel.cmp" | "kernel.select"
    ) || ScalarOp::from_name(name).is_some()
}

/// Verifies a `kernel.yield`.
pub fn verify_yield(ctx: &Context, op: OpId) -> Result<(), Diagnostic> {
    match ctx.parent_op(op) {
        Some(p) if ctx.name_str(p) == "kernel.fused" => Ok(()),
        _ => Err(error(
            ctx,
            op,
            "'kernel.yield' ends a 'kernel.fused' body and may appear nowhere else".into(),
        )),
    }
}

/// Verifies a scalar op of a fused body.
pub fn verify_scalar(ctx: &Context, op: OpId) -> Result<(), Diagnostic> {
    let name = ctx.name_str(op);
    if ctx
        .parent_op(op)
        .is_none_or(|p| ctx.name_str(p) != "kernel.fused")
    {
        return Err(error(
            ctx,
            op,
            format!("'{name}' may appear only in a 'kernel.fused' body"),
        ));
    }
    let scalar = ScalarOp::from_name(name);
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
        _ => scalar.map_or(0, ScalarOp::arity),
    };
    if ctx.operands(op).len() != want || ctx.results(op).len() != 1 {
        return Err(error(
            ctx,
            op,
            format!("'{name}' takes {want} operands and has one result"),
        ));
    }
    if !ctx.regions(op).is_empty() {
        return Err(error(ctx, op, format!("'{name}' has no regions")));
    }
    let mut types = Vec::with_capacity(want + 1);
    for &v in ctx.operands(op).iter().chain(ctx.results(op)) {
        match ctx.dtype_of(ctx.value_type(v)) {
            Some(dt) if KERNEL_DTYPES.contains(&dt) => types.push(dt),
            _ => {
                return Err(error(
                    ctx,
                    op,
                    format!("'{name}' works on scalars of f32, f64, i64, i32 or i1"),
                ));
            }
        }
    }
    let result = types[want];
    let operands = &types[..want];
    let mismatch = |what: &str| Err(error(ctx, op, format!("'{name}' {what}")));
    match name {
        "kernel.index" if result != DType::I64 => mismatch("yields an i64"),
        "kernel.cmp" if operands[0] != operands[1] => mismatch("compares two operands of one type"),
        "kernel.cmp" if result != DType::Bool => mismatch("yields an i1"),
        "kernel.select" if operands[0] != DType::Bool => mismatch("selects by an i1 condition"),
        "kernel.select" if operands[1] != result || operands[2] != result => {
            mismatch("selects between two values of its result type")
        }
        _ => match scalar {
            Some(_) if operands.iter().any(|&t| t != result) => {
                mismatch("takes operands of its result type")
            }
            Some(s) if !s.defined_on(ScalarKind::of(result)) => {
                mismatch(&format!("is not defined on {result}"))
            }
            _ if is_checked_division(ctx, op) => site(ctx, op).map(|_| ()),
            _ => Ok(()),
        },
    }
}

/// Verifies a `kernel.nonzero`.
pub fn verify_nonzero(ctx: &Context, op: OpId) -> Result<(), Diagnostic> {
    let x = Nonzero::read(ctx, op)?;
    let operands = ctx.operands(op);
    if operands.len() != 3 || !ctx.results(op).is_empty() {
        return Err(error(
            ctx,
            op,
            "'kernel.nonzero' takes src, out and count and has no results".into(),
        ));
    }
    let (src, out, count) = (operands[0], operands[1], operands[2]);
    if src == out || src == count || out == count {
        return Err(error(
            ctx,
            op,
            "'kernel.nonzero' needs three distinct buffers src, out and count".into(),
        ));
    }
    let (src_shape, _) = buffer(ctx, op, src, "src")?;
    if x.src_map.strides.len() != x.space.len() {
        return Err(error(
            ctx,
            op,
            format!(
                "the src_map of 'kernel.nonzero' needs one stride per dim of its space ({})",
                x.space.len()
            ),
        ));
    }
    check_inside(
        ctx,
        op,
        "src",
        &x.src_map,
        &x.space,
        src_shape.iter().product(),
    )?;
    let want = x
        .out_shape()
        .ok_or_else(|| error(ctx, op, "the space of 'kernel.nonzero' overflows".into()))?;
    for (v, what, shape) in [(out, "out", want), (count, "count", Vec::new())] {
        let got = buffer(ctx, op, v, what)?;
        if got != (shape.clone(), DType::I64) {
            return Err(error(
                ctx,
                op,
                format!(
                    "{what} of 'kernel.nonzero' must be an i64 buffer of shape {shape:?}, not {:?} of {}",
                    got.0, got.1
                ),
            ));
        }
        written_buffer(ctx, op, v, what)?;
    }
    Ok(())
}

/// Verifies a `kernel.rows`.
pub fn verify_rows(ctx: &Context, op: OpId) -> Result<(), Diagnostic> {
    let fail = |m: &str| Err(error(ctx, op, format!("'kernel.rows' {m}")));
    if ctx.operands(op).len() != 2 || ctx.results(op).len() != 1 {
        return fail("takes a buffer and a count and has one result");
    }
    let (shape, dt) = buffer(ctx, op, ctx.operand(op, 0), "the buffer")?;
    if buffer(ctx, op, ctx.operand(op, 1), "the count")? != (Vec::new(), DType::I64) {
        return fail("needs a 0-d i64 count");
    }
    let r = ctx.result(op, 0);
    let expected = ctx
        .tensor_parts(ctx.value_type(r))
        .and_then(|(dims, element)| {
            let (first, rest) = dims.split_first()?;
            let same_rest = rest.len() + 1 == shape.len()
                && rest
                    .iter()
                    .zip(&shape[1..])
                    .all(|(d, &n)| *d == joinery_ir::Dim::Static(n));
            (*first == joinery_ir::Dim::Dynamic && same_rest && ctx.dtype_of(element) == Some(dt))
                .then_some(())
        });
    if shape.is_empty() || expected.is_none() {
        return fail("yields the buffer's type with a dynamic leading extent (rank 1 or more)");
    }
    let returned_only = ctx
        .uses(r)
        .iter()
        .all(|u| ctx.has_traits(u.op, Traits::RETURN_LIKE));
    if !returned_only {
        return fail(
            "has a run-time extent, so only the function's return may use it (no kernel \
             reads a buffer whose size it does not know)",
        );
    }
    Ok(())
}
