//! `aten-decompose`: rewrites composite aten ops (softmax and its backward, NLL loss, layer
//! and batch norm, GELU, mean and variance, the pointwise backward formulas) into primitive
//! aten ops of the catalogue, as PyTorch's decomposition table (`torch/_decomp/decompositions.py`,
//! `torch/_refs`) does before inductor lowers a graph.
//!
//! The output is ordinary aten IR: printable, verified by the aten dialect's own inference
//! (every new op is built with [`joinery_aten::build`]), and executable by the reference
//! interpreter, which is how the tests check each rule. It uses only ops the native
//! backend lowers: `amax`, `sum` / `sum.dim_IntList` (with `dtype`), `add` / `sub` / `mul` /
//! `div` (`.Tensor` and `.Scalar`), `neg`, `abs`, `sign`, `pow`, `exp`, `log`, `log1p`,
//! `rsqrt`, `erf`, `tanh`, `clamp`, `isnan`, `logical_or`, `eq.Tensor`,
//! `ne.Scalar`, `le.Scalar`, `where.self`, `scalar_tensor`, `arange`, `zeros`, `unsqueeze`,
//! `squeeze.dims`, `view` and `_to_copy`; gathers and scatters over the class dim become a one-hot
//! `target == arange(C)` mask.
//!
//! # The table
//!
//! [`rules::DECOMPOSITIONS`] holds one row per op: its name, the PyTorch decomposition it
//! follows and its rule. A rule checks what it needs before building anything, builds the
//! primitive ops right before the op ([`emit::Emitter`]) and returns one replacement per
//! result. The walk ([`decompose::decompose_op`]) then checks that every replacement has
//! exactly the type of the result it replaces, rewires the uses, erases the op, gives each
//! replacement the name of the result it replaces, and erases the rule's ops that only fed
//! unused results. A rule that refuses, or whose ops do not type-check, leaves the IR as it
//! was.
//!
//! The crate also holds `aten-complex-to-real` ([`complex`]), which the native pipeline runs
//! before `aten-decompose`: ops on complex tensors become real aten ops on (real, imaginary)
//! pairs, built with the same [`emit::Emitter`].

pub mod complex;
pub mod decompose;
pub mod emit;
pub mod rules;

pub use complex::{COMPLEX_TO_REAL, REWRITES, Rewrite, complex_to_real, rewrite};
pub use decompose::{DecomposeOptions, decompose_function, decompose_op};
pub use rules::{DECOMPOSITIONS, Decomposition, decomposition};

use joinery_ir::{Context, OpId};
use joinery_pass::{
    OptionKind, Pass, PassInfo, PassOptionInfo, PassOptions, PassRegistry, PassResult, PassState,
};

/// The declaration of `aten-decompose`.
pub static DECOMPOSE: PassInfo = PassInfo {
    name: "aten-decompose",
    title: "AtenDecompose",
    summary: "Rewrite composite aten ops into primitive aten ops",
    description: "Rewrites each composite op into primitive aten ops of the catalogue, following \
        PyTorch's own decomposition of it (torch/_decomp/decompositions.py, torch/_refs): \
        _softmax, softmax.int, _log_softmax, log_softmax.int (amax, sub, exp, sum, div / log), \
        _softmax_backward_data, _log_softmax_backward_data, nll_loss_forward \
        (gather of each kept target's class, which checks it against the class count), \
        nll_loss_backward (scatter over the classes as a one-hot eq(target, arange(C)) with \
        where), native_layer_norm, native_layer_norm_backward (sum, div, sub, mul, rsqrt), gelu, \
        gelu_backward (erf or tanh form), mean, mean.dim (sum / count), tanh_backward, \
        sigmoid_backward, threshold_backward, native_dropout_backward, var.correction, \
        var_mean.correction, _native_batch_norm_legit_functional, \
        _native_batch_norm_legit_no_training, _native_batch_norm_legit.no_stats, \
        native_batch_norm, native_batch_norm_backward \
        (per-channel sums over every dim but 1, running statistics moved by momentum); \
        native_group_norm, native_group_norm_backward (the input viewed [N, group, C / group, \
        HxW]); linalg_vector_norm (pow, sum; amax of abs for ord = +-inf; a count of nonzeros \
        for ord = 0); argmax, argmin, max.dim, min.dim (n - amax of where(x == amax(x) or \
        isnan(x), n - arange(n), 0)); amin (-amax(-x)); var.dim; the losses smooth_l1_loss, smooth_l1_loss_backward, huber_loss, huber_loss_backward, \
        binary_cross_entropy, binary_cross_entropy_backward, binary_cross_entropy_with_logits \
        (abs, sign, log, log1p, clamp_min, the log-sigmoid as min(x, 0) - log1p(exp(-|x|))); the \
        activations silu, elu, leaky_relu, hardtanh, hardswish, hardsigmoid, mish, softplus and \
        their backwards silu_backward, elu_backward, leaky_relu_backward, hardtanh_backward, \
        hardswish_backward, hardsigmoid_backward, mish_backward, softplus_backward (where, \
        clamp, sigmoid, expm1, log1p, logical_and); mse_loss, mse_loss_backward; stack (unsqueeze, \
        cat), unbind.int (select.int), unsafe_split.Tensor (split.Tensor), new_zeros (zeros); \
        randperm (the ascending order of rand keys: rand, sort); \
        _scaled_dot_product_flash_attention_for_cpu and \
        _scaled_dot_product_flash_attention_for_cpu_backward (bmm over the batch dims, the \
        causal mask from arange, the softmax from amax, exp and sum); grid_sampler_2d and \
        grid_sampler_2d_backward, bilinear and nearest with every padding (source coordinates \
        and their derivatives pointwise, the pixels read by gather and the input gradient \
        added by scatter_add over the flattened planes); affine_grid_generator (linspace \
        times theta's columns); _cdist_forward, _cdist_backward, _pdist_forward, \
        _pdist_backward (broadcast row differences reduced per pair, pdist as the upper \
        triangle of cdist by slices and cat) and _euclidean_dist (mm or bmm, as cdist uses \
        for p = 2 on more than 25 rows).\n\
        Needs: verified aten ops (L1 or L2 functions). \
        Guarantees: every decomposed op is replaced by ops whose inferred types equal its result \
        types, so the IR stays valid; arithmetic runs in PyTorch's computation dtype (f16 and \
        bf16 in f32) and results are cast back; the output uses only amax, sum, add, sub, mul, \
        div, neg, abs, sign, pow, exp, expm1, log, log1p, rsqrt, erf, tanh, sigmoid, clamp, \
        clamp_min, eq, ne, le, lt, gt, ge, gt.Tensor, isnan, logical_and, logical_or, where, \
        bmm, mm, t, transpose.int, expand, clone, scalar_tensor, arange, linspace, zeros, rand, sort, \
        floor, round, sqrt, gather, scatter_add, constant_pad_nd, slice.Tensor, \
        unsqueeze, squeeze.dims, view, cat, select.int, split.Tensor and _to_copy, all of which the \
        native backend lowers; \
        replacements keep the replaced results' names. A gradient a backward op does not \
        compute (output_mask false, or no weight / bias) that is nevertheless used becomes \
        zeros. \
        Leaves alone (strict=true: reports, naming the op and the reason): unranked operands; \
        softmax over a dynamic dim (it may be empty, and amax has no identity); NLL losses with a dynamic \
        class count; mean, var and training batch norm without the static sizes they count; \
        var with N - correction <= 0; mean losses of dynamic shape; group norms whose sizes do \
        not match the input; argmax, argmin, max.dim, min.dim and amin of bool tensors, or along an empty or \
        dynamic dim; attention with dropout or of dynamic \
        sizes; layer norms over zero elements; batch norm in \
        evaluation mode without running statistics; results declared with '?' where the \
        decomposition knows the size. \
        Known gaps: nll_loss with out-of-range targets yields 0 where PyTorch raises; \
        embedding, its backward, convolution and pooling are not decomposed (they need \
        gathers and scatters the catalogue lacks).",
    anchor: Some("func.func"),
    options: &[
        PassOptionInfo {
            name: "ops",
            kind: OptionKind::List(&OptionKind::String),
            default: "",
            help: "Only decompose these ops (aten.gelu or gelu; empty: every op the pass knows)",
        },
        PassOptionInfo {
            name: "strict",
            kind: OptionKind::Bool,
            default: "false",
            help: "Fail on a selected op that cannot be decomposed instead of leaving it alone",
        },
    ],
    statistics: &[
        ("decomposed", "Composite ops decomposed"),
        ("created", "Primitive ops created"),
        (
            "left-alone",
            "Selected ops left alone (not decomposable here)",
        ),
    ],
    constructor: |options: &PassOptions| {
        Box::new(Decompose {
            options: DecomposeOptions {
                ops: options
                    .strings("ops")
                    .into_iter()
                    .map(str::to_string)
                    .collect(),
                strict: options.bool("strict"),
            },
        })
    },
};

/// The `aten-decompose` pass.
pub struct Decompose {
    options: DecomposeOptions,
}

impl Pass for Decompose {
    fn run(&mut self, ctx: &mut Context, op: OpId, state: &mut PassState) -> PassResult {
        decompose_function(ctx, op, &self.options, state)
    }
}

/// Registers `aten-decompose` and `aten-complex-to-real`.
pub fn register_passes(registry: &mut PassRegistry) {
    registry.register(&DECOMPOSE);
    complex::register_passes(registry);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_description_names_every_decomposed_op() {
        for d in DECOMPOSITIONS {
            let short = d.op.strip_prefix("aten.").expect("aten op");
            assert!(
                DECOMPOSE.description.contains(short),
                "the description of aten-decompose does not mention {short}"
            );
            assert!(
                joinery_aten::schema(d.op).is_some(),
                "{} is in the catalogue",
                d.op
            );
        }
    }
}
