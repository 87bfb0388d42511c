//! The `kernel` dialect (level L3): buffers, fused loop nests, GEMM calls, fills; and the
//! passes that only make sense on it (`kernel-fuse`, `kernel-plan-memory`).
//!
//! At L3 a tensor-typed SSA value names a *buffer*: contiguous row-major storage of that
//! type. Function arguments are the caller's buffers; `kernel.alloc` makes one (in the
//! arena at byte `offset` once memory is planned, or the caller-visible result `output`);
//! kernels write their outputs in place (destination-passing style) and return nothing.
//!
//! ```text
//! %b = kernel.alloc {offset = 0 : i64} : tensor<256x1024xf32>
//! "kernel.fused"(%x, %w, %b) <{in_maps = [[0, 1024, 1], [0, 0, 1]], name = "k0_relu",
//!     num_inputs = 2 : i64, out_kinds = ["store"], out_maps = [[0, 1024, 1]],
//!     sources = ["aten.relu"], space = [256, 1024]}> ({
//!   ^bb0(%a: f32, %c: f32):
//!     %s = kernel.add %a, %c : (f32, f32) -> f32
//!     "kernel.yield"(%s) : (f32) -> ()
//! }) : (tensor<256x1024xf32>, tensor<1024xf32>, tensor<256x1024xf32>) -> ()
//! ```
//!
//! `kernel.fused` iterates over `space` (outermost dim split across threads); its body
//! receives one scalar per input, loaded at `offset + sum(stride_d * i_d)` from the
//! input's map (`[offset, stride_0, ...]`, elements; stride 0 broadcasts — views are index
//! arithmetic here), and yields one scalar per output, stored (`store`) or accumulated
//! (`sum`, `max`, `prod`; the map's zero strides are the reduced dims) through its out
//! map.
//! A *row kernel* has `phases = [[inputs, outputs], ...]` and one region per phase, each
//! taking its share of the operands in order: for each point of the first `outer` dims,
//! each phase iterates over the remaining dims before the next starts (softmax's max, sum
//! and normalization pass over a row in turn while it is in cache).
//! `kernel.gemm` computes `c (+)= a @ b` on strided f32 matrices. `kernel.fill` sets
//! every element of a buffer. `kernel.gather` and `kernel.scatter` move elements to or
//! from positions read out of index buffers ([`Indexed`]), checking every index at run
//! time. `kernel.cumsum` and `kernel.argsort` work along the lanes of a buffer
//! ([`Lanes`]); `kernel.fft` runs one of PyTorch's discrete Fourier transforms ([`Fft`]); `kernel.conv` one pass
//! of an f32 convolution, which the runtime runs through oneDNN ([`Conv`]).
//! `kernel.nonzero` writes the indices of a buffer's nonzero elements as rows of a buffer
//! sized for all of them and their number into a 0-d i64 buffer ([`Nonzero`]);
//! `kernel.rows` of the two is the only L3 value whose leading extent is known only at
//! run time (`tensor<?x2xi64>`), and a function may only return it: the runtime hands the
//! caller that many rows.
//!
//! Random numbers are integer arithmetic in fused bodies (`kernel.mul`, `kernel.xor`,
//! `kernel.shr` on i64, exact 64-bit `kernel.const`s): the counter-based generator of the
//! reference interpreter, keyed by a seed and a stream read from two arguments
//! ([`RNG_STREAMS_ATTR`]).

pub mod attrs;
pub mod fuse;
pub mod ops;
pub mod plan_memory;
pub mod verify;

pub use attrs::{
    Alloc, Conv, ConvEngine, ConvPass, Fft, FftKind, Fused, Gemm, Indexed, KERNEL_DTYPES, Lanes,
    Map, MatrixMap, Nonzero, Phase, ScatterReduce, buffer_bytes, checked_bytes, contiguous,
    division_sites, is_checked_division, is_kernel_symbol, kernel_symbol, site, static_info,
    tensor_info,
};
pub use ops::{KERNEL_DIALECT, OutKind, Predicate, ScalarKind, ScalarOp};
pub use plan_memory::{MemoryPlan, plan_memory};

use joinery_pass::PassRegistry;

/// The attribute of an L3 `func.func` whose random ops read their seed and first stream
/// from its last two arguments (0-d i64), which the runtime supplies from the compiled
/// module's state: `{kernel.rng_streams = 2 : i64}`, the streams one call draws (its
/// number of random ops; random op `k` draws from stream `offset + k`).
pub const RNG_STREAMS_ATTR: &str = "kernel.rng_streams";

/// Registers `kernel-fuse` and `kernel-plan-memory`.
pub fn register_passes(registry: &mut PassRegistry) {
    registry.register(&fuse::FUSE);
    registry.register(&plan_memory::PLAN_MEMORY);
}
