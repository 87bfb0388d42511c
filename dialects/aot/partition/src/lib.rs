//! Forward/backward partitioning of AOTAutograd joint functions (level L1 → L2), as
//! PyTorch's `torch/_functorch/partitioners.py` does it, for the `aot` dialect.
//!
//! `aot-partition` splits every joint `func.func @f` of a module into `@f_forward`,
//! `@f_backward` and an `aot.joint_pair` op tying them:
//!
//! ```text
//! func.func @f_forward(<primals, forward RNG>) -> (<forward outputs>, <saved values>)
//! func.func @f_backward(<saved values>, <tangents, backward RNG>) -> (<one slot per primal>)
//! "aot.joint_pair"() <{backward = @f_backward, forward = @f_forward,
//!                      num_fwd_outputs = 2 : i64, num_saved = 2 : i64}> : () -> ()
//! ```
//!
//! Saved values are returned with `#aot.saved_for_backwards<i>`; a saved primal keeps its
//! primal's descriptor in the backward (PyTorch copies the node's meta), other saved
//! arguments have none. Two strategies choose what to save: [`Strategy::Default`]
//! (PyTorch's `default_partition`: save everything the backward uses) and
//! [`Strategy::MinCut`] (`min_cut_rematerialization_partition`: a minimum cut over a flow
//! network of save costs decides what to save and what to recompute, under a memory budget).
//! The max-flow solver is [`maxflow::min_cut`], Dinic's algorithm.

mod default;
mod graph;
pub mod maxflow;
mod mincut;
mod ops;
pub mod residual;
mod split;

use joinery_ir::{Context, Diagnostic, OpId, Traits};
use joinery_pass::{
    OptionKind, Pass, PassInfo, PassOptionInfo, PassOptions, PassRegistry, PassResult, PassState,
};
use std::time::Instant;

/// How the partitioner chooses the values the forward saves for the backward.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Strategy {
    /// PyTorch's `default_partition`: save every forward value the backward uses.
    Default,
    /// PyTorch's `min_cut_rematerialization_partition`: save a minimum-cost cut, recompute
    /// cheap ops in the backward.
    MinCut,
}

/// The options of one partitioning.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct PartitionOptions {
    /// How saved values are chosen.
    pub strategy: Strategy,
    /// PyTorch's `activation_memory_budget` in `[0, 1]`: 1 is the runtime-optimal cut, 0
    /// saves only the primals; in between, more is recomputed to save less (min-cut only).
    pub memory_budget: f64,
}

impl Default for PartitionOptions {
    fn default() -> PartitionOptions {
        PartitionOptions {
            strategy: Strategy::Default,
            memory_budget: 1.0,
        }
    }
}

/// What partitioning one joint function produced.
#[derive(Clone, Debug, PartialEq)]
pub struct Partition {
    /// `@<name>_forward`.
    pub forward: OpId,
    /// `@<name>_backward`.
    pub backward: OpId,
    /// The `aot.joint_pair` op tying them.
    pub pair: OpId,
    /// How many values the forward saves.
    pub saved_tensors: usize,
    /// Their total size in bytes (dynamic dimensions count as 4096).
    pub saved_bytes: u64,
    /// How many ops both functions compute (recomputed in the backward).
    pub recomputed_ops: usize,
}

/// Splits the joint function `func` (in a module) into forward, backward and the pair op
/// tying them, and erases it. Errors say why the function cannot be partitioned.
pub fn partition_joint(
    ctx: &mut Context,
    func: OpId,
    options: &PartitionOptions,
) -> Result<Partition, Diagnostic> {
    let g = graph::JointGraph::build(ctx, func)?;
    let saved = match options.strategy {
        Strategy::Default => default::saved_values(&g),
        Strategy::MinCut => mincut::choose_saved_values(ctx, &g, options.memory_budget)?,
    };
    let result = split::split(ctx, func, &g, &saved)?;
    Ok(Partition {
        forward: result.forward,
        backward: result.backward,
        pair: result.pair,
        saved_tensors: result.saved.len(),
        saved_bytes: result
            .saved
            .iter()
            .map(|&x| g.nodes[x as usize].bytes)
            .sum(),
        recomputed_ops: result.recomputed,
    })
}

/// The declaration of `aot-partition`.
pub static AOT_PARTITION: PassInfo = PassInfo {
    name: "aot-partition",
    title: "AotPartition",
    summary: "Split joint functions into forward and backward functions",
    description: "Splits every joint func.func @f of the module (level L1) into @f_forward, \
        @f_backward and an aot.joint_pair op tying them (level L2), as PyTorch's partitioners \
        do. Primals, tangents and RNG inputs are found by descriptor, never by name. The \
        forward takes the primals and forward RNG state and returns the forward outputs, then \
        the saved values described by #aot.saved_for_backwards<i>; the backward takes the \
        saved values, then the tangents and backward RNG state, and returns one gradient slot \
        per primal with the joint's descriptors.\n\
        strategy=default is PyTorch's default_partition: the forward computes what its \
        outputs need and saves every forward value the backward uses; nothing is recomputed. \
        strategy=min-cut is min_cut_rematerialization_partition: each value's save cost is \
        bytes x 1.1^distance-to-backward (doubled when it would fuse), data edges are \
        infinite, and compute-intensive ops (mm, addmm, bmm, convolution), random ops, \
        primals, shrinking reductions and ops outside PyTorch's recomputable allowlist are \
        banned from recompute (with PyTorch's materialized-backward, used-far-apart and \
        long-fusible-chain heuristics); a minimum cut (Dinic max-flow) picks the values to \
        save and cheap forward ops are cloned into the backward. memory-budget below 1 \
        re-cuts with looser bans and runs PyTorch's greedy knapsack (runtime per byte, \
        flop estimates) over banned-but-recomputable nodes.\n\
        Needs: a module whose functions are L1 joints with an aot.desc on every argument and \
        result (functions already named by an aot.joint_pair are left alone), forward outputs \
        before the backward group, single-block bodies. Run cse first: like PyTorch, the cut \
        assumes duplicates are merged.\n\
        Guarantees: backward(forward(x)) computes the joint's results with the same ops in \
        the same order of floating-point work; no op that is not pure (random) is ever run in \
        both functions (PyTorch PR 190759); constants (arith.constant, aot.none) are never \
        saved, each function builds its own, as PyTorch copies get_attr nodes into both; a source-sink path of infinite edges is reported, \
        not a crash; saved values appear in joint order.\n\
        Gaps: no SymInt or opaque saved values (shapes are static types: a tensor whose \
        backward users read only its metadata is not saved, its zeros_like-style users are \
        rebuilt from the type); no activation-checkpointing tags (must-save / \
        must-recompute); no saved_for_backwards_no_vc_check values; the backward keeps joint \
        order instead of PyTorch's autograd-engine reordering; memory-budget uses the greedy \
        knapsack only.",
    anchor: Some("builtin.module"),
    options: &[
        PassOptionInfo {
            name: "strategy",
            kind: OptionKind::Enum(&["default", "min-cut"]),
            default: "default",
            help: "How to choose saved values: PyTorch's default or min-cut partitioner",
        },
        PassOptionInfo {
            name: "memory-budget",
            kind: OptionKind::Float,
            default: "1.0",
            help: "min-cut only: fraction in [0, 1] of the runtime-optimal saved memory to \
                   aim for (PyTorch's activation_memory_budget)",
        },
    ],
    statistics: &[
        ("saved-tensors", "Number of values saved for the backward"),
        ("saved-bytes", "Bytes of values saved for the backward"),
        (
            "recomputed-ops",
            "Number of forward ops recomputed in the backward",
        ),
        (
            "partition-time-us",
            "Time spent partitioning, in microseconds",
        ),
    ],
    constructor: |options: &PassOptions| {
        Box::new(AotPartition {
            strategy: match options.string("strategy") {
                "min-cut" => Strategy::MinCut,
                _ => Strategy::Default,
            },
            memory_budget: options.float("memory-budget"),
        })
    },
};

/// Registers `aot-partition`.
pub fn register_passes(registry: &mut PassRegistry) {
    registry.register(&AOT_PARTITION);
}

/// The `aot-partition` pass.
struct AotPartition {
    strategy: Strategy,
    memory_budget: f64,
}

impl Pass for AotPartition {
    fn run(&mut self, ctx: &mut Context, module: OpId, state: &mut PassState) -> PassResult {
        let span = ctx.span(module);
        if !(0.0..=1.0).contains(&self.memory_budget) {
            return Err(vec![
                Diagnostic::error(format!(
                    "aot-partition: memory-budget must be in [0, 1], got {}",
                    self.memory_budget
                ))
                .with_span(span),
            ]);
        }
        if self.strategy == Strategy::Default && self.memory_budget != 1.0 {
            return Err(vec![
                Diagnostic::error(
                    "aot-partition: memory-budget applies to strategy=min-cut; the default \
                     strategy saves everything the backward uses",
                )
                .with_span(span),
            ]);
        }
        let options = PartitionOptions {
            strategy: self.strategy,
            memory_budget: self.memory_budget,
        };
        let Some(body) = ctx.body_block(module) else {
            return Ok(false);
        };
        let joints: Vec<OpId> = ctx
            .block_ops(body)
            .filter(|&op| {
                ctx.has_traits(op, Traits::FUNCTION_LIKE)
                    && ctx.body_block(op).is_some()
                    && joinery_aot::pair_of(ctx, op).is_none()
            })
            .collect();
        let mut errors = Vec::new();
        for func in &joints {
            let start = Instant::now();
            match partition_joint(ctx, *func, &options) {
                Ok(p) => {
                    state.add_statistic("saved-tensors", p.saved_tensors as u64);
                    state.add_statistic("saved-bytes", p.saved_bytes);
                    state.add_statistic("recomputed-ops", p.recomputed_ops as u64);
                }
                Err(d) => errors.push(d),
            }
            state.add_statistic("partition-time-us", start.elapsed().as_micros() as u64);
        }
        if errors.is_empty() {
            Ok(!joints.is_empty())
        } else {
            Err(errors)
        }
    }
}
