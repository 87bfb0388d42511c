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
