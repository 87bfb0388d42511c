//! What the partitioner needs to know about an op, read from the aten catalogue's traits:
//! PyTorch's op lists from `partitioners.py` (`get_default_op_list`) are the catalogue's
//! `view`, `recomputable`, `compute` and `random` traits (`elementwise` stands for
//! PyTorch's `pointwise` tag and implies `recomputable`), and any op that is not `pure`
//! draws random numbers or has effects, so it is never recomputed.

use joinery_aten::AtenTraits;
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
        "aten.empty_like" | "aten.new_empty_strided" => "aten.empty.memory_format",
        "aten.full_like" => "aten.full",
        _ => return None,
    })
}

/// Classifies an op by its traits: the IR's `PURE` and the catalogue's aten traits (ops
/// of other dialects have none).
pub(crate) fn classify(ctx: &Context, op: OpId) -> OpClass {
    if ctx.has_traits(op, Traits::CONSTANT_LIKE) {
        return OpClass::CONSTANT.with(OpClass::RECOMPUTABLE);
    }
    let traits = joinery_aten::aten_traits(ctx.name_str(op));
    let impure = !ctx.has_traits(op, Traits::PURE);
    [
        (
            traits.contains(AtenTraits::RANDOM) || impure,
            OpClass::RANDOM,
        ),
        (
            traits.contains(AtenTraits::RECOMPUTABLE),
            OpClass::RECOMPUTABLE,
        ),
        (traits.contains(AtenTraits::VIEW), OpClass::VIEW),
        (
            traits.contains(AtenTraits::COMPUTE_INTENSIVE),
            OpClass::COMPUTE_INTENSIVE,
        ),
        (traits.contains(AtenTraits::CONCAT), OpClass::CAT),
        (
            traits.contains(AtenTraits::METADATA),
            OpClass::METADATA_ONLY,
        ),
    ]
    .into_iter()
    .filter(|(set, _)| *set)
    .fold(OpClass::default(), |class, (_, flag)| class.with(flag))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metadata_op_has_a_catalogue_factory() {
        let metadata: Vec<&str> = joinery_aten::OPS
            .iter()
            .map(|d| d.name)
            .filter(|n| joinery_aten::aten_traits(n).contains(AtenTraits::METADATA))
            .collect();
        assert_eq!(metadata.len(), 5, "{metadata:?}");
        for name in metadata {
            let factory = factory_of(name).unwrap_or_else(|| panic!("{name} has no factory"));
            assert!(joinery_aten::schema(factory).is_some(), "{factory}");
        }
    }
}
