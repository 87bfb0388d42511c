//! `joinery-run --interpret FILE.mlir --fn NAME --inputs DIR --outputs DIR`: parses and
//! verifies a module, runs one function with the reference interpreter on `.npy` inputs
//! and writes its results as `.npy` files. `--native FILE.mlir` runs the same function
//! compiled by the LLVM backend instead, and `--via-mlir FILE.mlir` exported to upstream
//! MLIR and run by MLIR's own lowering and execution engine (`joinery_aten_to_mlir::exec`).
//! Every command picks the module's only candidate when `--fn` is not given, and lists the
//! candidates when there are several.
//!
//! `joinery-run train FILE.mlir --params DIR --inputs DIR --save DIR` trains a joint graph
//! natively from exported weights on the user's samples with SGD or Adam ([`train`]); `joinery-run bench FILE.mlir` times a function
//! compiled natively ([`bench`]).
//!
//! Argument `i` is read from `DIR/arg{i}.npy`, or else from `DIR/<name>.npy` where
//! `<name>` is the argument's SSA name (`primals_1.npy` for `%primals_1`). Result `j` is
//! written to `out{j}.npy`; a `None` result (a masked-out gradient) writes no file and is
//! reported on stderr.

mod bench;
mod flags;
mod native;
mod train;

use clap::{Parser, Subcommand};
use joinery_interp::{RunOptions, RuntimeValue, Tensor, run_function_with};
use joinery_ir::{Context, OpId};
use std::path::{Path, PathBuf};

/// Command-line arguments.
#[derive(Parser, Debug)]
#[command(
    name = "joinery-run",
    about = "Run joinery IR with the reference interpreter or natively, or train a joint graph",
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// The module to interpret (MLIR text).
    #[arg(
        long,
        value_name = "FILE.mlir",
        required_unless_present_any = ["native", "via_mlir"],
        conflicts_with_all = ["native", "via_mlir"]
    )]
    interpret: Option<PathBuf>,
    /// The module to compile with the native (LLVM) backend and run.
    #[arg(long, value_name = "FILE.mlir", conflicts_with = "via_mlir")]
    native: Option<PathBuf>,
    /// The module to export to upstream MLIR and run with MLIR's lowering and execution
    /// engine.
    #[arg(long, value_name = "FILE.mlir")]
    via_mlir: Option<PathBuf>,
    /// The function to run (default: the module's only function).
    #[arg(long = "fn", value_name = "NAME")]
    func: Option<String>,
    /// Directory holding the inputs (`arg0.npy`, ... or `<argument name>.npy`).
    #[arg(long, value_name = "DIR", required = true)]
    inputs: Option<PathBuf>,
    /// Directory to write the results to (`out0.npy`, ...); created if missing.
    #[arg(long, value_name = "DIR", required = true)]
    outputs: Option<PathBuf>,
    /// Seed of random ops such as `native_dropout`: random op `k` draws from stream
    /// `(seed, k)`, the same numbers with `--interpret`, `--native` and `--via-mlir`.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Print each step (load, compile, run, write) and its time on stderr (the default when
    /// stderr is a terminal).
    #[arg(long)]
    progress: bool,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
enum Command {
    /// Train a joint graph natively: from exported weights and .npy samples (or synthetic
    /// ones), with SGD or Adam compiled as a graph, saving what it trained.
    Train(Box<train::TrainArgs>),
    /// Time a function compiled natively (compile time, median call time, work per call).
    Bench(bench::BenchArgs),
}

fn main() {
    let cli = Cli::parse();
    if let Some(Command::Train(args)) = &cli.command
        && let Err(message) = args.check()
    {
        use clap::CommandFactory;
        let mut cli = Cli::command();
        cli.build();
        cli.find_subcommand_mut("train")
            .expect("train is a subcommand")
            .error(clap::error::ErrorKind::ArgumentConflict, message)
            .exit();
    }
    std::process::exit(joinery_driver::guard::tool_main(|| match &cli.command {
        Some(Command::Train(args)) => train::train(args),
        Some(Command::Bench(args)) => bench::bench(args),
        None => run(&cli),
    }));
}

/// Runs the command; the error is the text to print (rendered diagnostics included).
fn run(cli: &Cli) -> Result<(), String> {
    let (Some(inputs), Some(outputs)) = (&cli.inputs, &cli.outputs) else {
        return Err("error: --inputs and --outputs are required\n".into());
    };
    let Some(path) = cli
        .native
        .as_ref()
        .or(cli.via_mlir.as_ref())
        .or(cli.interpret.as_ref())
    else {
        return Err("error: give --interpret FILE, --native FILE or --via-mlir FILE\n".into());
    };
    let total = if cli.native.is_some() { 4 } else { 3 };
    let mut steps = joinery_pass::Progress::new(cli.progress).steps(total);
    let (mut ctx, mut sources, module, func, args) = steps.run("load", || {
        let (ctx, sources, module) = native::load(path)?;
        let candidates = joinery_native::function_names(&ctx, module);
        let func = native::pick_function(cli.func.as_deref(), &candidates, path)?;
        let args = read_inputs(&ctx, module, &func, inputs).map_err(|e| format!("error: {e}\n"))?;
        Ok::<_, String>((ctx, sources, module, func, args))
    })?;
    let options = RunOptions {
        seed: cli.seed,
        offset: 0,
    };
    let results = if cli.native.is_some() {
        run_native(&mut ctx, module, &func, &args, cli.seed, &mut steps)
            .map_err(|e| e.render(&ctx, &mut sources))?
    } else if cli.via_mlir.is_some() {
        steps
            .run(&format!("run @{func} through MLIR"), || {
                joinery_aten_to_mlir::exec::run_function(&mut ctx, module, &func, &args, &options)
            })
            .map_err(|d| joinery_driver::render_located(&ctx, &mut sources, &[d]))?
    } else {
        steps
            .run(&format!("interpret @{func}"), || {
                run_function_with(&ctx, module, &func, args, &options)
            })
            .map_err(|d| joinery_driver::render_located(&ctx, &mut sources, &[d]))?
    };
    steps
        .run("write outputs", || write_outputs(&results, outputs))
        .map_err(|e| format!("error: {e}\n"))
}

/// Why a native run failed: a compiler diagnostic or a runtime error message.
enum NativeError {
    Compile(joinery_ir::Diagnostic),
    Run(String),
}

impl NativeError {
    fn render(self, ctx: &Context, sources: &mut joinery_ir::SourceMap) -> String {
        match self {
            NativeError::Compile(d) => joinery_driver::render_located(ctx, sources, &[d]),
            NativeError::Run(message) => format!("{message}\n"),
        }
    }
}

/// `--native`: compiles `func` with the LLVM backend (JIT) and runs it on the inputs, each
/// a step of `steps`.
fn run_native(
    ctx: &mut Context,
    module: OpId,
    func: &str,
    args: &[Tensor],
    seed: u64,
    steps: &mut joinery_pass::Steps,
) -> Result<Vec<RuntimeValue>, NativeError> {
    let threads = flags::threads(None).map_err(NativeError::Run)?;
    let (modules, _) = steps
        .run(&format!("compile @{func}"), || {
            joinery_native::compile_and_load(ctx, module, &[func.to_string()], threads)
        })
        .map_err(NativeError::Compile)?;
    let mut rt_args: Vec<_> = args
        .iter()
        .map(joinery_interp::runtime::to_runtime)
        .collect();
    modules[0].set_rng_state(joinery_runtime::RngState { seed, offset: 0 });
    let results = steps
        .run(&format!("run @{func}"), || modules[0].call(&mut rt_args))
        .map_err(|e| NativeError::Run(e.to_string()))?;
    results
        .iter()
        .map(|r| match r {
            Some(t) => joinery_interp::runtime::from_runtime(t).map(RuntimeValue::Tensor),
            None => Ok(RuntimeValue::None),
        })
        .collect::<Result<_, _>>()
        .map_err(NativeError::Run)
}

/// Reads one `.npy` per argument of `func`, by index or by SSA name.
fn read_inputs(ctx: &Context, module: OpId, func: &str, dir: &Path) -> Result<Vec<Tensor>, String> {
    let Some(f) = ctx.lookup_symbol(module, func) else {
        return Err(format!("no function named @{func} in the module"));
    };
    let args = ctx.body_block(f).map_or(&[][..], |b| ctx.block_args(b));
    args.iter()
        .enumerate()
        .map(|(i, &arg)| {
            let by_index = dir.join(format!("arg{i}.npy"));
            let path = match ctx.value_name(arg) {
                Some(name) if !by_index.exists() => dir.join(format!("{name}.npy")),
                _ => by_index,
            };
            let bytes = std::fs::read(&path)
                .map_err(|e| format!("cannot read input #{i} from {}: {e}", path.display()))?;
            Tensor::read_npy(&bytes).map_err(|e| format!("{}: {e}", path.display()))
        })
        .collect()
}

/// Writes `out{j}.npy` for every tensor result.
fn write_outputs(results: &[RuntimeValue], dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for (j, r) in results.iter().enumerate() {
        match r {
            RuntimeValue::Tensor(t) => {
                let path = dir.join(format!("out{j}.npy"));
                let bytes = t.write_npy()?;
                std::fs::write(&path, bytes)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            }
            RuntimeValue::None => eprintln!("note: result #{j} is None; out{j}.npy not written"),
        }
    }
    Ok(())
}
