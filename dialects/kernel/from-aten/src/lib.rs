//! `convert-aten-to-kernel`: aten functions (L1 joints, L2 forward/backward, after
//! `aten-decompose`) become kernel-dialect functions (L3).
//!
//! Two steps: [`graph`] reads the aten ops into a tensor-expression graph where views
//! (`t`, `permute`, `expand`, `slice`, `view` of contiguous data...) compose strided maps
//! and never copy; [`lower`] emits one `kernel.fused` per pointwise or reduction node, a
//! `kernel.gemm` per matrix product and copies for `cat` and for results that are views.
//! Fusion is the later `kernel-fuse` pass, memory placement `kernel-plan-memory`.

pub mod graph;
pub mod lower;

use joinery_ir::{Context, Diagnostic, OpId, Traits};
use joinery_pass::{Pass, PassInfo, PassOptions, PassRegistry, PassResult, PassState};

/// Converts the aten function `func` in place: its body becomes L3. Returns the number of
/// kernels and GEMMs emitted.
pub fn convert_function(ctx: &mut Context, func: OpId) -> Result<lower::Lowered, Diagnostic> {
    let module = ctx.parent_op(func).ok_or_else(|| {
        Diagnostic::error("convert-aten-to-kernel needs a function inside a module")
            .with_span(ctx.span(func))
    })?;
    let lowered = lower::lower_function(ctx, func, module)?;
    ctx.move_op_before(lowered.func, func);
    ctx.erase_op(func);
    Ok(lowered)
}

/// Whether `func` is already L3 (holds kernel ops) and so is left alone.
fn is_l3(ctx: &Context, func: OpId) -> bool {
    ctx.walk(func)
        .into_iter()
        .any(|op| ctx.name_str(op).starts_with("kernel."))
}

/// The declaration of `convert-aten-to-kernel`.
pub static CONVERT_ATEN_TO_KERNEL: PassInfo = PassInfo {
    name: "convert-aten-to-kernel",
    title: "ConvertAtenToKernel",
    summary: "Lower aten functions to kernel-dialect loop nests and GEMM calls (L1/L2 -> L3)",
    description: "Rewrites every function with a body of aten ops into the kernel dialect: \
        function arguments become the caller's buffers, each result a kernel.alloc marked \
        `output`, every other value an unplanned kernel.alloc. Views (t, transpose, permute, \
        expand, slice, select, split, unsqueeze, squeeze, view/reshape that strides can \
        express, detach, clone; flip as negated strides) only compose the strided maps of \
        their readers; constant_pad_nd (negative pads crop), slice_backward, \
        select_backward, slice_scatter and select_scatter place their operands into a \
        filled buffer; triu, tril, arange and linspace are expressions of kernel.index; \
        pointwise \
        ops and reductions each become one kernel.fused (reductions after a kernel.fill of \
        their identity); mm, bmm and addmm become kernel.gemm on strided operands (addmm \
        after a bias copy, accumulating); cat becomes slice copies; a result that is an \
        argument or a view gets a copy. convolution and convolution_backward (N-d, stride, \
        padding, dilation, groups, transposed with output_padding) become a zero-filled placement of the \
        input (kernel.fill and a copy), an im2col copy through a strided view and \
        kernel.gemm per image or per group (grouped ones with few channels per group, \
        depthwise, a multiply summed over the taps instead); grad_input is a convolution \
        of grad_output spread out by the stride with the flipped weight, and a transposed \
        convolution is that grad_input (its backward swaps the roles); \
        max_pool{2,3}d_with_indices is a window view of a -inf placement reduced by \
        max, its indices comparisons against kernel.index, and its backward an \
        accumulating kernel.scatter at the indices; avg_pool{2,3}d sums a window view of a zero placement and divides by \
        window sizes computed from kernel.index, its backward spreads the divided \
        gradient; _adaptive_avg_pool{2,3}d sums window views, or window memberships \
        computed from kernel.index one dim at a time; im2col is the convolutions' padded \
        placement and patch copy, col2im their accumulating placement of the patches. \
        native_dropout, bernoulli.p, rand, randn, rand_like and randn_like compute the \
        reference interpreter's counter-based generator in i64 scalar ops (random op k of \
        the function draws element i as uniform(seed, offset + k, i), so native code draws \
        the interpreter's numbers bit for bit); seed and offset are the function's Philox \
        seed and base offset arguments when it has them, else two 0-d i64 arguments \
        appended to the function, which is marked kernel.rng_streams = <random ops> so \
        that the runtime supplies them. \
        embedding, gather, index_select, index.Tensor and _unsafe_index (None entries, \
        adjacent or not) become one kernel.gather; index_put, _unsafe_index_put, \
        scatter.src/value, scatter_add and scatter_reduce.two (sum) a copy of self then a \
        kernel.scatter; embedding_dense_backward (padding_idx, scale_grad_by_freq) and \
        _embedding_bag and its backward (sum, mean) gathers, masks and accumulating \
        scatters; cumsum one kernel.cumsum, sort and topk a kernel.argsort then a gather \
        of the values; _fft_r2c, _fft_c2r and _fft_c2c one kernel.fft each, with complex \
        tensors held as (real, imaginary) pairs so that view_as_real and view_as_complex \
        are no-ops (other ops on complex tensors are refused: the native pipeline runs \
        aten-complex-to-real before, which leaves only the FFT ops on complex tensors); \
        nonzero one kernel.nonzero into a buffer sized for every element plus a 0-d i64 \
        row count, returned as kernel.rows of the two (its `tensor<?xRxi64>` type), its \
        count also read by sym_size.int of dim 0; any other op reading it is an error \
        saying its extent is only known at run time. Each gather and scatter names the aten op and its file:line:col, \
        for the run-time error on an index out of range. Only \
        nodes some result depends on are emitted (gradients output_mask leaves out are \
        never computed).\n\
        Needs: statically shaped tensors of f32, f64, i64, i32 or i1; composite ops \
        decomposed first (aten-decompose); one block per function. Functions already \
        holding kernel ops are left alone.\n\
        Guarantees: the L3 function computes the same values as the aten function with the \
        reference interpreter's semantics; the aten ops of a function it cannot lower are \
        one error naming them all (at the first, a note at each with its reason), never a \
        silent fallback.\n\
        Gaps: no dynamic shapes but nonzero's rows (as a result or counted); GEMMs (so convolutions) are f32 only; no boolean-mask \
        indexing, scatter_reduce other than sum, or embedding_bag max mode; no fusion here \
        (kernel-fuse).",
    anchor: Some("builtin.module"),
    options: &[],
    statistics: &[
        ("kernels", "kernel.fused ops emitted"),
        ("gemms", "kernel.gemm ops emitted"),
    ],
    constructor: |_: &PassOptions| Box::new(ConvertAtenToKernel),
};

/// Registers `convert-aten-to-kernel`.
pub fn register_passes(registry: &mut PassRegistry) {
    registry.register(&CONVERT_ATEN_TO_KERNEL);
}

/// The `convert-aten-to-kernel` pass.
struct ConvertAtenToKernel;

impl Pass for ConvertAtenToKernel {
    fn run(&mut self, ctx: &mut Context, module: OpId, state: &mut PassState) -> PassResult {
        let Some(body) = ctx.body_block(module) else {
            return Ok(false);
        };
        let functions: Vec<OpId> = ctx
            .block_ops(body)
            .filter(|&op| {
                ctx.has_traits(op, Traits::FUNCTION_LIKE)
                    && ctx.body_block(op).is_some()
                    && !is_l3(ctx, op)
            })
            .collect();
        let mut errors = Vec::new();
        for func in &functions {
            match convert_function(ctx, *func) {
                Ok(l) => {
                    state.add_statistic("kernels", l.kernels as u64);
                    state.add_statistic("gemms", l.gemms as u64);
                }
                Err(d) => errors.push(d),
            }
        }
        if errors.is_empty() {
            Ok(!functions.is_empty())
        } else {
            Err(errors)
        }
    }
}
