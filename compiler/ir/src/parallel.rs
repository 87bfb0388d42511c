//! How work on a whole module spreads over the cores, as MLIR's verifier does: the
//! verifier and the printer split the top-level ops of a large root op among threads.

use crate::context::Context;
use crate::operation::OpId;

/// The fewest ops a context holds before work on a root op uses several threads: below
/// it, starting threads costs more than it saves.
pub const PARALLEL_MIN_OPS: usize = 16_384;

/// Stack size of a worker thread: the verifier and the printer recurse once per nesting
/// level.
const WORKER_STACK_SIZE: usize = 256 << 20;

/// Starts `work` on a worker thread of `scope` named `name`, with a stack for deep
/// nesting; an error when the thread cannot start (its work is then the caller's).
pub fn spawn_worker<'scope, T: Send + 'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    name: &str,
    work: impl FnOnce() -> T + Send + 'scope,
) -> std::io::Result<std::thread::ScopedJoinHandle<'scope, T>> {
    std::thread::Builder::new()
        .name(name.into())
        .stack_size(WORKER_STACK_SIZE)
        .spawn_scoped(scope, work)
}

/// How many cores this process may run on (one when that cannot be known).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

impl Context {
    /// How many threads work on `op` may split its top-level ops among: every available
    /// core for a root op (one in no block, a module) of a context of at least
    /// [`PARALLEL_MIN_OPS`] ops, else one.
    pub fn workers_for(&self, op: OpId) -> usize {
        if self.parent_block(op).is_none() && self.ops.len() >= PARALLEL_MIN_OPS {
            cores()
        } else {
            1
        }
    }
}
