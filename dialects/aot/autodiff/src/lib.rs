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

pub mod grad_forward;
pub mod joint;
pub mod rules;

pub use grad_forward::grads_as_forward;
pub use joint::{JointOptions, MadeJoint, make_joint};
pub use rules::{DERIVATIVES, Derivative, NON_DIFFERENTIABLE, derivative};

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
        Needs: single-block functions of aten ops with static shapes. Guarantees: the \
        result verifies under the aot rules and computes PyTorch's gradients.\n\
        Rejects: a gradient reaching an op without a table row (a diagnostic naming the \
        op at its location), other descriptors on the forward function (tokens, RNG \
        state, subclass pieces).\n\
        Gaps: output tangents of ops whose secondary results PyTorch differentiates (the \
        mean and rstd of native_layer_norm are treated as non-differentiable); no forward \
        mode; frozen parameters need the bridge.",
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

/// Registers `aot-make-joint` and `aot-grad-as-forward`.
pub fn register_passes(registry: &mut PassRegistry) {
    registry.register(&AOT_MAKE_JOINT);
    registry.register(&AOT_GRAD_AS_FORWARD);
}

/// The `aot-grad-as-forward` pass.
struct AotGradAsForward;

impl Pass for AotGradAsForward {
    fn run(&mut self, ctx: &mut Context, module: OpId, state: &mut PassState) -> PassResult {
        let joints = unpaired_functions(ctx, module, grad_forward::is_joint);
        let mut errors = Vec::new();
        for func in &joints {
            match grads_as_forward(ctx, *func) {
                Ok(n) => state.add_statistic("gradients", n as u64),
                Err(d) => errors.push(d),
            }
        }
        if errors.is_empty() {
            Ok(!joints.is_empty())
        } else {
            Err(errors)
        }
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
        let forwards = forward_functions(ctx, module);
        let options = JointOptions {
            plain_requires_grad: self.plain_requires_grad.clone(),
        };
        let mut errors: Vec<Diagnostic> = Vec::new();
        for func in &forwards {
            match make_joint(ctx, *func, &options) {
                Ok(made) => {
                    state.add_statistic("tangents", made.tangents as u64);
                    state.add_statistic("grads", made.grads as u64);
                    state.add_statistic("backward-ops", made.backward_ops as u64);
                }
                Err(mut d) => errors.append(&mut d),
            }
        }
        if errors.is_empty() {
            Ok(!forwards.is_empty())
        } else {
            Err(errors)
        }
    }
}
