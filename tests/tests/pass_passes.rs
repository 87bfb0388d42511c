//! The generic passes on small IR built with the builder.

#[path = "pass_common/mod.rs"]
mod common;

use common::*;
use joinery_ir::{Context, OpId};
use joinery_pass::{PassManager, PassRegistry, register_generic_passes};

fn run(ctx: &mut Context, module: OpId, pipeline: &str) -> Vec<joinery_ir::Diagnostic> {
    let mut registry = PassRegistry::new();
    register_generic_passes(&mut registry);
    let mut pm = PassManager::parse(&registry, pipeline).unwrap();
    pm.run(ctx, module)
        .unwrap_or_else(|e| panic!("{pipeline} failed: {e:?}"))
}

fn statistics(ctx: &mut Context, module: OpId, pipeline: &str) -> String {
    let mut registry = PassRegistry::new();
    register_generic_passes(&mut registry);
    let mut pm = PassManager::parse(&registry, pipeline).unwrap();
    pm.run(ctx, module).unwrap();
    pm.statistics_report()
}

#[test]
fn cse_merges_equal_pure_ops_but_not_effects() {
    let mut ctx = context();
    let module = ctx.create_module();
    let i64 = i64_type(&mut ctx);
    let (_, b) = add_func(
        &mut ctx,
        module,
        "f",
        &[i64, i64],
        &[i64, i64, i64, i64],
        false,
    );
    let (x, y) = (ctx.block_args(b)[0], ctx.block_args(b)[1]);
    let s1 = op1(&mut ctx, b, "test.sub", &[x, y]);
    let s2 = op1(&mut ctx, b, "test.sub", &[x, y]);
    let s3 = op1(&mut ctx, b, "test.sub", &[y, x]);
    let e1 = op1(&mut ctx, b, "test.effect", &[x]);
    let e2 = op1(&mut ctx, b, "test.effect", &[x]);
    let r = ret(&mut ctx, b, &[s1, s2, s3, e1]);
    let _ = e2;
    let stats = statistics(&mut ctx, module, "builtin.module(cse)");
    assert_eq!(
        op_names(&ctx, b),
        [
            "test.sub",
            "test.sub",
            "test.effect",
            "test.effect",
            "func.return"
        ]
    );
    let operands = ctx.operands(r).to_vec();
    assert_eq!(operands[0], operands[1], "equal subs merged");
    assert_ne!(operands[0], operands[2], "sub is not commutative");
    assert!(
        stats.contains("CSE\n  (S) 1 num-cse'd - Number of operations CSE'd\n"),
        "{stats}"
    );
}

#[test]
fn cse_ignores_operand_order_of_commutative_ops() {
    let mut ctx = context();
    let module = ctx.create_module();
    let i64 = i64_type(&mut ctx);
    let (_, b) = add_func(&mut ctx, module, "f", &[i64, i64], &[i64, i64], false);
    let (x, y) = (ctx.block_args(b)[0], ctx.block_args(b)[1]);
    let a1 = op1(&mut ctx, b, "test.add", &[x, y]);
    let a2 = op1(&mut ctx, b, "test.add", &[y, x]);
    let r = ret(&mut ctx, b, &[a1, a2]);
    run(&mut ctx, module, "builtin.module(func.func(cse))");
    assert_eq!(ctx.operand(r, 0), ctx.operand(r, 1));
    assert_eq!(op_names(&ctx, b), ["test.add", "func.return"]);
}

#[test]
fn cse_scopes_follow_regions() {
    let mut ctx = context();
    let module = ctx.create_module();
    let i64 = i64_type(&mut ctx);
    let (_, b) = add_func(&mut ctx, module, "f", &[i64], &[i64], false);
    let x = ctx.block_args(b)[0];
    let outer = op1(&mut ctx, b, "test.neg", &[x]);
    // A nested region sees `outer`: its copy goes.
    let (_, scope) = region_op(&mut ctx, b, "test.scope");
    let inner = op1(&mut ctx, scope, "test.neg", &[x]);
    op1(&mut ctx, scope, "test.effect", &[inner]);
    let only_inner = op1(&mut ctx, scope, "test.sub", &[x, x]);
    op1(&mut ctx, scope, "test.effect", &[only_inner]);
    // A sibling region does not see the first region's ops.
    let (_, scope2) = region_op(&mut ctx, b, "test.scope");
    let sibling = op1(&mut ctx, scope2, "test.sub", &[x, x]);
    op1(&mut ctx, scope2, "test.effect", &[sibling]);
    // An isolated region sees nothing from above (its constant stays).
    let (_, iso) = region_op(&mut ctx, b, "test.isolated");
    let c_in = constant(&mut ctx, iso, 7);
    op1(&mut ctx, iso, "test.effect", &[c_in]);
    // Values defined in a region are not visible after it.
    let after = op1(&mut ctx, b, "test.sub", &[x, x]);
    let c_out = constant(&mut ctx, b, 7);
    let sum = op1(&mut ctx, b, "test.add", &[outer, after]);
    let sum2 = op1(&mut ctx, b, "test.add", &[sum, c_out]);
    ret(&mut ctx, b, &[sum2]);
    run(&mut ctx, module, "builtin.module(cse)");
    assert_eq!(
        op_names(&ctx, scope),
        ["test.effect", "test.sub", "test.effect"]
    );
    assert_eq!(ctx.operand(ctx.first_op(scope).unwrap(), 0), outer);
    assert_eq!(op_names(&ctx, scope2), ["test.sub", "test.effect"]);
    assert_eq!(op_names(&ctx, iso), ["test.constant", "test.effect"]);
    assert_eq!(
        op_names(&ctx, b),
        [
            "test.neg",
            "test.scope",
            "test.scope",
            "test.isolated",
            "test.sub",
            "test.constant",
            "test.add",
            "test.add",
            "func.return"
        ]
    );
}

#[test]
fn canonicalize_folds_applies_patterns_and_erases_dead_ops() {
    let mut ctx = context();
    let module = ctx.create_module();
    let i64 = i64_type(&mut ctx);
    let (_, b) = add_func(&mut ctx, module, "f", &[i64], &[i64, i64, i64], false);
    let x = ctx.block_args(b)[0];
    let c2 = constant(&mut ctx, b, 2);
    let c3 = constant(&mut ctx, b, 3);
    let c5 = op1(&mut ctx, b, "test.add", &[c2, c3]); // 2 + 3 ==> 5
    let zero = constant(&mut ctx, b, 0);
    let same = op1(&mut ctx, b, "test.add", &[x, zero]); // x + 0 ==> x
    let n1 = op1(&mut ctx, b, "test.neg", &[x]);
    let n2 = op1(&mut ctx, b, "test.neg", &[n1]); // -(-x) ==> x
    let dead = op1(&mut ctx, b, "test.sub", &[x, x]);
    op1(&mut ctx, b, "test.neg", &[dead]); // dead chain
    op1(&mut ctx, b, "test.effect", &[x]); // kept: has effects
    let r = ret(&mut ctx, b, &[c5, same, n2]);
    let stats = statistics(&mut ctx, module, "builtin.module(canonicalize)");
    assert_eq!(
        op_names(&ctx, b),
        ["test.constant", "test.effect", "func.return"]
    );
    let folded = ctx.defining_op(ctx.operand(r, 0)).unwrap();
    assert_eq!(ctx.as_i64(ctx.attr(folded, "value").unwrap()), Some(5));
    assert_eq!(ctx.operand(r, 1), x);
    assert_eq!(ctx.operand(r, 2), x);
    assert!(stats.contains("(S) 1 num-rewrites"), "{stats}");
    assert!(stats.contains("(S) 2 num-folded"), "{stats}");
}

#[test]
fn canonicalize_respects_disabled_patterns() {
    let mut ctx = context();
    let module = ctx.create_module();
    let i64 = i64_type(&mut ctx);
    let (_, b) = add_func(&mut ctx, module, "f", &[i64], &[i64], false);
    let x = ctx.block_args(b)[0];
    let n1 = op1(&mut ctx, b, "test.neg", &[x]);
    let n2 = op1(&mut ctx, b, "test.neg", &[n1]);
    ret(&mut ctx, b, &[n2]);
    run(
        &mut ctx,
        module,
        "builtin.module(canonicalize{disable-patterns=neg-neg})",
    );
    assert_eq!(op_names(&ctx, b), ["test.neg", "test.neg", "func.return"]);
}

#[test]
fn canonicalize_warns_when_it_does_not_converge() {
    let mut ctx = context();
    let module = ctx.create_module();
    let i64 = i64_type(&mut ctx);
    let (_, b) = add_func(&mut ctx, module, "f", &[i64], &[i64], false);
    let x = ctx.block_args(b)[0];
    let n1 = op1(&mut ctx, b, "test.neg", &[x]);
    let n2 = op1(&mut ctx, b, "test.neg", &[n1]);
    ret(&mut ctx, b, &[n2]);
    let warnings = run(
        &mut ctx,
        module,
        "builtin.module(canonicalize{max-iterations=1})",
    );
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].severity, joinery_ir::Severity::Warning);
    assert_eq!(
        warnings[0].message,
        "canonicalization did not converge within 1 iterations"
    );
    let mut registry = PassRegistry::new();
    register_generic_passes(&mut registry);
    let mut ctx = context();
    let module = ctx.create_module();
    let (_, b) = add_func(&mut ctx, module, "f", &[i64], &[i64], false);
    let x = ctx.block_args(b)[0];
    let n1 = op1(&mut ctx, b, "test.neg", &[x]);
    let n2 = op1(&mut ctx, b, "test.neg", &[n1]);
    ret(&mut ctx, b, &[n2]);
    let mut pm = PassManager::parse(
        &registry,
        "builtin.module(canonicalize{max-iterations=1 test-convergence})",
    )
    .unwrap();
    let errors = pm.run(&mut ctx, module).unwrap_err();
    assert!(errors[0].is_error());
}

#[test]
fn dce_erases_dead_pure_chains_only() {
    let mut ctx = context();
    let module = ctx.create_module();
    let i64 = i64_type(&mut ctx);
    let (_, b) = add_func(&mut ctx, module, "f", &[i64], &[i64], false);
    let x = ctx.block_args(b)[0];
    let a = op1(&mut ctx, b, "test.neg", &[x]);
    let (_, scope) = region_op(&mut ctx, b, "test.scope");
    let inner = op1(&mut ctx, scope, "test.sub", &[a, x]);
    op1(&mut ctx, scope, "test.neg", &[inner]);
    op1(&mut ctx, b, "test.effect", &[x]);
    let live = op1(&mut ctx, b, "test.sub", &[x, x]);
    ret(&mut ctx, b, &[live]);
    let stats = statistics(&mut ctx, module, "builtin.module(dce)");
    assert!(op_names(&ctx, scope).is_empty());
    assert_eq!(
        op_names(&ctx, b),
        ["test.scope", "test.effect", "test.sub", "func.return"]
    );
    assert!(stats.contains("(S) 3 num-erased"), "{stats}");
}

#[test]
fn symbol_dce_keeps_public_and_referenced_symbols() {
    let mut ctx = context();
    let module = ctx.create_module();
    let i64 = i64_type(&mut ctx);
    let (_, main) = add_func(&mut ctx, module, "main", &[i64], &[i64], false);
    let (_, used) = add_func(&mut ctx, module, "used", &[i64], &[i64], true);
    let (_, transitively) = add_func(&mut ctx, module, "transitively", &[i64], &[i64], true);
    let (_, dead) = add_func(&mut ctx, module, "dead", &[i64], &[i64], true);
    let (_, dead_caller) = add_func(&mut ctx, module, "dead_caller", &[i64], &[i64], true);
    let (by_attr, _) = add_func(&mut ctx, module, "by_attr", &[], &[], true);
    let _ = by_attr;
    add_func(&mut ctx, module, "public_unused", &[], &[], false);
    let x = ctx.block_args(main)[0];
    let c = call(&mut ctx, main, "used", &[x], &[i64]);
    let y = ctx.result(c, 0);
    // A reference nested in an array of a dictionary keeps @by_attr.
    let sym = ctx.symbol_ref_attr("by_attr");
    let arr = ctx.array_attr(vec![sym]);
    let dict = ctx.dictionary_attr(vec![("refs".into(), arr)]);
    let e = at_end(&mut ctx, main).build("test.effect", &[y], &[i64], vec![("meta".into(), dict)]);
    let z = ctx.result(e, 0);
    ret(&mut ctx, main, &[z]);
    for (block, callee) in [(used, "transitively"), (dead_caller, "dead")] {
        let a = ctx.block_args(block)[0];
        let c = call(&mut ctx, block, callee, &[a], &[i64]);
        let r = ctx.result(c, 0);
        ret(&mut ctx, block, &[r]);
    }
    for block in [transitively, dead] {
        let a = ctx.block_args(block)[0];
        ret(&mut ctx, block, &[a]);
    }
    let by_attr_body = ctx.body_block(by_attr).unwrap();
    ret(&mut ctx, by_attr_body, &[]);
    let public_body = ctx
        .body_block(ctx.lookup_symbol(module, "public_unused").unwrap())
        .unwrap();
    ret(&mut ctx, public_body, &[]);
    let stats = statistics(&mut ctx, module, "builtin.module(symbol-dce)");
    assert_eq!(
        symbols(&ctx, module),
        ["main", "used", "transitively", "by_attr", "public_unused"]
    );
    assert!(stats.contains("(S) 2 num-dce'd"), "{stats}");
}

#[test]
fn symbol_dce_needs_a_symbol_table() {
    let mut ctx = context();
    let module = ctx.create_module();
    let (f, b) = add_func(&mut ctx, module, "f", &[], &[], false);
    ret(&mut ctx, b, &[]);
    let mut registry = PassRegistry::new();
    register_generic_passes(&mut registry);
    let mut pm = PassManager::parse(&registry, "func.func(symbol-dce)").unwrap();
    let errors = pm.run(&mut ctx, f).unwrap_err();
    assert_eq!(
        errors[0].message,
        "'func.func' was scheduled to run under symbol-dce, but does not define a symbol table"
    );
}

/// `@main(x) = @twice(x)`, `@twice(x) = @inc(@inc(x))`, `@inc(x) = x + 1`, `@rec` calls
/// itself and is called from main.
fn call_graph(ctx: &mut Context, private: bool) -> (OpId, joinery_ir::BlockId) {
    let module = ctx.create_module();
    let i64 = i64_type(ctx);
    let (_, main) = add_func(ctx, module, "main", &[i64], &[i64, i64], false);
    let (_, twice) = add_func(ctx, module, "twice", &[i64], &[i64], private);
    let (_, inc) = add_func(ctx, module, "inc", &[i64], &[i64], private);
    let (_, rec) = add_func(ctx, module, "rec", &[i64], &[i64], true);
    let x = ctx.block_args(main)[0];
    let c = call(ctx, main, "twice", &[x], &[i64]);
    let r1 = ctx.result(c, 0);
    let c = call(ctx, main, "rec", &[x], &[i64]);
    let r2 = ctx.result(c, 0);
    ret(ctx, main, &[r1, r2]);
    let a = ctx.block_args(twice)[0];
    let c = call(ctx, twice, "inc", &[a], &[i64]);
    let t = ctx.result(c, 0);
    let c = call(ctx, twice, "inc", &[t], &[i64]);
    let t = ctx.result(c, 0);
    ret(ctx, twice, &[t]);
    let a = ctx.block_args(inc)[0];
    let one = constant(ctx, inc, 1);
    let s = op1(ctx, inc, "test.add", &[a, one]);
    ret(ctx, inc, &[s]);
    let a = ctx.block_args(rec)[0];
    let c = call(ctx, rec, "rec", &[a], &[i64]);
    let t = ctx.result(c, 0);
    ret(ctx, rec, &[t]);
    (module, main)
}

#[test]
fn inline_replaces_calls_and_erases_dead_private_callees() {
    let mut ctx = context();
    let (module, main) = call_graph(&mut ctx, true);
    let stats = statistics(&mut ctx, module, "builtin.module(inline)");
    assert_eq!(
        op_names(&ctx, main),
        [
            "test.constant",
            "test.add",
            "test.constant",
            "test.add",
            "func.call",
            "func.return"
        ]
    );
    let r = ctx.last_op(main).unwrap();
    let x = ctx.block_args(main)[0];
    let second = ctx.defining_op(ctx.operand(r, 0)).unwrap();
    let first = ctx.defining_op(ctx.operand(second, 0)).unwrap();
    assert_eq!(
        ctx.operand(first, 0),
        x,
        "arguments are mapped to call operands"
    );
    assert_eq!(
        symbols(&ctx, module),
        ["main", "rec"],
        "recursive @rec is not inlined"
    );
    assert!(stats.contains("(S) 2 num-erased-callees"), "{stats}");
    assert!(stats.contains("(S) 3 num-inlined-calls"), "{stats}");
}

#[test]
fn inline_keeps_public_callees_and_honours_its_option() {
    let mut ctx = context();
    let (module, _) = call_graph(&mut ctx, false);
    run(&mut ctx, module, "builtin.module(inline)");
    assert_eq!(symbols(&ctx, module), ["main", "twice", "inc", "rec"]);
    let mut ctx = context();
    let (module, main) = call_graph(&mut ctx, true);
    run(
        &mut ctx,
        module,
        "builtin.module(inline{remove-dead-callees=false})",
    );
    assert_eq!(symbols(&ctx, module), ["main", "twice", "inc", "rec"]);
    assert_eq!(
        op_names(&ctx, main)
            .iter()
            .filter(|n| *n == "func.call")
            .count(),
        1
    );
}

#[test]
fn inline_flattens_a_call_chain_of_any_depth_and_keeps_mutual_recursion() {
    // @f0 -> @f1 -> ... -> @f{DEPTH-1} (each returns what its callee returns; the last one
    // adds 1), and @f0 also calls @even, which calls @odd, which calls @even again.
    const DEPTH: usize = 30_000;
    let mut ctx = context();
    let module = ctx.create_module();
    let i64 = i64_type(&mut ctx);
    let blocks: Vec<_> = (0..DEPTH)
        .map(|i| {
            add_func(
                &mut ctx,
                module,
                &format!("f{i}"),
                &[i64],
                &[i64, i64],
                i > 0,
            )
            .1
        })
        .collect();
    let (_, even) = add_func(&mut ctx, module, "even", &[i64], &[i64], true);
    let (_, odd) = add_func(&mut ctx, module, "odd", &[i64], &[i64], true);
    for (i, &b) in blocks.iter().enumerate() {
        let x = ctx.block_args(b)[0];
        let r = match blocks.get(i + 1) {
            Some(_) => {
                let c = call(&mut ctx, b, &format!("f{}", i + 1), &[x], &[i64, i64]);
                [ctx.result(c, 0), ctx.result(c, 1)]
            }
            None => {
                let one = constant(&mut ctx, b, 1);
                let s = op1(&mut ctx, b, "test.add", &[x, one]);
                let c = call(&mut ctx, b, "even", &[s], &[i64]);
                [s, ctx.result(c, 0)]
            }
        };
        ret(&mut ctx, b, &r);
    }
    for (from, to) in [(even, "odd"), (odd, "even")] {
        let x = ctx.block_args(from)[0];
        let c = call(&mut ctx, from, to, &[x], &[i64]);
        let r = ctx.result(c, 0);
        ret(&mut ctx, from, &[r]);
    }
    let stats = statistics(&mut ctx, module, "builtin.module(inline)");
    assert_eq!(
        op_names(&ctx, blocks[0]),
        ["test.constant", "test.add", "func.call", "func.return"],
        "the whole chain is inlined into @f0; the call into the cycle stays"
    );
    assert_eq!(symbols(&ctx, module), ["f0", "even", "odd"]);
    assert!(
        stats.contains(&format!("(S) {} num-inlined-calls", DEPTH - 1)),
        "{stats}"
    );
}
