//! `canonicalize,cse` never changes a result: on random graphs over the whole catalogue,
//! the interpreter computes the same tensors (bit for bit, signed zeros included) or the
//! same error before and after, and the rewritten function verifies.

use joinery_graphgen::{MAX_OPS, generate_into, graph_seeds};
use joinery_interp::{DType, Tensor};
use joinery_ir::Context;
use joinery_pass::PassManager;

/// The dtype, shape and element bits (in logical order, whatever the memory layout) of
/// each result, or the interpreter's error.
fn run(ctx: &Context, module: joinery_ir::OpId, inputs: &[Tensor]) -> Result<Vec<String>, String> {
    let values =
        joinery_interp::run_function(ctx, module, "f", inputs.to_vec()).map_err(|d| d.message)?;
    Ok(values
        .iter()
        .map(|v| match v.as_tensor() {
            None => "none".to_string(),
            Some(t) => format!("{} {:?}", t.describe(), bits(t)),
        })
        .collect())
}

/// The elements of `t` as bits, `-0.0` and every NaN payload told apart.
fn bits(t: &Tensor) -> Vec<u64> {
    match t.dtype() {
        DType::C64 | DType::C128 => t
            .to_c128()
            .iter()
            .flat_map(|c| [c.re.to_bits(), c.im.to_bits()])
            .collect(),
        DType::Bool => t.to_bool().iter().map(|&b| u64::from(b)).collect(),
        d if d.is_float() => t.to_f64().iter().map(|v| v.to_bits()).collect(),
        _ => t.to_i64().iter().map(|&v| v as u64).collect(),
    }
}

#[test]
fn canonicalize_keeps_results_of_random_graphs() {
    let registry = joinery_all::passes();
    let mut rewritten = 0;
    for index in 0..1000 {
        let mut ctx = Context::new(&joinery_all::DIALECTS);
        let module = ctx.create_module();
        let graph = generate_into(&mut ctx, module, "f", &graph_seeds(11, index, MAX_OPS));
        let before_text = joinery_syntax::print_op(&ctx, module, &Default::default());
        let before = run(&ctx, module, &graph.inputs);
        let mut pm =
            PassManager::parse(&registry, "builtin.module(func.func(canonicalize,cse))").unwrap();
        let outcome = pm.run(&mut ctx, module);
        assert!(outcome.is_ok(), "graph {index}: {outcome:?}\n{before_text}");
        let diags = joinery_ir::verify::verify(&ctx, module);
        assert!(
            diags.is_empty(),
            "graph {index} does not verify after: {diags:?}"
        );
        let after_text = joinery_syntax::print_op(&ctx, module, &Default::default());
        rewritten += usize::from(after_text != before_text);
        let after = run(&ctx, module, &graph.inputs);
        assert_eq!(
            before, after,
            "graph {index} computes differently after canonicalize,cse:\n{before_text}\n{after_text}"
        );
    }
    // The graphs exercise the patterns: about one in five has something to simplify.
    assert!(rewritten > 100, "only {rewritten} of 1000 graphs changed");
}
