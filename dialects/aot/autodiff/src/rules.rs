//! The derivative table: one row per differentiable aten op, after PyTorch's
//! `tools/autograd/derivatives.yaml`. A row names the op, gives derivatives.yaml's formula
//! for each differentiable tensor argument (the arguments not named get no gradient: indices,
//! targets, masks), the results that carry gradients, and the rule that builds the formula
//! with aten ops through [`Cx`]. Rules emit the backward ops PyTorch itself emits
//! (`threshold_backward`, `_softmax_backward_data`, `convolution_backward`, ...), so the
//! partitioner and the backends see the graphs PyTorch's tracer gives them.
//!
//! A rule returns one gradient per operand of the op (`None` where it gives none); the
//! sweep sums each to its operand's shape and converts it to its dtype, as the autograd
//! engine does, so broadcasting ops need no reduction of their own.
//!
//! To add an op: write its rule below (the formula in the first line of its doc comment),
//! add a row to [`DERIVATIVES`] (with `.jvp(...)` when its forward-mode rule follows from
//! it, [`Forward`]), and a sample to `tests/gradcheck_samples.txt`; `tests/gradcheck.rs`
//! checks every row's reverse and forward rules against finite differences.

use joinery_aten::{ArgValue, Argument, DType, TensorInfo, attr_or_default, operand_groups};
use joinery_decompose::emit::{Emitter, Refusal, static_dims};
use joinery_ir::{Attribute, Context, Dim, OpId, Value};

/// A rule's gradients, one per operand of the op.
pub type Grads = Result<Vec<Option<Value>>, Refusal>;

/// One row of the table.
pub struct Derivative {
    /// The IR name of the op (`aten.relu`).
    pub op: &'static str,
    /// derivatives.yaml's entries: `(differentiable arguments, formula)`.
    pub formulas: &'static [(&'static str, &'static str)],
    /// The results that carry gradients (derivatives.yaml's `output_differentiability`);
    /// `None`: every floating-point result.
    pub outputs: Option<&'static [usize]>,
    /// Builds the gradients.
    pub rule: fn(&mut Cx) -> Grads,
    /// How the forward-mode rule (`aot-make-jvp`) follows from the row.
    pub forward: Forward,
}

/// How a row's forward-mode rule follows from it, after derivatives.yaml's `result:`
/// entries (`auto_element_wise`, `auto_linear`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Forward {
    /// No forward rule yet: a tangent reaching the op is an error naming it.
    None,
    /// `auto_element_wise`: the reverse formula is element-wise in `grad`, so the result's
    /// tangent is the sum over operands of the reverse rule applied to their tangents (real
    /// values only: for complex ones the reverse rule conjugates).
    ElementWise,
    /// `auto_linear`: the op is linear in its differentiable operands together, so the
    /// result's tangent is the op applied to their tangents (zeros where none flows).
    Linear,
    /// A multilinear op of its other differentiable operands plus linear terms in the
    /// named additive ones (`mm`, `mul.Tensor`, which complex values keep from being
    /// element-wise here; `addmm`'s `self`, `convolution`'s `bias`): the sum over operands
    /// of the op with that operand's tangent, the other additive operands at zero, and for
    /// an additive operand every other operand at zero.
    MultiAffine(&'static [&'static str]),
}

impl Derivative {
    /// The differentiable tensor arguments, by schema name.
    pub fn inputs(&self) -> impl Iterator<Item = &'static str> {
        self.formulas
            .iter()
            .flat_map(|(names, _)| names.split(", "))
    }

    /// The schema argument operand `i` of `op` belongs to.
    pub fn operand_arg(&self, ctx: &Context, op: OpId, i: usize) -> Option<&'static str> {
        let groups = operand_groups(ctx, op).ok()?;
        let mut next = 0;
        for (arg, values) in groups {
            if i < next + values.len() {
                return Some(arg.name.as_str());
            }
            next += values.len();
        }
        None
    }

    /// Whether the rule gives operand `i` of `op` a gradient.
    pub fn differentiates(&self, ctx: &Context, op: OpId, i: usize) -> bool {
        self.operand_arg(ctx, op, i)
            .is_some_and(|a| self.inputs().any(|n| n == a))
    }

    /// The row with forward-mode rule `forward`.
    const fn jvp(self, forward: Forward) -> Derivative {
        Derivative { forward, ..self }
    }

    /// Whether result `i` carries a gradient.
    pub fn output_differentiable(&self, i: usize) -> bool {
        self.outputs.is_none_or(|o| o.contains(&i))
    }
}

const fn d(
    op: &'static str,
    formulas: &'static [(&'static str, &'static str)],
    rule: fn(&mut Cx) -> Grads,
) -> Derivative {
    Derivative {
        op,
        formulas,
        outputs: None,
        rule,
        forward: Forward::None,
    }
}

const fn dn(
    op: &'static str,
    outputs: &'static [usize],
    formulas: &'static [(&'static str, &'static str)],
    rule: fn(&mut Cx) -> Grads,
) -> Derivative {
    Derivative {
        op,
        formulas,
        outputs: Some(outputs),
        rule,
        forward: Forward::None,
    }
}

/// A row whose one differentiable argument is `self`.
macro_rules! unary {
    ($op:literal, $formula:literal, $rule:expr) => {
        d($op, &[("self", $formula)], $rule)
    };
}

/// Ops whose results never require grad, whatever their operands (derivatives.yaml's
/// `output_differentiability: [False]` and the factories): gradients stop there.
pub static NON_DIFFERENTIABLE: &[&str] = &[
    "aten.detach",
    "aten.zeros_like",
    "aten.ones_like",
    "aten.empty_like",
    "aten.full_like",
    "aten.rand_like",
    "aten.randn_like",
    "aten.new_zeros",
    "aten.new_empty_strided",
    "aten.bernoulli.p",
    "aten.sign",
    "aten.sgn",
    "aten.ceil",
    "aten.floor",
    "aten.round",
    "aten.trunc",
];

/// Whether `op` is in [`NON_DIFFERENTIABLE`].
pub fn is_non_differentiable(op: &str) -> bool {
    NON_DIFFERENTIABLE.contains(&op)
}

/// The row of `op`, if it has one.
pub fn derivative(op: &str) -> Option<&'static Derivative> {
    DERIVATIVES.iter().find(|r| r.op == op)
}

/// Every row, grouped as the catalogue is.
pub static DERIVATIVES: &[Derivative] = &[
    // ----- pointwise, binary -----
    d(
        "aten.add.Tensor",
        &[
            ("self", "handle_r_to_c(self.scalar_type(), grad)"),
            (
                "other",
                "handle_r_to_c(other.scalar_type(), maybe_multiply(grad, alpha.conj()))",
            ),
        ],
        add,
    ).jvp(Forward::ElementWise),
    unary!(
        "aten.add.Scalar",
        "handle_r_to_c(self.scalar_type(), grad)",
        identity
    ).jvp(Forward::ElementWise),
    d(
        "aten.sub.Tensor",
        &[
            ("self", "handle_r_to_c(self.scalar_type(), grad)"),
            (
                "other",
                "handle_r_to_c(other.scalar_type(), maybe_multiply(-grad, alpha.conj()))",
            ),
        ],
        sub,
    ).jvp(Forward::ElementWise),
    unary!(
        "aten.sub.Scalar",
        "handle_r_to_c(self.scalar_type(), grad)",
        identity
    ).jvp(Forward::ElementWise),
    d(
        "aten.rsub.Tensor",
        &[
            (
                "self",
                "handle_r_to_c(self.scalar_type(), maybe_multiply(-grad, alpha.conj()))",
            ),
            ("other", "handle_r_to_c(other.scalar_type(), grad)"),
        ],
        rsub,
    ).jvp(Forward::ElementWise),
    unary!(
        "aten.rsub.Scalar",
        "handle_r_to_c(self.scalar_type(), maybe_multiply(-grad, alpha.conj()))",
        rsub
    ).jvp(Forward::ElementWise),
    d(
        "aten.mul.Tensor",
        &[
            (
                "self",
                "mul_tensor_backward(grad, other, self.scalar_type())",
            ),
            (
                "other",
                "mul_tensor_backward(grad, self, other.scalar_type())",
            ),
        ],
        mul,
    ).jvp(Forward::MultiAffine(&[])),
    unary!(
        "aten.mul.Scalar",
        "mul_tensor_backward(grad, other, self.scalar_type())",
        scalar_same
    ).jvp(Forward::ElementWise),
    d(
        "aten.div.Tensor",
        &[
            (
                "self",
                "div_tensor_self_backward(grad, other, self.scalar_type())",
            ),
            ("other", "div_tensor_other_backward(grad, self, other)"),
        ],
        div,
    ).jvp(Forward::ElementWise),
    unary!(
        "aten.div.Scalar",
        "div_tensor_self_backward(grad, other, self.scalar_type())",
        scalar_same
    ).jvp(Forward::ElementWise),
    d(
        "aten.maximum",
        &[(
            "self, other",
            "at::where(self == other, grad / 2, grad).masked_fill_(self < other, 0)",
        )],
        maximum,
    ).jvp(Forward::ElementWise),
    d(
        "aten.minimum",
        &[(
            "self, other",
            "at::where(self == other, grad / 2, grad).masked_fill_(self > other, 0)",
        )],
        minimum,
    ).jvp(Forward::ElementWise),
    unary!(
        "aten.pow.Tensor_Scalar",
        "pow_backward(grad, self, exponent)",
        pow_scalar
    ).jvp(Forward::ElementWise),
    d(
        "aten.where.self",
        &[
            ("self", "where(condition, grad, 0)"),
            ("other", "where(condition, 0, grad)"),
        ],
        where_self,
    ).jvp(Forward::ElementWise),
    unary!("aten.clamp", "clamp_backward(grad, self, min, max)", clamp).jvp(Forward::ElementWise),
    unary!(
        "aten.clamp_min",
        "where(self >= min, grad, at::scalar_tensor(0., grad.options()))",
        clamp
    ).jvp(Forward::ElementWise),
    unary!(
        "aten.masked_fill.Scalar",
        "grad.masked_fill(mask, 0)",
        masked_fill
    ).jvp(Forward::ElementWise),
    // ----- pointwise, unary -----
    unary!("aten.neg", "grad.neg()", neg).jvp(Forward::ElementWise),
    unary!("aten.relu", "threshold_backward(grad, result, 0)", relu).jvp(Forward::ElementWise),
    unary!("aten.exp", "grad * result.conj()", exp).jvp(Forward::ElementWise),
    unary!("aten.log", "grad.div(self.conj())", log).jvp(Forward::ElementWise),
    unary!("aten.tanh", "tanh_backward(grad, result)", tanh).jvp(Forward::ElementWise),
    unary!("aten.sigmoid", "sigmoid_backward(grad, result)", sigmoid).jvp(Forward::ElementWise),
    unary!("aten.sqrt", "grad / (2 * result.conj())", sqrt).jvp(Forward::ElementWise),
    unary!("aten.rsqrt", "-0.5 * grad * result.pow(3).conj()", rsqrt).jvp(Forward::ElementWise),
    unary!(
        "aten.reciprocal",
        "-grad * (result * result).conj()",
        reciprocal
    ).jvp(Forward::ElementWise),
    unary!("aten.sin", "grad * self.cos().conj()", sin).jvp(Forward::ElementWise),
    unary!("aten.cos", "grad * -self.sin().conj()", cos).jvp(Forward::ElementWise),
    unary!("aten.abs", "grad * self.sgn()", abs).jvp(Forward::ElementWise),
    unary!("aten.log1p", "log1p_backward(grad, self)", log1p).jvp(Forward::ElementWise),
    unary!("aten.expm1", "grad * (result.conj() + 1)", expm1).jvp(Forward::ElementWise),
    unary!(
        "aten.erf",
        "2.0 / sqrt(M_PI) * exp(-(self.pow(2))) * grad",
        erf
    ).jvp(Forward::ElementWise),
    unary!("aten.gelu", "gelu_backward(grad, self, approximate)", gelu).jvp(Forward::ElementWise),
    unary!("aten.silu", "silu_backward(grad, self)", silu).jvp(Forward::ElementWise),
    unary!(
        "aten.leaky_relu",
        "leaky_relu_backward(grad, self, negative_slope, false)",
        leaky_relu
    ).jvp(Forward::ElementWise),
    unary!(
        "aten.hardtanh",
        "hardtanh_backward(grad, self, min_val, max_val)",
        hardtanh
    ).jvp(Forward::ElementWise),
    unary!(
        "aten.elu",
        "elu_backward(grad, alpha, scale, input_scale, /* is_result */ false, self)",
        elu
    ).jvp(Forward::ElementWise),
    unary!(
        "aten.softplus",
        "softplus_backward(grad, self, beta, threshold)",
        softplus
    ).jvp(Forward::ElementWise),
    unary!(
        "aten.hardswish",
        "hardswish_backward(grad, self)",
        hardswish
    ).jvp(Forward::ElementWise),
    unary!(
        "aten.hardsigmoid",
        "hardsigmoid_backward(grad, self)",
        hardsigmoid
    ).jvp(Forward::ElementWise),
    unary!("aten.mish", "mish_backward(grad, self)", mish).jvp(Forward::ElementWise),
    // ----- backward ops (second derivatives) -----
    d(
        "aten.threshold_backward",
        &[
            ("grad_output", "threshold_backward(grad, self, threshold)"),
            ("self", "zeros_like(grad)"),
        ],
        threshold_backward,
    ),
    d(
        "aten.tanh_backward",
        &[
            ("grad_output", "tanh_backward(grad, output.conj())"),
            (
                "output",
                "grad.conj() * (-2 * output.conj() * grad_output).conj()",
            ),
        ],
        tanh_backward,
    ),
    d(
        "aten.sigmoid_backward",
        &[
            ("grad_output", "sigmoid_backward(grad, output.conj())"),
            (
                "output",
                "grad.conj() * grad_output * (-2 * output.conj() + 1)",
            ),
        ],
        sigmoid_backward,
    ),
    // ----- reductions -----
    unary!("aten.sum", "grad.expand_symint(self.sym_sizes())", sum).jvp(Forward::Linear),
    unary!(
        "aten.sum.dim_IntList",
        "sum_backward(grad, self.sym_sizes(), dim, keepdim)",
        sum
    ).jvp(Forward::Linear),
    unary!(
        "aten.mean",
        "grad.expand_symint(self.sym_sizes()) / self.sym_numel()",
        mean
    ).jvp(Forward::Linear),
    unary!(
        "aten.mean.dim",
        "mean_backward(grad, self.sym_sizes(), dim, self.sym_numel(), keepdim)",
        mean
    ).jvp(Forward::Linear),
    unary!(
        "aten.amax",
        "scale_grad_by_count(restore_reduced_dims(grad, dim, keepdim), restore_reduced_dims(result, dim, keepdim) == self, dim)",
        amax
    ),
    unary!(
        "aten.amin",
        "scale_grad_by_count(restore_reduced_dims(grad, dim, keepdim), restore_reduced_dims(result, dim, keepdim) == self, dim)",
        amax
    ),
    dn(
        "aten.max.dim",
        &[0],
        &[(
            "self",
            "value_selecting_reduction_backward_symint(grad, dim, indices, self.sym_sizes(), keepdim)",
        )],
        max_dim,
    ),
    dn(
        "aten.min.dim",
        &[0],
        &[(
            "self",
            "value_selecting_reduction_backward_symint(grad, dim, indices, self.sym_sizes(), keepdim)",
        )],
        max_dim,
    ),
    dn(
        "aten.topk",
        &[0],
        &[(
            "self",
            "value_selecting_reduction_backward_symint(grad, dim, indices, self.sym_sizes(), true)",
        )],
        topk,
    ),
    unary!(
        "aten.cumsum",
        "cumsum_backward(grad.to(self.scalar_type()), dim)",
        cumsum
    ).jvp(Forward::Linear),
    unary!(
        "aten.linalg_vector_norm",
        "linalg_vector_norm_backward(grad, self, ord, result, dim, keepdim)",
        vector_norm
    ),
    d(
        "aten._cdist_forward",
        &[
            (
                "x1",
                "_cdist_backward(grad.contiguous(), x1, x2, p, result)",
            ),
            (
                "x2",
                "_cdist_backward(grad.mT().contiguous(), x2, x1, p, result.mT().contiguous())",
            ),
        ],
        cdist,
    ),
    unary!(
        "aten._pdist_forward",
        "_pdist_backward(grad, self, p, result)",
        pdist
    ),
    // ----- linear algebra -----
    d(
        "aten.mm",
        &[
            (
                "self",
                "mm_mat1_backward(grad, mat2, self.sym_sizes(), self.sym_strides(), self.layout(), 1)",
            ),
            (
                "mat2",
                "mm_mat2_backward(grad, self, mat2.sym_sizes(), mat2.sym_strides(), mat2.layout(), 1)",
            ),
        ],
        mm,
    ).jvp(Forward::MultiAffine(&[])),
    d(
        "aten.bmm",
        &[
            ("self", "grad.bmm(mat2.transpose(1, 2).conj())"),
            ("mat2", "self.transpose(1, 2).conj().bmm(grad)"),
        ],
        bmm,
    ).jvp(Forward::MultiAffine(&[])),
    d(
        "aten.addmm",
        &[
            ("self", "maybe_multiply(grad, beta.conj())"),
            (
                "mat1",
                "mm_mat1_backward(grad, mat2, mat1.sym_sizes(), mat1.sym_strides(), mat1.layout(), alpha)",
            ),
            (
                "mat2",
                "mm_mat2_backward(grad, mat1, mat2.sym_sizes(), mat2.sym_strides(), mat2.layout(), alpha)",
            ),
        ],
        addmm,
    ).jvp(Forward::MultiAffine(&["self"])),
    // ----- views and shape manipulation -----
    unary!(
        "aten.view",
        "grad.reshape_symint(self.sym_sizes())",
        reshape
    ).jvp(Forward::Linear),
    unary!(
        "aten._unsafe_view",
        "grad.reshape_symint(self.sym_sizes())",
        reshape
    ).jvp(Forward::Linear),
    unary!(
        "aten.reshape",
        "grad.reshape_symint(self.sym_sizes())",
        reshape
    ).jvp(Forward::Linear),
    unary!(
        "aten.squeeze",
        "unsqueeze_to(grad, self.sym_sizes())",
        reshape
    ).jvp(Forward::Linear),
    unary!(
        "aten.squeeze.dim",
        "unsqueeze_to(grad, dim, self.sym_sizes())",
        reshape
    ).jvp(Forward::Linear),
    unary!(
        "aten.squeeze.dims",
        "unsqueeze_to(grad, dim, self.sym_sizes())",
        reshape
    ).jvp(Forward::Linear),
    unary!("aten.unsqueeze", "grad.squeeze(dim)", unsqueeze).jvp(Forward::Linear),
    unary!("aten.t", "grad.t()", t).jvp(Forward::Linear),
    unary!(
        "aten.transpose.int",
        "grad.transpose(dim0, dim1)",
        transpose
    ).jvp(Forward::Linear),
    unary!("aten.permute", "permute_backwards(grad, dims)", permute).jvp(Forward::Linear),
    unary!(
        "aten.expand",
        "at::sum_to(grad, self.sym_sizes())",
        identity
    ).jvp(Forward::Linear),
    unary!("aten.alias", "grad", identity).jvp(Forward::Linear),
    unary!("aten.clone", "grad", identity).jvp(Forward::Linear),
    unary!("aten.lift_fresh_copy", "grad", identity).jvp(Forward::Linear),
    unary!(
        "aten._to_copy",
        "_to_copy_backward(grad, self.options())",
        identity
    ).jvp(Forward::Linear),
    unary!(
        "aten.slice.Tensor",
        "slice_backward_wrapper(grad, self.sym_sizes(), dim, start, end, step)",
        slice
    ).jvp(Forward::Linear),
    unary!(
        "aten.select.int",
        "select_backward_symint(grad, self.sym_sizes(), dim, index)",
        select
    ).jvp(Forward::Linear),
    d(
        "aten.cat",
        &[(
            "tensors",
            "cat_tensors_backward(grad, to_args_sizes_symint(tensors), to_args_scalartypes(tensors), dim)",
        )],
        cat,
    ).jvp(Forward::Linear),
    d(
        "aten.stack",
        &[(
            "tensors",
            "stack_tensors_backward(grad, dim, to_args_scalartypes(tensors))",
        )],
        stack,
    ).jvp(Forward::Linear),
    unary!(
        "aten.split.Tensor",
        "split_backward(grads, split_size, dim, self.sym_sizes(), self.options())",
        split
    ).jvp(Forward::Linear),
    unary!(
        "aten.unsafe_split.Tensor",
        "split_backward(grads, split_size, dim, self.sym_sizes(), self.options())",
        split
    ).jvp(Forward::Linear),
    unary!(
        "aten.split_with_sizes",
        "split_with_sizes_backward(grads, split_sizes, dim, self.sym_sizes(), self.options())",
        split
    ).jvp(Forward::Linear),
    unary!("aten.unbind.int", "unbind_backward(grads, dim)", unbind).jvp(Forward::Linear),
    unary!("aten.flip", "grad.flip(dims)", flip).jvp(Forward::Linear),
    unary!("aten.triu", "grad.triu(diagonal)", triangle).jvp(Forward::Linear),
    unary!("aten.tril", "grad.tril(diagonal)", triangle).jvp(Forward::Linear),
    unary!(
        "aten.constant_pad_nd",
        "constant_pad_nd_backward(grad, pad)",
        constant_pad
    ),
    unary!(
        "aten.gather",
        "gather_backward(grad, self, dim, index, sparse_grad)",
        gather
    ).jvp(Forward::Linear),
    unary!(
        "aten.index.Tensor",
        "index_backward(grad.new_zeros_symint(self.sym_sizes(), self.options()), indices, grad)",
        index
    ).jvp(Forward::Linear),
    unary!(
        "aten._unsafe_index.Tensor",
        "at::_unsafe_index_put(grad.new_zeros_symint(self.sym_sizes(), self.options()), indices, grad, true)",
        index
    ).jvp(Forward::Linear),
    d(
        "aten.index_put",
        &[
            (
                "self",
                "accumulate ? grad : grad.index_put(indices, zeros_like(values), false)",
            ),
            ("values", "grad.index(indices)"),
        ],
        index_put,
    ).jvp(Forward::Linear),
    unary!(
        "aten.im2col",
        "col2im_symint(grad, {self.sym_size(-2), self.sym_size(-1)}, kernel_size, dilation, padding, stride)",
        im2col
    ).jvp(Forward::Linear),
    unary!(
        "aten.col2im",
        "im2col(grad, kernel_size, dilation, padding, stride)",
        col2im
    ).jvp(Forward::Linear),
    d(
        "aten.slice_scatter",
        &[
            (
                "self",
                "slice_scatter_symint(grad, zeros_like(src), dim, start, end, step)",
            ),
            ("src", "grad.slice_symint(dim, start, end, step)"),
        ],
        slice_scatter,
    ).jvp(Forward::Linear),
    d(
        "aten.copy",
        &[
            ("self", "zeros_like(grad)"),
            ("src", "at::sum_to(grad, src.sym_sizes())"),
        ],
        copy,
    ).jvp(Forward::Linear),
    // ----- complex numbers and FFTs -----
    unary!(
        "aten.view_as_complex",
        "at::view_as_real(grad.contiguous().resolve_conj())",
        view_as_complex
    ).jvp(Forward::Linear),
    unary!(
        "aten.view_as_real",
        "at::view_as_complex(grad.contiguous())",
        view_as_real
    ).jvp(Forward::Linear),
    unary!(
        "aten._fft_r2c",
        "fft_r2c_backward(grad, dim, normalization, onesided, self.sym_size(dim.back()))",
        fft_r2c
    ).jvp(Forward::Linear),
    unary!(
        "aten._fft_c2r",
        "fft_c2r_backward(grad, dim, normalization)",
        fft_c2r
    ).jvp(Forward::Linear),
    // ----- softmax and attention -----
    unary!(
        "aten._softmax",
        "_softmax_backward_data(grad, result, dim, self.scalar_type())",
        softmax
    ),
    unary!(
        "aten._log_softmax",
        "_log_softmax_backward_data(grad, result, dim, self.scalar_type())",
        softmax
    ),
    dn(
        "aten._scaled_dot_product_flash_attention_for_cpu",
        &[0],
        &[(
            "query, key, value",
            "_scaled_dot_product_flash_attention_for_cpu_backward(grad, query, key, value, output, logsumexp, dropout_p, is_causal, attn_mask, scale)",
        )],
        flash_attention,
    ),
    // ----- losses -----
    dn(
        "aten.nll_loss_forward",
        &[0],
        &[(
            "self",
            "nll_loss_backward_symint(grad, self, target, weight, reduction, ignore_index, total_weight)",
        )],
        nll_loss,
    ),
    d(
        "aten.mse_loss",
        &[
            ("self", "mse_loss_backward(grad, self, target, reduction)"),
            ("target", "mse_loss_backward(grad, target, self, reduction)"),
        ],
        mse_loss,
    ),
    unary!(
        "aten.smooth_l1_loss",
        "smooth_l1_loss_backward(grad, self, target, reduction, beta)",
        loss_self
    ),
    unary!(
        "aten.huber_loss",
        "huber_loss_backward(grad, self, target, reduction, delta)",
        loss_self
    ),
    unary!(
        "aten.binary_cross_entropy",
        "binary_cross_entropy_backward(grad, self, target, weight, reduction)",
        loss_self
    ),
    unary!(
        "aten.binary_cross_entropy_with_logits",
        "binary_cross_entropy_with_logits_backward(grad, self, target, weight, pos_weight, reduction)",
        bce_with_logits
    ),
    // ----- normalization -----
    dn(
        "aten.native_layer_norm",
        &[0],
        &[(
            "input, weight, bias",
            "native_layer_norm_backward_symint(grad, input, normalized_shape, result1, result2, weight, bias, grad_input_mask)",
        )],
        layer_norm,
    ),
    dn(
        "aten._native_batch_norm_legit_functional",
        &[0],
        &[(
            "input, weight, bias",
            "native_batch_norm_backward(grad, input, weight, running_mean, running_var, result1, result2, training, eps, grad_input_mask)",
        )],
        batch_norm,
    ),
    dn(
        "aten.native_group_norm",
        &[0],
        &[(
            "input, weight, bias",
            "native_group_norm_backward_symint(grad, input, result1, result2, weight, N, C, HxW, group, grad_input_mask)",
        )],
        group_norm,
    ),
    // ----- convolution and pooling -----
    d(
        "aten.convolution",
        &[(
            "input, weight, bias",
            "convolution_backward_symint(grad, input, weight, bias->sym_sizes(), stride, padding, dilation, transposed, output_padding, groups, grad_input_mask)",
        )],
        convolution,
    ).jvp(Forward::MultiAffine(&["bias"])),
    dn(
        "aten.max_pool2d_with_indices",
        &[0],
        &[(
            "self",
            "max_pool2d_with_indices_backward(grad, self, kernel_size, stride, padding, dilation, ceil_mode, result1)",
        )],
        max_pool,
    ),
    dn(
        "aten.max_pool3d_with_indices",
        &[0],
        &[(
            "self",
            "max_pool3d_with_indices_backward(grad, self, kernel_size, stride, padding, dilation, ceil_mode, result1)",
        )],
        max_pool,
    ),
    unary!(
        "aten.avg_pool2d",
        "avg_pool2d_backward(grad, self, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)",
        avg_pool
    ).jvp(Forward::Linear),
    unary!(
        "aten.avg_pool3d",
        "avg_pool3d_backward(grad, self, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)",
        avg_pool
    ).jvp(Forward::Linear),
    unary!(
        "aten._adaptive_avg_pool2d",
        "_adaptive_avg_pool2d_backward(grad, self)",
        adaptive_avg_pool
    ).jvp(Forward::Linear),
    unary!(
        "aten._adaptive_avg_pool3d",
        "_adaptive_avg_pool3d_backward(grad, self)",
        adaptive_avg_pool
    ).jvp(Forward::Linear),
    // ----- sampling -----
    d(
        "aten.grid_sampler_2d",
        &[(
            "input, grid",
            "grid_sampler_2d_backward(grad, input, grid, interpolation_mode, padding_mode, align_corners, grad_input_mask)",
        )],
        grid_sampler,
    ),
    d(
        "aten.affine_grid_generator",
        &[(
            "theta",
            "affine_grid_generator_backward_symint(grad, size, align_corners)",
        )],
        affine_grid,
    ),
    // ----- embedding -----
    d(
        "aten.embedding",
        &[(
            "weight",
            "embedding_backward_symint(grad, indices, weight.sym_size(0), padding_idx, scale_grad_by_freq, sparse)",
        )],
        embedding,
    ).jvp(Forward::Linear),
    dn(
        "aten._embedding_bag",
        &[0],
        &[(
            "weight",
            "_embedding_bag_backward_symint(grad, indices, offsets, result1, result2, result3, weight.sym_size(0), scale_grad_by_freq, mode, sparse, per_sample_weights, padding_idx)",
        )],
        embedding_bag,
    ),
    // ----- randomness -----
    dn(
        "aten.native_dropout",
        &[0],
        &[(
            "input",
            "native_dropout_backward(grad, result1, (!train.has_value() || train.value() ? (p == 1 ? 0.0 : 1.0 / (1.0 - p)) : 1))",
        )],
        dropout,
    ),
];

/// What a rule sees: the op, the gradient of each result, which operands need one, and an
/// [`Emitter`] that builds the backward before the function's terminator.
pub struct Cx<'a, 'c> {
    /// Builds the backward ops.
    pub e: &'a mut Emitter<'c>,
    /// The forward op.
    pub op: OpId,
    grads: Vec<Option<Value>>,
    needs: Vec<bool>,
    groups: Vec<(&'static Argument, Vec<Value>)>,
}

impl<'a, 'c> Cx<'a, 'c> {
    /// The context of differentiating `op`, whose results have gradients `grads` and whose
    /// operands `needs` says require one.
    pub fn new(
        e: &'a mut Emitter<'c>,
        op: OpId,
        grads: Vec<Option<Value>>,
        needs: Vec<bool>,
    ) -> Cx<'a, 'c> {
        let groups = operand_groups(e.ctx, op).unwrap_or_default();
        Cx {
            e,
            op,
            grads,
            needs,
            groups,
        }
    }

    fn group(&self, name: &str) -> Result<(usize, &[Value]), Refusal> {
        let mut next = 0;
        for (arg, values) in &self.groups {
            if arg.name == name {
                return Ok((next, values));
            }
            next += values.len();
        }
        Err(Refusal::Internal(format!("no tensor argument '{name}'")))
    }

    /// The operand of tensor argument `name`.
    pub fn input(&self, name: &str) -> Result<Value, Refusal> {
        self.opt_input(name)?
            .ok_or_else(|| Refusal::Internal(format!("argument '{name}' is absent")))
    }

    /// The operand of optional tensor argument `name`, if present.
    pub fn opt_input(&self, name: &str) -> Result<Option<Value>, Refusal> {
        Ok(self.group(name)?.1.first().copied())
    }

    /// The operands of tensor-list argument `name`.
    pub fn list(&self, name: &str) -> Result<Vec<Value>, Refusal> {
        Ok(self.group(name)?.1.to_vec())
    }

    /// Result `i` of the forward op.
    pub fn result(&self, i: usize) -> Value {
        self.e.ctx.result(self.op, i)
    }

    /// The gradient of result `i`, zeros when none flows into it.
    pub fn grad(&mut self, i: usize) -> Result<Value, Refusal> {
        match self.grads.get(i).copied().flatten() {
            Some(g) => Ok(g),
            None => {
                let info = self.e.info(self.result(i));
                self.e.zeros(&info)
            }
        }
    }

    /// Whether the operand(s) of argument `name` need a gradient.
    pub fn needs(&self, name: &str) -> bool {
        self.group(name)
            .is_ok_and(|(start, values)| (start..start + values.len()).any(|i| self.needs[i]))
    }

    /// The value of non-tensor argument `name` (attribute or schema default).
    pub fn arg(&self, name: &str) -> Result<ArgValue, Refusal> {
        attr_or_default(self.e.ctx, self.op, name).map_err(Refusal::Internal)
    }

    /// An `int` argument.
    pub fn int(&self, name: &str) -> Result<i64, Refusal> {
        self.arg(name)?
            .as_int()
            .ok_or_else(|| Refusal::Internal(format!("'{name}' is not an integer")))
    }

    /// An `int[]` argument.
    pub fn ints(&self, name: &str) -> Result<Vec<i64>, Refusal> {
        match self.arg(name)? {
            ArgValue::IntList(v) => Ok(v),
            ArgValue::Int(v) => Ok(vec![v]),
            ArgValue::None => Ok(Vec::new()),
            _ => Err(Refusal::Internal(format!("'{name}' is not an int list"))),
        }
    }

    /// A number argument as `f64`.
    pub fn float(&self, name: &str) -> Result<f64, Refusal> {
        self.arg(name)?
            .as_f64()
            .ok_or_else(|| Refusal::Internal(format!("'{name}' is not a number")))
    }

    /// The forward op's argument `name` as an attribute for a backward op: the attribute
    /// as written, else its schema default; `None` for an absent optional argument.
    pub fn keep(&mut self, name: &str) -> Result<Option<Attribute>, Refusal> {
        if let Some(a) = self.e.ctx.attr(self.op, name) {
            return Ok(Some(a));
        }
        let value = self.arg(name)?;
        Ok(match value {
            ArgValue::None => None,
            ArgValue::Int(v) => Some(self.e.int(v)),
            ArgValue::Float(v) => Some(self.e.float(v)),
            ArgValue::Bool(v) => Some(self.e.boolean(v)),
            ArgValue::IntList(v) => Some(self.e.ints(&v)),
            ArgValue::BoolList(v) => {
                let items = v.iter().map(|&b| self.e.boolean(b)).collect();
                Some(self.e.ctx.array_attr(items))
            }
            ArgValue::FloatList(v) => {
                let items = v.iter().map(|&f| self.e.float(f)).collect();
                Some(self.e.ctx.array_attr(items))
            }
            ArgValue::Str(s) => Some(self.e.ctx.string_attr(s)),
            ArgValue::DType(t) => Some(self.e.dtype_attr(t)),
        })
    }

    /// [`Cx::keep`] for several arguments, as `(name, attribute)` pairs of a backward op.
    pub fn keep_all(
        &mut self,
        names: &[&'static str],
    ) -> Result<Vec<(&'static str, Attribute)>, Refusal> {
        let mut out = Vec::new();
        for &n in names {
            if let Some(a) = self.keep(n)? {
                out.push((n, a));
            }
        }
        Ok(out)
    }

    /// No gradient for any operand yet.
    pub fn none(&self) -> Vec<Option<Value>> {
        vec![None; self.needs.len()]
    }

    /// Sets the gradient of the (first) operand of argument `name`.
    pub fn set(&self, out: &mut [Option<Value>], name: &str, g: Value) -> Result<(), Refusal> {
        let (start, values) = self.group(name)?;
        if !values.is_empty() {
            out[start] = Some(g);
        }
        Ok(())
    }

    /// Builds `name` with one entry per tensor argument of its schema (`None`: an absent
    /// optional tensor, spelled with `operandSegmentSizes`).
    pub fn call(
        &mut self,
        name: &str,
        operands: &[Option<Value>],
        mut attrs: Vec<(&str, Attribute)>,
    ) -> Result<Vec<Value>, Refusal> {
        let present: Vec<Value> = operands.iter().flatten().copied().collect();
        if present.len() != operands.len() {
            let sizes: Vec<i64> = operands.iter().map(|o| i64::from(o.is_some())).collect();
            attrs.push((joinery_aten::args::SEGMENT_ATTR, self.e.ints(&sizes)));
        }
        self.e.op(name, &present, attrs)
    }

    /// The static sizes of a value.
    pub fn sizes(&self, v: Value) -> Result<Vec<i64>, Refusal> {
        static_dims(&self.e.info(v))
            .map(|d| d.iter().map(|&n| n as i64).collect())
            .ok_or_else(|| "an operand of dynamic shape".into())
    }

    /// The rank of a value.
    pub fn rank(&self, v: Value) -> Result<usize, Refusal> {
        Ok(self.sizes(v)?.len())
    }

    /// `grad * scalar` for the forward op's Scalar argument `name`, unless it is 1.
    fn scaled(&mut self, g: Value, name: &str) -> Result<Value, Refusal> {
        if self.float(name)? == 1.0 {
            return Ok(g);
        }
        let s = self.keep(name)?.expect("a Scalar argument with a default");
        self.e.op1("aten.mul.Scalar", &[g], vec![("other", s)])
    }

    /// `grad * -scalar` for the forward op's Scalar argument `name`.
    fn neg_scaled(&mut self, g: Value, name: &str) -> Result<Value, Refusal> {
        let n = self.e.unary("aten.neg", g)?;
        self.scaled(n, name)
    }

    /// A single gradient for argument `name`.
    fn one(&mut self, name: &str, g: Value) -> Grads {
        let mut out = self.none();
        self.set(&mut out, name, g)?;
        Ok(out)
    }
}

/// Normalizes a possibly negative dim against `rank`.
fn norm(dim: i64, rank: usize) -> i64 {
    if dim < 0 { dim + rank as i64 } else { dim }
}

// ----- pointwise -------------------------------------------------------------------------

/// `self: grad`.
fn identity(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    cx.one("self", g)
}

/// `self: grad; other: grad * alpha`.
fn add(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let mut out = cx.none();
    cx.set(&mut out, "self", g)?;
    if cx.needs("other") {
        let o = cx.scaled(g, "alpha")?;
        cx.set(&mut out, "other", o)?;
    }
    Ok(out)
}

/// `self: grad; other: -grad * alpha`.
fn sub(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let mut out = cx.none();
    cx.set(&mut out, "self", g)?;
    if cx.needs("other") {
        let o = cx.neg_scaled(g, "alpha")?;
        cx.set(&mut out, "other", o)?;
    }
    Ok(out)
}

/// `self: -grad * alpha; other: grad`.
fn rsub(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let mut out = cx.none();
    if cx.needs("self") {
        let s = cx.neg_scaled(g, "alpha")?;
        cx.set(&mut out, "self", s)?;
    }
    if cx.needs("other") {
        cx.set(&mut out, "other", g)?;
    }
    Ok(out)
}

/// `self: grad * other.conj(); other: grad * self.conj()` (the sweep keeps the real part
/// for a real operand, as `handle_r_to_c`).
fn mul(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let (a, b) = (cx.input("self")?, cx.input("other")?);
    let mut out = cx.none();
    if cx.needs("self") {
        let b = conj(cx, b)?;
        let s = cx.e.mul(g, b)?;
        cx.set(&mut out, "self", s)?;
    }
    if cx.needs("other") {
        let a = conj(cx, a)?;
        let o = cx.e.mul(g, a)?;
        cx.set(&mut out, "other", o)?;
    }
    Ok(out)
}

/// `v.conj()`: `aten._conj` of a complex value, the value itself otherwise.
fn conj(cx: &mut Cx, v: Value) -> Result<Value, Refusal> {
    if cx.e.dtype(v).is_complex() {
        cx.e.unary("aten._conj", v)
    } else {
        Ok(v)
    }
}

/// `self: op.Scalar(grad, other)` for `mul.Scalar` and `div.Scalar` (linear in `self`).
fn scalar_same(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let other = cx.keep("other")?.expect("other is required");
    let name = cx.e.ctx.name_str(cx.op).to_string();
    let s = cx.e.op1(&name, &[g], vec![("other", other)])?;
    cx.one("self", s)
}

/// `self: grad / other; other: -grad * self / (other * other)`.
fn div(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let (a, b) = (cx.input("self")?, cx.input("other")?);
    let mut out = cx.none();
    if cx.needs("self") {
        let s = cx.e.div(g, b)?;
        cx.set(&mut out, "self", s)?;
    }
    if cx.needs("other") {
        let n = cx.e.unary("aten.neg", g)?;
        let num = cx.e.mul(n, a)?;
        let sq = cx.e.mul(b, b)?;
        let o = cx.e.div(num, sq)?;
        cx.set(&mut out, "other", o)?;
    }
    Ok(out)
}

/// `at::where(self == other, grad / 2, grad).masked_fill_(self < other, 0)` and the
/// mirror for `other`.
fn maximum(cx: &mut Cx) -> Grads {
    select_extreme(cx, "aten.lt.Tensor")
}

/// As [`maximum`] with `self > other` losing.
fn minimum(cx: &mut Cx) -> Grads {
    select_extreme(cx, "aten.gt.Tensor")
}

fn select_extreme(cx: &mut Cx, loses: &str) -> Grads {
    let g = cx.grad(0)?;
    let (a, b) = (cx.input("self")?, cx.input("other")?);
    let tie = cx.e.binary("aten.eq.Tensor", a, b)?;
    let half = cx.e.with_float("aten.div.Scalar", g, 2.0)?;
    let shared = cx.e.select(tie, half, g)?;
    let zero = cx.e.constant(0.0, cx.e.dtype(g))?;
    let mut out = cx.none();
    for (name, x, y) in [("self", a, b), ("other", b, a)] {
        if cx.needs(name) {
            let lost = cx.e.binary(loses, x, y)?;
            let r = cx.e.select(lost, zero, shared)?;
            cx.set(&mut out, name, r)?;
        }
    }
    Ok(out)
}

/// `pow_backward`: `grad * exponent * self.pow(exponent - 1)` (zeros when exponent is 0).
fn pow_scalar(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let x = cx.input("self")?;
    let p = cx.float("exponent")?;
    if p == 0.0 {
        let info = cx.e.info(x);
        let z = cx.e.zeros(&info)?;
        return cx.one("self", z);
    }
    let e1 = cx.e.float(p - 1.0);
    let lower =
        cx.e.op1("aten.pow.Tensor_Scalar", &[x], vec![("exponent", e1)])?;
    let scaled = cx.e.with_float("aten.mul.Scalar", lower, p)?;
    let r = cx.e.mul(g, scaled)?;
    cx.one("self", r)
}

/// `self: where(condition, grad, 0); other: where(condition, 0, grad)`.
fn where_self(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let c = cx.input("condition")?;
    let zero = cx.e.constant(0.0, cx.e.dtype(g))?;
    let mut out = cx.none();
    if cx.needs("self") {
        let s = cx.e.select(c, g, zero)?;
        cx.set(&mut out, "self", s)?;
    }
    if cx.needs("other") {
        let o = cx.e.select(c, zero, g)?;
        cx.set(&mut out, "other", o)?;
    }
    Ok(out)
}

/// `clamp_backward`: `grad` where `min <= self <= max`, else 0.
fn clamp(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let x = cx.input("self")?;
    let zero = cx.e.constant(0.0, cx.e.dtype(g))?;
    let mut r = g;
    for (bound, cmp) in [("min", "aten.ge.Scalar"), ("max", "aten.le.Scalar")] {
        if cx.e.ctx.attr(cx.op, bound).is_none() {
            continue;
        }
        let b = cx.keep(bound)?.expect("present");
        let inside = cx.e.op1(cmp, &[x], vec![("other", b)])?;
        r = cx.e.select(inside, r, zero)?;
    }
    cx.one("self", r)
}

/// `self: grad.masked_fill(mask, 0)`.
fn masked_fill(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let m = cx.input("mask")?;
    let zero = cx.e.constant(0.0, cx.e.dtype(g))?;
    let r = cx.e.select(m, zero, g)?;
    cx.one("self", r)
}

/// The value a pointwise rule's factor is computed from.
#[derive(Clone, Copy)]
enum Of {
    /// The op's input `self`.
    Input,
    /// The op's result.
    Result,
}

/// A factor of a pointwise rule, built from the input or the result.
type Factor = fn(&mut Emitter, Value) -> Result<Value, Refusal>;

/// `self: grad * factor(v)`, `v` the input or the result: the one-line pointwise rules.
fn times(cx: &mut Cx, of: Of, factor: Factor) -> Grads {
    pointwise(cx, of, factor, "aten.mul.Tensor")
}

/// `self: grad / factor(v)`, `v` the input or the result.
fn over(cx: &mut Cx, of: Of, factor: Factor) -> Grads {
    pointwise(cx, of, factor, "aten.div.Tensor")
}

/// `self: combine(grad, factor(v))`.
fn pointwise(cx: &mut Cx, of: Of, factor: Factor, combine: &str) -> Grads {
    let g = cx.grad(0)?;
    let v = match of {
        Of::Input => cx.input("self")?,
        Of::Result => cx.result(0),
    };
    let f = factor(cx.e, v)?;
    let r = cx.e.binary(combine, g, f)?;
    cx.one("self", r)
}

/// `self: op(grad)`: a linear op's gradient is another linear op of the gradient.
fn of_grad(cx: &mut Cx, op: &str) -> Grads {
    let g = cx.grad(0)?;
    let r = cx.e.unary(op, g)?;
    cx.one("self", r)
}

/// `self: -grad`.
fn neg(cx: &mut Cx) -> Grads {
    of_grad(cx, "aten.neg")
}

/// `self: threshold_backward(grad, result, 0)`.
fn relu(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let y = cx.result(0);
    let zero = cx.e.int(0);
    let r = cx.e.op1(
        "aten.threshold_backward",
        &[g, y],
        vec![("threshold", zero)],
    )?;
    cx.one("self", r)
}

/// `self: grad * result`.
fn exp(cx: &mut Cx) -> Grads {
    times(cx, Of::Result, |_, y| Ok(y))
}

/// `self: grad / self`.
fn log(cx: &mut Cx) -> Grads {
    over(cx, Of::Input, |_, x| Ok(x))
}

/// `grad_op(grad, result)`: `tanh_backward`, `sigmoid_backward`.
fn result_backward(cx: &mut Cx, name: &str) -> Grads {
    let g = cx.grad(0)?;
    let y = cx.result(0);
    let r = cx.e.binary(name, g, y)?;
    cx.one("self", r)
}

/// `self: tanh_backward(grad, result)`.
fn tanh(cx: &mut Cx) -> Grads {
    result_backward(cx, "aten.tanh_backward")
}

/// `self: sigmoid_backward(grad, result)`.
fn sigmoid(cx: &mut Cx) -> Grads {
    result_backward(cx, "aten.sigmoid_backward")
}

/// `self: grad / (2 * result)`.
fn sqrt(cx: &mut Cx) -> Grads {
    over(cx, Of::Result, |e, y| e.with_int("aten.mul.Scalar", y, 2))
}

/// `self: -0.5 * grad * result.pow(3)`.
fn rsqrt(cx: &mut Cx) -> Grads {
    times(cx, Of::Result, |e, y| {
        let three = e.int(3);
        let cube = e.op1("aten.pow.Tensor_Scalar", &[y], vec![("exponent", three)])?;
        e.with_float("aten.mul.Scalar", cube, -0.5)
    })
}

/// `self: -grad * (result * result)`.
fn reciprocal(cx: &mut Cx) -> Grads {
    times(cx, Of::Result, |e, y| {
        let sq = e.mul(y, y)?;
        e.unary("aten.neg", sq)
    })
}

/// `self: grad * self.cos()`.
fn sin(cx: &mut Cx) -> Grads {
    times(cx, Of::Input, |e, x| e.unary("aten.cos", x))
}

/// `self: grad * -self.sin()`.
fn cos(cx: &mut Cx) -> Grads {
    times(cx, Of::Input, |e, x| {
        let s = e.unary("aten.sin", x)?;
        e.unary("aten.neg", s)
    })
}

/// `self: grad * self.sgn()`.
fn abs(cx: &mut Cx) -> Grads {
    times(cx, Of::Input, |e, x| e.unary("aten.sgn", x))
}

/// `log1p_backward`: `grad / (self + 1)`.
fn log1p(cx: &mut Cx) -> Grads {
    over(cx, Of::Input, |e, x| e.with_int("aten.add.Scalar", x, 1))
}

/// `self: grad * (result + 1)`.
fn expm1(cx: &mut Cx) -> Grads {
    times(cx, Of::Result, |e, y| e.with_int("aten.add.Scalar", y, 1))
}

/// `self: 2 / sqrt(pi) * exp(-self^2) * grad`.
fn erf(cx: &mut Cx) -> Grads {
    times(cx, Of::Input, |e, x| {
        let sq = e.mul(x, x)?;
        let n = e.unary("aten.neg", sq)?;
        let ex = e.unary("aten.exp", n)?;
        e.with_float("aten.mul.Scalar", ex, std::f64::consts::FRAC_2_SQRT_PI)
    })
}

/// `grad_output: threshold_backward(grad, self, threshold); self: zeros_like(grad)`.
fn threshold_backward(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let x = cx.input("self")?;
    let mut out = cx.none();
    if cx.needs("grad_output") {
        let attrs = cx.keep_all(&["threshold"])?;
        let r = cx.e.op1("aten.threshold_backward", &[g, x], attrs)?;
        cx.set(&mut out, "grad_output", r)?;
    }
    if cx.needs("self") {
        let info = cx.e.info(g);
        let zeros = cx.e.zeros(&info)?;
        cx.set(&mut out, "self", zeros)?;
    }
    Ok(out)
}

/// `grad_output: tanh_backward(grad, output); output: -2 * output * grad_output * grad`.
fn tanh_backward(cx: &mut Cx) -> Grads {
    activation_second(cx, "aten.tanh_backward", |e, y| {
        e.with_int("aten.mul.Scalar", y, -2)
    })
}

/// `grad_output: sigmoid_backward(grad, output); output: grad * grad_output * (1 - 2 *
/// output)`.
fn sigmoid_backward(cx: &mut Cx) -> Grads {
    activation_second(cx, "aten.sigmoid_backward", |e, y| {
        let m = e.with_int("aten.mul.Scalar", y, -2)?;
        e.with_int("aten.add.Scalar", m, 1)
    })
}

/// The rule of `name(grad_output, output)`, a backward linear in `grad_output` whose
/// derivative in `output` is `grad * grad_output * slope(output)`.
fn activation_second(cx: &mut Cx, name: &str, slope: Factor) -> Grads {
    let g = cx.grad(0)?;
    let (go, y) = (cx.input("grad_output")?, cx.input("output")?);
    let mut out = cx.none();
    if cx.needs("grad_output") {
        let r = cx.e.binary(name, g, y)?;
        cx.set(&mut out, "grad_output", r)?;
    }
    if cx.needs("output") {
        let s = slope(cx.e, y)?;
        let gg = cx.e.mul(g, go)?;
        let r = cx.e.mul(gg, s)?;
        cx.set(&mut out, "output", r)?;
    }
    Ok(out)
}

/// `backward(grad, self, <the forward's arguments>)` for activations.
fn activation_backward(cx: &mut Cx, name: &str, args: &[&'static str]) -> Grads {
    let g = cx.grad(0)?;
    let x = cx.input("self")?;
    let attrs = cx.keep_all(args)?;
    let r = cx.e.op1(name, &[g, x], attrs)?;
    cx.one("self", r)
}

/// `self: gelu_backward(grad, self, approximate)`.
fn gelu(cx: &mut Cx) -> Grads {
    activation_backward(cx, "aten.gelu_backward", &["approximate"])
}

/// `self: silu_backward(grad, self)`.
fn silu(cx: &mut Cx) -> Grads {
    activation_backward(cx, "aten.silu_backward", &[])
}

/// `self: leaky_relu_backward(grad, self, negative_slope, false)`.
fn leaky_relu(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let x = cx.input("self")?;
    let mut attrs = cx.keep_all(&["negative_slope"])?;
    attrs.push(("self_is_result", cx.e.boolean(false)));
    let r = cx.e.op1("aten.leaky_relu_backward", &[g, x], attrs)?;
    cx.one("self", r)
}

/// `self: hardtanh_backward(grad, self, min_val, max_val)`.
fn hardtanh(cx: &mut Cx) -> Grads {
    activation_backward(cx, "aten.hardtanh_backward", &["min_val", "max_val"])
}

/// `self: elu_backward(grad, alpha, scale, input_scale, false, self)`.
fn elu(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let x = cx.input("self")?;
    let mut attrs = cx.keep_all(&["alpha", "scale", "input_scale"])?;
    attrs.push(("is_result", cx.e.boolean(false)));
    let r = cx.e.op1("aten.elu_backward", &[g, x], attrs)?;
    cx.one("self", r)
}

/// `self: softplus_backward(grad, self, beta, threshold)`.
fn softplus(cx: &mut Cx) -> Grads {
    activation_backward(cx, "aten.softplus_backward", &["beta", "threshold"])
}

/// `self: hardswish_backward(grad, self)`.
fn hardswish(cx: &mut Cx) -> Grads {
    activation_backward(cx, "aten.hardswish_backward", &[])
}

/// `self: hardsigmoid_backward(grad, self)`.
fn hardsigmoid(cx: &mut Cx) -> Grads {
    activation_backward(cx, "aten.hardsigmoid_backward", &[])
}

/// `self: mish_backward(grad, self)`.
fn mish(cx: &mut Cx) -> Grads {
    activation_backward(cx, "aten.mish_backward", &[])
}

// ----- reductions ------------------------------------------------------------------------

/// The reduced dims of a reduction (`dim`, every dim when absent or empty), sorted.
fn reduced_dims(cx: &Cx, rank: usize) -> Result<Vec<i64>, Refusal> {
    let has_dim =
        joinery_aten::schema(cx.e.ctx.name_str(cx.op)).is_some_and(|s| s.arg("dim").is_some());
    let dims = if has_dim { cx.ints("dim")? } else { Vec::new() };
    let mut dims: Vec<i64> = if dims.is_empty() {
        (0..rank as i64).collect()
    } else {
        dims.iter().map(|&d| norm(d, rank)).collect()
    };
    dims.sort_unstable();
    dims.dedup();
    Ok(dims)
}

/// Whether the forward reduction kept its reduced dims.
fn keepdim(cx: &Cx) -> Result<bool, Refusal> {
    let has =
        joinery_aten::schema(cx.e.ctx.name_str(cx.op)).is_some_and(|s| s.arg("keepdim").is_some());
    Ok(has && cx.arg("keepdim")?.as_bool() == Some(true))
}

/// `restore_reduced_dims`: `v` with the reduced dims back as extent 1.
fn restore(cx: &mut Cx, v: Value, rank: usize) -> Result<Value, Refusal> {
    // A 0-d value expands as it is.
    if keepdim(cx)? || cx.rank(v)? == rank || cx.rank(v)? == 0 {
        return Ok(v);
    }
    let mut r = v;
    for d in reduced_dims(cx, rank)? {
        r = cx.e.unsqueeze(r, d)?;
    }
    Ok(r)
}

/// `expand(grad with reduced dims restored, self.sizes())`.
fn expand_back(cx: &mut Cx) -> Result<Value, Refusal> {
    let g = cx.grad(0)?;
    let x = cx.input("self")?;
    let sizes = cx.sizes(x)?;
    let g = restore(cx, g, sizes.len())?;
    let size = cx.e.ints(&sizes);
    cx.e.op1("aten.expand", &[g], vec![("size", size)])
}

/// `sum_backward`: the gradient broadcast back over the reduced dims.
fn sum(cx: &mut Cx) -> Grads {
    let r = expand_back(cx)?;
    cx.one("self", r)
}

/// `mean_backward`: `sum_backward(grad) / count`.
fn mean(cx: &mut Cx) -> Grads {
    let x = cx.input("self")?;
    let sizes = cx.sizes(x)?;
    let count: i64 = reduced_dims(cx, sizes.len())?
        .iter()
        .map(|&d| sizes[d as usize])
        .product();
    let e = expand_back(cx)?;
    let r = cx.e.with_int("aten.div.Scalar", e, count)?;
    cx.one("self", r)
}

/// `scale_grad_by_count(restore(grad), restore(result) == self, dim)`: the gradient split
/// evenly among the elements equal to the extreme.
fn amax(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let x = cx.input("self")?;
    let rank = cx.rank(x)?;
    let y = cx.result(0);
    let g = restore(cx, g, rank)?;
    let y = restore(cx, y, rank)?;
    let hit = cx.e.binary("aten.eq.Tensor", y, x)?;
    let mask = cx.e.cast(hit, cx.e.dtype(g))?;
    let dims = reduced_dims(cx, rank)?;
    let count = cx.e.sum(mask, &dims, true)?;
    let share = cx.e.div(g, count)?;
    let r = cx.e.mul(share, mask)?;
    cx.one("self", r)
}

/// `value_selecting_reduction_backward(grad, dim, indices, self.sizes(), keepdim)`.
fn max_dim(cx: &mut Cx) -> Grads {
    let keep = keepdim(cx)?;
    selected_backward(cx, keep)
}

/// `value_selecting_reduction_backward(grad, dim, indices, self.sizes(), true)`.
fn topk(cx: &mut Cx) -> Grads {
    selected_backward(cx, true)
}

/// `value_selecting_reduction_backward`: the gradient scattered into zeros at the selected
/// indices (result 1) along `dim`; `keep`: the selection kept `dim`.
fn selected_backward(cx: &mut Cx, keep: bool) -> Grads {
    let g = cx.grad(0)?;
    let x = cx.input("self")?;
    let rank = cx.rank(x)?;
    let dim = norm(cx.int("dim")?, rank);
    let mut idx = cx.result(1);
    let mut g = g;
    if !keep && rank > 0 {
        g = cx.e.unsqueeze(g, dim)?;
        idx = cx.e.unsqueeze(idx, dim)?;
    }
    let info = cx.e.info(x);
    let zeros = cx.e.zeros(&info)?;
    let d = cx.e.int(dim);
    let r =
        cx.e.op1("aten.scatter.src", &[zeros, idx, g], vec![("dim", d)])?;
    cx.one("self", r)
}

/// `cumsum_backward`: `grad.flip(dim).cumsum(dim).flip(dim)`.
fn cumsum(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let rank = cx.rank(g)?;
    let dim = norm(cx.int("dim")?, rank);
    let dims = cx.e.ints(&[dim]);
    let f = cx.e.op1("aten.flip", &[g], vec![("dims", dims)])?;
    let d = cx.e.int(dim);
    let c = cx.e.op1("aten.cumsum", &[f], vec![("dim", d)])?;
    let r = cx.e.op1("aten.flip", &[c], vec![("dims", dims)])?;
    cx.one("self", r)
}

/// `linalg_vector_norm_backward` for a finite `ord` p >= 1: `self.sgn() * |self|^(p-1) *
/// grad / result^(p-1)` with the reduced dims restored and 0 where the norm is 0 (`self *
/// grad / result` for p = 2, `self.sgn() * grad` for p = 1).
fn vector_norm(cx: &mut Cx) -> Grads {
    let x = cx.input("self")?;
    let rank = cx.rank(x)?;
    let p = cx.float("ord")?;
    if !(p.is_finite() && p >= 1.0) {
        return Err(
            format!("linalg_vector_norm of ord {p}: only a finite ord >= 1 has a rule").into(),
        );
    }
    let g = cx.grad(0)?;
    let g = restore(cx, g, rank)?;
    let sign = cx.e.unary("aten.sgn", x)?;
    if p == 1.0 {
        let r = cx.e.mul(sign, g)?;
        return cx.one("self", r);
    }
    let y = cx.result(0);
    let y = restore(cx, y, rank)?;
    let (scaled, denominator) = if p == 2.0 {
        (x, y)
    } else {
        let magnitude = cx.e.unary("aten.abs", x)?;
        let lower = cx.e.float(p - 1.0);
        let powered = cx.e.op1(
            "aten.pow.Tensor_Scalar",
            &[magnitude],
            vec![("exponent", lower)],
        )?;
        let lower = cx.e.float(p - 1.0);
        let norm_powered =
            cx.e.op1("aten.pow.Tensor_Scalar", &[y], vec![("exponent", lower)])?;
        (cx.e.mul(sign, powered)?, norm_powered)
    };
    let ratio = cx.e.div(g, denominator)?;
    let zero = cx.e.float(0.0);
    let vanishes = cx.e.op1("aten.eq.Scalar", &[y], vec![("other", zero)])?;
    let nought = cx.e.constant(0.0, cx.e.dtype(ratio))?;
    let ratio = cx.e.select(vanishes, nought, ratio)?;
    let r = cx.e.mul(scaled, ratio)?;
    cx.one("self", r)
}

/// `x1: _cdist_backward(grad, x1, x2, p, result); x2: _cdist_backward(grad.mT(), x2, x1, p,
/// result.mT())`.
fn cdist(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let (x1, x2) = (cx.input("x1")?, cx.input("x2")?);
    let y = cx.result(0);
    let p = cx.keep("p")?.expect("p is required");
    let mut out = cx.none();
    if cx.needs("x1") {
        let r =
            cx.e.op1("aten._cdist_backward", &[g, x1, x2, y], vec![("p", p)])?;
        cx.set(&mut out, "x1", r)?;
    }
    if cx.needs("x2") {
        let rank = cx.rank(g)? as i64;
        let gt = matrix_transpose(cx, g, rank)?;
        let yt = matrix_transpose(cx, y, rank)?;
        let r =
            cx.e.op1("aten._cdist_backward", &[gt, x2, x1, yt], vec![("p", p)])?;
        cx.set(&mut out, "x2", r)?;
    }
    Ok(out)
}

/// `v.mT()`: the last two dims of a rank-`rank` value swapped.
fn matrix_transpose(cx: &mut Cx, v: Value, rank: i64) -> Result<Value, Refusal> {
    let attrs = vec![("dim0", cx.e.int(rank - 2)), ("dim1", cx.e.int(rank - 1))];
    cx.e.op1("aten.transpose.int", &[v], attrs)
}

/// `self: _pdist_backward(grad, self, p, result)`.
fn pdist(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let x = cx.input("self")?;
    let y = cx.result(0);
    let p = cx.keep("p")?.expect("p has a default");
    let r =
        cx.e.op1("aten._pdist_backward", &[g, x, y], vec![("p", p)])?;
    cx.one("self", r)
}

// ----- linear algebra --------------------------------------------------------------------

/// `self: grad.mm(mat2.t()); mat2: self.t().mm(grad)`.
fn mm(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let (a, b) = (cx.input("self")?, cx.input("mat2")?);
    let mut out = cx.none();
    if cx.needs("self") {
        let bt = cx.e.unary("aten.t", b)?;
        let r = cx.e.binary("aten.mm", g, bt)?;
        cx.set(&mut out, "self", r)?;
    }
    if cx.needs("mat2") {
        let at = cx.e.unary("aten.t", a)?;
        let r = cx.e.binary("aten.mm", at, g)?;
        cx.set(&mut out, "mat2", r)?;
    }
    Ok(out)
}

/// `self: grad.bmm(mat2.transpose(1, 2)); mat2: self.transpose(1, 2).bmm(grad)`.
fn bmm(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let (a, b) = (cx.input("self")?, cx.input("mat2")?);
    let mut out = cx.none();
    let (one, two) = (cx.e.int(1), cx.e.int(2));
    if cx.needs("self") {
        let bt = cx.e.op1(
            "aten.transpose.int",
            &[b],
            vec![("dim0", one), ("dim1", two)],
        )?;
        let r = cx.e.binary("aten.bmm", g, bt)?;
        cx.set(&mut out, "self", r)?;
    }
    if cx.needs("mat2") {
        let at = cx.e.op1(
            "aten.transpose.int",
            &[a],
            vec![("dim0", one), ("dim1", two)],
        )?;
        let r = cx.e.binary("aten.bmm", at, g)?;
        cx.set(&mut out, "mat2", r)?;
    }
    Ok(out)
}

/// `self: grad * beta; mat1: grad.mm(mat2.t()) * alpha; mat2: mat1.t().mm(grad) * alpha`.
fn addmm(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let (m1, m2) = (cx.input("mat1")?, cx.input("mat2")?);
    let mut out = cx.none();
    if cx.needs("self") {
        let s = cx.scaled(g, "beta")?;
        cx.set(&mut out, "self", s)?;
    }
    if cx.needs("mat1") {
        let t = cx.e.unary("aten.t", m2)?;
        let r = cx.e.binary("aten.mm", g, t)?;
        let r = cx.scaled(r, "alpha")?;
        cx.set(&mut out, "mat1", r)?;
    }
    if cx.needs("mat2") {
        let t = cx.e.unary("aten.t", m1)?;
        let r = cx.e.binary("aten.mm", t, g)?;
        let r = cx.scaled(r, "alpha")?;
        cx.set(&mut out, "mat2", r)?;
    }
    Ok(out)
}

// ----- views -----------------------------------------------------------------------------

/// `self: grad.view(self.sizes())` (view, reshape, the squeezes).
fn reshape(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let x = cx.input("self")?;
    let sizes = cx.sizes(x)?;
    let r = cx.e.view(g, &sizes)?;
    cx.one("self", r)
}

/// `self: grad.squeeze(dim)`.
fn unsqueeze(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let rank = cx.rank(g)?;
    let dim = cx.e.int(norm(cx.int("dim")?, rank));
    let r = cx.e.op1("aten.squeeze.dim", &[g], vec![("dim", dim)])?;
    cx.one("self", r)
}

/// `self: grad.t()`.
fn t(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let r = cx.e.unary("aten.t", g)?;
    cx.one("self", r)
}

/// `self: grad.transpose(dim0, dim1)`.
fn transpose(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let attrs = cx.keep_all(&["dim0", "dim1"])?;
    let r = cx.e.op1("aten.transpose.int", &[g], attrs)?;
    cx.one("self", r)
}

/// `permute_backwards`: `grad.permute(inverse of dims)`.
fn permute(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let rank = cx.rank(g)?;
    let dims = cx.ints("dims")?;
    let mut inverse = vec![0i64; rank];
    for (i, &d) in dims.iter().enumerate() {
        inverse[norm(d, rank) as usize] = i as i64;
    }
    let inv = cx.e.ints(&inverse);
    let r = cx.e.op1("aten.permute", &[g], vec![("dims", inv)])?;
    cx.one("self", r)
}

/// `slice_backward(grad, self.sizes(), dim, start, end, step)`.
fn slice(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let x = cx.input("self")?;
    let sizes = cx.sizes(x)?;
    let dim = norm(cx.int("dim")?, sizes.len());
    let start = cx.arg("start")?.as_int().unwrap_or(0);
    let end = cx.arg("end")?.as_int().unwrap_or(i64::MAX);
    let step = cx.int("step")?;
    let attrs = vec![
        ("input_sizes", cx.e.ints(&sizes)),
        ("dim", cx.e.int(dim)),
        ("start", cx.e.int(start)),
        ("end", cx.e.int(end)),
        ("step", cx.e.int(step)),
    ];
    let r = cx.e.op1("aten.slice_backward", &[g], attrs)?;
    cx.one("self", r)
}

/// `select_backward(grad, self.sizes(), dim, index)`.
fn select(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let x = cx.input("self")?;
    let sizes = cx.sizes(x)?;
    let mut attrs = cx.keep_all(&["dim", "index"])?;
    attrs.push(("input_sizes", cx.e.ints(&sizes)));
    let r = cx.e.op1("aten.select_backward", &[g], attrs)?;
    cx.one("self", r)
}

/// `cat_tensors_backward`: one slice of the gradient per input along `dim`.
fn cat(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let rank = cx.rank(g)?;
    let dim = norm(cx.int("dim")?, rank);
    let inputs = cx.list("tensors")?;
    let mut out = cx.none();
    let mut offset = 0;
    for (i, &x) in inputs.iter().enumerate() {
        let sizes = cx.sizes(x)?;
        if sizes.len() != rank {
            // `cat` skips 1-d empty tensors; they get no gradient.
            continue;
        }
        let n = sizes[dim as usize];
        if cx.needs[i] {
            let attrs = vec![
                ("dim", cx.e.int(dim)),
                ("start", cx.e.int(offset)),
                ("end", cx.e.int(offset + n)),
            ];
            out[i] = Some(cx.e.op1("aten.slice.Tensor", &[g], attrs)?);
        }
        offset += n;
    }
    Ok(out)
}

/// `stack_tensors_backward`: `grad.select(dim, i)` for input `i`.
fn stack(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let rank = cx.rank(g)?;
    let dim = norm(cx.int("dim")?, rank);
    let inputs = cx.list("tensors")?;
    let mut out = cx.none();
    for (i, slot) in out.iter_mut().enumerate().take(inputs.len()) {
        if cx.needs[i] {
            let attrs = vec![("dim", cx.e.int(dim)), ("index", cx.e.int(i as i64))];
            *slot = Some(cx.e.op1("aten.select.int", &[g], attrs)?);
        }
    }
    Ok(out)
}

/// `split_backward`: the pieces' gradients (zeros where none flows) concatenated.
fn split(cx: &mut Cx) -> Grads {
    let n = cx.e.ctx.results(cx.op).len();
    let rank = cx.rank(cx.result(0))?;
    let dim = norm(cx.int("dim")?, rank);
    let pieces: Vec<Value> = (0..n).map(|i| cx.grad(i)).collect::<Result<_, _>>()?;
    let d = cx.e.int(dim);
    let r = cx.e.op1("aten.cat", &pieces, vec![("dim", d)])?;
    cx.one("self", r)
}

/// `unbind_backward`: the pieces' gradients stacked along `dim`.
fn unbind(cx: &mut Cx) -> Grads {
    let n = cx.e.ctx.results(cx.op).len();
    let x = cx.input("self")?;
    let dim = norm(cx.int("dim")?, cx.rank(x)?);
    let pieces: Vec<Value> = (0..n).map(|i| cx.grad(i)).collect::<Result<_, _>>()?;
    let d = cx.e.int(dim);
    let r = cx.e.op1("aten.stack", &pieces, vec![("dim", d)])?;
    cx.one("self", r)
}

/// `self: grad.flip(dims)`.
fn flip(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let attrs = cx.keep_all(&["dims"])?;
    let r = cx.e.op1("aten.flip", &[g], attrs)?;
    cx.one("self", r)
}

/// `self: grad.triu(diagonal)` / `grad.tril(diagonal)`.
fn triangle(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let name = cx.e.ctx.name_str(cx.op).to_string();
    let attrs = cx.keep_all(&["diagonal"])?;
    let r = cx.e.op1(&name, &[g], attrs)?;
    cx.one("self", r)
}

/// `constant_pad_nd_backward`: `constant_pad_nd(grad, -pad)`.
fn constant_pad(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let pad: Vec<i64> = cx.ints("pad")?.iter().map(|p| -p).collect();
    let p = cx.e.ints(&pad);
    let r = cx.e.op1("aten.constant_pad_nd", &[g], vec![("pad", p)])?;
    cx.one("self", r)
}

/// `gather_backward`: `zeros(self.sizes()).scatter_add(dim, index, grad)`.
fn gather(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let x = cx.input("self")?;
    let index = cx.input("index")?;
    let info = cx.e.info(x);
    let zeros = cx.e.zeros(&info)?;
    let attrs = cx.keep_all(&["dim"])?;
    let r = cx.e.op1("aten.scatter_add", &[zeros, index, g], attrs)?;
    cx.one("self", r)
}

/// `index_backward`: `index_put(zeros(self.sizes()), indices, grad, accumulate=True)`.
fn index(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let x = cx.input("self")?;
    let indices = cx.list("indices")?;
    let info = cx.e.info(x);
    let zeros = cx.e.zeros(&info)?;
    let name = if cx.e.ctx.name_str(cx.op) == "aten.index.Tensor" {
        "aten.index_put"
    } else {
        "aten._unsafe_index_put"
    };
    let mut operands = vec![zeros];
    operands.extend(indices);
    operands.push(g);
    let acc = cx.e.boolean(true);
    let r = cx.e.op1(name, &operands, vec![("accumulate", acc)])?;
    cx.one("self", r)
}

/// `self: accumulate ? grad : grad.index_put(indices, zeros_like(values)); values:
/// grad.index(indices)`.
fn index_put(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let indices = cx.list("indices")?;
    let values = cx.input("values")?;
    let mut out = cx.none();
    if cx.needs("self") {
        let r = if cx.arg("accumulate")?.as_bool() == Some(true) {
            g
        } else {
            let info = cx.e.info(values);
            let zeros = cx.e.zeros(&info)?;
            let mut operands = vec![g];
            operands.extend(&indices);
            operands.push(zeros);
            let no = cx.e.boolean(false);
            cx.e.op1("aten.index_put", &operands, vec![("accumulate", no)])?
        };
        cx.set(&mut out, "self", r)?;
    }
    if cx.needs("values") {
        let mut operands = vec![g];
        operands.extend(&indices);
        let r = cx.e.op1("aten.index.Tensor", &operands, Vec::new())?;
        cx.set(&mut out, "values", r)?;
    }
    Ok(out)
}

/// `self: slice_scatter(grad, zeros_like(src), dim, start, end, step); src: grad.slice(dim,
/// start, end, step)`.
fn slice_scatter(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let src = cx.input("src")?;
    let attrs = cx.keep_all(&["dim", "start", "end", "step"])?;
    let mut out = cx.none();
    if cx.needs("self") {
        let info = cx.e.info(src);
        let zeros = cx.e.zeros(&info)?;
        let r = cx.e.op1("aten.slice_scatter", &[g, zeros], attrs.clone())?;
        cx.set(&mut out, "self", r)?;
    }
    if cx.needs("src") {
        let r = cx.e.op1("aten.slice.Tensor", &[g], attrs)?;
        cx.set(&mut out, "src", r)?;
    }
    Ok(out)
}

/// `self: zeros_like(grad); src: sum_to(grad, src.sizes())` (the sweep sums and converts).
fn copy(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let mut out = cx.none();
    if cx.needs("self") {
        let info = cx.e.info(g);
        let zeros = cx.e.zeros(&info)?;
        cx.set(&mut out, "self", zeros)?;
    }
    if cx.needs("src") {
        cx.set(&mut out, "src", g)?;
    }
    Ok(out)
}

/// `self: view_as_real(grad)`.
fn view_as_complex(cx: &mut Cx) -> Grads {
    of_grad(cx, "aten.view_as_real")
}

/// `self: view_as_complex(grad)`.
fn view_as_real(cx: &mut Cx) -> Grads {
    of_grad(cx, "aten.view_as_complex")
}

/// `fft_r2c_backward`: the one-sided gradient zero-padded along the last transformed dim
/// to `self`'s length, then `real(_fft_c2c(full, dim, normalization, forward=false))`.
fn fft_r2c(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let x = cx.input("self")?;
    let rank = cx.rank(x)?;
    let dims = cx.ints("dim")?;
    let last = norm(*dims.last().ok_or("an FFT over no dims")?, rank);
    let full = cx.sizes(x)?[last as usize];
    let mut sizes = cx.sizes(g)?;
    let half = sizes[last as usize];
    let mut g = g;
    if cx.arg("onesided")?.as_bool() == Some(true) && full > half {
        sizes[last as usize] = full;
        let info = TensorInfo::new(
            sizes.iter().map(|&n| Dim::Static(n as u64)).collect(),
            cx.e.dtype(g),
        );
        let zeros = cx.e.zeros(&info)?;
        let attrs = vec![
            ("dim", cx.e.int(last)),
            ("start", cx.e.int(0)),
            ("end", cx.e.int(half)),
        ];
        g = cx.e.op1("aten.slice_scatter", &[zeros, g], attrs)?;
    }
    let mut attrs = cx.keep_all(&["dim", "normalization"])?;
    attrs.push(("forward", cx.e.boolean(false)));
    let c = cx.e.op1("aten._fft_c2c", &[g], attrs)?;
    let r = cx.e.unary("aten.real", c)?;
    cx.one("self", r)
}

/// `fft_c2r_backward`: `_fft_r2c(grad, dim, normalization, onesided=true)` with the bins
/// that stand for two (all but the first and, for an even length, the last) doubled.
fn fft_c2r(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let rank = cx.rank(g)?;
    let mut attrs = cx.keep_all(&["dim", "normalization"])?;
    attrs.push(("onesided", cx.e.boolean(true)));
    let r = cx.e.op1("aten._fft_r2c", &[g], attrs)?;
    let dims = cx.ints("dim")?;
    let last = norm(*dims.last().ok_or("an FFT over no dims")?, rank);
    let doubled = cx.sizes(g)?[last as usize] - cx.sizes(r)?[last as usize];
    if doubled <= 0 {
        return cx.one("self", r);
    }
    let attrs = vec![
        ("dim", cx.e.int(last)),
        ("start", cx.e.int(1)),
        ("end", cx.e.int(1 + doubled)),
    ];
    let middle = cx.e.op1("aten.slice.Tensor", &[r], attrs.clone())?;
    let twice = cx.e.with_int("aten.mul.Scalar", middle, 2)?;
    let r = cx.e.op1("aten.slice_scatter", &[r, twice], attrs)?;
    cx.one("self", r)
}

/// `self: col2im(grad, self.sizes()[-2:], kernel_size, dilation, padding, stride)`.
fn im2col(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let sizes = cx.sizes(cx.input("self")?)?;
    let mut attrs = cx.keep_all(&["kernel_size", "dilation", "padding", "stride"])?;
    attrs.push(("output_size", cx.e.ints(&sizes[sizes.len() - 2..])));
    let r = cx.e.op1("aten.col2im", &[g], attrs)?;
    cx.one("self", r)
}

/// `self: im2col(grad, kernel_size, dilation, padding, stride)`.
fn col2im(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let attrs = cx.keep_all(&["kernel_size", "dilation", "padding", "stride"])?;
    let r = cx.e.op1("aten.im2col", &[g], attrs)?;
    cx.one("self", r)
}

// ----- softmax, attention and losses -----------------------------------------------------

/// `self: _softmax_backward_data(grad, result, dim, self.scalar_type())` and the log form.
fn softmax(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let y = cx.result(0);
    let x = cx.input("self")?;
    let name = if cx.e.ctx.name_str(cx.op) == "aten._softmax" {
        "aten._softmax_backward_data"
    } else {
        "aten._log_softmax_backward_data"
    };
    let dim = cx.keep("dim")?.expect("dim is required");
    let dt = cx.e.dtype(x);
    let input_dtype = cx.e.dtype_attr(dt);
    let r = cx.e.op1(
        name,
        &[g, y],
        vec![("dim", dim), ("input_dtype", input_dtype)],
    )?;
    cx.one("self", r)
}

/// `query, key, value: _scaled_dot_product_flash_attention_for_cpu_backward(grad, query,
/// key, value, output, logsumexp, dropout_p, is_causal, attn_mask, scale)`. Dropout is
/// refused: the backward would need the forward's random draws.
fn flash_attention(cx: &mut Cx) -> Grads {
    if cx.float("dropout_p")? != 0.0 {
        return Err("attention with dropout: the backward needs the forward's random draws".into());
    }
    let g = cx.grad(0)?;
    let names = ["query", "key", "value"];
    let (q, k, v) = (cx.input("query")?, cx.input("key")?, cx.input("value")?);
    let mask = cx.opt_input("attn_mask")?;
    let (out, logsumexp) = (cx.result(0), cx.result(1));
    let attrs = cx.keep_all(&["dropout_p", "is_causal", "scale"])?;
    let r = cx.call(
        "aten._scaled_dot_product_flash_attention_for_cpu_backward",
        &[
            Some(g),
            Some(q),
            Some(k),
            Some(v),
            Some(out),
            Some(logsumexp),
            mask,
        ],
        attrs,
    )?;
    several(cx, &r, &names)
}

/// `self: nll_loss_backward(grad, self, target, weight, reduction, ignore_index, total_weight)`.
fn nll_loss(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let x = cx.input("self")?;
    let target = cx.input("target")?;
    let weight = cx.opt_input("weight")?;
    let total = cx.result(1);
    let attrs = cx.keep_all(&["reduction", "ignore_index"])?;
    let r = cx.call(
        "aten.nll_loss_backward",
        &[Some(g), Some(x), Some(target), weight, Some(total)],
        attrs,
    )?[0];
    cx.one("self", r)
}

/// `self: mse_loss_backward(grad, self, target, reduction); target: the same, mirrored`.
fn mse_loss(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let (x, y) = (cx.input("self")?, cx.input("target")?);
    let attrs = cx.keep_all(&["reduction"])?;
    let mut out = cx.none();
    for (name, a, b) in [("self", x, y), ("target", y, x)] {
        if cx.needs(name) {
            let r =
                cx.e.op1("aten.mse_loss_backward", &[g, a, b], attrs.clone())?;
            cx.set(&mut out, name, r)?;
        }
    }
    Ok(out)
}

/// `self: <loss>_backward(grad, self, target, [weight,] reduction, <its parameter>)`.
fn loss_self(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let (x, y) = (cx.input("self")?, cx.input("target")?);
    let forward = cx.e.ctx.name_str(cx.op).to_string();
    let name = format!("{forward}_backward");
    let (operands, attrs) = match forward.as_str() {
        "aten.binary_cross_entropy" => {
            let w = cx.opt_input("weight")?;
            (
                vec![Some(g), Some(x), Some(y), w],
                cx.keep_all(&["reduction"])?,
            )
        }
        "aten.smooth_l1_loss" => (
            vec![Some(g), Some(x), Some(y)],
            cx.keep_all(&["reduction", "beta"])?,
        ),
        _ => (
            vec![Some(g), Some(x), Some(y)],
            cx.keep_all(&["reduction", "delta"])?,
        ),
    };
    let r = cx.call(&name, &operands, attrs)?[0];
    cx.one("self", r)
}

/// `binary_cross_entropy_with_logits_backward`: `(sigmoid(self) - target) * grad`, with
/// `pos_weight` `((pos_weight * target + 1 - target) * sigmoid(self) - pos_weight *
/// target) * grad`, times `weight`, over `self.numel()` for the mean reduction.
fn bce_with_logits(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let (x, y) = (cx.input("self")?, cx.input("target")?);
    let p = cx.e.unary("aten.sigmoid", x)?;
    let mut r = match cx.opt_input("pos_weight")? {
        None => cx.e.sub(p, y)?,
        Some(pw) => {
            let t = cx.e.mul(pw, y)?;
            let t1 = cx.e.with_int("aten.add.Scalar", t, 1)?;
            let coefficient = cx.e.sub(t1, y)?;
            let scaled = cx.e.mul(coefficient, p)?;
            cx.e.sub(scaled, t)?
        }
    };
    r = cx.e.mul(r, g)?;
    if let Some(w) = cx.opt_input("weight")? {
        r = cx.e.mul(r, w)?;
    }
    if cx.int("reduction")? == 1 {
        let numel: i64 = cx.sizes(x)?.iter().product();
        r = cx.e.with_int("aten.div.Scalar", r, numel)?;
    }
    cx.one("self", r)
}

// ----- normalization ---------------------------------------------------------------------

/// `grad_input_mask`: which of the arguments `names` need a gradient.
fn output_mask(cx: &mut Cx, names: &[&str]) -> Attribute {
    let mask: Vec<Attribute> = names
        .iter()
        .map(|n| {
            let need = cx.needs(n);
            cx.e.boolean(need)
        })
        .collect();
    cx.e.ctx.array_attr(mask)
}

/// Sets the gradients of the arguments `names` from a backward op with one result each.
fn several(cx: &Cx, results: &[Value], names: &[&str]) -> Grads {
    let mut out = cx.none();
    for (i, n) in names.iter().enumerate() {
        if cx.needs(n) {
            cx.set(&mut out, n, results[i])?;
        }
    }
    Ok(out)
}

/// `native_layer_norm_backward(grad, input, normalized_shape, result1, result2, weight,
/// bias, grad_input_mask)`.
fn layer_norm(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let x = cx.input("input")?;
    let (w, b) = (cx.opt_input("weight")?, cx.opt_input("bias")?);
    let names = ["input", "weight", "bias"];
    let mut attrs = cx.keep_all(&["normalized_shape"])?;
    attrs.push(("output_mask", output_mask(cx, &names)));
    let (mean, rstd) = (cx.result(1), cx.result(2));
    let r = cx.call(
        "aten.native_layer_norm_backward",
        &[Some(g), Some(x), Some(mean), Some(rstd), w, b],
        attrs,
    )?;
    several(cx, &r, &names)
}

/// `native_batch_norm_backward(grad, input, weight, running_mean, running_var, result1,
/// result2, training, eps, grad_input_mask)`, with the updated running statistics as the
/// bridge's joints pass them.
fn batch_norm(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let x = cx.input("input")?;
    let w = cx.opt_input("weight")?;
    let names = ["input", "weight", "bias"];
    let mask = output_mask(cx, &names);
    let training = cx.keep("training")?.expect("training is required");
    let eps = cx.keep("eps")?.expect("eps is required");
    let (save_mean, save_invstd) = (cx.result(1), cx.result(2));
    let (running_mean, running_var) = (cx.result(3), cx.result(4));
    let r = cx.call(
        "aten.native_batch_norm_backward",
        &[
            Some(g),
            Some(x),
            w,
            Some(running_mean),
            Some(running_var),
            Some(save_mean),
            Some(save_invstd),
        ],
        vec![("train", training), ("eps", eps), ("output_mask", mask)],
    )?;
    several(cx, &r, &names)
}

/// `native_group_norm_backward(grad, input, result1, result2, weight, N, C, HxW, group,
/// grad_input_mask)`.
fn group_norm(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let x = cx.input("input")?;
    let w = cx.opt_input("weight")?;
    let names = ["input", "weight", "bias"];
    let mut attrs = cx.keep_all(&["N", "C", "HxW", "group"])?;
    attrs.push(("output_mask", output_mask(cx, &names)));
    let (mean, rstd) = (cx.result(1), cx.result(2));
    let r = cx.call(
        "aten.native_group_norm_backward",
        &[Some(g), Some(x), Some(mean), Some(rstd), w],
        attrs,
    )?;
    several(cx, &r, &names)
}

// ----- convolution and pooling -----------------------------------------------------------

/// `convolution_backward(grad, input, weight, bias sizes, stride, padding, dilation,
/// transposed, output_padding, groups, grad_input_mask)`.
fn convolution(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let (x, w) = (cx.input("input")?, cx.input("weight")?);
    let names = ["input", "weight", "bias"];
    let mut attrs = cx.keep_all(&[
        "stride",
        "padding",
        "dilation",
        "transposed",
        "output_padding",
        "groups",
    ])?;
    if let Some(b) = cx.opt_input("bias")? {
        let sizes = cx.sizes(b)?;
        attrs.push(("bias_sizes", cx.e.ints(&sizes)));
    }
    attrs.push(("output_mask", output_mask(cx, &names)));
    let r = cx.e.op("aten.convolution_backward", &[g, x, w], attrs)?;
    several(cx, &r, &names)
}

/// `max_pool{2,3}d_with_indices_backward(grad, self, kernel_size, stride, padding,
/// dilation, ceil_mode, result1)`.
fn max_pool(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let x = cx.input("self")?;
    let indices = cx.result(1);
    let name = format!("{}_backward", cx.e.ctx.name_str(cx.op));
    let attrs = cx.keep_all(&["kernel_size", "stride", "padding", "dilation", "ceil_mode"])?;
    let r = cx.e.op1(&name, &[g, x, indices], attrs)?;
    cx.one("self", r)
}

/// `avg_pool{2,3}d_backward(grad, self, kernel_size, stride, padding, ceil_mode,
/// count_include_pad, divisor_override)`.
fn avg_pool(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let x = cx.input("self")?;
    let name = format!("{}_backward", cx.e.ctx.name_str(cx.op));
    let attrs = cx.keep_all(&[
        "kernel_size",
        "stride",
        "padding",
        "ceil_mode",
        "count_include_pad",
        "divisor_override",
    ])?;
    let r = cx.e.op1(&name, &[g, x], attrs)?;
    cx.one("self", r)
}

/// `_adaptive_avg_pool{2,3}d_backward(grad, self)`.
fn adaptive_avg_pool(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let x = cx.input("self")?;
    let name = format!("{}_backward", cx.e.ctx.name_str(cx.op));
    let r = cx.e.op1(&name, &[g, x], Vec::new())?;
    cx.one("self", r)
}

/// `input, grid: grid_sampler_2d_backward(grad, input, grid, interpolation_mode,
/// padding_mode, align_corners, grad_input_mask)`.
fn grid_sampler(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let (x, grid) = (cx.input("input")?, cx.input("grid")?);
    let names = ["input", "grid"];
    let mut attrs = cx.keep_all(&["interpolation_mode", "padding_mode", "align_corners"])?;
    attrs.push(("output_mask", output_mask(cx, &names)));
    let r =
        cx.e.op("aten.grid_sampler_2d_backward", &[g, x, grid], attrs)?;
    several(cx, &r, &names)
}

/// `affine_grid_generator_backward(grad, size, align_corners)`: the grid is `base @
/// theta^T` over the `(x, y, 1)` base grid of an `N x C x H x W` size, so `theta`'s
/// gradient is `grad^T @ base` per batch element (2-d grids only).
fn affine_grid(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let size = cx.ints("size")?;
    let [n, _, h, w] = size[..] else {
        return Err("affine_grid_generator of a 3-d grid: only 2-d grids have a rule".into());
    };
    let align = cx.arg("align_corners")?.as_bool() == Some(true);
    let dtype = cx.e.dtype(g);
    let xs = linspace_from_neg_one(cx, w, align, dtype)?;
    let hw = cx.e.ints(&[h, w]);
    let xs = cx.e.op1("aten.expand", &[xs], vec![("size", hw)])?;
    let ys = linspace_from_neg_one(cx, h, align, dtype)?;
    let ys = cx.e.unsqueeze(ys, 1)?;
    let ys = cx.e.op1("aten.expand", &[ys], vec![("size", hw)])?;
    let one = cx.e.constant(1.0, dtype)?;
    let ones = cx.e.op1("aten.expand", &[one], vec![("size", hw)])?;
    let minus_one = cx.e.int(-1);
    let base =
        cx.e.op1("aten.stack", &[xs, ys, ones], vec![("dim", minus_one)])?;
    let base = cx.e.view(base, &[h * w, 3])?;
    let g = cx.e.view(g, &[n, h * w, 2])?;
    let g = matrix_transpose(cx, g, 3)?;
    let g = cx.e.view(g, &[n * 2, h * w])?;
    let r = cx.e.binary("aten.mm", g, base)?;
    let r = cx.e.view(r, &[n, 2, 3])?;
    cx.one("theta", r)
}

/// PyTorch's `linspace_from_neg_one`: `n` steps from -1 to 1, scaled by `(n - 1) / n`
/// unless `align_corners`; a single step is 0.
fn linspace_from_neg_one(
    cx: &mut Cx,
    n: i64,
    align_corners: bool,
    dtype: DType,
) -> Result<Value, Refusal> {
    if n <= 1 {
        let info = TensorInfo::new(vec![Dim::Static(n.max(0) as u64)], dtype);
        return cx.e.zeros(&info);
    }
    let attrs = vec![
        ("start", cx.e.int(-1)),
        ("end", cx.e.int(1)),
        ("steps", cx.e.int(n)),
        ("dtype", cx.e.dtype_attr(dtype)),
    ];
    let steps = cx.e.op1("aten.linspace", &[], attrs)?;
    if align_corners {
        return Ok(steps);
    }
    let scaled = cx.e.with_int("aten.mul.Scalar", steps, n - 1)?;
    cx.e.with_int("aten.div.Scalar", scaled, n)
}

/// `weight: embedding_dense_backward(grad, indices, num_weights, padding_idx,
/// scale_grad_by_freq)`.
fn embedding(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let w = cx.input("weight")?;
    let indices = cx.input("indices")?;
    let num_weights = cx.sizes(w)?[0];
    let mut attrs = cx.keep_all(&["padding_idx", "scale_grad_by_freq"])?;
    attrs.push(("num_weights", cx.e.int(num_weights)));
    let r =
        cx.e.op1("aten.embedding_dense_backward", &[g, indices], attrs)?;
    cx.one("weight", r)
}

/// `weight: _embedding_bag_backward(grad, indices, offsets, result1, result2, result3,
/// weight.size(0), scale_grad_by_freq, mode, sparse, per_sample_weights, padding_idx)`.
fn embedding_bag(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let w = cx.input("weight")?;
    let (indices, offsets) = (cx.input("indices")?, cx.input("offsets")?);
    let per_sample = cx.opt_input("per_sample_weights")?;
    let num_weights = cx.sizes(w)?[0];
    let mut attrs = cx.keep_all(&["scale_grad_by_freq", "mode", "sparse", "padding_idx"])?;
    attrs.push(("num_weights", cx.e.int(num_weights)));
    let (offset2bag, bag_size, max_indices) = (cx.result(1), cx.result(2), cx.result(3));
    let r = cx.call(
        "aten._embedding_bag_backward",
        &[
            Some(g),
            Some(indices),
            Some(offsets),
            Some(offset2bag),
            Some(bag_size),
            Some(max_indices),
            per_sample,
        ],
        attrs,
    )?[0];
    cx.one("weight", r)
}

/// `input: native_dropout_backward(grad, result1, 1 / (1 - p))` (1 outside training, 0
/// for `p == 1`; an absent `train` trains).
fn dropout(cx: &mut Cx) -> Grads {
    let g = cx.grad(0)?;
    let mask = cx.result(1);
    let p = cx.float("p")?;
    let train = cx.arg("train")?.as_bool();
    let scale = match train {
        Some(false) => 1.0,
        _ if p == 1.0 => 0.0,
        _ => 1.0 / (1.0 - p),
    };
    let s = cx.e.float(scale);
    let r = cx.e.op1(
        "aten.native_dropout_backward",
        &[g, mask],
        vec![("scale", s)],
    )?;
    cx.one("input", r)
}
