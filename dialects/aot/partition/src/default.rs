//! The `default` strategy: PyTorch's `default_partition`. The forward is the forward-only
//! graph (what the forward outputs need from the primals); every forward value a
//! non-forward node uses (or the backward returns) is saved, nothing is recomputed. Saved
//! values the backward turns out not to need are dropped afterwards, as PyTorch's
//! `_extract_fwd_bwd_modules` does.
//!
//! PyTorch's special cases map onto the IR as follows: a multi-result op used by the
//! backward saves its results (PyTorch saves the `getitem` users of a tuple node); a tensor
//! whose backward users read only its sizes saves nothing, because its metadata-only users
//! carry no data edge (see [`crate::graph`]); there are no SymInt values to save, since
//! shapes live in the types. Constants are never saved: the backward rebuilds its own, as
//! PyTorch copies `get_attr` nodes into both graphs.

use crate::graph::{JointGraph, NodeId, NodeKind};
use crate::ops::OpClass;

/// The values to save, in joint order.
pub(crate) fn saved_values(g: &JointGraph) -> Vec<NodeId> {
    let mut returned_by_backward = vec![false; g.nodes.len()];
    for &o in g.bwd_outputs() {
        returned_by_backward[o as usize] = true;
    }
    let mut saved = Vec::new();
    for (i, node) in g.nodes.iter().enumerate() {
        if !g.required_fw[i] || node.class.has(OpClass::CONSTANT) {
            continue;
        }
        let used_by_backward =
            node.users.iter().any(|&u| !g.required_fw[u as usize]) || returned_by_backward[i];
        if !used_by_backward {
            continue;
        }
        match node.kind {
            NodeKind::Tuple(_) => saved.extend(node.users.iter().copied()),
            _ => saved.push(i as NodeId),
        }
    }
    saved.sort_unstable();
    saved.dedup();
    saved
}
