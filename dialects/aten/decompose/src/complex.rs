//! `aten-complex-to-real`: complex tensors as real tensors of (real, imaginary) pairs.
//!
//! A value `z : tensor<S x complex<fT>>` gets a *pair form* `Z : tensor<S x 2 x fT>`, the
//! layout of `view_as_real(z)`: `Z[..., 0]` is the real part, `Z[..., 1]` the imaginary
//! part. Each op of [`REWRITES`] on complex tensors is rebuilt from real aten ops on the
//! pair forms of its operands; a real operand of such an op is the pair `(x, 0)`, as
//! PyTorch's type promotion makes it `x + 0i` before a complex kernel runs. Scalars are
//! real (the catalogue's `Scalar` attributes hold no complex numbers).
//!
//! Where a complex value must stay complex — an op the table does not know (the FFT ops,
//! `func.return`, anything else) — its operand is `view_as_complex(Z)` and its complex
//! result gets the pair form `view_as_real(result)`; function arguments get theirs at the
//! top of the body. Both views are free in the native backend, whose kernels already see a
//! complex buffer as its pairs. An op the table does not know thus keeps its complex
//! tensors, and the native backend's lowering names it as unsupported.

use crate::emit::{Emitter, Refusal};
use joinery_aten::{ArgValue, DType, TensorInfo, attr_or_default};
use joinery_ir::{
    Attribute, Builder, Context, Diagnostic, Dim, InsertPoint, OpId, Value, ValueDef,
};
use joinery_pass::{Pass, PassInfo, PassOptions, PassRegistry, PassResult, PassState};
use std::collections::{HashMap, HashSet};

/// The declaration of `aten-complex-to-real`.
pub static COMPLEX_TO_REAL: PassInfo = PassInfo {
    name: "aten-complex-to-real",
    title: "AtenComplexToReal",
    summary: "Rewrite aten ops on complex tensors into real aten ops on (real, imaginary) pairs",
    description: "Gives every complex tensor tensor<S x complex<fT>> a pair form \
        tensor<S x 2 x fT> (view_as_real's layout) and rewrites the ops on complex tensors \
        into real aten ops on the pair forms: add, sub and neg pairwise; mul as \
        (ac - bd, ad + bc); div by Smith's algorithm as c10::complex divides (a zero \
        divisor gives PyTorch's inf or nan); abs as a scaled hypot; sgn as z / |z| and 0 at 0; \
        _conj negates the imaginary part; real and imag select a part; complex stacks the \
        broadcast parts; sum and mean (all dims or some) reduce the same dims of the pair \
        form; where broadcasts its condition over the pair; the layout ops (view, reshape, \
        _unsafe_view, expand, permute, transpose, t, squeeze, unsqueeze, slice, select, cat, \
        stack, clone, copy, alias, slice_scatter, select_scatter, slice_backward, \
        select_backward) act on the leading dims; the factories (full, zeros_like, \
        full_like, empty_like, new_zeros, new_empty_strided) fill the real part \
        and zero the imaginary part. A real operand of a complex op is the pair (x, 0), a \
        Scalar the pair (s, 0), as PyTorch promotes them.\n\
        Needs: verified aten ops. Guarantees: the only ops left on complex tensors are those \
        outside the table (the FFT ops among them), which read view_as_complex of a pair \
        form and whose complex results are read through view_as_real; function signatures \
        keep their complex types (view_as_real of an argument, view_as_complex of a result). \
        Known gaps: matrix products, comparisons and the other ops on complex tensors are \
        left complex (the native backend reports them); Scalars are real (the catalogue's \
        Scalar attributes hold no complex numbers).",
    anchor: Some("func.func"),
    options: &[],
    statistics: &[
        (
            "rewritten",
            "Ops on complex tensors rewritten into real ops",
        ),
        (
            "kept",
            "aten ops on complex tensors left complex (outside the table)",
        ),
    ],
    constructor: |_: &PassOptions| Box::new(ComplexToReal),
};

/// The `aten-complex-to-real` pass.
pub struct ComplexToReal;

impl Pass for ComplexToReal {
    fn run(&mut self, ctx: &mut Context, op: OpId, state: &mut PassState) -> PassResult {
        complex_to_real(ctx, op, state)
    }
}

/// Registers `aten-complex-to-real`.
pub fn register_passes(registry: &mut PassRegistry) {
    registry.register(&COMPLEX_TO_REAL);
}

/// How an attribute of a layout op changes when its tensors gain the trailing pair dim.
#[derive(Clone, Copy, Debug)]
pub enum Adjust {
    /// A dim: a negative one counts from the end of the complex tensor, so it is made
    /// non-negative (positive dims stay: the pair dim is last).
    Dim,
    /// A list of dims, each as [`Adjust::Dim`].
    Dims,
    /// A permutation: its dims made non-negative, then the pair dim last.
    Permutation,
    /// A size: the pair's 2 appended.
    Size,
}

/// How one op on complex tensors becomes real ops on pair forms.
#[derive(Clone, Copy)]
pub enum Form {
    /// The same op on the pair forms of its operands, these attributes adjusted.
    Layout(&'static [(&'static str, Adjust)]),
    /// A factory: the same op made real (its complex operands, read for their shape, as
    /// their real parts; a complex `dtype` as its real type) is the real part of a pair
    /// whose imaginary part is zero.
    Factory,
    /// A rule building one value per result: the pair form of a complex result, the value
    /// of a real one.
    Rule(fn(&mut Emitter, &Pairs, OpId) -> Result<Vec<Value>, Refusal>),
}

/// One row of [`REWRITES`]: the op and its real form.
pub struct Rewrite {
    /// The IR name of the op (`aten.mul.Tensor`).
    pub op: &'static str,
    pub form: Form,
}

const fn row(op: &'static str, form: Form) -> Rewrite {
    Rewrite { op, form }
}

const DIM: &[(&str, Adjust)] = &[("dim", Adjust::Dim)];
const SIZE: &[(&str, Adjust)] = &[("size", Adjust::Size)];

/// Every op the pass rewrites. A row's law is the doc comment of its rule, or for a
/// layout or factory row: `op(z) ==> op(Z)` on the leading dims, `f(complex) ==> (f(real), 0)`.
pub static REWRITES: &[Rewrite] = &[
    row("aten.view_as_real", Form::Rule(view_as_real)),
    row("aten.view_as_complex", Form::Rule(view_as_complex)),
    row("aten.real", Form::Rule(real)),
    row("aten.imag", Form::Rule(imag)),
    row("aten.complex", Form::Rule(complex)),
    row("aten._conj", Form::Rule(conj)),
    row("aten.abs", Form::Rule(abs)),
    row("aten.sgn", Form::Rule(sgn)),
    row("aten.neg", Form::Layout(&[])),
    row("aten.add.Tensor", Form::Layout(&[])),
    row("aten.sub.Tensor", Form::Layout(&[])),
    row("aten.add.Scalar", Form::Rule(real_part_scalar)),
    row("aten.sub.Scalar", Form::Rule(real_part_scalar)),
    row("aten.mul.Tensor", Form::Rule(mul)),
    row("aten.mul.Scalar", Form::Rule(mul)),
    row("aten.div.Tensor", Form::Rule(div)),
    row("aten.div.Scalar", Form::Rule(div)),
    row("aten.where.self", Form::Rule(where_self)),
    row("aten.sum", Form::Rule(reduce)),
    row("aten.sum.dim_IntList", Form::Rule(reduce)),
    row("aten.mean", Form::Rule(reduce)),
    row("aten.mean.dim", Form::Rule(reduce)),
    row("aten.clone", Form::Layout(&[])),
    row("aten.copy", Form::Layout(&[])),
    row("aten.alias", Form::Layout(&[])),
    row("aten.view", Form::Layout(SIZE)),
    row("aten._unsafe_view", Form::Layout(SIZE)),
    row("aten.reshape", Form::Layout(&[("shape", Adjust::Size)])),
    row("aten.expand", Form::Layout(SIZE)),
    row("aten.t", Form::Rule(t)),
    row(
        "aten.transpose.int",
        Form::Layout(&[("dim0", Adjust::Dim), ("dim1", Adjust::Dim)]),
    ),
    row(
        "aten.permute",
        Form::Layout(&[("dims", Adjust::Permutation)]),
    ),
    row("aten.squeeze", Form::Layout(&[])),
    row("aten.squeeze.dim", Form::Layout(DIM)),
    row("aten.squeeze.dims", Form::Layout(&[("dim", Adjust::Dims)])),
    row("aten.unsqueeze", Form::Layout(DIM)),
    row("aten.slice.Tensor", Form::Layout(DIM)),
    row("aten.select.int", Form::Layout(DIM)),
    row("aten.cat", Form::Layout(DIM)),
    row("aten.stack", Form::Layout(DIM)),
    row("aten.slice_scatter", Form::Layout(DIM)),
    row("aten.select_scatter", Form::Layout(DIM)),
    row(
        "aten.slice_backward",
        Form::Layout(&[("input_sizes", Adjust::Size), ("dim", Adjust::Dim)]),
    ),
    row(
        "aten.select_backward",
        Form::Layout(&[("input_sizes", Adjust::Size), ("dim", Adjust::Dim)]),
    ),
    row("aten.full", Form::Factory),
    row("aten.zeros", Form::Factory),
    row("aten.zeros_like", Form::Factory),
    row("aten.full_like", Form::Factory),
    row("aten.empty_like", Form::Factory),
    row("aten.new_zeros", Form::Factory),
    row("aten.new_empty_strided", Form::Factory),
];

/// The rewrite of an op, by IR name.
pub fn rewrite(op_name: &str) -> Option<&'static Rewrite> {
    REWRITES.iter().find(|r| r.op == op_name)
}

/// The pair forms of the complex values rewritten so far.
pub struct Pairs(HashMap<Value, Value>);

impl Pairs {
    /// The pair form of complex value `z`.
    fn of(&self, z: Value) -> Result<Value, Refusal> {
        self.0
            .get(&z)
            .copied()
            .ok_or_else(|| Refusal::Internal("a complex operand without a pair form".into()))
    }
}

/// Whether `v` is a complex tensor.
fn is_complex(ctx: &Context, v: Value) -> bool {
    TensorInfo::from_type(ctx, ctx.value_type(v)).is_some_and(|i| i.dtype.is_complex())
}

/// The type of the pair form of a complex tensor of type `info`.
fn pair_info(info: &TensorInfo) -> TensorInfo {
    TensorInfo {
        shape: info.shape.as_ref().map(|s| {
            let mut s = s.clone();
            s.push(Dim::Static(2));
            s
        }),
        dtype: info.dtype.to_real(),
    }
}

/// Rewrites the ops on complex tensors of one `func.func` (see the module docs).
pub fn complex_to_real(ctx: &mut Context, func: OpId, state: &mut PassState) -> PassResult {
    let Some(body) = ctx.body_block(func) else {
        return Ok(false);
    };
    let ops: Vec<OpId> = ctx.block_ops(body).collect();
    let mut pairs = Pairs(HashMap::new());
    // Ops whose results are pair forms made here, erased again when unused.
    let mut views: Vec<OpId> = Vec::new();
    let mut rewritten: Vec<OpId> = Vec::new();
    let mut rewritten_set: HashSet<OpId> = HashSet::new();
    let mut kept = 0u64;
    let mut errors = Vec::new();
    let mut names: Vec<(OpId, Value, String)> = Vec::new();
    let Some(&first) = ops.first() else {
        return Ok(false);
    };
    for arg in ctx.block_args(body).to_vec() {
        if is_complex(ctx, arg) {
            let (view, p) = view_op(ctx, first, "aten.view_as_real", arg)?;
            views.push(view);
            pairs.0.insert(arg, p);
        }
    }
    for op in ops {
        let touches_complex = ctx
            .operands(op)
            .iter()
            .chain(ctx.results(op))
            .any(|&v| is_complex(ctx, v));
        if !touches_complex {
            continue;
        }
        let row = rewrite(ctx.name_str(op));
        let outcome = match row {
            Some(row) if ctx.regions(op).is_empty() => rewrite_op(ctx, op, row, &pairs),
            _ => Err(Refusal::Unsupported("not in the table".into())),
        };
        match outcome {
            Ok(values) => {
                for (old, new) in ctx.results(op).to_vec().into_iter().zip(values) {
                    if is_complex(ctx, old) {
                        pairs.0.insert(old, new);
                    } else {
                        ctx.replace_all_uses(old, new);
                        if let Some(name) = ctx.value_name(old) {
                            names.push((op, new, name.to_string()));
                        }
                    }
                }
                rewritten.push(op);
                rewritten_set.insert(op);
            }
            Err(Refusal::Internal(why)) => {
                errors.push(
                    Diagnostic::error(format!(
                        "cannot rewrite '{}' on complex tensors: internal error: {why}",
                        ctx.name_str(op)
                    ))
                    .with_span(ctx.span(op)),
                );
            }
            Err(Refusal::Unsupported(_)) => {
                keep_complex(ctx, op, &mut pairs, &rewritten_set, &mut views)?;
                kept += u64::from(ctx.name_str(op).starts_with("aten."));
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    for &op in rewritten.iter().rev().chain(views.iter()) {
        if ctx.results(op).iter().all(|&r| ctx.is_unused(r)) {
            ctx.erase_op(op);
        }
    }
    // The value replacing a named real result takes its name, when it has none (the
    // names `%r#i` of a result group would print as a group again, so they are not kept).
    for (old, new, name) in names {
        if ctx.is_erased(old) && ctx.value_name(new).is_none() && !name.contains('#') {
            ctx.set_value_name(new, Some(&name));
        }
    }
    state.add_statistic("rewritten", rewritten.len() as u64);
    state.add_statistic("kept", kept);
    Ok(!rewritten.is_empty() || !views.is_empty())
}

/// `name(v)` (`view_as_real` / `view_as_complex`) built before `anchor`, with its span;
/// returns the op and its result.
fn view_op(
    ctx: &mut Context,
    anchor: OpId,
    name: &str,
    v: Value,
) -> Result<(OpId, Value), Vec<Diagnostic>> {
    let span = ctx.span(anchor);
    let mut b = Builder::new(ctx, InsertPoint::Before(anchor));
    let op = joinery_aten::build(&mut b, name, &[v], Vec::new())
        .map_err(|e| vec![Diagnostic::error(format!("building '{name}': {e}")).with_span(span)])?;
    Ok((op, ctx.result(op, 0)))
}

/// Leaves `op` on complex tensors: a complex operand defined by a rewritten op is read as
/// `view_as_complex` of its pair form, and each complex result gets `view_as_real` of it
/// as its pair form.
fn keep_complex(
    ctx: &mut Context,
    op: OpId,
    pairs: &mut Pairs,
    rewritten: &HashSet<OpId>,
    views: &mut Vec<OpId>,
) -> Result<(), Vec<Diagnostic>> {
    for i in 0..ctx.operands(op).len() {
        let z = ctx.operand(op, i);
        let redefined = matches!(ctx.value_def(z), ValueDef::OpResult { op: def, .. } if rewritten.contains(&def));
        if redefined && let Some(&p) = pairs.0.get(&z) {
            let (view, c) = view_op(ctx, op, "aten.view_as_complex", p)?;
            views.push(view);
            ctx.set_operand(op, i, c);
        }
    }
    let complex_results: Vec<Value> = ctx
        .results(op)
        .iter()
        .copied()
        .filter(|&r| is_complex(ctx, r))
        .collect();
    if complex_results.is_empty() {
        return Ok(());
    }
    let Some(next) = ctx.next_op(op) else {
        return Ok(());
    };
    for r in complex_results {
        let (view, p) = view_op(ctx, next, "aten.view_as_real", r)?;
        views.push(view);
        pairs.0.insert(r, p);
    }
    Ok(())
}

/// Builds the real form of `op` by its row; on a refusal every op built is erased again.
fn rewrite_op(
    ctx: &mut Context,
    op: OpId,
    row: &Rewrite,
    pairs: &Pairs,
) -> Result<Vec<Value>, Refusal> {
    let mut e = Emitter::new(ctx, op);
    let outcome = match row.form {
        Form::Layout(adjust) => layout(&mut e, pairs, op, adjust).map(|v| vec![v]),
        Form::Factory => factory(&mut e, pairs, op).map(|v| vec![v]),
        Form::Rule(rule) => rule(&mut e, pairs, op),
    }
    .and_then(|values| check(&e, op, values));
    if outcome.is_err() {
        for new in std::mem::take(&mut e.created).into_iter().rev() {
            ctx.erase_op(new);
        }
    }
    outcome
}

/// Each value has the type of the pair form of the complex result it stands for, or the
/// type of the real result it replaces.
fn check(e: &Emitter, op: OpId, values: Vec<Value>) -> Result<Vec<Value>, Refusal> {
    let results = e.ctx.results(op);
    if values.len() != results.len() {
        return Err(Refusal::Internal(format!(
            "{} values for {} results",
            values.len(),
            results.len()
        )));
    }
    for (i, (&old, &new)) in results.iter().zip(&values).enumerate() {
        let want = e.info(old);
        let want = if want.dtype.is_complex() {
            pair_info(&want)
        } else {
            want
        };
        let got = e.info(new);
        if got != want {
            return Err(Refusal::Internal(format!(
                "result #{i} would be {got}, not {want}"
            )));
        }
    }
    Ok(values)
}

// ----- building blocks -----------------------------------------------------------------

/// The real type the op computes in: that of its first complex result, else of its first
/// complex operand.
fn part_dtype(e: &Emitter, op: OpId) -> DType {
    let ctx = &*e.ctx;
    ctx.results(op)
        .iter()
        .chain(ctx.operands(op))
        .map(|&v| e.info(v).dtype)
        .find(|d| d.is_complex())
        .map_or(DType::F32, DType::to_real)
}

/// The pair form of operand `v` in `dtype`: its own for a complex `v`, `(v, 0)` for a real one.
fn pair(e: &mut Emitter, pairs: &Pairs, v: Value, dtype: DType) -> Result<Value, Refusal> {
    if e.info(v).dtype.is_complex() {
        let p = pairs.of(v)?;
        e.cast(p, dtype)
    } else {
        let x = e.cast(v, dtype)?;
        lift(e, x)
    }
}

/// `x ==> (x, 0)`: a real tensor as the pair form of `x + 0i`.
fn lift(e: &mut Emitter, x: Value) -> Result<Value, Refusal> {
    let x = e.unsqueeze(x, -1)?;
    let pad = e.ints(&[0, 1]);
    e.op1("aten.constant_pad_nd", &[x], vec![("pad", pad)])
}

/// Part `i` of a pair form (0: real, 1: imaginary).
fn part(e: &mut Emitter, p: Value, i: i64) -> Result<Value, Refusal> {
    let dim = e.int(-1);
    let index = e.int(i);
    e.op1(
        "aten.select.int",
        &[p],
        vec![("dim", dim), ("index", index)],
    )
}

/// Both parts of a pair form.
fn parts(e: &mut Emitter, p: Value) -> Result<(Value, Value), Refusal> {
    Ok((part(e, p, 0)?, part(e, p, 1)?))
}

/// The pair form with parts `re` and `im` (of one shape).
fn join(e: &mut Emitter, re: Value, im: Value) -> Result<Value, Refusal> {
    let dim = e.int(-1);
    e.op1("aten.stack", &[re, im], vec![("dim", dim)])
}

/// Operand `i` of `op`.
fn operand(e: &Emitter, op: OpId, i: usize) -> Value {
    e.ctx.operand(op, i)
}

/// The rank of a ranked tensor value.
fn rank(e: &Emitter, v: Value) -> Result<i64, Refusal> {
    let info = e.info(v);
    let shape = info.shape.ok_or("an unranked complex tensor")?;
    Ok(shape.len() as i64)
}

/// A dim made non-negative against `rank`.
fn norm_dim(d: i64, rank: i64) -> Result<i64, Refusal> {
    let n = if d < 0 { d + rank } else { d };
    if (0..rank.max(1)).contains(&n) {
        Ok(n)
    } else {
        Err(Refusal::Internal(format!(
            "dim {d} out of range for rank {rank}"
        )))
    }
}

/// `|z|` of the parts `(a, b)`, PyTorch's `hypot`:
/// `m = max(|a|, |b|) ==> m * sqrt(1 + (min(|a|, |b|) / m)^2)`, `0` at `m = 0`, `inf` when a
/// part is infinite.
fn modulus(e: &mut Emitter, a: Value, b: Value) -> Result<Value, Refusal> {
    let (x, y) = (e.unary("aten.abs", a)?, e.unary("aten.abs", b)?);
    let big = e.binary("aten.maximum", x, y)?;
    let small = e.binary("aten.minimum", x, y)?;
    let ratio = e.div(small, big)?;
    let ratio_sq = e.mul(ratio, ratio)?;
    let one_plus = e.with_float("aten.add.Scalar", ratio_sq, 1.0)?;
    let root = e.unary("aten.sqrt", one_plus)?;
    let scaled = e.mul(big, root)?;
    let zero = e.with_float("aten.eq.Scalar", big, 0.0)?;
    let r = e.select(zero, big, scaled)?;
    let x_inf = e.unary("aten.isinf", x)?;
    let y_inf = e.unary("aten.isinf", y)?;
    let r = e.select(y_inf, y, r)?;
    e.select(x_inf, x, r)
}

// ----- the forms ---------------------------------------------------------------------------

/// `op(z, ...) ==> op(Z, ...)` with the dims and sizes of `adjust` moved to the pair form.
fn layout(
    e: &mut Emitter,
    pairs: &Pairs,
    op: OpId,
    adjust: &[(&str, Adjust)],
) -> Result<Value, Refusal> {
    let dtype = part_dtype(e, op);
    let result = e.ctx.result(op, 0);
    let rank = rank(e, operand(e, op, 0))?.max(rank(e, result)?);
    let mut operands = Vec::new();
    for i in 0..e.ctx.operands(op).len() {
        let v = operand(e, op, i);
        operands.push(pair(e, pairs, v, dtype)?);
    }
    let attrs: Vec<(String, Attribute)> =
        e.ctx.attrs(op).map(|(k, a)| (k.to_string(), a)).collect();
    let mut new_attrs = Vec::new();
    for (name, a) in &attrs {
        let a = match adjust.iter().find(|(n, _)| n == name) {
            Some(&(_, how)) => adjusted(e, *a, how, rank)?,
            None => *a,
        };
        new_attrs.push((name.as_str(), a));
    }
    e.op1(
        e.ctx.name_str(op).to_string().as_str(),
        &operands,
        new_attrs,
    )
}

/// Attribute `a` as [`Adjust`] says, for a complex tensor of `rank` dims.
fn adjusted(e: &mut Emitter, a: Attribute, how: Adjust, rank: i64) -> Result<Attribute, Refusal> {
    let ints = |e: &Emitter| -> Result<Vec<i64>, Refusal> {
        e.ctx
            .as_array(a)
            .and_then(|items| items.iter().map(|&i| e.ctx.as_i64(i)).collect())
            .ok_or_else(|| Refusal::Internal("a list attribute that is not integers".into()))
    };
    Ok(match how {
        Adjust::Dim => {
            let d = e
                .ctx
                .as_i64(a)
                .ok_or_else(|| Refusal::Internal("a dim that is not an integer".into()))?;
            let d = norm_dim(d, rank)?;
            e.int(d)
        }
        Adjust::Dims => {
            let dims = ints(e)?
                .into_iter()
                .map(|d| norm_dim(d, rank))
                .collect::<Result<Vec<_>, _>>()?;
            e.ints(&dims)
        }
        Adjust::Permutation => {
            let mut dims = ints(e)?
                .into_iter()
                .map(|d| norm_dim(d, rank))
                .collect::<Result<Vec<_>, _>>()?;
            dims.push(rank);
            e.ints(&dims)
        }
        Adjust::Size => {
            let mut size = ints(e)?;
            size.push(2);
            e.ints(&size)
        }
    })
}

/// `f(..., dtype = complex) ==> (f(..., dtype = real), 0)`; complex operands (shape and
/// dtype donors) are read as their real parts.
fn factory(e: &mut Emitter, pairs: &Pairs, op: OpId) -> Result<Value, Refusal> {
    let mut operands = Vec::new();
    for i in 0..e.ctx.operands(op).len() {
        let v = operand(e, op, i);
        operands.push(if e.info(v).dtype.is_complex() {
            let p = pairs.of(v)?;
            part(e, p, 0)?
        } else {
            v
        });
    }
    let attrs: Vec<(String, Attribute)> =
        e.ctx.attrs(op).map(|(k, a)| (k.to_string(), a)).collect();
    let mut new_attrs = Vec::new();
    for (name, a) in &attrs {
        let a = match attr_or_default(e.ctx, op, name) {
            Ok(ArgValue::DType(d)) if name == "dtype" => e.dtype_attr(d.to_real()),
            _ => *a,
        };
        new_attrs.push((name.as_str(), a));
    }
    let real = e.op1(
        e.ctx.name_str(op).to_string().as_str(),
        &operands,
        new_attrs,
    )?;
    let real = e.cast(real, part_dtype(e, op))?;
    lift(e, real)
}

/// `view_as_real(z) ==> Z`.
fn view_as_real(e: &mut Emitter, pairs: &Pairs, op: OpId) -> Result<Vec<Value>, Refusal> {
    Ok(vec![pairs.of(operand(e, op, 0))?])
}

/// `view_as_complex(x) ==> x` (x is the pair form).
fn view_as_complex(e: &mut Emitter, _: &Pairs, op: OpId) -> Result<Vec<Value>, Refusal> {
    Ok(vec![operand(e, op, 0)])
}

/// `real(z) ==> Z[..., 0]`.
fn real(e: &mut Emitter, pairs: &Pairs, op: OpId) -> Result<Vec<Value>, Refusal> {
    let z = pairs.of(operand(e, op, 0))?;
    Ok(vec![part(e, z, 0)?])
}

/// `imag(z) ==> Z[..., 1]`.
fn imag(e: &mut Emitter, pairs: &Pairs, op: OpId) -> Result<Vec<Value>, Refusal> {
    let z = pairs.of(operand(e, op, 0))?;
    Ok(vec![part(e, z, 1)?])
}

/// `complex(a, b) ==> stack(expand(a), expand(b))` at the broadcast shape.
fn complex(e: &mut Emitter, _: &Pairs, op: OpId) -> Result<Vec<Value>, Refusal> {
    let out = e.info(e.ctx.result(op, 0));
    let size: Vec<i64> = crate::emit::static_dims(&out)
        .ok_or("complex() of dynamic shape")?
        .iter()
        .map(|&n| n as i64)
        .collect();
    let mut halves = Vec::new();
    for i in 0..2 {
        let v = operand(e, op, i);
        let v = e.cast(v, out.dtype.to_real())?;
        halves.push(if e.info(v).shape == out.shape {
            v
        } else {
            let s = e.ints(&size);
            e.op1("aten.expand", &[v], vec![("size", s)])?
        });
    }
    Ok(vec![join(e, halves[0], halves[1])?])
}

/// `conj(a + bi) ==> (a, -b)`.
fn conj(e: &mut Emitter, pairs: &Pairs, op: OpId) -> Result<Vec<Value>, Refusal> {
    let (a, b) = parts(e, pairs.of(operand(e, op, 0))?)?;
    let minus_b = e.unary("aten.neg", b)?;
    Ok(vec![join(e, a, minus_b)?])
}

/// `abs(a + bi) ==> hypot(a, b)` (see [`modulus`]).
fn abs(e: &mut Emitter, pairs: &Pairs, op: OpId) -> Result<Vec<Value>, Refusal> {
    let (a, b) = parts(e, pairs.of(operand(e, op, 0))?)?;
    Ok(vec![modulus(e, a, b)?])
}

/// `sgn(z) ==> where(|z| == 0, 0, z / |z|)`.
fn sgn(e: &mut Emitter, pairs: &Pairs, op: OpId) -> Result<Vec<Value>, Refusal> {
    let z = pairs.of(operand(e, op, 0))?;
    let (a, b) = parts(e, z)?;
    let m = modulus(e, a, b)?;
    let m = e.unsqueeze(m, -1)?;
    let q = e.div(z, m)?;
    let zero_m = e.with_float("aten.eq.Scalar", m, 0.0)?;
    let zero = e.constant(0.0, e.dtype(z))?;
    Ok(vec![e.select(zero_m, zero, q)?])
}

/// `(a + bi) + s ==> (a + s, b)` (and `-`, with `alpha`): the real scalar moves the real part.
fn real_part_scalar(e: &mut Emitter, pairs: &Pairs, op: OpId) -> Result<Vec<Value>, Refusal> {
    let dtype = part_dtype(e, op);
    let z = pair(e, pairs, operand(e, op, 0), dtype)?;
    let (a, b) = parts(e, z)?;
    let attrs: Vec<(String, Attribute)> =
        e.ctx.attrs(op).map(|(k, a)| (k.to_string(), a)).collect();
    let attrs = attrs.iter().map(|(k, a)| (k.as_str(), *a)).collect();
    let a = e.op1(e.ctx.name_str(op).to_string().as_str(), &[a], attrs)?;
    let a = e.cast(a, dtype)?;
    Ok(vec![join(e, a, b)?])
}

/// The pair forms of a binary op's operands in its part dtype; a `Scalar` `other` is the
/// pair `(s, 0)`.
fn binary_pairs(e: &mut Emitter, pairs: &Pairs, op: OpId) -> Result<(Value, Value), Refusal> {
    let dtype = part_dtype(e, op);
    let x = pair(e, pairs, operand(e, op, 0), dtype)?;
    let y = if e.ctx.operands(op).len() > 1 {
        pair(e, pairs, operand(e, op, 1), dtype)?
    } else {
        let s = attr_or_default(e.ctx, op, "other")
            .map_err(Refusal::Internal)?
            .as_f64()
            .ok_or_else(|| Refusal::Internal("a Scalar 'other' that is not a number".into()))?;
        let s = e.constant(s, dtype)?;
        lift(e, s)?
    };
    Ok((x, y))
}

/// `(a + bi)(c + di) ==> (ac - bd, ad + bc)`, as PyTorch's complex kernels multiply.
fn mul(e: &mut Emitter, pairs: &Pairs, op: OpId) -> Result<Vec<Value>, Refusal> {
    let (x, y) = binary_pairs(e, pairs, op)?;
    let (a, b) = parts(e, x)?;
    let (c, d) = parts(e, y)?;
    let (ac, bd) = (e.mul(a, c)?, e.mul(b, d)?);
    let (ad, bc) = (e.mul(a, d)?, e.mul(b, c)?);
    let re = e.sub(ac, bd)?;
    let im = e.add(ad, bc)?;
    Ok(vec![join(e, re, im)?])
}

/// `(a + bi) / (c + di)` by Smith's algorithm, as `c10::complex::operator/=`: with `p` the
/// larger of `|c|`, `|d|` and `q` the other, `r = q / p`, `s = 1 / (p + q r)`:
/// `|c| >= |d| ==> ((a + b r) s, (b - a r) s)`, else `((a r + b) s, (b r - a) s)`;
/// `c = d = 0 ==> (a / |c|, b / |d|)`.
fn div(e: &mut Emitter, pairs: &Pairs, op: OpId) -> Result<Vec<Value>, Refusal> {
    let (x, y) = binary_pairs(e, pairs, op)?;
    let (a, b) = parts(e, x)?;
    let (c, d) = parts(e, y)?;
    let (abs_c, abs_d) = (e.unary("aten.abs", c)?, e.unary("aten.abs", d)?);
    let c_wins = e.binary("aten.ge.Tensor", abs_c, abs_d)?;
    let p = e.select(c_wins, c, d)?;
    let q = e.select(c_wins, d, c)?;
    // With (u, v) = (a, b) when |c| >= |d| and (b, a) otherwise, both branches are
    // ((u + v r) s, ±(v - u r) s).
    let u = e.select(c_wins, a, b)?;
    let v = e.select(c_wins, b, a)?;
    let r = e.div(q, p)?;
    let qr = e.mul(q, r)?;
    let den = e.add(p, qr)?;
    let s = e.unary("aten.reciprocal", den)?;
    let vr = e.mul(v, r)?;
    let re = e.add(u, vr)?;
    let re = e.mul(re, s)?;
    let ur = e.mul(u, r)?;
    let im = e.sub(v, ur)?;
    let im = e.mul(im, s)?;
    let minus_im = e.unary("aten.neg", im)?;
    let im = e.select(c_wins, im, minus_im)?;
    // A zero divisor: a / |c| and b / |d| give PyTorch's infinities and nans.
    let zero = e.with_float("aten.eq.Scalar", p, 0.0)?;
    let (re0, im0) = (e.div(a, abs_c)?, e.div(b, abs_d)?);
    let re = e.select(zero, re0, re)?;
    let im = e.select(zero, im0, im)?;
    Ok(vec![join(e, re, im)?])
}

/// `where(c, x, y) ==> where(unsqueeze(c, -1), X, Y)`.
fn where_self(e: &mut Emitter, pairs: &Pairs, op: OpId) -> Result<Vec<Value>, Refusal> {
    let dtype = part_dtype(e, op);
    let c = e.unsqueeze(operand(e, op, 0), -1)?;
    let x = pair(e, pairs, operand(e, op, 1), dtype)?;
    let y = pair(e, pairs, operand(e, op, 2), dtype)?;
    Ok(vec![e.select(c, x, y)?])
}

/// `sum(z, dims) ==> sum(Z, dims)` (and `mean`) over the same dims, all of the complex
/// tensor's when none are given.
fn reduce(e: &mut Emitter, pairs: &Pairs, op: OpId) -> Result<Vec<Value>, Refusal> {
    let out = e.info(e.ctx.result(op, 0));
    let z = operand(e, op, 0);
    let rank = rank(e, z)?;
    let z = pair(e, pairs, z, out.dtype.to_real())?;
    if rank == 0 {
        return Ok(vec![z]);
    }
    let name = e.ctx.name_str(op);
    let reduced = if name.starts_with("aten.sum") {
        "aten.sum.dim_IntList"
    } else {
        "aten.mean.dim"
    };
    let arg = |e: &Emitter, name: &str| attr_or_default(e.ctx, op, name).map_err(Refusal::Internal);
    let has_dims = e.ctx.attr(op, "dim").is_some();
    let dims: Vec<i64> = match has_dims.then(|| arg(e, "dim")).transpose()? {
        Some(ArgValue::IntList(d)) if !d.is_empty() => d
            .iter()
            .map(|&d| norm_dim(d, rank))
            .collect::<Result<_, _>>()?,
        _ => (0..rank).collect(),
    };
    let keepdim = e.ctx.attr(op, "keepdim").is_some() && arg(e, "keepdim")?.as_bool() == Some(true);
    let dim = e.ints(&dims);
    let keepdim = e.boolean(keepdim);
    let dtype = e.dtype_attr(out.dtype.to_real());
    Ok(vec![e.op1(
        reduced,
        &[z],
        vec![("dim", dim), ("keepdim", keepdim), ("dtype", dtype)],
    )?])
}

/// `t(z) ==> transpose(Z, 0, 1)` for a matrix, `Z` for fewer dims.
fn t(e: &mut Emitter, pairs: &Pairs, op: OpId) -> Result<Vec<Value>, Refusal> {
    let z = operand(e, op, 0);
    let rank = rank(e, z)?;
    let z = pairs.of(z)?;
    if rank < 2 {
        return Ok(vec![z]);
    }
    let (d0, d1) = (e.int(0), e.int(1));
    Ok(vec![e.op1(
        "aten.transpose.int",
        &[z],
        vec![("dim0", d0), ("dim1", d1)],
    )?])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_is_a_catalogue_op_the_description_names() {
        for r in REWRITES {
            assert!(
                joinery_aten::schema(r.op).is_some(),
                "{} is in the catalogue",
                r.op
            );
            let short = r.op.strip_prefix("aten.").expect("aten op");
            let base = short.split('.').next().unwrap_or(short);
            assert!(
                COMPLEX_TO_REAL.description.contains(base),
                "the description of aten-complex-to-real does not mention {base}"
            );
        }
    }

    #[test]
    fn a_negative_dim_counts_from_the_end_of_the_complex_tensor() {
        assert_eq!(norm_dim(-1, 3), Ok(2));
        assert_eq!(norm_dim(1, 3), Ok(1));
        assert!(matches!(norm_dim(-4, 3), Err(Refusal::Internal(_))));
    }
}
