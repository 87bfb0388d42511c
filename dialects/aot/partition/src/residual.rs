//! A synthetic joint graph for tests and benchmarks: a deep residual stack
//! `x = x + gelu(linear(layer_norm(x)))` with a sum loss, as `aot_export_joint_with_descriptors`
//! produces it at core-ATen level. Per layer the joint has 4 parameters, 5 forward ops and
//! 11 backward ops (26 FX nodes counting PyTorch's `getitem`s, as in PyTorch's own graph).

use joinery_aot::{AotInput, AotOutput, DESC_KEY};
use joinery_ir::{Attribute, Builder, Context, InsertPoint, OpId, OperationState, Value};

/// Shape of the generated stack.
#[derive(Clone, Copy, Debug)]
pub struct ResidualStack {
    /// Number of layers.
    pub layers: usize,
    /// Rows of the activation.
    pub batch: u64,
    /// Width of the activation and of every layer.
    pub width: u64,
}

/// The parameters of one layer.
struct Layer {
    norm_weight: Value,
    norm_bias: Value,
    fc_weight: Value,
    fc_bias: Value,
}

/// What the forward of one layer leaves for its backward.
struct Saved {
    input: Value,
    norm_out: Value,
    mean: Value,
    rstd: Value,
    weight_t: Value,
    addmm: Value,
}

impl ResidualStack {
    /// Builds `module { func.func @<name>(...) }`, the joint of the stack, and returns the
    /// module. Every argument and result carries its descriptor.
    pub fn build(&self, ctx: &mut Context, name: &str) -> OpId {
        let (b, d) = (self.batch, self.width);
        let f32 = ctx.float_type(joinery_ir::FloatKind::F32);
        let act = ctx.static_tensor_type(&[b, d], f32);
        let vec = ctx.static_tensor_type(&[d], f32);
        let mat = ctx.static_tensor_type(&[d, d], f32);
        let scalar = ctx.static_tensor_type(&[], f32);
        let none = ctx.none_type();

        let mut arg_types = Vec::new();
        let mut arg_descs = Vec::new();
        for i in 0..self.layers {
            for (suffix, ty) in [
                ("norm.weight", vec),
                ("norm.bias", vec),
                ("fc.weight", mat),
                ("fc.bias", vec),
            ] {
                arg_types.push(ty);
                arg_descs.push(AotInput::Param {
                    target: format!("layers.{i}.{suffix}"),
                });
            }
        }
        arg_types.push(act);
        arg_descs.push(AotInput::Plain { idx: 0 });
        arg_types.push(scalar);
        arg_descs.push(AotInput::Tangent {
            output: Box::new(AotOutput::Plain { idx: 0 }),
        });

        let block = ctx.create_block(&arg_types);
        let args = ctx.block_args(block).to_vec();
        let layers: Vec<Layer> = args[..4 * self.layers]
            .chunks(4)
            .map(|p| Layer {
                norm_weight: p[0],
                norm_bias: p[1],
                fc_weight: p[2],
                fc_bias: p[3],
            })
            .collect();
        let (x0, tangent) = (args[4 * self.layers], args[4 * self.layers + 1]);
        for (i, &a) in args.iter().enumerate() {
            let n = if i <= 4 * self.layers {
                format!("primals_{}", i + 1)
            } else {
                "tangents_1".to_string()
            };
            ctx.set_value_name(a, Some(&n));
        }

        let mut bld = Builder::new(ctx, InsertPoint::End(block));
        let mut saved = Vec::with_capacity(self.layers);
        let mut x = x0;
        for layer in &layers {
            let shape = int_array(bld.ctx, &[d as i64]);
            let f64_type = bld.ctx.float_type(joinery_ir::FloatKind::F64);
            let eps = bld.ctx.float_attr(1e-5, f64_type);
            let ln = aten(
                &mut bld,
                "aten.native_layer_norm",
                &[x, layer.norm_weight, layer.norm_bias],
                vec![("normalized_shape", shape), ("eps", eps)],
            );
            let (norm_out, mean, rstd) = (
                bld.ctx.result(ln, 0),
                bld.ctx.result(ln, 1),
                bld.ctx.result(ln, 2),
            );
            let weight_t = value(&mut bld, "aten.t", &[layer.fc_weight], vec![]);
            let addmm = value(
                &mut bld,
                "aten.addmm",
                &[layer.fc_bias, norm_out, weight_t],
                vec![],
            );
            let gelu = value(&mut bld, "aten.gelu", &[addmm], vec![]);
            let next = value(&mut bld, "aten.add.Tensor", &[x, gelu], vec![]);
            saved.push(Saved {
                input: x,
                norm_out,
                mean,
                rstd,
                weight_t,
                addmm,
            });
            x = next;
        }
        let loss = value(&mut bld, "aten.sum", &[x], vec![]);
        let size = int_array(bld.ctx, &[b as i64, d as i64]);
        let mut grad = value(&mut bld, "aten.expand", &[tangent], vec![("size", size)]);
        let mut grads: Vec<[Value; 4]> = Vec::with_capacity(self.layers);
        for (layer, s) in layers.iter().zip(&saved).rev() {
            let gelu_grad = value(&mut bld, "aten.gelu_backward", &[grad, s.addmm], vec![]);
            let t1 = value(&mut bld, "aten.t", &[s.weight_t], vec![]);
            let grad_norm = value(&mut bld, "aten.mm", &[gelu_grad, t1], vec![]);
            let t2 = value(&mut bld, "aten.t", &[gelu_grad], vec![]);
            let mm1 = value(&mut bld, "aten.mm", &[t2, s.norm_out], vec![]);
            let t3 = value(&mut bld, "aten.t", &[mm1], vec![]);
            let dim = int_array(bld.ctx, &[0]);
            let keep = bld.ctx.bool_attr(true);
            let sum = value(
                &mut bld,
                "aten.sum.dim_IntList",
                &[gelu_grad],
                vec![("dim", dim), ("keepdim", keep)],
            );
            let view_size = int_array(bld.ctx, &[d as i64]);
            let bias_grad = value(&mut bld, "aten.view", &[sum], vec![("size", view_size)]);
            let weight_grad = value(&mut bld, "aten.t", &[t3], vec![]);
            let shape = int_array(bld.ctx, &[d as i64]);
            let t = bld.ctx.bool_attr(true);
            let mask = bld.ctx.array_attr(vec![t, t, t]);
            let lnb = aten(
                &mut bld,
                "aten.native_layer_norm_backward",
                &[
                    grad_norm,
                    s.input,
                    s.mean,
                    s.rstd,
                    layer.norm_weight,
                    layer.norm_bias,
                ],
                vec![("normalized_shape", shape), ("output_mask", mask)],
            );
            let (gx, gw, gb) = (
                bld.ctx.result(lnb, 0),
                bld.ctx.result(lnb, 1),
                bld.ctx.result(lnb, 2),
            );
            grad = value(&mut bld, "aten.add.Tensor", &[grad, gx], vec![]);
            grads.push([gw, gb, weight_grad, bias_grad]);
        }
        grads.reverse();
        let none_op = bld.build("aot.none", &[], &[none], vec![]);
        let none_value = bld.ctx.result(none_op, 0);

        let mut returned = vec![loss];
        let mut res_types = vec![scalar];
        let mut res_descs = vec![AotOutput::Plain { idx: 0 }];
        for (k, g) in grads.iter().flatten().enumerate() {
            returned.push(*g);
            res_types.push(arg_types[k]);
            res_descs.push(AotOutput::Grad {
                grad_of: Box::new(arg_descs[k].clone()),
            });
        }
        returned.push(none_value);
        res_types.push(none);
        res_descs.push(AotOutput::NoneGrad {
            grad_of: Box::new(AotInput::Plain { idx: 0 }),
        });
        bld.build("func.return", &returned, &[], vec![]);

        let arg_attrs = desc_dicts(ctx, &arg_descs, AotInput::to_attr);
        let res_attrs = desc_dicts(ctx, &res_descs, AotOutput::to_attr);
        let region = ctx.create_region();
        ctx.append_block(region, block);
        let fn_type = ctx.function_type(arg_types, res_types);
        let mut state = OperationState::new(ctx.op_name("func.func"));
        state.attrs = vec![
            ("sym_name".into(), ctx.string_attr(name)),
            ("function_type".into(), ctx.type_attr(fn_type)),
            ("arg_attrs".into(), ctx.array_attr(arg_attrs)),
            ("res_attrs".into(), ctx.array_attr(res_attrs)),
        ];
        state.regions = vec![region];
        let func = ctx.create_op(state);
        let module = ctx.create_module();
        let body = ctx.body_block(module).expect("a module has a body");
        ctx.append_op(body, func);
        module
    }
}

fn desc_dict(ctx: &mut Context, desc: Attribute) -> Attribute {
    ctx.dictionary_attr(vec![(DESC_KEY.to_string(), desc)])
}

fn desc_dicts<D>(
    ctx: &mut Context,
    descs: &[D],
    to_attr: fn(&D, &mut Context) -> Attribute,
) -> Vec<Attribute> {
    descs
        .iter()
        .map(|d| {
            let attr = to_attr(d, ctx);
            desc_dict(ctx, attr)
        })
        .collect()
}

fn int_array(ctx: &mut Context, values: &[i64]) -> Attribute {
    let items = values.iter().map(|&v| ctx.integer_attr(v, 64)).collect();
    ctx.array_attr(items)
}

/// Builds an aten op with inferred result types; the generator's ops are well-formed by
/// construction, so inference cannot fail.
fn aten(
    b: &mut Builder<'_>,
    name: &str,
    operands: &[Value],
    attrs: Vec<(&str, Attribute)>,
) -> OpId {
    let attrs = attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    joinery_aten::build(b, name, operands, attrs)
        .unwrap_or_else(|e| panic!("the residual generator built an invalid op: {e}"))
}

fn value(
    b: &mut Builder<'_>,
    name: &str,
    operands: &[Value],
    attrs: Vec<(&str, Attribute)>,
) -> Value {
    let op = aten(b, name, operands, attrs);
    b.ctx.result(op, 0)
}
