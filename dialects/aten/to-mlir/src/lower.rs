//! The lowering of each aten op to upstream MLIR, one row per op in [`LOWERINGS`].
//!
//! Every tensor is static-shape and every value is built by melior's builders. Pointwise
//! ops, broadcasts (`expand`) and permutations (`t`, `transpose.int`, `permute`) are one
//! `linalg.generic` each whose indexing maps broadcast or permute the inputs; reductions are
//! a `linalg.generic` over a `linalg.fill`ed accumulator; matrix products are
//! `linalg.matmul` / `linalg.batch_matmul`; views are `tensor.reshape`, slices
//! `tensor.extract_slice`, `cat` a chain of `tensor.insert_slice`. Ops that read their
//! operands at computed places (convolutions, pooling, gathers, scatters, sorts) are in
//! `lower/indexed.rs`. A sum into `f32` accumulates in `f64`, as the interpreter's kernels do.
//!
//! Inside a pointwise body every input is first cast to the op's compute dtype (the
//! result dtype for arithmetic, PyTorch's `result_type` of the operands for comparisons,
//! `i1` for logical ops), and the body's value is cast to the result dtype, as PyTorch's
//! TensorIterator does.

use crate::types::{TensorTy, element};
use joinery_aten::args::{ArgValue, attr_or_default, operand_groups};
use joinery_aten::dtype::{Participant, result_type};
use joinery_ir::{Context, DType, DenseScalar, Diagnostic, Note, OpId};
use melior::dialect::arith::{self, CmpfPredicate, CmpiPredicate};
use melior::ir::attribute::{
    ArrayAttribute, DenseElementsAttribute, DenseI32ArrayAttribute, DenseI64ArrayAttribute,
    DictionaryAttribute, FlatSymbolRefAttribute, FloatAttribute, IntegerAttribute, StringAttribute,
    TypeAttribute,
};
use melior::ir::operation::{OperationBuilder, OperationLike};
use melior::ir::r#type::{FunctionType, IntegerType, RankedTensorType};
use melior::ir::{
    AffineExpr, AffineMap, Attribute, Block, BlockLike, Identifier, Location, Module, Operation,
    Region, RegionLike, Value, ValueLike,
};
use std::collections::HashMap;

mod bag;
mod dynamic;
mod fft;
mod indexed;
mod random;
mod reads;
mod writes;

pub use dynamic::Layout;
pub use fft::Transform;
pub use random::{Draw, RngSource, rng_source};

/// An op's lowering failed: the reason, shown in the export's diagnostic.
type LResult<T> = Result<T, String>;

/// How an aten op is lowered.
#[derive(Clone, Copy)]
pub enum Lowering {
    /// One `linalg.generic` over the result's shape: the tensor operands (broadcast to the
    /// result) then the named scalar attributes, cast per [`Compute`], combined by `body`.
    Pointwise {
        /// Scalar attributes appended to the inputs, in order (absent optional ones are `None`).
        scalars: &'static [&'static str],
        /// The dtype the inputs are cast to.
        compute: Compute,
        /// The scalar computation.
        body: BodyFn,
    },
    /// A reduction over `dim` (all dims when absent or empty) with `keepdim`.
    Reduce(Reduction),
    /// `div` with a `rounding_mode` (none, `trunc`, `floor`): a pointwise row whose body
    /// the mode picks, with these scalar attributes after the tensor operands.
    DivMode(&'static [&'static str]),
    /// `linalg.matmul` (`mm`) or `linalg.batch_matmul` (`bmm`).
    Matmul,
    /// `beta * bias + alpha * (m1 @ m2)`.
    Addmm,
    /// A permutation of the dims (`t`, `transpose.int`, `permute`).
    Permute,
    /// The operand broadcast to the result's shape (`expand`).
    Expand,
    /// `tensor.reshape` to the result's shape (views that keep the element order).
    Reshape,
    /// The operand itself (value semantics make copies and aliases the same value).
    Identity,
    /// A constant tensor of the result type holding one value: the named attribute, or
    /// the given number when there is none.
    Fill(Option<&'static str>, f64),
    /// `arange`: `start + i * step`.
    Arange,
    /// `arith.constant` with a dense tensor value.
    Constant,
    /// `cat`: `tensor.insert_slice` of each operand into an empty result.
    Cat,
    /// `slice.Tensor`: `tensor.extract_slice` with a step.
    Slice,
    /// `select.int`: a one-element slice, reshaped to drop the dim.
    Select,
    /// `split.Tensor`, `split_with_sizes`: one `tensor.extract_slice` per result, each
    /// starting where the previous one ends along `dim`.
    Split,
    /// `gather`: a `linalg.generic` over the index reading `self` with `tensor.extract`.
    Gather,
    /// `embedding`: rows of the weight read with `tensor.extract`.
    Embedding,
    /// `embedding_dense_backward`: a reduction over the indices' places.
    EmbeddingDenseBackward,
    /// `constant_pad_nd`: `self` read at shifted places, `value` outside.
    ConstantPad,
    /// `convolution` (1-3 spatial dims, groups, stride, padding, dilation; not transposed).
    Convolution,
    /// `convolution_backward`: the input, weight and bias gradients `output_mask` asks for.
    ConvolutionBackward,
    /// `max_pool{2,3}d_with_indices`: the window maxima and their first offsets.
    MaxPoolWithIndices,
    /// `max_pool{2,3}d_with_indices_backward`: gradients summed where the indices point.
    MaxPoolBackward,
    /// `triu`, `tril`: zeros on one side of a diagonal.
    Triangle,
    /// `linspace`: evenly spaced numbers filled from both ends.
    Linspace,
    /// `index.Tensor`: `self` read at the index tensors' elements.
    Index,
    /// `index_put` with `accumulate`: values summed into the places they index.
    IndexPut,
    /// `slice_scatter`, `select_scatter`, `slice_backward`, `select_backward`: a tensor
    /// written into a slice or an index of a base (`self`, or zeros).
    ViewScatter,
    /// `avg_pool{2,3}d`: window sums over their divisors.
    AvgPool,
    /// `avg_pool{2,3}d_backward`: the shares of the windows reading each place.
    AvgPoolBackward,
    /// `_adaptive_avg_pool{2,3}d`: means over adaptive windows.
    AdaptiveAvgPool,
    /// `_adaptive_avg_pool{2,3}d_backward`: the shares of the windows holding each place.
    AdaptiveAvgPoolBackward,
    /// `im2col`: the sliding windows' taps as columns.
    Im2col,
    /// `col2im`: columns summed back into the places their taps read.
    Col2im,
    /// `cumsum`: prefix sums along a dim.
    Cumsum,
    /// `scatter_add`, `scatter.src`, `scatter.value`: `src` (or `value`) added or written
    /// at the places `index` names along a dim.
    Scatter,
    /// `sort`, `topk`: values and positions in the interpreter's stable order.
    Sort,
    /// `flip`: `self` read backwards along some dims.
    Flip,
    /// A random op drawing the interpreter's numbers (`lower/random.rs`).
    Random(Draw),
    /// `_embedding_bag`: bags of rows summed, averaged or maximised (`lower/bag.rs`).
    EmbeddingBag,
    /// `_embedding_bag_backward`: each bag's gradient back to the rows it read.
    EmbeddingBagBackward,
    /// `view_as_complex`, `view_as_real`: the identity on the pair form of complex tensors
    /// (`lower/fft.rs`).
    PairView,
    /// An FFT op: DFTs against cos/sin tables (`lower/fft.rs`).
    Fft(Transform),
    /// `index_select`: slices of `self` at a vector's elements (`lower/reads.rs`).
    IndexSelect,
    /// `repeat`: `self` tiled.
    Repeat,
    /// `reflection_pad{1,2,3}d`, `replication_pad{2,3}d`: `self` read mirrored at its
    /// edges, or at the nearest edge.
    IndexPad,
    /// `upsample_nearest2d.vec`, `upsample_bilinear2d.vec`: PyTorch's source places.
    Upsample,
    /// `diagonal`: a diagonal of two dims as the last dim.
    Diagonal,
    /// `as_strided`: `self`'s storage read through sizes, strides and an offset.
    AsStrided,
    /// `as_strided_scatter`: `src` written into the places an `as_strided` view reads
    /// (`lower/writes.rs`).
    AsStridedScatter,
    /// `masked_scatter`: `source`'s elements in order at the places a mask holds.
    MaskedScatter,
    /// `scatter_reduce.two`: `src` combined into the places `index` names.
    ScatterReduce,
    /// `func.call`: the same call of the exported callee.
    Call,
    /// A `sym_*` op: a number of its operand's layout (`lower/dynamic.rs`).
    Layout(Layout),
    /// `_local_scalar_dense`: a one-element tensor's element as a number.
    LocalScalar,
    /// `nonzero`: the coordinates of the nonzero elements, a run-time number of rows.
    Nonzero,
}

/// The dtype of a pointwise op's inputs.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Compute {
    /// The result dtype (arithmetic, casts).
    Result,
    /// PyTorch's `result_type` of the operands (comparisons).
    Promoted,
    /// `i1` (logical ops).
    Bool,
    /// `where.self` (`i1`, then the result dtype twice).
    Where,
    /// `masked_fill.Scalar` (the result dtype, `i1`, the result dtype).
    MaskedFill,
}

/// A reduction's combining function.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Reduction {
    /// `sum`, `sum.dim_IntList`.
    Sum,
    /// `amax`.
    Max,
    /// `prod`, `prod.dim_int`.
    Prod,
    /// `all`, `all.dim`: a logical and (`true` when empty).
    All,
    /// `any`, `any.dim`, `any.dims`: a logical or (`false` when empty).
    Any,
}

/// A pointwise body: the inputs (cast to their compute dtypes; `None` for an absent
/// optional scalar) to one value in the compute dtype, or `i1`.
pub type BodyFn = for<'c, 'b> fn(&Body<'c, 'b>, &[Option<Value<'c, 'b>>]) -> LResult<Value<'c, 'b>>;

/// A pointwise body as a closure (rows' [`BodyFn`]s and the bodies the lowering writes
/// itself), for any lifetime of the body's block.
type BodyClosure<'c> =
    dyn for<'x> Fn(&Body<'c, 'x>, &[Option<Value<'c, 'x>>]) -> LResult<Value<'c, 'x>>;

/// Shorthand for a pointwise row.
const fn pw(scalars: &'static [&'static str], compute: Compute, body: BodyFn) -> Lowering {
    Lowering::Pointwise {
        scalars,
        compute,
        body,
    }
}

/// The lowering of every covered aten op (the op name without `aten.`).
pub static LOWERINGS: &[(&str, Lowering)] = &[
    ("_embedding_bag", Lowering::EmbeddingBag),
    ("view_as_complex", Lowering::PairView),
    ("view_as_real", Lowering::PairView),
    ("_fft_r2c", Lowering::Fft(Transform::R2c)),
    ("_fft_c2c", Lowering::Fft(Transform::C2c)),
    ("_fft_c2r", Lowering::Fft(Transform::C2r)),
    ("_embedding_bag_backward", Lowering::EmbeddingBagBackward),
    ("native_dropout", Lowering::Random(Draw::Dropout)),
    ("bernoulli.p", Lowering::Random(Draw::Bernoulli)),
    ("rand", Lowering::Random(Draw::Uniform)),
    ("rand_like", Lowering::Random(Draw::Uniform)),
    ("randn", Lowering::Random(Draw::Normal)),
    ("randn_like", Lowering::Random(Draw::Normal)),
    (
        "add.Tensor",
        pw(&["alpha"], Compute::Result, |b, v| b.add_scaled(v, false)),
    ),
    (
        "add.Scalar",
        pw(&["other", "alpha"], Compute::Result, |b, v| {
            b.add_scaled(v, false)
        }),
    ),
    (
        "sub.Tensor",
        pw(&["alpha"], Compute::Result, |b, v| b.add_scaled(v, true)),
    ),
    (
        "sub.Scalar",
        pw(&["other", "alpha"], Compute::Result, |b, v| {
            b.add_scaled(v, true)
        }),
    ),
    (
        "rsub.Tensor",
        pw(&["alpha"], Compute::Result, |b, v| b.rsub(v)),
    ),
    (
        "rsub.Scalar",
        pw(&["other", "alpha"], Compute::Result, |b, v| b.rsub(v)),
    ),
    (
        "mul.Tensor",
        pw(&[], Compute::Result, |b, v| b.arith(Arith::Mul, v)),
    ),
    (
        "mul.Scalar",
        pw(&["other"], Compute::Result, |b, v| b.arith(Arith::Mul, v)),
    ),
    (
        "div.Tensor",
        pw(&[], Compute::Result, |b, v| b.arith(Arith::Div, v)),
    ),
    (
        "div.Scalar",
        pw(&["other"], Compute::Result, |b, v| b.arith(Arith::Div, v)),
    ),
    (
        "maximum",
        pw(&[], Compute::Result, |b, v| b.arith(Arith::Max, v)),
    ),
    (
        "minimum",
        pw(&[], Compute::Result, |b, v| b.arith(Arith::Min, v)),
    ),
    (
        "pow.Tensor_Tensor",
        pw(&[], Compute::Result, |b, v| b.pow(v[0], v[1])),
    ),
    (
        "pow.Tensor_Scalar",
        pw(&["exponent"], Compute::Result, |b, v| b.pow(v[0], v[1])),
    ),
    (
        "pow.Scalar",
        pw(&["self"], Compute::Result, |b, v| b.pow(v[1], v[0])),
    ),
    ("neg", pw(&[], Compute::Result, |b, v| b.neg(b.get(v, 0)?))),
    ("abs", pw(&[], Compute::Result, |b, v| b.abs(b.get(v, 0)?))),
    (
        "relu",
        pw(&[], Compute::Result, |b, v| {
            let zero = b.number(0.0);
            b.arith(Arith::Max, &[v[0], Some(zero)])
        }),
    ),
    (
        "sign",
        pw(&[], Compute::Result, |b, v| b.sign(b.get(v, 0)?)),
    ),
    (
        "exp",
        pw(&[], Compute::Result, |b, v| b.math("math.exp", v)),
    ),
    (
        "expm1",
        pw(&[], Compute::Result, |b, v| b.math("math.expm1", v)),
    ),
    (
        "log",
        pw(&[], Compute::Result, |b, v| b.math("math.log", v)),
    ),
    (
        "log1p",
        pw(&[], Compute::Result, |b, v| b.math("math.log1p", v)),
    ),
    (
        "log2",
        pw(&[], Compute::Result, |b, v| b.math("math.log2", v)),
    ),
    (
        "sqrt",
        pw(&[], Compute::Result, |b, v| b.math("math.sqrt", v)),
    ),
    (
        "rsqrt",
        pw(&[], Compute::Result, |b, v| b.math("math.rsqrt", v)),
    ),
    (
        "erf",
        pw(&[], Compute::Result, |b, v| b.math("math.erf", v)),
    ),
    (
        "tanh",
        pw(&[], Compute::Result, |b, v| b.math("math.tanh", v)),
    ),
    (
        "sin",
        pw(&[], Compute::Result, |b, v| b.math("math.sin", v)),
    ),
    (
        "cos",
        pw(&[], Compute::Result, |b, v| b.math("math.cos", v)),
    ),
    (
        "floor",
        pw(&[], Compute::Result, |b, v| b.rounding("math.floor", v)),
    ),
    (
        "ceil",
        pw(&[], Compute::Result, |b, v| b.rounding("math.ceil", v)),
    ),
    (
        "round",
        pw(&[], Compute::Result, |b, v| b.rounding("math.roundeven", v)),
    ),
    (
        "trunc",
        pw(&[], Compute::Result, |b, v| b.rounding("math.trunc", v)),
    ),
    (
        "tan",
        pw(&[], Compute::Result, |b, v| b.math("math.tan", v)),
    ),
    (
        "asin",
        pw(&[], Compute::Result, |b, v| b.math("math.asin", v)),
    ),
    (
        "acos",
        pw(&[], Compute::Result, |b, v| b.math("math.acos", v)),
    ),
    (
        "atan",
        pw(&[], Compute::Result, |b, v| b.math("math.atan", v)),
    ),
    (
        "sinh",
        pw(&[], Compute::Result, |b, v| b.math("math.sinh", v)),
    ),
    (
        "cosh",
        pw(&[], Compute::Result, |b, v| b.math("math.cosh", v)),
    ),
    (
        "asinh",
        pw(&[], Compute::Result, |b, v| b.math("math.asinh", v)),
    ),
    (
        "acosh",
        pw(&[], Compute::Result, |b, v| b.math("math.acosh", v)),
    ),
    (
        "atanh",
        pw(&[], Compute::Result, |b, v| b.math("math.atanh", v)),
    ),
    (
        "log10",
        pw(&[], Compute::Result, |b, v| b.math("math.log10", v)),
    ),
    (
        "atan2",
        pw(&[], Compute::Result, |b, v| b.float_binary("math.atan2", v)),
    ),
    ("fmod.Tensor", pw(&[], Compute::Result, |b, v| b.fmod(v))),
    (
        "fmod.Scalar",
        pw(&["other"], Compute::Result, |b, v| b.fmod(v)),
    ),
    (
        "remainder.Tensor",
        pw(&[], Compute::Result, |b, v| b.remainder(v)),
    ),
    (
        "remainder.Scalar",
        pw(&["other"], Compute::Result, |b, v| b.remainder(v)),
    ),
    ("div.Tensor_mode", Lowering::DivMode(&[])),
    ("div.Scalar_mode", Lowering::DivMode(&["other"])),
    (
        "sigmoid",
        pw(&[], Compute::Result, |b, v| b.sigmoid(b.get(v, 0)?)),
    ),
    (
        "reciprocal",
        pw(&[], Compute::Result, |b, v| {
            let one = b.number(1.0);
            b.arith(Arith::Div, &[Some(one), v[0]])
        }),
    ),
    (
        "clamp",
        pw(&["min", "max"], Compute::Result, |b, v| b.clamp(v)),
    ),
    ("clamp.Tensor", pw(&[], Compute::Result, |b, v| b.clamp(v))),
    (
        "clamp_min",
        pw(&["min"], Compute::Result, |b, v| b.clamp(v)),
    ),
    (
        "clamp_max",
        pw(&["max"], Compute::Result, |b, v| {
            b.clamp(&[v[0], None, v[1]])
        }),
    ),
    (
        "eq.Tensor",
        pw(&[], Compute::Promoted, |b, v| b.compare(Cmp::Eq, v)),
    ),
    (
        "eq.Scalar",
        pw(&["other"], Compute::Promoted, |b, v| b.compare(Cmp::Eq, v)),
    ),
    (
        "ne.Tensor",
        pw(&[], Compute::Promoted, |b, v| b.compare(Cmp::Ne, v)),
    ),
    (
        "ne.Scalar",
        pw(&["other"], Compute::Promoted, |b, v| b.compare(Cmp::Ne, v)),
    ),
    (
        "lt.Tensor",
        pw(&[], Compute::Promoted, |b, v| b.compare(Cmp::Lt, v)),
    ),
    (
        "lt.Scalar",
        pw(&["other"], Compute::Promoted, |b, v| b.compare(Cmp::Lt, v)),
    ),
    (
        "le.Tensor",
        pw(&[], Compute::Promoted, |b, v| b.compare(Cmp::Le, v)),
    ),
    (
        "le.Scalar",
        pw(&["other"], Compute::Promoted, |b, v| b.compare(Cmp::Le, v)),
    ),
    (
        "gt.Tensor",
        pw(&[], Compute::Promoted, |b, v| b.compare(Cmp::Gt, v)),
    ),
    (
        "gt.Scalar",
        pw(&["other"], Compute::Promoted, |b, v| b.compare(Cmp::Gt, v)),
    ),
    (
        "ge.Tensor",
        pw(&[], Compute::Promoted, |b, v| b.compare(Cmp::Ge, v)),
    ),
    (
        "ge.Scalar",
        pw(&["other"], Compute::Promoted, |b, v| b.compare(Cmp::Ge, v)),
    ),
    (
        "isinf",
        pw(&[], Compute::Promoted, |b, v| b.is_infinite(b.get(v, 0)?)),
    ),
    (
        "isnan",
        pw(&[], Compute::Promoted, |b, v| {
            let x = b.get(v, 0)?;
            b.compare_values(Cmp::Unordered, x, x)
        }),
    ),
    (
        "logical_and",
        pw(&[], Compute::Bool, |b, v| b.binary("arith.andi", v)),
    ),
    (
        "logical_or",
        pw(&[], Compute::Bool, |b, v| b.binary("arith.ori", v)),
    ),
    (
        "logical_xor",
        pw(&[], Compute::Bool, |b, v| b.binary("arith.xori", v)),
    ),
    (
        "logical_not",
        pw(&[], Compute::Bool, |b, v| {
            let t = b.number(1.0);
            b.binary("arith.xori", &[v[0], Some(t)])
        }),
    ),
    (
        "where.self",
        pw(&[], Compute::Where, |b, v| b.select(v[0], v[1], v[2])),
    ),
    (
        "masked_fill.Scalar",
        pw(&["value"], Compute::MaskedFill, |b, v| {
            b.select(v[1], v[2], v[0])
        }),
    ),
    ("_to_copy", pw(&[], Compute::Result, |b, v| b.get(v, 0))),
    ("sum", Lowering::Reduce(Reduction::Sum)),
    ("sum.dim_IntList", Lowering::Reduce(Reduction::Sum)),
    ("amax", Lowering::Reduce(Reduction::Max)),
    ("prod", Lowering::Reduce(Reduction::Prod)),
    ("prod.dim_int", Lowering::Reduce(Reduction::Prod)),
    ("all", Lowering::Reduce(Reduction::All)),
    ("all.dim", Lowering::Reduce(Reduction::All)),
    ("any", Lowering::Reduce(Reduction::Any)),
    ("any.dim", Lowering::Reduce(Reduction::Any)),
    ("any.dims", Lowering::Reduce(Reduction::Any)),
    ("mm", Lowering::Matmul),
    ("bmm", Lowering::Matmul),
    ("addmm", Lowering::Addmm),
    ("t", Lowering::Permute),
    ("transpose.int", Lowering::Permute),
    ("permute", Lowering::Permute),
    ("expand", Lowering::Expand),
    ("view", Lowering::Reshape),
    ("_unsafe_view", Lowering::Reshape),
    ("reshape", Lowering::Reshape),
    ("unsqueeze", Lowering::Reshape),
    ("squeeze", Lowering::Reshape),
    ("squeeze.dim", Lowering::Reshape),
    ("squeeze.dims", Lowering::Reshape),
    ("flatten.using_ints", Lowering::Reshape),
    ("clone", Lowering::Identity),
    ("alias", Lowering::Identity),
    ("detach", Lowering::Identity),
    ("lift_fresh_copy", Lowering::Identity),
    ("scalar_tensor", Lowering::Fill(Some("s"), 0.0)),
    ("full", Lowering::Fill(Some("fill_value"), 0.0)),
    ("full_like", Lowering::Fill(Some("fill_value"), 0.0)),
    ("zeros", Lowering::Fill(None, 0.0)),
    ("zero", Lowering::Fill(None, 0.0)),
    ("zeros_like", Lowering::Fill(None, 0.0)),
    ("new_zeros", Lowering::Fill(None, 0.0)),
    ("new_empty_strided", Lowering::Fill(None, 0.0)),
    ("ones", Lowering::Fill(None, 1.0)),
    ("ones_like", Lowering::Fill(None, 1.0)),
    ("new_ones", Lowering::Fill(None, 1.0)),
    ("arange", Lowering::Arange),
    ("arange.start", Lowering::Arange),
    ("arange.start_step", Lowering::Arange),
    ("cat", Lowering::Cat),
    ("slice.Tensor", Lowering::Slice),
    ("select.int", Lowering::Select),
    ("split.Tensor", Lowering::Split),
    ("unsafe_split.Tensor", Lowering::Split),
    ("split_with_sizes", Lowering::Split),
    ("gather", Lowering::Gather),
    ("embedding", Lowering::Embedding),
    ("embedding_dense_backward", Lowering::EmbeddingDenseBackward),
    ("constant_pad_nd", Lowering::ConstantPad),
    ("convolution", Lowering::Convolution),
    ("convolution_backward", Lowering::ConvolutionBackward),
    ("max_pool2d_with_indices", Lowering::MaxPoolWithIndices),
    ("max_pool3d_with_indices", Lowering::MaxPoolWithIndices),
    (
        "max_pool2d_with_indices_backward",
        Lowering::MaxPoolBackward,
    ),
    (
        "max_pool3d_with_indices_backward",
        Lowering::MaxPoolBackward,
    ),
    ("triu", Lowering::Triangle),
    ("tril", Lowering::Triangle),
    ("linspace", Lowering::Linspace),
    ("index.Tensor", Lowering::Index),
    ("_unsafe_index.Tensor", Lowering::Index),
    ("index_put", Lowering::IndexPut),
    ("_unsafe_index_put", Lowering::IndexPut),
    ("empty.memory_format", Lowering::Fill(None, 0.0)),
    ("empty_like", Lowering::Fill(None, 0.0)),
    ("empty_strided", Lowering::Fill(None, 0.0)),
    ("slice_scatter", Lowering::ViewScatter),
    ("select_scatter", Lowering::ViewScatter),
    ("slice_backward", Lowering::ViewScatter),
    ("select_backward", Lowering::ViewScatter),
    ("avg_pool2d", Lowering::AvgPool),
    ("avg_pool3d", Lowering::AvgPool),
    ("avg_pool2d_backward", Lowering::AvgPoolBackward),
    ("avg_pool3d_backward", Lowering::AvgPoolBackward),
    ("_adaptive_avg_pool2d", Lowering::AdaptiveAvgPool),
    ("_adaptive_avg_pool3d", Lowering::AdaptiveAvgPool),
    (
        "_adaptive_avg_pool2d_backward",
        Lowering::AdaptiveAvgPoolBackward,
    ),
    (
        "_adaptive_avg_pool3d_backward",
        Lowering::AdaptiveAvgPoolBackward,
    ),
    ("im2col", Lowering::Im2col),
    ("col2im", Lowering::Col2im),
    ("copy", pw(&[], Compute::Result, |b, v| b.get(v, 1))),
    ("fill.Scalar", Lowering::Fill(Some("value"), 0.0)),
    ("cumsum", Lowering::Cumsum),
    ("scatter_add", Lowering::Scatter),
    ("scatter.src", Lowering::Scatter),
    ("scatter.value", Lowering::Scatter),
    ("sort", Lowering::Sort),
    ("topk", Lowering::Sort),
    ("flip", Lowering::Flip),
    ("index_select", Lowering::IndexSelect),
    ("repeat", Lowering::Repeat),
    ("reflection_pad1d", Lowering::IndexPad),
    ("reflection_pad2d", Lowering::IndexPad),
    ("reflection_pad3d", Lowering::IndexPad),
    ("replication_pad2d", Lowering::IndexPad),
    ("replication_pad3d", Lowering::IndexPad),
    ("upsample_nearest2d.vec", Lowering::Upsample),
    ("upsample_bilinear2d.vec", Lowering::Upsample),
    ("diagonal", Lowering::Diagonal),
    ("as_strided", Lowering::AsStrided),
    ("as_strided_scatter", Lowering::AsStridedScatter),
    ("masked_scatter", Lowering::MaskedScatter),
    ("scatter_reduce.two", Lowering::ScatterReduce),
    ("sym_size.int", Lowering::Layout(Layout::Size)),
    ("sym_stride.int", Lowering::Layout(Layout::Stride)),
    ("sym_numel", Lowering::Layout(Layout::Numel)),
    (
        "sym_storage_offset",
        Lowering::Layout(Layout::StorageOffset),
    ),
    ("_local_scalar_dense", Lowering::LocalScalar),
    ("nonzero", Lowering::Nonzero),
    (
        "bitwise_and.Tensor",
        pw(&[], Compute::Result, |b, v| b.bitwise("arith.andi", v)),
    ),
    (
        "bitwise_and.Scalar",
        pw(&["other"], Compute::Result, |b, v| {
            b.bitwise("arith.andi", v)
        }),
    ),
    (
        "bitwise_or.Tensor",
        pw(&[], Compute::Result, |b, v| b.bitwise("arith.ori", v)),
    ),
    (
        "bitwise_or.Scalar",
        pw(&["other"], Compute::Result, |b, v| {
            b.bitwise("arith.ori", v)
        }),
    ),
    (
        "bitwise_xor.Tensor",
        pw(&[], Compute::Result, |b, v| b.bitwise("arith.xori", v)),
    ),
    (
        "bitwise_xor.Scalar",
        pw(&["other"], Compute::Result, |b, v| {
            b.bitwise("arith.xori", v)
        }),
    ),
    ("sgn", pw(&[], Compute::Result, |b, v| b.sign(b.get(v, 0)?))),
    (
        "bitwise_not",
        pw(&[], Compute::Result, |b, v| b.bitwise_not(b.get(v, 0)?)),
    ),
    (
        "xlogy.Tensor",
        pw(&[], Compute::Result, |b, v| {
            b.xlogy(b.get(v, 0)?, b.get(v, 1)?)
        }),
    ),
];

/// The lowering of op `name` (`aten.add.Tensor`, `arith.constant`, `func.call`), if there
/// is one.
pub fn lowering(name: &str) -> Option<Lowering> {
    match name {
        "arith.constant" => return Some(Lowering::Constant),
        "func.call" => return Some(Lowering::Call),
        _ => {}
    }
    let short = name.strip_prefix("aten.")?;
    LOWERINGS
        .iter()
        .find(|(n, _)| *n == short)
        .map(|&(_, lowering)| lowering)
}

/// Exports every `func.func` of `module`; the error names every op without a lowering (or
/// whose lowering refused it) at once.
pub fn export_module<'c>(
    ctx: &Context,
    module: OpId,
    mlir: &'c melior::Context,
) -> Result<Module<'c>, Diagnostic> {
    let out = Module::new(Location::unknown(mlir));
    let mut failures: Vec<(OpId, String)> = Vec::new();
    let body = ctx
        .body_block(module)
        .ok_or_else(|| Diagnostic::error("the module has no body"))?;
    for func in ctx.block_ops(body) {
        if ctx.name_str(func) != "func.func" {
            continue;
        }
        match export_function(ctx, func, mlir, &mut failures) {
            Ok(Some(op)) => {
                out.body().append_operation(op);
            }
            Ok(None) => {}
            Err(d) => return Err(d),
        }
    }
    if failures.is_empty() {
        return Ok(out);
    }
    let mut names: Vec<&str> = failures.iter().map(|(op, _)| ctx.name_str(*op)).collect();
    names.sort_unstable();
    names.dedup();
    let mut d = Diagnostic::error(format!(
        "no lowering to upstream MLIR for {}",
        names
            .iter()
            .map(|n| format!("'{n}'"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
    .with_span(ctx.span(failures[0].0));
    for (op, reason) in &failures {
        d.notes.push(Note {
            message: format!("'{}': {reason}", ctx.name_str(*op)),
            span: ctx.span(*op),
        });
    }
    Err(d)
}

/// The discardable attributes carried over from a joinery argument or result dictionary:
/// each entry's joinery text as a string.
fn carried_attrs<'c>(
    ctx: &Context,
    mlir: &'c melior::Context,
    dict: Option<joinery_ir::Attribute>,
) -> Attribute<'c> {
    let entries: Vec<(Identifier<'c>, Attribute<'c>)> = dict
        .and_then(|d| ctx.as_dictionary(d))
        .unwrap_or(&[])
        .iter()
        .map(|(key, value)| {
            let text = joinery_syntax::attr_text(ctx, *value);
            (
                Identifier::new(mlir, key),
                StringAttribute::new(mlir, &text).into(),
            )
        })
        .collect();
    DictionaryAttribute::new(mlir, &entries).into()
}

/// The dictionaries of `arg_attrs` or `res_attrs`, one per slot (`None` where absent).
fn slot_dicts(
    ctx: &Context,
    func: OpId,
    key: &str,
    count: usize,
) -> Vec<Option<joinery_ir::Attribute>> {
    let items = ctx
        .attr(func, key)
        .and_then(|a| ctx.as_array(a))
        .filter(|items| items.len() == count);
    (0..count).map(|i| items.map(|items| items[i])).collect()
}

/// The argument attribute marking the seed and offset arguments the export appends to a
/// function that draws random numbers without Philox arguments ([`RngSource::Appended`]).
pub const RNG_ARG_KEY: &str = "aot.rng";

/// Exports one function; `Ok(None)` for a declaration (no body). Ops that cannot be
/// lowered are pushed to `failures`.
fn export_function<'c>(
    ctx: &Context,
    func: OpId,
    mlir: &'c melior::Context,
    failures: &mut Vec<(OpId, String)>,
) -> Result<Option<Operation<'c>>, Diagnostic> {
    let name = ctx.symbol_name(func).unwrap_or("anonymous").to_string();
    let located = |message: String| Diagnostic::error(message).with_span(ctx.span(func));
    let (inputs, results) = joinery_func::signature(ctx, func)
        .ok_or_else(|| located(format!("@{name} has no function type")))?;
    let Some(entry) = ctx.body_block(func) else {
        return Ok(None);
    };
    let loc = Location::unknown(mlir);
    let rng = rng_source(ctx, func);
    let mut arg_tys = inputs
        .iter()
        .enumerate()
        .map(|(i, &t)| {
            crate::types::exported(ctx, t).ok_or_else(|| {
                located(format!(
                    "@{name}: argument #{i} is not a static-shape tensor or a number of bool, i32, i64, f32, f64 or complex, which the MLIR export needs"
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if rng == RngSource::Appended {
        let state = TensorTy {
            shape: vec![],
            dtype: DType::I64,
        };
        arg_tys.extend([state.clone(), state]);
    }
    let mut kept = Vec::new();
    let mut none_results = Vec::new();
    let res_dicts = slot_dicts(ctx, func, "res_attrs", results.len());
    for (j, &t) in results.iter().enumerate() {
        if matches!(ctx.type_data(t), joinery_ir::TypeData::None) {
            none_results.push(j);
        } else {
            let ty = crate::types::exported_result(ctx, t).ok_or_else(|| {
                located(format!(
                    "@{name}: result #{j} is not a tensor or a number of bool, i32, i64, f32, f64 or complex, which the MLIR export needs"
                ))
            })?;
            kept.push((j, ty));
        }
    }
    let block = Block::new(
        &arg_tys
            .iter()
            .map(|t| (t.mlir(mlir), loc))
            .collect::<Vec<_>>(),
    );
    {
        let mut lower = Lowerer {
            ctx,
            mlir,
            block: &block,
            loc,
            values: HashMap::new(),
            rng: None,
        };
        for (i, &arg) in ctx.block_args(entry).iter().enumerate() {
            let v = block.argument(i).map_err(|e| located(e.to_string()))?;
            lower.values.insert(arg, v.into());
        }
        lower.start_rng(rng, &arg_tys).map_err(located)?;
        for op in ctx.block_ops(entry) {
            if ctx.name_str(op) == "func.return" {
                let mut outs = Vec::new();
                for &(j, _) in &kept {
                    let operand = ctx.operand(op, j);
                    match lower.values.get(&operand) {
                        Some(&v) => outs.push(v),
                        // Its producer failed and is already reported.
                        None if !failures.is_empty() => return Ok(None),
                        None => {
                            return Err(located(format!(
                                "@{name}: result #{j} is not a value the export produced"
                            )));
                        }
                    }
                }
                block.append_operation(melior::dialect::func::r#return(&outs, loc));
                continue;
            }
            if ctx.name_str(op) == "aot.none" {
                continue;
            }
            let is_none = |v: &joinery_ir::Value| {
                matches!(
                    ctx.type_data(ctx.value_type(*v)),
                    joinery_ir::TypeData::None
                )
            };
            if ctx
                .operands(op)
                .iter()
                .any(|v| !lower.values.contains_key(v) && !is_none(v))
            {
                // Its producer failed and is already reported.
                continue;
            }
            if let Err(reason) = lower.op(op) {
                failures.push((op, reason));
            }
        }
    }
    let function_type = FunctionType::new(
        mlir,
        &arg_tys.iter().map(|t| t.mlir(mlir)).collect::<Vec<_>>(),
        &kept.iter().map(|(_, t)| t.mlir(mlir)).collect::<Vec<_>>(),
    );
    let arg_dicts = slot_dicts(ctx, func, "arg_attrs", inputs.len());
    let mut arg_attrs: Vec<Attribute> = arg_dicts
        .iter()
        .map(|d| carried_attrs(ctx, mlir, *d))
        .collect();
    if rng == RngSource::Appended {
        for role in ["seed", "offset"] {
            let entry = (
                Identifier::new(mlir, RNG_ARG_KEY),
                StringAttribute::new(mlir, role).into(),
            );
            arg_attrs.push(DictionaryAttribute::new(mlir, &[entry]).into());
        }
    }
    let res_attrs: Vec<Attribute> = kept
        .iter()
        .map(|&(j, _)| carried_attrs(ctx, mlir, res_dicts[j]))
        .collect();
    let mut attributes = vec![
        (
            Identifier::new(mlir, "arg_attrs"),
            ArrayAttribute::new(mlir, &arg_attrs).into(),
        ),
        (
            Identifier::new(mlir, "res_attrs"),
            ArrayAttribute::new(mlir, &res_attrs).into(),
        ),
    ];
    if !none_results.is_empty() {
        let entries: Vec<Attribute> = none_results
            .iter()
            .map(|&j| {
                DictionaryAttribute::new(
                    mlir,
                    &[
                        (
                            Identifier::new(mlir, "index"),
                            IntegerAttribute::new(IntegerType::new(mlir, 64).into(), j as i64)
                                .into(),
                        ),
                        (
                            Identifier::new(mlir, "attrs"),
                            carried_attrs(ctx, mlir, res_dicts[j]),
                        ),
                    ],
                )
                .into()
            })
            .collect();
        attributes.push((
            Identifier::new(mlir, "aot.none_results"),
            ArrayAttribute::new(mlir, &entries).into(),
        ));
    }
    let region = Region::new();
    region.append_block(block);
    Ok(Some(melior::dialect::func::func(
        mlir,
        StringAttribute::new(mlir, &name),
        TypeAttribute::new(function_type.into()),
        region,
        &attributes,
        loc,
    )))
}

/// Lowers the ops of one function body into `block`.
struct Lowerer<'c, 'b> {
    ctx: &'b Context,
    mlir: &'c melior::Context,
    block: &'b Block<'c>,
    loc: Location<'c>,
    /// The MLIR value of each joinery value lowered so far.
    values: HashMap<joinery_ir::Value, Value<'c, 'b>>,
    /// The random state, when the function draws random numbers.
    rng: Option<random::Rng<'c, 'b>>,
}

/// The joinery value's static tensor type, or the reason it has none.
fn tensor_ty(ctx: &Context, v: joinery_ir::Value) -> LResult<TensorTy> {
    TensorTy::of(ctx, ctx.value_type(v)).ok_or_else(|| {
        "operands and results must be static-shape tensors of bool, i32, i64, f32 or f64".into()
    })
}

/// A number read from an attribute, kept exact for integers.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Number {
    Int(i64),
    Float(f64),
}

impl Number {
    /// The scalar argument `name` of `op`: `None` when absent (`None` in PyTorch).
    fn arg(ctx: &Context, op: OpId, name: &str) -> LResult<Option<Number>> {
        Ok(match attr_or_default(ctx, op, name)? {
            ArgValue::None => None,
            ArgValue::Int(v) => Some(Number::Int(v)),
            ArgValue::Bool(b) => Some(Number::Int(i64::from(b))),
            ArgValue::Float(v) => Some(Number::Float(v)),
            other => return Err(format!("argument '{name}' is not a number: {other:?}")),
        })
    }

    /// The dtype PyTorch gives a Python number of this kind.
    fn dtype(self) -> DType {
        match self {
            Number::Int(_) => DType::I64,
            Number::Float(_) => DType::F64,
        }
    }

    fn to_f64(self) -> f64 {
        match self {
            Number::Int(v) => v as f64,
            Number::Float(v) => v,
        }
    }

    /// The value converted to an integer dtype as PyTorch does (truncation).
    fn to_i64(self) -> i64 {
        match self {
            Number::Int(v) => v,
            Number::Float(v) => v as i64,
        }
    }
}

/// A scalar constant of `dtype` in `block`.
fn scalar_constant<'c, 'b>(
    mlir: &'c melior::Context,
    block: &'b Block<'c>,
    loc: Location<'c>,
    value: Number,
    dtype: DType,
) -> Value<'c, 'b> {
    let ty = element(mlir, dtype);
    let attr: Attribute = if dtype.is_float() {
        FloatAttribute::new(mlir, ty, value.to_f64()).into()
    } else if dtype == DType::Bool {
        IntegerAttribute::new(ty, i64::from(value.to_f64() != 0.0)).into()
    } else {
        IntegerAttribute::new(ty, value.to_i64()).into()
    };
    block
        .append_operation(arith::constant(mlir, attr, loc))
        .result(0)
        .expect("arith.constant has a result")
        .into()
}

/// Casts scalar `v` from `from` to `to` as PyTorch does (float to int truncates, anything
/// to bool is `!= 0`).
fn cast<'c, 'b>(
    mlir: &'c melior::Context,
    block: &'b Block<'c>,
    loc: Location<'c>,
    v: Value<'c, 'b>,
    from: DType,
    to: DType,
) -> Value<'c, 'b> {
    if from == to {
        return v;
    }
    let ty = element(mlir, to);
    let unary = |name: &str| -> Value<'c, 'b> {
        block
            .append_operation(
                OperationBuilder::new(name, loc)
                    .add_operands(&[v])
                    .add_results(&[ty])
                    .build()
                    .expect("valid cast"),
            )
            .result(0)
            .expect("a cast has a result")
            .into()
    };
    if to == DType::Bool {
        let zero = scalar_constant(mlir, block, loc, Number::Int(0), from);
        let op = if from.is_float() {
            arith::cmpf(mlir, CmpfPredicate::Une, v, zero, loc)
        } else {
            arith::cmpi(mlir, CmpiPredicate::Ne, v, zero, loc)
        };
        return block
            .append_operation(op)
            .result(0)
            .expect("a comparison has a result")
            .into();
    }
    match (from.is_float(), to.is_float()) {
        (true, true) if from.size_bytes() < to.size_bytes() => unary("arith.extf"),
        (true, true) => unary("arith.truncf"),
        (true, false) => unary("arith.fptosi"),
        (false, true) if from == DType::Bool => unary("arith.uitofp"),
        (false, true) => unary("arith.sitofp"),
        (false, false) if from == DType::Bool => unary("arith.extui"),
        (false, false) if from.size_bytes() < to.size_bytes() => unary("arith.extsi"),
        (false, false) => unary("arith.trunci"),
    }
}

/// The builder of a pointwise body: scalar ops in the compute dtype.
pub struct Body<'c, 'b> {
    mlir: &'c melior::Context,
    block: &'b Block<'c>,
    loc: Location<'c>,
    /// The compute dtype of the body's arithmetic.
    dtype: DType,
}

/// A binary arithmetic op, by the compute dtype's kind.
#[derive(Clone, Copy)]
enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Max,
    Min,
}

/// A comparison.
#[derive(Clone, Copy)]
enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// Either operand is NaN.
    Unordered,
}

impl<'c, 'b> Body<'c, 'b> {
    /// This body computing in `dtype` instead (the same block).
    fn with_dtype(&self, dtype: DType) -> Body<'c, 'b> {
        Body {
            mlir: self.mlir,
            block: self.block,
            loc: self.loc,
            dtype,
        }
    }

    /// Input `i`, which must be present.
    fn get(&self, v: &[Option<Value<'c, 'b>>], i: usize) -> LResult<Value<'c, 'b>> {
        v.get(i)
            .copied()
            .flatten()
            .ok_or_else(|| format!("input #{i} is missing"))
    }

    /// A constant in the compute dtype.
    fn number(&self, x: f64) -> Value<'c, 'b> {
        let n = if self.dtype.is_float() {
            Number::Float(x)
        } else {
            Number::Int(x as i64)
        };
        scalar_constant(self.mlir, self.block, self.loc, n, self.dtype)
    }

    fn push(&self, op: Operation<'c>) -> Value<'c, 'b> {
        self.block
            .append_operation(op)
            .result(0)
            .expect("a body op has a result")
            .into()
    }

    /// A binary op `name` whose result has the type of its first operand.
    fn binary(&self, name: &str, v: &[Option<Value<'c, 'b>>]) -> LResult<Value<'c, 'b>> {
        let (a, b) = (self.get(v, 0)?, self.get(v, 1)?);
        Ok(self.push(
            OperationBuilder::new(name, self.loc)
                .add_operands(&[a, b])
                .add_results(&[a.r#type()])
                .build()
                .map_err(|e| e.to_string())?,
        ))
    }

    /// `a op b` in the compute dtype.
    fn arith(&self, op: Arith, v: &[Option<Value<'c, 'b>>]) -> LResult<Value<'c, 'b>> {
        if self.dtype == DType::Bool {
            // PyTorch's arithmetic on booleans: `+` is or, `*` is and.
            let name = match op {
                Arith::Add | Arith::Max => "arith.ori",
                Arith::Mul | Arith::Min => "arith.andi",
                Arith::Sub | Arith::Div => return Err("subtraction or division of booleans".into()),
            };
            return self.binary(name, v);
        }
        let float = self.dtype.is_float();
        let name = match (op, float) {
            (Arith::Add, true) => "arith.addf",
            (Arith::Add, false) => "arith.addi",
            (Arith::Sub, true) => "arith.subf",
            (Arith::Sub, false) => "arith.subi",
            (Arith::Mul, true) => "arith.mulf",
            (Arith::Mul, false) => "arith.muli",
            (Arith::Div, true) => "arith.divf",
            (Arith::Div, false) => return Err("integer true division".into()),
            (Arith::Max, true) => "arith.maximumf",
            (Arith::Max, false) => "arith.maxsi",
            (Arith::Min, true) => "arith.minimumf",
            (Arith::Min, false) => "arith.minsi",
        };
        self.binary(name, v)
    }

    /// `self + alpha * other` (or `-`): inputs `[self, other, alpha]`.
    fn add_scaled(&self, v: &[Option<Value<'c, 'b>>], subtract: bool) -> LResult<Value<'c, 'b>> {
        let scaled = self.arith(Arith::Mul, &[v[1], v[2]])?;
        let op = if subtract { Arith::Sub } else { Arith::Add };
        self.arith(op, &[v[0], Some(scaled)])
    }

    /// `other - alpha * self`: inputs `[self, other, alpha]`.
    fn rsub(&self, v: &[Option<Value<'c, 'b>>]) -> LResult<Value<'c, 'b>> {
        let scaled = self.arith(Arith::Mul, &[v[0], v[2]])?;
        self.arith(Arith::Sub, &[v[1], Some(scaled)])
    }

    fn neg(&self, x: Value<'c, 'b>) -> LResult<Value<'c, 'b>> {
        if self.dtype.is_float() {
            Ok(self.push(arith::negf(x, self.loc)))
        } else {
            let zero = self.number(0.0);
            self.arith(Arith::Sub, &[Some(zero), Some(x)])
        }
    }

    fn abs(&self, x: Value<'c, 'b>) -> LResult<Value<'c, 'b>> {
        let name = if self.dtype.is_float() {
            "math.absf"
        } else {
            "math.absi"
        };
        self.math(name, &[Some(x)])
    }

    /// `(0 < x) - (x < 0)`: NaN gives 0, as PyTorch's `sign`.
    fn sign(&self, x: Value<'c, 'b>) -> LResult<Value<'c, 'b>> {
        let zero = self.number(0.0);
        let pos = self.compare_values(Cmp::Gt, x, zero)?;
        let neg = self.compare_values(Cmp::Lt, x, zero)?;
        let pos = cast(
            self.mlir,
            self.block,
            self.loc,
            pos,
            DType::Bool,
            self.dtype,
        );
        let neg = cast(
            self.mlir,
            self.block,
            self.loc,
            neg,
            DType::Bool,
            self.dtype,
        );
        self.arith(Arith::Sub, &[Some(pos), Some(neg)])
    }

    /// A bitwise `arith` op (`andi`, `ori`, `xori`) of booleans or integers.
    fn bitwise(&self, name: &str, v: &[Option<Value<'c, 'b>>]) -> LResult<Value<'c, 'b>> {
        if self.dtype.is_float() {
            return Err("a bitwise op on floats".into());
        }
        self.binary(name, v)
    }

    /// `~x`: `x xor true` for booleans, `x xor -1` for integers.
    fn bitwise_not(&self, x: Value<'c, 'b>) -> LResult<Value<'c, 'b>> {
        let ones = match self.dtype {
            DType::Bool => self.number(1.0),
            d if d.is_float() => return Err("bitwise not of a float".into()),
            _ => self.number(-1.0),
        };
        self.binary("arith.xori", &[Some(x), Some(ones)])
    }

    /// `x * log(y)`, with `0` where `x == 0` unless `y` is NaN (PyTorch's `xlogy`).
    fn xlogy(&self, x: Value<'c, 'b>, y: Value<'c, 'b>) -> LResult<Value<'c, 'b>> {
        let log = self.math("math.log", &[Some(y)])?;
        let product = self.arith(Arith::Mul, &[Some(x), Some(log)])?;
        let zero = self.number(0.0);
        let x_zero = self.compare_values(Cmp::Eq, x, zero)?;
        let y_nan = self.compare_values(Cmp::Unordered, y, y)?;
        let at_zero = self.select(Some(y_nan), Some(y), Some(zero))?;
        self.select(Some(x_zero), Some(at_zero), Some(product))
    }

    /// `1 / (1 + exp(-x))`.
    fn sigmoid(&self, x: Value<'c, 'b>) -> LResult<Value<'c, 'b>> {
        let minus = self.neg(x)?;
        let e = self.math("math.exp", &[Some(minus)])?;
        let one = self.number(1.0);
        let denominator = self.arith(Arith::Add, &[Some(one), Some(e)])?;
        self.arith(Arith::Div, &[Some(one), Some(denominator)])
    }

    /// A unary `math` op whose result has its operand's type.
    fn math(&self, name: &str, v: &[Option<Value<'c, 'b>>]) -> LResult<Value<'c, 'b>> {
        let x = self.get(v, 0)?;
        if !self.dtype.is_float() && name != "math.absi" {
            return Err(format!("'{name}' on an integer tensor"));
        }
        Ok(self.push(
            OperationBuilder::new(name, self.loc)
                .add_operands(&[x])
                .add_results(&[x.r#type()])
                .build()
                .map_err(|e| e.to_string())?,
        ))
    }

    /// A `math` rounding op (`floor`, `ceil`, `roundeven`, `trunc`) on floats; integers
    /// are already whole, as in the interpreter; booleans are refused.
    fn rounding(&self, name: &str, v: &[Option<Value<'c, 'b>>]) -> LResult<Value<'c, 'b>> {
        match self.dtype {
            DType::Bool => Err(format!("'{name}' on a bool tensor")),
            d if d.is_float() => self.math(name, v),
            _ => self.get(v, 0),
        }
    }

    /// A binary `math` op of floats (`math.atan2`).
    fn float_binary(&self, name: &str, v: &[Option<Value<'c, 'b>>]) -> LResult<Value<'c, 'b>> {
        if !self.dtype.is_float() {
            return Err(format!("'{name}' on an integer tensor"));
        }
        self.binary(name, v)
    }

    /// Whether `x` is an infinity (never, for integers).
    fn is_infinite(&self, x: Value<'c, 'b>) -> LResult<Value<'c, 'b>> {
        if !self.dtype.is_float() {
            return Ok(scalar_constant(
                self.mlir,
                self.block,
                self.loc,
                Number::Int(0),
                DType::Bool,
            ));
        }
        let magnitude = self.abs(x)?;
        let infinity = self.number(f64::INFINITY);
        self.compare_values(Cmp::Eq, magnitude, infinity)
    }

    /// `fmod(a, b)`: the remainder of truncating division, with the sign of `a`
    /// (`arith.remf`, `arith.remsi`).
    fn fmod(&self, v: &[Option<Value<'c, 'b>>]) -> LResult<Value<'c, 'b>> {
        match self.dtype {
            DType::Bool => Err("the remainder of booleans".into()),
            d if d.is_float() => self.binary("arith.remf", v),
            _ => self.binary("arith.remsi", v),
        }
    }

    /// Python's `a % b`: `fmod(a, b)`, plus `b` when it is nonzero and its sign differs
    /// from `b`'s.
    fn remainder(&self, v: &[Option<Value<'c, 'b>>]) -> LResult<Value<'c, 'b>> {
        let m = self.fmod(v)?;
        let divisor = self.get(v, 1)?;
        let adjust = self.remainder_off_sign(m, divisor)?;
        let shifted = self.arith(Arith::Add, &[Some(m), Some(divisor)])?;
        self.select(Some(adjust), Some(shifted), Some(m))
    }

    /// Whether the remainder `m` of a division by `divisor` is nonzero with the other sign
    /// (where truncating and flooring division differ).
    fn remainder_off_sign(
        &self,
        m: Value<'c, 'b>,
        divisor: Value<'c, 'b>,
    ) -> LResult<Value<'c, 'b>> {
        let zero = self.number(0.0);
        let nonzero = self.compare_values(Cmp::Ne, m, zero)?;
        let m_negative = self.compare_values(Cmp::Lt, m, zero)?;
        let divisor_negative = self.compare_values(Cmp::Lt, divisor, zero)?;
        let signs_differ =
            self.binary("arith.xori", &[Some(m_negative), Some(divisor_negative)])?;
        self.binary("arith.andi", &[Some(nonzero), Some(signs_differ)])
    }

    /// `div(a, b, rounding_mode='trunc')`: the quotient rounded toward zero.
    fn div_trunc(&self, v: &[Option<Value<'c, 'b>>]) -> LResult<Value<'c, 'b>> {
        match self.dtype {
            DType::Bool => Err("division of booleans".into()),
            d if d.is_float() => {
                let q = self.arith(Arith::Div, v)?;
                self.math("math.trunc", &[Some(q)])
            }
            _ => self.binary("arith.divsi", v),
        }
    }

    /// `div(a, b, rounding_mode='floor')`: Python's `a // b`. Floats follow PyTorch's
    /// kernel (and the interpreter's): `(a - fmod(a, b)) / b`, one less when the remainder's
    /// sign differs from `b`'s, a signed zero when that is zero, else rounded to the
    /// nearest whole number; `a / b` when `b` is zero.
    fn div_floor(&self, v: &[Option<Value<'c, 'b>>]) -> LResult<Value<'c, 'b>> {
        match self.dtype {
            DType::Bool => return Err("division of booleans".into()),
            d if !d.is_float() => return self.binary("arith.floordivsi", v),
            _ => {}
        }
        let (a, b) = (self.get(v, 0)?, self.get(v, 1)?);
        let zero = self.number(0.0);
        let one = self.number(1.0);
        let quotient = self.arith(Arith::Div, v)?;
        let m = self.fmod(v)?;
        let whole = self.arith(Arith::Sub, &[Some(a), Some(m)])?;
        let div = self.arith(Arith::Div, &[Some(whole), Some(b)])?;
        let adjust = self.remainder_off_sign(m, b)?;
        let lowered = self.arith(Arith::Sub, &[Some(div), Some(one)])?;
        let div = self.select(Some(adjust), Some(lowered), Some(div))?;
        let q = self.math("math.floor", &[Some(div)])?;
        let fraction = self.arith(Arith::Sub, &[Some(div), Some(q)])?;
        let half = self.number(0.5);
        let round_up = self.compare_values(Cmp::Gt, fraction, half)?;
        let raised = self.arith(Arith::Add, &[Some(q), Some(one)])?;
        let q = self.select(Some(round_up), Some(raised), Some(q))?;
        let signed_zero = self.binary("math.copysign", &[Some(zero), Some(quotient)])?;
        let div_zero = self.compare_values(Cmp::Eq, div, zero)?;
        let q = self.select(Some(div_zero), Some(signed_zero), Some(q))?;
        let b_zero = self.compare_values(Cmp::Eq, b, zero)?;
        self.select(Some(b_zero), Some(quotient), Some(q))
    }

    /// `base ** exponent` (`math.powf`, or `math.ipowi` for integers).
    fn pow(
        &self,
        base: Option<Value<'c, 'b>>,
        exponent: Option<Value<'c, 'b>>,
    ) -> LResult<Value<'c, 'b>> {
        let name = if self.dtype.is_float() {
            "math.powf"
        } else {
            "math.ipowi"
        };
        self.binary(name, &[base, exponent])
    }

    /// `min(max(x, lo), hi)` for the bounds present: inputs `[x, lo, hi]`.
    fn clamp(&self, v: &[Option<Value<'c, 'b>>]) -> LResult<Value<'c, 'b>> {
        let mut x = self.get(v, 0)?;
        if let Some(lo) = v.get(1).copied().flatten() {
            x = self.arith(Arith::Max, &[Some(x), Some(lo)])?;
        }
        if let Some(hi) = v.get(2).copied().flatten() {
            x = self.arith(Arith::Min, &[Some(x), Some(hi)])?;
        }
        Ok(x)
    }

    fn compare(&self, cmp: Cmp, v: &[Option<Value<'c, 'b>>]) -> LResult<Value<'c, 'b>> {
        self.compare_values(cmp, self.get(v, 0)?, self.get(v, 1)?)
    }

    /// `a cmp b` as `i1` (ordered for floats except `!=`, as C's operators).
    fn compare_values(
        &self,
        cmp: Cmp,
        a: Value<'c, 'b>,
        b: Value<'c, 'b>,
    ) -> LResult<Value<'c, 'b>> {
        let op = if self.dtype.is_float() {
            let p = match cmp {
                Cmp::Eq => CmpfPredicate::Oeq,
                Cmp::Ne => CmpfPredicate::Une,
                Cmp::Lt => CmpfPredicate::Olt,
                Cmp::Le => CmpfPredicate::Ole,
                Cmp::Gt => CmpfPredicate::Ogt,
                Cmp::Ge => CmpfPredicate::Oge,
                Cmp::Unordered => CmpfPredicate::Uno,
            };
            arith::cmpf(self.mlir, p, a, b, self.loc)
        } else {
            let unsigned = self.dtype == DType::Bool;
            let p = match (cmp, unsigned) {
                (Cmp::Eq, _) => CmpiPredicate::Eq,
                (Cmp::Ne, _) => CmpiPredicate::Ne,
                (Cmp::Lt, false) => CmpiPredicate::Slt,
                (Cmp::Le, false) => CmpiPredicate::Sle,
                (Cmp::Gt, false) => CmpiPredicate::Sgt,
                (Cmp::Ge, false) => CmpiPredicate::Sge,
                (Cmp::Lt, true) => CmpiPredicate::Ult,
                (Cmp::Le, true) => CmpiPredicate::Ule,
                (Cmp::Gt, true) => CmpiPredicate::Ugt,
                (Cmp::Ge, true) => CmpiPredicate::Uge,
                (Cmp::Unordered, _) => {
                    // An integer is never NaN.
                    return Ok(scalar_constant(
                        self.mlir,
                        self.block,
                        self.loc,
                        Number::Int(0),
                        DType::Bool,
                    ));
                }
            };
            arith::cmpi(self.mlir, p, a, b, self.loc)
        };
        Ok(self.push(op))
    }

    fn select(
        &self,
        c: Option<Value<'c, 'b>>,
        a: Option<Value<'c, 'b>>,
        b: Option<Value<'c, 'b>>,
    ) -> LResult<Value<'c, 'b>> {
        let v = [c, a, b];
        Ok(self.push(arith::select(
            self.get(&v, 0)?,
            self.get(&v, 1)?,
            self.get(&v, 2)?,
            self.loc,
        )))
    }
}

/// How an input of a `linalg.generic` is read: the loop dims of its subscripts.
#[derive(Clone)]
enum Access {
    /// Aligned to the trailing loop dims, size-1 dims broadcast.
    Broadcast,
    /// Subscript `i` is loop dim `dims[i]`.
    Dims(Vec<usize>),
}

/// An input of a pointwise `linalg.generic`.
#[derive(Clone)]
enum Input<'c, 'b> {
    /// A tensor, its type, and how it is read.
    Tensor(Value<'c, 'b>, TensorTy, Access),
    /// A number, materialized in the body.
    Number(Option<Number>),
}

impl<'c, 'b> Lowerer<'c, 'b> {
    fn value(&self, v: joinery_ir::Value) -> LResult<Value<'c, 'b>> {
        self.values
            .get(&v)
            .copied()
            .ok_or_else(|| "an operand was not lowered".into())
    }

    fn push(&self, op: Operation<'c>) -> Value<'c, 'b> {
        self.block
            .append_operation(op)
            .result(0)
            .expect("the op has a result")
            .into()
    }

    fn id(&self, name: &str) -> Identifier<'c> {
        Identifier::new(self.mlir, name)
    }

    /// Lowers one op, recording its result.
    fn op(&mut self, op: OpId) -> LResult<()> {
        let ctx = self.ctx;
        let name = ctx.name_str(op);
        let Some(lowering) = lowering(name) else {
            return Err("no row in the lowering table".into());
        };
        match lowering {
            Lowering::Random(draw) => return self.random(op, draw),
            Lowering::EmbeddingBag => return self.embedding_bag(op),
            Lowering::PairView => return self.pair_view(op),
            Lowering::Fft(transform) => return self.fft(op, transform),
            Lowering::Split => return self.split(op),
            Lowering::ConvolutionBackward => return self.convolution_backward(op),
            Lowering::MaxPoolWithIndices => return self.max_pool_with_indices(op),
            Lowering::Sort => return self.sort(op),
            Lowering::Call => return self.call(op),
            Lowering::Nonzero => return self.nonzero(op),
            _ => {}
        }
        let results = ctx.results(op);
        let [result] = results else {
            return Err(format!(
                "{} results; the export covers ops with one",
                results.len()
            ));
        };
        let out_ty = tensor_ty(ctx, *result)?;
        let value = match lowering {
            Lowering::Pointwise {
                scalars,
                compute,
                body,
            } => self.pointwise(op, &out_ty, scalars, compute, body)?,
            Lowering::Reduce(kind) => self.reduce(op, &out_ty, kind)?,
            Lowering::DivMode(scalars) => {
                let body: BodyFn = match attr_or_default(ctx, op, "rounding_mode")? {
                    ArgValue::None => |b, v| b.arith(Arith::Div, v),
                    ArgValue::Str(m) if m == "trunc" => |b, v| b.div_trunc(v),
                    ArgValue::Str(m) if m == "floor" => |b, v| b.div_floor(v),
                    m => return Err(format!("rounding mode {m:?}")),
                };
                self.pointwise(op, &out_ty, scalars, Compute::Result, body)?
            }
            Lowering::Matmul => {
                let (a, b) = (ctx.operand(op, 0), ctx.operand(op, 1));
                self.matmul(self.value(a)?, self.value(b)?, &out_ty)?
            }
            Lowering::Addmm => self.addmm(op, &out_ty)?,
            Lowering::Permute => self.permute(op, &out_ty)?,
            Lowering::Expand => {
                let x = ctx.operand(op, 0);
                let input = Input::Tensor(self.value(x)?, tensor_ty(ctx, x)?, Access::Broadcast);
                self.generic_pointwise(&[input], &out_ty, out_ty.dtype, &|b, v| b.get(v, 0))?
            }
            Lowering::Reshape => self.reshape(self.value(ctx.operand(op, 0))?, &out_ty),
            Lowering::Identity => self.value(ctx.operand(op, 0))?,
            Lowering::Fill(attr, default) => {
                let n = match attr {
                    Some(a) => Number::arg(ctx, op, a)?.ok_or("no fill value")?,
                    None => Number::Float(default),
                };
                self.splat(n, &out_ty)
            }
            Lowering::Arange => self.arange(op, &out_ty)?,
            Lowering::Constant => self.constant(op, &out_ty)?,
            Lowering::Cat => self.cat(op, &out_ty)?,
            Lowering::Slice => self.slice(op, &out_ty)?,
            Lowering::Select => self.select(op, &out_ty)?,
            Lowering::Gather => self.gather(op, &out_ty)?,
            Lowering::Embedding => self.embedding(op, &out_ty)?,
            Lowering::EmbeddingDenseBackward => self.embedding_dense_backward(op, &out_ty)?,
            Lowering::ConstantPad => self.constant_pad(op, &out_ty)?,
            Lowering::Convolution => self.convolution(op, &out_ty)?,
            Lowering::MaxPoolBackward => self.max_pool_backward(op, &out_ty)?,
            Lowering::Triangle => self.triangle(op, &out_ty)?,
            Lowering::Linspace => self.linspace(op, &out_ty)?,
            Lowering::Index => self.index(op, &out_ty)?,
            Lowering::IndexPut => self.index_put(op, &out_ty)?,
            Lowering::ViewScatter => self.view_scatter(op, &out_ty)?,
            Lowering::AvgPool => self.avg_pool(op, &out_ty)?,
            Lowering::AvgPoolBackward => self.avg_pool_backward(op, &out_ty)?,
            Lowering::AdaptiveAvgPool => self.adaptive_avg_pool(op, &out_ty)?,
            Lowering::AdaptiveAvgPoolBackward => self.adaptive_avg_pool_backward(op, &out_ty)?,
            Lowering::Im2col => self.im2col(op, &out_ty)?,
            Lowering::Col2im => self.col2im(op, &out_ty)?,
            Lowering::Cumsum => self.cumsum(op, &out_ty)?,
            Lowering::Scatter => self.scatter(op, &out_ty)?,
            Lowering::Flip => self.flip(op, &out_ty)?,
            Lowering::EmbeddingBagBackward => self.embedding_bag_backward(op, &out_ty)?,
            Lowering::IndexSelect => self.index_select(op, &out_ty)?,
            Lowering::Repeat => self.repeat(op, &out_ty)?,
            Lowering::IndexPad => self.index_pad(op, &out_ty)?,
            Lowering::Upsample => self.upsample(op, &out_ty)?,
            Lowering::Diagonal => self.diagonal(op, &out_ty)?,
            Lowering::AsStrided => self.as_strided(op, &out_ty)?,
            Lowering::AsStridedScatter => self.as_strided_scatter(op, &out_ty)?,
            Lowering::MaskedScatter => self.masked_scatter(op, &out_ty)?,
            Lowering::ScatterReduce => self.scatter_reduce(op, &out_ty)?,
            Lowering::Layout(kind) => self.layout_number(op, kind, &out_ty)?,
            Lowering::LocalScalar => self.local_scalar(op, &out_ty)?,
            Lowering::Split
            | Lowering::ConvolutionBackward
            | Lowering::MaxPoolWithIndices
            | Lowering::Sort
            | Lowering::Call
            | Lowering::Nonzero
            | Lowering::Random(_)
            | Lowering::EmbeddingBag
            | Lowering::PairView
            | Lowering::Fft(_) => {
                unreachable!("ops with several results are lowered before the one-result ops")
            }
        };
        self.values.insert(*result, value);
        Ok(())
    }

    /// `func.call @callee`: the same call in the export, whose callee is exported beside
    /// the caller; the callee's `none` results are not in its exported signature, so the
    /// call has only the others. A declaration (not exported) is refused, and so is a
    /// callee drawing random numbers without Philox arguments (its export takes a seed and
    /// an offset the call does not have).
    fn call(&mut self, op: OpId) -> LResult<()> {
        let ctx = self.ctx;
        let callee = ctx
            .attr(op, "callee")
            .and_then(|a| ctx.as_symbol_ref(a))
            .ok_or("a call without a callee")?;
        let mut table = ctx.parent_op(op);
        while let Some(t) = table.filter(|&t| !ctx.has_traits(t, joinery_ir::Traits::SYMBOL_TABLE))
        {
            table = ctx.parent_op(t);
        }
        let func = table
            .and_then(|t| ctx.lookup_symbol(t, callee))
            .ok_or_else(|| format!("no function @{callee}"))?;
        if ctx.body_block(func).is_none() {
            return Err(format!(
                "@{callee} is a declaration, which the export leaves out"
            ));
        }
        if rng_source(ctx, func) == RngSource::Appended {
            return Err(format!(
                "@{callee} draws random numbers without Philox arguments"
            ));
        }
        let args = ctx
            .operands(op)
            .iter()
            .map(|&v| self.value(v))
            .collect::<LResult<Vec<_>>>()?;
        let mut kept = Vec::new();
        let mut types = Vec::new();
        for &r in ctx.results(op) {
            if !matches!(ctx.type_data(ctx.value_type(r)), joinery_ir::TypeData::None) {
                types.push(tensor_ty(ctx, r)?.mlir(self.mlir));
                kept.push(r);
            }
        }
        let call = self.block.append_operation(melior::dialect::func::call(
            self.mlir,
            FlatSymbolRefAttribute::new(self.mlir, callee),
            &args,
            &types,
            self.loc,
        ));
        for (i, r) in kept.into_iter().enumerate() {
            let v = call.result(i).map_err(|e| e.to_string())?;
            self.values.insert(r, v.into());
        }
        Ok(())
    }

    /// A pointwise op from its row: tensor operands, then scalar attributes.
    fn pointwise(
        &mut self,
        op: OpId,
        out: &TensorTy,
        scalars: &[&str],
        compute: Compute,
        body: BodyFn,
    ) -> LResult<Value<'c, 'b>> {
        let ctx = self.ctx;
        let mut inputs = Vec::new();
        let mut participants = Vec::new();
        for (_, group) in operand_groups(ctx, op)? {
            let [v] = group[..] else {
                // An absent optional tensor (`clamp.Tensor`'s bounds) reads as `None`.
                if group.is_empty() {
                    inputs.push(Input::Number(None));
                    continue;
                }
                return Err("a list of tensors in a pointwise op".into());
            };
            let ty = tensor_ty(ctx, v)?;
            participants.push(if ty.rank() == 0 {
                Participant::ZeroDim(ty.dtype)
            } else {
                Participant::Tensor(ty.dtype)
            });
            inputs.push(Input::Tensor(self.value(v)?, ty, Access::Broadcast));
        }
        for name in scalars {
            let n = Number::arg(ctx, op, name)?;
            if let Some(n) = n {
                participants.push(Participant::Scalar(n.dtype()));
            }
            inputs.push(Input::Number(n));
        }
        let dtype = match compute {
            Compute::Result | Compute::Where | Compute::MaskedFill => out.dtype,
            Compute::Promoted => result_type(&participants).ok_or("no dtype to compare in")?,
            Compute::Bool => DType::Bool,
        };
        let per_input: Vec<DType> = (0..inputs.len())
            .map(|i| match (compute, i) {
                (Compute::Where, 0) | (Compute::MaskedFill, 1) => DType::Bool,
                _ => dtype,
            })
            .collect();
        self.generic(&inputs, &per_input, out, dtype, &body)
    }

    /// A pointwise `linalg.generic` whose inputs are all cast to `dtype`.
    fn generic_pointwise(
        &mut self,
        inputs: &[Input<'c, 'b>],
        out: &TensorTy,
        dtype: DType,
        body: &BodyClosure<'c>,
    ) -> LResult<Value<'c, 'b>> {
        let per_input = vec![dtype; inputs.len()];
        self.generic(inputs, &per_input, out, dtype, body)
    }

    /// An empty tensor of type `ty` (`tensor.empty`).
    fn empty(&self, ty: &TensorTy) -> Value<'c, 'b> {
        self.push(
            OperationBuilder::new("tensor.empty", self.loc)
                .add_results(&[ty.mlir(self.mlir)])
                .build()
                .expect("valid tensor.empty"),
        )
    }

    fn affine_map_attr(&self, dims: usize, exprs: &[AffineExpr<'c>]) -> Attribute<'c> {
        let map = AffineMap::new(self.mlir, dims, 0, exprs);
        // SAFETY: `map` is a valid affine map of this context.
        unsafe { Attribute::from_raw(mlir_sys::mlirAffineMapAttrGet(map.to_raw())) }
    }

    fn iterator_types(&self, reduced: &[bool]) -> Attribute<'c> {
        let items: Vec<Attribute> = reduced
            .iter()
            .map(|&r| {
                let text = if r {
                    "#linalg.iterator_type<reduction>"
                } else {
                    "#linalg.iterator_type<parallel>"
                };
                Attribute::parse(self.mlir, text).expect("linalg is loaded")
            })
            .collect();
        ArrayAttribute::new(self.mlir, &items).into()
    }

    /// The subscripts of an input read with `access` in a loop nest of `out`'s rank.
    fn subscripts(&self, ty: &TensorTy, access: &Access, out: &TensorTy) -> Vec<AffineExpr<'c>> {
        match access {
            Access::Dims(dims) => dims
                .iter()
                .map(|&d| AffineExpr::dim(self.mlir, d))
                .collect(),
            Access::Broadcast => {
                let lead = out.rank() - ty.rank();
                ty.shape
                    .iter()
                    .enumerate()
                    .map(|(i, &extent)| {
                        if extent == 1 && out.shape[lead + i] != 1 {
                            AffineExpr::constant(self.mlir, 0)
                        } else {
                            AffineExpr::dim(self.mlir, lead + i)
                        }
                    })
                    .collect()
            }
        }
    }

    /// The `linalg.generic` of a pointwise op over `out`'s shape.
    fn generic(
        &mut self,
        inputs: &[Input<'c, 'b>],
        per_input: &[DType],
        out: &TensorTy,
        dtype: DType,
        body: &BodyClosure<'c>,
    ) -> LResult<Value<'c, 'b>> {
        let rank = out.rank();
        let mut operands = Vec::new();
        let mut maps = Vec::new();
        let mut arg_types = Vec::new();
        for input in inputs {
            if let Input::Tensor(v, ty, access) = input {
                if ty.rank() > rank && matches!(access, Access::Broadcast) {
                    return Err("an operand of higher rank than the result".into());
                }
                operands.push(*v);
                maps.push(self.affine_map_attr(rank, &self.subscripts(ty, access, out)));
                arg_types.push((element(self.mlir, ty.dtype), self.loc));
            }
        }
        let identity: Vec<AffineExpr> = (0..rank).map(|d| AffineExpr::dim(self.mlir, d)).collect();
        maps.push(self.affine_map_attr(rank, &identity));
        arg_types.push((element(self.mlir, out.dtype), self.loc));
        let init = self.empty(out);
        let inner = Block::new(&arg_types);
        {
            let b = Body {
                mlir: self.mlir,
                block: &inner,
                loc: self.loc,
                dtype,
            };
            let mut values = Vec::new();
            let mut arg = 0;
            for (input, &want) in inputs.iter().zip(per_input) {
                values.push(match input {
                    Input::Tensor(_, ty, _) => {
                        let v: Value = inner.argument(arg).map_err(|e| e.to_string())?.into();
                        arg += 1;
                        Some(cast(self.mlir, &inner, self.loc, v, ty.dtype, want))
                    }
                    Input::Number(Some(n)) => {
                        Some(scalar_constant(self.mlir, &inner, self.loc, *n, want))
                    }
                    Input::Number(None) => None,
                });
            }
            let mut y = body(&b, &values)?;
            if y.r#type() != element(self.mlir, out.dtype) {
                y = cast(self.mlir, &inner, self.loc, y, dtype, out.dtype);
            }
            inner.append_operation(
                OperationBuilder::new("linalg.yield", self.loc)
                    .add_operands(&[y])
                    .build()
                    .map_err(|e| e.to_string())?,
            );
        }
        self.linalg_generic(&operands, init, maps, &vec![false; rank], inner, out)
    }

    /// Appends a `linalg.generic` with body `inner` and returns its result.
    fn linalg_generic(
        &self,
        ins: &[Value<'c, 'b>],
        init: Value<'c, 'b>,
        maps: Vec<Attribute<'c>>,
        reduced: &[bool],
        inner: Block<'c>,
        out: &TensorTy,
    ) -> LResult<Value<'c, 'b>> {
        let region = Region::new();
        region.append_block(inner);
        let mut operands = ins.to_vec();
        operands.push(init);
        let op = OperationBuilder::new("linalg.generic", self.loc)
            .add_operands(&operands)
            .add_attributes(&[
                (
                    self.id("indexing_maps"),
                    ArrayAttribute::new(self.mlir, &maps).into(),
                ),
                (self.id("iterator_types"), self.iterator_types(reduced)),
                (
                    self.id("operandSegmentSizes"),
                    DenseI32ArrayAttribute::new(self.mlir, &[ins.len() as i32, 1]).into(),
                ),
            ])
            .add_regions([region])
            .add_results(&[out.mlir(self.mlir)])
            .build()
            .map_err(|e| e.to_string())?;
        Ok(self.push(op))
    }

    /// A named linalg op (`linalg.fill`, `linalg.matmul`, ...) with its body filled in.
    fn named(
        &self,
        name: &str,
        ins: &[Value<'c, 'b>],
        init: Value<'c, 'b>,
        out: &TensorTy,
    ) -> LResult<Value<'c, 'b>> {
        let mut operands = ins.to_vec();
        operands.push(init);
        let op = OperationBuilder::new(name, self.loc)
            .add_operands(&operands)
            .add_attributes(&[(
                self.id("operandSegmentSizes"),
                DenseI32ArrayAttribute::new(self.mlir, &[ins.len() as i32, 1]).into(),
            )])
            .add_regions([Region::new()])
            .add_results(&[out.mlir(self.mlir)])
            .build()
            .map_err(|e| e.to_string())?;
        // SAFETY: `op` is a builtin named linalg op with one empty region.
        unsafe { mlir_sys::mlirLinalgFillBuiltinNamedOpRegion(op.to_raw()) };
        Ok(self.push(op))
    }

    /// A tensor of type `ty` holding `n` everywhere.
    fn splat(&self, n: Number, ty: &TensorTy) -> Value<'c, 'b> {
        let scalar = scalar_constant(self.mlir, self.block, self.loc, n, ty.dtype);
        let init = self.empty(ty);
        self.named("linalg.fill", &[scalar], init, ty)
            .expect("linalg.fill of a scalar")
    }

    /// `tensor.reshape` of `x` to `ty`'s shape (the shape a constant `tensor<Nxi64>`).
    fn reshape(&self, x: Value<'c, 'b>, ty: &TensorTy) -> Value<'c, 'b> {
        if x.r#type() == ty.mlir(self.mlir) {
            return x;
        }
        let extents: Vec<i64> = ty.shape.iter().map(|&e| e as i64).collect();
        let shape_ty = RankedTensorType::new(
            &[extents.len() as u64],
            IntegerType::new(self.mlir, 64).into(),
            None,
        );
        let shape = self.push(arith::constant(
            self.mlir,
            DenseElementsAttribute::i64_values(shape_ty.into(), &extents).into(),
            self.loc,
        ));
        self.push(
            OperationBuilder::new("tensor.reshape", self.loc)
                .add_operands(&[x, shape])
                .add_results(&[ty.mlir(self.mlir)])
                .build()
                .expect("valid tensor.reshape"),
        )
    }

    /// `sum`, `amax`, `prod`, `all`, `any`: a reduction into a filled accumulator, reshaped
    /// to the result (which keeps the reduced dims with `keepdim`).
    fn reduce(&mut self, op: OpId, out: &TensorTy, kind: Reduction) -> LResult<Value<'c, 'b>> {
        let ctx = self.ctx;
        let x = ctx.operand(op, 0);
        let in_ty = tensor_ty(ctx, x)?;
        let rank = in_ty.rank();
        let has_dim = joinery_aten::schema(ctx.name_str(op))
            .is_some_and(|schema| schema.arg("dim").is_some());
        let dims = if !has_dim {
            Vec::new()
        } else {
            match attr_or_default(ctx, op, "dim")? {
                ArgValue::IntList(d) => d,
                ArgValue::Int(d) => vec![d],
                _ => Vec::new(),
            }
        };
        let mut reduced = vec![dims.is_empty(); rank];
        for d in dims {
            let d = if d < 0 { d + rank as i64 } else { d };
            *reduced
                .get_mut(usize::try_from(d).map_err(|_| "dim out of range")?)
                .ok_or("dim out of range")? = true;
        }
        let kept_shape: Vec<u64> = (0..rank)
            .filter(|&d| !reduced[d])
            .map(|d| in_ty.shape[d])
            .collect();
        if matches!(kind, Reduction::All | Reduction::Any) && out.dtype != DType::Bool {
            return Err(format!("{kind:?} into {}", out.dtype));
        }
        // A sum or product into f32 accumulates in f64, as the interpreter does.
        let wide = if matches!(kind, Reduction::Sum | Reduction::Prod) && out.dtype == DType::F32 {
            DType::F64
        } else {
            out.dtype
        };
        let acc_ty = TensorTy {
            shape: kept_shape,
            dtype: wide,
        };
        let init_value = match kind {
            Reduction::Sum | Reduction::Any => Number::Int(0),
            Reduction::Prod | Reduction::All => Number::Int(1),
            Reduction::Max if out.dtype.is_float() => Number::Float(f64::NEG_INFINITY),
            Reduction::Max if out.dtype == DType::Bool => Number::Int(0),
            Reduction::Max if out.dtype == DType::I32 => Number::Int(i64::from(i32::MIN)),
            Reduction::Max => Number::Int(i64::MIN),
        };
        let acc = self.splat(init_value, &acc_ty);
        let all: Vec<AffineExpr> = (0..rank).map(|d| AffineExpr::dim(self.mlir, d)).collect();
        let kept: Vec<AffineExpr> = (0..rank)
            .filter(|&d| !reduced[d])
            .map(|d| AffineExpr::dim(self.mlir, d))
            .collect();
        let maps = vec![
            self.affine_map_attr(rank, &all),
            self.affine_map_attr(rank, &kept),
        ];
        let scalar = element(self.mlir, wide);
        let inner = Block::new(&[
            (element(self.mlir, in_ty.dtype), self.loc),
            (scalar, self.loc),
        ]);
        {
            let b = Body {
                mlir: self.mlir,
                block: &inner,
                loc: self.loc,
                dtype: wide,
            };
            let x: Value = inner.argument(0).map_err(|e| e.to_string())?.into();
            let x = cast(self.mlir, &inner, self.loc, x, in_ty.dtype, wide);
            let a: Value = inner.argument(1).map_err(|e| e.to_string())?.into();
            let y = match kind {
                Reduction::Sum => b.arith(Arith::Add, &[Some(x), Some(a)])?,
                Reduction::Max => b.arith(Arith::Max, &[Some(x), Some(a)])?,
                Reduction::Prod => b.arith(Arith::Mul, &[Some(x), Some(a)])?,
                Reduction::All => b.binary("arith.andi", &[Some(x), Some(a)])?,
                Reduction::Any => b.binary("arith.ori", &[Some(x), Some(a)])?,
            };
            inner.append_operation(
                OperationBuilder::new("linalg.yield", self.loc)
                    .add_operands(&[y])
                    .build()
                    .map_err(|e| e.to_string())?,
            );
        }
        let xv = self.value(x)?;
        let r = self.linalg_generic(&[xv], acc, maps, &reduced, inner, &acc_ty)?;
        let wide_out = TensorTy {
            shape: out.shape.clone(),
            dtype: wide,
        };
        let r = self.reshape(r, &wide_out);
        self.convert(r, &wide_out, out)
    }

    /// `linalg.matmul` (rank 2) or `linalg.batch_matmul` (rank 3) into a zero-filled result;
    /// an `f32` product accumulates in `f64` (the named op widens its inputs) and is
    /// rounded once, as the interpreter's kernel does.
    fn matmul(
        &mut self,
        a: Value<'c, 'b>,
        b: Value<'c, 'b>,
        out: &TensorTy,
    ) -> LResult<Value<'c, 'b>> {
        let name = match out.rank() {
            2 => "linalg.matmul",
            3 => "linalg.batch_matmul",
            r => return Err(format!("a matrix product of rank {r}")),
        };
        let wide = TensorTy {
            shape: out.shape.clone(),
            dtype: if out.dtype == DType::F32 {
                DType::F64
            } else {
                out.dtype
            },
        };
        let zero = self.splat(Number::Int(0), &wide);
        let product = self.named(name, &[a, b], zero, &wide)?;
        self.convert(product, &wide, out)
    }

    /// `beta * bias + alpha * (m1 @ m2)`, the bias broadcast.
    fn addmm(&mut self, op: OpId, out: &TensorTy) -> LResult<Value<'c, 'b>> {
        let ctx = self.ctx;
        let (bias, m1, m2) = (ctx.operand(op, 0), ctx.operand(op, 1), ctx.operand(op, 2));
        let product = self.matmul(self.value(m1)?, self.value(m2)?, out)?;
        let inputs = [
            Input::Tensor(self.value(bias)?, tensor_ty(ctx, bias)?, Access::Broadcast),
            Input::Tensor(product, out.clone(), Access::Broadcast),
            Input::Number(Number::arg(ctx, op, "beta")?),
            Input::Number(Number::arg(ctx, op, "alpha")?),
        ];
        self.generic_pointwise(&inputs, out, out.dtype, &|b, v| {
            let bias = b.arith(Arith::Mul, &[v[0], v[2]])?;
            let product = b.arith(Arith::Mul, &[v[1], v[3]])?;
            b.arith(Arith::Add, &[Some(bias), Some(product)])
        })
    }

    /// `t`, `transpose.int`, `permute`: the operand read through the permutation.
    fn permute(&mut self, op: OpId, out: &TensorTy) -> LResult<Value<'c, 'b>> {
        let ctx = self.ctx;
        let x = ctx.operand(op, 0);
        let ty = tensor_ty(ctx, x)?;
        let rank = ty.rank();
        let norm = |d: i64| -> LResult<usize> {
            let d = if d < 0 { d + rank as i64 } else { d };
            usize::try_from(d)
                .ok()
                .filter(|&d| d < rank.max(1))
                .ok_or_else(|| format!("dim {d} out of range for rank {rank}"))
        };
        // `perm[j]` is the operand dim that result dim `j` reads.
        let perm: Vec<usize> = match ctx.name_str(op) {
            "aten.t" => (0..rank).rev().collect(),
            "aten.transpose.int" => {
                let d0 = norm(Number::arg(ctx, op, "dim0")?.ok_or("no dim0")?.to_i64())?;
                let d1 = norm(Number::arg(ctx, op, "dim1")?.ok_or("no dim1")?.to_i64())?;
                let mut p: Vec<usize> = (0..rank).collect();
                if rank > 0 {
                    p.swap(d0, d1);
                }
                p
            }
            _ => match attr_or_default(ctx, op, "dims")? {
                ArgValue::IntList(d) => d.into_iter().map(norm).collect::<LResult<_>>()?,
                other => return Err(format!("dims is not a list: {other:?}")),
            },
        };
        // Operand dim `perm[j]` is loop dim `j`.
        let mut dims = vec![0; rank];
        for (j, &p) in perm.iter().enumerate() {
            dims[p] = j;
        }
        let input = Input::Tensor(self.value(x)?, ty, Access::Dims(dims));
        self.generic_pointwise(&[input], out, out.dtype, &|b, v| b.get(v, 0))
    }

    /// `arange`: `start + i * step`, computed in `f64` (or `i64`) and cast to the result.
    fn arange(&mut self, op: OpId, out: &TensorTy) -> LResult<Value<'c, 'b>> {
        let ctx = self.ctx;
        let name = ctx.name_str(op);
        let start = if name == "aten.arange" {
            Number::Int(0)
        } else {
            Number::arg(ctx, op, "start")?.ok_or("no start")?
        };
        let step = if name == "aten.arange.start_step" {
            Number::arg(ctx, op, "step")?.ok_or("no step")?
        } else {
            Number::Int(1)
        };
        let wide = if out.dtype.is_float()
            || matches!(start, Number::Float(_))
            || matches!(step, Number::Float(_))
        {
            DType::F64
        } else {
            DType::I64
        };
        let index = melior::ir::Type::index(self.mlir);
        let inner = Block::new(&[(element(self.mlir, out.dtype), self.loc)]);
        {
            let b = Body {
                mlir: self.mlir,
                block: &inner,
                loc: self.loc,
                dtype: wide,
            };
            let i = b.push(
                OperationBuilder::new("linalg.index", self.loc)
                    .add_attributes(&[(
                        self.id("dim"),
                        IntegerAttribute::new(IntegerType::new(self.mlir, 64).into(), 0).into(),
                    )])
                    .add_results(&[index])
                    .build()
                    .map_err(|e| e.to_string())?,
            );
            let i = b.push(
                OperationBuilder::new("arith.index_cast", self.loc)
                    .add_operands(&[i])
                    .add_results(&[element(self.mlir, DType::I64)])
                    .build()
                    .map_err(|e| e.to_string())?,
            );
            let i = cast(self.mlir, &inner, self.loc, i, DType::I64, wide);
            let start = scalar_constant(self.mlir, &inner, self.loc, start, wide);
            let step = scalar_constant(self.mlir, &inner, self.loc, step, wide);
            let scaled = b.arith(Arith::Mul, &[Some(i), Some(step)])?;
            let y = b.arith(Arith::Add, &[Some(start), Some(scaled)])?;
            let y = cast(self.mlir, &inner, self.loc, y, wide, out.dtype);
            inner.append_operation(
                OperationBuilder::new("linalg.yield", self.loc)
                    .add_operands(&[y])
                    .build()
                    .map_err(|e| e.to_string())?,
            );
        }
        let init = self.empty(out);
        let identity: Vec<AffineExpr> = (0..out.rank())
            .map(|d| AffineExpr::dim(self.mlir, d))
            .collect();
        let maps = vec![self.affine_map_attr(out.rank(), &identity)];
        self.linalg_generic(&[], init, maps, &vec![false; out.rank()], inner, out)
    }

    /// `arith.constant` with a dense tensor value.
    fn constant(&self, op: OpId, out: &TensorTy) -> LResult<Value<'c, 'b>> {
        let (_, elements) =
            joinery_arith::constant_elements(self.ctx, op).ok_or("not a dense constant")?;
        let ty = out.mlir(self.mlir);
        let attr = match out.dtype {
            DType::F32 => DenseElementsAttribute::f32_values(
                ty,
                &elements
                    .iter()
                    .map(|e| e.as_f64() as f32)
                    .collect::<Vec<_>>(),
            ),
            DType::F64 => DenseElementsAttribute::f64_values(
                ty,
                &elements.iter().map(|e| e.as_f64()).collect::<Vec<_>>(),
            ),
            DType::Bool => DenseElementsAttribute::bool_values(
                ty,
                &elements
                    .iter()
                    .map(|e| i32::from(e.as_f64() != 0.0))
                    .collect::<Vec<_>>(),
            ),
            DType::I32 => DenseElementsAttribute::i32_values(
                ty,
                &elements
                    .iter()
                    .map(|e| dense_int(*e) as i32)
                    .collect::<Vec<_>>(),
            ),
            _ => DenseElementsAttribute::i64_values(
                ty,
                &elements.iter().map(|e| dense_int(*e)).collect::<Vec<_>>(),
            ),
        };
        Ok(self.push(arith::constant(self.mlir, attr.into(), self.loc)))
    }

    /// `cat`: each operand inserted at its offset along `dim` of an empty result.
    fn cat(&mut self, op: OpId, out: &TensorTy) -> LResult<Value<'c, 'b>> {
        let ctx = self.ctx;
        let rank = out.rank() as i64;
        let dim = Number::arg(ctx, op, "dim")?.map_or(0, Number::to_i64);
        let dim = usize::try_from(if dim < 0 { dim + rank } else { dim })
            .ok()
            .filter(|&d| d < out.rank())
            .ok_or("dim out of range")?;
        let mut acc = self.empty(out);
        let mut offset = 0u64;
        for &v in ctx.operands(op) {
            let ty = tensor_ty(ctx, v)?;
            if ty.rank() != out.rank() {
                // PyTorch's legacy `cat` skips empty 1-D tensors.
                if ty.shape.iter().product::<u64>() == 0 {
                    continue;
                }
                return Err("an operand of another rank".into());
            }
            let source = if ty.dtype == out.dtype {
                self.value(v)?
            } else {
                let cast_ty = TensorTy {
                    shape: ty.shape.clone(),
                    dtype: out.dtype,
                };
                let input = Input::Tensor(self.value(v)?, ty.clone(), Access::Broadcast);
                self.generic_pointwise(&[input], &cast_ty, out.dtype, &|b, v| b.get(v, 0))?
            };
            let mut offsets = vec![0i64; out.rank()];
            offsets[dim] = offset as i64;
            acc = self.slice_op(
                "tensor.insert_slice",
                &[source, acc],
                &offsets,
                &ty.shape,
                &vec![1; out.rank()],
                out,
            )?;
            offset += ty.shape[dim];
        }
        Ok(acc)
    }

    /// `tensor.extract_slice` / `tensor.insert_slice` with static offsets, sizes, strides.
    fn slice_op(
        &self,
        name: &str,
        operands: &[Value<'c, 'b>],
        offsets: &[i64],
        sizes: &[u64],
        strides: &[i64],
        out: &TensorTy,
    ) -> LResult<Value<'c, 'b>> {
        let mut segments = vec![1i32; operands.len()];
        segments.extend([0, 0, 0]);
        let sizes: Vec<i64> = sizes.iter().map(|&s| s as i64).collect();
        let op = OperationBuilder::new(name, self.loc)
            .add_operands(operands)
            .add_attributes(&[
                (
                    self.id("static_offsets"),
                    DenseI64ArrayAttribute::new(self.mlir, offsets).into(),
                ),
                (
                    self.id("static_sizes"),
                    DenseI64ArrayAttribute::new(self.mlir, &sizes).into(),
                ),
                (
                    self.id("static_strides"),
                    DenseI64ArrayAttribute::new(self.mlir, strides).into(),
                ),
                (
                    self.id("operandSegmentSizes"),
                    DenseI32ArrayAttribute::new(self.mlir, &segments).into(),
                ),
            ])
            .add_results(&[out.mlir(self.mlir)])
            .build()
            .map_err(|e| e.to_string())?;
        Ok(self.push(op))
    }

    /// The operand's dim `dim` normalized, with its extent.
    fn dim_arg(&self, op: OpId, ty: &TensorTy) -> LResult<usize> {
        let rank = ty.rank() as i64;
        let dim = Number::arg(self.ctx, op, "dim")?.map_or(0, Number::to_i64);
        usize::try_from(if dim < 0 { dim + rank } else { dim })
            .ok()
            .filter(|&d| d < ty.rank())
            .ok_or_else(|| format!("dim {dim} out of range for rank {rank}"))
    }

    /// `slice.Tensor(self, dim, start, end, step)`: `start` clamped as PyTorch does; the
    /// result's extent gives the size.
    fn slice(&mut self, op: OpId, out: &TensorTy) -> LResult<Value<'c, 'b>> {
        let ctx = self.ctx;
        let x = ctx.operand(op, 0);
        let ty = tensor_ty(ctx, x)?;
        let dim = self.dim_arg(op, &ty)?;
        let (start, step) = self.slice_start_step(op, ty.shape[dim] as i64)?;
        let mut offsets = vec![0i64; ty.rank()];
        offsets[dim] = start;
        let mut strides = vec![1i64; ty.rank()];
        strides[dim] = step;
        self.slice_op(
            "tensor.extract_slice",
            &[self.value(x)?],
            &offsets,
            &out.shape,
            &strides,
            out,
        )
    }

    /// The `start` (negative ones counted from the end, clamped into the dim as PyTorch
    /// does) and the positive `step` of a slice along a dim of `extent`.
    fn slice_start_step(&self, op: OpId, extent: i64) -> LResult<(i64, i64)> {
        let start = Number::arg(self.ctx, op, "start")?.map_or(0, Number::to_i64);
        let start = if start < 0 { start + extent } else { start }.clamp(0, extent);
        let step = Number::arg(self.ctx, op, "step")?.map_or(1, Number::to_i64);
        if step < 1 {
            return Err(format!("step {step} is not positive"));
        }
        Ok((start, step))
    }

    /// `split.Tensor` / `split_with_sizes`: each result (its extent along `dim` given by its
    /// verified type) a slice starting where the previous one ends.
    fn split(&mut self, op: OpId) -> LResult<()> {
        let ctx = self.ctx;
        let x = ctx.operand(op, 0);
        let ty = tensor_ty(ctx, x)?;
        let dim = self.dim_arg(op, &ty)?;
        let input = self.value(x)?;
        let mut offset = 0i64;
        for &r in ctx.results(op) {
            let out = tensor_ty(ctx, r)?;
            let mut offsets = vec![0i64; ty.rank()];
            offsets[dim] = offset;
            let piece = self.slice_op(
                "tensor.extract_slice",
                &[input],
                &offsets,
                &out.shape,
                &vec![1; ty.rank()],
                &out,
            )?;
            offset += out.shape[dim] as i64;
            self.values.insert(r, piece);
        }
        Ok(())
    }

    /// `select.int(self, dim, index)`: a one-element slice, reshaped to the result.
    fn select(&mut self, op: OpId, out: &TensorTy) -> LResult<Value<'c, 'b>> {
        let ctx = self.ctx;
        let x = ctx.operand(op, 0);
        let ty = tensor_ty(ctx, x)?;
        let dim = self.dim_arg(op, &ty)?;
        let extent = ty.shape[dim] as i64;
        let index = Number::arg(ctx, op, "index")?.ok_or("no index")?.to_i64();
        let normalized = if index < 0 { index + extent } else { index };
        if !(0..extent).contains(&normalized) {
            return Err(format!("index {index} out of range for extent {extent}"));
        }
        let mut offsets = vec![0i64; ty.rank()];
        offsets[dim] = normalized;
        let mut sizes = ty.shape.clone();
        sizes[dim] = 1;
        let piece_ty = TensorTy {
            shape: sizes.clone(),
            dtype: ty.dtype,
        };
        let piece = self.slice_op(
            "tensor.extract_slice",
            &[self.value(x)?],
            &offsets,
            &sizes,
            &vec![1; ty.rank()],
            &piece_ty,
        )?;
        Ok(self.reshape(piece, out))
    }
}

/// An integer element of a dense constant.
fn dense_int(e: DenseScalar) -> i64 {
    match e {
        DenseScalar::Int(v) => v,
        DenseScalar::Bool(b) => i64::from(b),
        DenseScalar::Float(f) => f.0 as i64,
    }
}
