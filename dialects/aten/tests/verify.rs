//! IR-level verification: aten ops built with the Builder inside a module, checked by the
//! IR verifier, which runs each op's `OpDef.verify`.

mod common;
use common::{A, attrs, context, tensor};
use joinery_ir::{
    BlockId, Builder, Context, InsertPoint, OpId, OperationState, Value, verify::verify,
};

/// A module holding an unregistered `test.graph` op whose one block has an argument per
/// type spec (a stand-in for a function body); returns the module, arguments and block.
fn module(ctx: &mut Context, inputs: &[&str]) -> (OpId, Vec<Value>, BlockId) {
    let m = ctx.create_module();
    let body = ctx.body_block(m).unwrap();
    let types: Vec<_> = inputs.iter().map(|s| tensor(ctx, s)).collect();
    let block = ctx.create_block(&types);
    let region = ctx.create_region();
    ctx.append_block(region, block);
    let mut state = OperationState::new(ctx.op_name("test.graph"));
    state.regions.push(region);
    let holder = ctx.create_op(state);
    ctx.append_op(body, holder);
    let args = ctx.block_args(block).to_vec();
    (m, args, block)
}

fn errors(ctx: &Context, m: OpId) -> Vec<String> {
    verify(ctx, m).into_iter().map(|d| d.message).collect()
}

#[test]
fn a_well_typed_graph_verifies() {
    let mut ctx = context();
    ctx.allow_unregistered = true;
    let (m, args, block) = module(&mut ctx, &["4x3xf32", "3x5xf32", "5xf32"]);
    let mut b = Builder::new(&mut ctx, InsertPoint::End(block));
    let mm = joinery_aten::build(&mut b, "aten.mm", &args[..2], vec![]).unwrap();
    let mm_out = b.ctx.result(mm, 0);
    let add = joinery_aten::build(&mut b, "aten.add.Tensor", &[mm_out, args[2]], vec![]).unwrap();
    let add_out = b.ctx.result(add, 0);
    let a = attrs(b.ctx, &[("dim", A::Is(&[1])), ("keepdim", A::B(true))]);
    let sum = joinery_aten::build(&mut b, "aten.sum.dim_IntList", &[add_out], a).unwrap();
    let a = attrs(b.ctx, &[("split_sizes", A::Is(&[1, 3])), ("dim", A::I(0))]);
    let sum_out = b.ctx.result(sum, 0);
    let split = joinery_aten::build(&mut b, "aten.split_with_sizes", &[sum_out], a).unwrap();
    assert_eq!(ctx.results(split).len(), 2);
    let t = tensor(&mut ctx, "4x1xf32");
    assert_eq!(ctx.value_type(ctx.result(sum, 0)), t);
    assert_eq!(errors(&ctx, m), Vec::<String>::new());
}

#[test]
fn declared_results_must_match_inference() {
    let mut ctx = context();
    ctx.allow_unregistered = true;
    let (m, args, block) = module(&mut ctx, &["4x3xf32", "2x5xf32", "4xf32"]);
    let wrong = tensor(&mut ctx, "4x5xf32");
    let r64 = tensor(&mut ctx, "4xf64");
    let r4 = tensor(&mut ctx, "4xf32");
    let mut b = Builder::new(&mut ctx, InsertPoint::End(block));
    b.build("aten.mm", &args[..2], &[wrong], vec![]);
    b.build("aten.relu", &[args[2]], &[r64], vec![]);
    let a = attrs(b.ctx, &[("p", A::F(0.5))]);
    b.build("aten.native_dropout", &[args[2]], &[r4], a);
    let errs = errors(&ctx, m);
    assert!(
        errs.iter()
            .any(|e| e == "aten.mm: operand shapes 4x3 and 2x5 are incompatible (3 != 2)"),
        "{errs:?}"
    );
    assert!(
        errs.iter()
            .any(|e| e
                == "aten.relu: result #0 is declared tensor<4xf64> but inferred tensor<4xf32>"),
        "{errs:?}"
    );
    assert!(
        errs.iter()
            .any(|e| e == "aten.native_dropout: expected 2 result(s), but the op declares 1"),
        "{errs:?}"
    );
}

#[test]
fn results_may_refine_dynamic_dims_and_operands_must_be_tensors() {
    let mut ctx = context();
    ctx.allow_unregistered = true;
    let (m, args, block) = module(&mut ctx, &["?x3xf32"]);
    let refined = tensor(&mut ctx, "4x3xf32");
    let f32_ty = common::element(&mut ctx, "f32");
    let other = ctx.add_block_argument(block, f32_ty);
    let mut b = Builder::new(&mut ctx, InsertPoint::End(block));
    b.build("aten.relu", &[args[0]], &[refined], vec![]);
    b.build("aten.mul.Tensor", &[args[0], other], &[refined], vec![]);
    let errs = errors(&ctx, m);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].contains("operand #1 ('other') must be a tensor"),
        "{errs:?}"
    );
}
