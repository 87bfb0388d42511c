//! Shared helpers: compact tensor types (`"4x?xf32"`, `"f32"` for rank 0, `"*xf32"`) and
//! attribute values for building aten ops in tests.
#![allow(dead_code)] // each test binary uses its own subset of the helpers

use joinery_ir::{Attribute, Context, Dim, FloatKind, Type, TypeData};

/// An attribute value to attach to a test op.
#[derive(Clone, Copy, Debug)]
pub enum A {
    I(i64),
    Is(&'static [i64]),
    F(f64),
    B(bool),
    Bs(&'static [bool]),
    Dt(&'static str),
    S(&'static str),
}

/// A context with the aten dialect.
pub fn context() -> Context {
    Context::new(&[&joinery_aten::ATEN_DIALECT])
}

/// The element type named `f32`, `i64`, `i1`, ...
pub fn element(ctx: &mut Context, name: &str) -> Type {
    match name {
        "f16" => ctx.float_type(FloatKind::F16),
        "bf16" => ctx.float_type(FloatKind::BF16),
        "f32" => ctx.float_type(FloatKind::F32),
        "f64" => ctx.float_type(FloatKind::F64),
        n => ctx.integer_type(n.trim_start_matches('i').parse().expect("element type")),
    }
}

/// `"4x?xf32"` → `tensor<4x?xf32>`; `"f32"` → `tensor<f32>`; `"*xf32"` → unranked.
pub fn tensor(ctx: &mut Context, spec: &str) -> Type {
    let mut parts: Vec<&str> = spec.split('x').collect();
    let elem = element(ctx, parts.pop().unwrap());
    if parts == ["*"] {
        return ctx.type_of(TypeData::UnrankedTensor { element: elem });
    }
    let shape = parts
        .iter()
        .map(|p| match *p {
            "?" => Dim::Dynamic,
            n => Dim::Static(n.parse().expect("dim")),
        })
        .collect();
    ctx.tensor_type(shape, elem)
}

/// Interns an attribute value.
pub fn attr(ctx: &mut Context, a: A) -> Attribute {
    match a {
        A::I(v) => ctx.integer_attr(v, 64),
        A::Is(v) => {
            let items = v.iter().map(|&x| ctx.integer_attr(x, 64)).collect();
            ctx.array_attr(items)
        }
        A::F(v) => {
            let f64_ty = ctx.float_type(FloatKind::F64);
            ctx.float_attr(v, f64_ty)
        }
        A::B(b) => ctx.bool_attr(b),
        A::Bs(v) => {
            let items = v.iter().map(|&x| ctx.bool_attr(x)).collect();
            ctx.array_attr(items)
        }
        A::Dt(name) => {
            let ty = element(ctx, name);
            ctx.type_attr(ty)
        }
        A::S(s) => ctx.string_attr(s),
    }
}

/// Named attributes, interned.
pub fn attrs(ctx: &mut Context, list: &[(&str, A)]) -> Vec<(String, Attribute)> {
    list.iter()
        .map(|&(k, a)| (k.to_string(), attr(ctx, a)))
        .collect()
}

/// Infers `op` over operands of the given type specs; results print as `tensor<...>`.
pub fn infer(op: &str, operands: &[&str], list: &[(&str, A)]) -> Result<Vec<String>, String> {
    let mut ctx = context();
    let types: Vec<Type> = operands.iter().map(|s| tensor(&mut ctx, s)).collect();
    let attrs = attrs(&mut ctx, list);
    joinery_aten::infer_types(
        &ctx,
        op,
        &types,
        attrs.iter().map(|(k, v)| (k.as_str(), *v)),
    )
    .map(|r| r.iter().map(ToString::to_string).collect())
}

/// Asserts that inference gives exactly `expected` result types.
#[track_caller]
pub fn ok(op: &str, operands: &[&str], list: &[(&str, A)], expected: &[&str]) {
    match infer(op, operands, list) {
        Ok(got) => assert_eq!(got, expected, "{op} {operands:?}"),
        Err(e) => panic!("{op} {operands:?}: unexpected error: {e}"),
    }
}

/// Asserts that inference fails with a message containing `needle`.
#[track_caller]
pub fn err(op: &str, operands: &[&str], list: &[(&str, A)], needle: &str) {
    match infer(op, operands, list) {
        Ok(got) => panic!("{op} {operands:?}: expected an error, inferred {got:?}"),
        Err(e) => assert!(e.contains(needle), "{op}: error `{e}` lacks `{needle}`"),
    }
}
