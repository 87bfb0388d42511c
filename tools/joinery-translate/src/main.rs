//! `joinery-translate`: takes joinery IR out of the compiler.
//!
//! - `--to-kernels`: the L3 `kernel` dialect (fused loop nests, GEMM calls, memory plan).
//! - `--to-llvm`: the LLVM IR of the kernels (optimised at `default<O3>` for this host
//!   unless `--no-opt`), each kernel preceded by a comment naming its source ops.
//! - `--to-shared-lib OUT.so --header OUT.h`: ahead-of-time output the runtime loads
//!   without LLVM.
//! - `--to-mlir`: upstream MLIR (`func`, `tensor`, `linalg`, `arith`, `math`) built with
//!   melior and checked by MLIR's verifier (`joinery_aten_to_mlir`); the whole module.
//! - `--from-mlir`: the other way, for the subset that maps back (`func`, `linalg` named
//!   ops and pointwise or reducing `linalg.generic`, `arith`, `math`, `tensor`): the input
//!   is upstream MLIR and the output joinery's aten IR, verified by joinery.
//!
//! The input may be at any level: L1 joints, L2 forward/backward functions (their
//! `aot.joint_pair` ops become the library's differentiable pairs) or L3 kernels (planned
//! L3 is translated as it is). `--fn NAME` picks functions (default: every function with
//! a body); `--partition` first splits each joint function into forward and backward
//! (`aot-partition`).

use clap::Parser;
use joinery_pass::{Progress, Steps};
use std::path::PathBuf;

/// Command-line arguments.
#[derive(Parser, Debug)]
#[command(
    name = "joinery-translate",
    about = "Translate joinery IR to kernels, LLVM IR, a shared library or upstream MLIR, or upstream MLIR to joinery IR"
)]
struct Cli {
    /// Input module (MLIR text).
    input: PathBuf,
    /// Print the L3 kernel-dialect module.
    #[arg(long, group = "to")]
    to_kernels: bool,
    /// Print the LLVM IR of the kernels.
    #[arg(long, group = "to")]
    to_llvm: bool,
    /// Print the module as upstream MLIR (func, tensor, linalg, arith, math).
    #[arg(long, group = "to")]
    to_mlir: bool,
    /// Read the input as upstream MLIR and print it as joinery aten IR.
    #[arg(long, group = "to")]
    from_mlir: bool,
    /// Write a shared library (and its object file next to it).
    #[arg(long, group = "to", value_name = "OUT.so")]
    to_shared_lib: Option<PathBuf>,
    /// With --to-shared-lib: where to write the C header.
    #[arg(long, value_name = "OUT.h")]
    header: Option<PathBuf>,
    /// With --to-llvm: print the IR before optimisation.
    #[arg(long)]
    no_opt: bool,
    /// Functions to translate (repeatable; default: all with a body).
    #[arg(long = "fn", value_name = "NAME")]
    functions: Vec<String>,
    /// Split every joint function into forward and backward first.
    #[arg(long)]
    partition: bool,
    /// Print each step (load, lower, LLVM, ...) and its time on stderr (the default when
    /// stderr is a terminal).
    #[arg(long)]
    progress: bool,
}

fn main() {
    let cli = Cli::parse();
    std::process::exit(joinery_driver::guard::tool_main(|| {
        run(&cli).map(|text| print!("{text}"))
    }));
}

fn run(cli: &Cli) -> Result<String, String> {
    if cli.from_mlir {
        if cli.partition || !cli.functions.is_empty() {
            return Err(
                "error: --from-mlir imports the whole module; drop --fn and --partition\n".into(),
            );
        }
        return from_mlir(&cli.input, Progress::new(cli.progress).steps(2));
    }
    let total = if cli.to_llvm || cli.to_shared_lib.is_some() {
        3
    } else {
        2
    };
    let mut steps = Progress::new(cli.progress).steps(total);
    let loaded = steps.run("load", || {
        joinery_driver::load_module(&cli.input, &joinery_all::DIALECTS)
    })?;
    let (mut ctx, module, mut sources) = (loaded.ctx, loaded.module, loaded.sources);
    if cli.to_mlir {
        if cli.partition || !cli.functions.is_empty() {
            return Err("error: --to-mlir translates the whole module as it is; drop --fn and --partition\n".into());
        }
        return steps
            .run("export to MLIR", || {
                joinery_aten_to_mlir::to_mlir_text(&mut ctx, module)
            })
            .map_err(|d| joinery_driver::render_located(&ctx, &mut sources, &[d]));
    }
    let native = steps
        .run("lower to kernels", || {
            if cli.functions.is_empty() {
                joinery_native::compile_module(&mut ctx, module, cli.partition)
            } else if cli.partition {
                Err(joinery_ir::Diagnostic::error(
                    "--partition works on the whole module; drop --fn",
                ))
            } else {
                joinery_native::compile(&mut ctx, module, &cli.functions)
            }
        })
        .map_err(|d| joinery_driver::render_located(&ctx, &mut sources, &[d]))?;
    if cli.to_kernels {
        let mut out = String::new();
        for r in &native.reports {
            out.push_str(&format!(
                "// @{}: {} kernels, {} GEMMs; arena {} bytes (peak), {} bytes without reuse, {} bytes of results\n",
                r.name, r.kernels, r.gemms, r.memory.arena_bytes, r.memory.unshared_bytes, r.memory.output_bytes
            ));
        }
        out.push_str(&joinery_syntax::print_op(
            &ctx,
            native.l3,
            &Default::default(),
        ));
        return Ok(out);
    }
    if cli.to_llvm {
        return steps
            .run("translate to LLVM IR", || {
                joinery_native::llvm_ir(&ctx, native.l3, !cli.no_opt)
            })
            .map_err(|d| joinery_driver::render_located(&ctx, &mut sources, &[d]));
    }
    if let Some(lib) = &cli.to_shared_lib {
        let header = cli
            .header
            .clone()
            .unwrap_or_else(|| lib.with_extension("h"));
        steps
            .run("compile the shared library", || {
                joinery_native::write_shared_library(&ctx, native.l3, &native.bundle, lib, &header)
            })
            .map_err(|d| joinery_driver::render_located(&ctx, &mut sources, &[d]))?;
        return Ok(format!(
            "wrote {} and {}\n",
            lib.display(),
            header.display()
        ));
    }
    Err(
        "error: give one of --to-kernels, --to-llvm, --to-shared-lib, --to-mlir, --from-mlir\n"
            .into(),
    )
}

/// `--from-mlir`: imports the upstream MLIR file at `path` (`-`: stdin), then parses, verifies and
/// prints the joinery module (an error in the generated text is reported against it); the
/// two halves are the two `steps`.
fn from_mlir(path: &std::path::Path, mut steps: Steps) -> Result<String, String> {
    let mut sources = joinery_ir::SourceMap::default();
    let file = joinery_driver::read_source(path, &mut sources)?;
    let imported = steps
        .run("import MLIR", || {
            joinery_aten_to_mlir::import::from_mlir_text(&sources.file(file).text, file)
        })
        .map_err(|d| joinery_diagnostics::render(&sources, &[d]))?;
    let name = format!("{} (imported)", sources.file(file).name);
    let generated = sources.add(name, imported);
    let loaded = steps.run("parse and verify", || {
        joinery_driver::parse_verified(sources, generated, &joinery_all::DIALECTS)
    })?;
    Ok(joinery_syntax::print_op(
        &loaded.ctx,
        loaded.module,
        &Default::default(),
    ))
}
