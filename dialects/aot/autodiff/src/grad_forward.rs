//! `aot-grad-as-forward`: a joint's gradients as a forward function, so that
//! `aot-make-joint` can differentiate them again (second derivatives, as
//! `torch.autograd.grad(create_graph=True)` differentiates PyTorch's backward graph).

use joinery_aot::{AotInput, AotOutput, DESC_KEY, FuncDescriptors, Slot};
use joinery_ir::{Context, Diagnostic, OpId};

/// Whether `func` is a joint `aot-grad-as-forward` applies to: its descriptors hold a
/// tangent argument or a gradient slot.
pub fn is_joint(ctx: &Context, func: OpId) -> bool {
    FuncDescriptors::read(ctx, func).is_some_and(|descs| {
        descs
            .args
            .iter()
            .any(|s| s.desc().is_some_and(AotInput::is_tangent))
            || descs.results.iter().any(|s| {
                s.desc().is_some_and(|d| {
                    matches!(
                        d.root(),
                        AotOutput::Grad { .. } | AotOutput::NoneGrad { .. }
                    )
                })
            })
    })
}

/// Turns the joint `func` in place into the forward function of its gradients,
/// `g(primals, tangents) = gradients`: each tangent argument becomes the plain input after
/// the joint's last one (`#aot.plain<n>`, `<n+1>`, ... in argument order, named
/// `%cotangents_<k>`), each `#aot.grad` result becomes `#aot.plain_out<k>` in result order,
/// and the forward outputs and `#aot.none_grad` slots are dropped. Returns the number of
/// gradients. A joint whose gradient slots are all empty, or with descriptors other than
/// parameters, buffers, plain inputs, tangents, plain outputs, input mutations and
/// gradients, is an error at the function.
pub fn grads_as_forward(ctx: &mut Context, func: OpId) -> Result<usize, Diagnostic> {
    let name = ctx.symbol_name(func).unwrap_or("?").to_string();
    let fail = |ctx: &Context, msg: String| {
        Diagnostic::error(format!("aot-grad-as-forward: @{name}: {msg}")).with_span(ctx.span(func))
    };
    let descs = FuncDescriptors::read(ctx, func)
        .ok_or_else(|| fail(ctx, "no function type".to_string()))?;
    let mut next_plain = 0;
    for (i, slot) in descs.args.iter().enumerate() {
        match slot.desc() {
            Some(AotInput::Plain { idx }) => next_plain = next_plain.max(idx + 1),
            Some(AotInput::Param { .. } | AotInput::Buffer { .. } | AotInput::Tangent { .. }) => {}
            Some(d) => {
                return Err(fail(
                    ctx,
                    format!("argument {i} is {d}, not a primal or tangent"),
                ));
            }
            None => {
                return Err(fail(
                    ctx,
                    format!("argument {i} has no aot.desc descriptor"),
                ));
            }
        }
    }
    for (i, slot) in descs.results.iter().enumerate() {
        match slot.desc() {
            Some(
                AotOutput::Plain { .. }
                | AotOutput::InputMutation { .. }
                | AotOutput::Grad { .. }
                | AotOutput::NoneGrad { .. },
            ) => {}
            Some(d) => {
                return Err(fail(
                    ctx,
                    format!("result {i} is {d}, not an output or gradient"),
                ));
            }
            None => return Err(fail(ctx, format!("result {i} has no aot.desc descriptor"))),
        }
    }
    let grads = descs
        .results
        .iter()
        .filter(|s| matches!(s, Slot::Desc(AotOutput::Grad { .. })))
        .count();
    if grads == 0 {
        return Err(fail(ctx, "no gradient slot gets a gradient".to_string()));
    }
    let body = ctx
        .body_block(func)
        .ok_or_else(|| fail(ctx, "no body".to_string()))?;
    let args = ctx.block_args(body).to_vec();
    let mut k = 0;
    for (i, slot) in descs.args.iter().enumerate() {
        if slot.desc().is_some_and(AotInput::is_tangent) {
            let attr = AotInput::Plain {
                idx: next_plain + k,
            }
            .to_attr(ctx);
            let dict = ctx.dictionary_attr(vec![(DESC_KEY.to_string(), attr)]);
            joinery_func::edit::set_arg_attrs(ctx, func, i, dict);
            k += 1;
            ctx.set_value_name(args[i], Some(&format!("cotangents_{k}")));
        }
    }
    for (i, slot) in descs.results.iter().enumerate().rev() {
        if !matches!(slot, Slot::Desc(AotOutput::Grad { .. })) {
            joinery_func::edit::erase_result(ctx, func, i);
        }
    }
    for j in 0..grads {
        let attr = AotOutput::Plain { idx: j }.to_attr(ctx);
        let dict = ctx.dictionary_attr(vec![(DESC_KEY.to_string(), attr)]);
        joinery_func::edit::set_res_attrs(ctx, func, j, dict);
    }
    if let Some(ret) = ctx.last_op(body) {
        erase_dead_ops(ctx, body, ret);
    }
    Ok(grads)
}

/// Erases the ops of `body` whose results nothing uses any more (the dropped forward
/// outputs' computations), last first.
fn erase_dead_ops(ctx: &mut Context, body: joinery_ir::BlockId, ret: OpId) {
    let ops: Vec<OpId> = ctx.block_ops(body).filter(|&op| op != ret).collect();
    for op in ops.into_iter().rev() {
        if ctx.results(op).iter().all(|&r| ctx.is_unused(r)) {
            ctx.erase_op(op);
        }
    }
}
