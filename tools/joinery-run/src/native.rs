//! The native side of `joinery-run`: loading a module for the LLVM backend, and `train`
//! (tensors move between the interpreter and the runtime through `joinery_interp::runtime`).

use joinery_ir::{Context, OpId, SourceMap};

/// Parses and verifies a module at any level with every dialect registered; errors are
/// rendered diagnostics.
pub fn load(path: &std::path::Path) -> Result<(Context, SourceMap, OpId), String> {
    let loaded = joinery_driver::load_module(path, &joinery_all::DIALECTS)?;
    Ok((loaded.ctx, loaded.sources, loaded.module))
}
