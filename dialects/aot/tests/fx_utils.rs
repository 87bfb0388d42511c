//! The fx_utils queries on the worked example of descriptors.md §6 and on the hand-written
//! joint signatures of conformance items 6, 7 and 8 (§7), plus the descriptor table.

mod common;

use common::*;
use joinery_aot::{
    AotInput, AotOutput, all_input_and_grad, all_output_and_tangent, buffer_values,
    descriptor_table, named_buffers, named_params, param_and_grad, param_values,
    plain_input_and_grad, plain_output_and_tangent,
};
use joinery_ir::{Context, OpId, Value};

use D::{In, Out};

/// descriptors.md §6: Linear(3->2) + ReLU + sum loss with a mutated buffer `steps`, with
/// its real body (aten ops unregistered here) and `None` slots for `steps` and `x`.
fn linear_relu_joint(ctx: &mut Context) -> (OpId, OpId) {
    let w = f32_tensor(ctx, &[2, 3]);
    let b = f32_tensor(ctx, &[2]);
    let s = f32_tensor(ctx, &[]);
    let x = f32_tensor(ctx, &[4, 3]);
    let wt = f32_tensor(ctx, &[3, 2]);
    let h = f32_tensor(ctx, &[4, 2]);
    let ht = f32_tensor(ctx, &[2, 4]);
    let row = f32_tensor(ctx, &[1, 2]);
    let none = ctx.none_type();
    let args = vec![
        Arg("primals_1", w, In(param("lin.weight"))),
        Arg("primals_2", b, In(param("lin.bias"))),
        Arg("primals_3", s, In(buffer("steps"))),
        Arg("primals_4", x, In(plain(0))),
        Arg("tangents_1", s, In(tangent(plain_out(0)))),
    ];
    let results = vec![
        Res(s, Out(mutation(buffer("steps")))),
        Res(s, Out(plain_out(0))),
        Res(w, Out(grad(param("lin.weight")))),
        Res(b, Out(grad(param("lin.bias")))),
        Res(none, Out(none_grad(buffer("steps")))),
        Res(none, Out(none_grad(plain(0)))),
    ];
    let module = ctx.create_module();
    let func = empty_func(ctx, module, "joint", &args, &results);
    let body = ctx.body_block(func).unwrap();
    let a: Vec<Value> = ctx.block_args(body).to_vec();
    let one = ctx.integer_attr(1, 64);
    let zero = ctx.integer_attr(0, 64);
    let add = op(
        ctx,
        body,
        "add",
        "aten.add.Scalar",
        &[a[2]],
        s,
        vec![("other".into(), one)],
    );
    let t = op(ctx, body, "t", "aten.t", &[a[0]], wt, vec![]);
    let addmm = op(
        ctx,
        body,
        "addmm",
        "aten.addmm",
        &[a[1], a[3], t],
        h,
        vec![],
    );
    let relu = op(ctx, body, "relu", "aten.relu", &[addmm], h, vec![]);
    let sum_1 = op(ctx, body, "sum_1", "aten.sum", &[relu], s, vec![]);
    let size = {
        let (i4, i2) = (ctx.integer_attr(4, 64), ctx.integer_attr(2, 64));
        ctx.array_attr(vec![i4, i2])
    };
    let expand = op(
        ctx,
        body,
        "expand",
        "aten.expand",
        &[a[4]],
        h,
        vec![("size".into(), size)],
    );
    let tb = op(
        ctx,
        body,
        "threshold_backward",
        "aten.threshold_backward",
        &[expand, relu],
        h,
        vec![("threshold".into(), zero)],
    );
    let t_1 = op(ctx, body, "t_1", "aten.t", &[tb], ht, vec![]);
    let mm = op(ctx, body, "mm", "aten.mm", &[t_1, a[3]], w, vec![]);
    let t_2 = op(ctx, body, "t_2", "aten.t", &[mm], wt, vec![]);
    let gw = op(ctx, body, "t_3", "aten.t", &[t_2], w, vec![]);
    let dims = ctx.array_attr(vec![zero]);
    let keep = ctx.bool_attr(true);
    let sum_2 = op(
        ctx,
        body,
        "sum_2",
        "aten.sum.dim_IntList",
        &[tb],
        row,
        vec![("dim".into(), dims), ("keepdim".into(), keep)],
    );
    let two = ctx.integer_attr(2, 64);
    let size2 = ctx.array_attr(vec![two]);
    let gb = op(
        ctx,
        body,
        "view",
        "aten.view",
        &[sum_2],
        b,
        vec![("size".into(), size2)],
    );
    let n = op(ctx, body, "none", "aot.none", &[], none, vec![]);
    let mut bld = joinery_ir::Builder::new(ctx, joinery_ir::InsertPoint::End(body));
    bld.build("func.return", &[add, sum_1, gw, gb, n, n], &[], vec![]);
    (module, func)
}

fn name(ctx: &Context, v: Value) -> &str {
    ctx.value_name(v).unwrap()
}

#[test]
fn worked_example_verifies_and_answers_as_pytorch() {
    let mut ctx = context();
    let (module, f) = linear_relu_joint(&mut ctx);
    assert_eq!(errors(&ctx, module), Vec::<String>::new());

    let params = param_and_grad(&ctx, f).unwrap();
    assert_eq!(params.len(), 2);
    assert_eq!(params[0].input, param("lin.weight"));
    assert_eq!(name(&ctx, params[0].arg), "primals_1");
    assert_eq!(params[0].grad, Some(2));
    assert_eq!(name(&ctx, params[0].grad_value.unwrap()), "t_3");
    assert_eq!(params[1].grad, Some(3));
    assert_eq!(name(&ctx, params[1].grad_value.unwrap()), "view");
    assert_eq!(
        AotOutput::Grad {
            grad_of: Box::new(params[0].input.clone())
        }
        .expr(),
        "__grad(self.get_parameter('lin.weight'))"
    );

    let plain_inputs = plain_input_and_grad(&ctx, f).unwrap();
    assert_eq!(plain_inputs.len(), 1);
    assert_eq!(plain_inputs[0].input.to_string(), "PlainAOTInput(idx=0)");
    assert_eq!(name(&ctx, plain_inputs[0].arg), "primals_4");
    assert_eq!(plain_inputs[0].grad, None);

    let all_inputs = all_input_and_grad(&ctx, f).unwrap();
    let kinds: Vec<&str> = all_inputs
        .iter()
        .map(|e| e.input.kind().attr_name())
        .collect();
    assert_eq!(kinds, ["param", "param", "buffer", "plain", "tangent"]);
    assert_eq!(all_inputs[2].grad, None, "the buffer does not require grad");

    let outputs = all_output_and_tangent(&ctx, f).unwrap();
    assert_eq!(outputs.len(), 4);
    let with_tangent: Vec<&str> = outputs
        .iter()
        .filter(|e| e.tangent.is_some())
        .map(|e| name(&ctx, e.value))
        .collect();
    assert_eq!(with_tangent, ["sum_1"]);
    let sum = outputs.iter().find(|e| e.output == plain_out(0)).unwrap();
    assert_eq!(sum.tangent, Some(4));
    assert_eq!(name(&ctx, sum.tangent_value.unwrap()), "tangents_1");
    let plain_outputs = plain_output_and_tangent(&ctx, f).unwrap();
    assert_eq!(plain_outputs.len(), 1);

    let named: Vec<(String, &str)> = named_params(&ctx, f)
        .unwrap()
        .into_iter()
        .map(|(n, v)| (n, name(&ctx, v)))
        .collect();
    assert_eq!(
        named,
        [
            ("lin.weight".to_string(), "primals_1"),
            ("lin.bias".to_string(), "primals_2")
        ]
    );
    let buffers = named_buffers(&ctx, f).unwrap();
    assert_eq!(buffers.len(), 1);
    assert_eq!(buffers[0].0, "steps");
    assert_eq!(buffer_values(&ctx, f).unwrap(), vec![buffers[0].1]);
    assert_eq!(param_values(&ctx, f).unwrap().len(), 2);
}

#[test]
fn worked_example_table() {
    let mut ctx = context();
    let (_, f) = linear_relu_joint(&mut ctx);
    insta::assert_snapshot!(descriptor_table(&ctx, f));
}

/// A joint signature (the body only produces values of the right types).
fn signature(
    ctx: &mut Context,
    args: Vec<(&'static str, &[u64], AotInput)>,
    results: Vec<(Option<&[u64]>, AotOutput)>,
) -> (OpId, OpId) {
    let args: Vec<Arg> = args
        .into_iter()
        .map(|(n, shape, d)| Arg(n, f32_tensor(ctx, shape), In(d)))
        .collect();
    let results: Vec<Res> = results
        .into_iter()
        .map(|(shape, d)| {
            let ty = match shape {
                Some(s) => f32_tensor(ctx, s),
                None => ctx.none_type(),
            };
            Res(ty, Out(d))
        })
        .collect();
    build_func(ctx, "joint", &args, &results)
}

#[test]
fn conformance_6_simple_linear() {
    let mut ctx = context();
    let (m, f) = signature(
        &mut ctx,
        vec![
            ("primals_1", &[2, 3], param("linear.weight")),
            ("primals_2", &[2], param("linear.bias")),
            ("primals_3", &[4, 3], plain(0)),
            ("tangents_1", &[4, 2], tangent(plain_out(0))),
        ],
        vec![
            (Some(&[4, 2]), plain_out(0)),
            (Some(&[2, 3]), grad(param("linear.weight"))),
            (Some(&[2]), grad(param("linear.bias"))),
            (None, none_grad(plain(0))),
        ],
    );
    assert_eq!(errors(&ctx, m), Vec::<String>::new());
    assert_eq!(named_params(&ctx, f).unwrap().len(), 2);
    assert_eq!(named_buffers(&ctx, f).unwrap().len(), 0);
    assert_eq!(all_input_and_grad(&ctx, f).unwrap().len(), 4);
    assert!(
        param_and_grad(&ctx, f)
            .unwrap()
            .iter()
            .all(|e| e.grad.is_some())
    );
    let plain = plain_input_and_grad(&ctx, f).unwrap();
    assert_eq!(plain.len(), 1);
    assert_eq!(plain[0].grad, None);
    assert_eq!(all_output_and_tangent(&ctx, f).unwrap().len(), 3);
    let plain_out = plain_output_and_tangent(&ctx, f).unwrap();
    assert_eq!(plain_out.len(), 1);
    assert_eq!(plain_out[0].tangent, Some(3));
}

#[test]
fn conformance_7_conv_bn() {
    let mut ctx = context();
    let (m, f) = signature(
        &mut ctx,
        vec![
            ("primals_1", &[3, 1, 3, 3], param("conv.weight")),
            ("primals_2", &[3], param("conv.bias")),
            ("primals_3", &[3], param("bn.weight")),
            ("primals_4", &[3], param("bn.bias")),
            ("primals_5", &[3], buffer("bn.running_mean")),
            ("primals_6", &[3], buffer("bn.running_var")),
            ("primals_7", &[], buffer("bn.num_batches_tracked")),
            ("primals_8", &[2, 1, 4, 4], plain(0)),
            ("tangents_1", &[2, 3, 4, 4], tangent(plain_out(0))),
        ],
        vec![
            (Some(&[3]), mutation(buffer("bn.running_mean"))),
            (Some(&[3]), mutation(buffer("bn.running_var"))),
            (Some(&[]), mutation(buffer("bn.num_batches_tracked"))),
            (Some(&[2, 3, 4, 4]), plain_out(0)),
            (Some(&[3, 1, 3, 3]), grad(param("conv.weight"))),
            (Some(&[3]), grad(param("conv.bias"))),
            (Some(&[3]), grad(param("bn.weight"))),
            (Some(&[3]), grad(param("bn.bias"))),
            (None, none_grad(buffer("bn.running_mean"))),
            (None, none_grad(buffer("bn.running_var"))),
            (None, none_grad(buffer("bn.num_batches_tracked"))),
            (None, none_grad(plain(0))),
        ],
    );
    assert_eq!(errors(&ctx, m), Vec::<String>::new());
    let params: Vec<String> = named_params(&ctx, f)
        .unwrap()
        .into_iter()
        .map(|p| p.0)
        .collect();
    assert_eq!(params, ["conv.weight", "conv.bias", "bn.weight", "bn.bias"]);
    let buffers: Vec<String> = named_buffers(&ctx, f)
        .unwrap()
        .into_iter()
        .map(|p| p.0)
        .collect();
    assert_eq!(
        buffers,
        [
            "bn.running_mean",
            "bn.running_var",
            "bn.num_batches_tracked"
        ]
    );
    assert_eq!(buffer_values(&ctx, f).unwrap().len(), 3);
    let all = all_input_and_grad(&ctx, f).unwrap();
    assert_eq!(all.len(), 9);
    assert_eq!(all.iter().filter(|e| e.input.is_buffer()).count(), 3);
}

#[test]
fn conformance_8_multiple_outputs() {
    let mut ctx = context();
    let (m, f) = signature(
        &mut ctx,
        vec![
            ("primals_1", &[2, 3], param("linear1.weight")),
            ("primals_2", &[2], param("linear1.bias")),
            ("primals_3", &[4, 3], param("linear2.weight")),
            ("primals_4", &[4], param("linear2.bias")),
            ("primals_5", &[4, 3], plain(0)),
            ("tangents_1", &[4, 2], tangent(plain_out(0))),
            ("tangents_2", &[4, 4], tangent(plain_out(1))),
        ],
        vec![
            (Some(&[4, 2]), plain_out(0)),
            (Some(&[4, 4]), plain_out(1)),
            (Some(&[2, 3]), grad(param("linear1.weight"))),
            (Some(&[2]), grad(param("linear1.bias"))),
            (Some(&[4, 3]), grad(param("linear2.weight"))),
            (Some(&[4]), grad(param("linear2.bias"))),
            (None, none_grad(plain(0))),
        ],
    );
    assert_eq!(errors(&ctx, m), Vec::<String>::new());
    assert_eq!(all_output_and_tangent(&ctx, f).unwrap().len(), 6);
    let plain = plain_output_and_tangent(&ctx, f).unwrap();
    assert_eq!(plain.len(), 2);
    assert_eq!(
        plain.iter().map(|e| e.tangent).collect::<Vec<_>>(),
        [Some(5), Some(6)],
        "tangents in output order"
    );
    let params = param_and_grad(&ctx, f).unwrap();
    assert_eq!(params.len(), 4);
    assert_eq!(
        params.iter().map(|e| e.grad).collect::<Vec<_>>(),
        [Some(2), Some(3), Some(4), Some(5)],
        "grads in parameter order"
    );
}

#[test]
fn queries_refuse_subclass_pieces() {
    let mut ctx = context();
    let (_, f) = signature(
        &mut ctx,
        vec![(
            "a",
            &[2],
            AotInput::SubclassAttr {
                base: Box::new(plain(0)),
                attr: "a".into(),
            },
        )],
        vec![(Some(&[2]), plain_out(0))],
    );
    let err = all_input_and_grad(&ctx, f).unwrap_err();
    assert!(
        err.contains("argument 0 of @joint is a subclass piece (#aot.subclass_attr)"),
        "{err}"
    );
    assert!(named_params(&ctx, f).is_err());
    assert!(all_output_and_tangent(&ctx, f).is_err());
    // The table still works and pairs through the pieces.
    assert!(
        descriptor_table(&ctx, f)
            .contains("SubclassGetAttrAOTInput(base=PlainAOTInput(idx=0), attr='a')")
    );
}

#[test]
fn queries_need_descriptors_on_every_slot() {
    let mut ctx = context();
    let w = f32_tensor(&mut ctx, &[2]);
    let (_, f) = build_func(
        &mut ctx,
        "f",
        &[Arg("a", w, In(param("w"))), Arg("b", w, D::None)],
        &[Res(w, Out(plain_out(0)))],
    );
    assert_eq!(
        all_input_and_grad(&ctx, f).unwrap_err(),
        "argument 1 of @f has no descriptor"
    );
}
