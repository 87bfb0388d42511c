//! Schema parsing and the attribute API the interpreter reads.

mod common;
use common::{A, attrs, context, tensor};
use joinery_aten::schema::parse_schema;
use joinery_aten::{ArgKind, ArgValue, DType, DefaultValue, attr_or_default, operand_group};
use joinery_ir::{Builder, InsertPoint};

#[test]
fn parses_arguments_kinds_defaults_and_kwarg_only() {
    let s =
        parse_schema("add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor").unwrap();
    assert_eq!(s.op_name(), "aten.add.Tensor");
    let names: Vec<&str> = s.args.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["self", "other", "alpha"]);
    let alpha = s.arg("alpha").unwrap();
    assert_eq!(alpha.kind, ArgKind::Scalar);
    assert!(alpha.kwarg_only && !s.arg("other").unwrap().kwarg_only);
    assert_eq!(alpha.default, Some(DefaultValue::Int(1)));
    assert_eq!(s.returns.len(), 1);
    assert!(!s.is_mutating() && !s.returns_alias());
}

#[test]
fn parses_optional_lists_and_fixed_lengths() {
    let s = parse_schema(
        "sum.dim_IntList(Tensor self, int[1]? dim, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor",
    )
    .unwrap();
    let dim = s.arg("dim").unwrap();
    assert_eq!(
        (dim.kind, dim.optional, dim.default.clone()),
        (ArgKind::IntList(Some(1)), true, None)
    );
    assert!(!dim.is_required());
    assert_eq!(
        s.arg("keepdim").unwrap().default,
        Some(DefaultValue::Bool(false))
    );
    assert_eq!(s.arg("dtype").unwrap().default, Some(DefaultValue::None));
    let p = parse_schema(
        "max_pool2d_with_indices(Tensor self, int[2] kernel_size, int[2] stride=[], int[2] padding=0, int[2] dilation=1, bool ceil_mode=False) -> (Tensor, Tensor)",
    )
    .unwrap();
    assert_eq!(
        p.arg("padding").unwrap().default,
        Some(DefaultValue::IntList(vec![0, 0]))
    );
    assert_eq!(
        p.arg("stride").unwrap().default,
        Some(DefaultValue::IntList(vec![]))
    );
    assert!(p.arg("kernel_size").unwrap().is_required());
    assert_eq!(p.returns.len(), 2);
}

#[test]
fn parses_alias_annotations_and_list_returns() {
    let s = parse_schema(
        "split_with_sizes(Tensor(a -> *) self, SymInt[] split_sizes, int dim=0) -> Tensor(a)[]",
    )
    .unwrap();
    assert_eq!(s.arg("self").unwrap().alias.as_ref().unwrap().set, "a");
    assert_eq!(s.arg("split_sizes").unwrap().kind, ArgKind::IntList(None));
    assert!(s.returns[0].is_list && s.returns_alias());
    let m = parse_schema("index_put_(Tensor(a!) self, Tensor?[] indices, Tensor values, bool accumulate=False) -> Tensor(a!)").unwrap();
    assert!(m.is_mutating());
    assert_eq!(m.arg("indices").unwrap().kind, ArgKind::OptionalTensorList);
    let named = parse_schema(
        "max.dim(Tensor self, int dim, bool keepdim=False) -> (Tensor values, Tensor indices)",
    )
    .unwrap();
    let names: Vec<_> = named
        .returns
        .iter()
        .map(|r| r.name.clone().unwrap())
        .collect();
    assert_eq!(names, ["values", "indices"]);
    let norm = parse_schema("nll_loss_forward(Tensor self, Tensor target, Tensor? weight, int reduction=Mean, SymInt ignore_index=-100) -> (Tensor output, Tensor total_weight)").unwrap();
    assert_eq!(
        norm.arg("reduction").unwrap().default,
        Some(DefaultValue::Int(1))
    );
    assert_eq!(
        norm.arg("ignore_index").unwrap().default,
        Some(DefaultValue::Int(-100))
    );
    assert!(norm.arg("weight").unwrap().optional);
}

#[test]
fn parses_string_and_float_defaults() {
    let g = parse_schema("gelu(Tensor self, *, str approximate='none') -> Tensor").unwrap();
    assert_eq!(
        g.arg("approximate").unwrap().default,
        Some(DefaultValue::Str("none".into()))
    );
    let b = parse_schema(
        "bernoulli.p(Tensor self, float p=0.5, *, Generator? generator=None) -> Tensor",
    )
    .unwrap();
    assert_eq!(b.arg("p").unwrap().default, Some(DefaultValue::Float(0.5)));
    assert_eq!(b.arg("generator").unwrap().kind, ArgKind::Generator);
    let d =
        parse_schema("f(Tensor self, ScalarType dtype=long, float eps=1e-05) -> Tensor").unwrap();
    assert_eq!(
        d.arg("eps").unwrap().default,
        Some(DefaultValue::Float(1e-5))
    );
    assert_eq!(
        d.arg("dtype").unwrap().default,
        Some(DefaultValue::Str("long".into()))
    );
    assert_eq!(d.op_name(), "aten.f");
}

#[test]
fn rejects_malformed_schemas() {
    for (text, needle) in [
        ("add.Tensor(Tensor self", "unbalanced"),
        ("add(Tensor self) Tensor", "no `->`"),
        ("add(Tensor) -> Tensor", "has no name"),
        ("add(Widget self) -> Tensor", "unsupported type `Widget`"),
        (
            "add(Tensor self, Tensor self) -> Tensor",
            "duplicate argument",
        ),
        ("add(int x=abc) -> Tensor", "bad default `abc` for int"),
        ("add(Tensor self) -> int[]", "unsupported return type"),
        ("add(Tensor self) -> SymInt?", "unsupported return type"),
        ("a-b(Tensor self) -> Tensor", "bad op name"),
    ] {
        let e = parse_schema(text).unwrap_err();
        assert!(e.contains(needle), "{text}: {e}");
    }
}

#[test]
fn attr_or_default_reads_attributes_and_schema_defaults() {
    let mut ctx = context();
    let x = tensor(&mut ctx, "4x2xf32");
    let r = tensor(&mut ctx, "4xf32");
    let block = ctx.create_block(&[x]);
    let arg = ctx.block_args(block)[0];
    let a = attrs(&mut ctx, &[("dim", A::Is(&[1])), ("dtype", A::Dt("f64"))]);
    let op = Builder::new(&mut ctx, InsertPoint::End(block)).build(
        "aten.sum.dim_IntList",
        &[arg],
        &[r],
        a,
    );
    assert_eq!(
        attr_or_default(&ctx, op, "dim"),
        Ok(ArgValue::IntList(vec![1]))
    );
    assert_eq!(
        attr_or_default(&ctx, op, "keepdim"),
        Ok(ArgValue::Bool(false))
    );
    assert_eq!(
        attr_or_default(&ctx, op, "dtype"),
        Ok(ArgValue::DType(DType::F64))
    );
    assert!(
        attr_or_default(&ctx, op, "self")
            .unwrap_err()
            .contains("tensor argument")
    );
    assert!(
        attr_or_default(&ctx, op, "nope")
            .unwrap_err()
            .contains("has no argument 'nope'")
    );
    assert_eq!(operand_group(&ctx, op, "self"), Ok(vec![arg]));

    let a = attrs(&mut ctx, &[("normalized_shape", A::Is(&[2]))]);
    let ln = Builder::new(&mut ctx, InsertPoint::End(block)).build(
        "aten.native_layer_norm",
        &[arg],
        &[x, r, r],
        a,
    );
    assert!(
        attr_or_default(&ctx, ln, "eps")
            .unwrap_err()
            .contains("requires attribute 'eps' (float)")
    );
    assert_eq!(operand_group(&ctx, ln, "weight"), Ok(vec![]));

    let a = attrs(&mut ctx, &[("p", A::F(0.25))]);
    let drop = Builder::new(&mut ctx, InsertPoint::End(block)).build(
        "aten.native_dropout",
        &[arg],
        &[x, x],
        a,
    );
    assert_eq!(attr_or_default(&ctx, drop, "train"), Ok(ArgValue::None));
    assert_eq!(
        attr_or_default(&ctx, drop, "p").unwrap().as_f64(),
        Some(0.25)
    );
}

#[test]
fn operand_groups_follow_segment_sizes() {
    let mut ctx = context();
    let x = tensor(&mut ctx, "2x8xf32");
    let w = tensor(&mut ctx, "8xf32");
    let s = tensor(&mut ctx, "2x1xf32");
    let block = ctx.create_block(&[x, w]);
    let (input, weight) = (ctx.block_args(block)[0], ctx.block_args(block)[1]);
    let a = attrs(
        &mut ctx,
        &[
            ("normalized_shape", A::Is(&[8])),
            ("eps", A::F(1e-5)),
            ("operandSegmentSizes", A::Is(&[1, 0, 1])),
        ],
    );
    let op = Builder::new(&mut ctx, InsertPoint::End(block)).build(
        "aten.native_layer_norm",
        &[input, weight],
        &[x, s, s],
        a,
    );
    assert_eq!(operand_group(&ctx, op, "weight"), Ok(vec![]));
    assert_eq!(operand_group(&ctx, op, "bias"), Ok(vec![weight]));
    let groups = joinery_aten::operand_groups(&ctx, op).unwrap();
    let names: Vec<&str> = groups.iter().map(|(a, _)| a.name.as_str()).collect();
    assert_eq!(names, ["input", "weight", "bias"]);
    assert!(joinery_aten::infer_op(&ctx, op).is_ok());
}
