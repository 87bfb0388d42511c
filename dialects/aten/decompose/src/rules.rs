//! The decompositions: one table row per composite op, one rule per op family. Each rule
//! follows the PyTorch decomposition its row names (`torch/_decomp/decompositions.py`, or
//! `torch/_refs` where the op has no entry there), and the first line of its doc comment is
//! its law. Rules compute in PyTorch's computation dtype (`f16`/`bf16` in `f32`) and convert
//! each result to the op's result dtype, as PyTorch's `pw_cast_for_opmath` does.
//!
//! A rule first checks what it needs (and returns [`Refusal::Unsupported`] before building
//! anything when the op is out of its reach), then builds primitive ops with [`Emitter`]
//! and returns one replacement per result of the op (`None` for a result PyTorch leaves
//! `None` and nothing uses).

mod geo;
mod losses;
mod norms;

use crate::emit::{Emitter, Refusal, static_dims};
use joinery_aten::dtype::promote_types;
use joinery_aten::{ArgValue, DType, TensorInfo, attr_or_default, operand_group};
use joinery_ir::{Dim, OpId, Value};
use losses::{mean_count, reduce_loss};

/// A rule's replacements, one per result of the op.
pub type Replacements = Result<Vec<Option<Value>>, Refusal>;

/// One decomposition: the op it rewrites, whose decomposition it follows and the rule.
pub struct Decomposition {
    /// The IR name of the op (`aten._softmax`).
    pub op: &'static str,
    /// The PyTorch decomposition the rule follows.
    pub follows: &'static str,
    /// Builds the replacements before the op.
    pub rule: fn(&mut Emitter, OpId) -> Replacements,
}

const fn row(
    op: &'static str,
    follows: &'static str,
    rule: fn(&mut Emitter, OpId) -> Replacements,
) -> Decomposition {
    Decomposition { op, follows, rule }
}

/// Every decomposition of the pass, in the order its description lists them.
pub static DECOMPOSITIONS: &[Decomposition] = &[
    row("aten._softmax", "decompositions._softmax", softmax),
    row(
        "aten.softmax.int",
        "decompositions._softmax of x.to(dtype) (ATen)",
        softmax,
    ),
    row("aten._log_softmax", "decompositions._log_softmax", softmax),
    row(
        "aten.log_softmax.int",
        "decompositions._log_softmax of x.to(dtype) (ATen)",
        softmax,
    ),
    row(
        "aten._softmax_backward_data",
        "decompositions._softmax_backward_data",
        softmax_backward,
    ),
    row(
        "aten._log_softmax_backward_data",
        "decompositions._log_softmax_backward_data",
        log_softmax_backward,
    ),
    row(
        "aten.nll_loss_forward",
        "decompositions.nll_loss_forward",
        nll_loss_forward,
    ),
    row(
        "aten.nll_loss_backward",
        "decompositions.nll_loss_backward",
        nll_loss_backward,
    ),
    row(
        "aten.native_layer_norm",
        "_refs.native_layer_norm",
        native_layer_norm,
    ),
    row(
        "aten.native_layer_norm_backward",
        "decompositions.native_layer_norm_backward",
        native_layer_norm_backward,
    ),
    row("aten.gelu", "_refs.nn.functional.gelu", gelu),
    row(
        "aten.gelu_backward",
        "decompositions.gelu_backward",
        gelu_backward,
    ),
    row("aten.mean", "_refs.mean", mean),
    row("aten.mean.dim", "_refs.mean", mean),
    row(
        "aten.tanh_backward",
        "decompositions.tanh_backward",
        tanh_backward,
    ),
    row(
        "aten.sigmoid_backward",
        "decompositions.sigmoid_backward",
        sigmoid_backward,
    ),
    row(
        "aten.threshold_backward",
        "decompositions.threshold_backward",
        threshold_backward,
    ),
    row(
        "aten.native_dropout_backward",
        "decompositions.native_dropout_backward",
        native_dropout_backward,
    ),
    row("aten.var.correction", "_refs.var", var),
    row("aten.var_mean.correction", "_refs.var_mean", var),
    row(
        "aten.linalg_vector_norm",
        "_refs.linalg.vector_norm",
        norms::linalg_vector_norm,
    ),
    row(
        "aten.argmax",
        "the first index of amax (ATen's argmax)",
        norms::argmax,
    ),
    row(
        "aten.argmin",
        "the first index of amin (ATen's argmin)",
        norms::argmax,
    ),
    row(
        "aten.max.dim",
        "amax and the first index of it (ATen's max.dim)",
        norms::max_dim,
    ),
    row(
        "aten.min.dim",
        "amin and the first index of it (ATen's min.dim)",
        norms::max_dim,
    ),
    row("aten.amin", "_refs.amin as -amax(-x)", norms::amin),
    row("aten.var.dim", "_refs.var with correction = unbiased", var),
    row(
        "aten.native_group_norm",
        "_refs.native_group_norm",
        norms::native_group_norm,
    ),
    row(
        "aten.native_group_norm_backward",
        "decompositions.native_group_norm_backward",
        norms::native_group_norm_backward,
    ),
    row(
        "aten.smooth_l1_loss",
        "decompositions.smooth_l1_loss",
        losses::smooth_l1_loss,
    ),
    row(
        "aten.smooth_l1_loss_backward",
        "decompositions.smooth_l1_loss_backward",
        losses::smooth_l1_loss_backward,
    ),
    row(
        "aten.huber_loss",
        "_refs.nn.functional.huber_loss",
        losses::huber_loss,
    ),
    row(
        "aten.huber_loss_backward",
        "decompositions.huber_loss_backward",
        losses::huber_loss_backward,
    ),
    row(
        "aten.binary_cross_entropy",
        "decompositions.binary_cross_entropy",
        losses::binary_cross_entropy,
    ),
    row(
        "aten.binary_cross_entropy_backward",
        "decompositions.binary_cross_entropy_backward",
        losses::binary_cross_entropy_backward,
    ),
    row(
        "aten.binary_cross_entropy_with_logits",
        "decompositions.binary_cross_entropy_with_logits",
        losses::binary_cross_entropy_with_logits,
    ),
    row(
        "aten._native_batch_norm_legit_functional",
        "decompositions._native_batch_norm_legit_functional",
        batch_norm,
    ),
    row(
        "aten._native_batch_norm_legit_no_training",
        "decompositions._native_batch_norm_legit_no_training",
        batch_norm,
    ),
    row(
        "aten.native_batch_norm",
        "decompositions.native_batch_norm",
        batch_norm,
    ),
    row(
        "aten._native_batch_norm_legit.no_stats",
        "decompositions._native_batch_norm_legit_no_stats",
        batch_norm,
    ),
    row(
        "aten.native_batch_norm_backward",
        "decompositions.native_batch_norm_backward",
        native_batch_norm_backward,
    ),
    row("aten.silu", "decompositions.silu", silu),
    row(
        "aten.silu_backward",
        "decompositions.silu_backward",
        silu_backward,
    ),
    row("aten.elu", "decompositions.elu", elu),
    row(
        "aten.elu_backward",
        "decompositions.elu_backward",
        elu_backward,
    ),
    row(
        "aten.leaky_relu",
        "_refs.nn.functional.leaky_relu",
        leaky_relu,
    ),
    row(
        "aten.leaky_relu_backward",
        "decompositions.leaky_relu_backward",
        leaky_relu_backward,
    ),
    row("aten.hardtanh", "_refs.nn.functional.hardtanh", hardtanh),
    row(
        "aten.hardtanh_backward",
        "decompositions.hardtanh_backward",
        hardtanh_backward,
    ),
    row("aten.hardswish", "decompositions.hardswish", hardswish),
    row(
        "aten.hardswish_backward",
        "decompositions.hardswish_backward",
        hardswish_backward,
    ),
    row(
        "aten.hardsigmoid",
        "decompositions.hardsigmoid",
        hardsigmoid,
    ),
    row(
        "aten.hardsigmoid_backward",
        "decompositions.hardsigmoid_backward",
        hardsigmoid_backward,
    ),
    row("aten.mish", "_refs.nn.functional.mish", mish),
    row(
        "aten.mish_backward",
        "decompositions.mish_backward",
        mish_backward,
    ),
    row("aten.softplus", "_refs.nn.functional.softplus", softplus),
    row(
        "aten.softplus_backward",
        "decompositions.softplus_backward",
        softplus_backward,
    ),
    row(
        "aten._scaled_dot_product_flash_attention_for_cpu",
        "decompositions.scaled_dot_product_flash_attention_for_cpu",
        sdpa,
    ),
    row(
        "aten._scaled_dot_product_flash_attention_for_cpu_backward",
        "the math of sdpa_backward (probabilities from logsumexp)",
        sdpa_backward,
    ),
    row("aten.stack", "_refs.stack", stack),
    row("aten.unbind.int", "_refs.unbind", unbind),
    row(
        "aten.unsafe_split.Tensor",
        "decompositions.unsafe_split (split without aliasing)",
        unsafe_split,
    ),
    row("aten.new_zeros", "_refs.new_zeros", new_zeros),
    row(
        "aten.randperm",
        "joinery's randperm: the order of uniform keys",
        randperm,
    ),
    row("aten.mse_loss", "decompositions.mse_loss", mse_loss),
    row(
        "aten.mse_loss_backward",
        "decompositions.mse_loss_backward",
        mse_loss_backward,
    ),
    row(
        "aten.grid_sampler_2d",
        "decompositions.grid_sampler_2d (bilinear, nearest)",
        geo::grid_sampler_2d,
    ),
    row(
        "aten.grid_sampler_2d_backward",
        "the CPU kernel's grid_sampler_2d_backward, on gathers and scatter_add",
        geo::grid_sampler_2d_backward,
    ),
    row(
        "aten.affine_grid_generator",
        "decompositions.affine_grid_generator",
        geo::affine_grid_generator,
    ),
    row(
        "aten._cdist_forward",
        "the CPU kernel's cdist (broadcast differences), decompositions._euclidean_dist for p = 2 on many rows",
        geo::cdist_forward,
    ),
    row(
        "aten._cdist_backward",
        "the CPU kernel's cdist backward",
        geo::cdist_backward,
    ),
    row(
        "aten._euclidean_dist",
        "decompositions._euclidean_dist",
        geo::euclidean_dist,
    ),
    row(
        "aten._pdist_forward",
        "the CPU kernel's pdist (the upper triangle of cdist)",
        geo::pdist_forward,
    ),
    row(
        "aten._pdist_backward",
        "the CPU kernel's pdist backward (cdist backward of the symmetric pair matrices)",
        geo::pdist_backward,
    ),
];

/// The decomposition of an op, by IR name.
pub fn decomposition(op_name: &str) -> Option<&'static Decomposition> {
    DECOMPOSITIONS.iter().find(|d| d.op == op_name)
}

// ----- reading the op ---------------------------------------------------------------------

fn tensor(e: &Emitter, op: OpId, name: &str) -> Result<Value, Refusal> {
    opt_tensor(e, op, name)?.ok_or_else(|| Refusal::Internal(format!("no operand '{name}'")))
}

fn opt_tensor(e: &Emitter, op: OpId, name: &str) -> Result<Option<Value>, Refusal> {
    let group = operand_group(e.ctx, op, name).map_err(Refusal::Internal)?;
    Ok(group.first().copied())
}

fn arg(e: &Emitter, op: OpId, name: &str) -> Result<ArgValue, Refusal> {
    attr_or_default(e.ctx, op, name).map_err(Refusal::Internal)
}

fn int_arg(e: &Emitter, op: OpId, name: &str) -> Result<i64, Refusal> {
    arg(e, op, name)?
        .as_int()
        .ok_or_else(|| Refusal::Internal(format!("'{name}' is not an integer")))
}

fn float_arg(e: &Emitter, op: OpId, name: &str) -> Result<f64, Refusal> {
    arg(e, op, name)?
        .as_f64()
        .ok_or_else(|| Refusal::Internal(format!("'{name}' is not a number")))
}

fn result_info(e: &Emitter, op: OpId, i: usize) -> TensorInfo {
    e.info(e.ctx.result(op, i))
}

/// The results of a norm backward with an `output_mask`: each slot's tensor info, `None`
/// for a `none` result (which is then not computed). A used result that is not computed
/// becomes zeros ([`zero_uncomputed`]), so it needs a static shape.
fn masked_results(
    e: &Emitter,
    op: OpId,
    computed: &mut [bool; 3],
) -> Result<[Option<TensorInfo>; 3], Refusal> {
    let results =
        [0, 1, 2].map(|i| TensorInfo::from_type(e.ctx, e.ctx.value_type(e.ctx.result(op, i))));
    for i in 0..3 {
        computed[i] &= results[i].is_some();
        let used = !e.ctx.is_unused(e.ctx.result(op, i));
        if used
            && !computed[i]
            && results[i]
                .as_ref()
                .is_some_and(|r| static_dims(r).is_none())
        {
            return Err("a result it does not compute is used and has a dynamic shape".into());
        }
    }
    Ok(results)
}

/// The dtype of masked result `i`, which is computed and therefore a tensor.
fn masked_dtype(results: &[Option<TensorInfo>; 3], i: usize) -> Result<DType, Refusal> {
    results[i]
        .as_ref()
        .map(|r| r.dtype)
        .ok_or_else(|| Refusal::Internal(format!("result #{i} is computed but not a tensor")))
}

/// Zeros for the tensor results of a masked backward that the IR uses but the mask (or a
/// missing weight or bias) leaves uncomputed, as PyTorch's None gradient reads.
fn zero_uncomputed(
    e: &mut Emitter,
    op: OpId,
    outs: &mut [Option<Value>],
    results: &[Option<TensorInfo>; 3],
) -> Result<(), Refusal> {
    for (i, out) in outs.iter_mut().enumerate() {
        if out.is_none()
            && !e.ctx.is_unused(e.ctx.result(op, i))
            && let Some(info) = &results[i]
        {
            *out = Some(e.zeros(info)?);
        }
    }
    Ok(())
}

/// The dims of a value that must be ranked.
fn ranked(e: &Emitter, v: Value, what: &str) -> Result<Vec<Dim>, Refusal> {
    e.info(v)
        .shape
        .ok_or_else(|| Refusal::Unsupported(format!("'{what}' is unranked")))
}

/// The size of dim `d` of a ranked shape (`d` verified in range), when static.
fn static_size(shape: &[Dim], d: i64) -> Option<u64> {
    match shape[d.rem_euclid(shape.len() as i64) as usize] {
        Dim::Static(n) => Some(n),
        Dim::Dynamic => None,
    }
}

/// The `approximate` argument of `gelu` / `gelu_backward`: whether it is `'tanh'`.
fn tanh_approximation(e: &Emitter, op: OpId) -> Result<bool, Refusal> {
    match arg(e, op, "approximate")? {
        ArgValue::Str(s) if s == "tanh" => Ok(true),
        ArgValue::Str(s) if s == "none" => Ok(false),
        other => Err(Refusal::Unsupported(format!(
            "approximate={other:?} is neither 'none' nor 'tanh'"
        ))),
    }
}

/// `1 - v`, as `-v + 1` (exact: the catalogue has no `rsub`).
fn one_minus(e: &mut Emitter, v: Value) -> Result<Value, Refusal> {
    let n = e.unary("aten.neg", v)?;
    e.with_float("aten.add.Scalar", n, 1.0)
}

// ----- softmax ----------------------------------------------------------------------------

/// `softmax(x, d) ==> e / sum(e, d)` with `e = exp(x - amax(x, d))`.
/// `log_softmax` is `(x - amax(x, d)) - log(sum(e, d))`; `softmax.int(x, d, dtype)` and
/// `log_softmax.int` first cast `x` to `dtype`.
fn softmax(e: &mut Emitter, op: OpId) -> Replacements {
    let log = e.ctx.name_str(op).contains("log_softmax");
    let mut x = tensor(e, op, "self")?;
    let dim = int_arg(e, op, "dim")?;
    let out = result_info(e, op, 0);
    let shape = ranked(e, x, "self")?;
    // amax has no identity: an empty dim leaves nothing to subtract (the result is empty
    // anyway, as in `_refs.softmax`), a dynamic one might be empty.
    let empty = !shape.is_empty() && static_size(&shape, dim) == Some(0);
    if !shape.is_empty() && static_size(&shape, dim).is_none() {
        return Err("it reduces a dynamic dim, which may be empty (amax is undefined)".into());
    }
    // ATen's softmax.int(x, d, dtype) is _softmax(x.to(dtype), d).
    if let Ok(ArgValue::DType(d)) = attr_or_default(e.ctx, op, "dtype") {
        x = e.cast(x, d)?;
    }
    let x = e.cast(x, out.dtype.computation())?;
    let shifted = if empty {
        x
    } else {
        let max = e.amax(x, &[dim], true)?;
        e.sub(x, max)?
    };
    let exp = e.unary("aten.exp", shifted)?;
    let sum = e.sum(exp, &[dim], true)?;
    let r = if log {
        let lse = e.unary("aten.log", sum)?;
        e.sub(shifted, lse)?
    } else {
        e.div(exp, sum)?
    };
    Ok(vec![Some(e.cast(r, out.dtype)?)])
}

/// The computation dtype of a backward op's two tensor operands.
fn backward_dtype(e: &Emitter, a: Value, b: Value) -> DType {
    promote_types(e.dtype(a), e.dtype(b)).computation()
}

/// `_softmax_backward_data(g, y, d) ==> g*y - y * sum(g*y, d)`.
fn softmax_backward(e: &mut Emitter, op: OpId) -> Replacements {
    let g = tensor(e, op, "grad_output")?;
    let y = tensor(e, op, "output")?;
    let dim = int_arg(e, op, "dim")?;
    let out = result_info(e, op, 0);
    let cdt = backward_dtype(e, g, y);
    let (g, y) = (e.cast(g, cdt)?, e.cast(y, cdt)?);
    let gy = e.mul(g, y)?;
    let sum = e.sum(gy, &[dim], true)?;
    let ys = e.mul(y, sum)?;
    let r = e.sub(gy, ys)?;
    Ok(vec![Some(e.cast(r, out.dtype)?)])
}

/// `_log_softmax_backward_data(g, y, d) ==> g - exp(y) * sum(g, d)`.
fn log_softmax_backward(e: &mut Emitter, op: OpId) -> Replacements {
    let g = tensor(e, op, "grad_output")?;
    let y = tensor(e, op, "output")?;
    let dim = int_arg(e, op, "dim")?;
    let out = result_info(e, op, 0);
    let cdt = backward_dtype(e, g, y);
    let (g, y) = (e.cast(g, cdt)?, e.cast(y, cdt)?);
    let sum = e.sum(g, &[dim], true)?;
    let exp = e.unary("aten.exp", y)?;
    let scaled = e.mul(exp, sum)?;
    let r = e.sub(g, scaled)?;
    Ok(vec![Some(e.cast(r, out.dtype)?)])
}

// ----- nll_loss ---------------------------------------------------------------------------

/// What both NLL rules read: the class dim, the class count, the target as a column
/// broadcasting against `self`, and the one-hot `t == arange(C)` that replaces PyTorch's
/// `gather` / `scatter` (the native backend has neither).
struct NllClasses {
    channel_dim: i64,
    target_column: Value,
    one_hot: Value,
}

fn nll_classes(e: &mut Emitter, op: OpId) -> Result<NllClasses, Refusal> {
    let x = tensor(e, op, "self")?;
    let target = tensor(e, op, "target")?;
    let shape = ranked(e, x, "self")?;
    ranked(e, target, "target")?;
    let channel_dim = shape.len() as i64 - 1;
    let classes = static_size(&shape, channel_dim)
        .ok_or("the class count (last dim of 'self') is dynamic")?;
    let target_column = if shape.len() == 2 {
        e.unsqueeze(target, 1)?
    } else {
        target
    };
    let arange = e.arange(classes)?;
    let one_hot = e.binary("aten.eq.Tensor", target_column, arange)?;
    Ok(NllClasses {
        channel_dim,
        target_column,
        one_hot,
    })
}

/// `nll_loss_forward(x, t) ==> where(t != ii, -gather(x * w, C, where(t != ii, t, 0)), 0)`.
/// The per-row losses are then summed (sum), or summed and divided by `total_weight`, the
/// sum of the kept rows' weights (mean). The gather checks every kept target against the
/// class count, as PyTorch does ("target 10 is out of bounds"), where a one-hot pick would
/// silently drop the row.
fn nll_loss_forward(e: &mut Emitter, op: OpId) -> Replacements {
    let self_ = tensor(e, op, "self")?;
    let target = tensor(e, op, "target")?;
    let weight = opt_tensor(e, op, "weight")?;
    let reduction = int_arg(e, op, "reduction")?;
    let ignore = int_arg(e, op, "ignore_index")?;
    let out = result_info(e, op, 0);
    let dt = out.dtype;
    let rank = ranked(e, self_, "self")?.len();
    let c = nll_classes(e, op)?;
    let x = match weight {
        Some(w) => e.mul(self_, w)?,
        None => self_,
    };
    let zero = e.constant(0.0, dt)?;
    let kept = e.with_int("aten.ne.Scalar", target, ignore)?;
    let no_class = e.constant(0.0, e.dtype(target))?;
    let safe_target = e.select(kept, target, no_class)?;
    let index = e.unsqueeze(safe_target, c.channel_dim)?;
    let dim = e.int(c.channel_dim);
    let picked = e.op1("aten.gather", &[x, index], vec![("dim", dim)])?;
    let dims = e.ints(&[c.channel_dim]);
    let picked = e.op1("aten.squeeze.dims", &[picked], vec![("dim", dims)])?;
    let loss = e.unary("aten.neg", picked)?;
    let result = e.select(kept, loss, zero)?;
    if reduction == 0 && rank == 2 {
        let total_weight = e.constant(0.0, dt)?;
        return Ok(vec![Some(e.cast(result, dt)?), Some(total_weight)]);
    }
    let total_weight = match weight {
        Some(w) => {
            let hits = e.select(c.one_hot, w, zero)?;
            let per_target = e.sum(hits, &[c.channel_dim], false)?;
            let kept_weight = e.select(kept, per_target, zero)?;
            e.sum_all(kept_weight, None)?
        }
        // (t != ignore_index).sum().to(x) == sum(t != ignore_index, dtype = x.dtype)
        None => e.sum_all(kept, Some(dt))?,
    };
    let output = match reduction {
        0 => result,
        2 => e.sum_all(result, None)?,
        1 => {
            let total = e.sum_all(result, None)?;
            e.div(total, total_weight)?
        }
        r => return Err(format!("reduction={r} is not 0 (none), 1 (mean) or 2 (sum)").into()),
    };
    Ok(vec![
        Some(e.cast(output, dt)?),
        Some(e.cast(total_weight, dt)?),
    ])
}

/// `nll_loss_backward(g, x, t) ==> where(t == arange(C), -g', 0)`.
/// Here `g' = where(t != ignore_index, g * w, 0)`, `g` first divided by `total_weight`
/// for the mean.
fn nll_loss_backward(e: &mut Emitter, op: OpId) -> Replacements {
    let mut g = tensor(e, op, "grad_output")?;
    let self_ = tensor(e, op, "self")?;
    let weight = opt_tensor(e, op, "weight")?;
    let total_weight = tensor(e, op, "total_weight")?;
    let reduction = int_arg(e, op, "reduction")?;
    let ignore = int_arg(e, op, "ignore_index")?;
    let out = result_info(e, op, 0);
    let rank = ranked(e, self_, "self")?.len();
    let grad_rank = ranked(e, g, "grad_output")?.len();
    let c = nll_classes(e, op)?;
    if reduction == 1 {
        g = e.div(g, total_weight)?;
    }
    if rank > grad_rank && grad_rank > 0 {
        g = e.unsqueeze(g, c.channel_dim)?;
    }
    if let Some(w) = weight {
        g = e.mul(g, w)?;
    }
    let zero = e.constant(0.0, e.dtype(g))?;
    let kept = e.with_int("aten.ne.Scalar", c.target_column, ignore)?;
    let g = e.select(kept, g, zero)?;
    // scatter(zeros_like(x), C, t, -1) * g == where(t == arange(C), -g, 0)
    let neg = e.unary("aten.neg", g)?;
    let r = e.select(c.one_hot, neg, zero)?;
    Ok(vec![Some(e.cast(r, out.dtype)?)])
}

// ----- layer norm -------------------------------------------------------------------------

/// The normalized dims of a layer norm: `(inner dims, outer dims, inner element count)`.
fn layer_norm_dims(
    e: &Emitter,
    op: OpId,
    input: Value,
) -> Result<(Vec<i64>, Vec<i64>, u64), Refusal> {
    let rank = ranked(e, input, "input")?.len() as i64;
    let normalized = match arg(e, op, "normalized_shape")? {
        ArgValue::IntList(v) => v,
        _ => return Err(Refusal::Internal("'normalized_shape' is not a list".into())),
    };
    let axis = rank - normalized.len() as i64;
    let count: i64 = normalized.iter().product();
    if count <= 0 {
        return Err("it normalizes over zero elements".into());
    }
    Ok(((axis..rank).collect(), (0..axis).collect(), count as u64))
}

/// `native_layer_norm(x) ==> (x - mean) * rsqrt(var + eps) * w + b, mean, rsqrt(var + eps)`.
/// Over the normalized dims `D` of `N` elements: `mean = sum(x, D) / N` and the biased
/// `var = sum((x - mean)^2, D) / N`.
fn native_layer_norm(e: &mut Emitter, op: OpId) -> Replacements {
    let input = tensor(e, op, "input")?;
    let weight = opt_tensor(e, op, "weight")?;
    let bias = opt_tensor(e, op, "bias")?;
    let eps = float_arg(e, op, "eps")?;
    let (inner, _, count) = layer_norm_dims(e, op, input)?;
    let dt = e.dtype(input);
    let x = e.cast(input, dt.computation())?;
    let sum = e.sum(x, &inner, true)?;
    let mean = e.with_int("aten.div.Scalar", sum, count as i64)?;
    let centered = e.sub(x, mean)?;
    let squares = e.mul(centered, centered)?;
    let square_sum = e.sum(squares, &inner, true)?;
    let var = e.with_int("aten.div.Scalar", square_sum, count as i64)?;
    let shifted = e.with_float("aten.add.Scalar", var, eps)?;
    let rstd = e.unary("aten.rsqrt", shifted)?;
    let mut y = e.mul(centered, rstd)?;
    if let Some(w) = weight {
        y = e.mul(y, w)?;
    }
    if let Some(b) = bias {
        y = e.add(y, b)?;
    }
    let types: Vec<DType> = (0..3).map(|i| result_info(e, op, i).dtype).collect();
    Ok(vec![
        Some(e.cast(y, types[0])?),
        Some(e.cast(mean, types[1])?),
        Some(e.cast(rstd, types[2])?),
    ])
}

/// `dx ==> rstd / N * (N * g' - sum(g', D) - x^ * sum(g' * x^, D))`.
/// With `x^ = (x - mean) * rstd` and `g' = g * w`; `dw = sum(g * x^)` and `db = sum(g)`
/// over the outer dims.
fn native_layer_norm_backward(e: &mut Emitter, op: OpId) -> Replacements {
    let grad_out = tensor(e, op, "grad_out")?;
    let input = tensor(e, op, "input")?;
    let mean = tensor(e, op, "mean")?;
    let rstd = tensor(e, op, "rstd")?;
    let weight = opt_tensor(e, op, "weight")?;
    let bias = opt_tensor(e, op, "bias")?;
    let mask = match arg(e, op, "output_mask")? {
        ArgValue::BoolList(v) if v.len() == 3 => [v[0], v[1], v[2]],
        _ => {
            return Err(Refusal::Internal(
                "'output_mask' is not three booleans".into(),
            ));
        }
    };
    let (inner, outer, count) = layer_norm_dims(e, op, input)?;
    let mut computed = [
        mask[0],
        mask[1] && weight.is_some(),
        mask[2] && bias.is_some(),
    ];
    let results = masked_results(e, op, &mut computed)?;
    let cdt = e.dtype(input).computation();
    let g = e.cast(grad_out, cdt)?;
    let x = e.cast(input, cdt)?;
    let centered = e.sub(x, mean)?;
    let x_hat = e.mul(centered, rstd)?;
    let mut outs = vec![None, None, None];
    if computed[0] {
        let g_hat = match weight {
            Some(w) => {
                let w = e.cast(w, cdt)?;
                e.mul(g, w)?
            }
            None => g,
        };
        let a = e.with_int("aten.mul.Scalar", g_hat, count as i64)?;
        let b = e.sum(g_hat, &inner, true)?;
        let c1 = e.mul(g_hat, x_hat)?;
        let c2 = e.sum(c1, &inner, true)?;
        let c3 = e.mul(x_hat, c2)?;
        let ab = e.sub(a, b)?;
        let inner_term = e.sub(ab, c3)?;
        let scale = e.with_int("aten.div.Scalar", rstd, count as i64)?;
        let dx = e.mul(scale, inner_term)?;
        outs[0] = Some(e.cast(dx, masked_dtype(&results, 0)?)?);
    }
    if computed[1] {
        let p = e.mul(g, x_hat)?;
        let dw = if outer.is_empty() {
            p
        } else {
            e.sum(p, &outer, false)?
        };
        outs[1] = Some(e.cast(dw, masked_dtype(&results, 1)?)?);
    }
    if computed[2] {
        let db = if outer.is_empty() {
            g
        } else {
            e.sum(g, &outer, false)?
        };
        outs[2] = Some(e.cast(db, masked_dtype(&results, 2)?)?);
    }
    zero_uncomputed(e, op, &mut outs, &results)?;
    Ok(outs)
}

// ----- gelu -------------------------------------------------------------------------------

const M_SQRT2: f64 = std::f64::consts::SQRT_2;
const M_SQRT1_2: f64 = std::f64::consts::FRAC_1_SQRT_2;
const M_2_SQRTPI: f64 = std::f64::consts::FRAC_2_SQRT_PI;
/// `sqrt(2 / pi)`, the tanh approximation's scale.
const TANH_BETA: f64 = M_SQRT2 * M_2_SQRTPI * 0.5;
const TANH_KAPPA: f64 = 0.044715;

/// `gelu(x) ==> x * 0.5 * (1 + erf(x / sqrt(2)))`.
/// With `approximate='tanh'`: `0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))`.
fn gelu(e: &mut Emitter, op: OpId) -> Replacements {
    let tanh = tanh_approximation(e, op)?;
    let input = tensor(e, op, "self")?;
    let out = result_info(e, op, 0);
    let x = e.cast(input, e.dtype(input).computation())?;
    let half = e.with_float("aten.mul.Scalar", x, 0.5)?;
    let curve = if tanh {
        let square = e.mul(x, x)?;
        let cube = e.mul(square, x)?;
        let k = e.with_float("aten.mul.Scalar", cube, TANH_KAPPA)?;
        let sum = e.add(x, k)?;
        let inner = e.with_float("aten.mul.Scalar", sum, TANH_BETA)?;
        e.unary("aten.tanh", inner)?
    } else {
        let scaled = e.with_float("aten.mul.Scalar", x, M_SQRT1_2)?;
        e.unary("aten.erf", scaled)?
    };
    let one_plus = e.with_float("aten.add.Scalar", curve, 1.0)?;
    let r = e.mul(half, one_plus)?;
    Ok(vec![Some(e.cast(r, out.dtype)?)])
}

/// `gelu_backward(g, x) ==> g * (cdf(x) + x * pdf(x))`.
/// With `cdf = 0.5 * (1 + erf(x / sqrt(2)))` and `pdf = exp(-x^2 / 2) / sqrt(2 pi)`; the
/// tanh form differentiates the tanh approximation.
fn gelu_backward(e: &mut Emitter, op: OpId) -> Replacements {
    let tanh = tanh_approximation(e, op)?;
    let grad = tensor(e, op, "grad_output")?;
    let input = tensor(e, op, "self")?;
    let out = result_info(e, op, 0);
    let cdt = backward_dtype(e, grad, input);
    let (g, x) = (e.cast(grad, cdt)?, e.cast(input, cdt)?);
    let slope = if tanh {
        let x_sq = e.mul(x, x)?;
        let x_cube = e.mul(x_sq, x)?;
        let k = e.with_float("aten.mul.Scalar", x_cube, TANH_KAPPA)?;
        let sum = e.add(x, k)?;
        let inner = e.with_float("aten.mul.Scalar", sum, TANH_BETA)?;
        let tanh_inner = e.unary("aten.tanh", inner)?;
        let left = e.with_float("aten.mul.Scalar", x, 0.5)?;
        let right = e.with_float("aten.add.Scalar", tanh_inner, 1.0)?;
        let left_derivative = e.with_float("aten.mul.Scalar", right, 0.5)?;
        let tanh_sq = e.mul(tanh_inner, tanh_inner)?;
        let tanh_derivative = one_minus(e, tanh_sq)?;
        let k3 = e.with_float("aten.mul.Scalar", x_sq, 3.0 * TANH_KAPPA)?;
        let k3_plus = e.with_float("aten.add.Scalar", k3, 1.0)?;
        let inner_derivative = e.with_float("aten.mul.Scalar", k3_plus, TANH_BETA)?;
        let lt = e.mul(left, tanh_derivative)?;
        let right_derivative = e.mul(lt, inner_derivative)?;
        e.add(left_derivative, right_derivative)?
    } else {
        let scaled = e.with_float("aten.mul.Scalar", x, M_SQRT1_2)?;
        let erf = e.unary("aten.erf", scaled)?;
        let erf_plus = e.with_float("aten.add.Scalar", erf, 1.0)?;
        let cdf = e.with_float("aten.mul.Scalar", erf_plus, 0.5)?;
        let x_sq = e.mul(x, x)?;
        let half_sq = e.with_float("aten.mul.Scalar", x_sq, -0.5)?;
        let exp = e.unary("aten.exp", half_sq)?;
        let pdf = e.with_float("aten.mul.Scalar", exp, M_2_SQRTPI * M_SQRT1_2 * 0.5)?;
        let x_pdf = e.mul(x, pdf)?;
        e.add(cdf, x_pdf)?
    };
    let r = e.mul(g, slope)?;
    Ok(vec![Some(e.cast(r, out.dtype)?)])
}

// ----- mean -------------------------------------------------------------------------------

/// `mean(x, D) ==> sum(x, D) / N` with `N` the number of elements reduced into each one.
fn mean(e: &mut Emitter, op: OpId) -> Replacements {
    let x = tensor(e, op, "self")?;
    let out = result_info(e, op, 0);
    let count = reduced_count(e, x, &out)
        .ok_or("it needs static shapes to count the elements it averages")?;
    let cdt = out.dtype.computation();
    let mut attrs = Vec::new();
    for name in ["dim", "keepdim"] {
        if let Some(a) = e.ctx.attr(op, name) {
            attrs.push((name, a));
        }
    }
    if e.dtype(x) != cdt {
        attrs.push(("dtype", e.dtype_attr(cdt)));
    }
    let sum_op = if e.ctx.name_str(op) == "aten.mean" {
        "aten.sum"
    } else {
        "aten.sum.dim_IntList"
    };
    let sum = e.op1(sum_op, &[x], attrs)?;
    let r = e.with_int("aten.div.Scalar", sum, count as i64)?;
    Ok(vec![Some(e.cast(r, out.dtype)?)])
}

// ----- pointwise backward formulas --------------------------------------------------------

/// `tanh_backward(g, y) ==> g * (1 - y * y)`.
fn tanh_backward(e: &mut Emitter, op: OpId) -> Replacements {
    let (g, y, out) = grad_and_output(e, op)?;
    let y_sq = e.mul(y, y)?;
    let slope = one_minus(e, y_sq)?;
    let r = e.mul(g, slope)?;
    Ok(vec![Some(e.cast(r, out)?)])
}

/// `sigmoid_backward(g, y) ==> g * (y * (1 - y))`.
fn sigmoid_backward(e: &mut Emitter, op: OpId) -> Replacements {
    let (g, y, out) = grad_and_output(e, op)?;
    let complement = one_minus(e, y)?;
    let slope = e.mul(y, complement)?;
    let r = e.mul(g, slope)?;
    Ok(vec![Some(e.cast(r, out)?)])
}

/// `grad_output` and `output` in the computation dtype, and the result dtype.
fn grad_and_output(e: &mut Emitter, op: OpId) -> Result<(Value, Value, DType), Refusal> {
    let g = tensor(e, op, "grad_output")?;
    let y = tensor(e, op, "output")?;
    let cdt = backward_dtype(e, g, y);
    let out = result_info(e, op, 0).dtype;
    Ok((e.cast(g, cdt)?, e.cast(y, cdt)?, out))
}

/// `threshold_backward(g, x, t) ==> where(x <= t, 0, g)`, compared in the result dtype
/// with `t` converted to it (PyTorch's kernel: an integer result truncates `t`).
fn threshold_backward(e: &mut Emitter, op: OpId) -> Replacements {
    let g = tensor(e, op, "grad_output")?;
    let x = tensor(e, op, "self")?;
    let t = float_arg(e, op, "threshold")?;
    let out = result_info(e, op, 0).dtype;
    let threshold = if out.is_float() {
        e.float(t)
    } else {
        e.int(t as i64)
    };
    let x = e.cast(x, out)?;
    let below = e.op1("aten.le.Scalar", &[x], vec![("other", threshold)])?;
    let zero = e.constant(0.0, out)?;
    let g = e.cast(g, out)?;
    Ok(vec![Some(e.select(below, zero, g)?)])
}

/// `native_dropout_backward(g, mask, scale) ==> g * (mask.to(g) * scale)`.
fn native_dropout_backward(e: &mut Emitter, op: OpId) -> Replacements {
    let g = tensor(e, op, "grad_output")?;
    let mask = tensor(e, op, "mask")?;
    let scale = float_arg(e, op, "scale")?;
    let out = result_info(e, op, 0).dtype;
    let kept = e.cast(mask, e.dtype(g))?;
    let scaled = e.with_float("aten.mul.Scalar", kept, scale)?;
    let r = e.mul(g, scaled)?;
    Ok(vec![Some(e.cast(r, out)?)])
}

// ----- variance ---------------------------------------------------------------------------

/// The number of elements reduced into each element of `out`, when shapes are static.
fn reduced_count(e: &Emitter, x: Value, out: &TensorInfo) -> Option<u64> {
    let in_numel: u64 = static_dims(&e.info(x))?.iter().product();
    let out_numel: u64 = static_dims(out)?.iter().product();
    // With no output element the count is never used; with no input element it is 0.
    Some(in_numel.checked_div(out_numel).unwrap_or(1))
}

/// `var(x, D, c) ==> sum((x - sum(x, D) / N)^2, D) / (N - c)`.
/// `var_mean` also returns the mean `sum(x, D) / N`; `c` defaults to 1.
fn var(e: &mut Emitter, op: OpId) -> Replacements {
    let x = tensor(e, op, "self")?;
    let out = result_info(e, op, 0);
    let count = reduced_count(e, x, &out)
        .ok_or("it needs static shapes to count the elements it reduces")?;
    let correction = if e.ctx.name_str(op) == "aten.var.dim" {
        match arg(e, op, "unbiased")? {
            ArgValue::Bool(unbiased) => f64::from(u8::from(unbiased)),
            _ => return Err(Refusal::Internal("'unbiased' is not a bool".into())),
        }
    } else {
        match arg(e, op, "correction")? {
            ArgValue::None => 1.0,
            v => v
                .as_f64()
                .ok_or_else(|| Refusal::Internal("'correction' is not a number".into()))?,
        }
    };
    let divisor = count as f64 - correction;
    if divisor <= 0.0 {
        return Err(format!("N - correction = {divisor} is not positive").into());
    }
    let dims = match arg(e, op, "dim")? {
        ArgValue::IntList(v) => v,
        _ => Vec::new(),
    };
    let keepdim = matches!(arg(e, op, "keepdim")?, ArgValue::Bool(true));
    let x = e.cast(x, out.dtype.computation())?;
    let sum = e.sum(x, &dims, true)?;
    let mean = e.with_int("aten.div.Scalar", sum, count as i64)?;
    let centered = e.sub(x, mean)?;
    let squares = e.mul(centered, centered)?;
    let square_sum = e.sum(squares, &dims, keepdim)?;
    let var = e.with_float("aten.div.Scalar", square_sum, divisor)?;
    let mut outs = vec![Some(e.cast(var, out.dtype)?)];
    if e.ctx.results(op).len() == 2 {
        let mean = if keepdim {
            mean
        } else {
            let size = static_dims(&out).expect("counted above");
            let size: Vec<i64> = size.iter().map(|&n| n as i64).collect();
            let size = e.ints(&size);
            e.op1("aten.view", &[mean], vec![("size", size)])?
        };
        outs.push(Some(e.cast(mean, result_info(e, op, 1).dtype)?));
    }
    Ok(outs)
}

// ----- batch norm -------------------------------------------------------------------------

/// `[C]` viewed as `[C, 1, ...]`, broadcasting against an `[N, C, ...]` input of `rank`.
fn per_channel(e: &mut Emitter, v: Value, rank: usize) -> Result<Value, Refusal> {
    let mut size = vec![-1i64];
    size.extend(std::iter::repeat_n(1, rank.saturating_sub(2)));
    let size = e.ints(&size);
    e.op1("aten.view", &[v], vec![("size", size)])
}

/// The dims batch norm reduces (all but the channel dim 1) and the elements per channel.
fn batch_norm_dims(e: &Emitter, input: Value) -> Result<(Vec<i64>, usize, Option<u64>), Refusal> {
    let shape = ranked(e, input, "input")?;
    let dims: Vec<i64> = (0..shape.len() as i64).filter(|&d| d != 1).collect();
    let count = dims
        .iter()
        .map(|&d| match shape[d as usize] {
            Dim::Static(n) => Some(n),
            Dim::Dynamic => None,
        })
        .product::<Option<u64>>();
    Ok((dims, shape.len(), count))
}

/// `batch_norm(x) ==> (x - mean) * rsqrt(var + eps) * w + b`, per channel.
/// Training uses the batch's `mean = sum(x, D) / n` and biased `var = sum((x - mean)^2, D)
/// / n` and moves the running statistics to `m * batch + (1 - m) * running` (the variance
/// unbiased by `n / (n - 1)`); evaluation uses the running statistics and saves empty
/// tensors, as PyTorch does on CPU.
fn batch_norm(e: &mut Emitter, op: OpId) -> Replacements {
    let input = tensor(e, op, "input")?;
    let weight = opt_tensor(e, op, "weight")?;
    let bias = opt_tensor(e, op, "bias")?;
    let training = matches!(
        attr_or_default(e.ctx, op, "training"),
        Ok(ArgValue::Bool(true))
    );
    let (dims, rank, count) = batch_norm_dims(e, input)?;
    if rank < 2 {
        return Err("the input has no channel dim".into());
    }
    // `_native_batch_norm_legit.no_stats` has no running statistics in its schema.
    let has_stats = e.ctx.name_str(op) != "aten._native_batch_norm_legit.no_stats";
    let running = |e: &Emitter, name: &str| match has_stats {
        true => opt_tensor(e, op, name),
        false => Ok(None),
    };
    let bn = BatchNorm {
        input,
        running_mean: running(e, "running_mean")?,
        running_var: running(e, "running_var")?,
        momentum: float_arg(e, op, "momentum")?,
        eps: float_arg(e, op, "eps")?,
        dims,
        rank,
        results: (0..e.ctx.results(op).len())
            .map(|i| result_info(e, op, i))
            .collect(),
    };
    let (normalized, mut outs) = if training {
        let count = match count {
            Some(n) if n > 1 => n as i64,
            Some(_) => return Err("training needs more than one element per channel".into()),
            None => {
                return Err("training needs static sizes to count the elements per channel".into());
            }
        };
        batch_norm_training(e, &bn, count)?
    } else {
        batch_norm_evaluation(e, &bn)?
    };
    let mut y = normalized;
    if let Some(w) = weight {
        let w = per_channel(e, w, rank)?;
        y = e.mul(y, w)?;
    }
    if let Some(b) = bias {
        let b = per_channel(e, b, rank)?;
        y = e.add(y, b)?;
    }
    outs[0] = Some(e.cast(y, bn.results[0].dtype)?);
    Ok(outs)
}

/// What both batch norm modes read.
struct BatchNorm {
    input: Value,
    running_mean: Option<Value>,
    running_var: Option<Value>,
    momentum: f64,
    eps: f64,
    /// Every dim but the channel dim 1.
    dims: Vec<i64>,
    rank: usize,
    /// The op's result types (3, or 5 with the new running statistics).
    results: Vec<TensorInfo>,
}

/// The normalized input and the replacements of every result but the output (slot 0).
type Normalized = Result<(Value, Vec<Option<Value>>), Refusal>;

/// Batch statistics: the normalized input, the saved mean and rstd, and (5 results) the
/// running statistics moved by momentum.
fn batch_norm_training(e: &mut Emitter, bn: &BatchNorm, count: i64) -> Normalized {
    let x = e.cast(bn.input, e.dtype(bn.input).computation())?;
    let sum = e.sum(x, &bn.dims, true)?;
    let mean = e.with_int("aten.div.Scalar", sum, count)?;
    let centered = e.sub(x, mean)?;
    let squares = e.mul(centered, centered)?;
    let square_sum = e.sum(squares, &bn.dims, true)?;
    let var = e.with_int("aten.div.Scalar", square_sum, count)?;
    let shifted = e.with_float("aten.add.Scalar", var, bn.eps)?;
    let rstd = e.unary("aten.rsqrt", shifted)?;
    let normalized = e.mul(centered, rstd)?;
    let squeeze = |e: &mut Emitter, v: Value| {
        let dim = e.ints(&bn.dims);
        e.op1("aten.squeeze.dims", &[v], vec![("dim", dim)])
    };
    let save_mean = squeeze(e, mean)?;
    let save_rstd = squeeze(e, rstd)?;
    let mut outs = vec![
        None,
        Some(e.cast(save_mean, bn.results[1].dtype)?),
        Some(e.cast(save_rstd, bn.results[2].dtype)?),
    ];
    if bn.results.len() == 5 {
        let (Some(rm), Some(rv)) = (bn.running_mean, bn.running_var) else {
            return Err(Refusal::Internal("no running statistics to update".into()));
        };
        let moved = e.with_float("aten.mul.Scalar", save_mean, bn.momentum)?;
        let kept = e.with_float("aten.mul.Scalar", rm, 1.0 - bn.momentum)?;
        let new_mean = e.add(moved, kept)?;
        let batch_var = squeeze(e, var)?;
        let bessel = count as f64 / (count - 1) as f64;
        let unbiased = e.with_float("aten.mul.Scalar", batch_var, bessel)?;
        let moved = e.with_float("aten.mul.Scalar", unbiased, bn.momentum)?;
        let kept = e.with_float("aten.mul.Scalar", rv, 1.0 - bn.momentum)?;
        let new_var = e.add(moved, kept)?;
        outs.push(Some(e.cast(new_mean, bn.results[3].dtype)?));
        outs.push(Some(e.cast(new_var, bn.results[4].dtype)?));
    }
    Ok((normalized, outs))
}

/// Running statistics: the normalized input, empty saved statistics (PyTorch on CPU) and
/// (5 results) the running statistics unchanged.
fn batch_norm_evaluation(e: &mut Emitter, bn: &BatchNorm) -> Normalized {
    let (Some(rm), Some(rv)) = (bn.running_mean, bn.running_var) else {
        return Err("evaluation mode needs running statistics".into());
    };
    let cdt = e.dtype(bn.input).computation();
    let mean = e.cast(rm, cdt)?;
    let var = e.cast(rv, cdt)?;
    let shifted = e.with_float("aten.add.Scalar", var, bn.eps)?;
    let invstd = e.unary("aten.rsqrt", shifted)?;
    let mean = per_channel(e, mean, bn.rank)?;
    let invstd = per_channel(e, invstd, bn.rank)?;
    let centered = e.sub(bn.input, mean)?;
    let normalized = e.mul(centered, invstd)?;
    let mut outs = vec![
        None,
        Some(e.zeros(&bn.results[1])?),
        Some(e.zeros(&bn.results[2])?),
    ];
    if bn.results.len() == 5 {
        outs.push(Some(e.cast(rm, bn.results[3].dtype)?));
        outs.push(Some(e.cast(rv, bn.results[4].dtype)?));
    }
    Ok((normalized, outs))
}

/// `dx ==> (g - (x - mean) * dot * invstd^2 / n - sum(g) / n) * invstd * w`.
/// That is training; evaluation is `g * invstd * w` with the running statistics. Also
/// `dw = dot * invstd` and `db = sum(g)`, where `dot = sum(g * (x - mean))` and the sums
/// run over every dim but the channel dim.
fn native_batch_norm_backward(e: &mut Emitter, op: OpId) -> Replacements {
    let grad_out = tensor(e, op, "grad_out")?;
    let input = tensor(e, op, "input")?;
    let weight = opt_tensor(e, op, "weight")?;
    let running_mean = opt_tensor(e, op, "running_mean")?;
    let running_var = opt_tensor(e, op, "running_var")?;
    let save_mean = opt_tensor(e, op, "save_mean")?;
    let save_invstd = opt_tensor(e, op, "save_invstd")?;
    let training = matches!(arg(e, op, "train")?, ArgValue::Bool(true));
    let eps = float_arg(e, op, "eps")?;
    let mask = match arg(e, op, "output_mask")? {
        ArgValue::BoolList(v) if v.len() == 3 => [v[0], v[1], v[2]],
        _ => {
            return Err(Refusal::Internal(
                "'output_mask' is not three booleans".into(),
            ));
        }
    };
    let (dims, rank, count) = batch_norm_dims(e, input)?;
    if rank < 2 {
        return Err("the input has no channel dim".into());
    }
    let count = count.ok_or("it needs static sizes to count the elements per channel")?;
    if count == 0 {
        return Err("the input has no element per channel".into());
    }
    let mut mask = mask;
    let results = masked_results(e, op, &mut mask)?;
    let cdt = e.dtype(input).computation();
    let g = e.cast(grad_out, cdt)?;
    let x = e.cast(input, cdt)?;
    let (mean, invstd) = if training {
        let (Some(m), Some(s)) = (save_mean, save_invstd) else {
            return Err("training mode needs save_mean and save_invstd".into());
        };
        (e.cast(m, cdt)?, e.cast(s, cdt)?)
    } else {
        let (Some(m), Some(v)) = (running_mean, running_var) else {
            return Err("evaluation mode needs running statistics".into());
        };
        let m = e.cast(m, cdt)?;
        let v = e.cast(v, cdt)?;
        let shifted = e.with_float("aten.add.Scalar", v, eps)?;
        (m, e.unary("aten.rsqrt", shifted)?)
    };
    let norm = 1.0 / count as f64;
    let mean_b = per_channel(e, mean, rank)?;
    let grad_sum = e.sum(g, &dims, false)?;
    let centered = e.sub(x, mean_b)?;
    let g_centered = e.mul(g, centered)?;
    let dot = e.sum(g_centered, &dims, false)?;
    let mut outs = vec![None, None, None];
    if mask[0] {
        let scale = match weight {
            Some(w) => {
                let w = e.cast(w, cdt)?;
                e.mul(invstd, w)?
            }
            None => invstd,
        };
        let grad_scale = per_channel(e, scale, rank)?;
        let dx = if training {
            let grad_mean = e.with_float("aten.mul.Scalar", grad_sum, norm)?;
            let grad_mean = per_channel(e, grad_mean, rank)?;
            let dot_norm = e.with_float("aten.mul.Scalar", dot, norm)?;
            let invstd_sq = e.mul(invstd, invstd)?;
            let proj_scale = e.mul(dot_norm, invstd_sq)?;
            let proj_scale = per_channel(e, proj_scale, rank)?;
            let proj = e.mul(centered, proj_scale)?;
            let a = e.sub(g, proj)?;
            let b = e.sub(a, grad_mean)?;
            e.mul(b, grad_scale)?
        } else {
            e.mul(g, grad_scale)?
        };
        outs[0] = Some(e.cast(dx, masked_dtype(&results, 0)?)?);
    }
    if mask[1] {
        let dw = e.mul(dot, invstd)?;
        outs[1] = Some(e.cast(dw, masked_dtype(&results, 1)?)?);
    }
    if mask[2] {
        outs[2] = Some(e.cast(grad_sum, masked_dtype(&results, 2)?)?);
    }
    zero_uncomputed(e, op, &mut outs, &results)?;
    Ok(outs)
}

// ----- activations ------------------------------------------------------------------------

/// `x` of a forward activation in its computation dtype, and the result dtype.
fn activation_input(e: &mut Emitter, op: OpId) -> Result<(Value, DType), Refusal> {
    let x = tensor(e, op, "self")?;
    let out = result_info(e, op, 0).dtype;
    Ok((e.cast(x, e.dtype(x).computation())?, out))
}

/// `grad_output` and `input` of a backward activation in their computation dtype, and the
/// result dtype.
fn activation_grads(
    e: &mut Emitter,
    op: OpId,
    input: &str,
) -> Result<(Value, Value, DType), Refusal> {
    let g = tensor(e, op, "grad_output")?;
    let x = tensor(e, op, input)?;
    let cdt = backward_dtype(e, g, x);
    let out = result_info(e, op, 0).dtype;
    Ok((e.cast(g, cdt)?, e.cast(x, cdt)?, out))
}

/// `where(cond, a, 0)`.
fn or_zero(e: &mut Emitter, cond: Value, a: Value) -> Result<Value, Refusal> {
    let zero = e.constant(0.0, e.dtype(a))?;
    e.select(cond, a, zero)
}

/// `clamp(x, lo, hi)` with float bounds.
fn clamp(e: &mut Emitter, x: Value, lo: f64, hi: f64) -> Result<Value, Refusal> {
    let (lo, hi) = (e.float(lo), e.float(hi));
    e.op1("aten.clamp", &[x], vec![("min", lo), ("max", hi)])
}

/// `softplus(x) ==> where(x * beta > threshold, x, log1p(exp(x * beta)) / beta)`.
fn softplus_of(e: &mut Emitter, x: Value, beta: f64, threshold: f64) -> Result<Value, Refusal> {
    let xb = e.with_float("aten.mul.Scalar", x, beta)?;
    let linear = e.with_float("aten.gt.Scalar", xb, threshold)?;
    let exp = e.unary("aten.exp", xb)?;
    let log = e.unary("aten.log1p", exp)?;
    let soft = e.with_float("aten.div.Scalar", log, beta)?;
    e.select(linear, x, soft)
}

/// `silu(x) ==> x * sigmoid(x)`.
fn silu(e: &mut Emitter, op: OpId) -> Replacements {
    let (x, out) = activation_input(e, op)?;
    let s = e.unary("aten.sigmoid", x)?;
    let r = e.mul(x, s)?;
    Ok(vec![Some(e.cast(r, out)?)])
}

/// `silu_backward(g, x) ==> g * s * (1 + x * (1 - s))` with `s = sigmoid(x)`.
fn silu_backward(e: &mut Emitter, op: OpId) -> Replacements {
    let (g, x, out) = activation_grads(e, op, "self")?;
    let s = e.unary("aten.sigmoid", x)?;
    let complement = one_minus(e, s)?;
    let xc = e.mul(x, complement)?;
    let one_plus = e.with_float("aten.add.Scalar", xc, 1.0)?;
    let gs = e.mul(g, s)?;
    let r = e.mul(gs, one_plus)?;
    Ok(vec![Some(e.cast(r, out)?)])
}

/// `elu(x) ==> where(x > 0, x * scale, expm1(x * input_scale) * alpha * scale)`.
fn elu(e: &mut Emitter, op: OpId) -> Replacements {
    let (alpha, scale) = (float_arg(e, op, "alpha")?, float_arg(e, op, "scale")?);
    let input_scale = float_arg(e, op, "input_scale")?;
    let (x, out) = activation_input(e, op)?;
    let positive = e.with_float("aten.gt.Scalar", x, 0.0)?;
    let linear = e.with_float("aten.mul.Scalar", x, scale)?;
    let xs = e.with_float("aten.mul.Scalar", x, input_scale)?;
    let em1 = e.unary("aten.expm1", xs)?;
    let curve = e.with_float("aten.mul.Scalar", em1, alpha * scale)?;
    let r = e.select(positive, linear, curve)?;
    Ok(vec![Some(e.cast(r, out)?)])
}

/// `elu_backward(g, y) ==> where(y <= 0, g * input_scale * (y + alpha * scale), g * scale)`
/// from the result `y`; from the input `x` the negative side is
/// `g * input_scale * alpha * scale * exp(x * input_scale)`.
fn elu_backward(e: &mut Emitter, op: OpId) -> Replacements {
    let (alpha, scale) = (float_arg(e, op, "alpha")?, float_arg(e, op, "scale")?);
    let input_scale = float_arg(e, op, "input_scale")?;
    let is_result = arg(e, op, "is_result")?
        .as_bool()
        .ok_or_else(|| Refusal::Internal("'is_result' is not a boolean".into()))?;
    let (g, v, out) = activation_grads(e, op, "self_or_result")?;
    let negative = e.with_float("aten.le.Scalar", v, 0.0)?;
    let slope = if is_result {
        e.with_float("aten.add.Scalar", v, alpha * scale)?
    } else {
        let xs = e.with_float("aten.mul.Scalar", v, input_scale)?;
        let exp = e.unary("aten.exp", xs)?;
        e.with_float("aten.mul.Scalar", exp, alpha * scale)?
    };
    let gs = e.with_float("aten.mul.Scalar", g, input_scale)?;
    let neg_side = e.mul(gs, slope)?;
    let pos_side = e.with_float("aten.mul.Scalar", g, scale)?;
    let r = e.select(negative, neg_side, pos_side)?;
    Ok(vec![Some(e.cast(r, out)?)])
}

/// `leaky_relu(x) ==> where(x > 0, x, x * negative_slope)`.
fn leaky_relu(e: &mut Emitter, op: OpId) -> Replacements {
    let slope = float_arg(e, op, "negative_slope")?;
    let (x, out) = activation_input(e, op)?;
    let positive = e.with_float("aten.gt.Scalar", x, 0.0)?;
    let scaled = e.with_float("aten.mul.Scalar", x, slope)?;
    let r = e.select(positive, x, scaled)?;
    Ok(vec![Some(e.cast(r, out)?)])
}

/// `leaky_relu_backward(g, x) ==> where(x > 0, g, g * negative_slope)`.
fn leaky_relu_backward(e: &mut Emitter, op: OpId) -> Replacements {
    let slope = float_arg(e, op, "negative_slope")?;
    let (g, x, out) = activation_grads(e, op, "self")?;
    let positive = e.with_float("aten.gt.Scalar", x, 0.0)?;
    let scaled = e.with_float("aten.mul.Scalar", g, slope)?;
    let r = e.select(positive, g, scaled)?;
    Ok(vec![Some(e.cast(r, out)?)])
}

/// `hardtanh(x, lo, hi) ==> clamp(x, lo, hi)`, the bounds in `x`'s kind (integer inputs
/// take them truncated, as PyTorch converts them to the input's dtype).
fn hardtanh(e: &mut Emitter, op: OpId) -> Replacements {
    let x = tensor(e, op, "self")?;
    let (lo, hi) = (float_arg(e, op, "min_val")?, float_arg(e, op, "max_val")?);
    if e.dtype(x).is_float() {
        return Ok(vec![Some(clamp(e, x, lo, hi)?)]);
    }
    let (lo, hi) = (e.int(lo as i64), e.int(hi as i64));
    Ok(vec![Some(e.op1(
        "aten.clamp",
        &[x],
        vec![("min", lo), ("max", hi)],
    )?)])
}

/// `hardtanh_backward(g, x) ==> where(x <= lo | x >= hi, 0, g)`.
fn hardtanh_backward(e: &mut Emitter, op: OpId) -> Replacements {
    let (lo, hi) = (float_arg(e, op, "min_val")?, float_arg(e, op, "max_val")?);
    let (g, x, out) = activation_grads(e, op, "self")?;
    let above = e.with_float("aten.gt.Scalar", x, lo)?;
    let below = e.with_float("aten.lt.Scalar", x, hi)?;
    let inside = e.binary("aten.logical_and", above, below)?;
    let r = or_zero(e, inside, g)?;
    Ok(vec![Some(e.cast(r, out)?)])
}

/// `hardswish(x) ==> x * clamp(x + 3, 0, 6) / 6`.
fn hardswish(e: &mut Emitter, op: OpId) -> Replacements {
    let (x, out) = activation_input(e, op)?;
    let shifted = e.with_float("aten.add.Scalar", x, 3.0)?;
    let relu6 = clamp(e, shifted, 0.0, 6.0)?;
    let scaled = e.with_float("aten.div.Scalar", relu6, 6.0)?;
    let r = e.mul(x, scaled)?;
    Ok(vec![Some(e.cast(r, out)?)])
}

/// `hardswish_backward(g, x) ==> where(x < -3, 0, where(x <= 3, g * (x / 3 + 0.5), g))`.
fn hardswish_backward(e: &mut Emitter, op: OpId) -> Replacements {
    let (g, x, out) = activation_grads(e, op, "self")?;
    // PyTorch's branches in its order: a NaN `x` fails both tests and passes `g` through.
    let low = e.with_float("aten.lt.Scalar", x, -3.0)?;
    let middle = e.with_float("aten.le.Scalar", x, 3.0)?;
    let third = e.with_float("aten.div.Scalar", x, 3.0)?;
    let slope = e.with_float("aten.add.Scalar", third, 0.5)?;
    let gs = e.mul(g, slope)?;
    let upper = e.select(middle, gs, g)?;
    let zero = e.constant(0.0, e.dtype(upper))?;
    let r = e.select(low, zero, upper)?;
    Ok(vec![Some(e.cast(r, out)?)])
}

/// `hardsigmoid(x) ==> clamp(x + 3, 0, 6) / 6`.
fn hardsigmoid(e: &mut Emitter, op: OpId) -> Replacements {
    let (x, out) = activation_input(e, op)?;
    let shifted = e.with_float("aten.add.Scalar", x, 3.0)?;
    let relu6 = clamp(e, shifted, 0.0, 6.0)?;
    let r = e.with_float("aten.div.Scalar", relu6, 6.0)?;
    Ok(vec![Some(e.cast(r, out)?)])
}

/// `hardsigmoid_backward(g, x) ==> where(-3 < x < 3, g / 6, 0)`.
fn hardsigmoid_backward(e: &mut Emitter, op: OpId) -> Replacements {
    let (g, x, out) = activation_grads(e, op, "self")?;
    let above = e.with_float("aten.gt.Scalar", x, -3.0)?;
    let below = e.with_float("aten.lt.Scalar", x, 3.0)?;
    let inside = e.binary("aten.logical_and", above, below)?;
    let sixth = e.with_float("aten.div.Scalar", g, 6.0)?;
    let r = or_zero(e, inside, sixth)?;
    Ok(vec![Some(e.cast(r, out)?)])
}

/// `mish(x) ==> x * tanh(softplus(x))`.
fn mish(e: &mut Emitter, op: OpId) -> Replacements {
    let (x, out) = activation_input(e, op)?;
    let sp = softplus_of(e, x, 1.0, 20.0)?;
    let t = e.unary("aten.tanh", sp)?;
    let r = e.mul(x, t)?;
    Ok(vec![Some(e.cast(r, out)?)])
}

/// `mish_backward(g, x) ==> g * (t + x * sigmoid(x) * (1 - t * t))` with
/// `t = tanh(softplus(x))`.
fn mish_backward(e: &mut Emitter, op: OpId) -> Replacements {
    let (g, x, out) = activation_grads(e, op, "self")?;
    let sp = softplus_of(e, x, 1.0, 20.0)?;
    let t = e.unary("aten.tanh", sp)?;
    let s = e.unary("aten.sigmoid", x)?;
    let t_sq = e.mul(t, t)?;
    let complement = one_minus(e, t_sq)?;
    let xs = e.mul(x, s)?;
    let xsc = e.mul(xs, complement)?;
    let slope = e.add(t, xsc)?;
    let r = e.mul(g, slope)?;
    Ok(vec![Some(e.cast(r, out)?)])
}

/// `softplus(x) ==> where(x * beta > threshold, x, log1p(exp(x * beta)) / beta)`.
fn softplus(e: &mut Emitter, op: OpId) -> Replacements {
    let (beta, threshold) = (float_arg(e, op, "beta")?, float_arg(e, op, "threshold")?);
    let (x, out) = activation_input(e, op)?;
    let r = softplus_of(e, x, beta, threshold)?;
    Ok(vec![Some(e.cast(r, out)?)])
}

/// `softplus_backward(g, x) ==> where(x * beta > threshold, g, g * sigmoid(x * beta))`.
fn softplus_backward(e: &mut Emitter, op: OpId) -> Replacements {
    let (beta, threshold) = (float_arg(e, op, "beta")?, float_arg(e, op, "threshold")?);
    let (g, x, out) = activation_grads(e, op, "self")?;
    let xb = e.with_float("aten.mul.Scalar", x, beta)?;
    let linear = e.with_float("aten.gt.Scalar", xb, threshold)?;
    let s = e.unary("aten.sigmoid", xb)?;
    let gs = e.mul(g, s)?;
    let r = e.select(linear, g, gs)?;
    Ok(vec![Some(e.cast(r, out)?)])
}

// ----- losses -----------------------------------------------------------------------------

/// `mse_loss(x, t) ==> (x - t)^2`, then its mean (`reduction = 1`) or sum (`2`).
fn mse_loss(e: &mut Emitter, op: OpId) -> Replacements {
    let x = tensor(e, op, "self")?;
    let t = tensor(e, op, "target")?;
    let out = result_info(e, op, 0).dtype;
    let cdt = backward_dtype(e, x, t);
    let (x, t) = (e.cast(x, cdt)?, e.cast(t, cdt)?);
    let d = e.sub(x, t)?;
    let sq = e.mul(d, d)?;
    let r = reduce_loss(e, op, sq)?;
    Ok(vec![Some(e.cast(r, out)?)])
}

/// `mse_loss_backward(g, x, t) ==> 2 * (x - t) * g`, divided by the element count for a
/// mean.
fn mse_loss_backward(e: &mut Emitter, op: OpId) -> Replacements {
    let g = tensor(e, op, "grad_output")?;
    let x = tensor(e, op, "self")?;
    let t = tensor(e, op, "target")?;
    let out = result_info(e, op, 0).dtype;
    let cdt = promote_types(backward_dtype(e, x, t), e.dtype(g)).computation();
    let (g, x, t) = (e.cast(g, cdt)?, e.cast(x, cdt)?, e.cast(t, cdt)?);
    let d = e.sub(x, t)?;
    let count = mean_count(e, op, d)?;
    let scale = 2.0 / count.map_or(1.0, |n| n as f64);
    let twice = e.with_float("aten.mul.Scalar", d, scale)?;
    let r = e.mul(twice, g)?;
    Ok(vec![Some(e.cast(r, out)?)])
}

// ----- attention --------------------------------------------------------------------------

/// The static sizes of an attention: `lead` batch dims (`n` of them in all), `l` query
/// rows, `s` key rows, head size `e`, and the score scale.
struct AttentionDims {
    lead: Vec<i64>,
    n: i64,
    l: i64,
    s: i64,
    e: i64,
    scale: f64,
}

fn attention_dims(e: &Emitter, op: OpId) -> Result<AttentionDims, Refusal> {
    if float_arg(e, op, "dropout_p")? != 0.0 {
        return Err(Refusal::Unsupported("attention with dropout".into()));
    }
    let dims = |name: &str| -> Result<Vec<i64>, Refusal> {
        let v = tensor(e, op, name)?;
        static_dims(&e.info(v))
            .map(|d| d.iter().map(|&x| x as i64).collect())
            .ok_or_else(|| Refusal::Unsupported(format!("'{name}' needs static sizes")))
    };
    let (q, k) = (dims("query")?, dims("key")?);
    let r = q.len();
    if r < 3 || k.len() != r {
        return Err(Refusal::Internal("attention of rank below 3".into()));
    }
    let lead = q[..r - 2].to_vec();
    let e_size = q[r - 1];
    let scale = match arg(e, op, "scale")? {
        ArgValue::None => 1.0 / (e_size as f64).sqrt(),
        v => v
            .as_f64()
            .ok_or_else(|| Refusal::Internal("'scale' is not a number".into()))?,
    };
    Ok(AttentionDims {
        n: lead.iter().product(),
        lead,
        l: q[r - 2],
        s: k[r - 2],
        e: e_size,
        scale,
    })
}

/// `x` viewed as `[n, rows, cols]`.
fn batched(e: &mut Emitter, x: Value, n: i64, rows: i64, cols: i64) -> Result<Value, Refusal> {
    let size = e.ints(&[n, rows, cols]);
    e.op1("aten.view", &[x], vec![("size", size)])
}

/// `x` of shape `[n, a, b]` as `[n, b, a]`.
fn swap_last(e: &mut Emitter, x: Value) -> Result<Value, Refusal> {
    let (d0, d1) = (e.int(1), e.int(2));
    e.op1("aten.transpose.int", &[x], vec![("dim0", d0), ("dim1", d1)])
}

/// The masked, scaled scores `q k^T * scale` as `[n, l, s]`: the (float) mask is added,
/// the causal mask puts the lowest finite value where a key is hidden.
fn attention_scores(
    e: &mut Emitter,
    op: OpId,
    d: &AttentionDims,
    q3: Value,
    k3: Value,
) -> Result<Value, Refusal> {
    let kt = swap_last(e, k3)?;
    let qk = e.binary("aten.bmm", q3, kt)?;
    let mut scores = e.with_float("aten.mul.Scalar", qk, d.scale)?;
    if let Some(mask) = opt_tensor(e, op, "attn_mask")? {
        let mut full = d.lead.clone();
        full.extend([d.l, d.s]);
        let size = e.ints(&full);
        let expanded = e.op1("aten.expand", &[mask], vec![("size", size)])?;
        let m3 = batched(e, expanded, d.n, d.l, d.s)?;
        scores = e.add(scores, m3)?;
    }
    let is_causal = arg(e, op, "is_causal")?
        .as_bool()
        .ok_or_else(|| Refusal::Internal("'is_causal' is not a boolean".into()))?;
    if is_causal {
        let rows = e.arange(d.l as u64)?;
        let rows = e.unsqueeze(rows, 1)?;
        let cols = e.arange(d.s as u64)?;
        let cols = e.unsqueeze(cols, 0)?;
        let future = e.binary("aten.gt.Tensor", cols, rows)?;
        let low = e.constant(f64::from(f32::MIN), e.dtype(scores))?;
        scores = e.select(future, low, scores)?;
    }
    Ok(scores)
}

/// `x` viewed with the query's batch dims and `tail`.
fn unbatched(e: &mut Emitter, x: Value, d: &AttentionDims, tail: &[i64]) -> Result<Value, Refusal> {
    let mut size = d.lead.clone();
    size.extend_from_slice(tail);
    let size = e.ints(&size);
    e.op1("aten.view", &[x], vec![("size", size)])
}

/// `sdpa(q, k, v) ==> (p @ v, m + log(z))` with `p = exp(S - m) / z`, `m = amax(S)`
/// over the scores that are not NaN, `z = sum(exp(S - m))` over the keys of the scores `S`
/// (masked, scaled `q k^T`); 0 for both results in a row where `m = -inf`.
fn sdpa(e: &mut Emitter, op: OpId) -> Replacements {
    let d = attention_dims(e, op)?;
    let (q, k, v) = (
        tensor(e, op, "query")?,
        tensor(e, op, "key")?,
        tensor(e, op, "value")?,
    );
    let q3 = batched(e, q, d.n, d.l, d.e)?;
    let k3 = batched(e, k, d.n, d.s, d.e)?;
    let v3 = batched(e, v, d.n, d.s, d.e)?;
    let scores = attention_scores(e, op, &d, q3, k3)?;
    // The row max ignores NaN scores; a row whose max is -inf (every key masked or NaN)
    // sees no key and gives output and lse 0, as PyTorch's CPU kernel and the interpreter.
    let dtype = e.dtype(scores);
    let neg_inf = e.constant(f64::NEG_INFINITY, dtype)?;
    let zero = e.constant(0.0, dtype)?;
    let nan = e.unary("aten.isnan", scores)?;
    let numbers = e.select(nan, neg_inf, scores)?;
    let m = e.amax(numbers, &[2], true)?;
    let sees = e.with_float("aten.ne.Scalar", m, f64::NEG_INFINITY)?;
    let m = e.select(sees, m, zero)?;
    let shifted = e.sub(scores, m)?;
    let ex = e.unary("aten.exp", shifted)?;
    let z = e.sum(ex, &[2], true)?;
    let p = e.div(ex, z)?;
    let p = e.select(sees, p, zero)?;
    let out3 = e.binary("aten.bmm", p, v3)?;
    let out = unbatched(e, out3, &d, &[d.l, d.e])?;
    let log_z = e.unary("aten.log", z)?;
    let lse3 = e.add(m, log_z)?;
    let lse3 = e.select(sees, lse3, zero)?;
    let lse = unbatched(e, lse3, &d, &[d.l])?;
    Ok(vec![Some(out), Some(lse)])
}

/// `sdpa_backward(g) ==> dq = dS k, dk = dS^T q, dv = p^T g` with `p = exp(S - lse)` and
/// `dS = p * (g v^T - rowsum(g * out)) * scale`.
fn sdpa_backward(e: &mut Emitter, op: OpId) -> Replacements {
    let d = attention_dims(e, op)?;
    let (q, k, v) = (
        tensor(e, op, "query")?,
        tensor(e, op, "key")?,
        tensor(e, op, "value")?,
    );
    let (g, out, lse) = (
        tensor(e, op, "grad_out")?,
        tensor(e, op, "out")?,
        tensor(e, op, "logsumexp")?,
    );
    let q3 = batched(e, q, d.n, d.l, d.e)?;
    let k3 = batched(e, k, d.n, d.s, d.e)?;
    let v3 = batched(e, v, d.n, d.s, d.e)?;
    let g3 = batched(e, g, d.n, d.l, d.e)?;
    let o3 = batched(e, out, d.n, d.l, d.e)?;
    let lse3 = batched(e, lse, d.n, d.l, 1)?;
    let scores = attention_scores(e, op, &d, q3, k3)?;
    let shifted = e.sub(scores, lse3)?;
    let p = e.unary("aten.exp", shifted)?;
    let pt = swap_last(e, p)?;
    let dv3 = e.binary("aten.bmm", pt, g3)?;
    let vt = swap_last(e, v3)?;
    let dp = e.binary("aten.bmm", g3, vt)?;
    let go = e.mul(g3, o3)?;
    let row = e.sum(go, &[2], true)?;
    let centered = e.sub(dp, row)?;
    let pc = e.mul(p, centered)?;
    let ds = e.with_float("aten.mul.Scalar", pc, d.scale)?;
    let dq3 = e.binary("aten.bmm", ds, k3)?;
    let dst = swap_last(e, ds)?;
    let dk3 = e.binary("aten.bmm", dst, q3)?;
    Ok(vec![
        Some(unbatched(e, dq3, &d, &[d.l, d.e])?),
        Some(unbatched(e, dk3, &d, &[d.s, d.e])?),
        Some(unbatched(e, dv3, &d, &[d.s, d.e])?),
    ])
}

/// `stack(ts, dim) ==> cat([unsqueeze(t, dim) for t in ts], dim)`.
fn stack(e: &mut Emitter, op: OpId) -> Replacements {
    let tensors = operand_group(e.ctx, op, "tensors").map_err(Refusal::Internal)?;
    let first = *tensors
        .first()
        .ok_or_else(|| Refusal::Internal("stack of no tensors".into()))?;
    let rank = ranked(e, first, "tensors")?.len() as i64;
    let dim = int_arg(e, op, "dim")?;
    let dim = if dim < 0 { dim + rank + 1 } else { dim };
    let parts = tensors
        .iter()
        .map(|&t| e.unsqueeze(t, dim))
        .collect::<Result<Vec<_>, _>>()?;
    let d = e.int(dim);
    Ok(vec![Some(e.op1("aten.cat", &parts, vec![("dim", d)])?)])
}

/// `unbind(x, dim) ==> [select(x, dim, i) for i in range(x.size(dim))]`.
fn unbind(e: &mut Emitter, op: OpId) -> Replacements {
    let x = tensor(e, op, "self")?;
    let dim = int_arg(e, op, "dim")?;
    let shape = ranked(e, x, "self")?;
    let n = static_size(&shape, dim)
        .ok_or_else(|| Refusal::Unsupported("unbind along a dynamic dim".into()))?;
    (0..n as i64)
        .map(|i| {
            let (d, i) = (e.int(dim), e.int(i));
            Ok(Some(e.op1(
                "aten.select.int",
                &[x],
                vec![("dim", d), ("index", i)],
            )?))
        })
        .collect()
}

/// `unsafe_split(x, size, dim) ==> split(x, size, dim)`: the same values; only the
/// aliasing differs, which value semantics do not see.
fn unsafe_split(e: &mut Emitter, op: OpId) -> Replacements {
    let x = tensor(e, op, "self")?;
    let (size, dim) = (int_arg(e, op, "split_size")?, int_arg(e, op, "dim")?);
    let (size, dim) = (e.int(size), e.int(dim));
    let parts = e.op(
        "aten.split.Tensor",
        &[x],
        vec![("split_size", size), ("dim", dim)],
    )?;
    Ok(parts.into_iter().map(Some).collect())
}

/// `randperm(n) ==> sort(rand([n], f64)).indices` in the result's dtype: the ascending
/// order of `n` uniform keys, as the interpreter draws it (the `rand` takes the op's place
/// among the function's random ops, and its pinned stream if it has one, so the keys are
/// the same numbers).
fn randperm(e: &mut Emitter, op: OpId) -> Replacements {
    let n = int_arg(e, op, "n")?;
    let info = result_info(e, op, 0);
    let (size, f64_dtype) = (e.ints(&[n]), e.dtype_attr(DType::F64));
    let mut attrs = vec![("size", size), ("dtype", f64_dtype)];
    if let Some(seed) = e.ctx.attr(op, joinery_aten::random::SEED_ATTR) {
        attrs.push((joinery_aten::random::SEED_ATTR, seed));
    }
    let keys = e.op1("aten.rand", &[], attrs)?;
    let (dim, descending) = (e.int(0), e.boolean(false));
    let sorted = e.op(
        "aten.sort",
        &[keys],
        vec![("dim", dim), ("descending", descending)],
    )?;
    Ok(vec![Some(e.cast(sorted[1], info.dtype)?)])
}

/// `new_zeros(x, size) ==> zeros(size)` in the result's dtype.
fn new_zeros(e: &mut Emitter, op: OpId) -> Replacements {
    let info = result_info(e, op, 0);
    Ok(vec![Some(e.zeros(&info)?)])
}
