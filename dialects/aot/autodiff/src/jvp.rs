//! `aot-make-jvp`: forward-mode automatic differentiation. A forward function becomes the
//! forward function of its Jacobian-vector product: one tangent input per primal that
//! requires grad (plain inputs after the last one), the forward results, then one tangent
//! output per result that requires grad (plain outputs after the last one). The tangents
//! come from the derivative table: each row says how its forward rule follows from it
//! ([`Forward`]).

use crate::joint::{Analysed, JointOptions, analyse, derived_loc, desc_dict};
use crate::rules::{Cx, Derivative, Forward, derivative, is_non_differentiable};
use joinery_aot::{AotInput, AotOutput};
use joinery_decompose::emit::{Emitter, Refusal};
use joinery_ir::{Attribute, Diagnostic, OpId, Value};
use rustc_hash::FxHashMap;

/// What making one function's JVP added.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MadeJvp {
    /// Tangent inputs (primals that require grad).
    pub inputs: usize,
    /// Tangent outputs (results that require grad).
    pub outputs: usize,
    /// Ops computing the tangents.
    pub ops: usize,
}

/// Turns the forward function `func` into its JVP function in place (see the module
/// documentation for the layout); which primals get a tangent follows the requires-grad
/// analysis of `aot-make-joint` (`options`). Errors are located diagnostics.
pub fn make_jvp(
    ctx: &mut joinery_ir::Context,
    func: OpId,
    options: &JointOptions,
) -> Result<MadeJvp, Vec<Diagnostic>> {
    let analysed = analyse(ctx, func, options, "aot-make-jvp")?;
    let primal_pieces = analysed.primal_groups.iter().filter(|g| g.is_subclass());
    let output_pieces = analysed.output_groups.iter().filter(|g| g.is_subclass());
    let subclass = primal_pieces
        .map(|g| g.root.to_string())
        .chain(output_pieces.map(|g| g.root.to_string()))
        .next();
    if let Some(value) = subclass {
        return Err(vec![
            Diagnostic::error(format!(
                "aot-make-jvp: @{}: {value} is a desugared tensor-subclass value; forward mode \
                 takes no subclass pieces",
                analysed.name
            ))
            .with_span(analysed.span),
        ]);
    }
    let next_plain = analysed.next_plain_input();
    let next_out = analysed.next_plain_output();
    let Analysed {
        args,
        returned,
        ret,
        forward_ops,
        requires,
        ..
    } = analysed;
    let mut tangents: FxHashMap<Value, Value> = FxHashMap::default();
    for (i, &arg) in args.iter().enumerate() {
        if !requires.contains(&arg) {
            continue;
        }
        let k = tangents.len();
        let ty = ctx.value_type(arg);
        let attr = AotInput::Plain {
            idx: next_plain + k,
        }
        .to_attr(ctx);
        let dict = desc_dict(ctx, attr);
        let t = joinery_func::edit::insert_argument(ctx, func, args.len() + k, ty, dict)
            .expect("the function has a body");
        let base = ctx
            .value_name(arg)
            .map_or_else(|| format!("arg{i}"), str::to_string);
        ctx.set_value_name(t, Some(&format!("d_{base}")));
        tangents.insert(arg, t);
    }
    let inputs = tangents.len();

    let mut emitter = Emitter::new(ctx, ret);
    let mut errors = Vec::new();
    for &op in &forward_ops {
        let operands = emitter.ctx.operands(op).to_vec();
        let results = emitter.ctx.results(op).to_vec();
        let op_name = emitter.ctx.name_str(op).to_string();
        if is_non_differentiable(&op_name)
            || !operands.iter().any(|v| tangents.contains_key(v))
            || !results.iter().any(|r| requires.contains(r))
        {
            continue;
        }
        let op_span = emitter.ctx.span(op);
        let fail = |msg: String| Diagnostic::error(msg).with_span(op_span);
        let Some(rule) = derivative(&op_name) else {
            errors.push(fail(format!(
                "aot-make-jvp: no derivative rule for '{op_name}': a tangent reaches it but \
                 the table (joinery-autodiff src/rules.rs) has no row for it"
            )));
            continue;
        };
        emitter.set_loc(derived_loc("jvp", emitter.ctx.loc(op)));
        let made = match rule.forward {
            Forward::None => {
                errors.push(fail(format!(
                    "aot-make-jvp: no forward-mode rule for '{op_name}': its row of the \
                     derivative table has none yet"
                )));
                continue;
            }
            Forward::ElementWise => element_wise(&mut emitter, op, rule, &tangents),
            Forward::Linear => linear(&mut emitter, op, rule, &tangents),
            Forward::MultiAffine(additive) => {
                multi_affine(&mut emitter, op, rule, additive, &tangents)
            }
        };
        let made = made.and_then(|ts| {
            let mut out = Vec::new();
            for (&r, t) in results.iter().zip(ts) {
                match t {
                    Some(t) if requires.contains(&r) => {
                        let dtype = emitter.dtype(r);
                        out.push((r, emitter.cast(t, dtype)?));
                    }
                    _ => {}
                }
            }
            Ok(out)
        });
        match made {
            Ok(made) => tangents.extend(made),
            Err(r) => errors.push(fail(format!(
                "aot-make-jvp: the tangent of '{op_name}': {r}"
            ))),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let ops = emitter.created.len();
    let ctx = emitter.ctx;
    let mut made_outputs = 0;
    for v in returned {
        if let Some(&t) = tangents.get(&v) {
            let attr = AotOutput::Plain {
                idx: next_out + made_outputs,
            }
            .to_attr(ctx);
            let dict = desc_dict(ctx, attr);
            let index = ctx.operands(ret).len();
            joinery_func::edit::insert_result(ctx, func, index, t, dict);
            made_outputs += 1;
        }
    }
    Ok(MadeJvp {
        inputs,
        outputs: made_outputs,
        ops,
    })
}

/// The tangents of the op's differentiable operands, by operand (`None`: no tangent flows
/// in, or the operand is not differentiable).
fn operand_tangents(
    e: &Emitter,
    op: OpId,
    rule: &Derivative,
    tangents: &FxHashMap<Value, Value>,
) -> Vec<Option<Value>> {
    e.ctx
        .operands(op)
        .iter()
        .enumerate()
        .map(|(i, v)| {
            tangents
                .get(v)
                .copied()
                .filter(|_| rule.differentiates(e.ctx, op, i))
        })
        .collect()
}

/// `auto_element_wise`: the sum over operands of the reverse rule applied to the operand's
/// tangent, broadcast to the result; refused on complex values.
fn element_wise(
    e: &mut Emitter,
    op: OpId,
    rule: &Derivative,
    tangents: &FxHashMap<Value, Value>,
) -> Result<Vec<Option<Value>>, Refusal> {
    let flowing = operand_tangents(e, op, rule, tangents);
    let mut values = e.ctx.operands(op).iter().chain(e.ctx.results(op));
    if values.any(|&v| e.info(v).dtype.is_complex()) {
        return Err(
            "an element-wise forward rule on complex values (the reverse rule \
                    conjugates)"
                .into(),
        );
    }
    let mut total: Option<Value> = None;
    for (i, t) in flowing.iter().enumerate() {
        let Some(t) = *t else { continue };
        let needs: Vec<bool> = (0..flowing.len()).map(|j| j == i).collect();
        let mut cx = Cx::new(e, op, vec![Some(t)], needs);
        let Some(term) = (rule.rule)(&mut cx)?[i] else {
            continue;
        };
        total = Some(match total {
            Some(sum) => e.add(sum, term)?,
            None => term,
        });
    }
    let Some(total) = total else {
        return Ok(vec![None]);
    };
    let result = e.ctx.result(op, 0);
    let (have, want) = (e.info(total), e.info(result));
    if have.shape == want.shape {
        return Ok(vec![Some(total)]);
    }
    let size = joinery_decompose::emit::static_dims(&want)
        .ok_or("a tangent of dynamic shape")?
        .iter()
        .map(|&n| n as i64)
        .collect::<Vec<_>>();
    let size = e.ints(&size);
    Ok(vec![Some(e.op1(
        "aten.expand",
        &[total],
        vec![("size", size)],
    )?)])
}

/// `auto_linear`: the op applied to its operands' tangents (zeros for differentiable
/// operands without one; the others as they are).
fn linear(
    e: &mut Emitter,
    op: OpId,
    rule: &Derivative,
    tangents: &FxHashMap<Value, Value>,
) -> Result<Vec<Option<Value>>, Refusal> {
    let flowing = operand_tangents(e, op, rule, tangents);
    let mut operands = e.ctx.operands(op).to_vec();
    for (i, t) in flowing.iter().enumerate() {
        if rule.differentiates(e.ctx, op, i) {
            operands[i] = match t {
                Some(t) => *t,
                None => zeros_like(e, operands[i])?,
            };
        }
    }
    Ok(rebuild(e, op, &operands)?.into_iter().map(Some).collect())
}

/// [`Forward::MultiAffine`]: the sum over operands with a tangent of the op with that
/// tangent in its place, the other `additive` operands at zero, and, when the operand is
/// itself additive, every other differentiable operand at zero (no subtraction, so no
/// cancellation against the primal's terms).
fn multi_affine(
    e: &mut Emitter,
    op: OpId,
    rule: &Derivative,
    additive: &[&str],
    tangents: &FxHashMap<Value, Value>,
) -> Result<Vec<Option<Value>>, Refusal> {
    let flowing = operand_tangents(e, op, rule, tangents);
    let operands = e.ctx.operands(op).to_vec();
    let is_additive: Vec<bool> = (0..operands.len())
        .map(|i| {
            rule.operand_arg(e.ctx, op, i)
                .is_some_and(|a| additive.contains(&a))
        })
        .collect();
    let mut total: Option<Value> = None;
    for (i, t) in flowing.iter().enumerate() {
        let Some(t) = *t else { continue };
        let mut moved = operands.clone();
        for j in 0..operands.len() {
            let zeroed =
                j != i && rule.differentiates(e.ctx, op, j) && (is_additive[j] || is_additive[i]);
            if zeroed {
                moved[j] = zeros_like(e, operands[j])?;
            }
        }
        moved[i] = t;
        let term = rebuild(e, op, &moved)?[0];
        total = Some(match total {
            Some(sum) => e.add(sum, term)?,
            None => term,
        });
    }
    Ok(vec![total])
}

/// Zeros of `v`'s type.
fn zeros_like(e: &mut Emitter, v: Value) -> Result<Value, Refusal> {
    let info = e.info(v);
    e.zeros(&info)
}

/// `op` again, with the same attributes, on `operands`.
fn rebuild(e: &mut Emitter, op: OpId, operands: &[Value]) -> Result<Vec<Value>, Refusal> {
    let name = e.ctx.name_str(op).to_string();
    let attrs: Vec<(String, Attribute)> =
        e.ctx.attrs(op).map(|(k, v)| (k.to_string(), v)).collect();
    let attrs = attrs.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    e.op(&name, operands, attrs)
}
