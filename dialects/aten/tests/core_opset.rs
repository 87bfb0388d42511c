//! The Core ATen opset: every overload PyTorch tags `torch.Tag.core` (listed with its
//! schema in `core_aten_ops.txt` by `gen_core_aten_ops.py`) is in the catalogue with
//! PyTorch's schema verbatim, except the ops of [`NOT_YET`]. The test fails when a core op
//! is missing that is not on that list, and when a listed op has been added (so the list
//! only shrinks).

/// Core ops not in the catalogue yet, by IR name: none today; an op PyTorch adds to its
/// core set goes here until its kernels are written.
const NOT_YET: &[&str] = &[];

/// `(IR name, schema)` of every core op of `core_aten_ops.txt`.
fn core_ops() -> Vec<(String, &'static str)> {
    include_str!("../core_aten_ops.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|schema| {
            let name = schema.split('(').next().unwrap();
            let name = name.strip_suffix(".default").unwrap_or(name);
            (format!("aten.{name}"), schema)
        })
        .collect()
}

#[test]
fn the_catalogue_holds_every_core_op_with_pytorchs_schema() {
    let core = core_ops();
    assert!(core.len() > 180, "{} core ops", core.len());
    let mut problems = Vec::new();
    for (name, schema) in &core {
        let listed = NOT_YET.contains(&name.as_str());
        match (joinery_aten::entry(name), listed) {
            (None, false) => problems.push(format!("{name} is missing: {schema}")),
            (Some(_), true) => problems.push(format!("{name} is in: remove it from NOT_YET")),
            (Some(e), false) if e.schema != *schema => problems.push(format!(
                "{name}: the catalogue says\n    {}\n  PyTorch says\n    {schema}",
                e.schema
            )),
            _ => {}
        }
    }
    for name in NOT_YET {
        if !core.iter().any(|(n, _)| n == name) {
            problems.push(format!("{name} of NOT_YET is not a core op"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
