//! The aten dialect: PyTorch ATen tensor ops with PyTorch's names and meaning, whose
//! result shapes and dtypes are inferred and verified.
//!
//! # One source of truth
//!
//! Every op is one line of `catalogue.txt`: PyTorch's schema string, the op's traits
//! (the IR's `pure`, `elementwise`, `commutative`, and the [`AtenTraits`] passes classify
//! ops by), the name of its inference rule in [`infer`] and the name of its interpreter
//! kernel. The build script turns the catalogue into [`OPS`] (the `OpDef`s of
//! [`ATEN_DIALECT`]) and their [`CatalogueEntry`]s; the interpreter's build script reads
//! the same lines for its dispatch table. At run time the schema strings are parsed once
//! into [`OpSchema`]s, served by [`schema`]. Adding an op is adding a line (and, if no
//! existing rule fits, a rule) plus its kernels. An optional fifth column names the op's
//! canonicalization patterns ([`canon`]); every pure op folds on small constants.
//!
//! # How a schema maps onto an op
//!
//! - Name: `aten.<name>.<overload>`; the default overload has no suffix (`aten.addmm`).
//! - Tensor arguments become operands, in schema order. Everything else becomes an
//!   attribute named after the schema argument: `int`/`SymInt` → `i64` integer,
//!   `int[]`/`SymInt[]` → array of `i64` (`int[N]` also accepts one integer, repeated),
//!   `float` → `f64` float, `bool` → boolean, `bool[N]` → array of booleans,
//!   `Scalar` → `i64` integer, `f64` float or boolean (its kind decides type promotion as a
//!   Python number would), `ScalarType` → type attribute (`f32`, `i64`, `i1` for bool),
//!   `str`/`Layout`/`Device`/`MemoryFormat` → string. An absent optional (`None`)
//!   argument is an omitted attribute; an omitted attribute with a schema default takes
//!   the default (see [`attr_or_default`]). `Generator` arguments must be absent.
//! - Results: one per `Tensor` return (`native_layer_norm` has 3), also for returns an
//!   `output_mask` leaves uncomputed (they keep the type PyTorch would give them and are
//!   unused); a `Tensor[]` return (`split_with_sizes`) is a variable number of results.
//! - Optional tensors (`Tensor? weight`) and tensor lists (`Tensor[] tensors`) are
//!   variadic operand groups; an absent optional tensor (PyTorch's `None`) is an empty
//!   group. When the operand count alone determines the groups — at most one
//!   optional/list argument, or only optional tensors that are all present or all
//!   absent — nothing more is written. Otherwise the op carries MLIR's
//!   `operandSegmentSizes = [1, 0, 1, ...]` (one entry per tensor argument, in schema
//!   order): e.g. `native_layer_norm` with a weight but no bias.
//! - A `None` entry of a `Tensor?[]` list (`index.Tensor` with `x[:, idx]`) is an operand
//!   of type `none`, the value of `%none = "aot.none"() : () -> none`; such lists are read
//!   entry by entry with [`Args::opt_tensor_list`]. `none` operands are rejected anywhere
//!   else.
//! - Tensor constants and Python numbers in tensor positions are operands defined by
//!   `arith.constant` (see the `joinery-arith` crate).
//! - Attributes whose name holds a `.` belong to other dialects and are not checked here.
//!
//! # Verification
//!
//! Each op's verifier ([`verify::verify_op`]) checks the operand groups, that operands are
//! tensors, every attribute's name and kind, that required attributes are present, and
//! that the declared result types match the inferred ones ([`infer_op`]): the same dtype,
//! and shapes that agree wherever both sides are static (`?` dims propagate through
//! inference and match anything; unranked operands give unranked results).
//!
//! # Semantics levels
//!
//! View ops (`view`, `t`, `slice.Tensor`, ...) have value semantics here and are pure;
//! in-place ops (`add_.Tensor`, `copy_`, `index_put_`, ...) are registered without `PURE`
//! so that passes keep them, for the functionalization pass that rewrites them away.
//! The tensor they write must be a mutable reference `!aten.ref<tensor<...>>` (level L0,
//! see [`refs`]): a tensor object with identity, as opposed to the immutable tensor values
//! every other level uses. Every op reads references as well as values; `aot-functionalize`
//! turns such programs into value-only ones. Ops that draw random numbers (`native_dropout`, `rand`, `bernoulli.p`) are not
//! pure either. Device-dependent results follow PyTorch on CPU (e.g. `native_layer_norm`'s
//! mean and rstd have the input's dtype).

pub mod args;
pub mod canon;
pub mod dtype;
pub mod infer;
pub mod random;
pub mod refs;
pub mod schema;
pub mod verify;

pub use args::{ArgValue, Args, TensorInfo, attr_or_default, operand_group, operand_groups};
pub use dtype::DType;
pub use infer::norm_dim;
pub use refs::{
    REF_TYPE, TO_REF_OP, TO_VALUE_OP, first_reference_op, is_ref, ref_type, references_refused,
    referent, touches_references,
};
pub use schema::{ArgKind, Argument, DefaultValue, OpSchema, Return};

use joinery_ir::{AsmFormat, Dialect, OpDef, Traits};
use rustc_hash::FxHashMap;
use std::sync::LazyLock;

/// Computes an op's result shapes and dtypes from its arguments; errors say what is wrong.
pub type InferFn = fn(&Args) -> Result<Vec<TensorInfo>, String>;

bitflags::bitflags! {
    /// What passes need to know about an aten op beyond the IR's [`Traits`], from its
    /// catalogue line: the partitioner classifies ops by these alone (they mirror the op
    /// lists of PyTorch's `partitioners.py`).
    #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
    pub struct AtenTraits: u8 {
        /// A view (`view`, `permute`, `slice`...): PyTorch's `view_ops`, always recomputable.
        const VIEW = 1 << 0;
        /// Cheap to recompute in the backward (PyTorch's `recomputable_ops`); implied by
        /// `view` and by `pure elementwise`.
        const RECOMPUTABLE = 1 << 1;
        /// Matmuls and convolutions (PyTorch's `compute_intensive_ops`): saved, never
        /// recomputed.
        const COMPUTE_INTENSIVE = 1 << 2;
        /// Draws random numbers (PyTorch's `random_ops`); never pure.
        const RANDOM = 1 << 3;
        /// Reads only its operand's static shape and dtype (`zeros_like`).
        const METADATA = 1 << 4;
        /// Concatenates its operands (`cat`): any producer may fuse into it.
        const CONCAT = 1 << 5;
    }
}

/// One catalogue line: the schema text, the op's inference rule and its aten traits.
#[derive(Debug)]
pub struct CatalogueEntry {
    /// PyTorch's schema string.
    pub schema: &'static str,
    /// The rule computing result types.
    pub infer: InferFn,
    /// The catalogue's traits beyond the IR's.
    pub traits: AtenTraits,
}

include!(concat!(env!("OUT_DIR"), "/catalogue.rs"));

/// The aten dialect: every op of the catalogue, the reference type and its conversions.
pub static ATEN_DIALECT: Dialect = Dialect {
    ops: &DIALECT_OPS,
    types: &[REF_TYPE],
    materialize_constant: Some(canon::materialize_constant),
    ..Dialect::new(
        "aten",
        "PyTorch ATen tensor ops with inferred and verified shapes",
    )
};

/// The parsed catalogue and an index by op name.
struct Catalogue {
    schemas: Vec<OpSchema>,
    by_name: FxHashMap<&'static str, usize>,
}

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| {
    let schemas: Vec<OpSchema> = ENTRIES
        .iter()
        .map(|e| {
            // The build script parsed every schema already; failing here is impossible.
            schema::parse_schema(e.schema).expect("catalogue schema parses")
        })
        .collect();
    let by_name = OPS.iter().enumerate().map(|(i, d)| (d.name, i)).collect();
    Catalogue { schemas, by_name }
});

/// The schema of an aten op by its IR name (`aten.add.Tensor`, `aten.addmm`).
pub fn schema(op_name: &str) -> Option<&'static OpSchema> {
    lookup(op_name).ok().map(|(schema, _)| schema)
}

/// The class count of the labels of `func`'s first `aten.nll_loss_forward` (the class
/// dimension of its input), if it has one with a static class dimension: what synthetic
/// labels for the function must stay below.
pub fn nll_loss_classes(ctx: &joinery_ir::Context, func: joinery_ir::OpId) -> Option<u64> {
    ctx.walk(func)
        .into_iter()
        .find(|&op| ctx.name_str(op) == "aten.nll_loss_forward")
        .and_then(|op| {
            let t = ctx.value_type(ctx.operand(op, 0));
            ctx.tensor_parts(t)
                .and_then(|(s, _)| s.get(1).and_then(|d| d.extent()))
        })
}

/// The catalogue entry (schema text, inference rule, traits) of an op by IR name.
pub fn entry(op_name: &str) -> Option<&'static CatalogueEntry> {
    lookup(op_name).ok().map(|(_, entry)| entry)
}

/// The position of an op in the catalogue (and in [`OPS`]), by IR name.
pub fn op_index(op_name: &str) -> Option<usize> {
    CATALOGUE.by_name.get(op_name).copied()
}

/// The aten traits of an op by IR name; empty for names outside the catalogue.
pub fn aten_traits(op_name: &str) -> AtenTraits {
    entry(op_name).map_or(AtenTraits::empty(), |e| e.traits)
}

/// Every schema of the catalogue, in catalogue order (parallel to [`OPS`]).
pub fn schemas() -> &'static [OpSchema] {
    &CATALOGUE.schemas
}

/// Whether the op's traits include `PURE`.
pub fn is_pure(op_name: &str) -> bool {
    OPS.iter()
        .find(|d| d.name == op_name)
        .is_some_and(|d| d.traits.contains(Traits::PURE))
}

/// The schema and catalogue entry of an aten op by IR name, found with one lookup; the
/// error says the name is no aten op.
pub(crate) fn lookup(
    op_name: &str,
) -> Result<(&'static OpSchema, &'static CatalogueEntry), String> {
    let cat = &*CATALOGUE;
    (cat.by_name.get(op_name))
        .map(|&i| (&cat.schemas[i], &ENTRIES[i]))
        .ok_or_else(|| format!("'{op_name}' is not an aten op"))
}

/// Infers the result types of an aten op from its arguments, as [`infer_op`] but before
/// the op exists (for builders): `operand_types` and `attrs` as the op would have them.
pub fn infer_types<'a>(
    ctx: &joinery_ir::Context,
    op_name: &str,
    operand_types: &[joinery_ir::Type],
    attrs: impl Iterator<Item = (&'a str, joinery_ir::Attribute)>,
) -> Result<Vec<TensorInfo>, String> {
    let (schema, entry) = lookup(op_name)?;
    infer_with(ctx, op_name, schema, entry, operand_types, attrs)
}

/// [`infer_types`] for an op whose catalogue line is known.
fn infer_with<'a>(
    ctx: &joinery_ir::Context,
    op_name: &str,
    schema: &'static OpSchema,
    entry: &CatalogueEntry,
    operand_types: &[joinery_ir::Type],
    attrs: impl Iterator<Item = (&'a str, joinery_ir::Attribute)>,
) -> Result<Vec<TensorInfo>, String> {
    let args =
        Args::new(ctx, schema, operand_types, attrs).map_err(|e| format!("{op_name}: {e}"))?;
    (entry.infer)(&args)
        .and_then(|out| infer::in_place(&args, out))
        .map_err(|e| format!("{op_name}: {e}"))
}

/// Infers the result types of an existing aten op from its operands and attributes.
pub fn infer_op(
    ctx: &joinery_ir::Context,
    op: joinery_ir::OpId,
) -> Result<Vec<TensorInfo>, String> {
    let (schema, entry) = lookup(ctx.name_str(op))?;
    infer_existing(ctx, op, schema, entry)
}

/// [`infer_op`] for an op whose catalogue line is known.
pub(crate) fn infer_existing(
    ctx: &joinery_ir::Context,
    op: joinery_ir::OpId,
    schema: &'static OpSchema,
    entry: &CatalogueEntry,
) -> Result<Vec<TensorInfo>, String> {
    let types: smallvec::SmallVec<[joinery_ir::Type; 4]> = (ctx.operands(op).iter())
        .map(|&v| ctx.value_type(v))
        .collect();
    infer_with(ctx, ctx.name_str(op), schema, entry, &types, ctx.attrs(op))
}

/// Creates an aten op with inferred result types at the builder's insertion point.
pub fn build(
    b: &mut joinery_ir::Builder<'_>,
    op_name: &str,
    operands: &[joinery_ir::Value],
    attrs: Vec<(String, joinery_ir::Attribute)>,
) -> Result<joinery_ir::OpId, String> {
    let types: Vec<joinery_ir::Type> = operands.iter().map(|&v| b.ctx.value_type(v)).collect();
    let infos = infer_types(
        b.ctx,
        op_name,
        &types,
        attrs.iter().map(|(k, v)| (k.as_str(), *v)),
    )?;
    let result_types: Vec<joinery_ir::Type> = infos.iter().map(|t| t.to_type(b.ctx)).collect();
    Ok(b.build(op_name, operands, &result_types, attrs))
}
