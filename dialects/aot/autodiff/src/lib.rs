//! `aot-make-joint`: reverse-mode automatic differentiation in the IR. A forward function
//! whose arguments carry `#aot.param` / `#aot.buffer` / `#aot.plain` descriptors and whose
//! results carry `#aot.input_mutation` / `#aot.plain_out` becomes the joint function
//! PyTorch's `aot_export_joint_with_descriptors` would have traced for it:
//!
//! ```text
//! func.func @f(<primals>, <tangents>) -> (<forward outputs>, <one grad slot per primal>)
//! ```
//!
//! [`joint::make_joint`] runs a requires-grad analysis (which values carry a gradient, as
//! PyTorch's `requires_grad` propagates), adds a `#aot.tangent` argument for every
//! differentiable output, walks the forward ops backwards accumulating gradients with the
//! rules of [`rules::DERIVATIVES`] (one row per op, PyTorch's `derivatives.yaml` formula
//! beside it), and returns a `#aot.grad` or `#aot.none_grad` slot per primal.
//!
//! [`jvp::make_jvp`] (`aot-make-jvp`) is forward mode from the same table: each row says how
//! its forward rule follows from it ([`rules::Forward`]). [`grads_as_forward`]
//! (`aot-grad-as-forward`) turns a joint into the forward function of its gradients, which
//! `aot-make-joint` differentiates again: second derivatives.

pub mod grad_forward;
pub mod joint;
pub mod jvp;
mod pieces;
pub mod rules;

pub use grad_forward::grads_as_forward;
pub use joint::{JointOptions, MadeJoint, make_joint};
pub use jvp::{MadeJvp, make_jvp};
pub use rules::{DERIVATIVES, Derivative, Forward, NON_DIFFERENTIABLE, derivative};

use joinery_ir::{Context, Diagnostic, OpId, Traits};
use joinery_pass::{
    OptionKind, Pass, PassInfo, PassOptionInfo, PassOptions, PassRegistry, PassResult, PassState,
};

/// The declaration of `aot-make-joint`.
pub static AOT_MAKE_JOINT: PassInfo = PassInfo {
    name: "aot-make-joint",
    title: "AotMakeJoint",
    summary: "Differentiate forward functions into AOTAutograd joint functions",
    description: "Turns every forward function of the module (arguments described by \
        #aot.param, #aot.buffer or #aot.plain, results by #aot.input_mutation or \
        #aot.plain_out, no tangents or gradients yet) into its joint function in PyTorch's \
        layout: the primals, then one #aot.tangent argument per differentiable output \
        (mutated inputs that require grad first, then plain outputs); the forward results, \
        then one gradient slot per primal in primal order, #aot.grad<primal> where a \
        gradient flows and #aot.none_grad<primal> (an aot.none value) where none does.\n\
        Requires-grad analysis, as PyTorch's: floating-point parameters require grad, \
        buffers never do, plain inputs only when listed in plain-requires-grad (a user \
        tensor with requires_grad=True); an op's float results require grad when an operand \
        its derivative rule differentiates does; integer and boolean results, detach and \
        the factories never do. Gradients of a value with several uses are summed \
        (aten.add.Tensor); a gradient whose shape or dtype differs from its operand's is \
        summed to the operand's shape and converted, as PyTorch's autograd engine does.\n\
        Each backward op comes from the derivative table (crate joinery-autodiff, \
        src/rules.rs, one row per op after PyTorch's derivatives.yaml) and emits PyTorch's \
        own backward ops (threshold_backward, _softmax_backward_data, \
        native_layer_norm_backward, convolution_backward, nll_loss_backward, \
        embedding_dense_backward, ...); it carries the location \
        fused<\"backward\">[forward op's location], as the bridge marks backward ops.\n\
        Tensor-subclass pieces (#aot.subclass_attr arguments, #aot.subclass_attr_out \
        results, as aot-desugar-subclasses and PyTorch's export write them) are grouped \
        back into the value PyTorch differentiates: a subclass primal requires grad as a \
        whole, a differentiable subclass output gets one tangent per piece \
        (#aot.subclass_attr<#aot.tangent<out>, \"a\">), and a gradient slot of a subclass \
        value one result per piece (#aot.subclass_attr_out<#aot.grad<p>, \"a\">) or one \
        #aot.none_grad<p>. The kind, told by the pieces' attribute names, must run every op \
        on each piece alone (TwoTensor): each value then belongs to the lane of its piece, \
        the sweep keeps a gradient per lane, and a plain primal that lanes reach gets a \
        gradient in pieces, as PyTorch's backward on subclass tangents gives it.\n\
        Needs: single-block functions of aten ops with static shapes. Guarantees: the \
        result verifies under the aot rules and computes PyTorch's gradients.\n\
        Rejects: a gradient reaching an op without a table row (a diagnostic naming the \
        op at its location), other descriptors on the forward function (tokens, RNG \
        state), pieces of a kind whose gradient is not its pieces' (scaled tensors) or \
        of no known kind, symbolic sizes of subclass values, an op combining two lanes or a \
        result piece computed from another lane.\n\
        Gaps: output tangents of ops whose secondary results PyTorch differentiates (the \
        mean and rstd of native_layer_norm are treated as non-differentiable); frozen \
        parameters need the bridge; an op combining a nested subclass's lane with its \
        parent's (a nested TwoTensor times a flat one).",
    anchor: Some("builtin.module"),
    options: &[PassOptionInfo {
        name: "plain-requires-grad",
        kind: OptionKind::List(&OptionKind::Int),
        default: "",
        help: "Indices of the #aot.plain inputs that require grad (PyTorch's \
               requires_grad=True on a user input)",
    }],
    statistics: &[
        ("tangents", "Number of tangent arguments added"),
        ("grads", "Number of gradient slots that get a gradient"),
        ("backward-ops", "Number of ops the backward added"),
    ],
    constructor: |options: &PassOptions| {
        Box::new(AotMakeJoint {
            plain_requires_grad: options.ints("plain-requires-grad"),
        })
    },
};

/// The declaration of `aot-grad-as-forward`.
pub static AOT_GRAD_AS_FORWARD: PassInfo = PassInfo {
    name: "aot-grad-as-forward",
    title: "AotGradAsForward",
    summary: "Turn joint functions into forward functions of their gradients",
    description: "Turns every joint function of the module (a function with tangent \
        arguments or gradient slots, in no forward/backward pair) into the forward function \
        of its gradients, g(primals, tangents) = gradients, which aot-make-joint can \
        differentiate again: second derivatives, as torch.autograd.grad(create_graph=True) \
        differentiates PyTorch's backward graph. Each #aot.tangent argument becomes the plain \
        input after the joint's last one (#aot.plain<n>, <n+1>, ... in argument order, named \
        %cotangents_<k>); each #aot.grad result becomes #aot.plain_out<k> in result order; \
        the forward outputs and #aot.none_grad slots are dropped, with the ops only they \
        used.\n\
        Needs: joints of parameters, buffers, plain inputs and tangents returning plain \
        outputs, input mutations and gradient slots (aot-make-joint's or the bridge's). \
        Guarantees: a forward function aot-make-joint takes; `--aot-make-joint \
        --aot-grad-as-forward --aot-make-joint` gives the joint of the gradient, whose \
        gradients are Hessian-vector products.\n\
        Rejects: a joint without a gradient, other descriptors (tokens, RNG state, subclass \
        pieces).\n\
        Gaps: the descriptors no longer say which plain input is the tangent of which \
        output; a plain input that requires grad in the second differentiation must be \
        listed in aot-make-joint's plain-requires-grad.",
    anchor: Some("builtin.module"),
    options: &[],
    statistics: &[("gradients", "Number of gradients made plain outputs")],
    constructor: |_: &PassOptions| Box::new(AotGradAsForward),
};

/// The declaration of `aot-make-jvp`.
pub static AOT_MAKE_JVP: PassInfo = PassInfo {
    name: "aot-make-jvp",
    title: "AotMakeJvp",
    summary: "Forward-mode differentiation: forward functions into their Jacobian-vector products",
    description: "Turns every forward function of the module (as aot-make-joint takes) into \
        the forward function of its Jacobian-vector product: after the primals, one tangent \
        input per primal that requires grad (plain inputs after the last one, named \
        %d_<primal>); after the results, one tangent output per result that requires grad \
        (plain outputs after the last one). Requires-grad is aot-make-joint's analysis \
        (floating-point parameters, the plain inputs listed in plain-requires-grad).\n\
        Each op's tangent follows from its row of the derivative table, as derivatives.yaml \
        derives forward formulas: element-wise ops (auto_element_wise) apply the reverse rule \
        to each operand's tangent and sum; linear ops (auto_linear: views, reductions, \
        concatenation, gathers, FFTs) apply themselves to the tangents; ops affine in each \
        operand (mm, bmm, addmm, convolution, constant_pad_nd) sum op(x_i := dx_i) - \
        op(x_i := 0). Tangent ops carry fused<\"jvp\">[the op's location].\n\
        Needs: single-block functions of aten ops with static shapes. Guarantees: the tangent \
        outputs are the directional derivatives of the results along the tangent inputs.\n\
        Rejects: a tangent reaching an op without a row or whose row has no forward rule \
        (a diagnostic naming the op at its location); tensor-subclass pieces.\n\
        Gaps: no forward rule for the normalizations, softmax, losses, pooling with indices, \
        attention and the other rows whose rule is neither element-wise nor linear.",
    anchor: Some("builtin.module"),
    options: &[PassOptionInfo {
        name: "plain-requires-grad",
        kind: OptionKind::List(&OptionKind::Int),
        default: "",
        help: "Indices of the #aot.plain inputs that get a tangent",
    }],
    statistics: &[
        ("tangent-inputs", "Number of tangent inputs added"),
        ("tangent-outputs", "Number of tangent outputs added"),
        ("jvp-ops", "Number of ops computing tangents"),
    ],
    constructor: |options: &PassOptions| {
        Box::new(AotMakeJvp {
            plain_requires_grad: options.ints("plain-requires-grad"),
        })
    },
};

/// Registers `aot-make-joint`, `aot-make-jvp` and `aot-grad-as-forward`.
pub fn register_passes(registry: &mut PassRegistry) {
    registry.register(&AOT_MAKE_JOINT);
    registry.register(&AOT_MAKE_JVP);
    registry.register(&AOT_GRAD_AS_FORWARD);
}

/// The `aot-make-jvp` pass.
struct AotMakeJvp {
    plain_requires_grad: Vec<i64>,
}

impl Pass for AotMakeJvp {
    fn run(&mut self, ctx: &mut Context, module: OpId, state: &mut PassState) -> PassResult {
        let options = JointOptions {
            plain_requires_grad: self.plain_requires_grad.clone(),
        };
        let forwards = forward_functions(ctx, module);
        run_each(ctx, forwards, state, |ctx, func| {
            let made = make_jvp(ctx, func, &options)?;
            Ok(vec![
                ("tangent-inputs", made.inputs),
                ("tangent-outputs", made.outputs),
                ("jvp-ops", made.ops),
            ])
        })
    }
}

/// The `aot-grad-as-forward` pass.
struct AotGradAsForward;

impl Pass for AotGradAsForward {
    fn run(&mut self, ctx: &mut Context, module: OpId, state: &mut PassState) -> PassResult {
        let joints = unpaired_functions(ctx, module, grad_forward::is_joint);
        run_each(ctx, joints, state, |ctx, func| {
            let n = grads_as_forward(ctx, func).map_err(|d| vec![d])?;
            Ok(vec![("gradients", n)])
        })
    }
}

/// Runs `make` on each of `funcs`, adding the statistics it returns; the errors of all
/// are reported together. Changed when there was a function to run on.
fn run_each(
    ctx: &mut Context,
    funcs: Vec<OpId>,
    state: &mut PassState,
    mut make: impl FnMut(&mut Context, OpId) -> Result<Vec<(&'static str, usize)>, Vec<Diagnostic>>,
) -> PassResult {
    let mut errors: Vec<Diagnostic> = Vec::new();
    for &func in &funcs {
        match make(ctx, func) {
            Ok(statistics) => {
                for (name, n) in statistics {
                    state.add_statistic(name, n as u64);
                }
            }
            Err(mut d) => errors.append(&mut d),
        }
    }
    if errors.is_empty() {
        Ok(!funcs.is_empty())
    } else {
        Err(errors)
    }
}

/// The functions of `module` `aot-make-joint` differentiates: those with a body, in no
/// forward/backward pair, whose descriptors make them forward functions
/// ([`joint::is_forward`]).
pub fn forward_functions(ctx: &Context, module: OpId) -> Vec<OpId> {
    unpaired_functions(ctx, module, joint::is_forward)
}

/// The functions of `module` with a body, in no forward/backward pair, that `wanted`
/// accepts.
fn unpaired_functions(
    ctx: &Context,
    module: OpId,
    wanted: fn(&Context, OpId) -> bool,
) -> Vec<OpId> {
    let Some(body) = ctx.body_block(module) else {
        return Vec::new();
    };
    ctx.block_ops(body)
        .filter(|&op| {
            ctx.has_traits(op, Traits::FUNCTION_LIKE)
                && ctx.body_block(op).is_some()
                && joinery_aot::pair_of(ctx, op).is_none()
                && wanted(ctx, op)
        })
        .collect()
}

/// The `aot-make-joint` pass.
struct AotMakeJoint {
    plain_requires_grad: Vec<i64>,
}

impl Pass for AotMakeJoint {
    fn run(&mut self, ctx: &mut Context, module: OpId, state: &mut PassState) -> PassResult {
        let options = JointOptions {
            plain_requires_grad: self.plain_requires_grad.clone(),
        };
        let forwards = forward_functions(ctx, module);
        run_each(ctx, forwards, state, |ctx, func| {
            let made = make_joint(ctx, func, &options)?;
            Ok(vec![
                ("tangents", made.tangents),
                ("grads", made.grads),
                ("backward-ops", made.backward_ops),
            ])
        })
    }
}
