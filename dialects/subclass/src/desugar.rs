//! `aot-desugar-subclasses` over one function.

use crate::kinds::{
    DISPATCH_OP, FLATTEN_OP, Rewrite, UNFLATTEN_OP, inner_types, kind_of, outer_type,
};
use joinery_aot::{AotInput, AotOutput, DESC_KEY, DescKind, FuncDescriptors};
use joinery_func::edit;
use joinery_ir::{Attribute, Builder, Context, Diagnostic, Dim, InsertPoint, OpId, Type, Value};
use joinery_pass::{PassResult, PassState};

fn is_subclass(ctx: &Context, ty: Type) -> bool {
    kind_of(ctx, ty).is_some()
}

fn touches_subclass(ctx: &Context, op: OpId) -> bool {
    ctx.operands(op)
        .iter()
        .chain(ctx.results(op))
        .any(|&v| is_subclass(ctx, ctx.value_type(v)))
}

/// One leaf of a flattened subclass type: its type and the attribute path to it.
struct Leaf {
    ty: Type,
    path: Vec<&'static str>,
}

/// The tensor leaves of `ty` in `__tensor_flatten__` order, recursively.
fn leaves(ctx: &Context, ty: Type, path: &mut Vec<&'static str>, out: &mut Vec<Leaf>) {
    match (kind_of(ctx, ty), inner_types(ctx, ty)) {
        (Some(kind), Some(inner)) => {
            for (&attr, t) in kind.attrs.iter().zip(inner) {
                path.push(attr);
                leaves(ctx, t, path, out);
                path.pop();
            }
        }
        _ => out.push(Leaf {
            ty,
            path: path.clone(),
        }),
    }
}

/// The descriptor of the inner tensor at attribute path `path` of the subclass input `base`
/// (`#aot.subclass_attr` around `base`, once per attribute, outermost attribute first).
pub fn input_piece(base: &AotInput, path: &[impl AsRef<str>]) -> AotInput {
    path.iter()
        .fold(base.clone(), |d, attr| AotInput::SubclassAttr {
            base: Box::new(d),
            attr: attr.as_ref().to_string(),
        })
}

/// The descriptor of the inner tensor at attribute path `path` of the subclass output
/// `base` (`#aot.subclass_attr_out`, as [`input_piece`]).
pub fn output_piece(base: &AotOutput, path: &[impl AsRef<str>]) -> AotOutput {
    path.iter()
        .fold(base.clone(), |d, attr| AotOutput::SubclassAttr {
            base: Box::new(d),
            attr: attr.as_ref().to_string(),
        })
}

/// Desugars the subclass values of one `func.func`; `Ok(false)` when it has none.
pub fn desugar_function(ctx: &mut Context, func: OpId, state: &mut PassState) -> PassResult {
    let Some(body) = ctx.body_block(func) else {
        return Ok(false);
    };
    let has_args = ctx
        .block_args(body)
        .iter()
        .any(|&a| is_subclass(ctx, ctx.value_type(a)));
    if !has_args
        && !ctx
            .walk(func)
            .into_iter()
            .any(|op| touches_subclass(ctx, op))
    {
        return Ok(false);
    }
    let mut errors = Vec::new();
    for op in ctx.walk(func) {
        let name = ctx.name_str(op);
        let known = [
            UNFLATTEN_OP.name,
            FLATTEN_OP.name,
            DISPATCH_OP.name,
            "func.return",
        ];
        if touches_subclass(ctx, op)
            && (!known.contains(&name) || ctx.parent_block(op) != Some(body))
        {
            errors.push(
                Diagnostic::error(format!(
                    "'{name}' takes or returns a tensor-subclass value; only subclass.unflatten, \
                     subclass.flatten, subclass.dispatch and func.return may, in the function's \
                     body"
                ))
                .with_span(ctx.span(op)),
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let args = flatten_arguments(ctx, func, body);
    state.add_statistic("arguments", args);
    let ops: Vec<OpId> = ctx.block_ops(body).collect();
    let mut dispatches = 0;
    for op in ops {
        let name = ctx.name_str(op).to_string();
        if name == DISPATCH_OP.name {
            rewrite_dispatch(ctx, op).map_err(|d| vec![d])?;
            dispatches += 1;
        } else if name == FLATTEN_OP.name {
            let rw = Rewrite {
                ctx,
                anchor: op,
                span: None,
            };
            let inner = rw
                .inner(rw.ctx.operand(op, 0))
                .map_err(|e| vec![Diagnostic::error(e).with_span(ctx.span(op))])?;
            ctx.replace_op(op, &inner);
        }
    }
    state.add_statistic("dispatches", dispatches);
    let results = flatten_results(ctx, func, body).map_err(|d| vec![d])?;
    state.add_statistic("results", results);
    let unflattens: Vec<OpId> = ctx
        .block_ops(body)
        .filter(|&op| ctx.name_str(op) == UNFLATTEN_OP.name)
        .collect();
    for op in unflattens.into_iter().rev() {
        if ctx.is_unused(ctx.result(op, 0)) {
            ctx.erase_op(op);
        }
    }
    let left: Vec<Diagnostic> = ctx
        .walk(func)
        .into_iter()
        .filter(|&op| touches_subclass(ctx, op))
        .map(|op| {
            Diagnostic::error(format!(
                "'{}' still uses a tensor-subclass value after desugaring",
                ctx.name_str(op)
            ))
            .with_span(ctx.span(op))
        })
        .collect();
    if left.is_empty() { Ok(true) } else { Err(left) }
}

/// Replaces every subclass argument by its leaves (and symbolic sizes/strides), rebuilding
/// the value with `subclass.unflatten` at the top of the body.
fn flatten_arguments(ctx: &mut Context, func: OpId, body: joinery_ir::BlockId) -> u64 {
    let mut count = 0;
    let mut i = 0;
    while i < ctx.block_args(body).len() {
        let arg = ctx.block_args(body)[i];
        let ty = ctx.value_type(arg);
        if !is_subclass(ctx, ty) {
            i += 1;
            continue;
        }
        count += 1;
        let descs = FuncDescriptors::read(ctx, func);
        let desc = descs
            .as_ref()
            .and_then(|d| d.args.get(i))
            .and_then(|s| s.desc())
            .cloned();
        let mut found = Vec::new();
        leaves(ctx, ty, &mut Vec::new(), &mut found);
        let mut pieces = Vec::new();
        for (k, leaf) in found.iter().enumerate() {
            let attr = desc
                .as_ref()
                .map(|d| input_piece(d, &leaf.path).to_attr(ctx));
            let dict = dict_for(ctx, attr);
            let v = edit::insert_argument(ctx, func, i + 1 + k, leaf.ty, dict)
                .expect("the function has a body");
            pieces.push(v);
        }
        let mut next = i + 1 + found.len();
        let is_tangent = desc.as_ref().is_some_and(|d| d.kind() == DescKind::Tangent);
        if let (Some(d), false) = (&desc, is_tangent) {
            let dynamic: Vec<bool> = outer_type(ctx, ty)
                .ok()
                .and_then(|o| o.shape)
                .unwrap_or_default()
                .iter()
                .map(|d| *d == Dim::Dynamic)
                .collect();
            let i64_ty = ctx.integer_type(64);
            let sizes =
                (0..dynamic.len())
                    .filter(|&j| dynamic[j])
                    .map(|j| AotInput::SubclassSize {
                        base: Box::new(d.clone()),
                        idx: j,
                    });
            let strides = (0..dynamic.len())
                .filter(|&j| dynamic[j + 1..].iter().any(|&x| x))
                .map(|j| AotInput::SubclassStride {
                    base: Box::new(d.clone()),
                    idx: j,
                });
            let extra: Vec<AotInput> = sizes.chain(strides).collect();
            for piece in extra {
                let attr = piece.to_attr(ctx);
                let dict = dict_for(ctx, Some(attr));
                edit::insert_argument(ctx, func, next, i64_ty, dict);
                next += 1;
            }
        }
        let first = ctx.first_op(body).expect("a body ends with its terminator");
        let mut cursor = pieces.into_iter();
        let rebuilt = rebuild(ctx, ty, &mut cursor, first);
        ctx.replace_all_uses(arg, rebuilt);
        edit::erase_argument(ctx, func, i);
        i = next - 1;
    }
    count
}

/// Rebuilds a value of type `ty` from leaves (in order) with `subclass.unflatten` ops
/// placed before `anchor`.
fn rebuild(
    ctx: &mut Context,
    ty: Type,
    leaves: &mut impl Iterator<Item = Value>,
    anchor: OpId,
) -> Value {
    match inner_types(ctx, ty) {
        Some(inner) => {
            let parts: Vec<Value> = inner
                .into_iter()
                .map(|t| rebuild(ctx, t, leaves, anchor))
                .collect();
            let mut b = Builder::new(ctx, InsertPoint::Before(anchor));
            let op = b.build(UNFLATTEN_OP.name, &parts, &[ty], Vec::new());
            ctx.result(op, 0)
        }
        None => leaves.next().expect("one leaf per tensor of the type"),
    }
}

fn dict_for(ctx: &mut Context, desc: Option<Attribute>) -> Attribute {
    let entries = desc
        .map(|d| vec![(DESC_KEY.to_string(), d)])
        .unwrap_or_default();
    ctx.dictionary_attr(entries)
}

/// Rewrites one `subclass.dispatch` through its kind's rule.
fn rewrite_dispatch(ctx: &mut Context, op: OpId) -> Result<(), Diagnostic> {
    let span = ctx.span(op);
    let name = ctx
        .attr(op, "op")
        .and_then(|a| ctx.as_str(a))
        .unwrap_or_default()
        .to_string();
    let attrs: Vec<(String, Attribute)> = ctx
        .attrs(op)
        .filter(|(k, _)| *k != "op")
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    let operands = ctx.operands(op).to_vec();
    let mut rw = Rewrite {
        ctx,
        anchor: op,
        span,
    };
    let values = rw
        .emit(&name, &operands, &attrs)
        .map_err(|e| Diagnostic::error(format!("cannot dispatch '{name}': {e}")).with_span(span))?;
    let declared: Vec<Type> = ctx.results(op).iter().map(|&r| ctx.value_type(r)).collect();
    let produced: Vec<Type> = values.iter().map(|&v| ctx.value_type(v)).collect();
    if declared != produced {
        let show = |ts: &[Type]| {
            ts.iter()
                .map(|&t| {
                    outer_type(ctx, t).map_or_else(|_| "?".to_string(), |o| o.to_string())
                        + if is_subclass(ctx, t) {
                            " (subclass)"
                        } else {
                            ""
                        }
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(Diagnostic::error(format!(
            "'subclass.dispatch' of '{name}' declares result types that its subclass's rule \
             does not produce: declared [{}], the rule gives [{}]",
            show(&declared),
            show(&produced)
        ))
        .with_span(span));
    }
    ctx.replace_op(op, &values);
    Ok(())
}

/// Replaces every returned subclass value by its leaves, in place.
fn flatten_results(
    ctx: &mut Context,
    func: OpId,
    body: joinery_ir::BlockId,
) -> Result<u64, Diagnostic> {
    let ret = ctx.last_op(body).expect("a body ends with its terminator");
    let mut count = 0;
    let mut j = 0;
    while j < ctx.operands(ret).len() {
        let v = ctx.operand(ret, j);
        let ty = ctx.value_type(v);
        if !is_subclass(ctx, ty) {
            j += 1;
            continue;
        }
        count += 1;
        if outer_type(ctx, ty)
            .ok()
            .and_then(|o| o.shape)
            .is_some_and(|s| s.contains(&Dim::Dynamic))
        {
            return Err(Diagnostic::error(format!(
                "result {j} is a tensor-subclass value with dynamic dims, whose symbolic sizes \
                 aot-desugar-subclasses cannot return yet"
            ))
            .with_span(ctx.span(ret)));
        }
        let desc = FuncDescriptors::read(ctx, func)
            .and_then(|d| d.results.get(j).and_then(|s| s.desc()).cloned());
        let mut found = Vec::new();
        leaves(ctx, ty, &mut Vec::new(), &mut found);
        let values =
            leaf_values(ctx, v).map_err(|e| Diagnostic::error(e).with_span(ctx.span(ret)))?;
        for (k, (leaf, value)) in found.iter().zip(values).enumerate() {
            let attr = desc
                .as_ref()
                .map(|d| output_piece(d, &leaf.path).to_attr(ctx));
            let dict = dict_for(ctx, attr);
            edit::insert_result(ctx, func, j + 1 + k, value, dict);
        }
        edit::erase_result(ctx, func, j);
        j += found.len();
    }
    Ok(count)
}

/// The leaf values of a subclass value, through the `subclass.unflatten` ops that made it.
fn leaf_values(ctx: &mut Context, v: Value) -> Result<Vec<Value>, String> {
    if !is_subclass(ctx, ctx.value_type(v)) {
        return Ok(vec![v]);
    }
    let anchor = ctx
        .defining_op(v)
        .ok_or("a subclass argument was not flattened")?;
    let rw = Rewrite {
        ctx,
        anchor,
        span: None,
    };
    let inner = rw.inner(v)?;
    let mut out = Vec::new();
    for x in inner {
        out.extend(leaf_values(ctx, x)?);
    }
    Ok(out)
}
