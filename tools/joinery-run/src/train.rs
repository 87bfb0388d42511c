//! `joinery-run train EXAMPLE.mlir --steps N --lr X`: compiles a joint graph to a native
//! differentiable function (partitioned into forward and backward, JIT-compiled) and runs
//! SGD on synthetic data, printing the loss of every step, step time and throughput. A
//! module partitioned already (`joinery-opt --aot-partition`) trains its forward/backward
//! pair as it is, named by the joint it was split from.
//!
//! Parameters (`#aot.param`) start as PyTorch's `nn.Linear` does (uniform in
//! `±1/sqrt(fan_in)`). The data set is [`BATCHES`] batches drawn once and cycled: float
//! user inputs (`#aot.plain`) are standard normals; an integer user input is a class
//! label, given by a fixed random linear teacher over the first float input (argmax of
//! `x @ T`), so there is something to learn.

use crate::native::load;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use joinery_aot::{AotInput, AotOutput, FuncDescriptors};
use joinery_runtime::{DType, Tensor};
use std::path::PathBuf;
use std::time::Instant;

/// Number of distinct synthetic batches, cycled through by the steps.
pub const BATCHES: usize = 4;

/// Arguments of `joinery-run train`.
#[derive(Args, Debug)]
pub struct TrainArgs {
    /// The module holding the joint graph (MLIR text).
    #[arg(value_name = "EXAMPLE.mlir")]
    pub file: PathBuf,
    /// The joint function, or the joint a forward/backward pair of the module was split
    /// from (default: the module's only one).
    #[arg(long = "fn", value_name = "NAME")]
    pub func: Option<String>,
    /// Number of SGD steps (at least 1).
    #[arg(long, default_value_t = 20, value_parser = crate::flags::at_least_one)]
    pub steps: usize,
    /// Learning rate (finite, at least 0).
    #[arg(long, default_value_t = 0.1, allow_negative_numbers = true,
          value_parser = crate::flags::learning_rate)]
    pub lr: f32,
    /// Seed of the synthetic data and initial parameters, and of the random ops (dropout):
    /// step `c` draws from offset `c * (random ops)`, a fresh mask every step.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Worker threads (default: JOINERY_NUM_THREADS or all cores).
    #[arg(long, value_parser = crate::flags::thread_count)]
    pub threads: Option<usize>,
}

/// A small deterministic generator (SplitMix64) for synthetic data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn uniform(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }
    fn normal(&mut self) -> f32 {
        let u1 = self.uniform().max(1e-7);
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
    }
}

/// What each argument of the joint is for.
enum Role {
    Param,
    FloatInput,
    Label { classes: usize },
    Tangent,
    Other,
}

/// Runs the command; the error is the text to print.
pub fn train(args: &TrainArgs) -> Result<(), String> {
    let (mut ctx, sources, module) = load(&args.file)?;
    let render = |d: joinery_ir::Diagnostic| joinery_diagnostics::render(&sources, &[d]);
    let candidates = joinery_native::differentiable_names(&ctx, module);
    let name = crate::native::pick_function(args.func.as_deref(), &candidates, &args.file)?;
    let JointView {
        descs,
        arg_types,
        forward: func,
    } = joint_view(&ctx, module, &name).map_err(|e| format!("error: {e}\n"))?;
    let arg_types: Vec<(Vec<usize>, DType)> = arg_types
        .iter()
        .map(|&ty| {
            let (shape, dt) = joinery_kernel::static_info(&ctx, ty).ok_or_else(|| {
                "error: the joint needs statically shaped tensor arguments\n".to_string()
            })?;
            let dt = match dt {
                joinery_aten::DType::F32 => DType::F32,
                joinery_aten::DType::I64 => DType::I64,
                other => {
                    return Err(format!(
                        "error: train supports f32 and i64 arguments, not {}\n",
                        other.keyword()
                    ));
                }
            };
            Ok((shape.iter().map(|&d| d as usize).collect(), dt))
        })
        .collect::<Result<_, String>>()?;
    let classes = label_classes(&ctx, func);
    let roles: Vec<Role> = descs
        .args
        .iter()
        .zip(&arg_types)
        .map(|(s, (_, dt))| match s.desc() {
            Some(AotInput::Param { .. }) => Role::Param,
            Some(AotInput::Plain { .. }) if *dt == DType::F32 => Role::FloatInput,
            Some(AotInput::Plain { .. }) => Role::Label { classes },
            Some(AotInput::Tangent { .. }) => Role::Tangent,
            _ => Role::Other,
        })
        .collect();
    let loss_slot = descs
        .results
        .iter()
        .position(|s| matches!(s.desc(), Some(AotOutput::Plain { .. })))
        .ok_or("error: the joint has no plain output to use as the loss\n")?;
    let grad_of: Vec<Option<usize>> = descs
        .results
        .iter()
        .map(|s| match s.desc() {
            Some(AotOutput::Grad { grad_of }) => descs.arg_slot_for(grad_of),
            _ => None,
        })
        .collect();

    let threads = crate::flags::threads(args.threads)?;
    let t0 = Instant::now();
    let (f, native) =
        joinery_native::compile_differentiable(&mut ctx, module, &name, threads).map_err(render)?;
    let compile = t0.elapsed();
    f.set_rng_state(joinery_runtime::RngState {
        seed: args.seed,
        offset: 0,
    });
    eprintln!(
        "compiled @{} natively in {:.0} ms (lowering {:.0} ms, LLVM {:.0} ms): {}",
        name,
        compile.as_secs_f64() * 1e3,
        native.timings.lower.as_secs_f64() * 1e3,
        native.timings.llvm.as_secs_f64() * 1e3,
        native
            .reports
            .iter()
            .map(|r| format!(
                "@{} {} kernels + {} GEMMs, arena {} KiB",
                r.name,
                r.kernels,
                r.gemms,
                r.memory.arena_bytes / 1024
            ))
            .collect::<Vec<_>>()
            .join("; ")
    );

    let mut rng = Rng(args.seed ^ 0x5eed);
    // Initial parameters: nn.Linear's uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    let mut fan_in = 1usize;
    let mut inputs: Vec<Tensor<'static>> = Vec::new();
    for ((shape, dt), role) in arg_types.iter().zip(&roles) {
        let n: usize = shape.iter().product();
        let t = match (role, dt) {
            (Role::Param, DType::F32) => {
                if shape.len() >= 2 {
                    fan_in = shape[1..].iter().product();
                }
                let bound = 1.0 / (fan_in as f32).sqrt();
                Tensor::from_vec(
                    shape,
                    (0..n)
                        .map(|_| (2.0 * rng.uniform() - 1.0) * bound)
                        .collect(),
                )
            }
            (_, DType::F32) => Tensor::zeros(DType::F32, shape),
            _ => Tensor::zeros(*dt, shape),
        };
        inputs.push(t);
    }
    let first_x = roles.iter().position(|r| matches!(r, Role::FloatInput));
    let features = first_x.map_or(1, |i| arg_types[i].0.last().copied().unwrap_or(1));
    let teacher: Vec<f32> = (0..features * classes).map(|_| rng.normal()).collect();

    let batch = first_x.map_or(1, |i| arg_types[i].0.first().copied().unwrap_or(1));
    let dataset: Vec<Vec<Option<Tensor<'static>>>> = (0..BATCHES)
        .map(|_| synthetic_batch(&mut rng, &roles, &arg_types, first_x, features, &teacher))
        .collect();
    let pb = ProgressBar::new(args.steps as u64);
    pb.set_style(
        ProgressStyle::with_template(
            "{bar:30.cyan/blue} {pos}/{len} steps  loss {msg}  [{elapsed_precise}]",
        )
        .expect("valid template"),
    );
    let mut first_loss = None;
    let mut last_loss = 0.0f32;
    let mut total = std::time::Duration::ZERO;
    for step in 1..=args.steps {
        // The next synthetic batch (not timed).
        for (i, data) in dataset[(step - 1) % BATCHES].iter().enumerate() {
            if let Some(d) = data {
                inputs[i].bytes_mut().copy_from_slice(d.bytes());
            }
        }
        let t = Instant::now();
        // The forward takes the primals; the backward the saved values and tangents.
        let (primals, tangents): (Vec<usize>, Vec<usize>) =
            (0..inputs.len()).partition(|&i| !matches!(roles[i], Role::Tangent));
        let mut prim: Vec<Tensor<'_>> = primals
            .iter()
            .map(|&i| {
                // SAFETY: borrows inputs[i] for this call only; nothing else touches it.
                unsafe {
                    Tensor::from_raw(inputs[i].as_ptr(), inputs[i].dtype(), inputs[i].shape())
                }
            })
            .collect();
        let (outs, saved) = f.forward(&mut prim).map_err(|e| format!("{e}\n"))?;
        drop(prim);
        let tans: Vec<Tensor<'static>> = tangents
            .iter()
            .map(|&i| {
                let shape = arg_types[i].0.clone();
                Tensor::from_vec(&shape, vec![1.0f32; shape.iter().product()])
            })
            .collect();
        let grads = f.backward(saved, tans).map_err(|e| format!("{e}\n"))?;
        let loss = outs
            .get(loss_slot)
            .and_then(|o| o.as_ref())
            .filter(|t| t.dtype() == DType::F32)
            .and_then(|t| t.as_slice::<f32>().first().copied())
            .ok_or_else(|| {
                format!(
                    "error: the loss (result #{loss_slot} of @{}) must be an f32 tensor with an element\n",
                    name
                )
            })?;
        // SGD on every parameter that has a gradient.
        let nfwd = outs.len();
        for (j, g) in grads.iter().enumerate() {
            let Some(p) = grad_of.get(nfwd + j).copied().flatten() else {
                continue;
            };
            if let (Some(g), Role::Param) = (g, &roles[p]) {
                for (w, &d) in inputs[p]
                    .as_mut_slice::<f32>()
                    .iter_mut()
                    .zip(g.as_slice::<f32>())
                {
                    *w -= args.lr * d;
                }
            }
        }
        let dt = t.elapsed();
        total += dt;
        first_loss.get_or_insert(loss);
        last_loss = loss;
        let line = format!(
            "step {step:>4}  loss {loss:.4}  step {:>7.2} ms  {:>9.0} samples/s",
            dt.as_secs_f64() * 1e3,
            batch as f64 / dt.as_secs_f64()
        );
        if pb.is_hidden() {
            println!("{line}");
        } else {
            pb.println(line);
        }
        pb.set_message(format!("{loss:.4}"));
        pb.inc(1);
    }
    pb.finish_and_clear();
    let mean = total.as_secs_f64() / args.steps.max(1) as f64;
    println!(
        "trained {} steps: loss {:.4} -> {:.4}; mean step {:.2} ms, {:.0} samples/s ({} threads)",
        args.steps,
        first_loss.unwrap_or(f32::NAN),
        last_loss,
        mean * 1e3,
        batch as f64 / mean,
        threads
    );
    Ok(())
}

/// One batch of user inputs (`None` for other arguments): normals, and labels from the
/// teacher over the first float input.
fn synthetic_batch(
    rng: &mut Rng,
    roles: &[Role],
    arg_types: &[(Vec<usize>, DType)],
    first_x: Option<usize>,
    features: usize,
    teacher: &[f32],
) -> Vec<Option<Tensor<'static>>> {
    let mut out: Vec<Option<Tensor<'static>>> = roles
        .iter()
        .zip(arg_types)
        .map(|(role, (shape, _))| match role {
            Role::FloatInput => {
                let n = shape.iter().product();
                Some(Tensor::from_vec(
                    shape,
                    (0..n).map(|_| rng.normal()).collect(),
                ))
            }
            _ => None,
        })
        .collect();
    let x: Vec<f32> = first_x
        .and_then(|i| out[i].as_ref())
        .map(|t| t.as_slice::<f32>().to_vec())
        .unwrap_or_default();
    for (i, role) in roles.iter().enumerate() {
        if let Role::Label { classes } = role {
            let rows = arg_types[i].0.iter().product::<usize>();
            let labels: Vec<i64> = (0..rows)
                .map(|r| {
                    let row = x.get(r * features..(r + 1) * features).unwrap_or(&[]);
                    let score = |c: usize| -> f32 {
                        row.iter()
                            .enumerate()
                            .map(|(k, &v)| v * teacher[k * classes + c])
                            .sum()
                    };
                    (0..*classes)
                        .max_by(|&a, &b| score(a).total_cmp(&score(b)))
                        .unwrap_or(0) as i64
                })
                .collect();
            out[i] = Some(Tensor::from_vec(&arg_types[i].0, labels));
        }
    }
    out
}

/// A joint's signature as training sees it.
struct JointView {
    /// Descriptors of the joint's arguments (primals, then tangents) and results (forward
    /// outputs, then gradients).
    descs: FuncDescriptors,
    /// The type of each argument.
    arg_types: Vec<joinery_ir::Type>,
    /// The function computing the forward (the joint itself, or the pair's forward).
    forward: joinery_ir::OpId,
}

/// The signature of the joint `name`: the joint function's own, or for a forward/backward
/// pair split from it (`joinery-opt --aot-partition`) the joint's layout rebuilt from the
/// halves: the forward's arguments then the backward's tangents (its arguments after the
/// saved values), the forward outputs then the backward's gradients.
fn joint_view(
    ctx: &joinery_ir::Context,
    module: joinery_ir::OpId,
    name: &str,
) -> Result<JointView, String> {
    let read = |func: joinery_ir::OpId| {
        let descs = FuncDescriptors::read(ctx, func);
        let types = joinery_func::signature(ctx, func).map(|(inputs, _)| inputs);
        descs
            .zip(types)
            .ok_or_else(|| format!("@{} has no signature", ctx.symbol_name(func).unwrap_or("?")))
    };
    if let Some(func) = ctx.lookup_symbol(module, name) {
        let (descs, arg_types) = read(func)?;
        return Ok(JointView {
            descs,
            arg_types,
            forward: func,
        });
    }
    let pair = joinery_native::partitioned_pair(ctx, module, name).ok_or_else(|| {
        format!("no function named @{name} in the module, nor a forward/backward pair of it")
    })?;
    let lookup = |f: &str| {
        ctx.lookup_symbol(module, f)
            .ok_or_else(|| format!("the pair of @{name} names @{f}, which is not in the module"))
    };
    let (forward, backward) = (lookup(&pair.forward)?, lookup(&pair.backward)?);
    let (fwd, fwd_types) = read(forward)?;
    let (bwd, bwd_types) = read(backward)?;
    let mut descs = FuncDescriptors {
        args: fwd.args,
        results: fwd.results,
    };
    descs.args.extend(bwd.args.into_iter().skip(pair.num_saved));
    descs.results.truncate(pair.num_fwd_outputs);
    descs.results.extend(bwd.results);
    let mut arg_types = fwd_types;
    arg_types.extend(bwd_types.into_iter().skip(pair.num_saved));
    Ok(JointView {
        descs,
        arg_types,
        forward,
    })
}

/// The class count of a label input: the class dimension of the `nll_loss_forward` that
/// reads it, else 2.
fn label_classes(ctx: &joinery_ir::Context, func: joinery_ir::OpId) -> usize {
    ctx.walk(func)
        .into_iter()
        .find(|&op| ctx.name_str(op) == "aten.nll_loss_forward")
        .and_then(|op| {
            let t = ctx.value_type(ctx.operand(op, 0));
            ctx.tensor_parts(t)
                .and_then(|(s, _)| s.get(1).and_then(|d| d.extent()))
        })
        .map_or(2, |c| c as usize)
}
