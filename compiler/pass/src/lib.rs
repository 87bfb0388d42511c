//! Pass infrastructure modelled on MLIR's pass manager: declarative pass records
//! ([`PassInfo`]) with typed options and statistics, a [`PassRegistry`] of passes and named
//! pipelines, MLIR's pipeline text syntax, a [`PassManager`] with verify-each, IR dumps,
//! timing and statistics, the greedy pattern-rewrite driver, and the generic transforms
//! (`canonicalize`, `cse`, `dce`, `symbol-dce`, `inline`) and `view-op-graph`.
//!
//! Typical use (what `joinery-opt` does):
//!
//! ```text
//! let mut registry = PassRegistry::new();
//! register_generic_passes(&mut registry);
//! let mut pm = PassManager::parse(&registry, "builtin.module(canonicalize,cse)")?;
//! pm.ir_printing.after = PassFilter::All;
//! match pm.run(&mut ctx, module) { Ok(warnings) => .., Err(diagnostics) => .. }
//! ```

pub mod greedy;
pub mod manager;
pub mod options;
pub mod pass;
pub mod passes;
pub mod pipeline;
pub mod progress;
pub mod registry;

pub use greedy::{GreedyConfig, GreedyOutcome, PatternSet, apply_patterns_greedily};
pub use manager::{IrPrinting, PassFilter, PassManager};
pub use options::{OptionKind, OptionValue, PassOptionInfo, PassOptions, RawOption};
pub use pass::{Pass, PassInfo, PassResult, PassState};
pub use pipeline::{Pipeline, PipelineElement, parse_pipeline, parse_pipeline_elements};
pub use progress::{Progress, Steps};
pub use registry::{PassRegistry, PipelineInfo, Registered};

/// Registers the dialect-independent passes: canonicalize, cse, dce, symbol-dce, inline,
/// view-op-graph.
pub fn register_generic_passes(registry: &mut PassRegistry) {
    for info in passes::GENERIC_PASSES {
        registry.register(info);
    }
}
