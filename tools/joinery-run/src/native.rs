//! The native side of `joinery-run`: loading a module for the LLVM backend, and picking
//! the function a command runs (tensors move between the interpreter and the runtime
//! through `joinery_interp::runtime`).

use joinery_ir::{Context, OpId, SourceMap};

/// Parses and verifies a module at any level with every dialect registered, and
/// functionalizes it (`aot-functionalize`) when it holds references (`!aten.ref`: L0 code of
/// PyTorch's in-place and `out=` ops), so that every command runs values: a written argument
/// then comes back as an extra result (`#aot.input_mutation`) before the others. Errors
/// are rendered diagnostics.
pub fn load(path: &std::path::Path) -> Result<(Context, SourceMap, OpId), String> {
    let joinery_driver::LoadedModule {
        mut ctx,
        mut sources,
        module,
    } = joinery_driver::load_module(path, &joinery_all::DIALECTS)?;
    if joinery_aten::first_reference_op(&ctx, module).is_some() {
        joinery_pass::PassManager::parse(&joinery_all::passes(), FUNCTIONALIZE_PIPELINE)
            .map_err(|d| vec![d])
            .and_then(|mut pm| pm.run(&mut ctx, module).map(drop))
            .map_err(|d| joinery_driver::render_located(&ctx, &mut sources, &d))?;
    }
    Ok((ctx, sources, module))
}

/// What [`load`] runs on a module with references.
const FUNCTIONALIZE_PIPELINE: &str = "builtin.module(func.func(aot-functionalize))";

/// The function a command runs: `--fn NAME` when given, else the only one of `candidates`
/// (what the command can run in the module at `path`); none or several are an error that
/// lists them.
pub fn pick_function(
    requested: Option<&str>,
    candidates: &[String],
    path: &std::path::Path,
) -> Result<String, String> {
    if let Some(name) = requested {
        return Ok(name.to_string());
    }
    match candidates {
        [only] => Ok(only.clone()),
        [] => Err(format!(
            "error: {} holds no function this command can run\n",
            path.display()
        )),
        several => Err(format!(
            "error: {} holds {} functions this command can run (@{}): choose one with --fn NAME\n",
            path.display(),
            several.len(),
            several.join(", @")
        )),
    }
}
