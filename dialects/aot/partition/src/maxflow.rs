//! Minimum s–t cut by Dinic's max-flow algorithm over a petgraph graph.
//!
//! petgraph has no max-flow that fits (its `ford_fulkerson` is Edmonds–Karp on `f64`-like
//! weights and reports no cut), so this is our own. Capacities are `u64`; "infinite" edges
//! carry [`INFINITE`], a finite stand-in (as PyTorch's own Dinic replacement for networkx
//! does), so a source–sink path made only of infinite edges is reported instead of looping
//! or overflowing (networkx raises `NetworkXUnbounded` there, PyTorch issue #101984).
//!
//! The network is copied into compressed arrays (arc `2k` is edge `k`, arc `2k+1` its
//! residual twin); BFS builds levels, an iterative DFS with current-arc pointers finds the
//! blocking flow, so 100,000-op joint graphs (paths of that length) cannot overflow the stack.

use petgraph::graph::{Graph, NodeIndex};
use petgraph::visit::EdgeRef;
use std::collections::VecDeque;

/// The capacity standing for ∞. Any flow reaching it means an all-infinite path.
pub const INFINITE: u64 = 1 << 62;

/// The result of [`min_cut`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MinCut {
    /// The max-flow value, equal to the capacity of the cut.
    pub value: u64,
    /// For every node: whether it is on the source side of the minimum cut (reachable from
    /// the source in the residual network).
    pub source_side: Vec<bool>,
}

/// Why no finite cut exists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnboundedFlow;

/// A minimum `source`–`sink` cut of `graph`, whose edge weights are capacities. Parallel
/// edges add up. Fails when some source–sink path has only [`INFINITE`] edges.
pub fn min_cut<N, D: petgraph::EdgeType>(
    graph: &Graph<N, u64, D>,
    source: NodeIndex,
    sink: NodeIndex,
) -> Result<MinCut, UnboundedFlow> {
    let mut net = Network::new(graph);
    let (s, t) = (source.index(), sink.index());
    let mut total: u64 = 0;
    while net.levels(s, t) {
        let flow = net.blocking_flow(s, t);
        total = total.saturating_add(flow);
        if total >= INFINITE {
            return Err(UnboundedFlow);
        }
    }
    let source_side = net.reachable(s);
    Ok(MinCut {
        value: total,
        source_side,
    })
}

/// The residual network in compressed arrays.
struct Network {
    /// `start[u]..start[u+1]` indexes `adj`, the arcs leaving `u`.
    start: Vec<usize>,
    adj: Vec<u32>,
    /// Head of each arc; the tail of arc `a` is the head of `a ^ 1`.
    head: Vec<u32>,
    cap: Vec<u64>,
    level: Vec<u32>,
    next_arc: Vec<usize>,
}

const UNSEEN: u32 = u32::MAX;

impl Network {
    fn new<N, D: petgraph::EdgeType>(graph: &Graph<N, u64, D>) -> Network {
        let n = graph.node_count();
        let m = graph.edge_count();
        let mut head = Vec::with_capacity(2 * m);
        let mut cap = Vec::with_capacity(2 * m);
        let mut degree = vec![0usize; n + 1];
        for e in graph.edge_references() {
            let (u, v) = (e.source().index(), e.target().index());
            head.push(v as u32);
            cap.push((*e.weight()).min(INFINITE));
            head.push(u as u32);
            cap.push(0);
            degree[u] += 1;
            degree[v] += 1;
        }
        let mut start = vec![0usize; n + 1];
        for u in 0..n {
            start[u + 1] = start[u] + degree[u];
        }
        let mut fill = start.clone();
        let mut adj = vec![0u32; 2 * m];
        for a in 0..2 * m {
            let tail = head[a ^ 1] as usize;
            adj[fill[tail]] = a as u32;
            fill[tail] += 1;
        }
        Network {
            start,
            adj,
            head,
            cap,
            level: vec![UNSEEN; n],
            next_arc: vec![0; n],
        }
    }

    /// BFS levels from `s` over arcs with residual capacity; whether `t` is reachable.
    fn levels(&mut self, s: usize, t: usize) -> bool {
        self.level.fill(UNSEEN);
        self.level[s] = 0;
        let mut queue = VecDeque::from([s]);
        while let Some(u) = queue.pop_front() {
            for &a in &self.adj[self.start[u]..self.start[u + 1]] {
                let v = self.head[a as usize] as usize;
                if self.cap[a as usize] > 0 && self.level[v] == UNSEEN {
                    self.level[v] = self.level[u] + 1;
                    queue.push_back(v);
                }
            }
        }
        self.level[t] != UNSEEN
    }

    /// Saturates every shortest augmenting path of the current level graph.
    fn blocking_flow(&mut self, s: usize, t: usize) -> u64 {
        self.next_arc
            .copy_from_slice(&self.start[..self.start.len() - 1]);
        let mut total: u64 = 0;
        let mut path: Vec<u32> = Vec::new();
        let mut u = s;
        loop {
            if u == t {
                let pushed = path
                    .iter()
                    .map(|&a| self.cap[a as usize])
                    .min()
                    .unwrap_or(0);
                let mut cut_at = path.len();
                for (i, &a) in path.iter().enumerate() {
                    self.cap[a as usize] -= pushed;
                    self.cap[(a ^ 1) as usize] = self.cap[(a ^ 1) as usize].saturating_add(pushed);
                    if self.cap[a as usize] == 0 && cut_at == path.len() {
                        cut_at = i;
                    }
                }
                total = total.saturating_add(pushed);
                if total >= INFINITE {
                    return total;
                }
                // Resume from the tail of the first saturated arc.
                path.truncate(cut_at);
                u = path.last().map_or(s, |&a| self.head[a as usize] as usize);
                continue;
            }
            let end = self.start[u + 1];
            let mut advanced = false;
            while self.next_arc[u] < end {
                let a = self.adj[self.next_arc[u]] as usize;
                let v = self.head[a] as usize;
                if self.cap[a] > 0 && self.level[v] == self.level[u] + 1 {
                    path.push(a as u32);
                    u = v;
                    advanced = true;
                    break;
                }
                self.next_arc[u] += 1;
            }
            if advanced {
                continue;
            }
            // Dead end: no augmenting path goes through `u` in this phase.
            self.level[u] = UNSEEN;
            match path.pop() {
                None => return total,
                Some(a) => {
                    u = self.head[(a ^ 1) as usize] as usize;
                    self.next_arc[u] += 1;
                }
            }
        }
    }

    /// Nodes reachable from `s` over arcs with residual capacity.
    fn reachable(&self, s: usize) -> Vec<bool> {
        let mut seen = vec![false; self.level.len()];
        seen[s] = true;
        let mut stack = vec![s];
        while let Some(u) = stack.pop() {
            for &a in &self.adj[self.start[u]..self.start[u + 1]] {
                let v = self.head[a as usize] as usize;
                if self.cap[a as usize] > 0 && !seen[v] {
                    seen[v] = true;
                    stack.push(v);
                }
            }
        }
        seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn network(n: usize, edges: &[(usize, usize, u64)]) -> Graph<(), u64> {
        let mut g = Graph::new();
        for _ in 0..n {
            g.add_node(());
        }
        for &(u, v, c) in edges {
            g.add_edge(NodeIndex::new(u), NodeIndex::new(v), c);
        }
        g
    }

    #[test]
    fn classic_network_has_the_known_max_flow() {
        // CLRS figure 26.1: max flow 23.
        let g = network(
            6,
            &[
                (0, 1, 16),
                (0, 2, 13),
                (2, 1, 4),
                (1, 3, 12),
                (3, 2, 9),
                (2, 4, 14),
                (4, 3, 7),
                (3, 5, 20),
                (4, 5, 4),
            ],
        );
        let cut = min_cut(&g, NodeIndex::new(0), NodeIndex::new(5)).unwrap();
        assert_eq!(cut.value, 23);
        assert_eq!(cut.source_side, vec![true, true, true, false, true, false]);
    }

    #[test]
    fn infinite_edges_are_never_cut() {
        // s -∞-> a -5-> b -∞-> t, and s -∞-> c -2-> b: the cut takes the finite edges.
        let g = network(
            5,
            &[
                (0, 1, INFINITE),
                (1, 2, 5),
                (2, 4, INFINITE),
                (0, 3, INFINITE),
                (3, 2, 2),
            ],
        );
        let cut = min_cut(&g, NodeIndex::new(0), NodeIndex::new(4)).unwrap();
        assert_eq!(cut.value, 7);
        assert!(cut.source_side[1] && cut.source_side[3] && !cut.source_side[2]);
    }

    #[test]
    fn an_all_infinite_path_is_reported_not_a_crash() {
        let g = network(3, &[(0, 1, INFINITE), (1, 2, INFINITE), (0, 2, 3)]);
        assert_eq!(
            min_cut(&g, NodeIndex::new(0), NodeIndex::new(2)),
            Err(UnboundedFlow)
        );
    }

    #[test]
    fn a_long_chain_does_not_overflow_the_stack() {
        let n = 200_000;
        let edges: Vec<(usize, usize, u64)> = (0..n - 1)
            .map(|i| (i, i + 1, if i == n / 2 { 3 } else { INFINITE }))
            .collect();
        let g = network(n, &edges);
        let cut = min_cut(&g, NodeIndex::new(0), NodeIndex::new(n - 1)).unwrap();
        assert_eq!(cut.value, 3);
        assert!(cut.source_side[n / 2] && !cut.source_side[n / 2 + 1]);
    }

    #[test]
    fn unreachable_sink_gives_an_empty_cut() {
        let g = network(3, &[(0, 1, 4)]);
        let cut = min_cut(&g, NodeIndex::new(0), NodeIndex::new(2)).unwrap();
        assert_eq!(cut.value, 0);
        assert_eq!(cut.source_side, vec![true, true, false]);
    }
}
