//! The builder and rewriter keep use lists and block order right.

use joinery_ir::{Builder, Context, FloatKind, InsertPoint};

fn setup() -> (Context, joinery_ir::BlockId, joinery_ir::Value) {
    let mut ctx = Context::new(&[]);
    ctx.allow_unregistered = true;
    let f32 = ctx.float_type(FloatKind::F32);
    let t = ctx.static_tensor_type(&[2, 3], f32);
    let block = ctx.create_block(&[t]);
    let arg = ctx.block_args(block)[0];
    (ctx, block, arg)
}

#[test]
fn operands_register_uses_and_replace_moves_them() {
    let (mut ctx, block, arg) = setup();
    let t = ctx.value_type(arg);
    let mut b = Builder::new(&mut ctx, InsertPoint::End(block));
    let neg = b.build("t.neg", &[arg], &[t], vec![]);
    let add = b.build("t.add", &[arg, arg], &[t], vec![]);
    assert_eq!(ctx.uses(arg).len(), 3);
    let n = ctx.result(neg, 0);
    ctx.replace_all_uses(arg, n);
    // `neg` now uses its own result: replace_all_uses moved every use, including its own.
    assert_eq!(ctx.uses(n).len(), 3);
    assert!(ctx.is_unused(arg));
    ctx.set_operand(neg, 0, arg);
    assert_eq!(ctx.uses(arg).len(), 1);
    assert_eq!(ctx.uses(n).len(), 2);
    assert_eq!(ctx.operands(add), &[n, n]);
}

#[test]
fn erase_and_move_keep_block_order() {
    let (mut ctx, block, arg) = setup();
    let t = ctx.value_type(arg);
    let mut b = Builder::new(&mut ctx, InsertPoint::End(block));
    let a = b.build("t.a", &[arg], &[t], vec![]);
    let m = b.build("t.b", &[arg], &[t], vec![]);
    let c = b.build("t.c", &[arg], &[t], vec![]);
    ctx.move_op_before(c, a);
    assert_eq!(ctx.block_ops(block).collect::<Vec<_>>(), vec![c, a, m]);
    ctx.erase_op(a);
    assert_eq!(ctx.block_ops(block).collect::<Vec<_>>(), vec![c, m]);
    assert_eq!(ctx.uses(arg).len(), 2);
    assert!(ctx.is_erased(a));
    assert_eq!(ctx.last_op(block), Some(m));
}

#[test]
fn types_and_attributes_are_interned() {
    let mut ctx = Context::new(&[]);
    let f = ctx.float_type(FloatKind::F32);
    let a = ctx.static_tensor_type(&[4], f);
    let b = ctx.static_tensor_type(&[4], f);
    assert_eq!(a, b);
    let d1 = {
        let x = ctx.integer_attr(1, 64);
        let y = ctx.string_attr("s");
        ctx.dictionary_attr(vec![("b".into(), x), ("a".into(), y)])
    };
    assert_eq!(ctx.as_dictionary(d1).unwrap()[0].0, "a");
    let s = ctx.string_attr("s");
    assert_eq!(ctx.dictionary_get(d1, "a"), Some(s));
}
