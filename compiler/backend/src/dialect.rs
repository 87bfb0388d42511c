//! The `kernel` dialect (level L3): buffers, fused loop nests, GEMM calls, fills.
//!
//! At L3 a tensor-typed SSA value names a *buffer*: contiguous row-major storage of that
//! type. Function arguments are the caller's buffers; `kernel.alloc` makes one (in the
//! arena at byte `offset` once memory is planned, or the caller-visible result `output`);
//! kernels write their `outs` in place (destination-passing style) and return nothing.
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
//! (`sum`, `max`; the map's zero strides are the reduced dims) through its out map.
//! `kernel.gemm` computes `c (+)= a @ b` on strided f32 matrices. `kernel.fill` sets
//! every element of a buffer.

use joinery_ir::{AsmFormat, Dialect, OpDef, Traits};

const fn scalar(name: &'static str, summary: &'static str) -> OpDef {
    OpDef {
        traits: Traits::PURE,
        format: AsmFormat::Functional,
        ..OpDef::new(name, summary)
    }
}

/// Names of the binary scalar ops, as used by lowering and codegen.
pub const BINARY_OPS: &[&str] = &[
    "kernel.add",
    "kernel.sub",
    "kernel.mul",
    "kernel.div",
    "kernel.max",
    "kernel.min",
    "kernel.pow",
    "kernel.and",
    "kernel.or",
];

/// Names of the unary scalar ops.
pub const UNARY_OPS: &[&str] = &[
    "kernel.neg",
    "kernel.abs",
    "kernel.exp",
    "kernel.log",
    "kernel.tanh",
    "kernel.sigmoid",
    "kernel.sqrt",
    "kernel.rsqrt",
    "kernel.recip",
    "kernel.erf",
    "kernel.sin",
    "kernel.cos",
    "kernel.log1p",
    "kernel.expm1",
    "kernel.sign",
    "kernel.not",
];

/// The kernel dialect.
pub static KERNEL_DIALECT: Dialect = Dialect {
    ops: &[
        OpDef {
            format: AsmFormat::Functional,
            inherent_attrs: &["offset", "output"],
            ..OpDef::new("kernel.alloc", "A buffer: an arena slot or a result")
        },
        OpDef {
            inherent_attrs: &[
                "in_maps",
                "name",
                "num_inputs",
                "out_kinds",
                "out_maps",
                "sources",
                "space",
            ],
            ..OpDef::new("kernel.fused", "A fused loop nest over an iteration space")
        },
        OpDef {
            inherent_attrs: &[
                "a_map",
                "accumulate",
                "b_map",
                "batch",
                "c_map",
                "k",
                "m",
                "n",
                "sources",
            ],
            ..OpDef::new("kernel.gemm", "c (+)= a @ b on strided f32 matrices")
        },
        OpDef {
            format: AsmFormat::Functional,
            inherent_attrs: &["value"],
            ..OpDef::new("kernel.fill", "Sets every element of a buffer")
        },
        OpDef {
            traits: Traits::TERMINATOR.union(Traits::PURE),
            ..OpDef::new("kernel.yield", "The values a fused body produces")
        },
        OpDef {
            inherent_attrs: &["value"],
            ..scalar("kernel.const", "A scalar constant")
        },
        OpDef {
            inherent_attrs: &["dim"],
            ..scalar("kernel.index", "The loop index along one dimension")
        },
        scalar("kernel.cast", "Converts a scalar to another element type"),
        OpDef {
            inherent_attrs: &["predicate"],
            ..scalar("kernel.cmp", "Compares two scalars")
        },
        scalar("kernel.select", "cond ? a : b"),
        scalar("kernel.add", "a + b"),
        scalar("kernel.sub", "a - b"),
        scalar("kernel.mul", "a * b"),
        scalar("kernel.div", "a / b"),
        scalar("kernel.max", "max(a, b)"),
        scalar("kernel.min", "min(a, b)"),
        scalar("kernel.pow", "a ** b"),
        scalar("kernel.and", "a && b"),
        scalar("kernel.or", "a || b"),
        scalar("kernel.neg", "-a"),
        scalar("kernel.abs", "|a|"),
        scalar("kernel.exp", "e ** a"),
        scalar("kernel.log", "ln a"),
        scalar("kernel.tanh", "tanh a"),
        scalar("kernel.sigmoid", "1 / (1 + e ** -a)"),
        scalar("kernel.sqrt", "sqrt a"),
        scalar("kernel.rsqrt", "1 / sqrt a"),
        scalar("kernel.recip", "1 / a"),
        scalar("kernel.erf", "erf a"),
        scalar("kernel.sin", "sin a"),
        scalar("kernel.cos", "cos a"),
        scalar("kernel.log1p", "ln (1 + a)"),
        scalar("kernel.expm1", "e ** a - 1"),
        scalar("kernel.sign", "sign a"),
        scalar("kernel.not", "!a"),
    ],
    ..Dialect::new(
        "kernel",
        "Buffers, fused loop nests and GEMM calls (level L3)",
    )
};
