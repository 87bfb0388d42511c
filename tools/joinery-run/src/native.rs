//! The native side of `joinery-run`: loading a module for the LLVM backend, and picking
//! the function a command runs (tensors move between the interpreter and the runtime
//! through `joinery_interp::runtime`).

use joinery_ir::{Context, OpId, SourceMap};

/// Parses and verifies a module at any level with every dialect registered; errors are
/// rendered diagnostics.
pub fn load(path: &std::path::Path) -> Result<(Context, SourceMap, OpId), String> {
    let loaded = joinery_driver::load_module(path, &joinery_all::DIALECTS)?;
    Ok((loaded.ctx, loaded.sources, loaded.module))
}

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
