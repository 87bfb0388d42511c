//! `aot.joint_pair`: ties a partitioned forward and backward function together (level L2).
//!
//! ```text
//! "aot.joint_pair"() <{backward = @joint_backward, forward = @joint_forward,
//!                      num_fwd_outputs = 2 : i64, num_saved = 2 : i64}> : () -> ()
//! ```
//!
//! The forward returns `num_fwd_outputs` forward outputs, then `num_saved` saved values
//! described by `#aot.saved_for_backwards<i>` (or `_no_vc_check<i>`) with one running index.
//! The backward takes those saved values first (a saved primal keeps its primal's
//! descriptor, as PyTorch copies the node's meta; other saved values have none), then its
//! tangents and backward RNG inputs, and returns one gradient slot per primal of the forward.
//!
//! The op's verifier checks the symbols and the saved-value layout; the dialect's function
//! hook checks the pair as the joint it came from (gradients and tangents refer to slots of
//! the other function), since neither function alone holds both ends of those references.

use crate::descriptor::{AotInput, AotOutput};
use crate::signature::{FuncDescriptors, Slot};
use joinery_ir::{Context, Diagnostic, OpDef, OpId, Traits, Type};

/// `aot.joint_pair`.
pub const JOINT_PAIR_OP: OpDef = OpDef {
    inherent_attrs: &["backward", "forward", "num_fwd_outputs", "num_saved"],
    verify: Some(verify_pair),
    ..OpDef::new(
        "aot.joint_pair",
        "Ties a partitioned forward function to its backward function",
    )
};

/// The decoded attributes of an `aot.joint_pair` op.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct JointPair {
    /// The forward function's symbol.
    pub forward: String,
    /// The backward function's symbol.
    pub backward: String,
    /// How many leading forward results are forward outputs (the rest are saved values).
    pub num_fwd_outputs: usize,
    /// How many values the forward saves for the backward.
    pub num_saved: usize,
}

impl JointPair {
    /// Reads the attributes of a `aot.joint_pair` op; the error says which one is wrong.
    pub fn read(ctx: &Context, op: OpId) -> Result<JointPair, String> {
        let sym = |key: &str| {
            ctx.attr(op, key)
                .and_then(|a| ctx.as_symbol_ref(a))
                .map(str::to_string)
                .ok_or_else(|| format!("'aot.joint_pair' needs a symbol reference '{key}'"))
        };
        let count = |key: &str| {
            ctx.attr(op, key)
                .and_then(|a| ctx.as_i64(a))
                .filter(|&n| n >= 0)
                .map(|n| n as usize)
                .ok_or_else(|| format!("'aot.joint_pair' needs a non-negative integer '{key}'"))
        };
        Ok(JointPair {
            forward: sym("forward")?,
            backward: sym("backward")?,
            num_fwd_outputs: count("num_fwd_outputs")?,
            num_saved: count("num_saved")?,
        })
    }

    /// The name of the joint the pair was split from, which names its differentiable
    /// function: the forward's name without its `_forward` suffix (`joint_forward` ->
    /// `joint`).
    pub fn joint_name(&self) -> &str {
        self.forward
            .strip_suffix("_forward")
            .unwrap_or(&self.forward)
    }

    /// Creates the op (detached) for this pair.
    pub fn build(&self, ctx: &mut Context) -> OpId {
        let name = ctx.op_name(JOINT_PAIR_OP.name);
        let mut state = joinery_ir::OperationState::new(name);
        state.attrs = vec![
            ("forward".into(), ctx.symbol_ref_attr(&self.forward)),
            ("backward".into(), ctx.symbol_ref_attr(&self.backward)),
            (
                "num_fwd_outputs".into(),
                ctx.integer_attr(self.num_fwd_outputs as i64, 64),
            ),
            (
                "num_saved".into(),
                ctx.integer_attr(self.num_saved as i64, 64),
            ),
        ];
        ctx.create_op(state)
    }
}

/// Every `aot.joint_pair` directly inside a symbol table, with its decoded attributes
/// (pairs whose attributes do not decode are left out: their own verifier reports them).
pub fn joint_pairs(ctx: &Context, table: OpId) -> Vec<(OpId, JointPair)> {
    let Some(body) = ctx.body_block(table) else {
        return Vec::new();
    };
    pair_index(ctx, body).pairs.clone()
}

/// The pair a function belongs to (as forward or backward), if any.
pub fn pair_of(ctx: &Context, func: OpId) -> Option<JointPair> {
    let name = ctx.symbol_name(func)?;
    let body = ctx.parent_block(func)?;
    let index = pair_index(ctx, body);
    let &k = index.by_function.get(name)?;
    Some(index.pairs[k].1.clone())
}

/// The pairs of one symbol table's block, and which pair (the first) names each function.
struct PairIndex {
    pairs: Vec<(OpId, JointPair)>,
    by_function: std::collections::HashMap<String, usize>,
}

/// The block's [`PairIndex`], read once per change of the block (a module of thousands of
/// functions verifies in linear time).
fn pair_index(ctx: &Context, body: joinery_ir::BlockId) -> std::sync::Arc<PairIndex> {
    ctx.block_analysis(body, |ctx, body| {
        let pairs: Vec<(OpId, JointPair)> = ctx
            .block_ops(body)
            .filter(|&op| ctx.name_str(op) == JOINT_PAIR_OP.name)
            .filter_map(|op| Some((op, JointPair::read(ctx, op).ok()?)))
            .collect();
        let mut by_function = std::collections::HashMap::default();
        for (k, (_, p)) in pairs.iter().enumerate() {
            by_function.entry(p.forward.clone()).or_insert(k);
            by_function.entry(p.backward.clone()).or_insert(k);
        }
        PairIndex { pairs, by_function }
    })
}

/// The number of saved-value arguments of `func` when it is the backward of a pair.
pub(crate) fn saved_args_of_backward(ctx: &Context, func: OpId) -> Option<usize> {
    let name = ctx.symbol_name(func)?;
    pair_of(ctx, func)
        .filter(|p| p.backward == name)
        .map(|p| p.num_saved)
}

fn signature_of(
    ctx: &Context,
    table: OpId,
    name: &str,
) -> Result<(OpId, Vec<Type>, Vec<Type>), String> {
    let func = ctx
        .lookup_symbol(table, name)
        .filter(|&f| ctx.has_traits(f, Traits::FUNCTION_LIKE))
        .ok_or_else(|| format!("'@{name}' does not reference a function"))?;
    let (inputs, results) = joinery_func::signature(ctx, func)
        .ok_or_else(|| format!("'@{name}' has no function type"))?;
    Ok((func, inputs, results))
}

fn verify_pair(ctx: &Context, op: OpId) -> Result<(), Diagnostic> {
    let pair = JointPair::read(ctx, op).map_err(Diagnostic::error)?;
    let Some(table) = ctx.parent_op(op) else {
        return Err(Diagnostic::error(
            "'aot.joint_pair' must sit in a symbol table next to its functions",
        ));
    };
    let (fwd, _, fwd_results) =
        signature_of(ctx, table, &pair.forward).map_err(Diagnostic::error)?;
    let (_, bwd_inputs, _) = signature_of(ctx, table, &pair.backward).map_err(Diagnostic::error)?;
    let (nfo, ns) = (pair.num_fwd_outputs, pair.num_saved);
    if fwd_results.len() != nfo + ns {
        return Err(Diagnostic::error(format!(
            "forward '@{}' returns {} values, but the pair says {nfo} forward outputs and {ns} \
             saved values",
            pair.forward,
            fwd_results.len()
        )));
    }
    if bwd_inputs.len() < ns || bwd_inputs[..ns] != fwd_results[nfo..] {
        return Err(Diagnostic::error(format!(
            "backward '@{}' must take the {ns} saved values first, with the types the forward \
             returns them with",
            pair.backward
        )));
    }
    let descs = FuncDescriptors::read(ctx, fwd).unwrap_or(FuncDescriptors {
        args: Vec::new(),
        results: Vec::new(),
    });
    for (i, slot) in descs.results.iter().enumerate() {
        let saved = match slot.desc() {
            Some(AotOutput::SavedForBackwards { idx })
            | Some(AotOutput::SavedForBackwardsNoVcCheck { idx }) => Some(*idx),
            _ => None,
        };
        let ok = if i < nfo {
            saved.is_none()
        } else {
            saved == Some(i - nfo)
        };
        if !ok {
            return Err(Diagnostic::error(format!(
                "result {i} of forward '@{}' must {}",
                pair.forward,
                if i < nfo {
                    "be a forward output, not a saved value".to_string()
                } else {
                    format!(
                        "be saved value {} (#aot.saved_for_backwards<{}>)",
                        i - nfo,
                        i - nfo
                    )
                }
            )));
        }
    }
    Ok(())
}

/// The joint a pair came from, as descriptors and types: the forward's arguments, then the
/// backward's arguments after the saved values; the forward outputs, then the backward's
/// results. `None` when the pair's attributes or functions are malformed (the op verifier
/// reports that).
pub(crate) fn reconstructed_joint(
    ctx: &Context,
    op: OpId,
) -> Option<(FuncDescriptors, Vec<Type>, Vec<Type>)> {
    let pair = JointPair::read(ctx, op).ok()?;
    let table = ctx.parent_op(op)?;
    let (fwd, fwd_in, fwd_out) = signature_of(ctx, table, &pair.forward).ok()?;
    let (bwd, bwd_in, bwd_out) = signature_of(ctx, table, &pair.backward).ok()?;
    let (nfo, ns) = (pair.num_fwd_outputs, pair.num_saved);
    if fwd_out.len() != nfo + ns || bwd_in.len() < ns {
        return None;
    }
    let f = FuncDescriptors::read(ctx, fwd)?;
    let b = FuncDescriptors::read(ctx, bwd)?;
    let args: Vec<Slot<AotInput>> = f
        .args
        .into_iter()
        .chain(b.args.into_iter().skip(ns))
        .collect();
    let results: Vec<Slot<AotOutput>> = f.results.into_iter().take(nfo).chain(b.results).collect();
    let in_types = fwd_in
        .into_iter()
        .chain(bwd_in.into_iter().skip(ns))
        .collect();
    let out_types = fwd_out.into_iter().take(nfo).chain(bwd_out).collect();
    Some((FuncDescriptors { args, results }, in_types, out_types))
}
