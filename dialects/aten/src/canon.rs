//! Canonicalization of aten ops: the patterns a catalogue line names in its fifth column
//! (each a static here, named in kebab case there) and the constant folder every pure op
//! has ([`fold`]).
//!
//! Every rewrite replaces a value only by a value of exactly its type (else nothing
//! happens), never touches an op with an `!aten.ref` operand or result (L0 code whose
//! tensors may be written), and never changes a result, bit for bit: `x + 0.0` stays,
//! since `-0.0 + 0.0` is `+0.0`. Views have value semantics here, so replacing a view by
//! the value it views is exact.

use crate::{Args, TensorInfo, touches_references};
use joinery_ir::dialect::FoldResult;
use joinery_ir::{
    AttrData, Attribute, Context, DenseScalar, OpId, OperationState, RewritePattern, Rewriter,
    Type, Value,
};
use std::sync::OnceLock;

/// A canonicalization pattern of aten ops: its name (for `disable-patterns` and
/// `enable-patterns`) and its rewrite, tried only on ops without `!aten.ref` values.
pub struct Pattern {
    name: &'static str,
    rewrite: fn(&mut Rewriter<'_>, OpId) -> bool,
}

impl RewritePattern for Pattern {
    fn name(&self) -> &'static str {
        self.name
    }

    fn apply(&self, op: OpId, rewriter: &mut Rewriter<'_>) -> bool {
        !touches_references(rewriter.ctx, op) && (self.rewrite)(rewriter, op)
    }
}

/// `op(x) -> x` when the result has `x`'s type: ops that copy their only operand's
/// elements (`alias`, `detach`, `clone`, `lift_fresh_copy`, `_to_copy` to the same dtype
/// with a strided layout, `cat` of one tensor).
pub static SAME_TYPE: Pattern = Pattern {
    name: "aten.same-type",
    rewrite: same_type,
};

/// `op(x) -> x` when the result has `x`'s type and that type's shape is static: ops that
/// select or repeat elements and do nothing at the same shape (`expand`, `slice` over the
/// whole dim). A dynamic dim could hide a change of extent.
pub static SAME_SHAPE: Pattern = Pattern {
    name: "aten.same-shape",
    rewrite: same_shape,
};

/// Chains of row-major reshapes (`view`, `_unsafe_view`, `reshape`, `squeeze`,
/// `unsqueeze`): the op becomes the value of the chain of reshapes above it that has its
/// (static) type, e.g. `squeeze(unsqueeze(x, d), d) -> x`; else a reshape to a given shape
/// reads the chain's first operand, `view(view(x, s1), s2) -> view(x, s2)`.
pub static RESHAPE_CHAIN: Pattern = Pattern {
    name: "aten.reshape-chain",
    rewrite: reshape_chain,
};

/// Permutations (`t`, `transpose.int`, `permute`): the identity permutation is dropped,
/// one of another is composed into one `permute` of the inner operand, or dropped when
/// the composition is the identity (`t(t(x)) -> x`).
pub static PERMUTE_COMPOSE: Pattern = Pattern {
    name: "aten.permute-compose",
    rewrite: permute_compose,
};

/// `op(op(x)) -> x` for an op that is its own inverse (`neg`, not on booleans).
pub static INVOLUTION: Pattern = Pattern {
    name: "aten.involution",
    rewrite: involution,
};

/// `x * 1`, `1 * x`, `x / 1`, `x - 0` (alpha 1) and `x + (-0.0)` (alpha 1; for integer
/// results `x + 0`) are `x`, with the neutral operand a Scalar or an `arith.constant`
/// splat, when the result has `x`'s type and is not boolean (PyTorch refuses `sub`
/// there). `x - (-0.0)` and float `x + 0.0` stay: they turn `-0.0` into `+0.0`.
pub static NEUTRAL_OPERAND: Pattern = Pattern {
    name: "aten.neutral-operand",
    rewrite: neutral_operand,
};

/// Replaces the only result of `op` by `v` when both have one type; whether it did.
fn replace_by(rewriter: &mut Rewriter<'_>, op: OpId, v: Value) -> bool {
    let ctx = &*rewriter.ctx;
    let [result] = ctx.results(op) else {
        return false;
    };
    if ctx.value_type(*result) != ctx.value_type(v) {
        return false;
    }
    rewriter.replace_op(op, &[v]);
    true
}

/// The type of the result of an op with exactly one.
fn only_result_type(ctx: &Context, op: OpId) -> Option<Type> {
    match ctx.results(op) {
        [r] => Some(ctx.value_type(*r)),
        _ => None,
    }
}

/// The operand of an op with exactly one.
fn only_operand(ctx: &Context, op: OpId) -> Option<Value> {
    match ctx.operands(op) {
        [x] => Some(*x),
        _ => None,
    }
}

/// The extents of a tensor type whose dims are all static.
fn static_shape(ctx: &Context, ty: Type) -> Option<Vec<u64>> {
    let (dims, _) = ctx.tensor_parts(ty)?;
    dims.iter().map(|d| d.extent()).collect()
}

/// The type `op`'s only result would have with operand `i` replaced by `v`, as inferred.
fn reinferred(ctx: &Context, op: OpId, i: usize, v: Value) -> Option<TensorInfo> {
    let mut types: Vec<Type> = ctx
        .operands(op)
        .iter()
        .map(|&o| ctx.value_type(o))
        .collect();
    types[i] = ctx.value_type(v);
    match &crate::infer_types(ctx, ctx.name_str(op), &types, ctx.attrs(op)).ok()?[..] {
        [info] => Some(info.clone()),
        _ => None,
    }
}

/// Whether the inferred `info` is exactly `op`'s declared only result type.
fn is_result_type(ctx: &Context, op: OpId, info: &TensorInfo) -> bool {
    only_result_type(ctx, op)
        .and_then(|ty| TensorInfo::from_type(ctx, ty))
        .as_ref()
        == Some(info)
}

/// Whether `op` is an aten op with pattern `p`, and without `!aten.ref` values.
fn has_pattern(ctx: &Context, op: OpId, p: &Pattern) -> bool {
    !touches_references(ctx, op)
        && ctx
            .def(op)
            .is_some_and(|d| d.canonicalize.iter().any(|q| q.name() == p.name))
}

fn same_type(rewriter: &mut Rewriter<'_>, op: OpId) -> bool {
    let ctx = &*rewriter.ctx;
    let Some(x) = only_operand(ctx, op) else {
        return false;
    };
    let strided = ctx
        .attr(op, "layout")
        .is_none_or(|l| ctx.as_str(l) == Some("strided"));
    strided && replace_by(rewriter, op, x)
}

fn same_shape(rewriter: &mut Rewriter<'_>, op: OpId) -> bool {
    let ctx = &*rewriter.ctx;
    let Some(x) = only_operand(ctx, op) else {
        return false;
    };
    static_shape(ctx, ctx.value_type(x)).is_some() && replace_by(rewriter, op, x)
}

fn reshape_chain(rewriter: &mut Rewriter<'_>, op: OpId) -> bool {
    let ctx = &*rewriter.ctx;
    let (Some(x), Some(ty)) = (only_operand(ctx, op), only_result_type(ctx, op)) else {
        return false;
    };
    // `x`, then the operand of each reshape above it.
    let mut chain = vec![x];
    while let Some(p) = ctx
        .defining_op(chain[chain.len() - 1])
        .filter(|&p| has_pattern(ctx, p, &RESHAPE_CHAIN))
    {
        chain.push(ctx.operand(p, 0));
    }
    if static_shape(ctx, ty).is_some()
        && let Some(&v) = chain.iter().rev().find(|&&v| ctx.value_type(v) == ty)
    {
        return replace_by(rewriter, op, v);
    }
    let root = chain[chain.len() - 1];
    let absolute = ctx.attr(op, "size").is_some() || ctx.attr(op, "shape").is_some();
    if root == x
        || !absolute
        || !reinferred(ctx, op, 0, root).is_some_and(|t| is_result_type(ctx, op, &t))
    {
        return false;
    }
    rewriter.set_operand(op, 0, root);
    true
}

/// The permutation a `t`, `transpose.int` or `permute` applies (result dim `i` is
/// operand dim `p[i]`), or `None` for other ops and unranked operands.
fn permutation(ctx: &Context, op: OpId) -> Option<Vec<usize>> {
    let x = only_operand(ctx, op)?;
    let rank = ctx.tensor_parts(ctx.value_type(x))?.0.len();
    let name = ctx.name_str(op);
    let args = Args::of_op(ctx, crate::schema(name)?, op).ok()?;
    // (`norm_dim` lets a 0-d tensor name dim 0, which has no entry here)
    let norm = |d: i64| crate::norm_dim(d, rank).ok().filter(|&d| d < rank);
    let mut p: Vec<usize> = (0..rank).collect();
    match name {
        "aten.t" if rank == 2 => p.swap(0, 1),
        "aten.t" if rank < 2 => {}
        "aten.transpose.int" => {
            p.swap(norm(args.int("dim0").ok()?)?, norm(args.int("dim1").ok()?)?)
        }
        "aten.permute" => {
            p = args
                .ints("dims")
                .ok()?
                .iter()
                .map(|&d| norm(d))
                .collect::<Option<_>>()?;
        }
        _ => return None,
    }
    // A permutation of every dim, or the op is not well formed.
    let mut seen = vec![false; rank];
    (p.len() == rank && p.iter().all(|&d| !std::mem::replace(&mut seen[d], true))).then_some(p)
}

fn is_identity(p: &[usize]) -> bool {
    p.iter().enumerate().all(|(i, &d)| i == d)
}

fn permute_compose(rewriter: &mut Rewriter<'_>, op: OpId) -> bool {
    let ctx = &*rewriter.ctx;
    let Some(p) = permutation(ctx, op) else {
        return false;
    };
    let x = ctx.operand(op, 0);
    if is_identity(&p) {
        return replace_by(rewriter, op, x);
    }
    let Some((inner, q)) = ctx
        .defining_op(x)
        .filter(|&q| has_pattern(ctx, q, &PERMUTE_COMPOSE))
        .and_then(|q| Some((q, permutation(ctx, q)?)))
    else {
        return false;
    };
    let composed: Vec<i64> = p.iter().map(|&i| q[i] as i64).collect();
    let root = ctx.operand(inner, 0);
    if composed.iter().enumerate().all(|(i, &d)| i as i64 == d) {
        return replace_by(rewriter, op, root);
    }
    let ctx = &mut *rewriter.ctx;
    let dims: Vec<Attribute> = composed.iter().map(|&d| ctx.integer_attr(d, 64)).collect();
    let dims = ctx.array_attr(dims);
    let attrs = vec![("dims".to_string(), dims)];
    let Some(ty) = only_result_type(ctx, op) else {
        return false;
    };
    let inferred = crate::infer_types(
        ctx,
        "aten.permute",
        &[ctx.value_type(root)],
        attrs.iter().map(|(k, v)| (k.as_str(), *v)),
    );
    if !inferred.is_ok_and(|t| t.len() == 1 && is_result_type(ctx, op, &t[0])) {
        return false;
    }
    let mut state = OperationState::new(ctx.op_name("aten.permute"));
    state.operands = vec![root];
    state.result_types = vec![ty];
    state.attrs = attrs;
    state.loc = ctx.loc(op).cloned();
    state.span = ctx.span(op);
    let permuted = rewriter.create_before(op, state);
    let v = rewriter.ctx.result(permuted, 0);
    rewriter.replace_op(op, &[v]);
    true
}

fn involution(rewriter: &mut Rewriter<'_>, op: OpId) -> bool {
    let ctx = &*rewriter.ctx;
    let Some(x) = only_operand(ctx, op) else {
        return false;
    };
    let boolean = ctx
        .tensor_parts(ctx.value_type(x))
        .and_then(|(_, e)| ctx.dtype_of(e))
        .is_none_or(|d| d == joinery_ir::DType::Bool);
    let Some(inner) = ctx
        .defining_op(x)
        .filter(|&i| ctx.name(i) == ctx.name(op) && !touches_references(ctx, i))
    else {
        return false;
    };
    !boolean && replace_by(rewriter, op, ctx.operand(inner, 0))
}

/// The splat element of an `arith.constant`-defined value.
fn splat(ctx: &Context, v: Value) -> Option<DenseScalar> {
    joinery_arith::constant_splat(ctx, ctx.defining_op(v)?)
}

/// Whether `s` is the neutral right operand of `base` (`add`, `sub`, `mul`, `div`) for a
/// result of float (`float`) or integer dtype, bit for bit.
fn is_neutral(base: &str, s: DenseScalar, float: bool) -> bool {
    let (value, negative_zero) = match s {
        DenseScalar::Int(v) => (v as f64, false),
        DenseScalar::Float(f) => (f.0, f.0.to_bits() == (-0.0f64).to_bits()),
        DenseScalar::Bool(b) => (f64::from(u8::from(b)), false),
    };
    match base {
        "mul" | "div" => value == 1.0,
        "sub" => value == 0.0 && !negative_zero,
        "add" => value == 0.0 && (!float || negative_zero),
        _ => false,
    }
}

fn neutral_operand(rewriter: &mut Rewriter<'_>, op: OpId) -> bool {
    let ctx = &*rewriter.ctx;
    let name = ctx.name_str(op);
    let Some((base, overload)) = name.strip_prefix("aten.").and_then(|n| n.split_once('.')) else {
        return false;
    };
    let Some(args) = crate::schema(name).and_then(|s| Args::of_op(ctx, s, op).ok()) else {
        return false;
    };
    if args.has("alpha") && args.opt_f64("alpha") != Some(1.0) {
        return false;
    }
    let Some(dtype) = only_result_type(ctx, op)
        .and_then(|ty| ctx.tensor_parts(ty))
        .and_then(|(_, e)| ctx.dtype_of(e))
    else {
        return false;
    };
    // Booleans: PyTorch refuses `sub` on them, and the rest is no simpler.
    if dtype == joinery_ir::DType::Bool {
        return false;
    }
    let float = dtype.is_float();
    let operands = ctx.operands(op);
    // (the operand kept, the other one's value)
    let mut candidates: Vec<(Value, Option<DenseScalar>)> = Vec::new();
    match (overload, operands) {
        ("Scalar", &[x]) => {
            let s = match args.value("other") {
                crate::ArgValue::Int(v) => Some(DenseScalar::Int(*v)),
                crate::ArgValue::Float(v) => Some(DenseScalar::Float(joinery_ir::FloatBits(*v))),
                crate::ArgValue::Bool(v) => Some(DenseScalar::Bool(*v)),
                _ => None,
            };
            candidates.push((x, s));
        }
        ("Tensor", &[x, y]) => {
            candidates.push((x, splat(ctx, y)));
            if base == "mul" {
                candidates.push((y, splat(ctx, x)));
            }
        }
        _ => {}
    }
    let keeps: Vec<Value> = candidates
        .into_iter()
        .filter(|(_, other)| other.is_some_and(|s| is_neutral(base, s, float)))
        .map(|(keep, _)| keep)
        .collect();
    keeps.into_iter().any(|keep| replace_by(rewriter, op, keep))
}

/// The most elements an operand or a result of a constant-folded op may have: larger
/// constants would cost the native backend more than the op (see the README's
/// constants).
pub const FOLD_LIMIT: u64 = 1024;

/// Evaluates an aten op whose operands are all `arith.constant`s and gives its results as
/// `dense<...>` attributes of the result types, or `None` when it cannot.
pub type ConstantEvaluator = fn(&mut Context, OpId) -> Option<Vec<Attribute>>;

static EVALUATOR: OnceLock<ConstantEvaluator> = OnceLock::new();

/// Attaches the evaluator [`fold`] runs ops through (the interpreter's kernels, which
/// this crate cannot depend on; `joinery-all` attaches them, as MLIR's dialect extensions
/// attach interfaces from other libraries). The first one attached stays.
pub fn set_constant_evaluator(evaluator: ConstantEvaluator) {
    // A second call attaches the same kernels: keeping the first is right.
    let _ = EVALUATOR.set(evaluator);
}

/// The folder of every pure aten op: when all its operands (at least one) are
/// `arith.constant`s and every operand and result is a static tensor of at most
/// [`FOLD_LIMIT`] elements, its results become constants computed by the attached
/// evaluator (nothing folds before one is attached).
pub fn fold(ctx: &mut Context, op: OpId) -> Option<Vec<FoldResult>> {
    let evaluate = *EVALUATOR.get()?;
    let operands = ctx.operands(op);
    let constant = |v: Value| {
        ctx.defining_op(v)
            .is_some_and(|d| ctx.name_str(d) == joinery_arith::CONSTANT_OP.name)
    };
    let small = |v: &Value| {
        static_shape(ctx, ctx.value_type(*v))
            .is_some_and(|s| s.iter().product::<u64>() <= FOLD_LIMIT)
    };
    if operands.is_empty()
        || !operands.iter().all(|&v| constant(v))
        || !operands.iter().chain(ctx.results(op)).all(small)
    {
        return None;
    }
    let values = evaluate(ctx, op)?;
    let results = ctx.results(op);
    let typed = values.len() == results.len()
        && values.iter().zip(results).all(|(&a, &r)| {
            matches!(ctx.attr_data(a), AttrData::DenseElements { ty, .. } if *ty == ctx.value_type(r))
        });
    typed.then(|| values.into_iter().map(FoldResult::Attr).collect())
}

/// The aten dialect's `materialize_constant`: an `arith.constant` holding a `dense<...>`
/// attribute of type `ty`.
pub fn materialize_constant(
    ctx: &mut Context,
    value: Attribute,
    ty: Type,
) -> Option<OperationState> {
    if !matches!(ctx.attr_data(value), AttrData::DenseElements { ty: t, .. } if *t == ty) {
        return None;
    }
    let mut state = OperationState::new(ctx.op_name(joinery_arith::CONSTANT_OP.name));
    state.result_types = vec![ty];
    state.attrs = vec![("value".to_string(), value)];
    Some(state)
}
