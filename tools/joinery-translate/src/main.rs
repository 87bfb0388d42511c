//! `joinery-translate`: takes joinery IR out of the compiler.
//!
//! - `--to-kernels`: the L3 `kernel` dialect (fused loop nests, GEMM calls, memory plan).
//! - `--to-llvm`: the LLVM IR of the kernels (optimised at `default<O3>` for this host
//!   unless `--no-opt`), each kernel preceded by a comment naming its source ops.
//! - `--to-shared-lib OUT.so --header OUT.h`: ahead-of-time output the runtime loads
//!   without LLVM.
//!
//! `--fn NAME` picks functions (default: every function with a body); `--partition`
//! first splits each joint function into forward and backward (`aot-partition`).

use clap::Parser;
use joinery_ir::{Context, SourceMap};
use std::path::PathBuf;
use std::process::ExitCode;

/// Command-line arguments.
#[derive(Parser, Debug)]
#[command(
    name = "joinery-translate",
    about = "Translate joinery IR to kernels, LLVM IR or a shared library"
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
}

fn main() -> ExitCode {
    match run(&Cli::parse()) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprint!("{message}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> Result<String, String> {
    let text = std::fs::read_to_string(&cli.input)
        .map_err(|e| format!("error: cannot read {}: {e}\n", cli.input.display()))?;
    let mut sources = SourceMap::default();
    let file = sources.add(cli.input.display().to_string(), text);
    let mut ctx = Context::new(&[
        &joinery_func::FUNC_DIALECT,
        &joinery_aot::AOT_DIALECT,
        &joinery_aten::ATEN_DIALECT,
        &joinery_backend::KERNEL_DIALECT,
    ]);
    let module = joinery_syntax::parse_source(&mut ctx, &sources, file)
        .map_err(|d| joinery_diagnostics::render(&sources, &d))?;
    let problems = joinery_ir::verify::verify(&ctx, module);
    if problems.iter().any(|d| d.is_error()) {
        return Err(joinery_diagnostics::render(&sources, &problems));
    }
    let render = |d: joinery_ir::Diagnostic| joinery_diagnostics::render(&sources, &[d]);
    let mut functions = if cli.functions.is_empty() {
        joinery_backend::function_names(&ctx, module)
    } else {
        cli.functions.clone()
    };
    let mut diffs = Vec::new();
    if cli.partition {
        let mut split = Vec::new();
        for name in &functions {
            let func = ctx
                .lookup_symbol(module, name)
                .ok_or_else(|| format!("error: no function named @{name}\n"))?;
            let p = joinery_partition::partition_joint(&mut ctx, func, &Default::default())
                .map_err(render)?;
            let fwd_results = joinery_func::signature(&ctx, p.forward).map_or(0, |(_, r)| r.len());
            diffs.push(joinery_runtime::plan::DiffSpec {
                name: name.clone(),
                forward: split.len(),
                backward: split.len() + 1,
                num_fwd_outputs: fwd_results - p.saved_tensors,
                num_saved: p.saved_tensors,
            });
            for f in [p.forward, p.backward] {
                split.push(ctx.symbol_name(f).unwrap_or_default().to_string());
            }
        }
        functions = split;
    }
    let mut native = joinery_backend::compile(&mut ctx, module, &functions).map_err(render)?;
    native.bundle.diffs = diffs;
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
        return joinery_backend::llvm_ir(&ctx, native.l3, !cli.no_opt).map_err(render);
    }
    if let Some(lib) = &cli.to_shared_lib {
        let header = cli
            .header
            .clone()
            .unwrap_or_else(|| lib.with_extension("h"));
        joinery_backend::write_shared_library(&ctx, &native, lib, &header).map_err(render)?;
        return Ok(format!(
            "wrote {} and {}\n",
            lib.display(),
            header.display()
        ));
    }
    Err("error: give one of --to-kernels, --to-llvm, --to-shared-lib\n".into())
}
