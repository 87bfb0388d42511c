//! `joinery-run train FILE.mlir`: compiles a joint graph to a native differentiable
//! function (partitioned into forward and backward, JIT-compiled) and trains it. A module
//! partitioned already (`joinery-opt --aot-partition`) trains its forward/backward pair as
//! it is, named by the joint it was split from; a forward-only function (the bridge's
//! `export --forward-only`) is first differentiated into its joint by `aot-make-joint`.
//!
//! - Parameters and buffers start from `--params DIR` (`DIR/<name>.npy`, named by their
//!   descriptors, as the bridge's `--data` export writes them under `params/`), else
//!   parameters as PyTorch's `nn.Linear` does (uniform in `±1/sqrt(fan_in)`) and buffers at
//!   zero. Buffers follow the joint's input mutations (batch-norm statistics).
//! - The samples come from `--inputs DIR` (`DIR/input<k>.npy` for user input `k`, samples
//!   along the leading dimension), else from [`SYNTHETIC_BATCHES`] synthetic batches
//!   ([`data::Dataset::synthetic`]). `--holdout F` keeps a share of them for an evaluation
//!   (forward only) after every epoch; the rest is dealt into mini-batches of the joint's
//!   batch size, shuffled every epoch from `--seed` unless `--no-shuffle`.
//! - The update is an optimizer graph compiled by the same backend ([`optim`]): SGD with
//!   momentum or Adam, PyTorch's formulas.
//! - `--save DIR` writes the trained parameters and buffers in the layout `--params`
//!   reads; `--log FILE` a CSV of the loss per step and the evaluation loss per epoch.
//! - Progress: on a terminal, one progress bar with the step, loss and throughput; off one,
//!   a plain line per step on stdout.

mod data;
mod optim;

use crate::native::load;
use clap::Args;
use data::{Dataset, InputSlot, Rng, Split};
use indicatif::{ProgressBar, ProgressStyle};
use joinery_aot::{AotInput, AotOutput, FuncDescriptors};
use joinery_runtime::{DType, DifferentiableFn, Tensor};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Number of synthetic batches when no `--inputs` are given.
pub const SYNTHETIC_BATCHES: usize = 4;

/// Steps when neither `--steps` nor `--epochs` is given and there are no `--inputs`.
const DEFAULT_STEPS: usize = 20;

/// Arguments of `joinery-run train`.
#[derive(Args, Debug)]
pub struct TrainArgs {
    /// The module holding the joint graph (MLIR text).
    #[arg(value_name = "FILE.mlir")]
    pub file: PathBuf,
    /// The joint function, or the joint a forward/backward pair of the module was split
    /// from (default: the module's only one).
    #[arg(long = "fn", value_name = "NAME")]
    pub func: Option<String>,
    /// Number of steps (at least 1; default: one epoch of --inputs, else 20).
    #[arg(long, value_parser = crate::flags::at_least_one, conflicts_with = "epochs")]
    pub steps: Option<usize>,
    /// Number of passes over the training samples (at least 1).
    #[arg(long, value_parser = crate::flags::at_least_one)]
    pub epochs: Option<usize>,
    /// Directory of the initial parameters and buffers, `<name>.npy` each (the bridge's
    /// `--data DIR` export writes them to `DIR/params`).
    #[arg(long, value_name = "DIR")]
    pub params: Option<PathBuf>,
    /// Directory of the samples: `input<k>.npy` for user input `k`, samples along the
    /// leading dimension.
    #[arg(long, value_name = "DIR")]
    pub inputs: Option<PathBuf>,
    /// Share of the samples held out and evaluated (forward only) after every epoch.
    #[arg(long, value_name = "FRACTION", default_value_t = 0.0, allow_hyphen_values = true,
          value_parser = crate::flags::fraction)]
    pub holdout: f64,
    /// Keep the samples in file order (no shuffling; the held-out ones are the last).
    #[arg(long)]
    pub no_shuffle: bool,
    /// The update rule.
    #[arg(long, value_enum, default_value_t = optim::Kind::Sgd)]
    pub optimizer: optim::Kind,
    /// Learning rate (finite, at least 0; default 0.1 for sgd, 0.001 for adam).
    #[arg(long, allow_hyphen_values = true, value_parser = crate::flags::learning_rate)]
    pub lr: Option<f64>,
    /// SGD's momentum (finite, at least 0; default 0).
    #[arg(long, allow_hyphen_values = true, value_parser = crate::flags::non_negative)]
    pub momentum: Option<f64>,
    /// L2 penalty added to the gradients (finite, at least 0).
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true,
          value_parser = crate::flags::non_negative)]
    pub weight_decay: f64,
    /// Adam's coefficients B1,B2, each in [0, 1) (default 0.9,0.999).
    #[arg(long, value_name = "B1,B2", allow_hyphen_values = true,
          value_parser = crate::flags::betas)]
    pub betas: Option<(f64, f64)>,
    /// Adam's term added to the denominator (finite, at least 0; default 1e-8).
    #[arg(long, allow_hyphen_values = true, value_parser = crate::flags::non_negative)]
    pub eps: Option<f64>,
    /// Directory to write the trained parameters and buffers to (`<name>.npy` each, what
    /// --params reads); created if missing.
    #[arg(long, value_name = "DIR")]
    pub save: Option<PathBuf>,
    /// CSV file of `step,epoch,loss,eval_loss` (the evaluation loss on epoch ends).
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,
    /// Seed of the shuffles, the synthetic data and initial parameters, and of the random
    /// ops (dropout): step `c` draws from offset `c * (random ops)`, a fresh mask every step.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Worker threads (default: JOINERY_NUM_THREADS or all cores).
    #[arg(long, value_parser = crate::flags::thread_count)]
    pub threads: Option<usize>,
}

impl TrainArgs {
    /// Checks the flags against each other: the message of a flag that does not apply.
    pub fn check(&self) -> Result<(), String> {
        match self.optimizer {
            optim::Kind::Sgd if self.betas.is_some() || self.eps.is_some() => {
                Err("--betas and --eps apply to --optimizer adam, not sgd".into())
            }
            optim::Kind::Adam if self.momentum.is_some() => {
                Err("--momentum applies to --optimizer sgd, not adam (see --betas)".into())
            }
            _ => Ok(()),
        }
    }

    /// The optimizer the flags describe, with PyTorch's defaults.
    fn optimizer(&self) -> optim::Config {
        let adam = self.optimizer == optim::Kind::Adam;
        optim::Config {
            kind: self.optimizer,
            lr: self.lr.unwrap_or(if adam { 1e-3 } else { 0.1 }),
            momentum: self.momentum.unwrap_or(0.0),
            weight_decay: self.weight_decay,
            betas: self.betas.unwrap_or((0.9, 0.999)),
            eps: self.eps.unwrap_or(1e-8),
        }
    }
}

/// What an argument of the joint is for.
#[derive(Clone, Debug)]
enum Role {
    /// `#aot.param<name>`: trained.
    Param(String),
    /// `#aot.buffer<name>`: read and saved, changed only by the joint's mutations.
    Buffer(String),
    /// `#aot.plain<k>`: fed from the data.
    Input(usize),
    /// The tangent of an output: ones (the loss's gradient).
    Tangent,
    /// Anything else: zeros.
    Other,
}

/// One argument of the joint.
struct Arg {
    role: Role,
    shape: Vec<usize>,
    dtype: DType,
    /// The descriptor as PyTorch prints it, for messages.
    desc: String,
}

/// Runs the command; the error is the text to print.
pub fn train(args: &TrainArgs) -> Result<(), String> {
    let (mut ctx, mut sources, module) = load(&args.file)?;
    differentiate_forwards(&mut ctx, module)
        .map_err(|d| joinery_driver::render_located(&ctx, &mut sources, &d))?;
    let candidates = joinery_native::differentiable_names(&ctx, module);
    let name = crate::native::pick_function(args.func.as_deref(), &candidates, &args.file)?;
    let view = joint_view(&ctx, module, &name).map_err(|e| format!("error: {e}\n"))?;
    let joint = arguments(&ctx, &view)?;
    let primals = joint
        .iter()
        .position(|a| matches!(a.role, Role::Tangent))
        .unwrap_or(joint.len());
    if joint[primals..]
        .iter()
        .any(|a| !matches!(a.role, Role::Tangent))
    {
        return Err(format!(
            "error: @{name} takes primals after its tangents; a joint takes its primals first\n"
        ));
    }
    // Labels stay below the class count of the loss that reads them (2 without one).
    let classes = joinery_aten::nll_loss_classes(&ctx, view.forward).map_or(2, |c| c as usize);
    let descs = &view.descs;
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

    let slots = input_slots(&joint[..primals])?;
    let mut rng = Rng(args.seed ^ 0x5eed);
    let mut values = match &args.params {
        Some(dir) => read_state(dir, &joint[..primals])?,
        None => initial_state(&joint[..primals], &mut rng),
    };
    let dataset = match &args.inputs {
        Some(dir) => Dataset::load(dir, &slots).map_err(|e| format!("error: {e}\n"))?,
        None => Dataset::synthetic(&slots, SYNTHETIC_BATCHES, classes, &mut rng),
    };
    let batch = dataset.batch();
    let shuffle = !args.no_shuffle;
    let split = Split::new(dataset.len, args.holdout, batch, shuffle, &mut rng)
        .map_err(|e| format!("error: {e}\n"))?;
    let per_epoch = split.train.len() / batch;
    let total = match (args.steps, args.epochs) {
        (Some(steps), _) => steps,
        (None, Some(epochs)) => epochs.checked_mul(per_epoch).ok_or_else(|| {
            format!("error: --epochs {epochs} of {per_epoch} steps each is too many steps\n")
        })?,
        (None, None) if args.inputs.is_some() => per_epoch,
        (None, None) => DEFAULT_STEPS,
    };

    let threads = crate::flags::threads(args.threads)?;
    let t0 = Instant::now();
    let (f, native) = joinery_native::compile_differentiable(&mut ctx, module, &name, threads)
        .map_err(|d| joinery_driver::render_located(&ctx, &mut sources, &[d]))?;
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
    // The parameters the optimizer updates: those with a gradient (in argument order),
    // and the result slot of each gradient among the backward's results.
    let nfwd = f.num_outputs();
    let trained: Vec<(usize, usize)> = grad_of
        .iter()
        .enumerate()
        .skip(nfwd)
        .filter_map(|(j, p)| p.map(|p| (p, j - nfwd)))
        .filter(|&(p, _)| matches!(joint[p].role, Role::Param(_)) && joint[p].dtype == DType::F32)
        .collect();
    if trained.is_empty() {
        return Err(format!(
            "error: @{name} has no f32 parameter with a gradient to train\n"
        ));
    }
    let config = args.optimizer();
    let t0 = Instant::now();
    let shapes: Vec<Vec<usize>> = trained
        .iter()
        .map(|&(p, _)| joint[p].shape.clone())
        .collect();
    let mut optimizer = optim::Optimizer::compile(&mut ctx, &config, &shapes, threads)
        .map_err(|d| joinery_driver::render_located(&ctx, &mut sources, &[d]))?;
    eprintln!(
        "compiled @{} ({}, {} parameters) natively in {:.0} ms",
        optim::STEP_FN,
        config.kind.name(),
        shapes.len(),
        t0.elapsed().as_secs_f64() * 1e3
    );

    let buffers: Vec<usize> = (0..primals)
        .filter(|&i| matches!(joint[i].role, Role::Buffer(_)))
        .collect();
    let tangent_shapes: Vec<Vec<usize>> =
        joint[primals..].iter().map(|a| a.shape.clone()).collect();
    let mut report = Report::new(total as u64, args.log.as_deref())?;
    let mut order = split.train.clone();
    let mut position = per_epoch;
    let mut epoch = 0;
    let mut losses: (Option<f32>, f32) = (None, 0.0);
    let mut last_eval = None;
    let mut total_time = Duration::ZERO;
    for step in 1..=total {
        if position == per_epoch {
            epoch += 1;
            position = 0;
            if shuffle {
                rng.shuffle(&mut order);
            }
        }
        dataset.fill(
            &order[position * batch..(position + 1) * batch],
            &mut values,
        );
        position += 1;
        let t = Instant::now();
        let (outs, saved) = f
            .forward(&mut values)
            .map_err(|e| format!("error: {e}\n"))?;
        let loss = loss_of(&outs, loss_slot, &name)?;
        let tangents: Vec<Tensor<'static>> = tangent_shapes
            .iter()
            .map(|shape| Tensor::from_vec(shape, vec![1.0f32; shape.iter().product()]))
            .collect();
        let mut grads = f
            .backward(saved, tangents)
            .map_err(|e| format!("error: {e}\n"))?;
        let mut params = Vec::with_capacity(trained.len());
        let mut gradients = Vec::with_capacity(trained.len());
        for &(p, g) in &trained {
            params.push(std::mem::replace(
                &mut values[p],
                Tensor::zeros(DType::F32, &[0]),
            ));
            gradients.push(grads[g].take().ok_or_else(|| {
                format!(
                    "error: the backward gave no gradient for {}\n",
                    joint[p].desc
                )
            })?);
        }
        for (&(p, _), new) in trained.iter().zip(optimizer.step(params, gradients)?) {
            values[p] = new;
        }
        let dt = t.elapsed();
        total_time += dt;
        losses = (losses.0.or(Some(loss)), loss);
        let epoch_end = position == per_epoch || step == total;
        let eval = if epoch_end && !split.eval.is_empty() {
            let e = evaluate(
                &f,
                &dataset,
                &split.eval,
                &buffers,
                &mut values,
                loss_slot,
                &name,
            )?;
            last_eval = Some(e);
            Some(e)
        } else {
            None
        };
        report.step(step, epoch, loss, eval, batch as f64 / dt.as_secs_f64())?;
    }
    report.finish()?;
    let mean = total_time.as_secs_f64() / total as f64;
    let eval = last_eval.map_or(String::new(), |e| {
        format!(", held-out loss {e:.4} on {} samples", split.eval.len())
    });
    println!(
        "trained {total} steps ({epoch} epochs of {per_epoch} batches of {batch}): loss {:.4} -> {:.4}{eval}; mean step {:.2} ms, {:.0} samples/s ({threads} threads)",
        losses.0.unwrap_or(f32::NAN),
        losses.1,
        mean * 1e3,
        batch as f64 / mean,
    );
    if let Some(dir) = &args.save {
        save_state(dir, &joint[..primals], &values)?;
        println!("saved the parameters and buffers to {}", dir.display());
    }
    Ok(())
}

/// The loss: result `slot` of the forward, an `f32` tensor with an element.
fn loss_of(outs: &[Option<Tensor<'static>>], slot: usize, name: &str) -> Result<f32, String> {
    outs.get(slot)
        .and_then(|o| o.as_ref())
        .filter(|t| t.dtype() == DType::F32)
        .and_then(|t| t.as_slice::<f32>().first().copied())
        .ok_or_else(|| {
            format!("error: the loss (result #{slot} of @{name}) must be an f32 tensor with an element\n")
        })
}

/// The mean loss over the held-out samples `eval` (whole batches), forward only; buffers
/// and the random state are as they were before.
fn evaluate(
    f: &DifferentiableFn,
    dataset: &Dataset,
    eval: &[usize],
    buffers: &[usize],
    values: &mut [Tensor<'static>],
    loss_slot: usize,
    name: &str,
) -> Result<f32, String> {
    let kept: Vec<Tensor<'static>> = buffers
        .iter()
        .map(|&i| values[i].to_owned_tensor())
        .collect();
    let rng = f.rng_state();
    let mut sum = 0.0f64;
    let mut count = 0usize;
    for indices in eval.chunks_exact(dataset.batch()) {
        dataset.fill(indices, values);
        let (outs, _) = f.forward(values).map_err(|e| format!("error: {e}\n"))?;
        sum += f64::from(loss_of(&outs, loss_slot, name)?);
        count += 1;
    }
    f.set_rng_state(rng);
    for (&i, t) in buffers.iter().zip(kept) {
        values[i] = t;
    }
    Ok((sum / count.max(1) as f64) as f32)
}

/// The joint's arguments with their roles, shapes and dtypes (`f32` and `i64` only).
fn arguments(ctx: &joinery_ir::Context, view: &JointView) -> Result<Vec<Arg>, String> {
    view.arg_types
        .iter()
        .zip(&view.descs.args)
        .enumerate()
        .map(|(i, (&ty, slot))| {
            let (shape, dt) = joinery_kernel::static_info(ctx, ty).ok_or_else(|| {
                format!("error: argument #{i} of the joint is not a statically shaped tensor\n")
            })?;
            let dtype = match dt {
                joinery_aten::DType::F32 => DType::F32,
                joinery_aten::DType::I64 => DType::I64,
                other => {
                    return Err(format!(
                        "error: train supports f32 and i64 arguments, not {} (argument #{i})\n",
                        other.keyword()
                    ));
                }
            };
            let role = match slot.desc() {
                Some(AotInput::Param { target }) => Role::Param(target.clone()),
                Some(AotInput::Buffer { target }) => Role::Buffer(target.clone()),
                Some(AotInput::Plain { idx }) => Role::Input(*idx),
                Some(AotInput::Tangent { .. }) => Role::Tangent,
                _ => Role::Other,
            };
            Ok(Arg {
                role,
                shape: shape.iter().map(|&d| d as usize).collect(),
                dtype,
                desc: slot.desc().map_or_else(
                    || format!("argument #{i}"),
                    |d| format!("{d} (argument #{i})"),
                ),
            })
        })
        .collect()
}

/// The user inputs the data feeds; each needs a leading batch dimension, the same for all.
fn input_slots(primals: &[Arg]) -> Result<Vec<InputSlot>, String> {
    let mut slots: Vec<InputSlot> = Vec::new();
    for (i, a) in primals.iter().enumerate() {
        let Role::Input(idx) = a.role else { continue };
        let Some(&b) = a.shape.first() else {
            return Err(format!(
                "error: {} is a 0-d tensor: train needs user inputs with a leading batch dimension\n",
                a.desc
            ));
        };
        if let Some(first) = slots.first().filter(|s| s.shape[0] != b) {
            return Err(format!(
                "error: {} has a batch of {b}, user input {} a batch of {}: train needs one batch size\n",
                a.desc, first.idx, first.shape[0]
            ));
        }
        slots.push(InputSlot {
            arg: i,
            idx,
            shape: a.shape.clone(),
            dtype: a.dtype,
        });
    }
    Ok(slots)
}

/// Parameters as `nn.Linear` initialises them (uniform in `±1/sqrt(fan_in)`, `fan_in`
/// from the last parameter of rank 2 or more), everything else zero.
fn initial_state(primals: &[Arg], rng: &mut Rng) -> Vec<Tensor<'static>> {
    let mut fan_in = 1usize;
    primals
        .iter()
        .map(|a| match (&a.role, a.dtype) {
            (Role::Param(_), DType::F32) => {
                if a.shape.len() >= 2 {
                    fan_in = a.shape[1..].iter().product();
                }
                let bound = 1.0 / (fan_in as f32).sqrt();
                let n = a.shape.iter().product();
                Tensor::from_vec(
                    &a.shape,
                    (0..n)
                        .map(|_| (2.0 * rng.uniform() - 1.0) * bound)
                        .collect(),
                )
            }
            _ => Tensor::zeros(a.dtype, &a.shape),
        })
        .collect()
}

/// The name of a parameter or buffer, which names its file.
fn state_name(a: &Arg) -> Option<&str> {
    match &a.role {
        Role::Param(name) | Role::Buffer(name) => Some(name),
        _ => None,
    }
}

/// Every parameter and buffer from `DIR/<name>.npy` (shape and dtype checked); user inputs
/// and other arguments start at zero.
fn read_state(dir: &Path, primals: &[Arg]) -> Result<Vec<Tensor<'static>>, String> {
    primals
        .iter()
        .map(|a| {
            let Some(name) = state_name(a) else {
                return Ok(Tensor::zeros(a.dtype, &a.shape));
            };
            let path = data::state_file(dir, name).map_err(|e| format!("error: {e}\n"))?;
            if !path.is_file() {
                return Err(format!(
                    "error: --params {}: missing {}, the value of {}\n",
                    dir.display(),
                    path.display(),
                    a.desc
                ));
            }
            let t = data::read_npy(&path).map_err(|e| format!("error: {e}\n"))?;
            data::check_tensor(&t, &a.shape, a.dtype, &path, &a.desc)
                .map_err(|e| format!("error: {e}\n"))?;
            Ok(t)
        })
        .collect()
}

/// Writes every parameter and buffer to `DIR/<name>.npy`.
fn save_state(dir: &Path, primals: &[Arg], values: &[Tensor<'static>]) -> Result<(), String> {
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("error: cannot create {}: {e}\n", dir.display()))?;
    for (a, t) in primals.iter().zip(values) {
        if let Some(name) = state_name(a) {
            let path = data::state_file(dir, name).map_err(|e| format!("error: {e}\n"))?;
            data::write_npy(&path, t).map_err(|e| format!("error: {e}\n"))?;
        }
    }
    Ok(())
}

/// Where progress goes: a progress bar on a terminal, else plain lines on stdout; and
/// the CSV log.
struct Report {
    bar: Option<ProgressBar>,
    log: Option<(PathBuf, std::io::BufWriter<std::fs::File>)>,
}

impl Report {
    fn new(steps: u64, log: Option<&Path>) -> Result<Report, String> {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(steps);
            bar.set_style(
                ProgressStyle::with_template(
                    "{bar:30.cyan/blue} {pos}/{len} steps  {msg}  [{elapsed_precise}<{eta}]",
                )
                .expect("valid template"),
            );
            bar
        });
        let log = match log {
            Some(path) => {
                let file = std::fs::File::create(path)
                    .map_err(|e| format!("error: cannot create {}: {e}\n", path.display()))?;
                let mut w = std::io::BufWriter::new(file);
                writeln!(w, "step,epoch,loss,eval_loss")
                    .map_err(|e| format!("error: cannot write {}: {e}\n", path.display()))?;
                Some((path.to_path_buf(), w))
            }
            None => None,
        };
        Ok(Report { bar, log })
    }

    /// Reports one step: its loss, the held-out loss at an epoch's end, and throughput.
    fn step(
        &mut self,
        step: usize,
        epoch: usize,
        loss: f32,
        eval: Option<f32>,
        samples_per_s: f64,
    ) -> Result<(), String> {
        let eval_text = eval.map_or(String::new(), |e| format!("  eval loss {e:.4}"));
        match &self.bar {
            Some(bar) => {
                bar.set_message(format!(
                    "epoch {epoch}  loss {loss:.4}  {samples_per_s:.0} samples/s"
                ));
                if eval.is_some() {
                    bar.println(format!("epoch {epoch} (step {step}){eval_text}"));
                }
                bar.inc(1);
            }
            None => println!(
                "step {step:>4}  epoch {epoch:>3}  loss {loss:.4}{eval_text}  {samples_per_s:>9.0} samples/s"
            ),
        }
        if let Some((path, w)) = &mut self.log {
            let eval = eval.map_or(String::new(), |e| e.to_string());
            writeln!(w, "{step},{epoch},{loss},{eval}")
                .map_err(|e| format!("error: cannot write {}: {e}\n", path.display()))?;
        }
        Ok(())
    }

    fn finish(self) -> Result<(), String> {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
        if let Some((path, mut w)) = self.log {
            w.flush()
                .map_err(|e| format!("error: cannot write {}: {e}\n", path.display()))?;
        }
        Ok(())
    }
}

/// Differentiates the module's forward-only functions in place with `aot-make-joint`
/// (user inputs do not require grad), so that a forward export trains as the joint
/// PyTorch would have exported; says so on stderr for each.
fn differentiate_forwards(
    ctx: &mut joinery_ir::Context,
    module: joinery_ir::OpId,
) -> Result<(), Vec<joinery_ir::Diagnostic>> {
    for func in joinery_autodiff::forward_functions(ctx, module) {
        let made = joinery_autodiff::make_joint(ctx, func, &Default::default())?;
        eprintln!(
            "differentiated the forward function @{} (aot-make-joint): {} tangents, {} gradients, {} backward ops",
            ctx.symbol_name(func).unwrap_or("?"),
            made.tangents,
            made.grads,
            made.backward_ops
        );
    }
    Ok(())
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
