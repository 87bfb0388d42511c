//! Mutable tensor references: the L0 model of PyTorch's in-place ops and views.
//!
//! A builtin `tensor<...>` is a *value*: immutable, without identity. At L0 a program may
//! also hold `!aten.ref<tensor<4xf32>>`, a *tensor object* as in eager PyTorch: a view (its
//! shape) onto a storage that ops may write, so that two references alias when they share
//! a storage. This is torch-mlir's `!torch.tensor` (reference) versus `!torch.vtensor`
//! (value) split. The meaning of an aten op with references:
//!
//! - a reference operand is *read*: the op sees its contents at that point of the program,
//!   except the operands an op writes (`Tensor(a!)` in its schema), which must be
//!   references and whose storage the op updates;
//! - a reference result of a view op (`Tensor(a) self -> Tensor(a)`) whose aliased operand
//!   is a reference is a new view onto that operand's storage; the result of an in-place op
//!   that returns its written operand (`-> Tensor(a!)`) is that operand again; any other
//!   reference result is a fresh storage holding the op's result;
//! - a value result is the op's result at that point (a snapshot).
//!
//! Two ops convert explicitly: [`TO_VALUE_OP`] (`aten.ref_to_value`, "copy out": the
//! current contents) and [`TO_REF_OP`] (`aten.value_to_ref`, "copy in": a fresh storage
//! holding a copy). Function arguments of reference type are distinct storages (aliased
//! inputs are merged into one base before capture, as PyTorch's synthetic bases do).
//! `aot-functionalize` (crate `joinery-functionalize`) rewrites a function with references
//! into one with values only (level L1).

use joinery_ir::{AsmFormat, AttrParam, Context, Diagnostic, OpDef, OpId, Type, TypeData, TypeDef};

/// The dialect-type name of references: `!aten.ref<T>`.
pub const REF_TYPE_NAME: &str = "ref";

/// `!aten.ref<tensor<...>>`: a mutable tensor object over a tensor value type.
pub const REF_TYPE: TypeDef = TypeDef {
    name: REF_TYPE_NAME,
    summary: "A mutable tensor object (L0): a view onto a storage that in-place ops write",
    verify: verify_ref_params,
};

fn verify_ref_params(ctx: &Context, params: &[AttrParam]) -> Result<(), String> {
    match params {
        [AttrParam::Type(t)] if ctx.is_tensor(*t) => Ok(()),
        _ => {
            Err("!aten.ref takes one tensor type parameter, as in !aten.ref<tensor<4xf32>>".into())
        }
    }
}

/// `!aten.ref<value>` for a tensor value type.
pub fn ref_type(ctx: &mut Context, value: Type) -> Type {
    ctx.type_of(TypeData::Dialect {
        dialect: "aten".into(),
        name: REF_TYPE_NAME.into(),
        params: vec![AttrParam::Type(value)],
    })
}

/// The value type a reference type refers to; `None` when `ty` is not `!aten.ref<...>`.
pub fn referent(ctx: &Context, ty: Type) -> Option<Type> {
    match ctx.type_data(ty) {
        TypeData::Dialect {
            dialect,
            name,
            params,
        } if dialect == "aten" && name == REF_TYPE_NAME => match params.as_slice() {
            [AttrParam::Type(t)] => Some(*t),
            _ => None,
        },
        _ => None,
    }
}

/// Whether `ty` is a reference type.
pub fn is_ref(ctx: &Context, ty: Type) -> bool {
    referent(ctx, ty).is_some()
}

/// Whether an operand or result of `op` is an `!aten.ref` (a tensor that may be written).
pub fn touches_references(ctx: &Context, op: OpId) -> bool {
    ctx.operands(op)
        .iter()
        .chain(ctx.results(op))
        .any(|&v| is_ref(ctx, ctx.value_type(v)))
}

/// The first op under `root` (in walk order) that [`touches_references`].
pub fn first_reference_op(ctx: &Context, root: OpId) -> Option<OpId> {
    ctx.walk(root)
        .into_iter()
        .find(|&op| touches_references(ctx, op))
}

/// The error of `consumer` (the interpreter, the native backend), which runs value code
/// only, at `op`, which works on references: it names the op and says to functionalize
/// first.
pub fn references_refused(ctx: &Context, op: OpId, consumer: &str) -> Diagnostic {
    Diagnostic::error(format!(
        "'{}' works on references (!aten.ref: L0 code of in-place and out= ops), and {consumer} \
         runs values only: functionalize first (joinery-opt --aot-functionalize; joinery-run \
         does it when it loads a module)",
        ctx.name_str(op)
    ))
    .with_span(ctx.span(op))
}

/// `ty` itself for a value type, its referent for a reference type.
pub fn value_type(ctx: &Context, ty: Type) -> Type {
    referent(ctx, ty).unwrap_or(ty)
}

/// `aten.ref_to_value`: the current contents of a reference, as a value.
pub const TO_VALUE_OP: OpDef = OpDef {
    format: AsmFormat::Functional,
    verify: Some(verify_to_value),
    ..OpDef::new(
        "aten.ref_to_value",
        "Copies the current contents of a tensor reference out into a value",
    )
};

/// `aten.value_to_ref`: a fresh storage initialized with a copy of a value.
pub const TO_REF_OP: OpDef = OpDef {
    format: AsmFormat::Functional,
    verify: Some(verify_to_ref),
    ..OpDef::new(
        "aten.value_to_ref",
        "Copies a tensor value into a fresh mutable tensor reference",
    )
};

fn one_to_one(ctx: &Context, op: OpId) -> Option<(Type, Type)> {
    match (ctx.operands(op), ctx.results(op)) {
        ([a], [r]) => Some((ctx.value_type(*a), ctx.value_type(*r))),
        _ => None,
    }
}

fn verify_to_value(ctx: &Context, op: OpId) -> Result<(), Diagnostic> {
    match one_to_one(ctx, op) {
        Some((from, to)) if referent(ctx, from) == Some(to) => Ok(()),
        _ => Err(Diagnostic::error(
            "'aten.ref_to_value' takes one !aten.ref<T> and returns one T",
        )),
    }
}

fn verify_to_ref(ctx: &Context, op: OpId) -> Result<(), Diagnostic> {
    match one_to_one(ctx, op) {
        Some((from, to)) if ctx.is_tensor(from) && referent(ctx, to) == Some(from) => Ok(()),
        _ => Err(Diagnostic::error(
            "'aten.value_to_ref' takes one tensor T and returns one !aten.ref<T>",
        )),
    }
}
