//! `aot-functionalize`: from L0 (in-place ops and views on mutable tensor references) to L1
//! (tensor values only), as PyTorch's functionalization (`FunctionalTensorWrapper`) does
//! while AOTAutograd traces, and as torch-mlir's `torch-maximize-value-semantics` does for
//! `!torch.tensor`.
//!
//! # The model
//!
//! At L0 a function may hold `!aten.ref<tensor<...>>` values (see `joinery_aten::refs`):
//! tensor objects that share *storages*. The pass walks the function's one block in order
//! and keeps, per storage, the value its base holds now, and per reference, the chain of
//! view ops that leads from its storage's base to it:
//!
//! - a reference argument, a fresh reference result (of a non-view op or of
//!   `aten.value_to_ref`) starts a storage;
//! - a view op applied to a reference (`Tensor(a) self -> Tensor(a)`) extends its chain;
//! - a read (any operand that is a reference, `aten.ref_to_value`, `func.return`) is the
//!   chain replayed on the storage's current base value (cached until the storage changes);
//! - a write (an op's `Tensor(a!)` operand) becomes the op's functional variant
//!   (`add_.Tensor` → `add.Tensor`; an `out=` overload `atan2.out(a, b, out=o)` →
//!   `atan2(a, b)`, the catalogue's overload taking the same arguments without `out`, whose
//!   result is `o`'s new value, cast to `o`'s dtype; `_native_batch_norm_legit` →
//!   `_native_batch_norm_legit_functional`, whose extra results are the written operands'
//!   new values), and the new value of the view is scattered back into the base along the
//!   chain, innermost view first, with each view's inverse (`slice` → `slice_scatter`,
//!   `select` → `select_scatter`, `as_strided` → `as_strided_scatter`, `view` → `view` to
//!   the parent's shape, `t`/`transpose`/`permute` → themselves (inverted), `unsqueeze` →
//!   `squeeze.dim`, `alias`/`detach` → nothing). Later reads of the base or of any other
//!   view of the storage therefore see the write.
//!
//! # The signature, as PyTorch lays it out
//!
//! Every reference argument and result becomes a value of its referent type. A storage of
//! an argument that was written is an *input mutation*: if no result carries
//! `#aot.input_mutation<d>` for the argument's descriptor `d`, one is inserted after the
//! forward tokens and the earlier input mutations (in input order), before the plain
//! outputs; a function without descriptors gets the new values as leading results, in
//! input order. When the function is a joint and the argument requires grad (it has a
//! `#aot.grad` slot), a `#aot.tangent<#aot.input_mutation<d>>` argument is inserted first
//! among the tangents, and the pass warns that the joint's backward, traced without it,
//! ignores it. An existing input-mutation result (PyTorch's non-functional export returns
//! the written input there) returns the argument's final value.
//!
//! Results that alias an input are returned as values, as in PyTorch's functionalized
//! export (its runtime regenerates the alias). Results that alias one intermediate
//! (two or more results are views of one storage that is not an argument) need PyTorch's
//! `#aot.intermediate_base<first alias>` result holding the base: an existing one is kept;
//! a function with descriptors but no gradient slots gets one after its plain outputs; a
//! joint without it is rejected (its tangent would be missing from the backward).
//!
//! # What is rejected, with a diagnostic naming the op
//!
//! - any op other than the aten ops of the catalogue, the two conversions and
//!   `func.return` that takes or returns a reference (`func.call`, unregistered ops: the
//!   pass cannot know whether they write or alias);
//! - a written operand that is not a reference, or an in-place op without functional
//!   variant in the catalogue;
//! - writes through `expand` (one element in several places: PyTorch rejects it too) and
//!   `reshape` of a reference (it may copy or alias depending on strides); inverting a view
//!   whose parent has a dynamic shape that the inverse needs;
//! - references in functions with more than one block or in nested regions;
//! - several results aliasing one intermediate of a joint without `#aot.intermediate_base`.
//!
//! Known gaps: function arguments are assumed not to alias each other (PyTorch merges
//! aliased inputs into `#aot.view_base` / `#aot.synthetic_base` before capture); strides are
//! not modelled, so `as_strided` reads its operand's row-major layout; metadata mutations
//! (`t_`, `resize_`) are not in the catalogue.

mod functionalize;

pub use functionalize::functionalize_function;

use joinery_ir::{Context, OpId};
use joinery_pass::{Pass, PassInfo, PassRegistry, PassResult, PassState};

/// The declaration of `aot-functionalize`.
pub static FUNCTIONALIZE: PassInfo = PassInfo {
    name: "aot-functionalize",
    title: "AotFunctionalize",
    summary: "Rewrite in-place ops on !aten.ref into values",
    description: "Needs: a func.func whose body is one block; references !aten.ref<T> only as \
        operands and results of catalogue aten ops, aten.ref_to_value / aten.value_to_ref and \
        func.return; arguments that do not alias each other.\n\
        Guarantees: no !aten.ref and no op writing an operand is left (in-place ops and \
        out= overloads become their functional variants); every read of a \
        storage (its base or any view) after a write sees the write (functional variants plus \
        view replay and *_scatter scatter-back, as PyTorch's functionalization); the \
        signature is PyTorch's: written arguments are returned as #aot.input_mutation results \
        after the forward tokens and before the plain outputs (with a #aot.tangent argument \
        when the argument has a gradient slot), results aliasing inputs are plain values, \
        results aliasing one intermediate come with its #aot.intermediate_base. Descriptors \
        stay true.\n\
        Rejects with a diagnostic naming the op: unknown ops touching references (func.call, \
        unregistered ops), in-place ops without a functional variant, writes through expand, \
        reshape of references, multi-block functions with references, joints missing an \
        intermediate base.\n\
        Known gaps: aliased arguments (view_base / synthetic_base) must be merged before \
        capture; strides are not modelled; no metadata mutations.",
    anchor: Some("func.func"),
    options: &[],
    statistics: &[
        (
            "writes",
            "In-place ops replaced by their functional variants",
        ),
        (
            "scatters",
            "*_scatter / inverse view ops inserted to write a view back",
        ),
        ("replays", "View ops replayed to read a view after a write"),
        ("input-mutations", "#aot.input_mutation results inserted"),
        (
            "tangents",
            "#aot.tangent arguments inserted for input mutations",
        ),
        (
            "intermediate-bases",
            "#aot.intermediate_base results inserted",
        ),
    ],
    constructor: |_| Box::new(Functionalize),
};

/// The `aot-functionalize` pass.
pub struct Functionalize;

impl Pass for Functionalize {
    fn run(&mut self, ctx: &mut Context, op: OpId, state: &mut PassState) -> PassResult {
        functionalize_function(ctx, op, state)
    }
}

/// Registers `aot-functionalize`.
pub fn register_passes(registry: &mut PassRegistry) {
    registry.register(&FUNCTIONALIZE);
}
