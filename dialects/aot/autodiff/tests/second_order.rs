//! Second derivatives by differentiating a joint's backward: the joint `aot-make-joint`
//! builds for a small forward `f(w, x)` becomes, by `aot-grad-as-forward`, the forward
//! function `g(w, x, t) = d<t, f(w, x)>/dw` (its tangents plain inputs, its gradients plain
//! outputs), and `aot-make-joint` differentiates `g` in turn. The gradient of `<t2, g>` with respect to `w` is then the
//! Hessian-vector product `H t2`, which must equal central differences of `g` along `t2`
//! (f64, the reference interpreter), as `torch.autograd.grad(create_graph=True)` computes
//! it by differentiating the backward graph.

use joinery_autodiff::{JointOptions, make_joint};
use joinery_graphgen::fixtures::{context, inputs, parse};
use joinery_interp::{Tensor, run_function};
use joinery_ir::{Context, OpId};

/// Small forwards of a parameter `%w` and an input `%x`, each returning one f64 value.
const FORWARDS: &[(&str, &str)] = &[
    (
        "mm-tanh-sum",
        "%y = aten.mm %x, %w : (tensor<4x3xf64>, tensor<3x2xf64>) -> tensor<4x2xf64>
         %a = aten.tanh %y : (tensor<4x2xf64>) -> tensor<4x2xf64>
         %r = aten.sum %a : (tensor<4x2xf64>) -> tensor<f64>",
    ),
    (
        "mm-sigmoid-square-mean",
        "%y = aten.mm %x, %w : (tensor<4x3xf64>, tensor<3x2xf64>) -> tensor<4x2xf64>
         %s = aten.sigmoid %y : (tensor<4x2xf64>) -> tensor<4x2xf64>
         %q = aten.mul.Tensor %s, %s : (tensor<4x2xf64>, tensor<4x2xf64>) -> tensor<4x2xf64>
         %r = aten.mean %q : (tensor<4x2xf64>) -> tensor<f64>",
    ),
    (
        "mm-relu-square-sum",
        "%y = aten.mm %x, %w : (tensor<4x3xf64>, tensor<3x2xf64>) -> tensor<4x2xf64>
         %a = aten.relu %y : (tensor<4x2xf64>) -> tensor<4x2xf64>
         %q = aten.mul.Tensor %a, %a : (tensor<4x2xf64>, tensor<4x2xf64>) -> tensor<4x2xf64>
         %r = aten.sum %q : (tensor<4x2xf64>) -> tensor<f64>",
    ),
    (
        "mm-exp-log-softmax-nll",
        "%y = aten.mm %x, %w : (tensor<4x3xf64>, tensor<3x2xf64>) -> tensor<4x2xf64>
         %e = aten.exp %y : (tensor<4x2xf64>) -> tensor<4x2xf64>
         %s = aten.sum.dim_IntList %e {dim = [1], keepdim = true} : (tensor<4x2xf64>) -> tensor<4x1xf64>
         %l = aten.log %s : (tensor<4x1xf64>) -> tensor<4x1xf64>
         %d = aten.sub.Tensor %y, %l : (tensor<4x2xf64>, tensor<4x1xf64>) -> tensor<4x2xf64>
         %r = aten.sum %d : (tensor<4x2xf64>) -> tensor<f64>",
    ),
];

fn module_text(body: &str) -> String {
    format!(
        "func.func @f(%w: tensor<3x2xf64> {{aot.desc = #aot.param<\"w\">}}, \
         %x: tensor<4x3xf64> {{aot.desc = #aot.plain<0>}}) \
         -> (tensor<f64> {{aot.desc = #aot.plain_out<0>}}) {{\n{body}\n\
         func.return %r : tensor<f64>\n}}\n"
    )
}

/// `g(w, x, t) = d<t, f>/dw`: `f`'s joint as the forward function of its gradients.
fn grads_as_forward(ctx: &mut Context, func: OpId) {
    make_joint(ctx, func, &JointOptions::default()).expect("f differentiates");
    joinery_autodiff::grads_as_forward(ctx, func).expect("the joint has a gradient");
}

fn f64s(t: &Tensor) -> Vec<f64> {
    t.to_f64().iter().copied().collect()
}

fn check(name: &str, body: &str) -> Result<(), String> {
    let text = module_text(body);
    // g, to run for the finite differences.
    let mut gctx = context();
    let gmodule = parse(&mut gctx, name, &text);
    let g = gctx.lookup_symbol(gmodule, "f").expect("@f");
    grads_as_forward(&mut gctx, g);
    // g differentiated again.
    let mut hctx = context();
    let hmodule = parse(&mut hctx, name, &text);
    let h = hctx.lookup_symbol(hmodule, "f").expect("@f");
    grads_as_forward(&mut hctx, h);
    make_joint(&mut hctx, h, &JointOptions::default())
        .map_err(|d| format!("g does not differentiate: {d:?}"))?;
    let diags = joinery_ir::verify::verify(&hctx, hmodule);
    if !diags.is_empty() {
        return Err(format!("the second-order joint does not verify: {diags:?}"));
    }

    // w, x, t, then t2 (the second tangent, the direction of the Hessian-vector product).
    let all = inputs(&hctx, h, 5);
    let (wxt, t2) = (all[..3].to_vec(), all[3].clone());
    let out = run_function(&hctx, hmodule, "f", all)
        .map_err(|d| format!("the second-order joint fails: {d:?}"))?;
    // Results: g's output (d<t, f>/dw), then the gradient of <t2, g> for w, x and t.
    let hvp = f64s(out[1].as_tensor().ok_or("no gradient for w")?);

    let step = 1e-6;
    let at = |delta: f64| -> Result<Vec<f64>, String> {
        let mut moved = wxt.clone();
        let w = wxt[0].to_f64() + t2.to_f64() * delta;
        moved[0] = Tensor::from_f64(w, wxt[0].dtype());
        let out =
            run_function(&gctx, gmodule, "f", moved).map_err(|d| format!("g fails: {d:?}"))?;
        Ok(f64s(out[0].as_tensor().ok_or("g returns no tensor")?))
    };
    let (plus, minus) = (at(step)?, at(-step)?);
    for (k, (p, m)) in plus.iter().zip(&minus).enumerate() {
        let fd = (p - m) / (2.0 * step);
        if (fd - hvp[k]).abs() > 1e-5 * (1.0 + fd.abs()) {
            return Err(format!(
                "(H t2)[{k}]: finite differences {fd}, aot-make-joint twice {}",
                hvp[k]
            ));
        }
    }
    if hvp.iter().all(|v| *v == 0.0) {
        return Err("a zero Hessian-vector product checks nothing".to_string());
    }
    Ok(())
}

#[test]
fn differentiating_a_joints_gradients_gives_hessian_vector_products() {
    let failures: Vec<String> = FORWARDS
        .iter()
        .filter_map(|(name, body)| check(name, body).err().map(|e| format!("{name}: {e}")))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
