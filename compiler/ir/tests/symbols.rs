//! Symbol lookup follows every change to a symbol table: ops placed, erased, moved out,
//! renamed, and a block's cached analyses are recomputed after such a change.

use joinery_ir::{BlockId, Builder, Context, InsertPoint, OpId};

fn module_with(names: &[&str]) -> (Context, OpId, BlockId, Vec<OpId>) {
    let mut ctx = Context::new(&[]);
    ctx.allow_unregistered = true;
    let module = ctx.create_module();
    let body = ctx.body_block(module).expect("module body");
    let mut ops = Vec::new();
    for name in names {
        let sym = ctx.string_attr(*name);
        let mut b = Builder::new(&mut ctx, InsertPoint::End(body));
        ops.push(b.build("t.sym", &[], &[], vec![("sym_name".into(), sym)]));
    }
    (ctx, module, body, ops)
}

#[test]
fn lookup_finds_each_symbol_and_nothing_else() {
    let (ctx, module, _, ops) = module_with(&["a", "b", "c"]);
    assert_eq!(ctx.lookup_symbol(module, "a"), Some(ops[0]));
    assert_eq!(ctx.lookup_symbol(module, "c"), Some(ops[2]));
    assert_eq!(ctx.lookup_symbol(module, "d"), None);
}

#[test]
fn lookup_follows_erase_detach_rename_and_new_ops() {
    let (mut ctx, module, body, ops) = module_with(&["a", "b"]);
    ctx.erase_op(ops[0]);
    assert_eq!(ctx.lookup_symbol(module, "a"), None);
    ctx.detach_op(ops[1]);
    assert_eq!(ctx.lookup_symbol(module, "b"), None);
    ctx.append_op(body, ops[1]);
    assert_eq!(ctx.lookup_symbol(module, "b"), Some(ops[1]));
    let renamed = ctx.string_attr("renamed");
    ctx.set_attr(ops[1], "sym_name", renamed);
    assert_eq!(ctx.lookup_symbol(module, "b"), None);
    assert_eq!(ctx.lookup_symbol(module, "renamed"), Some(ops[1]));
    ctx.remove_attr(ops[1], "sym_name");
    assert_eq!(ctx.lookup_symbol(module, "renamed"), None);
    let sym = ctx.string_attr("late");
    let late = Builder::new(&mut ctx, InsertPoint::End(body)).build(
        "t.sym",
        &[],
        &[],
        vec![("sym_name".into(), sym)],
    );
    assert_eq!(ctx.lookup_symbol(module, "late"), Some(late));
}

#[test]
fn a_symbol_defined_twice_is_found_until_both_are_gone() {
    let (mut ctx, module, _, ops) = module_with(&["x", "x"]);
    assert!(ops.contains(&ctx.lookup_symbol(module, "x").expect("defined")));
    ctx.erase_op(ops[0]);
    assert_eq!(ctx.lookup_symbol(module, "x"), Some(ops[1]));
    ctx.erase_op(ops[1]);
    assert_eq!(ctx.lookup_symbol(module, "x"), None);
}

/// How many `t.sym` ops a block holds: an analysis for the cache test.
struct SymCount(usize);

#[test]
fn block_analysis_is_reused_until_the_block_changes() {
    let (mut ctx, _, body, ops) = module_with(&["a", "b"]);
    let count = |ctx: &Context, block| SymCount(ctx.block_ops(block).count());
    let first = ctx.block_analysis(body, count);
    assert_eq!(first.0, 2);
    let again = ctx.block_analysis(body, |_, _| SymCount(usize::MAX));
    assert!(
        std::sync::Arc::ptr_eq(&first, &again),
        "unchanged block: cached"
    );
    ctx.erase_op(ops[0]);
    assert_eq!(ctx.block_analysis(body, count).0, 1);
    let other = ctx.string_attr("other");
    ctx.set_attr(ops[1], "note", other);
    let rebuilt = ctx.block_analysis(body, |_, _| SymCount(7));
    assert_eq!(rebuilt.0, 7, "an attribute change invalidates the analysis");
}
