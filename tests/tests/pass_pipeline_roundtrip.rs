//! Property: printing any pipeline and parsing the text back gives the same pipeline.

use joinery_pass::{Pipeline, PipelineElement, RawOption, parse_pipeline};
use proptest::prelude::*;

fn name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{0,4}(-[a-z0-9]{1,4}){0,2}"
}

fn value() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        "[a-z0-9.,-]{0,6}".prop_map(Some),
        "[a-z ,=]{0,6}".prop_map(|s| Some(format!("\"{s}\""))),
        "[a-z ]{0,4}(\"[a-z ]{0,3}\")?".prop_map(|s| Some(format!("{{{s}}}"))),
    ]
}

fn element() -> impl Strategy<Value = PipelineElement> {
    let pass = (name(), prop::collection::vec((name(), value()), 0..3)).prop_map(|(n, opts)| {
        PipelineElement::Pass {
            name: n,
            options: opts
                .into_iter()
                .map(|(key, value)| RawOption { key, value })
                .collect(),
        }
    });
    pass.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            inner.clone(),
            (anchor(), prop::collection::vec(inner, 0..4)).prop_map(|(anchor, elements)| {
                PipelineElement::Nested(Pipeline { anchor, elements })
            }),
        ]
    })
}

fn anchor() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("any".to_string()),
        "[a-z]{1,5}\\.[a-z_]{1,5}".prop_map(|s| s)
    ]
}

proptest! {
    #[test]
    fn print_then_parse_is_identity(anchor in anchor(), elements in prop::collection::vec(element(), 0..4)) {
        let p = Pipeline { anchor, elements };
        let text = p.to_string();
        let parsed = parse_pipeline(&text).map_err(|d| TestCaseError::fail(format!("{text}: {}", d.message)))?;
        prop_assert_eq!(&parsed, &p);
        prop_assert_eq!(parsed.to_string(), text);
    }
}
