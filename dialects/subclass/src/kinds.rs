//! The subclass kinds (types and dispatch rules), the protocol ops and [`Rewrite`], through
//! which dispatch rules emit ops onto inner tensors.

use joinery_aten::{DType, TensorInfo};
use joinery_ir::{
    AsmFormat, AttrParam, Attribute, Builder, Context, Diagnostic, InsertPoint, OpDef, OpId, Span,
    Type, TypeData, TypeDef, Value, ValueDef,
};

/// Rewrites aten op `op` applied to `operands` (some of this kind) onto inner tensors,
/// returning one value per result of the op.
pub type DispatchFn =
    fn(&mut Rewrite<'_>, &str, &[Value], &[(String, Attribute)]) -> Result<Vec<Value>, String>;

/// One tensor-subclass kind: what PyTorch's `__tensor_flatten__`, `__tensor_unflatten__`
/// and `__torch_dispatch__` say for it.
pub struct SubclassKind {
    /// The type name, `two_tensor` for `!subclass.two_tensor<...>`.
    pub name: &'static str,
    /// PyTorch's class name.
    pub python: &'static str,
    /// The inner tensor attributes in `__tensor_flatten__` order; one type parameter each.
    pub attrs: &'static [&'static str],
    /// The tensor the subclass value looks like from outside, given the inner types.
    pub outer: fn(&Context, &[Type]) -> Result<TensorInfo, String>,
    /// The `__torch_dispatch__` rule.
    pub dispatch: DispatchFn,
    /// What PyTorch's gradient of a value of this kind is in terms of its inner tensors.
    pub grad: SubclassGrad,
}

/// What PyTorch's gradient of a subclass value is, in terms of its inner tensors: whether a
/// desugared graph, differentiated piece by piece, gives PyTorch's joint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubclassGrad {
    /// The value of the same kind whose inner tensors are the gradients of the inner
    /// tensors: the dispatch applies every op to each inner tensor alone, so PyTorch's
    /// backward, run on tangents of the same kind, is the desugared graph's backward piece
    /// by piece.
    PerPiece,
    /// Something the gradients of the inner tensors do not determine (why).
    NotPerPiece(&'static str),
}

impl std::fmt::Debug for SubclassKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubclassKind")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// `TwoTensor`: `{a, b}` of one outer shape and dtype; every op runs on `a`s and on `b`s
/// and the results pair up again.
pub static TWO_TENSOR: SubclassKind = SubclassKind {
    name: "two_tensor",
    python: "TwoTensor",
    attrs: &["a", "b"],
    outer: two_tensor_outer,
    dispatch: two_tensor_dispatch,
    grad: SubclassGrad::PerPiece,
};

/// A scaled tensor `{data, scale}` meaning `data.to(scale.dtype) * scale`; ops dequantize.
pub static SCALED: SubclassKind = SubclassKind {
    name: "scaled",
    python: "ScaledTensor",
    attrs: &["data", "scale"],
    outer: scaled_outer,
    dispatch: scaled_dispatch,
    grad: SubclassGrad::NotPerPiece(
        "its dispatch dequantizes (data.to(scale.dtype) * scale) before every op, so PyTorch's \
         gradient is a plain tensor of the outer type, the gradient of the dequantized value, \
         which the gradients of data and scale do not determine",
    ),
};

/// Every kind, by type name.
pub static KINDS: &[&SubclassKind] = &[&TWO_TENSOR, &SCALED];

pub(crate) const TYPE_DEFS: &[TypeDef] = &[
    TypeDef {
        name: "two_tensor",
        summary: "TwoTensor: a pair of same-shaped tensors every op applies to",
        verify: verify_two_tensor,
    },
    TypeDef {
        name: "scaled",
        summary: "A scaled tensor {data, scale} standing for data * scale",
        verify: verify_scaled,
    },
];

fn two_types(params: &[AttrParam], name: &str) -> Result<[Type; 2], String> {
    match params {
        [AttrParam::Type(a), AttrParam::Type(b)] => Ok([*a, *b]),
        _ => Err(format!("!subclass.{name} takes two type parameters")),
    }
}

fn verify_two_tensor(ctx: &Context, params: &[AttrParam]) -> Result<(), String> {
    let [a, b] = two_types(params, "two_tensor")?;
    let (oa, ob) = (outer_type(ctx, a)?, outer_type(ctx, b)?);
    if oa != ob {
        return Err(format!(
            "the halves of a !subclass.two_tensor must look alike, but are {oa} and {ob}"
        ));
    }
    Ok(())
}

fn verify_scaled(ctx: &Context, params: &[AttrParam]) -> Result<(), String> {
    let [d, s] = two_types(params, "scaled")?;
    scaled_outer(ctx, &[d, s]).map(|_| ())
}

fn two_tensor_outer(ctx: &Context, inner: &[Type]) -> Result<TensorInfo, String> {
    outer_type(ctx, inner[0])
}

fn scaled_outer(ctx: &Context, inner: &[Type]) -> Result<TensorInfo, String> {
    let data = TensorInfo::from_type(ctx, inner[0])
        .ok_or("the data of a !subclass.scaled must be a tensor")?;
    let scale = TensorInfo::from_type(ctx, inner[1])
        .ok_or("the scale of a !subclass.scaled must be a tensor")?;
    if !scale.dtype.is_float() {
        return Err(format!(
            "the scale of a !subclass.scaled must be a float tensor, not {scale}"
        ));
    }
    if scale
        .rank()
        .is_some_and(|r| r != 0 && Some(r) != data.rank())
    {
        return Err(format!(
            "the scale {scale} of a !subclass.scaled must be rank 0 or have the data's rank"
        ));
    }
    Ok(TensorInfo {
        shape: data.shape,
        dtype: scale.dtype,
    })
}

/// The kind whose inner tensor attributes are `attrs` (in any order): how the pieces of a
/// desugared value, whose descriptors name attributes but not the class, tell their kind.
pub fn kind_with_attrs(attrs: &[&str]) -> Option<&'static SubclassKind> {
    KINDS
        .iter()
        .copied()
        .find(|k| k.attrs.len() == attrs.len() && k.attrs.iter().all(|a| attrs.contains(a)))
}

/// The kind of a subclass type; `None` for any other type.
pub fn kind_of(ctx: &Context, ty: Type) -> Option<&'static SubclassKind> {
    match ctx.type_data(ty) {
        TypeData::Dialect { dialect, name, .. } if dialect == "subclass" => {
            KINDS.iter().copied().find(|k| k.name == name)
        }
        _ => None,
    }
}

/// The inner types of a subclass type, in attribute order.
pub fn inner_types(ctx: &Context, ty: Type) -> Option<Vec<Type>> {
    kind_of(ctx, ty)?;
    match ctx.type_data(ty) {
        TypeData::Dialect { params, .. } => params
            .iter()
            .map(|p| match p {
                AttrParam::Type(t) => Some(*t),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

/// The tensor a value of type `ty` looks like: `ty` itself for a tensor.
pub fn outer_type(ctx: &Context, ty: Type) -> Result<TensorInfo, String> {
    match kind_of(ctx, ty) {
        Some(kind) => {
            let inner = inner_types(ctx, ty).ok_or_else(|| {
                format!(
                    "!subclass.{} takes {} type parameters",
                    kind.name,
                    kind.attrs.len()
                )
            })?;
            if inner.len() != kind.attrs.len() {
                return Err(format!(
                    "!subclass.{} takes {} type parameters",
                    kind.name,
                    kind.attrs.len()
                ));
            }
            (kind.outer)(ctx, &inner)
        }
        None => TensorInfo::from_type(ctx, ty)
            .ok_or_else(|| "expected a tensor or a !subclass type".to_string()),
    }
}

/// The subclass type of `kind` over `inner` types.
pub fn subclass_type(ctx: &mut Context, kind: &SubclassKind, inner: &[Type]) -> Type {
    ctx.type_of(TypeData::Dialect {
        dialect: "subclass".into(),
        name: kind.name.into(),
        params: inner.iter().map(|&t| AttrParam::Type(t)).collect(),
    })
}

/// `subclass.unflatten`: `__tensor_unflatten__`.
pub const UNFLATTEN_OP: OpDef = OpDef {
    format: AsmFormat::Functional,
    verify: Some(verify_unflatten),
    ..OpDef::new(
        "subclass.unflatten",
        "Builds a subclass value from its inner tensors (__tensor_unflatten__)",
    )
};

/// `subclass.flatten`: `__tensor_flatten__`.
pub const FLATTEN_OP: OpDef = OpDef {
    format: AsmFormat::Functional,
    verify: Some(verify_flatten),
    ..OpDef::new(
        "subclass.flatten",
        "The inner tensors of a subclass value (__tensor_flatten__)",
    )
};

/// `subclass.dispatch`: `__torch_dispatch__`.
pub const DISPATCH_OP: OpDef = OpDef {
    format: AsmFormat::Functional,
    inherent_attrs: &["op"],
    verify: Some(verify_dispatch),
    ..OpDef::new(
        "subclass.dispatch",
        "An aten op applied to subclass values (__torch_dispatch__)",
    )
};

fn types(ctx: &Context, values: &[Value]) -> Vec<Type> {
    values.iter().map(|&v| ctx.value_type(v)).collect()
}

fn verify_unflatten(ctx: &Context, op: OpId) -> Result<(), Diagnostic> {
    match ctx.results(op) {
        [r] if inner_types(ctx, ctx.value_type(*r)) == Some(types(ctx, ctx.operands(op))) => Ok(()),
        _ => Err(Diagnostic::error(
            "'subclass.unflatten' returns one subclass value whose type parameters are its \
             operands' types",
        )),
    }
}

fn verify_flatten(ctx: &Context, op: OpId) -> Result<(), Diagnostic> {
    match ctx.operands(op) {
        [x] if inner_types(ctx, ctx.value_type(*x)) == Some(types(ctx, ctx.results(op))) => Ok(()),
        _ => Err(Diagnostic::error(
            "'subclass.flatten' takes one subclass value and returns its inner tensors, one \
             per type parameter",
        )),
    }
}

fn verify_dispatch(ctx: &Context, op: OpId) -> Result<(), Diagnostic> {
    let Some(name) = ctx.attr(op, "op").and_then(|a| ctx.as_str(a)) else {
        return Err(Diagnostic::error(
            "'subclass.dispatch' requires a string attribute 'op' naming an aten op",
        ));
    };
    if joinery_aten::schema(name).is_none() {
        return Err(Diagnostic::error(format!(
            "'subclass.dispatch': '{name}' is not an op of the aten catalogue"
        )));
    }
    let operands = ctx.operands(op);
    if !operands
        .iter()
        .any(|&v| kind_of(ctx, ctx.value_type(v)).is_some())
    {
        return Err(Diagnostic::error(format!(
            "'subclass.dispatch' of '{name}' has no subclass operand; use '{name}' directly"
        )));
    }
    for &v in operands.iter().chain(ctx.results(op)) {
        outer_type(ctx, ctx.value_type(v)).map_err(Diagnostic::error)?;
    }
    Ok(())
}

/// What a dispatch rule rewrites through: it emits ops before the dispatch op being
/// rewritten.
pub struct Rewrite<'c> {
    /// The IR.
    pub ctx: &'c mut Context,
    /// New ops go right before this op.
    pub anchor: OpId,
    /// The span new ops carry (the dispatch op's).
    pub span: Option<Span>,
}

impl Rewrite<'_> {
    /// The inner values of subclass value `v` (the operands of the `subclass.unflatten`
    /// that made it).
    pub fn inner(&self, v: Value) -> Result<Vec<Value>, String> {
        match self.ctx.value_def(v) {
            ValueDef::OpResult { op, .. } if self.ctx.name_str(op) == UNFLATTEN_OP.name => {
                Ok(self.ctx.operands(op).to_vec())
            }
            _ => Err(
                "a subclass value that 'subclass.unflatten' did not make cannot be taken apart"
                    .into(),
            ),
        }
    }

    /// Applies aten op `op`: directly when no operand is a subclass value, else through
    /// the rule of the first subclass operand's kind.
    pub fn emit(
        &mut self,
        op: &str,
        operands: &[Value],
        attrs: &[(String, Attribute)],
    ) -> Result<Vec<Value>, String> {
        let kind = operands
            .iter()
            .find_map(|&v| kind_of(self.ctx, self.ctx.value_type(v)));
        if let Some(kind) = kind {
            return (kind.dispatch)(self, op, operands, attrs);
        }
        let mut b = Builder::new(self.ctx, InsertPoint::Before(self.anchor));
        let new = joinery_aten::build(&mut b, op, operands, attrs.to_vec())?;
        self.ctx.set_span(new, self.span);
        Ok(self.ctx.results(new).to_vec())
    }

    /// A subclass value of `kind` from inner values (a `subclass.unflatten`).
    pub fn pack(&mut self, kind: &SubclassKind, inner: &[Value]) -> Value {
        let inner_types = types(self.ctx, inner);
        let ty = subclass_type(self.ctx, kind, &inner_types);
        let mut b = Builder::new(self.ctx, InsertPoint::Before(self.anchor));
        let op = b.build(UNFLATTEN_OP.name, inner, &[ty], Vec::new());
        self.ctx.set_span(op, self.span);
        self.ctx.result(op, 0)
    }
}

/// `TwoTensor.__torch_dispatch__`: the op on the `a`s and on the `b`s (other operands
/// shared), results paired.
fn two_tensor_dispatch(
    rw: &mut Rewrite<'_>,
    op: &str,
    operands: &[Value],
    attrs: &[(String, Attribute)],
) -> Result<Vec<Value>, String> {
    let mut halves = Vec::new();
    for k in 0..2 {
        let mut picked = Vec::new();
        for &v in operands {
            if kind_of(rw.ctx, rw.ctx.value_type(v)).is_some_and(|kd| kd.name == TWO_TENSOR.name) {
                picked.push(rw.inner(v)?[k]);
            } else {
                picked.push(v);
            }
        }
        halves.push(rw.emit(op, &picked, attrs)?);
    }
    Ok(halves[0]
        .clone()
        .into_iter()
        .zip(halves[1].clone())
        .map(|(a, b)| rw.pack(&TWO_TENSOR, &[a, b]))
        .collect())
}

/// The scaled tensor's dispatch: every scaled operand becomes `data.to(scale) * scale`.
fn scaled_dispatch(
    rw: &mut Rewrite<'_>,
    op: &str,
    operands: &[Value],
    attrs: &[(String, Attribute)],
) -> Result<Vec<Value>, String> {
    let mut plain = Vec::new();
    for &v in operands {
        if kind_of(rw.ctx, rw.ctx.value_type(v)).is_some_and(|k| k.name == SCALED.name) {
            let inner = rw.inner(v)?;
            let (data, scale) = (inner[0], inner[1]);
            let dtype = TensorInfo::from_type(rw.ctx, rw.ctx.value_type(scale))
                .map_or(DType::F32, |t| t.dtype);
            let element = rw.ctx.dtype_type(dtype);
            let dtype_attr = rw.ctx.type_attr(element);
            let wide = rw.emit("aten._to_copy", &[data], &[("dtype".into(), dtype_attr)])?[0];
            plain.push(rw.emit("aten.mul.Tensor", &[wide, scale], &[])?[0]);
        } else {
            plain.push(v);
        }
    }
    rw.emit(op, &plain, attrs)
}
