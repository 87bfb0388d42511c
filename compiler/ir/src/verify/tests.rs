use super::{Verifier, verify, verify_with_workers};
use crate::attributes::{AttrData, AttrParam, Attribute};
use crate::builder::{Builder, InsertPoint};
use crate::context::Context;
use crate::diagnostics::Diagnostic;
use crate::dialect::{AttrDef, AttrSite, Dialect, OpDef, Traits, TypeDef};
use crate::location::{FileId, Span};
use crate::operation::{BlockId, Link, OpId, OperationState, Value};
use crate::types::{Type, TypeData};

fn reject_bad_attr(ctx: &Context, op: OpId) -> Result<(), Diagnostic> {
    match ctx.attr(op, "bad") {
        Some(_) => Err(Diagnostic::error("'test.checked' op must not carry 'bad'")),
        None => Ok(()),
    }
}

fn one_int_param(_: &Context, params: &[AttrParam]) -> Result<(), String> {
    match params {
        [AttrParam::Int(_)] => Ok(()),
        _ => Err("expected one integer parameter".into()),
    }
}

fn no_params(_: &Context, params: &[AttrParam]) -> Result<(), String> {
    if params.is_empty() {
        Ok(())
    } else {
        Err("takes no parameters".into())
    }
}

fn check_test_attr(
    _: &Context,
    _: OpId,
    site: AttrSite,
    name: &str,
    _: Attribute,
) -> Result<(), Diagnostic> {
    if name == "test.bad" {
        Err(Diagnostic::error(format!(
            "'test.bad' rejected at {site:?}"
        )))
    } else {
        Ok(())
    }
}

fn check_invariants(ctx: &Context, op: OpId, out: &mut Vec<Diagnostic>) {
    if ctx.attr(op, "test.broken_invariant").is_some() {
        out.push(Diagnostic::error("invariant broken"));
        out.push(Diagnostic::error("invariant broken again"));
    }
}

static TEST_DIALECT: Dialect = Dialect {
    ops: &[
        OpDef::new("test.op", "Anything; regions are CFG regions"),
        OpDef {
            traits: Traits::TERMINATOR,
            ..OpDef::new("test.term", "A terminator, may branch")
        },
        OpDef {
            traits: Traits::SAME_OPERANDS_AND_RESULT_TYPE,
            ..OpDef::new("test.same", "Operands and results share a type")
        },
        OpDef {
            traits: Traits::ISOLATED_FROM_ABOVE.union(Traits::NO_TERMINATOR),
            ..OpDef::new("test.isolated", "Sees nothing from above")
        },
        OpDef {
            traits: Traits::NO_TERMINATOR,
            ..OpDef::new("test.graph", "Holds a graph region")
        },
        OpDef {
            traits: Traits::SINGLE_BLOCK,
            ..OpDef::new("test.single", "One block per region")
        },
        OpDef {
            traits: Traits::SYMBOL_TABLE
                .union(Traits::NO_TERMINATOR)
                .union(Traits::SINGLE_BLOCK),
            ..OpDef::new("test.table", "A symbol table")
        },
        OpDef {
            traits: Traits::FUNCTION_LIKE.union(Traits::ISOLATED_FROM_ABOVE),
            inherent_attrs: &["arg_attrs", "res_attrs", "sym_name"],
            ..OpDef::new("test.func", "A function")
        },
        OpDef {
            verify: Some(reject_bad_attr),
            ..OpDef::new("test.checked", "Has its own verifier")
        },
    ],
    attrs: &[AttrDef {
        name: "good",
        summary: "One integer",
        verify: one_int_param,
    }],
    types: &[TypeDef {
        name: "ty",
        summary: "No parameters",
        verify: no_params,
    }],
    verify_attribute: Some(check_test_attr),
    verify_op_invariants: Some(check_invariants),
    ..Dialect::new("test", "Ops for verifier tests")
};

fn span(start: usize) -> Option<Span> {
    Some(Span::new(FileId(0), start, start + 1))
}

fn messages(diags: &[Diagnostic]) -> Vec<String> {
    diags.iter().map(|d| d.message.clone()).collect()
}

/// A context with the test dialect and a `test.op` holding one region with `n` blocks.
struct Fixture {
    ctx: Context,
    top: OpId,
    blocks: Vec<BlockId>,
}

fn fixture(op: &str, n: usize) -> Fixture {
    let mut ctx = Context::new(&[&TEST_DIALECT]);
    let region = ctx.create_region();
    let blocks: Vec<BlockId> = (0..n)
        .map(|_| {
            let b = ctx.create_block(&[]);
            ctx.append_block(region, b);
            b
        })
        .collect();
    let mut state = OperationState::new(ctx.op_name(op));
    state.regions.push(region);
    state.span = span(0);
    let top = ctx.create_op(state);
    Fixture { ctx, top, blocks }
}

fn i32_type(ctx: &mut Context) -> Type {
    ctx.integer_type(32)
}

/// Builds `name(operands) -> types` at the end of `block` with a span at `at`.
fn build(
    ctx: &mut Context,
    block: BlockId,
    name: &str,
    operands: &[Value],
    types: &[Type],
    at: usize,
) -> OpId {
    let op = Builder::new(ctx, InsertPoint::End(block)).build(name, operands, types, vec![]);
    ctx.set_span(op, span(at));
    op
}

fn term(ctx: &mut Context, block: BlockId, successors: &[BlockId]) -> OpId {
    let mut state = OperationState::new(ctx.op_name("test.term"));
    state.successors = successors.to_vec();
    let op = ctx.create_op(state);
    ctx.append_op(block, op);
    op
}

#[test]
fn valid_single_block_ir_has_no_diagnostics() {
    let mut f = fixture("test.op", 1);
    let t = i32_type(&mut f.ctx);
    let b = f.blocks[0];
    let a = build(&mut f.ctx, b, "test.op", &[], &[t], 10);
    let x = f.ctx.result(a, 0);
    let s = build(&mut f.ctx, b, "test.same", &[x, x], &[t], 20);
    let y = f.ctx.result(s, 0);
    build(&mut f.ctx, b, "test.op", &[y], &[], 30);
    term(&mut f.ctx, b, &[]);
    assert_eq!(verify(&f.ctx, f.top), vec![]);
}

/// One block whose op at 10 uses the result of the op at 20.
fn use_before_def() -> Fixture {
    let mut f = fixture("test.op", 1);
    let t = i32_type(&mut f.ctx);
    let b = f.blocks[0];
    let user = build(&mut f.ctx, b, "test.op", &[], &[t], 10);
    let def = build(&mut f.ctx, b, "test.op", &[], &[t], 20);
    let v = f.ctx.result(def, 0);
    f.ctx.set_operands(user, &[v]);
    term(&mut f.ctx, b, &[]);
    f
}

#[test]
fn use_before_def_in_one_block_is_reported_with_a_note() {
    let f = use_before_def();
    let diags = verify(&f.ctx, f.top);
    assert_eq!(messages(&diags), ["operand #0 does not dominate this use"]);
    assert_eq!(diags[0].span, span(10));
    assert_eq!(
        diags[0].notes[0].message,
        "operand defined here (in the same block)"
    );
    assert_eq!(diags[0].notes[0].span, span(20));
}

/// entry -> {left, right}; left -> merge; right -> merge.
fn diamond() -> (Fixture, [OpId; 4], Type) {
    let mut f = fixture("test.op", 4);
    let t = i32_type(&mut f.ctx);
    let [entry, left, right, merge] = [f.blocks[0], f.blocks[1], f.blocks[2], f.blocks[3]];
    let defs = [entry, left, right, merge].map(|b| build(&mut f.ctx, b, "test.op", &[], &[t], 0));
    term(&mut f.ctx, entry, &[left, right]);
    term(&mut f.ctx, left, &[merge]);
    term(&mut f.ctx, right, &[merge]);
    term(&mut f.ctx, merge, &[]);
    (f, defs, t)
}

#[test]
fn cfg_dominance_follows_the_dominator_tree() {
    let (mut f, defs, _) = diamond();
    let [in_entry, in_left, _, _] = defs.map(|d| f.ctx.result(d, 0));
    let [_, left, _, merge] = [f.blocks[0], f.blocks[1], f.blocks[2], f.blocks[3]];
    // The entry dominates everything: fine in `left` and in `merge`.
    let ok1 = f.ctx.first_op(left).unwrap();
    let user_in_merge = f.ctx.first_op(merge).unwrap();
    f.ctx.set_operands(ok1, &[in_entry]);
    // `left` does not dominate `merge`.
    f.ctx.set_operands(user_in_merge, &[in_entry, in_left]);
    f.ctx.set_span(user_in_merge, span(99));
    let diags = verify(&f.ctx, f.top);
    assert_eq!(messages(&diags), ["operand #1 does not dominate this use"]);
    assert_eq!(diags[0].span, span(99));
    assert_eq!(
        diags[0].notes[0].message,
        "operand defined here (in the same region)"
    );
}

#[test]
fn block_arguments_dominate_their_block_and_dominated_blocks_only() {
    let (mut f, _, t) = diamond();
    let [left, right] = [f.blocks[1], f.blocks[2]];
    let arg = f.ctx.add_block_argument(left, t);
    let in_left = f.ctx.first_op(left).unwrap();
    f.ctx.set_operands(in_left, &[arg]);
    assert_eq!(verify(&f.ctx, f.top), vec![]);
    let in_right = f.ctx.first_op(right).unwrap();
    f.ctx.set_operands(in_right, &[arg]);
    let diags = verify(&f.ctx, f.top);
    assert_eq!(messages(&diags), ["operand #0 does not dominate this use"]);
    assert_eq!(
        diags[0].notes[0].message,
        "operand defined as a block argument (in the same region)"
    );
}

#[test]
fn uses_in_unreachable_blocks_are_not_order_checked() {
    let mut f = fixture("test.op", 2);
    let t = i32_type(&mut f.ctx);
    let [entry, dead] = [f.blocks[0], f.blocks[1]];
    term(&mut f.ctx, entry, &[]);
    let user = build(&mut f.ctx, dead, "test.op", &[], &[t], 0);
    let def = build(&mut f.ctx, dead, "test.op", &[], &[t], 0);
    let v = f.ctx.result(def, 0);
    f.ctx.set_operands(user, &[v]);
    term(&mut f.ctx, dead, &[]);
    assert_eq!(verify(&f.ctx, f.top), vec![]);
}

#[test]
fn graph_regions_allow_any_order_but_not_self_use() {
    let mut f = fixture("test.graph", 1);
    let t = i32_type(&mut f.ctx);
    let b = f.blocks[0];
    let user = build(&mut f.ctx, b, "test.op", &[], &[], 0);
    let def = build(&mut f.ctx, b, "test.op", &[], &[t], 0);
    let v = f.ctx.result(def, 0);
    f.ctx.set_operands(user, &[v]);
    assert_eq!(verify(&f.ctx, f.top), vec![]);

    // A result used inside the op that defines it never dominates the use.
    let region = f.ctx.create_region();
    let inner_block = f.ctx.create_block(&[]);
    f.ctx.append_block(region, inner_block);
    let mut state = OperationState::new(f.ctx.op_name("test.graph"));
    state.regions.push(region);
    state.result_types.push(t);
    let holder = f.ctx.create_op(state);
    f.ctx.append_op(b, holder);
    let own = f.ctx.result(holder, 0);
    build(&mut f.ctx, inner_block, "test.op", &[own], &[], 0);
    let diags = verify(&f.ctx, f.top);
    assert_eq!(messages(&diags), ["operand #0 does not dominate this use"]);
    assert_eq!(
        diags[0].notes[0].message,
        "operand defined here (in a parent region)"
    );
}

#[test]
fn values_of_sibling_regions_are_not_visible() {
    let mut f = fixture("test.graph", 1);
    let t = i32_type(&mut f.ctx);
    let outer = f.blocks[0];
    let inner_blocks: Vec<BlockId> = (0..2)
        .map(|_| {
            let region = f.ctx.create_region();
            let block = f.ctx.create_block(&[]);
            f.ctx.append_block(region, block);
            let mut state = OperationState::new(f.ctx.op_name("test.graph"));
            state.regions.push(region);
            let op = f.ctx.create_op(state);
            f.ctx.append_op(outer, op);
            block
        })
        .collect();
    let def = build(&mut f.ctx, inner_blocks[0], "test.op", &[], &[t], 0);
    let v = f.ctx.result(def, 0);
    build(&mut f.ctx, inner_blocks[1], "test.op", &[v], &[], 0);
    let diags = verify(&f.ctx, f.top);
    assert_eq!(messages(&diags), ["operand #0 does not dominate this use"]);
    assert_eq!(
        diags[0].notes[0].message,
        "operand defined here (neither in a parent nor in a child region)"
    );
}

#[test]
fn isolated_ops_cannot_use_values_from_above() {
    let mut f = fixture("test.graph", 1);
    let t = i32_type(&mut f.ctx);
    let outer = f.blocks[0];
    let def = build(&mut f.ctx, outer, "test.op", &[], &[t], 5);
    let v = f.ctx.result(def, 0);
    let region = f.ctx.create_region();
    let block = f.ctx.create_block(&[]);
    f.ctx.append_block(region, block);
    let mut state = OperationState::new(f.ctx.op_name("test.isolated"));
    state.regions.push(region);
    state.span = span(50);
    let iso = f.ctx.create_op(state);
    f.ctx.append_op(outer, iso);
    build(&mut f.ctx, block, "test.op", &[v], &[], 60);
    let diags = verify(&f.ctx, f.top);
    assert_eq!(
        messages(&diags),
        ["'test.op' op using value defined outside the region (operand #0)"]
    );
    assert_eq!(diags[0].span, span(60));
    assert_eq!(diags[0].notes[0].span, span(5));
    assert_eq!(
        diags[0].notes[1].message,
        "required by region isolation constraints"
    );
    assert_eq!(diags[0].notes[1].span, span(50));
}

#[test]
fn corrupt_use_lists_are_reported_from_both_sides() {
    let mut f = fixture("test.op", 1);
    let t = i32_type(&mut f.ctx);
    let b = f.blocks[0];
    let def = build(&mut f.ctx, b, "test.op", &[], &[t], 0);
    let v = f.ctx.result(def, 0);
    let user = build(&mut f.ctx, b, "test.op", &[v], &[], 0);
    term(&mut f.ctx, b, &[]);
    // Operand without a use-list entry.
    f.ctx.values[v.0 as usize].uses.clear();
    let diags = verify(&f.ctx, f.top);
    assert_eq!(
        messages(&diags),
        ["'test.op' op operand #0 appears 0 times in its value's use list, expected once"]
    );
    // A use that points at an operand holding something else.
    let other = build(&mut f.ctx, b, "test.op", &[], &[t], 0);
    f.ctx.move_op_before(other, user);
    let w = f.ctx.result(other, 0);
    f.ctx.values[v.0 as usize]
        .uses
        .push(crate::operation::Use { op: user, index: 0 });
    f.ctx.ops[user.0 as usize].operands[0] = w;
    let diags = verify(&f.ctx, f.top);
    let m = messages(&diags);
    assert!(
        m.iter()
            .any(|s| s.starts_with("use list of result #0 of 'test.op' op is corrupt")),
        "{m:?}"
    );
    assert!(m.iter().any(|s| s.contains("appears 0 times")), "{m:?}");
}

#[test]
fn use_list_counts_agree_for_short_and_long_lists() {
    // Short lists are scanned per operand, long ones indexed once: both count the same.
    for users in [2, super::SCANNED_USE_LIST + 3] {
        let mut f = fixture("test.op", 1);
        let t = i32_type(&mut f.ctx);
        let b = f.blocks[0];
        let def = build(&mut f.ctx, b, "test.op", &[], &[t], 0);
        let v = f.ctx.result(def, 0);
        let ops: Vec<OpId> = (0..users)
            .map(|_| build(&mut f.ctx, b, "test.op", &[v], &[], 0))
            .collect();
        term(&mut f.ctx, b, &[]);
        assert!(verify(&f.ctx, f.top).is_empty(), "{users} users");
        // The first user listed twice, the last one not at all.
        let uses = &mut f.ctx.values[v.0 as usize].uses;
        let first = uses[0];
        uses.retain(|u| u.op != ops[users - 1]);
        uses.push(first);
        assert_eq!(
            messages(&verify(&f.ctx, f.top)),
            [
                "'test.op' op operand #0 appears 2 times in its value's use list, expected once",
                "'test.op' op operand #0 appears 0 times in its value's use list, expected once",
            ],
            "{users} users"
        );
    }
}

#[test]
fn terminator_rules() {
    // A terminator in the middle, a block ending in a non-terminator, an empty block.
    let mut f = fixture("test.op", 3);
    let [b0, b1, _b2] = [f.blocks[0], f.blocks[1], f.blocks[2]];
    let mid = term(&mut f.ctx, b0, &[]);
    f.ctx.set_span(mid, span(7));
    term(&mut f.ctx, b0, &[]);
    build(&mut f.ctx, b1, "test.op", &[], &[], 8);
    let diags = verify(&f.ctx, f.top);
    assert_eq!(
        messages(&diags),
        [
            "block with no terminator, has 'test.op' op last",
            "empty block: expect at least a terminator",
            "'test.term' op must be the last operation in the parent block",
        ]
    );
    assert_eq!(diags[0].span, span(8));
    assert_eq!(diags[2].span, span(7));
}

#[test]
fn terminators_are_optional_where_the_region_allows() {
    // A NO_TERMINATOR op, and a single block of an unregistered op.
    let mut f = fixture("test.graph", 1);
    build(&mut f.ctx, f.blocks[0], "test.op", &[], &[], 0);
    assert_eq!(verify(&f.ctx, f.top), vec![]);
    let mut g = fixture("other.op", 1);
    g.ctx.allow_unregistered = true;
    build(&mut g.ctx, g.blocks[0], "test.op", &[], &[], 0);
    assert_eq!(verify(&g.ctx, g.top), vec![]);
    // An unregistered last op may be a terminator.
    let mut h = fixture("test.op", 1);
    h.ctx.allow_unregistered = true;
    build(&mut h.ctx, h.blocks[0], "other.br", &[], &[], 0);
    assert_eq!(verify(&h.ctx, h.top), vec![]);
}

#[test]
fn successor_rules() {
    let mut f = fixture("test.op", 2);
    let [b0, b1] = [f.blocks[0], f.blocks[1]];
    // A branch from the middle of a block, and a branch back to the entry block.
    let mut state = OperationState::new(f.ctx.op_name("test.op"));
    state.successors.push(b1);
    let early = f.ctx.create_op(state);
    f.ctx.append_op(b0, early);
    term(&mut f.ctx, b0, &[b1]);
    term(&mut f.ctx, b1, &[b0]);
    // A branch into another region.
    let foreign_in_f = f.ctx.create_block(&[]);
    let other_region = f.ctx.create_region();
    f.ctx.append_block(other_region, foreign_in_f);
    let last = f.ctx.last_op(b1).unwrap();
    f.ctx.nested_mut(last).successors.push(foreign_in_f);
    let diags = verify(&f.ctx, f.top);
    let m = messages(&diags);
    assert_eq!(
        m,
        [
            "entry block of region may not have predecessors",
            "operation with block successors must terminate its parent block",
            "'test.term' op branching to block of a different region",
        ]
    );
}

#[test]
fn single_block_and_graph_regions_have_at_most_one_block() {
    let mut f = fixture("test.single", 2);
    for &b in &f.blocks.clone() {
        term(&mut f.ctx, b, &[]);
    }
    assert_eq!(
        messages(&verify(&f.ctx, f.top)),
        ["'test.single' op expects region #0 to have 0 or 1 blocks"]
    );
    let g = fixture("test.graph", 2);
    assert_eq!(
        messages(&verify(&g.ctx, g.top)),
        ["'test.graph' op expects graph region #0 to have 0 or 1 blocks"]
    );
}

#[test]
fn duplicate_symbols_point_at_the_first_definition() {
    let mut f = fixture("test.table", 1);
    let b = f.blocks[0];
    for (at, name) in [(10, "f"), (20, "g"), (30, "f")] {
        let op = build(&mut f.ctx, b, "test.op", &[], &[], at);
        let s = f.ctx.string_attr(name);
        f.ctx.set_attr(op, "sym_name", s);
    }
    let diags = verify(&f.ctx, f.top);
    assert_eq!(messages(&diags), ["redefinition of symbol named 'f'"]);
    assert_eq!(diags[0].span, span(30));
    assert_eq!(
        diags[0].notes[0].message,
        "see existing symbol definition here"
    );
    assert_eq!(diags[0].notes[0].span, span(10));
}

#[test]
fn unregistered_ops_need_permission() {
    let mut f = fixture("test.graph", 1);
    build(&mut f.ctx, f.blocks[0], "foo.bar", &[], &[], 3);
    build(&mut f.ctx, f.blocks[0], "test.nope", &[], &[], 4);
    let diags = verify(&f.ctx, f.top);
    assert_eq!(
        messages(&diags),
        [
            "unregistered operation 'foo.bar': dialect 'foo' is not registered (allow unregistered dialects to accept it)",
            "unregistered operation 'test.nope': dialect 'test' has no such op",
        ]
    );
    assert_eq!(diags[0].span, span(3));
    f.ctx.allow_unregistered = true;
    assert_eq!(verify(&f.ctx, f.top), vec![]);
}

#[test]
fn op_verifiers_and_dialect_invariants_run_with_the_op_span() {
    let mut f = fixture("test.graph", 1);
    let op = build(&mut f.ctx, f.blocks[0], "test.checked", &[], &[], 42);
    let u = f.ctx.unit_attr();
    f.ctx.set_attr(op, "bad", u);
    f.ctx.set_attr(op, "test.broken_invariant", u);
    let diags = verify(&f.ctx, f.top);
    assert_eq!(
        messages(&diags),
        [
            "'test.checked' op must not carry 'bad'",
            "invariant broken",
            "invariant broken again",
        ]
    );
    assert!(diags.iter().all(|d| d.span == span(42)));
}

#[test]
fn same_operands_and_result_type_is_checked() {
    let mut f = fixture("test.graph", 1);
    let b = f.blocks[0];
    let i32t = i32_type(&mut f.ctx);
    let i64t = f.ctx.integer_type(64);
    let a = build(&mut f.ctx, b, "test.op", &[], &[i32t], 0);
    let x = f.ctx.result(a, 0);
    build(&mut f.ctx, b, "test.same", &[x], &[i64t], 0);
    assert_eq!(
        messages(&verify(&f.ctx, f.top)),
        ["'test.same' op requires the same type for all operands and results"]
    );
}

fn dialect_attr(ctx: &mut Context, dialect: &str, name: &str, params: Vec<AttrParam>) -> Attribute {
    ctx.attr_of(AttrData::Dialect {
        dialect: dialect.into(),
        name: name.into(),
        params,
    })
}

#[test]
fn dialect_attributes_are_checked_recursively() {
    let mut f = fixture("test.graph", 1);
    let good = dialect_attr(&mut f.ctx, "test", "good", vec![AttrParam::Int(1)]);
    let bad_params = dialect_attr(&mut f.ctx, "test", "good", vec![]);
    let unknown = dialect_attr(&mut f.ctx, "test", "missing", vec![]);
    let foreign = dialect_attr(&mut f.ctx, "zzz", "thing", vec![]);
    let dict = f.ctx.dictionary_attr(vec![("k".into(), unknown)]);
    let nested = dialect_attr(&mut f.ctx, "test", "good", vec![AttrParam::Attr(foreign)]);
    let arr = f.ctx.array_attr(vec![good, bad_params, dict, nested]);
    let op = build(&mut f.ctx, f.blocks[0], "test.op", &[], &[], 0);
    f.ctx.set_attr(op, "list", arr);
    let m = messages(&verify(&f.ctx, f.top));
    assert_eq!(
        m,
        [
            "invalid attribute #test.good: expected one integer parameter",
            "dialect 'test' has no attribute named 'missing' (in #test.missing)",
            "invalid attribute #test.good: expected one integer parameter",
            "attribute #zzz.thing belongs to unregistered dialect 'zzz' (allow unregistered dialects to accept it)",
        ]
    );
    f.ctx.allow_unregistered = true;
    assert_eq!(verify(&f.ctx, f.top).len(), 3);
}

#[test]
fn dialect_types_on_values_are_checked_once_with_the_value_span() {
    let mut f = fixture("test.graph", 1);
    let bad = f.ctx.type_of(TypeData::Dialect {
        dialect: "test".into(),
        name: "ty".into(),
        params: vec![AttrParam::Int(3)],
    });
    let tensor = f.ctx.tensor_type(vec![], bad);
    let op = build(&mut f.ctx, f.blocks[0], "test.op", &[], &[tensor], 0);
    let r = f.ctx.result(op, 0);
    f.ctx.set_value_span(r, span(77));
    build(&mut f.ctx, f.blocks[0], "test.op", &[], &[tensor], 0);
    let diags = verify(&f.ctx, f.top);
    assert_eq!(
        messages(&diags),
        ["invalid type !test.ty: takes no parameters"]
    );
    assert_eq!(diags[0].span, span(77));
}

fn func_with_attrs(
    f: &mut Fixture,
    args: Vec<(String, Attribute)>,
    res: Vec<(String, Attribute)>,
) -> OpId {
    let t = i32_type(&mut f.ctx);
    let region = f.ctx.create_region();
    let body = f.ctx.create_block(&[t]);
    f.ctx.append_block(region, body);
    let arg = f.ctx.block_args(body)[0];
    f.ctx.set_value_span(arg, span(11));
    term(&mut f.ctx, body, &[]);
    let arg_dict = f.ctx.dictionary_attr(args);
    let res_dict = f.ctx.dictionary_attr(res);
    let arg_attrs = f.ctx.array_attr(vec![arg_dict]);
    let res_attrs = f.ctx.array_attr(vec![res_dict]);
    let mut state = OperationState::new(f.ctx.op_name("test.func"));
    state.regions.push(region);
    state.attrs = vec![
        ("arg_attrs".into(), arg_attrs),
        ("res_attrs".into(), res_attrs),
    ];
    state.span = span(1);
    let func = f.ctx.create_op(state);
    f.ctx.append_op(f.blocks[0], func);
    func
}

#[test]
fn discardable_attributes_reach_the_dialect_hook_with_their_site() {
    let mut f = fixture("test.graph", 1);
    let u = f.ctx.unit_attr();
    let func = func_with_attrs(
        &mut f,
        vec![("test.bad".into(), u), ("test.fine".into(), u)],
        vec![("test.bad".into(), u), ("plain".into(), u)],
    );
    f.ctx.set_attr(func, "test.bad", u);
    let diags = verify(&f.ctx, f.top);
    assert_eq!(
        messages(&diags),
        [
            "'test.bad' rejected at Op",
            "'test.bad' rejected at Argument(0)",
            "'test.func' op results may only have dialect attributes, found 'plain'",
            "'test.bad' rejected at Result(0)",
        ]
    );
    assert_eq!(diags[0].span, span(1));
    assert_eq!(diags[1].span, span(11));
    assert_eq!(diags[3].span, span(1));
}

#[test]
fn all_problems_are_reported_not_the_first() {
    let mut f = fixture("test.op", 1);
    let b = f.blocks[0];
    let t = i32_type(&mut f.ctx);
    build(&mut f.ctx, b, "foo.bar", &[], &[], 0);
    let user = build(&mut f.ctx, b, "test.op", &[], &[], 0);
    let def = build(&mut f.ctx, b, "test.op", &[], &[t], 0);
    let v = f.ctx.result(def, 0);
    f.ctx.set_operands(user, &[v]);
    let x = build(&mut f.ctx, b, "test.checked", &[], &[], 0);
    let u = f.ctx.unit_attr();
    f.ctx.set_attr(x, "bad", u);
    assert_eq!(
        verify(&f.ctx, f.top).len(),
        4,
        "{:?}",
        verify(&f.ctx, f.top)
    );
}

#[test]
fn malformed_structure_does_not_panic() {
    // An op nested inside itself.
    let mut f = fixture("test.graph", 1);
    let b = f.blocks[0];
    f.ctx.append_op(b, f.top);
    let diags = verify(&f.ctx, f.top);
    assert!(
        messages(&diags)
            .iter()
            .any(|m| m.contains("is reached twice")),
        "{diags:?}"
    );

    // An erased op still used, and still linked.
    let mut g = fixture("test.graph", 1);
    let t = i32_type(&mut g.ctx);
    let b = g.blocks[0];
    let def = build(&mut g.ctx, b, "test.op", &[], &[t], 0);
    let v = g.ctx.result(def, 0);
    build(&mut g.ctx, b, "test.op", &[v], &[], 0);
    g.ctx.ops[def.0 as usize].erased = true;
    let m = messages(&verify(&g.ctx, g.top));
    assert!(m.contains(&"'test.op' op was erased but is still linked into a block".to_string()));
    assert!(m.contains(&"'test.op' op operand #0 uses a result of an erased op".to_string()));

    // A cyclic op list, a successor that is not a block, a foreign attribute handle.
    let mut h = fixture("test.graph", 1);
    let b = h.blocks[0];
    let a = build(&mut h.ctx, b, "test.op", &[], &[], 0);
    let c = build(&mut h.ctx, b, "test.op", &[], &[], 0);
    h.ctx.ops[c.0 as usize].next = Link::new(Some(a));
    h.ctx.nested_mut(a).successors.push(BlockId(9999));
    let attrs = &mut h.ctx.ops[a.0 as usize].attrs;
    let mut foreign = std::mem::take(attrs).into_vec();
    foreign.push(("x".into(), Attribute(9999)));
    *attrs = foreign.into_boxed_slice();
    let m = messages(&verify(&h.ctx, h.top));
    assert!(m.iter().any(|s| s.contains("cyclic")), "{m:?}");
    assert!(
        m.iter().any(|s| s.contains("not a block of this context")),
        "{m:?}"
    );
    assert!(m.iter().any(|s| s.contains("attribute handle")), "{m:?}");

    // Foreign handles where dialect code would read them.
    let mut t = fixture("test.table", 1);
    let b = t.blocks[0];
    let sym = build(&mut t.ctx, b, "test.checked", &[], &[], 0);
    t.ctx.set_attr(sym, "sym_name", Attribute(9999));
    t.ctx.set_attr(sym, "test.bad", Attribute(9998));
    let m = messages(&verify(&t.ctx, t.top));
    assert_eq!(m.len(), 2, "{m:?}");
    assert!(m.iter().all(|s| s.contains("attribute handle")), "{m:?}");
}

#[test]
fn ops_without_spans_borrow_the_nearest_enclosing_span() {
    let mut f = fixture("test.graph", 1);
    let op = Builder::new(&mut f.ctx, InsertPoint::End(f.blocks[0])).build(
        "test.same",
        &[],
        &[],
        vec![],
    );
    let i32t = i32_type(&mut f.ctx);
    let i64t = f.ctx.integer_type(64);
    let a = build(&mut f.ctx, f.blocks[0], "test.op", &[], &[i32t, i64t], 5);
    let (x, y) = (f.ctx.result(a, 0), f.ctx.result(a, 1));
    f.ctx.move_op_after(op, a);
    f.ctx.set_operands(op, &[x, y]);
    let diags = verify(&f.ctx, f.top);
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].span, span(0));
}

#[test]
fn a_nested_op_verifies_like_the_root_that_holds_it() {
    // Verifying a root indexes its tables by op; verifying a piece hashes them.
    let mut f = use_before_def();
    let region = f.ctx.create_region();
    let outer_block = f.ctx.create_block(&[]);
    f.ctx.append_block(region, outer_block);
    f.ctx.append_op(outer_block, f.top);
    term(&mut f.ctx, outer_block, &[]);
    let mut state = OperationState::new(f.ctx.op_name("test.op"));
    state.regions.push(region);
    let root = f.ctx.create_op(state);
    for verified in [root, f.top] {
        let diags = verify(&f.ctx, verified);
        assert_eq!(messages(&diags), ["operand #0 does not dominate this use"]);
        assert_eq!(diags[0].notes[0].span, span(20));
    }
}

/// A `test.graph` root holding `n` `test.op`s, each with one block of two chained ops and
/// a terminator (spans: op `i` at `100 * i`, its ops at `100 * i + 1` and `+ 2`).
fn many_functions(n: usize) -> (Fixture, Vec<BlockId>) {
    let mut f = fixture("test.graph", 1);
    let t = i32_type(&mut f.ctx);
    let bodies = (0..n)
        .map(|i| {
            let region = f.ctx.create_region();
            let body = f.ctx.create_block(&[]);
            f.ctx.append_block(region, body);
            let first = build(&mut f.ctx, body, "test.op", &[], &[t], 100 * i + 1);
            let x = f.ctx.result(first, 0);
            build(&mut f.ctx, body, "test.same", &[x], &[t], 100 * i + 2);
            term(&mut f.ctx, body, &[]);
            let mut state = OperationState::new(f.ctx.op_name("test.op"));
            state.regions.push(region);
            state.span = span(100 * i);
            let func = f.ctx.create_op(state);
            f.ctx.append_op(f.blocks[0], func);
            body
        })
        .collect();
    (f, bodies)
}

/// The diagnostics of verifying `f`'s root on one thread, after checking that four
/// threads give the same.
fn verified_on_threads(f: &Fixture) -> Vec<Diagnostic> {
    let alone = verify_with_workers(&f.ctx, f.top, 1);
    assert_eq!(verify_with_workers(&f.ctx, f.top, 4), alone);
    alone
}

#[test]
fn verifying_on_threads_reports_what_one_thread_reports() {
    let (mut f, bodies) = many_functions(40);
    assert_eq!(verified_on_threads(&f), vec![]);
    let ops: Vec<OpId> = f.ctx.block_ops(f.blocks[0]).collect();
    let v = Verifier::new(&f.ctx, f.top);
    assert!(v.verify_in_parallel(&ops, 4));

    // A bad type in two functions far apart: reported once, where first met.
    let bad = f.ctx.type_of(TypeData::Dialect {
        dialect: "test".into(),
        name: "ty".into(),
        params: vec![AttrParam::Int(3)],
    });
    for &i in &[31, 3] {
        build(&mut f.ctx, bodies[i], "test.op", &[], &[bad], 100 * i + 50);
        let op = f.ctx.last_op(bodies[i]).unwrap();
        let terminator = f.ctx.prev_op(op).unwrap();
        f.ctx.move_op_after(terminator, op);
    }
    // Uses before definitions in two more.
    for &i in &[20, 35] {
        let ops: Vec<OpId> = f.ctx.block_ops(bodies[i]).collect();
        let later = f.ctx.result(ops[1], 0);
        f.ctx.set_operands(ops[0], &[later]);
    }
    let ops: Vec<OpId> = f.ctx.block_ops(f.blocks[0]).collect();
    assert!(!Verifier::new(&f.ctx, f.top).verify_in_parallel(&ops, 4));
    let diags = verified_on_threads(&f);
    assert_eq!(
        messages(&diags),
        [
            "invalid type !test.ty: takes no parameters",
            "operand #0 does not dominate this use",
            "operand #0 does not dominate this use",
        ]
    );
    assert_eq!(diags[0].span, span(350));
    assert_eq!(diags[1].span, span(2001));
    assert_eq!(diags[2].span, span(3501));
}

#[test]
fn an_op_linked_into_two_functions_on_threads_is_reached_twice() {
    let (mut f, bodies) = many_functions(40);
    // The last op of function 30 continues into function 5's block.
    let shared = f.ctx.first_op(bodies[5]).unwrap();
    let end = f.ctx.last_op(bodies[30]).unwrap();
    f.ctx.ops[end.0 as usize].next = Link::new(Some(shared));
    let m = messages(&verified_on_threads(&f));
    assert!(m.iter().any(|s| s.contains("is reached twice")), "{m:?}");
}
