//! The generator's contract: graphs verify, the same seeds give the same graph, and the
//! ops drawn cover most of the catalogue.

use joinery_graphgen::{MAX_OPS, eligible_ops, generate_into, graph_seeds};
use joinery_ir::Context;

fn context() -> Context {
    Context::new(&[
        &joinery_func::FUNC_DIALECT,
        &joinery_arith::ARITH_DIALECT,
        &joinery_aot::AOT_DIALECT,
        &joinery_aten::ATEN_DIALECT,
    ])
}

/// Graph `index` of seed 7, printed, and the ops it holds.
fn text(index: u64) -> (String, Vec<String>) {
    let mut ctx = context();
    let module = ctx.create_module();
    let g = generate_into(&mut ctx, module, "f", &graph_seeds(7, index, MAX_OPS));
    let diags = joinery_ir::verify::verify(&ctx, module);
    assert!(diags.is_empty(), "graph {index} does not verify: {diags:?}");
    let ops = g.ops().iter().map(|s| s.to_string()).collect();
    (
        joinery_syntax::print_op(&ctx, module, &Default::default()),
        ops,
    )
}

#[test]
fn graphs_verify_and_are_deterministic() {
    let mut seen = std::collections::BTreeSet::new();
    for index in 0..400 {
        let (a, ops) = text(index);
        assert!(a.contains("func.func @f("), "graph {index}:\n{a}");
        assert_eq!(a, text(index).0, "graph {index} differs between two runs");
        seen.extend(ops);
    }
    let eligible = eligible_ops().len();
    assert!(
        seen.len() * 2 > eligible,
        "400 graphs drew {} of {eligible} eligible ops",
        seen.len()
    );
}
