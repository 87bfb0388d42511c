//! A finite-difference gradcheck of every row of the derivative table, in f64 with the
//! reference interpreter, as PyTorch's `gradcheck`: for each sample function (one per row,
//! `gradcheck_samples.txt`: `op | argument shapes | body`, whose `%r` is returned), every
//! float argument requires grad; the joint `aot-make-joint` builds, run with a random
//! tangent `t`, must return the gradient of `<t, f(x)>` that central differences give.
//! For every row with a forward rule, the JVP function `aot-make-jvp` builds, run with
//! random input tangents `v`, must return the directional derivative of `f` along `v`
//! that central differences give (PyTorch's `gradcheck(check_forward_ad=True)`).

use joinery_aot::{AotInput, AotOutput, FuncDescriptors};
use joinery_autodiff::{DERIVATIVES, Forward, JointOptions, derivative, make_joint, make_jvp};
use joinery_graphgen::fixtures::{context, inputs, parse};
use joinery_interp::{RuntimeValue, Tensor, run_function};
use joinery_ir::{Context, OpId};

/// One sample: the op its row names, the shapes of its f64 arguments, its body.
struct Sample<'a> {
    op: &'a str,
    shapes: Vec<&'a str>,
    body: Vec<&'a str>,
}

fn samples() -> Vec<Sample<'static>> {
    include_str!("gradcheck_samples.txt")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut parts = l.splitn(3, '|');
            let op = parts.next().expect("op");
            let shapes = parts.next().expect("shapes").split(',').collect();
            let body = parts.next().expect("body").split(';').collect();
            Sample { op, shapes, body }
        })
        .collect()
}

/// The type of `%r`: the first result type of the body's last op.
fn result_type(line: &str) -> &str {
    let after = &line[line.rfind("-> ").expect("a result type") + 3..];
    let after = after.strip_prefix('(').unwrap_or(after);
    after.split([',', ')']).next().expect("a type").trim()
}

fn module_text(s: &Sample) -> String {
    let args: Vec<String> = s
        .shapes
        .iter()
        .enumerate()
        .map(|(i, shape)| format!("%a{i}: tensor<{shape}xf64> {{aot.desc = #aot.plain<{i}>}}"))
        .collect();
    let last = s.body.last().expect("a body");
    let ty = result_type(last);
    format!(
        "module {{\n  func.func @f({}) -> ({ty} {{aot.desc = #aot.plain_out<0>}}) {{\n    {}\n    func.return %r : {ty}\n  }}\n}}\n",
        args.join(", "),
        s.body.join("\n    ")
    )
}

fn tensor(v: &RuntimeValue) -> Option<&Tensor> {
    v.as_tensor()
}

/// `<t, f(x)>` with the forward function.
fn loss(ctx: &Context, module: OpId, x: &[Tensor], tangent: &Tensor) -> f64 {
    let out = run_function(ctx, module, "f", x.to_vec()).expect("the forward runs");
    let y = tensor(&out[0]).expect("a tensor result").to_f64();
    y.iter()
        .zip(tangent.to_f64().iter())
        .map(|(a, b)| a * b)
        .sum()
}

fn check(sample: &Sample) -> Result<(), String> {
    let text = module_text(sample);
    let mut fctx = context();
    let fmodule = parse(&mut fctx, sample.op, &text);
    let mut jctx = context();
    let jmodule = parse(&mut jctx, sample.op, &text);
    let func = jctx.lookup_symbol(jmodule, "f").expect("@f");
    let ffunc = fctx.lookup_symbol(fmodule, "f").expect("@f");
    let every: Vec<i64> = (0..sample.shapes.len() as i64).collect();
    make_joint(
        &mut jctx,
        func,
        &JointOptions {
            plain_requires_grad: every,
        },
    )
    .map_err(|d| format!("aot-make-joint fails: {d:?}"))?;
    let diags = joinery_ir::verify::verify(&jctx, jmodule);
    if !diags.is_empty() {
        return Err(format!("the joint does not verify: {diags:?}"));
    }
    let descs = FuncDescriptors::read(&jctx, func).expect("descriptors");
    let tangents = descs
        .args
        .iter()
        .filter(|s| s.desc().is_some_and(AotInput::is_tangent))
        .count();
    if tangents != 1 {
        return Err(format!("{tangents} tangents for one differentiable output"));
    }
    let x = inputs(&fctx, ffunc, 7);
    let t = inputs(&jctx, func, 11).pop().expect("the tangent");
    let mut joint_inputs = x.clone();
    joint_inputs.push(t.clone());
    let results = run_function(&jctx, jmodule, "f", joint_inputs)
        .map_err(|d| format!("the joint fails: {d:?}"))?;
    let mut differentiated = 0;
    for (i, xi) in x.iter().enumerate() {
        let slot = &descs.results[1 + i];
        let grad = match slot.desc() {
            Some(AotOutput::Grad { .. }) => {
                differentiated += 1;
                Some(
                    tensor(&results[1 + i])
                        .expect("a gradient")
                        .to_f64()
                        .iter()
                        .copied()
                        .collect::<Vec<f64>>(),
                )
            }
            _ => None,
        };
        let base = xi.to_f64();
        let h = 1e-6;
        for (k, _) in base.iter().enumerate() {
            let at = |delta: f64| {
                let mut moved = base.clone();
                *moved.iter_mut().nth(k).expect("element k") += delta;
                let mut xs = x.clone();
                xs[i] = Tensor::from_f64(moved, xi.dtype());
                loss(&fctx, fmodule, &xs, &t)
            };
            let fd = (at(h) - at(-h)) / (2.0 * h);
            let an = grad.as_ref().map_or(0.0, |g| g[k]);
            if (fd - an).abs() > 1e-5 * (1.0 + an.abs()) {
                return Err(format!(
                    "d/d(arg {i})[{k}]: finite differences {fd}, aot-make-joint {an}"
                ));
            }
        }
    }
    if differentiated == 0 {
        return Err("no argument got a gradient".to_string());
    }
    Ok(())
}

#[test]
fn every_row_has_one_sample_and_no_sample_lacks_a_row() {
    let samples = samples();
    for row in DERIVATIVES {
        let n = samples.iter().filter(|s| s.op == row.op).count();
        assert_eq!(n, 1, "{}: {n} samples in gradcheck_samples.txt", row.op);
    }
    for s in &samples {
        assert!(
            DERIVATIVES.iter().any(|r| r.op == s.op),
            "sample of {}, which has no row",
            s.op
        );
        assert!(
            s.body.iter().any(|l| l.contains(&format!("\"{}\"", s.op))),
            "the sample of {} does not use it",
            s.op
        );
    }
}

#[test]
fn every_row_passes_gradcheck() {
    let failures: Vec<String> = samples()
        .iter()
        .filter_map(|s| check(s).err().map(|e| format!("{}: {e}", s.op)))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The JVP of the sample along random tangents against central differences of `f`.
fn check_forward(sample: &Sample) -> Result<(), String> {
    let text = module_text(sample);
    let mut fctx = context();
    let fmodule = parse(&mut fctx, sample.op, &text);
    let ffunc = fctx.lookup_symbol(fmodule, "f").expect("@f");
    let mut jctx = context();
    let jmodule = parse(&mut jctx, sample.op, &text);
    let func = jctx.lookup_symbol(jmodule, "f").expect("@f");
    let n = sample.shapes.len();
    let every: Vec<i64> = (0..n as i64).collect();
    make_jvp(
        &mut jctx,
        func,
        &JointOptions {
            plain_requires_grad: every,
        },
    )
    .map_err(|d| format!("aot-make-jvp fails: {d:?}"))?;
    let diags = joinery_ir::verify::verify(&jctx, jmodule);
    if !diags.is_empty() {
        return Err(format!("the JVP function does not verify: {diags:?}"));
    }
    let x = inputs(&fctx, ffunc, 7);
    let v: Vec<Tensor> = inputs(&jctx, func, 13).split_off(n);
    let mut all = x.clone();
    all.extend(v.iter().cloned());
    let out = run_function(&jctx, jmodule, "f", all)
        .map_err(|d| format!("the JVP function fails: {d:?}"))?;
    let jvp = tensor(&out[1]).ok_or("no tangent output")?.to_f64();
    let h = 1e-6;
    let at = |delta: f64| -> Vec<f64> {
        let moved: Vec<Tensor> = x
            .iter()
            .zip(&v)
            .map(|(xi, vi)| Tensor::from_f64(xi.to_f64() + vi.to_f64() * delta, xi.dtype()))
            .collect();
        let out = run_function(&fctx, fmodule, "f", moved).expect("the forward runs");
        tensor(&out[0])
            .expect("a tensor")
            .to_f64()
            .iter()
            .copied()
            .collect()
    };
    let (plus, minus) = (at(h), at(-h));
    for (k, (an, (p, m))) in jvp.iter().zip(plus.iter().zip(&minus)).enumerate() {
        let fd = (p - m) / (2.0 * h);
        if (fd - an).abs() > 1e-5 * (1.0 + an.abs()) {
            return Err(format!(
                "(J v)[{k}]: finite differences {fd}, aot-make-jvp {an}"
            ));
        }
    }
    Ok(())
}

#[test]
fn every_forward_rule_passes_a_jvp_check() {
    let with_forward: Vec<Sample> = samples()
        .into_iter()
        .filter(|s| derivative(s.op).is_some_and(|r| r.forward != Forward::None))
        .collect();
    assert!(
        with_forward.len() >= 90,
        "{} rows with a forward rule",
        with_forward.len()
    );
    let failures: Vec<String> = with_forward
        .iter()
        .filter_map(|s| check_forward(s).err().map(|e| format!("{}: {e}", s.op)))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
