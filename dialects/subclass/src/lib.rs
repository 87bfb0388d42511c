//! The `subclass` dialect: PyTorch tensor subclasses (wrapper tensors) as first-class L0
//! values, and `aot-desugar-subclasses`, which flattens them into their inner tensors.
//!
//! # Types: one per subclass kind
//!
//! - `!subclass.two_tensor<A, B>`: PyTorch's `TwoTensor` test subclass, a pair of tensors
//!   of one shape and dtype that every op applies to both (`A`, `B` are tensor types or,
//!   nested, subclass types). It looks like `A` from outside.
//! - `!subclass.scaled<D, S>`: a scaled (quantized) tensor `{data, scale}` standing for
//!   `data.to(S.dtype) * scale`; its ops dequantize. It looks like a tensor of `D`'s shape
//!   and `S`'s dtype.
//!
//! # Ops: PyTorch's subclass protocol
//!
//! - `subclass.unflatten %a, %b : (A, B) -> !subclass.two_tensor<A, B>`:
//!   `__tensor_unflatten__`, a subclass value from its inner tensors;
//! - `subclass.flatten %x : (!subclass.two_tensor<A, B>) -> (A, B)`: `__tensor_flatten__`,
//!   the inner tensors in the kind's attribute order;
//! - `%r = subclass.dispatch %x, %w {op = "aten.mm"} : (..) -> ..`: `__torch_dispatch__`,
//!   aten op `op` applied to operands of which some are subclass values (the other
//!   attributes are the aten op's). Its verifier checks the aten op against the operands'
//!   outer tensor types.
//!
//! # The registry
//!
//! [`SubclassKind`] says, per kind, its type name, its inner attribute names in
//! `__tensor_flatten__` order, its outer tensor type and its dispatch rule: how an aten op
//! on values of that kind is rewritten onto inner tensors ([`KINDS`]). The first subclass
//! operand decides, as PyTorch's dispatch does for the leftmost subclass argument. It also
//! says what PyTorch's gradient of a value of the kind is ([`SubclassGrad`]): the pieces'
//! gradients (TwoTensor), which lets `aot-make-joint` differentiate a desugared graph, or
//! not (scaled).
//!
//! # `aot-desugar-subclasses`
//!
//! See [`DESUGAR_SUBCLASSES`]: every subclass argument and result is replaced in place by
//! its inner tensors, recursively, with `#aot.subclass_attr<d, "a">` descriptors (nested
//! for nested subclasses); a primal argument with dynamic outer dims is followed by `i64`
//! `#aot.subclass_size<d, i>` / `#aot.subclass_stride<d, i>` arguments, as PyTorch orders
//! them; dispatch ops are rewritten by the registry's rules.

mod desugar;
mod kinds;

pub use desugar::{desugar_function, input_piece, output_piece};
pub use kinds::{
    DISPATCH_OP, FLATTEN_OP, KINDS, Rewrite, SCALED, SubclassGrad, SubclassKind, TWO_TENSOR,
    UNFLATTEN_OP, inner_types, kind_of, kind_with_attrs, outer_type, subclass_type,
};

use joinery_ir::{Context, Dialect, OpId};
use joinery_pass::{Pass, PassInfo, PassRegistry, PassResult, PassState};

/// The subclass dialect.
pub static SUBCLASS_DIALECT: Dialect = Dialect {
    ops: &[UNFLATTEN_OP, FLATTEN_OP, DISPATCH_OP],
    types: kinds::TYPE_DEFS,
    ..Dialect::new(
        "subclass",
        "Tensor-subclass values (TwoTensor, scaled tensors) and their flatten/dispatch protocol",
    )
};

/// The declaration of `aot-desugar-subclasses`.
pub static DESUGAR_SUBCLASSES: PassInfo = PassInfo {
    name: "aot-desugar-subclasses",
    title: "AotDesugarSubclasses",
    summary: "Flatten tensor subclasses into inner tensors",
    description: "Needs: a func.func with one block whose subclass values (!subclass.*) are \
        arguments, results of subclass.unflatten / subclass.dispatch, and operands of those, \
        subclass.flatten and func.return; results with static outer shapes. Runs after \
        aot-functionalize (PyTorch desugars after functionalization and autograd).\n\
        Guarantees: no subclass type or op is left. Every subclass argument is replaced in \
        place by its inner tensors in __tensor_flatten__ order, recursively for nested \
        subclasses, described by #aot.subclass_attr<d, \"attr\"> (nesting), followed, for \
        primals with dynamic outer dims, by i64 #aot.subclass_size<d, i> and \
        #aot.subclass_stride<d, i> arguments (contiguous strides: stride i is symbolic when \
        a later dim is); tangents get no sizes or strides. Every subclass result is replaced \
        in place by its inner tensors with #aot.subclass_attr_out descriptors. Every \
        subclass.dispatch is rewritten by its kind's rule (TwoTensor: the op on both halves; \
        scaled: dequantize, then the op).\n\
        Rejects with a diagnostic naming the op: other ops taking or returning subclass \
        values (func.call, unregistered ops), subclass values not made by unflatten, \
        subclass results with dynamic dims, dispatch rules that do not fit the op.\n\
        Known gaps: symbolic sizes of nested inner subclasses are not added; results never \
        get size/stride pieces.",
    anchor: Some("func.func"),
    options: &[],
    statistics: &[
        ("arguments", "Subclass arguments flattened"),
        ("results", "Subclass results flattened"),
        (
            "dispatches",
            "subclass.dispatch ops rewritten onto inner tensors",
        ),
    ],
    constructor: |_| Box::new(DesugarSubclasses),
};

/// The `aot-desugar-subclasses` pass.
pub struct DesugarSubclasses;

impl Pass for DesugarSubclasses {
    fn run(&mut self, ctx: &mut Context, op: OpId, state: &mut PassState) -> PassResult {
        desugar_function(ctx, op, state)
    }
}

/// Registers `aot-desugar-subclasses`.
pub fn register_passes(registry: &mut PassRegistry) {
    registry.register(&DESUGAR_SUBCLASSES);
}
