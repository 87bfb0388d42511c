//! Descriptor values: attribute round trips, PyTorch's repr and expr(), predicates, and the
//! per-attribute nesting rules.

mod common;

use common::*;
use joinery_aot::{AotInput, AotOutput, DescKind, Descriptor, Direction, py_str_repr};
use joinery_ir::{AttrData, AttrParam, Attribute, Context};

fn sub_attr(base: AotInput, attr: &str) -> AotInput {
    AotInput::SubclassAttr {
        base: Box::new(base),
        attr: attr.into(),
    }
}

/// One example of every descriptor kind, nested where the kind wraps another.
fn every_kind() -> (Vec<AotInput>, Vec<AotOutput>) {
    let inputs = vec![
        param("fc1.weight"),
        buffer("steps"),
        plain(3),
        AotInput::Dummy { idx: 1 },
        AotInput::ViewBase {
            base_of: Box::new(plain(0)),
        },
        AotInput::SyntheticBase {
            base_of: Box::new(plain(1)),
        },
        tangent(mutation(buffer("steps"))),
        sub_attr(tangent(plain_out(0)), "a"),
        AotInput::SubclassSize {
            base: Box::new(sub_attr(plain(2), "inner")),
            idx: 0,
        },
        AotInput::SubclassStride {
            base: Box::new(plain(2)),
            idx: 1,
        },
        AotInput::ForwardToken { idx: 0 },
        AotInput::BackwardToken { idx: 2 },
        AotInput::PhiloxForwardSeed,
        AotInput::PhiloxForwardBaseOffset,
        AotInput::PhiloxBackwardSeed,
        AotInput::PhiloxBackwardBaseOffset,
        AotInput::OpaqueRef { idx: 4 },
    ];
    let outputs = vec![
        plain_out(0),
        mutation(param("w")),
        AotOutput::IntermediateBase {
            base_of: Box::new(plain_out(1)),
        },
        AotOutput::MetadataMutation { idx: 0 },
        grad(AotInput::SyntheticBase {
            base_of: Box::new(plain(0)),
        }),
        none_grad(plain(0)),
        AotOutput::SubclassAttr {
            base: Box::new(grad(plain(2))),
            attr: "a".into(),
        },
        AotOutput::SubclassSize {
            base: Box::new(plain_out(0)),
            idx: 1,
        },
        AotOutput::SubclassStride {
            base: Box::new(plain_out(0)),
            idx: 0,
        },
        AotOutput::ForwardToken { idx: 0 },
        AotOutput::BackwardToken { idx: 0 },
        AotOutput::PhiloxUpdatedForwardOffset,
        AotOutput::PhiloxUpdatedBackwardOffset,
        AotOutput::SavedForBackwards { idx: 0 },
        AotOutput::SavedForBackwardsNoVcCheck { idx: 3 },
        AotOutput::Dummy { idx: 0 },
    ];
    (inputs, outputs)
}

#[test]
fn every_kind_round_trips_through_its_attribute() {
    let mut ctx = Context::new(&[&joinery_aot::AOT_DIALECT]);
    let (inputs, outputs) = every_kind();
    let mut seen = std::collections::HashSet::new();
    for d in &inputs {
        let a = d.to_attr(&mut ctx);
        assert_eq!(AotInput::from_attr(&ctx, a).as_ref(), Ok(d));
        assert_eq!(d.kind().direction(), Direction::Input);
        seen.insert(d.kind());
    }
    for d in &outputs {
        let a = d.to_attr(&mut ctx);
        assert_eq!(AotOutput::from_attr(&ctx, a).as_ref(), Ok(d));
        assert_eq!(d.kind().direction(), Direction::Output);
        seen.insert(d.kind());
    }
    assert_eq!(seen.len(), DescKind::ALL.len(), "every kind is exercised");
    assert_eq!(joinery_aot::AOT_DIALECT.attrs.len(), DescKind::ALL.len());
}

#[test]
fn attributes_have_the_documented_shape() {
    let mut ctx = Context::new(&[&joinery_aot::AOT_DIALECT]);
    let a = grad(param("fc1.weight")).to_attr(&mut ctx);
    let AttrData::Dialect {
        dialect,
        name,
        params,
    } = ctx.attr_data(a).clone()
    else {
        panic!("not a dialect attribute");
    };
    assert_eq!((dialect.as_str(), name.as_str()), ("aot", "grad"));
    let [AttrParam::Attr(inner)] = params[..] else {
        panic!("grad has one attribute parameter");
    };
    let s = ctx.string_attr("fc1.weight");
    assert_eq!(
        ctx.attr_data(inner),
        &AttrData::Dialect {
            dialect: "aot".into(),
            name: "param".into(),
            params: vec![AttrParam::Attr(s)],
        }
    );
    let p = plain(2).to_attr(&mut ctx);
    assert!(
        matches!(ctx.attr_data(p), AttrData::Dialect { params, .. } if params == &[AttrParam::Int(2)])
    );
    let seed = AotInput::PhiloxForwardSeed.to_attr(&mut ctx);
    assert!(
        matches!(ctx.attr_data(seed), AttrData::Dialect { name, params, .. } if name == "philox_fwd_seed" && params.is_empty())
    );
    // Structural equality is interning: the same descriptor is the same attribute.
    assert_eq!(grad(param("fc1.weight")).to_attr(&mut ctx), a);
}

#[test]
fn expr_gives_pytorch_access_paths() {
    let cases: Vec<(String, &str)> = vec![
        (
            param("fc1.weight").expr(),
            "self.get_parameter('fc1.weight')",
        ),
        (buffer("steps").expr(), "self.get_buffer('steps')"),
        (plain(0).expr(), "args[0]"),
        (AotInput::Dummy { idx: 0 }.expr(), "__dummy0"),
        (
            AotInput::ViewBase {
                base_of: Box::new(plain(0)),
            }
            .expr(),
            "args[0]._base",
        ),
        (
            AotInput::SyntheticBase {
                base_of: Box::new(plain(0)),
            }
            .expr(),
            "__make_synthetic_base(args[0])",
        ),
        (tangent(plain_out(0)).expr(), "__output_tangent(output[0])"),
        (sub_attr(plain(2), "a").expr(), "args[2].a"),
        (
            AotInput::SubclassSize {
                base: Box::new(plain(2)),
                idx: 0,
            }
            .expr(),
            "args[2].size(0)",
        ),
        (
            AotInput::SubclassStride {
                base: Box::new(plain(2)),
                idx: 1,
            }
            .expr(),
            "args[2].stride(1)",
        ),
        (AotInput::ForwardToken { idx: 0 }.expr(), "__forward_token0"),
        (
            AotInput::BackwardToken { idx: 0 }.expr(),
            "__backward_token0",
        ),
        (AotInput::PhiloxForwardSeed.expr(), "__philox_forward_seed"),
        (
            AotInput::PhiloxForwardBaseOffset.expr(),
            "__philox_forward_base_offset",
        ),
        (
            AotInput::PhiloxBackwardSeed.expr(),
            "__philox_backward_seed",
        ),
        (
            AotInput::PhiloxBackwardBaseOffset.expr(),
            "__philox_backward_base_offset",
        ),
        (AotInput::OpaqueRef { idx: 0 }.expr(), "__opaque_ref0"),
        (plain_out(0).expr(), "output[0]"),
        (
            mutation(buffer("steps")).expr(),
            "__input_mutation(self.get_buffer('steps'))",
        ),
        (
            AotOutput::IntermediateBase {
                base_of: Box::new(plain_out(1)),
            }
            .expr(),
            "__intermediate_base(output[1])",
        ),
        (
            AotOutput::MetadataMutation { idx: 0 }.expr(),
            "__aliased_arg_with_metadata_mutation0",
        ),
        (
            grad(param("lin.bias")).expr(),
            "__grad(self.get_parameter('lin.bias'))",
        ),
        (none_grad(plain(0)).expr(), "None"),
        (
            AotOutput::SubclassAttr {
                base: Box::new(plain_out(0)),
                attr: "a".into(),
            }
            .expr(),
            "output[0].a",
        ),
        (
            AotOutput::SubclassSize {
                base: Box::new(plain_out(0)),
                idx: 1,
            }
            .expr(),
            "output[0].size(1)",
        ),
        (
            AotOutput::SubclassStride {
                base: Box::new(plain_out(0)),
                idx: 1,
            }
            .expr(),
            "output[0].stride(1)",
        ),
        (
            AotOutput::ForwardToken { idx: 0 }.expr(),
            "__forward_token0",
        ),
        (
            AotOutput::BackwardToken { idx: 1 }.expr(),
            "__backward_token1",
        ),
        (
            AotOutput::PhiloxUpdatedForwardOffset.expr(),
            "__philox_updated_forward_offset",
        ),
        (
            AotOutput::PhiloxUpdatedBackwardOffset.expr(),
            "__philox_updated_backward_offset",
        ),
        (
            AotOutput::SavedForBackwards { idx: 0 }.expr(),
            "__saved_for_backwards_0",
        ),
        (
            AotOutput::SavedForBackwardsNoVcCheck { idx: 3 }.expr(),
            "__saved_for_backwards_no_vc_check_3",
        ),
        (AotOutput::Dummy { idx: 0 }.expr(), "__dummy0"),
    ];
    for (got, want) in cases {
        assert_eq!(got, want);
    }
}

#[test]
fn display_is_pytorch_repr() {
    assert_eq!(
        param("lin.weight").to_string(),
        "ParamAOTInput(target='lin.weight')"
    );
    assert_eq!(plain(0).to_string(), "PlainAOTInput(idx=0)");
    assert_eq!(
        tangent(plain_out(0)).to_string(),
        "TangentAOTInput(output=PlainAOTOutput(idx=0))"
    );
    assert_eq!(
        sub_attr(tangent(plain_out(0)), "a").to_string(),
        "SubclassGetAttrAOTInput(base=TangentAOTInput(output=PlainAOTOutput(idx=0)), attr='a')"
    );
    assert_eq!(
        AotInput::SubclassSize {
            base: Box::new(plain(2)),
            idx: 0
        }
        .to_string(),
        "SubclassSizeAOTInput(base=PlainAOTInput(idx=2), idx=0)"
    );
    assert_eq!(
        AotInput::PhiloxBackwardSeed.to_string(),
        "PhiloxBackwardSeedAOTInput()"
    );
    assert_eq!(
        AotInput::OpaqueRef { idx: 1 }.to_string(),
        "OpaqueRefAOTInput(idx=1)"
    );
    assert_eq!(
        AotInput::ViewBase {
            base_of: Box::new(plain(1))
        }
        .to_string(),
        "ViewBaseAOTInput(base_of=PlainAOTInput(idx=1))"
    );
    assert_eq!(
        mutation(buffer("steps")).to_string(),
        "InputMutationAOTOutput(mutated_input=BufferAOTInput(target='steps'))"
    );
    assert_eq!(
        grad(param("lin.weight")).to_string(),
        "GradAOTOutput(grad_of=ParamAOTInput(target='lin.weight'))"
    );
    assert_eq!(none_grad(plain(0)).to_string(), "None");
    assert_eq!(
        AotOutput::SavedForBackwardsNoVcCheck { idx: 3 }.to_string(),
        "SavedForBackwardsNoVcCheckAOTOutput(idx=3)"
    );
    assert_eq!(
        AotOutput::PhiloxUpdatedForwardOffset.to_string(),
        "PhiloxUpdatedForwardOffsetAOTOutput()"
    );
}

#[test]
fn strings_are_quoted_as_python_repr() {
    assert_eq!(py_str_repr("a.b"), "'a.b'");
    assert_eq!(py_str_repr("it's"), "\"it's\"");
    assert_eq!(py_str_repr("a'b\"c"), "'a\\'b\"c'");
    assert_eq!(py_str_repr("x\\y\n"), "'x\\\\y\\n'");
    assert_eq!(param("it's").expr(), "self.get_parameter(\"it's\")");
}

#[test]
fn predicates_follow_pytorch() {
    assert!(param("w").is_param() && !param("w").is_buffer() && !param("w").is_tangent());
    assert!(buffer("b").is_buffer() && !buffer("b").is_param());
    assert!(tangent(plain_out(0)).is_tangent());
    // Subclass attribute pieces delegate to their base; sizes and strides do not (PyTorch).
    assert!(sub_attr(param("w"), "a").is_param());
    assert!(sub_attr(sub_attr(buffer("b"), "a"), "b").is_buffer());
    assert!(sub_attr(tangent(plain_out(0)), "a").is_tangent());
    assert!(
        !AotInput::SubclassSize {
            base: Box::new(param("w")),
            idx: 0
        }
        .is_param()
    );
    // Folded into a view base, a parameter no longer says it is one.
    assert!(
        !AotInput::ViewBase {
            base_of: Box::new(param("w"))
        }
        .is_param()
    );
    assert!(grad(param("w")).is_grad());
    assert!(
        AotOutput::SubclassAttr {
            base: Box::new(grad(plain(0))),
            attr: "a".into()
        }
        .is_grad()
    );
    assert!(!none_grad(plain(0)).is_grad());
    assert!(!plain_out(0).is_grad());

    let (inputs, outputs) = every_kind();
    let diff_in: Vec<String> = inputs
        .iter()
        .filter(|d| d.is_differentiable())
        .map(|d| d.kind().attr_name().to_string())
        .collect();
    assert_eq!(
        diff_in,
        [
            "param",
            "buffer",
            "plain",
            "view_base",
            "synthetic_base",
            "tangent"
        ]
    );
    let diff_out: Vec<String> = outputs
        .iter()
        .filter(|d| d.is_differentiable())
        .map(|d| d.kind().attr_name().to_string())
        .collect();
    assert_eq!(
        diff_out,
        [
            "plain_out",
            "input_mutation",
            "intermediate_base",
            "metadata_mutation",
            "grad"
        ]
    );
}

#[test]
fn descriptors_hash_structurally() {
    let mut set = std::collections::HashSet::new();
    set.insert(grad(param("w")));
    assert!(set.contains(&grad(param("w"))));
    assert!(!set.contains(&grad(param("v"))));
    assert!(!set.contains(&none_grad(param("w"))));
}

/// `#aot.<name><params>` built raw, bypassing the typed constructors.
fn raw(ctx: &mut Context, name: &str, params: Vec<AttrParam>) -> Attribute {
    ctx.attr_of(AttrData::Dialect {
        dialect: "aot".into(),
        name: name.into(),
        params,
    })
}

/// Decoding `attr` fails with a message containing `needle`.
#[track_caller]
fn rejects(ctx: &Context, attr: Attribute, needle: &str) {
    let err = Descriptor::from_attr(ctx, attr).unwrap_err();
    assert!(err.contains(needle), "expected {needle:?} in {err:?}");
}

#[test]
fn nesting_and_parameter_errors() {
    let mut ctx = Context::new(&[&joinery_aot::AOT_DIALECT]);
    let p0 = plain(0).to_attr(&mut ctx);
    let sub = sub_attr(plain(0), "a").to_attr(&mut ctx);
    let out0 = plain_out(0).to_attr(&mut ctx);
    let tan = tangent(plain_out(0)).to_attr(&mut ctx);
    let g = grad(param("w")).to_attr(&mut ctx);
    let tok = AotInput::ForwardToken { idx: 0 }.to_attr(&mut ctx);
    let dummy = AotInput::Dummy { idx: 0 }.to_attr(&mut ctx);
    let saved = AotOutput::SavedForBackwards { idx: 0 }.to_attr(&mut ctx);
    let none = none_grad(plain(0)).to_attr(&mut ctx);
    let s = ctx.string_attr("a");
    let i64_attr = ctx.integer_attr(0, 64);
    use AttrParam::{Attr, Int};

    let a = raw(&mut ctx, "grad", vec![Attr(sub)]);
    rejects(
        &ctx,
        a,
        "#aot.grad cannot wrap subclass piece #aot.subclass_attr",
    );
    let out_sub = raw_out_sub(&mut ctx, out0);
    let a = raw(&mut ctx, "tangent", vec![Attr(out_sub)]);
    rejects(
        &ctx,
        a,
        "#aot.tangent cannot wrap subclass piece #aot.subclass_attr_out",
    );
    let a = raw(&mut ctx, "grad", vec![Attr(out0)]);
    rejects(
        &ctx,
        a,
        "#aot.grad wraps an input descriptor, but #aot.plain_out is an output descriptor",
    );
    let a = raw(&mut ctx, "tangent", vec![Attr(p0)]);
    rejects(
        &ctx,
        a,
        "#aot.tangent wraps an output descriptor, but #aot.plain is an input descriptor",
    );
    let a = raw(&mut ctx, "grad", vec![Attr(dummy)]);
    rejects(
        &ctx,
        a,
        "#aot.grad requires a differentiable input descriptor, but #aot.dummy is not differentiable",
    );
    let a = raw(&mut ctx, "grad", vec![Attr(tok)]);
    rejects(&ctx, a, "#aot.forward_token is not differentiable");
    let a = raw(&mut ctx, "tangent", vec![Attr(saved)]);
    rejects(
        &ctx,
        a,
        "#aot.tangent requires a differentiable output descriptor",
    );
    let a = raw(&mut ctx, "grad", vec![Attr(tan)]);
    rejects(
        &ctx,
        a,
        "#aot.grad cannot wrap #aot.tangent: descriptors nest in pipeline order",
    );
    let a = raw(&mut ctx, "tangent", vec![Attr(g)]);
    rejects(&ctx, a, "#aot.tangent cannot wrap #aot.grad");
    let a = raw(&mut ctx, "input_mutation", vec![Attr(tan)]);
    rejects(&ctx, a, "#aot.input_mutation cannot wrap #aot.tangent");
    let vb = raw(&mut ctx, "view_base", vec![Attr(p0)]);
    let a = raw(&mut ctx, "view_base", vec![Attr(vb)]);
    rejects(&ctx, a, "#aot.view_base cannot wrap #aot.view_base");
    let a = raw(&mut ctx, "subclass_attr", vec![Attr(tok), Attr(s)]);
    rejects(
        &ctx,
        a,
        "subclass pieces wrap only descriptors of stages 1-4",
    );
    let a = raw(&mut ctx, "subclass_size", vec![Attr(tan), Int(0)]);
    rejects(&ctx, a, "#aot.subclass_size of a tangent");
    let tan_sub = raw(&mut ctx, "subclass_attr", vec![Attr(tan), Attr(s)]);
    let a = raw(&mut ctx, "subclass_stride", vec![Attr(tan_sub), Int(0)]);
    rejects(&ctx, a, "#aot.subclass_stride of a tangent");
    let a = raw(&mut ctx, "subclass_attr_out", vec![Attr(none), Attr(s)]);
    rejects(&ctx, a, "a None gradient slot has no pieces");
    let a = raw(&mut ctx, "param", vec![]);
    rejects(
        &ctx,
        a,
        "#aot.param takes 1 parameter, as in #aot.param<\"target\">, but has 0",
    );
    let a = raw(&mut ctx, "philox_fwd_seed", vec![Int(0)]);
    rejects(&ctx, a, "#aot.philox_fwd_seed takes 0 parameters");
    let a = raw(&mut ctx, "param", vec![Int(0)]);
    rejects(&ctx, a, "parameter 1 of #aot.param must be a string");
    let a = raw(&mut ctx, "plain", vec![Attr(i64_attr)]);
    rejects(
        &ctx,
        a,
        "parameter 1 of #aot.plain must be a bare non-negative integer",
    );
    let a = raw(&mut ctx, "plain", vec![Int(-1)]);
    rejects(&ctx, a, "must be a bare non-negative integer");
    let a = raw(&mut ctx, "grad", vec![Attr(s)]);
    rejects(
        &ctx,
        a,
        "parameter 1 of #aot.grad must be an input descriptor",
    );
    let a = raw(&mut ctx, "subclass_attr", vec![Attr(p0), Int(1)]);
    rejects(
        &ctx,
        a,
        "parameter 2 of #aot.subclass_attr must be a string",
    );
    // Nested problems are found by decoding too.
    let bad = raw(&mut ctx, "plain", vec![Int(-3)]);
    let a = raw(&mut ctx, "grad", vec![Attr(bad)]);
    rejects(&ctx, a, "parameter 1 of #aot.plain");
    let unknown = raw(&mut ctx, "nonsense", vec![]);
    rejects(&ctx, unknown, "expected an #aot descriptor attribute");
    // Direction-specific decoding.
    assert!(
        AotInput::from_attr(&ctx, g)
            .unwrap_err()
            .contains("expected an input descriptor")
    );
    assert!(
        AotOutput::from_attr(&ctx, p0)
            .unwrap_err()
            .contains("expected an output descriptor")
    );
}

fn raw_out_sub(ctx: &mut Context, base: Attribute) -> Attribute {
    let s = ctx.string_attr("a");
    raw(
        ctx,
        "subclass_attr_out",
        vec![AttrParam::Attr(base), AttrParam::Attr(s)],
    )
}

#[test]
fn valid_deep_nesting_decodes() {
    let mut ctx = Context::new(&[&joinery_aot::AOT_DIALECT]);
    // SubclassGetAttrAOTInput(TangentAOTInput(PlainAOTOutput(0)), 'a'), from descriptors.md §1.
    let d = sub_attr(tangent(plain_out(0)), "a");
    let a = d.to_attr(&mut ctx);
    assert_eq!(AotInput::from_attr(&ctx, a), Ok(d));
    // A gradient of a synthetic base, and a mutation of a view base.
    let d = mutation(AotInput::ViewBase {
        base_of: Box::new(param("w")),
    });
    let a = d.to_attr(&mut ctx);
    assert_eq!(AotOutput::from_attr(&ctx, a), Ok(d));
}
