//! What the partitioner needs to know about an op: PyTorch's op lists from
//! `partitioners.py` (`get_default_op_list`) over joinery's aten names, plus the catalogue's
//! traits (`elementwise` stands for PyTorch's `pointwise` tag, and any op that is not `pure`
//! draws random numbers or has effects, so it is never recomputed).

use joinery_ir::{Context, OpId, Traits};

/// Properties of one op, as bit flags.
#[derive(Clone, Copy, PartialEq, Eq, Default, Debug)]
pub(crate) struct OpClass(u8);

impl OpClass {
    /// PyTorch's `recomputable_ops`: pointwise, arithmetic, cheap reductions, casts,
    /// factories, views, clone, index, gather.
    pub const RECOMPUTABLE: OpClass = OpClass(1 << 0);
    /// PyTorch's `view_ops`: never banned from recompute.
    pub const VIEW: OpClass = OpClass(1 << 1);
    /// PyTorch's `compute_intensive_ops` (matmuls, convolutions).
    pub const COMPUTE_INTENSIVE: OpClass = OpClass(1 << 2);
    /// Not pure: draws random numbers (PyTorch's `random_ops`) or has other effects.
    pub const RANDOM: OpClass = OpClass(1 << 3);
    /// `aten.cat`, which any producer may fuse into.
    pub const CAT: OpClass = OpClass(1 << 4);
    /// Reads only the static shape and dtype of its operand (`zeros_like` and friends).
    pub const METADATA_ONLY: OpClass = OpClass(1 << 5);
    /// A constant-like op (`arith.constant`, PyTorch's `get_attr`; `aot.none`, the `None`
    /// of a `Tensor?[]` entry): never saved, never banned, rebuilt for free wherever it is
    /// used.
    pub const CONSTANT: OpClass = OpClass(1 << 6);

    /// Whether every flag of `other` is set.
    pub fn has(self, other: OpClass) -> bool {
        self.0 & other.0 == other.0
    }

    fn with(self, other: OpClass) -> OpClass {
        OpClass(self.0 | other.0)
    }

    /// PyTorch's `fusible_ops`: recomputable or random.
    pub fn is_fusible(self) -> bool {
        self.has(OpClass::RECOMPUTABLE) || self.has(OpClass::RANDOM)
    }
}

/// The factory op that builds what a metadata-only op builds, from its static type.
pub(crate) fn factory_of(name: &str) -> Option<&'static str> {
    Some(match name {
        "aten.zeros_like" => "aten.zeros",
        "aten.ones_like" => "aten.ones",
        "aten.empty_like" => "aten.empty.memory_format",
        "aten.full_like" => "aten.full",
        _ => return None,
    })
}

/// Classifies an op by name and traits.
pub(crate) fn classify(ctx: &Context, op: OpId) -> OpClass {
    let name = ctx.name_str(op);
    let mut class = OpClass::default();
    if ctx.has_traits(op, Traits::CONSTANT_LIKE) {
        return OpClass::CONSTANT.with(OpClass::RECOMPUTABLE);
    }
    if !ctx.has_traits(op, Traits::PURE) {
        class = class.with(OpClass::RANDOM);
    }
    let Some(short) = name.strip_prefix("aten.") else {
        return class;
    };
    let packet = short.split('.').next().unwrap_or(short);
    if ctx.has_traits(op, Traits::ELEMENTWISE) && !class.has(OpClass::RANDOM) {
        class = class.with(OpClass::RECOMPUTABLE);
    }
    match packet {
        // PyTorch's view_ops (`transpose` is added: core ATen decomposes it to `permute`,
        // which is a view op, and it is as free to recompute).
        "squeeze" | "unsqueeze" | "alias" | "view" | "slice" | "t" | "expand" | "as_strided"
        | "permute" | "select" | "split" | "transpose" => {
            class = class.with(OpClass::VIEW).with(OpClass::RECOMPUTABLE);
        }
        // Non-pointwise ops of PyTorch's recomputable list (pointwise ones are `elementwise`).
        "sum" | "mean" | "amax" | "max" | "min" | "_to_copy" | "clone" | "full_like"
        | "zeros_like" | "empty_like" | "var" | "var_mean" | "_unsafe_view" | "reshape"
        | "scalar_tensor" | "ones" | "zeros" | "full" | "empty" | "arange" | "argmax" | "index"
        | "gather" => {
            class = class.with(OpClass::RECOMPUTABLE);
        }
        "mm" | "bmm" | "addmm" | "convolution" | "convolution_backward" => {
            class = class.with(OpClass::COMPUTE_INTENSIVE);
        }
        "cat" => class = class.with(OpClass::CAT),
        _ => {}
    }
    if factory_of(name).is_some() {
        class = class.with(OpClass::METADATA_ONLY);
    }
    if class.has(OpClass::RANDOM) {
        // An impure op is never recomputable, whatever its name says.
        class = OpClass(class.0 & !OpClass::RECOMPUTABLE.0);
    }
    class
}

/// PyTorch's flop-count runtime estimate (`estimate_runtime` with the `flops` estimator):
/// matmul and convolution flops, 1 for everything else.
pub(crate) fn estimate_flops(ctx: &Context, op: OpId) -> f64 {
    let shape = |i: usize| -> Vec<f64> {
        ctx.operands(op)
            .get(i)
            .and_then(|&v| ctx.tensor_parts(ctx.value_type(v)))
            .map(|(dims, _)| {
                dims.iter()
                    .map(|d| d.extent().unwrap_or(crate::graph::DYNAMIC_DIM_HINT) as f64)
                    .collect()
            })
            .unwrap_or_default()
    };
    let out_numel = || -> f64 {
        ctx.results(op)
            .first()
            .and_then(|&v| ctx.tensor_parts(ctx.value_type(v)))
            .map(|(dims, _)| {
                dims.iter()
                    .map(|d| d.extent().unwrap_or(crate::graph::DYNAMIC_DIM_HINT) as f64)
                    .product()
            })
            .unwrap_or(1.0)
    };
    let flops = match ctx.name_str(op) {
        "aten.mm" => {
            let (a, b) = (shape(0), shape(1));
            match (a.as_slice(), b.as_slice()) {
                ([m, k], [_, n]) => 2.0 * m * k * n,
                _ => 1.0,
            }
        }
        "aten.addmm" => {
            let (a, b) = (shape(1), shape(2));
            match (a.as_slice(), b.as_slice()) {
                ([m, k], [_, n]) => 2.0 * m * k * n,
                _ => 1.0,
            }
        }
        "aten.bmm" => {
            let (a, b) = (shape(0), shape(1));
            match (a.as_slice(), b.as_slice()) {
                ([bt, m, k], [_, _, n]) => 2.0 * bt * m * k * n,
                _ => 1.0,
            }
        }
        "aten.convolution" | "aten.convolution_backward" => {
            // 2 * output elements * (input channels per group * kernel elements).
            let w = shape(if ctx.name_str(op) == "aten.convolution" {
                1
            } else {
                2
            });
            let per_out: f64 = w.iter().skip(1).product();
            let fwd = 2.0 * out_numel() * per_out;
            if ctx.name_str(op) == "aten.convolution" {
                fwd
            } else {
                2.0 * fwd
            }
        }
        _ => 1.0,
    };
    flops.max(1.0)
}
