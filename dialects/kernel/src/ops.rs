//! The op table of the `kernel` dialect: its structural ops and, generated from one list,
//! the scalar ops of fused bodies ([`ScalarOp`]) that lowering builds and codegen
//! dispatches on.

use crate::verify;
use joinery_ir::{AsmFormat, DType, Dialect, OpDef, Traits};

/// The element kinds of scalars, as far as scalar ops care.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ScalarKind {
    Float,
    Int,
    /// `i1`: only the logical ops are defined (`i1` arithmetic is not PyTorch's bool
    /// arithmetic).
    Bool,
}

impl ScalarKind {
    /// The kind of `dtype`.
    pub fn of(dtype: DType) -> ScalarKind {
        match dtype {
            DType::Bool => ScalarKind::Bool,
            d if d.is_float() => ScalarKind::Float,
            _ => ScalarKind::Int,
        }
    }

    fn bit(self) -> u8 {
        match self {
            ScalarKind::Float => F,
            ScalarKind::Int => I,
            ScalarKind::Bool => B,
        }
    }
}

/// Kind sets of the `scalar_ops!` table: float, integer, bool.
const F: u8 = 1;
const I: u8 = 2;
const B: u8 = 4;

const fn scalar(name: &'static str, summary: &'static str) -> OpDef {
    OpDef {
        traits: Traits::PURE,
        format: AsmFormat::Functional,
        verify: Some(verify::verify_scalar),
        ..OpDef::new(name, summary)
    }
}

/// One row per elementwise scalar op: variant, op name, operand count, the element kinds
/// it is defined on (operands and result all of one type), summary.
macro_rules! scalar_ops {
    ($($variant:ident = $name:literal, $arity:literal, $kinds:expr, $summary:literal;)*) => {
        /// An elementwise scalar op of a `kernel.fused` body (`kernel.add`, `kernel.exp`...).
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        pub enum ScalarOp {
            $(#[doc = $summary] $variant,)*
        }

        impl ScalarOp {
            /// Every scalar op, in table order.
            pub const ALL: &'static [ScalarOp] = &[$(ScalarOp::$variant,)*];

            /// The op name (`kernel.add`).
            pub fn name(self) -> &'static str {
                match self { $(ScalarOp::$variant => $name,)* }
            }

            /// Number of operands: 1 or 2.
            pub fn arity(self) -> usize {
                match self { $(ScalarOp::$variant => $arity,)* }
            }

            /// The scalar op named `name`.
            pub fn from_name(name: &str) -> Option<ScalarOp> {
                match name { $($name => Some(ScalarOp::$variant),)* _ => None }
            }

            /// Whether the op is defined on scalars of `kind`: what the verifier accepts
            /// and code generation lowers.
            pub fn defined_on(self, kind: ScalarKind) -> bool {
                let kinds: u8 = match self { $(ScalarOp::$variant => $kinds,)* };
                kinds & kind.bit() != 0
            }
        }

        /// The kernel dialect.
        pub static KERNEL_DIALECT: Dialect = Dialect {
            ops: &[
                OpDef {
                    format: AsmFormat::Functional,
                    inherent_attrs: &["offset", "output"],
                    verify: Some(verify::verify_alloc),
                    ..OpDef::new("kernel.alloc", "A buffer: an arena slot or a result")
                },
                OpDef {
                    traits: Traits::ISOLATED_FROM_ABOVE.union(Traits::SINGLE_BLOCK),
                    inherent_attrs: &[
                        "in_maps", "name", "num_inputs", "out_kinds", "out_maps", "outer", "phases",
                        "sources", "space",
                    ],
                    verify: Some(verify::verify_fused),
                    ..OpDef::new("kernel.fused", "A fused loop nest over an iteration space")
                },
                OpDef {
                    inherent_attrs: &[
                        "a_map", "accumulate", "b_map", "batch", "c_map", "k", "m", "n", "sources",
                    ],
                    verify: Some(verify::verify_gemm),
                    ..OpDef::new(
                        "kernel.gemm",
                        "c (+)= a @ b on strided f32 matrices",
                    )
                },
                OpDef {
                    inherent_attrs: &[
                        "bounds", "dims", "index_maps", "index_strides", "out_map", "source",
                        "space", "src_map", "wrap",
                    ],
                    verify: Some(verify::verify_indexed),
                    ..OpDef::new("kernel.gather", "out = src at positions read from index buffers")
                },
                OpDef {
                    inherent_attrs: &[
                        "accumulate", "bounds", "dims", "index_maps", "index_strides", "out_map",
                        "reduce", "source", "space", "src_map", "wrap",
                    ],
                    verify: Some(verify::verify_indexed),
                    ..OpDef::new("kernel.scatter", "out (+)= src at positions read from index buffers")
                },
                OpDef {
                    inherent_attrs: &["out_map", "source", "space", "src_map"],
                    verify: Some(verify::verify_lanes),
                    ..OpDef::new("kernel.cumsum", "Running sums along the lanes of a buffer")
                },
                OpDef {
                    inherent_attrs: &["descending", "k", "out_map", "source", "space", "src_map"],
                    verify: Some(verify::verify_lanes),
                    ..OpDef::new("kernel.argsort", "Positions of each lane's first k elements in sorted order")
                },
                OpDef {
                    inherent_attrs: &[
                        "dims", "forward", "kind", "last_dim_size", "normalization", "onesided",
                        "shape", "source",
                    ],
                    verify: Some(verify::verify_fft),
                    ..OpDef::new("kernel.fft", "A discrete Fourier transform of a buffer (PyTorch's _fft_r2c, _fft_c2r, _fft_c2c)")
                },
                OpDef {
                    inherent_attrs: &[
                        "bias", "dilation", "engine", "groups", "input", "output", "padding", "pass",
                        "source", "stride", "weight",
                    ],
                    verify: Some(verify::verify_conv),
                    ..OpDef::new("kernel.conv", "One pass of an f32 convolution (forward, input gradient or weight gradient) over buffers")
                },
                OpDef {
                    inherent_attrs: &["source", "space", "src_map"],
                    verify: Some(verify::verify_nonzero),
                    ..OpDef::new("kernel.nonzero", "The indices of a buffer's nonzero elements as rows, and how many there are")
                },
                OpDef {
                    traits: Traits::PURE,
                    format: AsmFormat::Functional,
                    verify: Some(verify::verify_rows),
                    ..OpDef::new("kernel.rows", "The first count rows of a buffer: a value whose leading extent is known at run time")
                },
                OpDef {
                    format: AsmFormat::Functional,
                    inherent_attrs: &["value"],
                    verify: Some(verify::verify_fill),
                    ..OpDef::new("kernel.fill", "Sets every element of a buffer")
                },
                OpDef {
                    traits: Traits::TERMINATOR.union(Traits::PURE),
                    verify: Some(verify::verify_yield),
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
                $(scalar($name, $summary),)*
            ],
            ..Dialect::new("kernel", "Buffers, fused loop nests and GEMM calls (level L3)")
        };
    };
}

// Integer `div` and `rem` truncate and carry a `site`: a zero divisor is a run-time error
// naming it (the kernel's status word), never a trap; `MIN / -1` wraps.
scalar_ops! {
    Add = "kernel.add", 2, F | I, "a + b";
    Sub = "kernel.sub", 2, F | I, "a - b";
    Mul = "kernel.mul", 2, F | I, "a * b";
    Div = "kernel.div", 2, F | I, "a / b (integers: toward zero)";
    Max = "kernel.max", 2, F | I, "max(a, b)";
    Min = "kernel.min", 2, F | I, "min(a, b)";
    Pow = "kernel.pow", 2, F, "a ** b";
    Atan2 = "kernel.atan2", 2, F, "atan2(a, b)";
    Rem = "kernel.rem", 2, F | I, "a - trunc(a / b) * b (C's fmod, the sign of a)";
    And = "kernel.and", 2, I | B, "a & b";
    Or = "kernel.or", 2, I | B, "a | b";
    Xor = "kernel.xor", 2, I | B, "a ^ b";
    Shr = "kernel.shr", 2, I, "a >> (b mod bit width), zeros shifted in (logical)";
    Neg = "kernel.neg", 1, F | I, "-a";
    Abs = "kernel.abs", 1, F | I, "|a|";
    Exp = "kernel.exp", 1, F, "e ** a";
    Log = "kernel.log", 1, F, "ln a";
    Tanh = "kernel.tanh", 1, F, "tanh a";
    Sigmoid = "kernel.sigmoid", 1, F, "1 / (1 + e ** -a)";
    Sqrt = "kernel.sqrt", 1, F, "sqrt a";
    Rsqrt = "kernel.rsqrt", 1, F, "1 / sqrt a";
    Recip = "kernel.recip", 1, F, "1 / a";
    Erf = "kernel.erf", 1, F, "erf a";
    Sin = "kernel.sin", 1, F, "sin a";
    Cos = "kernel.cos", 1, F, "cos a";
    Log1p = "kernel.log1p", 1, F, "ln (1 + a)";
    Expm1 = "kernel.expm1", 1, F, "e ** a - 1";
    Tan = "kernel.tan", 1, F, "tan a";
    Asin = "kernel.asin", 1, F, "asin a";
    Acos = "kernel.acos", 1, F, "acos a";
    Atan = "kernel.atan", 1, F, "atan a";
    Sinh = "kernel.sinh", 1, F, "sinh a";
    Cosh = "kernel.cosh", 1, F, "cosh a";
    Asinh = "kernel.asinh", 1, F, "asinh a";
    Acosh = "kernel.acosh", 1, F, "acosh a";
    Atanh = "kernel.atanh", 1, F, "atanh a";
    Log2 = "kernel.log2", 1, F, "log2 a";
    Log10 = "kernel.log10", 1, F, "log10 a";
    Floor = "kernel.floor", 1, F, "floor a";
    Ceil = "kernel.ceil", 1, F, "ceil a";
    Round = "kernel.round", 1, F, "a rounded half to even";
    Trunc = "kernel.trunc", 1, F, "a rounded toward zero";
    Sign = "kernel.sign", 1, F | I, "sign a";
    Not = "kernel.not", 1, I | B, "~a (!a on bools)";
}

/// One row per comparison predicate: variant and spelling.
macro_rules! predicates {
    ($($variant:ident = $text:literal,)*) => {
        /// The predicate of a `kernel.cmp`.
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        pub enum Predicate {
            $(#[doc = $text] $variant,)*
        }

        impl Predicate {
            /// The spelling in the `predicate` attribute.
            pub fn text(self) -> &'static str {
                match self { $(Predicate::$variant => $text,)* }
            }

            /// The predicate spelled `text`.
            pub fn from_text(text: &str) -> Option<Predicate> {
                match text { $($text => Some(Predicate::$variant),)* _ => None }
            }
        }
    };
}

predicates! {
    Eq = "eq",
    Ne = "ne",
    Lt = "lt",
    Le = "le",
    Gt = "gt",
    Ge = "ge",
}

/// How a `kernel.fused` output is written: stored, or accumulated over the dims its map
/// gives stride 0.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum OutKind {
    Store,
    Sum,
    Max,
    Prod,
}

impl OutKind {
    /// The spelling in `out_kinds`.
    pub fn text(self) -> &'static str {
        match self {
            OutKind::Store => "store",
            OutKind::Sum => "sum",
            OutKind::Max => "max",
            OutKind::Prod => "prod",
        }
    }

    /// The kind spelled `text`.
    pub fn from_text(text: &str) -> Option<OutKind> {
        [OutKind::Store, OutKind::Sum, OutKind::Max, OutKind::Prod]
            .into_iter()
            .find(|k| k.text() == text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scalar_op_is_registered_once_with_its_name() {
        for &op in ScalarOp::ALL {
            assert_eq!(ScalarOp::from_name(op.name()), Some(op));
            let defs = KERNEL_DIALECT
                .ops
                .iter()
                .filter(|d| d.name == op.name())
                .count();
            assert_eq!(defs, 1, "{}", op.name());
            assert!(matches!(op.arity(), 1 | 2));
        }
        assert_eq!(ScalarOp::from_name("kernel.fused"), None);
        assert_eq!(Predicate::from_text("le"), Some(Predicate::Le));
        assert_eq!(OutKind::from_text("sum"), Some(OutKind::Sum));
        assert_eq!(OutKind::from_text("prod"), Some(OutKind::Prod));
    }
}
