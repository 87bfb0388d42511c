//! The `min-cut` strategy: PyTorch's `min_cut_rematerialization_partition`
//! (`choose_saved_values_set` and `solve_min_cut` in `torch/_functorch/partitioners.py`).
//!
//! Every node `n` becomes an edge `n_in → n_out` whose capacity is the cost of saving it;
//! every data edge becomes `n_out → user_in` with infinite capacity. Nodes the backward
//! needs (`required_bw`) drain into the sink, nodes that must not be recomputed (banned) are
//! fed from the source, and a minimum cut picks the cheapest set of values to save: every
//! forward value the backward needs is then either saved or recomputed from saved values.
//!
//! Two deliberate differences from PyTorch:
//! - A forward node that is itself a backward output (a gradient computed by the forward,
//!   e.g. a returned primal) drains into the sink from `n_out`, as PyTorch does for inputs,
//!   instead of from `n_in`; PyTorch's choice recomputes it even when it is banned, which
//!   for a random op gives a different value.
//! - Under a memory budget, the knapsack never offers a random op for recompute (PyTorch
//!   PR 190759): a recomputed dropout mask differs from the forward's. For the same reason
//!   a budget of 0 is not PyTorch's shortcut "save only the primals" (which recomputes
//!   random ops too) but the knapsack with no memory: every banned node that may be
//!   recomputed is, random ops stay saved.

use crate::graph::{JointGraph, NodeId, NodeKind};
use crate::maxflow::{INFINITE, min_cut};
use crate::ops::{self, OpClass};
use joinery_ir::{Context, Diagnostic};
use petgraph::graph::{Graph, NodeIndex};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// PyTorch's `MinCutOptions`: which heuristics ban a node from recompute.
#[derive(Clone, Copy, Debug)]
struct Options {
    ban_if_used_far_apart: bool,
    ban_if_long_fusible_chains: bool,
    ban_if_materialized_backward: bool,
    ban_if_not_in_allowlist: bool,
    ban_if_reduction: bool,
}

/// PyTorch's defaults (`torch._functorch.config`).
const DEFAULT_OPTIONS: Options = Options {
    ban_if_used_far_apart: true,
    ban_if_long_fusible_chains: true,
    ban_if_materialized_backward: true,
    ban_if_not_in_allowlist: true,
    ban_if_reduction: true,
};

/// Distance of a node that never reaches the backward.
const FAR: u32 = 1_000_000_000;

/// PyTorch's chain-length limit for `ban_if_long_fusible_chains`.
const LONG_CHAIN: u32 = 100;

/// The analysis shared by every cut of one joint.
struct MinCut<'a> {
    ctx: &'a Context,
    g: &'a JointGraph,
    /// Position among the required-forward nodes (`u32::MAX` for others).
    fw_order: Vec<u32>,
    /// Required-forward nodes by position.
    fw_nodes: Vec<NodeId>,
    dist_from_bw: Vec<u32>,
    /// Forward-computable backward outputs that the forward also needs.
    fw_bw_outputs: Vec<bool>,
}

/// The values to save (in joint order) under PyTorch's min-cut rules and `memory_budget`.
pub(crate) fn choose_saved_values(
    ctx: &Context,
    g: &JointGraph,
    memory_budget: f64,
) -> Result<Vec<NodeId>, Diagnostic> {
    if !g.required_bw.iter().any(|&b| b) {
        return Ok(crate::default::saved_values(g));
    }
    let mc = MinCut::new(ctx, g);
    let none = vec![false; g.nodes.len()];
    let (runtime_optimized, _) = mc.solve(DEFAULT_OPTIONS, &none)?;
    if memory_budget >= 1.0 {
        return Ok(runtime_optimized);
    }
    let size = |nodes: &[NodeId]| -> f64 {
        nodes
            .iter()
            .map(|&n| g.nodes[n as usize].bytes as f64)
            .sum()
    };
    let inputs = g.inputs();
    let (min_act, max_act) = (size(&inputs), size(&runtime_optimized));
    if max_act <= min_act {
        return Ok(runtime_optimized);
    }
    let ratio = |nodes: &[NodeId]| (size(nodes) - min_act) / (max_act - min_act);
    let more_aggressive = Options {
        ban_if_used_far_apart: false,
        ban_if_long_fusible_chains: false,
        ban_if_materialized_backward: false,
        ..DEFAULT_OPTIONS
    };
    let (saved, _) = mc.solve(more_aggressive, &none)?;
    if ratio(&saved) < memory_budget {
        return Ok(saved);
    }
    let aggressive = Options {
        ban_if_not_in_allowlist: false,
        ..more_aggressive
    };
    let (saved, banned) = mc.solve(aggressive, &none)?;
    if ratio(&saved) < memory_budget {
        return Ok(saved);
    }
    // Banned nodes the knapsack may let go: those the backward reaches, that are not
    // inputs, and (unlike PyTorch before PR 190759) that draw no random numbers.
    let mut candidates: Vec<NodeId> = banned
        .into_iter()
        .filter(|&n| {
            mc.dist_from_bw[n as usize] < FAR
                && !g.is_input(n)
                && !g.nodes[n as usize].class.has(OpClass::RANDOM)
        })
        .collect();
    if candidates.is_empty() {
        return Ok(saved);
    }
    candidates.sort_by_key(|&n| Reverse(g.nodes[n as usize].bytes));
    let memory: Vec<f64> = candidates
        .iter()
        .map(|&n| g.nodes[n as usize].bytes as f64 / (max_act - min_act))
        .collect();
    let runtime: Vec<f64> = candidates
        .iter()
        .map(|&n| g.op(n).map_or(1.0, |op| ops::estimate_flops(ctx, op)))
        .collect();
    let mut dont_ban = vec![false; g.nodes.len()];
    for i in greedy_knapsack_recompute(&memory, &runtime, memory_budget) {
        dont_ban[candidates[i] as usize] = true;
    }
    Ok(mc.solve(aggressive, &dont_ban)?.0)
}

/// PyTorch's `greedy_knapsack`: keep (save) items by decreasing runtime per byte while they
/// fit in `max_memory`; returns the indices of the items left to recompute.
fn greedy_knapsack_recompute(memory: &[f64], runtime: &[f64], max_memory: f64) -> Vec<usize> {
    let density = |i: usize| {
        if memory[i] > 0.0 {
            runtime[i] / memory[i]
        } else {
            f64::INFINITY
        }
    };
    let mut items: Vec<usize> = (0..memory.len()).collect();
    items.sort_by(|&a, &b| density(b).total_cmp(&density(a)));
    let mut used = 0.0;
    let mut recompute = Vec::new();
    for i in items {
        if used + memory[i] <= max_memory {
            used += memory[i];
        } else {
            recompute.push(i);
        }
    }
    recompute
}

impl<'a> MinCut<'a> {
    fn new(ctx: &'a Context, g: &'a JointGraph) -> MinCut<'a> {
        let n = g.nodes.len();
        let mut fw_order = vec![u32::MAX; n];
        let mut fw_nodes = Vec::new();
        for (i, order) in fw_order.iter_mut().enumerate() {
            if g.required_fw[i] {
                *order = fw_nodes.len() as u32;
                fw_nodes.push(i as NodeId);
            }
        }
        // Outputs count as users at distance FAR, as PyTorch's output node.
        let mut dist_from_bw = vec![FAR; n];
        for i in (0..n).rev() {
            if !g.required_fw[i] {
                dist_from_bw[i] = 0;
            } else {
                let d = g.nodes[i]
                    .users
                    .iter()
                    .map(|&u| dist_from_bw[u as usize].saturating_add(1))
                    .min()
                    .unwrap_or(FAR);
                dist_from_bw[i] = d.min(FAR);
            }
        }
        let mut fw_bw_outputs = vec![false; n];
        for &o in g.bwd_outputs() {
            let o = o as usize;
            fw_bw_outputs[o] = g.required_fw[o] && !g.tangent_dependent[o];
        }
        MinCut {
            ctx,
            g,
            fw_order,
            fw_nodes,
            dist_from_bw,
            fw_bw_outputs,
        }
    }

    fn class(&self, n: NodeId) -> OpClass {
        self.g.nodes[n as usize].class
    }

    fn is_view(&self, n: NodeId) -> bool {
        self.class(n).has(OpClass::VIEW)
    }

    /// PyTorch's `op_types.is_fusible(node)`; a `getitem` is recomputable.
    fn fusible(&self, n: NodeId) -> bool {
        match self.g.nodes[n as usize].kind {
            NodeKind::Arg(_) => false,
            NodeKind::Item(..) => true,
            NodeKind::Op(_) | NodeKind::Tuple(_) => self.class(n).is_fusible(),
        }
    }

    /// PyTorch's `is_fusible(a, b)`: anything fuses into a `cat`.
    fn is_fusible(&self, a: NodeId, b: NodeId) -> bool {
        self.class(b).has(OpClass::CAT) || (self.fusible(a) && self.fusible(b))
    }

    fn is_materialized(&self, n: NodeId) -> bool {
        matches!(self.g.nodes[n as usize].kind, NodeKind::Arg(_))
            || !self.g.nodes[n as usize]
                .users
                .iter()
                .all(|&u| self.is_fusible(n, u))
    }

    /// Whether the backward must materialize `n` anyway (an unfusible backward user, looking
    /// through views), so recomputing it is never free.
    fn is_materialized_backwards(&self, n: NodeId) -> bool {
        if self.is_view(n) {
            return false;
        }
        let mut seen = vec![n];
        let mut stack = vec![n];
        while let Some(cur) = stack.pop() {
            for &u in &self.g.nodes[cur as usize].users {
                if !self.g.required_fw[u as usize] && !self.is_fusible(cur, u) {
                    return true;
                }
                if self.is_view(u) && !seen.contains(&u) {
                    seen.push(u);
                    stack.push(u);
                }
            }
        }
        false
    }

    /// PyTorch's `should_ban_recomputation` for a required-forward node.
    fn should_ban(&self, n: NodeId, opts: Options) -> bool {
        let node = &self.g.nodes[n as usize];
        if !matches!(node.kind, NodeKind::Op(_) | NodeKind::Tuple(_)) {
            return false;
        }
        if opts.ban_if_not_in_allowlist {
            if !node.class.has(OpClass::RECOMPUTABLE) {
                return true;
            }
        } else if node.class.has(OpClass::RANDOM) || node.class.has(OpClass::COMPUTE_INTENSIVE) {
            return true;
        }
        if opts.ban_if_materialized_backward && self.is_materialized_backwards(n) {
            return true;
        }
        if opts.ban_if_reduction {
            let op = self.g.op(n).expect("op node");
            let input_bytes: u64 = self
                .ctx
                .operands(op)
                .iter()
                .filter_map(|&v| crate::graph::tensor_bytes(self.ctx, self.ctx.value_type(v)))
                .sum();
            return node.bytes.saturating_mul(4) < input_bytes;
        }
        false
    }

    /// PyTorch's `get_node_weight`: bytes × 1.1^distance, doubled when not materialized.
    fn weight(&self, n: NodeId) -> u64 {
        let node = &self.g.nodes[n as usize];
        if !node.is_tensor {
            return INFINITE;
        }
        let dist = self.dist_from_bw[n as usize].clamp(1, 100) as i32;
        let w = (node.bytes as f64 * 1.1f64.powi(dist)) as u64;
        let w = if self.is_materialized(n) {
            w
        } else {
            w.saturating_mul(2)
        };
        w.min(INFINITE - 1)
    }

    /// One cut: the saved nodes in joint order and the banned nodes.
    fn solve(
        &self,
        opts: Options,
        dont_ban: &[bool],
    ) -> Result<(Vec<NodeId>, Vec<NodeId>), Diagnostic> {
        let g = self.g;
        let n = g.nodes.len();
        let mut net: Graph<(), u64> = Graph::with_capacity(2 * n + 2, 4 * n);
        for _ in 0..2 * n + 2 {
            net.add_node(());
        }
        let (source, sink) = (NodeIndex::new(0), NodeIndex::new(1));
        let vin = |x: NodeId| NodeIndex::new(2 + 2 * x as usize);
        let vout = |x: NodeId| NodeIndex::new(3 + 2 * x as usize);
        let mut banned = vec![false; n];
        let mut banned_list: Vec<NodeId> = Vec::new();
        // A constant is never banned: nothing flows into it, so it is never cut (saved) and
        // the backward rebuilds it.
        let mut ban = |x: NodeId, net: &mut Graph<(), u64>, banned: &mut Vec<bool>| {
            if self.is_view(x)
                || self.class(x).has(OpClass::CONSTANT)
                || dont_ban[x as usize]
                || banned[x as usize]
            {
                return;
            }
            banned[x as usize] = true;
            banned_list.push(x);
            net.add_edge(source, vin(x), INFINITE);
        };
        for x in 0..n as NodeId {
            let xi = x as usize;
            if g.required_bw[xi] {
                if !g.is_input(x) && !self.fw_bw_outputs[xi] {
                    net.add_edge(vin(x), sink, INFINITE);
                    continue;
                }
                net.add_edge(vout(x), sink, INFINITE);
            }
            if g.is_input(x) {
                ban(x, &mut net, &mut banned);
            }
            if g.required_fw[xi] && self.should_ban(x, opts) {
                ban(x, &mut net, &mut banned);
            }
            net.add_edge(vin(x), vout(x), self.weight(x));
            for &u in &g.nodes[xi].users {
                net.add_edge(vout(x), vin(u), INFINITE);
            }
        }
        if opts.ban_if_used_far_apart {
            let mut visit = Visited::new(self.fw_nodes.len());
            for &used in &self.fw_nodes {
                let users = &g.nodes[used as usize].users;
                let fw_users: Vec<NodeId> = users
                    .iter()
                    .copied()
                    .filter(|&u| g.required_fw[u as usize])
                    .collect();
                let Some(max_order) = fw_users.iter().map(|&u| self.fw_order[u as usize]).max()
                else {
                    continue;
                };
                let first_unfusible = self.find_first_unfusible(&fw_users, max_order, &mut visit);
                for &u in users {
                    if g.required_fw[u as usize]
                        && self.fw_order[u as usize] > first_unfusible
                        && self.is_fusible(used, u)
                        && !banned[u as usize]
                    {
                        ban(u, &mut net, &mut banned);
                    }
                }
            }
        }
        if opts.ban_if_long_fusible_chains {
            let mut visited = vec![false; n];
            for &start in &self.fw_nodes {
                let start_order = self.fw_order[start as usize];
                let mut heap = BinaryHeap::from([Reverse(start_order)]);
                while let Some(Reverse(order)) = heap.pop() {
                    let cur = self.fw_nodes[order as usize];
                    if std::mem::replace(&mut visited[cur as usize], true) {
                        continue;
                    }
                    if order > start_order + LONG_CHAIN && heap.is_empty() {
                        ban(cur, &mut net, &mut banned);
                        break;
                    }
                    for &u in &g.nodes[cur as usize].users {
                        if g.required_fw[u as usize]
                            && self.is_fusible(cur, u)
                            && !banned[u as usize]
                        {
                            heap.push(Reverse(self.fw_order[u as usize]));
                        }
                    }
                }
            }
        }
        let cut = min_cut(&net, source, sink).map_err(|_| {
            Diagnostic::error(format!(
                "cannot partition '@{}' with min-cut: a value the backward needs can be neither \
                 saved nor recomputed (every path to it is banned and unsavable)",
                g.name
            ))
            .with_span(g.span)
        })?;
        let saved = (0..n as NodeId)
            .filter(|&x| cut.source_side[vin(x).index()] && !cut.source_side[vout(x).index()])
            .collect();
        Ok((saved, banned_list))
    }

    /// PyTorch's `find_first_unfusible`: walking forward from `start` in forward order over
    /// required-forward users up to `max_order`, the order of the first node reached through
    /// an unfusible edge (`max_order` if none).
    fn find_first_unfusible(&self, start: &[NodeId], max_order: u32, visit: &mut Visited) -> u32 {
        visit.next_generation();
        let mut heap: BinaryHeap<Reverse<(u32, bool)>> = BinaryHeap::new();
        for &s in start {
            let key = (self.fw_order[s as usize], true);
            if visit.insert(key) {
                heap.push(Reverse(key));
            }
        }
        while let Some(Reverse((order, fusible))) = heap.pop() {
            if !fusible {
                return order;
            }
            let cur = self.fw_nodes[order as usize];
            for &u in &self.g.nodes[cur as usize].users {
                if !self.g.required_fw[u as usize] || self.fw_order[u as usize] > max_order {
                    continue;
                }
                let key = (self.fw_order[u as usize], self.is_fusible(cur, u));
                if visit.insert(key) {
                    heap.push(Reverse(key));
                }
            }
        }
        max_order
    }
}

/// A visited set over (forward order, flag) pairs, cleared in O(1) per search.
struct Visited {
    stamp: Vec<u32>,
    generation: u32,
}

impl Visited {
    fn new(n: usize) -> Visited {
        Visited {
            stamp: vec![0; 2 * n],
            generation: 0,
        }
    }

    fn next_generation(&mut self) {
        self.generation += 1;
    }

    /// Marks `key`; whether it was new in this generation.
    fn insert(&mut self, (order, flag): (u32, bool)) -> bool {
        let i = 2 * order as usize + usize::from(flag);
        if self.stamp[i] == self.generation {
            return false;
        }
        self.stamp[i] = self.generation;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::greedy_knapsack_recompute;

    #[test]
    fn knapsack_keeps_the_best_runtime_per_byte_within_budget() {
        // Densities: 10/0.5 = 20, 1/0.4 = 2.5, 6/0.3 = 20 (ties keep index order).
        let recompute = greedy_knapsack_recompute(&[0.5, 0.4, 0.3], &[10.0, 1.0, 6.0], 0.8);
        assert_eq!(recompute, vec![1]);
        let recompute = greedy_knapsack_recompute(&[0.5, 0.4, 0.3], &[10.0, 1.0, 6.0], 0.0);
        assert_eq!(recompute, vec![0, 2, 1]);
    }
}
