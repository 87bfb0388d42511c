//! The Core ATen opset: every overload PyTorch tags `torch.Tag.core` (listed with its
//! schema in `core_aten_ops.txt` by `gen_core_aten_ops.py`) is in the catalogue with
//! PyTorch's schema verbatim, except the ops of [`NOT_YET`]. The test fails when a core op
//! is missing that is not on that list, and when a listed op has been added (so the list
//! only shrinks).

/// Core ops not in the catalogue yet, by IR name.
const NOT_YET: &[&str] = &[
    // Results that are not tensors (a Scalar or SymInt): no aten op result can hold one.
    "aten._local_scalar_dense",
    "aten.sym_numel",
    "aten.sym_size.int",
    "aten.sym_storage_offset",
    "aten.sym_stride.int",
    // An `out=` overload: it writes its `out` argument, which functionalization would
    // have to rewrite first.
    "aten.atan2.out",
    // A result shape that depends on the values (`nonzero`), or a random permutation.
    "aten.nonzero",
    "aten.randperm",
    // Kernels not written yet.
    "aten._adaptive_avg_pool3d",
    "aten._cdist_forward",
    "aten._pdist_forward",
    "aten.avg_pool3d",
    "aten.col2im",
    "aten.grid_sampler_2d",
    "aten.max_pool3d_with_indices",
];

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
