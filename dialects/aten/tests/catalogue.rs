//! The catalogue as a whole: every schema parses, names and attributes line up with the
//! generated `OpDef`s, and traits follow the schema's mutability.

use joinery_aten::{ATEN_DIALECT, ArgKind, OPS, schema, schemas};
use joinery_ir::Traits;

#[test]
fn every_op_has_a_schema_with_its_name() {
    assert_eq!(OPS.len(), schemas().len());
    for (def, s) in OPS.iter().zip(schemas()) {
        assert_eq!(def.name, s.op_name());
        assert!(std::ptr::eq(schema(def.name).unwrap(), s));
        assert_eq!(def.dialect(), "aten");
    }
    assert!(ATEN_DIALECT.ops.len() > 100, "{}", ATEN_DIALECT.ops.len());
}

#[test]
fn inherent_attrs_are_the_non_tensor_arguments() {
    for (def, s) in OPS.iter().zip(schemas()) {
        for a in s.attr_args() {
            assert!(
                def.inherent_attrs.contains(&a.name.as_str()),
                "{} {}",
                def.name,
                a.name
            );
        }
        assert_eq!(
            def.inherent_attrs.contains(&"operandSegmentSizes"),
            s.has_variadic_groups(),
            "{}",
            def.name
        );
    }
}

#[test]
fn mutating_ops_are_not_pure_and_functional_ones_mostly_are() {
    for (def, s) in OPS.iter().zip(schemas()) {
        if s.is_mutating() {
            assert!(!def.traits.contains(Traits::PURE), "{}", def.name);
        }
    }
    for name in ["aten.add.Tensor", "aten.view", "aten.native_layer_norm"] {
        assert!(joinery_aten::is_pure(name), "{name}");
    }
    for name in [
        "aten.add_.Tensor",
        "aten.copy_",
        "aten.native_dropout",
        "aten.index_put_",
    ] {
        assert!(!joinery_aten::is_pure(name), "{name}");
    }
}

#[test]
fn default_overload_has_no_suffix() {
    assert!(schema("aten.addmm").is_some());
    assert!(schema("aten.addmm.default").is_none());
    let s = schema("aten.sum.dim_IntList").unwrap();
    assert_eq!(
        (s.name.as_str(), s.overload.as_str()),
        ("sum", "dim_IntList")
    );
    assert_eq!(s.arg("dim").unwrap().kind, ArgKind::IntList(Some(1)));
}

/// The base names (`aten.<base>.<overload>`) of the catalogue ops carrying `flag`.
fn bases_with(flag: joinery_aten::AtenTraits) -> std::collections::BTreeSet<String> {
    OPS.iter()
        .filter(|d| joinery_aten::aten_traits(d.name).contains(flag))
        .map(|d| {
            d.name["aten.".len()..]
                .split('.')
                .next()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn partitioner_traits_follow_pytorchs_op_lists() {
    use joinery_aten::AtenTraits;
    // `view_ops` of `get_default_op_list` in torch/_functorch/partitioners.py (transpose
    // added: core ATen decomposes it to permute, a view op).
    let views = [
        "squeeze",
        "unsqueeze",
        "alias",
        "view",
        "slice",
        "t",
        "expand",
        "as_strided",
        "permute",
        "select",
        "split",
        "transpose",
    ];
    assert_eq!(
        bases_with(AtenTraits::VIEW),
        views.iter().map(|s| s.to_string()).collect()
    );
    let compute = bases_with(AtenTraits::COMPUTE_INTENSIVE);
    let pytorch_compute = [
        "mm",
        "convolution",
        "convolution_backward",
        "bmm",
        "addmm",
        "_scaled_dot_product_flash_attention",
        "_scaled_dot_product_efficient_attention",
        "_flash_attention_forward",
        "_efficient_attention_forward",
        "upsample_bilinear2d",
        "_scaled_mm",
    ];
    for c in &compute {
        assert!(pytorch_compute.contains(&c.as_str()), "{c}");
    }
    for c in ["mm", "bmm", "addmm", "convolution", "convolution_backward"] {
        assert!(compute.contains(c), "{c}");
    }
    for def in OPS.iter() {
        let t = joinery_aten::aten_traits(def.name);
        let pure = def.traits.contains(Traits::PURE);
        assert!(!(t.contains(AtenTraits::RANDOM) && pure), "{}", def.name);
        assert!(
            !t.contains(AtenTraits::RECOMPUTABLE) || pure,
            "{}",
            def.name
        );
        if pure && def.traits.contains(Traits::ELEMENTWISE) {
            assert!(t.contains(AtenTraits::RECOMPUTABLE), "{}", def.name);
        }
    }
    assert!(joinery_aten::aten_traits("aten.native_dropout").contains(AtenTraits::RANDOM));
    assert!(joinery_aten::aten_traits("aten.cat").contains(AtenTraits::CONCAT));
    assert!(joinery_aten::aten_traits("aten.sum").contains(AtenTraits::RECOMPUTABLE));
    assert!(!joinery_aten::aten_traits("aten.mm").contains(AtenTraits::RECOMPUTABLE));
}
