//! One forward function into its joint: requires-grad analysis, tangent arguments, the
//! reverse sweep over the derivative table and the gradient slots.

use crate::pieces::{
    Group, Lanes, PLAIN, check_per_piece, flatten_key, group, split_input, split_output,
};
use crate::rules::{Cx, derivative, is_non_differentiable};
use joinery_aot::{AotInput, AotOutput, DESC_KEY, FuncDescriptors, Slot};
use joinery_aten::TensorInfo;
use joinery_decompose::emit::{Emitter, Refusal, static_dims};
use joinery_ir::{Context, Diagnostic, Location, OpId, Value};
use joinery_subclass::{input_piece, output_piece};
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
            s.desc().is_some_and(|d| {
                matches!(
                    d.root(),
                    AotOutput::Grad { .. } | AotOutput::NoneGrad { .. }
                )
            })
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
        primal_groups,
        output_groups,
        args,
        returned,
        ret,
        forward_ops,
        requires,
        ..
    } = analyse(ctx, func, options, "aot-make-joint")?;
    let fail = |msg: String| vec![Diagnostic::error(msg).with_span(span)];

    // Tangents: mutated inputs that require grad first, then plain outputs (descriptors.md §4);
    // a subclass output gets one per piece, as PyTorch flattens its subclass tangent.
    let differentiable = |g: &&Group<AotOutput>| {
        let input_requires = match &g.root {
            AotOutput::InputMutation { mutated_input } => primal_groups
                .iter()
                .find(|p| p.root == **mutated_input)
                .is_some_and(|p| p.members.iter().any(|(i, _)| requires.contains(&args[*i]))),
            _ => true,
        };
        input_requires
            && g.members
                .iter()
                .any(|(j, _)| requires.contains(&returned[*j]))
    };
    let of_kind = |mutation: bool| {
        output_groups
            .iter()
            .filter(move |g| matches!(g.root, AotOutput::InputMutation { .. }) == mutation)
    };
    let mut lanes = Lanes::infer(ctx, &primal_groups, &args, &forward_ops)?;
    let mut tangent_of: Vec<(usize, AotInput, usize)> = Vec::new();
    for g in of_kind(true).chain(of_kind(false)).filter(differentiable) {
        let tangent = AotInput::Tangent {
            output: Box::new(g.root.clone()),
        };
        for (j, path) in &g.members {
            tangent_of.push((*j, input_piece(&tangent, path), lanes.intern(path)));
        }
    }
    for (j, _, lane) in &tangent_of {
        let own = lanes.of(returned[*j]);
        if own != PLAIN && own != *lane {
            return Err(fail(format!(
                "aot-make-joint: @{name}: result {j} is the piece {:?} of its output but is \
                 computed from the piece {:?} of a subclass value",
                lanes.path(*lane),
                lanes.path(own)
            )));
        }
    }
    let mut adjoints = Adjoints::default();
    let mut emitter = Emitter::new(ctx, ret);
    for (k, (j, tangent, lane)) in tangent_of.iter().enumerate() {
        let ty = emitter.ctx.value_type(returned[*j]);
        let attr = tangent.to_attr(emitter.ctx);
        let dict = desc_dict(emitter.ctx, attr);
        let index = args.len() + k;
        let t = joinery_func::edit::insert_argument(emitter.ctx, func, index, ty, dict)
            .expect("the function has a body");
        emitter
            .ctx
            .set_value_name(t, Some(&format!("tangents_{}", k + 1)));
        accumulate(&mut emitter, &mut adjoints, returned[*j], *lane, t)
            .map_err(|r| fail(format!("aot-make-joint: @{name}: {r}")))?;
    }

    // The reverse sweep, once per lane of gradient reaching an op (see `Lanes`).
    let mut errors = Vec::new();
    for &op in forward_ops.iter().rev() {
        let results = emitter.ctx.results(op).to_vec();
        let mut reaching: Vec<usize> = results
            .iter()
            .flat_map(|r| adjoints.get(r).into_iter().flatten().map(|&(lane, _)| lane))
            .collect();
        reaching.sort_unstable();
        reaching.dedup();
        if reaching.is_empty() {
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
        let differentiating = |r: Refusal| {
            Diagnostic::error(format!("aot-make-joint: differentiating '{op_name}': {r}"))
                .with_span(op_span)
        };
        for lane in reaching {
            let grads = results.iter().map(|&r| adjoint(&adjoints, r, lane));
            let mut cx = Cx::new(&mut emitter, op, grads.collect(), needs.clone());
            let operand_grads = match (rule.rule)(&mut cx) {
                Ok(g) => g,
                Err(r) => {
                    errors.push(differentiating(r));
                    break;
                }
            };
            for (i, g) in operand_grads.into_iter().enumerate() {
                let Some(g) = g else { continue };
                if !needs[i] {
                    continue;
                }
                let own = lanes.of(operands[i]);
                if own != PLAIN && own != lane {
                    errors.push(differentiating(Refusal::from(format!(
                        "a gradient of piece {:?} reaches operand {i}, of piece {:?}: the \
                         function is not one a per-piece dispatch makes",
                        lanes.path(lane),
                        lanes.path(own)
                    ))));
                    continue;
                }
                if let Err(r) = accumulate(&mut emitter, &mut adjoints, operands[i], lane, g) {
                    errors.push(differentiating(r));
                }
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

    // One gradient slot per primal: one per piece of a subclass gradient (a subclass primal's,
    // or a plain primal's that gradients of several lanes reach), else one, or an empty slot.
    let mut none = None;
    let mut grads = 0;
    let mut slots = Vec::new();
    for g in &primal_groups {
        let pieces = gradient_pieces(&mut emitter, g, &args, &requires, &lanes, &adjoints)
            .map_err(|m| fail(format!("aot-make-joint: @{name}: {m}")))?;
        if pieces.iter().all(|p| p.grad.is_none()) {
            let slot = AotOutput::NoneGrad {
                grad_of: Box::new(g.root.clone()),
            };
            slots.push((*none.get_or_insert_with(|| emitter.none_value()), slot));
            continue;
        }
        let whole = AotOutput::Grad {
            grad_of: Box::new(g.root.clone()),
        };
        for GradPiece { arg, path, grad } in pieces {
            // Zeros for a piece no gradient reaches: a subclass gradient has every piece.
            let value = match grad {
                Some(v) => v,
                None => {
                    let info = emitter.info(args[arg]);
                    emitter
                        .zeros(&info)
                        .map_err(|r| fail(format!("aot-make-joint: @{name}: {r}")))?
                }
            };
            grads += 1;
            slots.push((value, output_piece(&whole, &path)));
        }
    }
    let backward_ops = emitter.created.len();
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

/// The gradients flowing into each value, one per lane (see [`Lanes`]).
type Adjoints = FxHashMap<Value, Vec<(usize, Value)>>;

/// The gradient of lane `lane` flowing into `v`, if any.
fn adjoint(adjoints: &Adjoints, v: Value, lane: usize) -> Option<Value> {
    let grads = adjoints.get(&v)?;
    grads.iter().find(|&&(l, _)| l == lane).map(|&(_, g)| g)
}

/// One result of a primal's gradient slot.
struct GradPiece {
    /// The argument the piece stands beside (the gradient has its type).
    arg: usize,
    /// The piece's attribute path (empty for a whole gradient).
    path: Vec<String>,
    /// The gradient, if one reaches the piece.
    grad: Option<Value>,
}

/// A primal's gradient as the pieces PyTorch's joint returns. A subclass primal's pieces
/// are its own; a plain primal that gradients of subclass lanes reach gets a gradient of
/// that subclass (the plain gradient added to each lane's, as a per-piece dispatch adds a
/// plain tensor to a subclass one); any other primal gets one.
fn gradient_pieces(
    e: &mut Emitter,
    g: &Group<AotInput>,
    args: &[Value],
    requires: &FxHashSet<Value>,
    lanes: &Lanes,
    adjoints: &Adjoints,
) -> Result<Vec<GradPiece>, String> {
    let gradient = |arg: usize, lane: usize| {
        adjoint(adjoints, args[arg], lane).filter(|_| requires.contains(&args[arg]))
    };
    if g.is_subclass() {
        let piece = |(arg, path): &(usize, Vec<String>)| GradPiece {
            arg: *arg,
            path: path.clone(),
            grad: gradient(*arg, lanes.of(args[*arg])),
        };
        return Ok(g.members.iter().map(piece).collect());
    }
    let arg = g.members[0].0;
    let plain = gradient(arg, PLAIN);
    let mut per_lane: Vec<(usize, Value)> = match adjoints.get(&args[arg]) {
        Some(grads) if requires.contains(&args[arg]) => {
            grads.iter().copied().filter(|&(l, _)| l != PLAIN).collect()
        }
        _ => Vec::new(),
    };
    per_lane.sort_by_key(|&(l, _)| flatten_key(lanes.path(l)));
    if per_lane.is_empty() {
        return Ok(vec![GradPiece {
            arg,
            path: Vec::new(),
            grad: plain,
        }]);
    }
    let paths: Vec<&[String]> = per_lane.iter().map(|&(l, _)| lanes.path(l)).collect();
    check_per_piece(&paths).map_err(|m| {
        format!(
            "the gradient of {} is a subclass value (ops on subclass pieces use it), but {m}",
            g.root
        )
    })?;
    let mut pieces = Vec::new();
    for (lane, grad) in per_lane {
        let grad = match plain {
            Some(p) => e.add(p, grad).map_err(|r| r.to_string())?,
            None => grad,
        };
        pieces.push(GradPiece {
            arg,
            path: lanes.path(lane).to_vec(),
            grad: Some(grad),
        });
    }
    Ok(pieces)
}

/// A forward function read for differentiation: its descriptors, values and the
/// requires-grad analysis.
pub(crate) struct Analysed {
    /// The function's symbol name.
    pub name: String,
    /// Where the function is, for diagnostics.
    pub span: Option<joinery_ir::Span>,
    /// The primals (parameters, buffers and plain inputs) and the arguments holding each:
    /// one, or the pieces of a desugared subclass value.
    pub primal_groups: Vec<Group<AotInput>>,
    /// The outputs (plain outputs and input mutations) and the results holding each.
    pub output_groups: Vec<Group<AotOutput>>,
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
        let plain = self.primal_groups.iter().filter_map(|p| match p.root {
            AotInput::Plain { idx } => Some(idx + 1),
            _ => None,
        });
        plain.max().unwrap_or(0)
    }

    /// The index of the next plain output: one past the last `#aot.plain_out<i>`.
    pub fn next_plain_output(&self) -> usize {
        let plain = self.output_groups.iter().filter_map(|o| match o.root {
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
    let primal_groups = primal_descriptors(&descs, &name).map_err(fail)?;
    let output_groups = output_descriptors(&descs, &name).map_err(fail)?;
    let args: Vec<Value> = ctx.block_args(body).to_vec();
    let returned: Vec<Value> = ctx.operands(ret).to_vec();
    let mut requires: FxHashSet<Value> = FxHashSet::default();
    for g in &primal_groups {
        let pieces: Vec<Value> = g.members.iter().map(|&(i, _)| args[i]).collect();
        let i = g.members[0].0;
        if primal_requires_grad(ctx, &g.root, &pieces, options)
            .map_err(|m| fail(format!("argument {i} ({}) of @{name}: {m}", g.root)))?
        {
            requires.extend(pieces.into_iter().filter(|&v| is_float_tensor(ctx, v)));
        }
    }
    check_listed_plains(&primal_groups, options).map_err(fail)?;
    let forward_ops: Vec<OpId> = ctx.block_ops(body).filter(|&op| op != ret).collect();
    for &op in &forward_ops {
        propagate(ctx, op, &mut requires);
    }
    Ok(Analysed {
        name,
        span,
        primal_groups,
        output_groups,
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

/// The primals: every argument must be a parameter, buffer or plain input, or a piece of a
/// desugared subclass one whose kind differentiates piece by piece.
fn primal_descriptors(descs: &FuncDescriptors, name: &str) -> Result<Vec<Group<AotInput>>, String> {
    let mut split = Vec::new();
    for (i, slot) in descs.args.iter().enumerate() {
        let Slot::Desc(d) = slot else {
            return Err(format!(
                "argument {i} of @{name} has no valid aot.desc descriptor"
            ));
        };
        let (root, path) = split_input(d).map_err(|m| format!("argument {i} of @{name}: {m}"))?;
        if !matches!(
            root,
            AotInput::Param { .. } | AotInput::Buffer { .. } | AotInput::Plain { .. }
        ) {
            return Err(format!(
                "argument {i} of @{name} is {d}; a forward function's arguments are \
                 parameters, buffers and plain inputs (or pieces of subclass ones)"
            ));
        }
        split.push((root, path));
    }
    let groups = group(split);
    for g in &groups {
        check_pieces(g).map_err(|m| format!("argument {} of @{name} is {m}", g.members[0].0))?;
    }
    Ok(groups)
}

/// The outputs: every result must be a plain output or an input mutation, or a piece of a
/// desugared subclass one whose kind differentiates piece by piece.
fn output_descriptors(
    descs: &FuncDescriptors,
    name: &str,
) -> Result<Vec<Group<AotOutput>>, String> {
    let mut split = Vec::new();
    for (i, slot) in descs.results.iter().enumerate() {
        let Slot::Desc(d) = slot else {
            return Err(format!(
                "result {i} of @{name} has no valid aot.desc descriptor"
            ));
        };
        let (root, path) = split_output(d).map_err(|m| format!("result {i} of @{name}: {m}"))?;
        if !matches!(
            root,
            AotOutput::Plain { .. } | AotOutput::InputMutation { .. }
        ) {
            return Err(format!(
                "result {i} of @{name} is {d}; a forward function's results are plain \
                 outputs and input mutations (or pieces of subclass ones)"
            ));
        }
        split.push((root, path));
    }
    let groups = group(split);
    for g in &groups {
        check_pieces(g).map_err(|m| format!("result {} of @{name} is {m}", g.members[0].0))?;
    }
    Ok(groups)
}

/// [`check_per_piece`] of one group, the error naming the value.
fn check_pieces<D: std::fmt::Display>(g: &Group<D>) -> Result<(), String> {
    let paths: Vec<&[String]> = g.members.iter().map(|(_, p)| p.as_slice()).collect();
    check_per_piece(&paths)
        .map_err(|m| format!("a piece of {}, which cannot be differentiated: {m}", g.root))
}

/// Whether a primal requires grad: floating-point parameters do, buffers never, plain
/// inputs when listed. A listed plain input that is not floating point is an error, as
/// `requires_grad=True` on an integer tensor is in PyTorch. A subclass primal (its
/// `pieces`) requires grad as a whole, as PyTorch's `requires_grad` belongs to the outer
/// tensor; it is floating point when a piece is.
fn primal_requires_grad(
    ctx: &Context,
    desc: &AotInput,
    pieces: &[Value],
    options: &JointOptions,
) -> Result<bool, String> {
    let float = pieces.iter().any(|&v| is_float_tensor(ctx, v));
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
fn check_listed_plains(primals: &[Group<AotInput>], options: &JointOptions) -> Result<(), String> {
    for &i in &options.plain_requires_grad {
        let known = primals
            .iter()
            .any(|p| matches!(p.root, AotInput::Plain { idx } if idx as i64 == i));
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

/// Adds `grad` to the gradient of lane `lane` of `value`, first summing it to `value`'s
/// shape and converting it to its dtype when they differ (PyTorch's engine,
/// `validate_outputs`).
fn accumulate(
    e: &mut Emitter,
    adjoints: &mut Adjoints,
    value: Value,
    lane: usize,
    grad: Value,
) -> Result<(), Refusal> {
    let target = e.info(value);
    let grad = sum_to(e, grad, &target)?;
    let grad = e.cast(grad, target.dtype)?;
    let grads = adjoints.entry(value).or_default();
    match grads.iter_mut().find(|(l, _)| *l == lane) {
        Some((_, prev)) => *prev = e.add(*prev, grad)?,
        None => grads.push((lane, grad)),
    }
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
