//! One forward function into its joint: requires-grad analysis, tangent arguments, the
//! reverse sweep over the derivative table and the gradient slots.

use crate::rules::{Cx, derivative, is_non_differentiable};
use joinery_aot::{AotInput, AotOutput, DESC_KEY, FuncDescriptors, Slot};
use joinery_aten::TensorInfo;
use joinery_decompose::emit::{Emitter, Refusal, static_dims};
use joinery_ir::{Context, Diagnostic, Location, OpId, Value};
use rustc_hash::{FxHashMap, FxHashSet};

/// What the caller says about requires_grad beyond the descriptors.
#[derive(Clone, Debug, Default)]
pub struct JointOptions {
    /// The `#aot.plain<i>` inputs that require grad (a user tensor with `requires_grad=True`).
    pub plain_requires_grad: Vec<i64>,
}

/// What differentiating one function added.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MadeJoint {
    /// Tangent arguments.
    pub tangents: usize,
    /// Gradient slots that get a gradient (the others are `none_grad`).
    pub grads: usize,
    /// Ops of the backward.
    pub backward_ops: usize,
}

/// Whether `func` is a forward function `aot-make-joint` applies to: it carries descriptors
/// and none of them is a tangent or a gradient slot (a joint is left alone).
pub fn is_forward(ctx: &Context, func: OpId) -> bool {
    let Some(descs) = FuncDescriptors::read(ctx, func) else {
        return false;
    };
    descs.has_any()
        && !descs
            .args
            .iter()
            .any(|s| s.desc().is_some_and(AotInput::is_tangent))
        && !descs.results.iter().any(|s| {
            s.desc()
                .is_some_and(|d| matches!(d, AotOutput::Grad { .. } | AotOutput::NoneGrad { .. }))
        })
}

/// Turns the forward function `func` into its joint function in place (see the crate
/// documentation for the layout). Errors are located diagnostics; on error the function
/// may be left half-built, as a failed pass leaves its module.
pub fn make_joint(
    ctx: &mut Context,
    func: OpId,
    options: &JointOptions,
) -> Result<MadeJoint, Vec<Diagnostic>> {
    let Analysed {
        name,
        span,
        primals,
        outputs,
        args,
        returned,
        ret,
        forward_ops,
        requires,
    } = analyse(ctx, func, options, "aot-make-joint")?;
    let fail = |msg: String| vec![Diagnostic::error(msg).with_span(span)];

    // Tangents: mutated inputs that require grad first, then plain outputs (descriptors.md §4).
    let mutated_first = outputs
        .iter()
        .enumerate()
        .filter(|(_, d)| matches!(d, AotOutput::InputMutation { .. }))
        .chain(
            outputs
                .iter()
                .enumerate()
                .filter(|(_, d)| matches!(d, AotOutput::Plain { .. })),
        );
    let mut tangent_of: Vec<(usize, AotOutput)> = Vec::new();
    for (j, desc) in mutated_first {
        let differentiable = match desc {
            AotOutput::InputMutation { mutated_input } => primals
                .iter()
                .position(|p| p == mutated_input.as_ref())
                .is_some_and(|i| requires.contains(&args[i])),
            _ => true,
        };
        if differentiable && requires.contains(&returned[j]) {
            tangent_of.push((j, desc.clone()));
        }
    }
    let mut adjoints: FxHashMap<Value, Value> = FxHashMap::default();
    let mut emitter = Emitter::new(ctx, ret);
    for (k, (j, desc)) in tangent_of.iter().enumerate() {
        let ty = emitter.ctx.value_type(returned[*j]);
        let tangent = AotInput::Tangent {
            output: Box::new(desc.clone()),
        };
        let attr = tangent.to_attr(emitter.ctx);
        let dict = desc_dict(emitter.ctx, attr);
        let index = args.len() + k;
        let t = joinery_func::edit::insert_argument(emitter.ctx, func, index, ty, dict)
            .expect("the function has a body");
        emitter
            .ctx
            .set_value_name(t, Some(&format!("tangents_{}", k + 1)));
        accumulate(&mut emitter, &mut adjoints, returned[*j], t)
            .map_err(|r| fail(format!("aot-make-joint: @{name}: {r}")))?;
    }

    // The reverse sweep.
    let mut errors = Vec::new();
    for &op in forward_ops.iter().rev() {
        let results = emitter.ctx.results(op).to_vec();
        let grads: Vec<Option<Value>> = results.iter().map(|r| adjoints.get(r).copied()).collect();
        if grads.iter().all(Option::is_none) {
            continue;
        }
        let operands = emitter.ctx.operands(op).to_vec();
        let needs: Vec<bool> = operands.iter().map(|v| requires.contains(v)).collect();
        if !needs.iter().any(|&n| n) {
            continue;
        }
        let op_name = emitter.ctx.name_str(op).to_string();
        let op_span = emitter.ctx.span(op);
        let Some(rule) = derivative(&op_name) else {
            errors.push(
                Diagnostic::error(format!(
                    "aot-make-joint: no derivative rule for '{op_name}': a gradient reaches it \
                     but the table (joinery-autodiff src/rules.rs) has no row for it"
                ))
                .with_span(op_span),
            );
            continue;
        };
        emitter.set_loc(derived_loc("backward", emitter.ctx.loc(op)));
        let mut cx = Cx::new(&mut emitter, op, grads, needs.clone());
        let operand_grads = match (rule.rule)(&mut cx) {
            Ok(g) => g,
            Err(r) => {
                errors.push(
                    Diagnostic::error(format!("aot-make-joint: differentiating '{op_name}': {r}"))
                        .with_span(op_span),
                );
                continue;
            }
        };
        for (i, g) in operand_grads.into_iter().enumerate() {
            let Some(g) = g else { continue };
            if !needs[i] {
                continue;
            }
            if let Err(r) = accumulate(&mut emitter, &mut adjoints, operands[i], g) {
                errors.push(
                    Diagnostic::error(format!("aot-make-joint: differentiating '{op_name}': {r}"))
                        .with_span(op_span),
                );
            }
        }
        for (i, &need) in needs.iter().enumerate() {
            if need && !rule.differentiates(emitter.ctx, op, i) {
                errors.push(
                    Diagnostic::error(format!(
                        "aot-make-joint: '{op_name}' is not differentiable with respect to \
                         operand {i} ({}), which requires grad",
                        rule.operand_arg(emitter.ctx, op, i).unwrap_or("?")
                    ))
                    .with_span(op_span),
                );
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    // One gradient slot per primal.
    let backward_ops = emitter.created.len();
    let mut none = None;
    let mut grads = 0;
    let mut slots = Vec::new();
    for (desc, &arg) in primals.iter().zip(&args) {
        let slot = match adjoints.get(&arg) {
            Some(&g) if requires.contains(&arg) => {
                grads += 1;
                (
                    g,
                    AotOutput::Grad {
                        grad_of: Box::new(desc.clone()),
                    },
                )
            }
            _ => (
                *none.get_or_insert_with(|| emitter.none_value()),
                AotOutput::NoneGrad {
                    grad_of: Box::new(desc.clone()),
                },
            ),
        };
        slots.push(slot);
    }
    let ctx = emitter.ctx;
    for (value, desc) in slots {
        let index = ctx.operands(ret).len();
        let attr = desc.to_attr(ctx);
        let dict = desc_dict(ctx, attr);
        joinery_func::edit::insert_result(ctx, func, index, value, dict);
    }
    Ok(MadeJoint {
        tangents: tangent_of.len(),
        grads,
        backward_ops,
    })
}

/// A forward function read for differentiation: its descriptors, values and the
/// requires-grad analysis.
pub(crate) struct Analysed {
    /// The function's symbol name.
    pub name: String,
    /// Where the function is, for diagnostics.
    pub span: Option<joinery_ir::Span>,
    /// The descriptor of every argument (parameters, buffers and plain inputs).
    pub primals: Vec<AotInput>,
    /// The descriptor of every result (plain outputs and input mutations).
    pub outputs: Vec<AotOutput>,
    /// The arguments.
    pub args: Vec<Value>,
    /// The returned values.
    pub returned: Vec<Value>,
    /// The terminator.
    pub ret: OpId,
    /// The ops before the terminator, in order.
    pub forward_ops: Vec<OpId>,
    /// The values that require grad, as PyTorch's `requires_grad` propagates.
    pub requires: FxHashSet<Value>,
}

impl Analysed {
    /// The index of the next plain input: one past the last `#aot.plain<i>`.
    pub fn next_plain_input(&self) -> usize {
        let plain = self.primals.iter().filter_map(|p| match p {
            AotInput::Plain { idx } => Some(idx + 1),
            _ => None,
        });
        plain.max().unwrap_or(0)
    }

    /// The index of the next plain output: one past the last `#aot.plain_out<i>`.
    pub fn next_plain_output(&self) -> usize {
        let plain = self.outputs.iter().filter_map(|o| match o {
            AotOutput::Plain { idx } => Some(idx + 1),
            _ => None,
        });
        plain.max().unwrap_or(0)
    }
}

/// Reads the forward function `func` and runs the requires-grad analysis; errors name the
/// pass `pass` and are located at the function.
pub(crate) fn analyse(
    ctx: &Context,
    func: OpId,
    options: &JointOptions,
    pass: &str,
) -> Result<Analysed, Vec<Diagnostic>> {
    let span = ctx.span(func);
    let fail = |msg: String| vec![Diagnostic::error(format!("{pass}: {msg}")).with_span(span)];
    let name = ctx.symbol_name(func).unwrap_or("?").to_string();
    let descs = FuncDescriptors::read(ctx, func)
        .ok_or_else(|| fail(format!("@{name} has no function type")))?;
    let body = ctx
        .body_block(func)
        .ok_or_else(|| fail(format!("@{name} has no body")))?;
    let ret = ctx
        .last_op(body)
        .ok_or_else(|| fail(format!("@{name} has no terminator")))?;
    let primals = primal_descriptors(&descs, &name).map_err(fail)?;
    let outputs = output_descriptors(&descs, &name).map_err(fail)?;
    let args: Vec<Value> = ctx.block_args(body).to_vec();
    let returned: Vec<Value> = ctx.operands(ret).to_vec();
    let mut requires: FxHashSet<Value> = FxHashSet::default();
    for (i, (desc, &arg)) in primals.iter().zip(&args).enumerate() {
        if primal_requires_grad(ctx, desc, arg, options)
            .map_err(|m| fail(format!("argument {i} ({desc}) of @{name}: {m}")))?
        {
            requires.insert(arg);
        }
    }
    check_listed_plains(&primals, options).map_err(fail)?;
    let forward_ops: Vec<OpId> = ctx.block_ops(body).filter(|&op| op != ret).collect();
    for &op in &forward_ops {
        propagate(ctx, op, &mut requires);
    }
    Ok(Analysed {
        name,
        span,
        primals,
        outputs,
        args,
        returned,
        ret,
        forward_ops,
        requires,
    })
}

/// `{aot.desc = desc}`.
pub(crate) fn desc_dict(ctx: &mut Context, desc: joinery_ir::Attribute) -> joinery_ir::Attribute {
    ctx.dictionary_attr(vec![(DESC_KEY.to_string(), desc)])
}

/// `fused<"kind">[forward location]`, as the bridge marks an op of a line's backward
/// (`backward`; `jvp` for a forward-mode tangent).
pub(crate) fn derived_loc(kind: &str, forward: Option<&Location>) -> Location {
    Location::Fused {
        metadata: Some(kind.to_string()),
        locs: forward.cloned().into_iter().collect(),
    }
}

/// The primal descriptors: every argument must be a parameter, buffer or plain input.
fn primal_descriptors(descs: &FuncDescriptors, name: &str) -> Result<Vec<AotInput>, String> {
    descs
        .args
        .iter()
        .enumerate()
        .map(|(i, slot)| match slot {
            Slot::Desc(
                d @ (AotInput::Param { .. } | AotInput::Buffer { .. } | AotInput::Plain { .. }),
            ) => Ok(d.clone()),
            Slot::Desc(d) => Err(format!(
                "argument {i} of @{name} is {d}; a forward function's arguments are \
                 parameters, buffers and plain inputs"
            )),
            _ => Err(format!(
                "argument {i} of @{name} has no valid aot.desc descriptor"
            )),
        })
        .collect()
}

/// The output descriptors: every result must be a plain output or an input mutation.
fn output_descriptors(descs: &FuncDescriptors, name: &str) -> Result<Vec<AotOutput>, String> {
    descs
        .results
        .iter()
        .enumerate()
        .map(|(i, slot)| match slot {
            Slot::Desc(d @ (AotOutput::Plain { .. } | AotOutput::InputMutation { .. })) => {
                Ok(d.clone())
            }
            Slot::Desc(d) => Err(format!(
                "result {i} of @{name} is {d}; a forward function's results are plain \
                 outputs and input mutations"
            )),
            _ => Err(format!(
                "result {i} of @{name} has no valid aot.desc descriptor"
            )),
        })
        .collect()
}

/// Whether a primal requires grad: floating-point parameters do, buffers never, plain
/// inputs when listed. A listed plain input that is not floating point is an error, as
/// `requires_grad=True` on an integer tensor is in PyTorch.
fn primal_requires_grad(
    ctx: &Context,
    desc: &AotInput,
    arg: Value,
    options: &JointOptions,
) -> Result<bool, String> {
    let float = is_float_tensor(ctx, arg);
    match desc {
        AotInput::Param { .. } => Ok(float),
        AotInput::Plain { idx } if options.plain_requires_grad.contains(&(*idx as i64)) => {
            if float {
                Ok(true)
            } else {
                Err("only floating-point tensors can require gradients".to_string())
            }
        }
        _ => Ok(false),
    }
}

/// Every index of `plain-requires-grad` names a plain input.
fn check_listed_plains(primals: &[AotInput], options: &JointOptions) -> Result<(), String> {
    for &i in &options.plain_requires_grad {
        let known = primals
            .iter()
            .any(|p| matches!(p, AotInput::Plain { idx } if *idx as i64 == i));
        if !known {
            return Err(format!(
                "plain-requires-grad lists {i}, but no argument is #aot.plain<{i}>"
            ));
        }
    }
    Ok(())
}

/// Whether a value is a floating-point or complex tensor (only those carry gradients).
pub(crate) fn is_float_tensor(ctx: &Context, v: Value) -> bool {
    TensorInfo::from_type(ctx, ctx.value_type(v))
        .is_some_and(|t| t.dtype.is_float() || t.dtype.is_complex())
}

/// Marks the results of `op` that require grad: float results of a differentiable result
/// index, when an operand the op's rule differentiates requires grad. An op without a rule
/// propagates from every operand (the sweep reports it if a gradient reaches it).
fn propagate(ctx: &Context, op: OpId, requires: &mut FxHashSet<Value>) {
    let name = ctx.name_str(op);
    if is_non_differentiable(name) {
        return;
    }
    let rule = derivative(name);
    let flows =
        ctx.operands(op).iter().enumerate().any(|(i, v)| {
            requires.contains(v) && rule.is_none_or(|r| r.differentiates(ctx, op, i))
        });
    if !flows {
        return;
    }
    for (i, &r) in ctx.results(op).iter().enumerate() {
        if is_float_tensor(ctx, r) && rule.is_none_or(|d| d.output_differentiable(i)) {
            requires.insert(r);
        }
    }
}

/// Adds `grad` to the gradient of `value`, first summing it to `value`'s shape and
/// converting it to its dtype when they differ (PyTorch's engine, `validate_outputs`).
fn accumulate(
    e: &mut Emitter,
    adjoints: &mut FxHashMap<Value, Value>,
    value: Value,
    grad: Value,
) -> Result<(), Refusal> {
    let target = e.info(value);
    let grad = sum_to(e, grad, &target)?;
    let grad = e.cast(grad, target.dtype)?;
    let total = match adjoints.get(&value) {
        Some(&prev) => e.add(prev, grad)?,
        None => grad,
    };
    adjoints.insert(value, total);
    Ok(())
}

/// `at::sum_to(grad, shape)`: sums the leading dims `grad` has beyond `target`'s rank and
/// the dims where `target` has extent 1 (kept, then viewed away), as PyTorch's `sum_to`.
pub(crate) fn sum_to(e: &mut Emitter, grad: Value, target: &TensorInfo) -> Result<Value, Refusal> {
    let from = e.info(grad);
    if from.shape == target.shape {
        return Ok(grad);
    }
    let (Some(have), Some(want)) = (static_dims(&from), static_dims(target)) else {
        return Err("a gradient of dynamic shape to sum to its operand's shape".into());
    };
    if have.len() < want.len() {
        return Err(Refusal::Internal(format!(
            "a gradient of shape {have:?} for an operand of shape {want:?}"
        )));
    }
    let lead = have.len() - want.len();
    let mut dims: Vec<i64> = (0..lead as i64).collect();
    for (i, (&h, &w)) in have[lead..].iter().zip(&want).enumerate() {
        if w == 1 && h != 1 {
            dims.push((lead + i) as i64);
        } else if w != h {
            return Err(Refusal::Internal(format!(
                "a gradient of shape {have:?} does not broadcast to an operand of shape {want:?}"
            )));
        }
    }
    let summed = if dims.is_empty() {
        grad
    } else {
        e.sum(grad, &dims, true)?
    };
    let sizes: Vec<i64> = want.iter().map(|&n| n as i64).collect();
    if static_dims(&e.info(summed)) == Some(want) {
        Ok(summed)
    } else {
        e.view(summed, &sizes)
    }
}
