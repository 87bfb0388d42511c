//! The aot dialect: AOTAutograd descriptors as attributes, their verification and fx_utils
//! queries.
//!
//! A joint function carries a descriptor on every argument and result under the key
//! `aot.desc`, nested as in PyTorch:
//!
//! ```text
//! func.func @joint(%w: tensor<8x4xf32> {aot.desc = #aot.param<"fc1.weight">},
//!                  %t: tensor<f32> {aot.desc = #aot.tangent<#aot.plain_out<0>>})
//!     -> (tensor<f32> {aot.desc = #aot.plain_out<0>},
//!         tensor<8x4xf32> {aot.desc = #aot.grad<#aot.param<"fc1.weight">>})
//! ```
//!
//! Naming: one attribute per PyTorch class ([`DescKind`]); where a class name exists for
//! both inputs and outputs, the output one has an `_out` suffix (`#aot.plain` /
//! `#aot.plain_out`, `#aot.subclass_attr` / `#aot.subclass_attr_out`, `#aot.forward_token` /
//! `#aot.forward_token_out`, `#aot.dummy` / `#aot.dummy_out`). Strings are string attributes,
//! indices bare integers, nested descriptors attributes; parameterless ones have no `<>`
//! (`#aot.philox_fwd_seed`). Upstream `mlir-opt --allow-unregistered-dialect` parses all of
//! them as opaque dialect attributes.
//!
//! A gradient slot without gradient (PyTorch returns `None` and its descriptor is `None`) is
//! a result of builtin type `none` carrying `#aot.none_grad<primal>`: the joint keeps one
//! gradient slot per primal, in primal order, and the verifier checks that alignment. The
//! value returned there comes from `%none = "aot.none"() : () -> none`.
//!
//! After partitioning (level L2), `aot.joint_pair` ties a forward function to its backward
//! (see [`JointPair`]).

mod descriptor;
mod fx_utils;
mod pair;
mod passes;
mod signature;
mod verify;
mod view;

pub use descriptor::{
    AotInput, AotOutput, DescKind, Descriptor, Direction, Stage, kind_of, py_str_repr,
};
pub use fx_utils::{
    InputAndGrad, OutputAndTangent, all_input_and_grad, all_output_and_tangent, buffer_values,
    descriptor_table, named_buffers, named_params, param_and_grad, param_values,
    plain_input_and_grad, plain_output_and_tangent,
};
pub use pair::{JOINT_PAIR_OP, JointPair, joint_pairs, pair_of};
pub use passes::{PRINT_DESCRIPTORS, PrintDescriptors, register_passes};
pub use signature::{DESC_KEY, FuncDescriptors, Slot, SlotIndex};
pub use view::{VIEW_PARTITION, ViewPartition};

use joinery_ir::{Context, Diagnostic, Dialect, OpDef, OpId, Traits, TypeData};

/// `aot.none`: the `None` value returned in a gradient slot without gradient
/// (`%none = "aot.none"() : () -> none`).
pub const NONE_OP: OpDef = OpDef {
    traits: Traits::PURE.union(Traits::CONSTANT_LIKE),
    verify: Some(verify_none),
    ..OpDef::new(
        "aot.none",
        "The None value of a gradient slot that gets no gradient",
    )
};

fn verify_none(ctx: &Context, op: OpId) -> Result<(), Diagnostic> {
    let results = ctx.results(op);
    let ok = ctx.operands(op).is_empty()
        && results.len() == 1
        && *ctx.type_data(ctx.value_type(results[0])) == TypeData::None;
    if ok {
        Ok(())
    } else {
        Err(Diagnostic::error(
            "'aot.none' takes no operands and has one result of type 'none'",
        ))
    }
}

/// The aot dialect: descriptor attributes, the `aot.none` op and the hooks that verify
/// descriptors.
pub static AOT_DIALECT: Dialect = Dialect {
    ops: &[NONE_OP, JOINT_PAIR_OP],
    attrs: descriptor::ATTR_DEFS,
    verify_attribute: Some(verify::verify_attribute),
    verify_op_invariants: Some(verify::verify_function),
    ..Dialect::new(
        "aot",
        "AOTAutograd descriptors: what each joint-graph argument and result means",
    )
};
