//! Verification of descriptors, through the two dialect hooks.
//!
//! Per attribute ([`verify_attribute`], MLIR's `verifyRegionArgAttribute` /
//! `verifyRegionResultAttribute`):
//! - the only `aot.*` key is `aot.desc`, and it sits on function arguments and results;
//! - its value is an `#aot.*` descriptor (whose parameters and nesting the attribute's own
//!   `verify` checks, one level at a time: descriptors.md §1 pipeline order, no gradient of a
//!   subclass piece, no tangent of a non-differentiable output, right direction, ...);
//! - input descriptors only on arguments, output descriptors only on results;
//! - `#aot.none_grad` exactly on the results of type `none`.
//!
//! Per function ([`verify_function`]), for every function-like op that carries descriptors:
//! - every argument and result has one;
//! - no descriptor appears on two arguments (or two results): one argument per parameter,
//!   buffer, plain input or tangent; one gradient slot per primal; and no FQN is both a
//!   parameter and a buffer;
//! - every gradient slot, input mutation, tangent and intermediate base refers to a slot of
//!   the same function (directly or through its subclass pieces);
//! - a gradient has the type of its primal, a tangent the type of its output;
//! - if there are gradient slots, every primal (a differentiable argument of stages 1-2) has
//!   exactly one, and the slots appear in primal order.
//!
//! The backward of an `aot.joint_pair` (level L2) is checked as above except that its leading
//! saved-value arguments need no descriptor, and the cross-slot rules (references and
//! gradient alignment) run on the pair's reconstructed joint instead, at the pair op: a
//! backward's gradients refer to the forward's primals and its tangents to the forward's
//! outputs.
//!
//! Every rule reports its own diagnostic, and all problems are reported, not the first.

use crate::descriptor::{AotInput, AotOutput, DescKind, Direction, Stage, kind_of};
use crate::pair::{JOINT_PAIR_OP, reconstructed_joint, saved_args_of_backward};
use crate::signature::{DESC_KEY, FuncDescriptors, Slot, arg_span};
use joinery_ir::{AttrSite, Attribute, Context, Diagnostic, OpId, Span, Traits, Type, TypeData};
use rustc_hash::FxHashMap;

/// The `verify_attribute` hook of the aot dialect.
pub(crate) fn verify_attribute(
    ctx: &Context,
    op: OpId,
    site: AttrSite,
    name: &str,
    attr: Attribute,
) -> Result<(), Diagnostic> {
    if name != DESC_KEY {
        return Err(Diagnostic::error(format!(
            "unknown aot attribute '{name}': descriptors use the key '{DESC_KEY}'"
        )));
    }
    let (index, want) = match site {
        AttrSite::Op => {
            return Err(Diagnostic::error(format!(
                "'{DESC_KEY}' belongs on function arguments and results, not on an op"
            )));
        }
        AttrSite::Argument(i) => (i, Direction::Input),
        AttrSite::Result(i) => (i, Direction::Output),
    };
    let span = match site {
        AttrSite::Argument(i) => arg_span(ctx, op, i),
        _ => ctx.span(op),
    };
    let fail = |msg: String| Err(Diagnostic::error(msg).with_span(span));
    // A malformed descriptor is reported by its attribute's own verifier; here only its
    // kind matters.
    let Some((kind, _)) = kind_of(ctx, attr) else {
        return fail(format!("'{DESC_KEY}' must be an #aot descriptor attribute"));
    };
    if kind.direction() != want {
        let (here, there, takes) = match want {
            Direction::Input => ("argument", "an output", "input"),
            Direction::Output => ("result", "an input", "output"),
        };
        let hint = kind
            .counterpart()
            .map(|k| format!(" (did you mean #aot.{}?)", k.attr_name()))
            .unwrap_or_default();
        return fail(format!(
            "{here} {index} carries #aot.{}, {there} descriptor; {here}s take {takes} \
             descriptors{hint}",
            kind.attr_name()
        ));
    }
    if let AttrSite::Result(i) = site {
        let is_none = joinery_func::signature_types(ctx, op)
            .and_then(|(_, results)| results.get(i).copied())
            .is_some_and(|ty| *ctx.type_data(ty) == TypeData::None);
        if kind == DescKind::NoneGrad && !is_none {
            return fail(format!(
                "result {i} carries #aot.none_grad, which marks a missing gradient and needs \
                 result type 'none'"
            ));
        }
        if kind != DescKind::NoneGrad && is_none {
            return fail(format!(
                "result {i} has type 'none', which only #aot.none_grad gradient slots have"
            ));
        }
    }
    Ok(())
}

/// The `verify_op_invariants` hook of the aot dialect: whole-function descriptor rules.
pub(crate) fn verify_function(ctx: &Context, op: OpId, diags: &mut Vec<Diagnostic>) {
    if ctx.name_str(op) == JOINT_PAIR_OP.name {
        verify_pair_as_joint(ctx, op, diags);
        return;
    }
    if !ctx.has_traits(op, Traits::FUNCTION_LIKE) {
        return;
    }
    let Some(descs) = FuncDescriptors::read(ctx, op) else {
        return;
    };
    if !descs.has_any() {
        return;
    }
    let Some((in_types, out_types)) = joinery_func::signature(ctx, op) else {
        return;
    };
    let saved_args = saved_args_of_backward(ctx, op);
    let mut c = Checker {
        ctx,
        func: op,
        descs: &descs,
        in_types: &in_types,
        out_types: &out_types,
        diags,
    };
    c.completeness(saved_args.unwrap_or(0));
    c.duplicate_inputs();
    c.duplicate_outputs();
    if saved_args.is_none() {
        c.references();
        c.gradient_alignment();
    }
}

/// The cross-slot rules on the joint an `aot.joint_pair` stands for; messages count slots
/// of that joint (forward arguments, then backward arguments after the saved values).
fn verify_pair_as_joint(ctx: &Context, op: OpId, diags: &mut Vec<Diagnostic>) {
    let Some((descs, in_types, out_types)) = reconstructed_joint(ctx, op) else {
        return;
    };
    if !descs.has_any() {
        return;
    }
    let mut found = Vec::new();
    let mut c = Checker {
        ctx,
        func: op,
        descs: &descs,
        in_types: &in_types,
        out_types: &out_types,
        diags: &mut found,
    };
    c.references();
    c.gradient_alignment();
    diags.extend(found.into_iter().map(|mut d| {
        d.message = format!("in the joint of this forward/backward pair: {}", d.message);
        d
    }));
}

struct Checker<'a> {
    ctx: &'a Context,
    func: OpId,
    descs: &'a FuncDescriptors,
    in_types: &'a [Type],
    out_types: &'a [Type],
    diags: &'a mut Vec<Diagnostic>,
}

/// How a diagnostic names an input descriptor.
fn describe_input(d: &AotInput) -> String {
    match d {
        AotInput::Param { target } => format!("parameter '{target}'"),
        AotInput::Buffer { target } => format!("buffer '{target}'"),
        AotInput::Plain { idx } => format!("plain input {idx}"),
        AotInput::Tangent { output } => format!("the tangent of {}", output.expr()),
        _ => d.to_string(),
    }
}

/// How a diagnostic names an output descriptor.
fn describe_output(d: &AotOutput) -> String {
    match d {
        AotOutput::Plain { idx } => format!("plain output {idx}"),
        AotOutput::InputMutation { mutated_input } => {
            format!("the mutation of {}", mutated_input.expr())
        }
        AotOutput::IntermediateBase { base_of } => {
            format!("the intermediate base of {}", base_of.expr())
        }
        _ => d.to_string(),
    }
}

impl Checker<'_> {
    fn arg_error(&mut self, i: usize, msg: String) {
        let span = arg_span(self.ctx, self.func, i);
        self.diags.push(Diagnostic::error(msg).with_span(span));
    }

    fn func_error(&mut self, msg: String) {
        let span: Option<Span> = self.ctx.span(self.func);
        self.diags.push(Diagnostic::error(msg).with_span(span));
    }

    /// Every slot has a descriptor, except the first `skip_args` arguments (a backward's
    /// saved values).
    fn completeness(&mut self, skip_args: usize) {
        for i in skip_args..self.descs.args.len() {
            if self.descs.args[i] == Slot::Missing {
                self.arg_error(
                    i,
                    format!(
                        "argument {i} has no '{DESC_KEY}': a function with descriptors needs one \
                         on every argument and result"
                    ),
                );
            }
        }
        for i in 0..self.descs.results.len() {
            if self.descs.results[i] == Slot::Missing {
                self.func_error(format!(
                    "result {i} has no '{DESC_KEY}': a function with descriptors needs one on \
                     every argument and result"
                ));
            }
        }
    }

    fn duplicate_inputs(&mut self) {
        let args = &self.descs.args;
        let mut first_param: FxHashMap<&str, usize> = FxHashMap::default();
        for (j, slot) in args.iter().enumerate() {
            if let Some(AotInput::Param { target }) = slot.desc() {
                first_param.entry(target.as_str()).or_insert(j);
            }
        }
        let mut first: FxHashMap<&AotInput, usize> = FxHashMap::default();
        for (i, slot) in args.iter().enumerate() {
            let Some(d) = slot.desc() else { continue };
            let j = *first.entry(d).or_insert(i);
            if j != i {
                self.arg_error(
                    i,
                    format!("{} appears twice: arguments {j} and {i}", describe_input(d)),
                );
            }
            if let AotInput::Buffer { target } = d
                && let Some(&j) = first_param.get(target.as_str())
            {
                self.arg_error(
                    i,
                    format!(
                        "'{target}' names both a parameter (argument {j}) and a buffer \
                         (argument {i})"
                    ),
                );
            }
        }
    }

    fn duplicate_outputs(&mut self) {
        /// What makes two results the same slot: the primal of a gradient slot
        /// (`#aot.grad` or `#aot.none_grad`), else the descriptor itself.
        #[derive(PartialEq, Eq, Hash)]
        enum Key<'a> {
            GradSlot(&'a AotInput),
            Output(&'a AotOutput),
        }
        let mut first: FxHashMap<Key<'_>, usize> = FxHashMap::default();
        for (i, slot) in self.descs.results.iter().enumerate() {
            let Some(d) = slot.desc() else { continue };
            let key = d.grad_slot_of().map_or(Key::Output(d), Key::GradSlot);
            let j = *first.entry(key).or_insert(i);
            if j == i {
                continue;
            }
            let msg = match d.grad_slot_of() {
                Some(primal) => format!(
                    "{} has two gradient slots: results {j} and {i}",
                    primal.expr()
                ),
                None => format!("{} appears twice: results {j} and {i}", describe_output(d)),
            };
            self.func_error(msg);
        }
    }

    fn references(&mut self) {
        // An invalid slot (reported on its own) may be the one a reference means.
        let args_known = !self.descs.args.contains(&Slot::Invalid);
        let results_known = !self.descs.results.contains(&Slot::Invalid);
        let (ctx, in_types, out_types) = (self.ctx, self.in_types, self.out_types);
        let descs = self.descs;
        let (arg_index, result_index) = (descs.arg_index(), descs.result_index());
        for (i, slot) in descs.results.iter().enumerate() {
            let Some(d) = slot.desc() else {
                continue;
            };
            let root = d.root();
            let (primal, what) = match root {
                AotOutput::Grad { grad_of } => (grad_of, "the gradient of"),
                AotOutput::NoneGrad { grad_of } => (grad_of, "the empty gradient slot of"),
                AotOutput::InputMutation { mutated_input } => (mutated_input, "the mutation of"),
                AotOutput::IntermediateBase { base_of } => {
                    if results_known && result_index.get(base_of).is_none() {
                        self.func_error(format!(
                            "result {i} is the intermediate base of {}, but no result is \
                             described by {base_of}",
                            base_of.expr()
                        ));
                    }
                    continue;
                }
                _ => continue,
            };
            let Some(j) = arg_index.get(primal) else {
                if !args_known {
                    continue;
                }
                self.func_error(format!(
                    "result {i} is {what} {}, but no argument is described by {primal}",
                    primal.expr()
                ));
                continue;
            };
            let direct = d.subclass_base().is_none() && self.descs.args[j].desc() == Some(primal);
            let is_none = *ctx.type_data(out_types[i]) == TypeData::None; // reported per attribute
            if direct && root.kind() == DescKind::Grad && !is_none && out_types[i] != in_types[j] {
                self.func_error(format!(
                    "result {i} is the gradient of argument {j} but its type differs from the \
                     argument's type"
                ));
            }
        }
        for (i, slot) in descs.args.iter().enumerate() {
            let Some(d) = slot.desc() else {
                continue;
            };
            let AotInput::Tangent { output } = d.root() else {
                continue;
            };
            let Some(j) = result_index.get(output) else {
                if !results_known {
                    continue;
                }
                self.arg_error(
                    i,
                    format!(
                        "argument {i} is the tangent of {}, but no result is described by {output}",
                        output.expr()
                    ),
                );
                continue;
            };
            let direct =
                d.subclass_base().is_none() && self.descs.results[j].desc() == Some(&**output);
            if direct && in_types[i] != out_types[j] {
                self.arg_error(
                    i,
                    format!(
                        "argument {i} is the tangent of result {j} but its type differs from the \
                         result's type"
                    ),
                );
            }
        }
    }

    fn gradient_alignment(&mut self) {
        if self.descs.args.contains(&Slot::Invalid) || self.descs.results.contains(&Slot::Invalid) {
            return; // the invalid slot may be a primal or a gradient slot
        }
        // Primals: differentiable arguments of stages 1-2 (through their subclass pieces).
        let mut primals: Vec<(usize, &AotInput)> = Vec::new();
        let mut primal_position: FxHashMap<&AotInput, usize> = FxHashMap::default();
        for (i, slot) in self.descs.args.iter().enumerate() {
            let Some(d) = slot.desc() else { continue };
            let root = d.root();
            let is_primal = root.is_differentiable() && root.kind().stage() <= Stage::Aliasing;
            if is_primal && !primal_position.contains_key(root) {
                primal_position.insert(root, primals.len());
                primals.push((i, root));
            }
        }
        let mut covered = vec![false; primals.len()];
        let mut last: Option<(usize, usize)> = None; // (primal position, result index)
        let mut any_slot = false;
        for (i, slot) in self.descs.results.iter().enumerate() {
            let Some(primal) = slot.desc().and_then(|d| d.root().grad_slot_of()) else {
                continue;
            };
            any_slot = true;
            let Some(&k) = primal_position.get(primal) else {
                continue; // reported by `references`
            };
            if covered[k] && last.is_some_and(|(lk, _)| lk != k) {
                continue; // a second slot of one primal, reported by `duplicate_outputs`
            }
            if let Some((lk, lr)) = last
                && k < lk
            {
                self.func_error(format!(
                    "gradient slots are out of primal order: result {i} is the slot of argument \
                     {} but comes after result {lr}, the slot of argument {}",
                    primals[k].0, primals[lk].0
                ));
            }
            last = Some((k, i));
            covered[k] = true;
        }
        if !any_slot {
            return;
        }
        for (k, &(i, p)) in primals.iter().enumerate() {
            if !covered[k] {
                self.arg_error(
                    i,
                    format!(
                        "argument {i} ({p}) is a primal without a gradient slot: a joint function \
                         returns one #aot.grad or #aot.none_grad result per primal, in primal order"
                    ),
                );
            }
        }
    }
}
