//! Every descriptor verification rule, each failing on its own, through the IR verifier.

mod common;

use common::*;
use joinery_aot::{AotInput, AotOutput};
use joinery_ir::{AttrData, AttrParam, Context, Type};

struct T {
    ctx: Context,
    w: Type,
    x: Type,
    s: Type,
    none: Type,
}

fn setup() -> T {
    let mut ctx = context();
    let w = f32_tensor(&mut ctx, &[2, 3]);
    let x = f32_tensor(&mut ctx, &[4, 3]);
    let s = f32_tensor(&mut ctx, &[]);
    let none = ctx.none_type();
    T { ctx, w, x, s, none }
}

use D::{In, Out};

/// A valid joint: w (param), x (plain), tangent of output 0 -> output 0, grad w, None for x.
fn valid_joint(t: &T) -> (Vec<Arg>, Vec<Res>) {
    (
        vec![
            Arg("w", t.w, In(param("w"))),
            Arg("x", t.x, In(plain(0))),
            Arg("tangents_1", t.s, In(tangent(plain_out(0)))),
        ],
        vec![
            Res(t.s, Out(plain_out(0))),
            Res(t.w, Out(grad(param("w")))),
            Res(t.none, Out(none_grad(plain(0)))),
        ],
    )
}

#[test]
fn valid_joint_verifies() {
    let mut t = setup();
    let (args, results) = valid_joint(&t);
    let (m, _) = build_func(&mut t.ctx, "joint", &args, &results);
    assert_eq!(errors(&t.ctx, m), Vec::<String>::new());
}

#[test]
fn functions_without_descriptors_are_left_alone() {
    let mut t = setup();
    let args = vec![Arg("a", t.w, D::None)];
    let results = vec![Res(t.w, D::None)];
    let (m, _) = build_func(&mut t.ctx, "plain_fn", &args, &results);
    assert_eq!(errors(&t.ctx, m), Vec::<String>::new());
}

#[test]
fn output_descriptor_on_an_argument() {
    let mut t = setup();
    let (mut args, results) = valid_joint(&t);
    args[1].2 = Out(plain_out(0));
    let (m, _) = build_func(&mut t.ctx, "f", &args, &results);
    let errs = errors(&t.ctx, m);
    assert!(
        errs.iter().any(|e| e
            == "argument 1 carries #aot.plain_out, an output descriptor; \
             arguments take input descriptors (did you mean #aot.plain?)"),
        "{errs:#?}"
    );
}

#[test]
fn input_descriptor_on_a_result() {
    let mut t = setup();
    let (args, mut results) = valid_joint(&t);
    results[0].1 = In(plain(0));
    let (m, _) = build_func(&mut t.ctx, "f", &args, &results);
    let errs = errors(&t.ctx, m);
    assert!(
        errs.iter()
            .any(|e| e.starts_with("result 0 carries #aot.plain, an input descriptor")),
        "{errs:#?}"
    );
}

#[test]
fn descriptor_key_and_site() {
    let mut t = setup();
    let (mut args, results) = valid_joint(&t);
    let s = t.ctx.string_attr("w");
    args[0].2 = D::Raw(s);
    let (m, f) = build_func(&mut t.ctx, "f", &args, &results);
    assert_one_error(&t.ctx, m, "'aot.desc' must be an #aot descriptor attribute");

    // On an op instead of a signature slot.
    let mut t = setup();
    let (args, results) = valid_joint(&t);
    let (m, f2) = build_func(&mut t.ctx, "g", &args, &results);
    let d = plain(0).to_attr(&mut t.ctx);
    t.ctx.set_attr(f2, "aot.desc", d);
    assert_one_error(
        &t.ctx,
        m,
        "'aot.desc' belongs on function arguments and results, not on an op",
    );
    let _ = f;

    // Another aot.* key.
    let mut t = setup();
    let (args, results) = valid_joint(&t);
    let (m, f3) = build_func(&mut t.ctx, "h", &args, &results);
    let d = plain(0).to_attr(&mut t.ctx);
    t.ctx.set_attr(f3, "aot.descriptor", d);
    assert_one_error(&t.ctx, m, "unknown aot attribute 'aot.descriptor'");
}

#[test]
fn malformed_descriptor_is_reported_once() {
    let mut t = setup();
    let (args, mut results) = valid_joint(&t);
    let sub = AotInput::SubclassAttr {
        base: Box::new(param("w")),
        attr: "a".into(),
    }
    .to_attr(&mut t.ctx);
    let bad = t.ctx.attr_of(AttrData::Dialect {
        dialect: "aot".into(),
        name: "grad".into(),
        params: vec![AttrParam::Attr(sub)],
    });
    results[1].1 = D::Raw(bad);
    let (m, _) = build_func(&mut t.ctx, "f", &args, &results);
    assert_one_error(
        &t.ctx,
        m,
        "invalid attribute #aot.grad: #aot.grad cannot wrap subclass piece #aot.subclass_attr",
    );
}

#[test]
fn every_slot_needs_a_descriptor() {
    let mut t = setup();
    let (mut args, mut results) = valid_joint(&t);
    args[1].2 = D::None;
    results[0].1 = D::None;
    let (m, _) = build_func(&mut t.ctx, "f", &args, &results);
    let errs = errors(&t.ctx, m);
    assert!(errs.contains(&"argument 1 has no 'aot.desc': a function with descriptors needs one on every argument and result".to_string()), "{errs:#?}");
    assert!(
        errs.iter()
            .any(|e| e.starts_with("result 0 has no 'aot.desc'")),
        "{errs:#?}"
    );
}

#[test]
fn duplicate_parameter_buffer_and_plain_input() {
    for (first, second, msg) in [
        (
            param("w"),
            param("w"),
            "parameter 'w' appears twice: arguments 0 and 1",
        ),
        (
            buffer("b"),
            buffer("b"),
            "buffer 'b' appears twice: arguments 0 and 1",
        ),
        (
            plain(0),
            plain(0),
            "plain input 0 appears twice: arguments 0 and 1",
        ),
        (
            param("b"),
            buffer("b"),
            "'b' names both a parameter (argument 0) and a buffer (argument 1)",
        ),
    ] {
        let mut t = setup();
        let args = vec![Arg("a", t.w, In(first)), Arg("b", t.w, In(second))];
        let results = vec![Res(t.w, Out(plain_out(0)))];
        let (m, _) = build_func(&mut t.ctx, "f", &args, &results);
        assert_one_error(&t.ctx, m, msg);
    }
}

#[test]
fn two_tangents_of_one_output() {
    let mut t = setup();
    let args = vec![
        Arg("t1", t.s, In(tangent(plain_out(0)))),
        Arg("t2", t.s, In(tangent(plain_out(0)))),
    ];
    let results = vec![Res(t.s, Out(plain_out(0)))];
    let (m, _) = build_func(&mut t.ctx, "f", &args, &results);
    assert_one_error(
        &t.ctx,
        m,
        "the tangent of output[0] appears twice: arguments 0 and 1",
    );
}

#[test]
fn two_gradient_slots_of_one_primal() {
    let mut t = setup();
    let (args, mut results) = valid_joint(&t);
    results.push(Res(t.none, Out(none_grad(param("w")))));
    let (m, _) = build_func(&mut t.ctx, "f", &args, &results);
    assert_one_error(
        &t.ctx,
        m,
        "self.get_parameter('w') has two gradient slots: results 1 and 3",
    );
}

#[test]
fn duplicate_input_mutation() {
    let mut t = setup();
    let args = vec![Arg("b", t.s, In(buffer("steps")))];
    let results = vec![
        Res(t.s, Out(mutation(buffer("steps")))),
        Res(t.s, Out(mutation(buffer("steps")))),
    ];
    let (m, _) = build_func(&mut t.ctx, "f", &args, &results);
    assert_one_error(
        &t.ctx,
        m,
        "the mutation of self.get_buffer('steps') appears twice: results 0 and 1",
    );
}

#[test]
fn grad_of_a_missing_argument() {
    let mut t = setup();
    let (args, mut results) = valid_joint(&t);
    results.insert(2, Res(t.w, Out(grad(param("v")))));
    let (m, _) = build_func(&mut t.ctx, "f", &args, &results);
    assert_one_error(
        &t.ctx,
        m,
        "result 2 is the gradient of self.get_parameter('v'), but no argument is described by ParamAOTInput(target='v')",
    );
}

#[test]
fn tangent_of_a_missing_result() {
    let mut t = setup();
    let (mut args, results) = valid_joint(&t);
    args[2].2 = In(tangent(plain_out(7)));
    let (m, _) = build_func(&mut t.ctx, "f", &args, &results);
    assert_one_error(
        &t.ctx,
        m,
        "argument 2 is the tangent of output[7], but no result is described by PlainAOTOutput(idx=7)",
    );
}

#[test]
fn mutation_of_a_missing_argument() {
    let mut t = setup();
    let args = vec![Arg("x", t.s, In(plain(0)))];
    let results = vec![Res(t.s, Out(mutation(buffer("steps"))))];
    let (m, _) = build_func(&mut t.ctx, "f", &args, &results);
    assert_one_error(
        &t.ctx,
        m,
        "result 0 is the mutation of self.get_buffer('steps'), but no argument is described by BufferAOTInput(target='steps')",
    );
}

#[test]
fn intermediate_base_of_a_missing_result() {
    let mut t = setup();
    let args = vec![Arg("x", t.s, In(plain(0)))];
    let results = vec![
        Res(t.s, Out(plain_out(0))),
        Res(
            t.s,
            Out(AotOutput::IntermediateBase {
                base_of: Box::new(plain_out(1)),
            }),
        ),
    ];
    let (m, _) = build_func(&mut t.ctx, "f", &args, &results);
    assert_one_error(
        &t.ctx,
        m,
        "result 1 is the intermediate base of output[1], but no result is described by PlainAOTOutput(idx=1)",
    );
}

#[test]
fn references_through_subclass_pieces_are_found() {
    let mut t = setup();
    let piece = |attr: &str| AotInput::SubclassAttr {
        base: Box::new(plain(0)),
        attr: attr.into(),
    };
    let grad_piece = |attr: &str| AotOutput::SubclassAttr {
        base: Box::new(grad(plain(0))),
        attr: attr.into(),
    };
    let args = vec![
        Arg("a", t.x, In(piece("a"))),
        Arg("b", t.x, In(piece("b"))),
        Arg("tg", t.s, In(tangent(plain_out(0)))),
    ];
    let results = vec![
        Res(t.s, Out(plain_out(0))),
        Res(t.x, Out(grad_piece("a"))),
        Res(t.x, Out(grad_piece("b"))),
    ];
    let (m, _) = build_func(&mut t.ctx, "f", &args, &results);
    assert_eq!(errors(&t.ctx, m), Vec::<String>::new());
}

#[test]
fn gradient_and_tangent_types_match_their_slots() {
    let mut t = setup();
    let (args, mut results) = valid_joint(&t);
    results[1].0 = t.x;
    let (m, _) = build_func(&mut t.ctx, "f", &args, &results);
    assert_one_error(
        &t.ctx,
        m,
        "result 1 is the gradient of argument 0 but its type differs from the argument's type",
    );

    let mut t = setup();
    let (mut args, results) = valid_joint(&t);
    args[2].1 = t.w;
    let (m, _) = build_func(&mut t.ctx, "f", &args, &results);
    assert_one_error(
        &t.ctx,
        m,
        "argument 2 is the tangent of result 0 but its type differs from the result's type",
    );
}

#[test]
fn none_grad_needs_none_type_and_none_type_needs_none_grad() {
    let mut t = setup();
    let (args, mut results) = valid_joint(&t);
    results[2].0 = t.x;
    let (m, _) = build_func(&mut t.ctx, "f", &args, &results);
    assert_one_error(
        &t.ctx,
        m,
        "result 2 carries #aot.none_grad, which marks a missing gradient and needs result type 'none'",
    );

    let mut t = setup();
    let (args, mut results) = valid_joint(&t);
    results[2].1 = Out(grad(plain(0)));
    let (m, _) = build_func(&mut t.ctx, "f", &args, &results);
    assert_one_error(
        &t.ctx,
        m,
        "result 2 has type 'none', which only #aot.none_grad gradient slots have",
    );
}

#[test]
fn every_primal_has_a_gradient_slot() {
    let mut t = setup();
    let (args, mut results) = valid_joint(&t);
    results.pop();
    let (m, _) = build_func(&mut t.ctx, "f", &args, &results);
    assert_one_error(
        &t.ctx,
        m,
        "argument 1 (PlainAOTInput(idx=0)) is a primal without a gradient slot: a joint function returns one #aot.grad or #aot.none_grad result per primal, in primal order",
    );
}

#[test]
fn gradient_slots_follow_primal_order() {
    let mut t = setup();
    let (args, mut results) = valid_joint(&t);
    results.swap(1, 2);
    let (m, _) = build_func(&mut t.ctx, "f", &args, &results);
    assert_one_error(
        &t.ctx,
        m,
        "gradient slots are out of primal order: result 2 is the slot of argument 0 but comes after result 1, the slot of argument 1",
    );
}

#[test]
fn forward_graphs_without_gradients_need_no_slots() {
    let mut t = setup();
    let args = vec![Arg("w", t.w, In(param("w"))), Arg("x", t.x, In(plain(0)))];
    let results = vec![
        Res(t.s, Out(plain_out(0))),
        Res(t.x, Out(AotOutput::SavedForBackwards { idx: 0 })),
        Res(t.x, Out(AotOutput::SavedForBackwardsNoVcCheck { idx: 1 })),
    ];
    let (m, _) = build_func(&mut t.ctx, "forward", &args, &results);
    assert_eq!(errors(&t.ctx, m), Vec::<String>::new());
}

#[test]
fn aot_none_op_verifies_its_shape() {
    let mut t = setup();
    let (args, results) = valid_joint(&t);
    let (m, f) = build_func(&mut t.ctx, "f", &args, &results);
    let body = t.ctx.body_block(f).unwrap();
    let w = t.ctx.block_args(body)[0];
    let first = t.ctx.first_op(body).unwrap();
    let mut b = joinery_ir::Builder::new(&mut t.ctx, joinery_ir::InsertPoint::Before(first));
    let none = b.ctx.none_type();
    b.build("aot.none", &[], &[none], vec![]);
    assert_eq!(errors(&t.ctx, m), Vec::<String>::new());
    let mut b = joinery_ir::Builder::new(&mut t.ctx, joinery_ir::InsertPoint::Before(first));
    b.build("aot.none", &[w], &[none], vec![]);
    assert_one_error(
        &t.ctx,
        m,
        "'aot.none' takes no operands and has one result of type 'none'",
    );
}
