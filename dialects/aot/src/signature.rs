//! The descriptors of one function-like op, read once from its `arg_attrs` / `res_attrs`
//! under the key [`DESC_KEY`]. The verifier, the fx_utils queries and the descriptor table
//! all work from this one decoded view.

use crate::descriptor::{AotInput, AotOutput};
use joinery_ir::{Context, OpId, Span, Value};
use rustc_hash::FxHashMap;
use std::hash::Hash;

/// The key of the descriptor in an argument or result attribute dictionary.
pub const DESC_KEY: &str = "aot.desc";

/// What one argument or result slot says about its descriptor.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Slot<T> {
    /// No `aot.desc` entry.
    Missing,
    /// An `aot.desc` entry that is not a valid descriptor for this side (the attribute
    /// verifier reports why).
    Invalid,
    /// A valid descriptor.
    Desc(T),
}

impl<T> Slot<T> {
    /// The descriptor, if the slot has a valid one.
    pub fn desc(&self) -> Option<&T> {
        match self {
            Slot::Desc(d) => Some(d),
            _ => None,
        }
    }
}

/// The decoded descriptors of a function-like op, one slot per argument and result.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct FuncDescriptors {
    /// One slot per argument of `function_type`.
    pub args: Vec<Slot<AotInput>>,
    /// One slot per result of `function_type`.
    pub results: Vec<Slot<AotOutput>>,
}

impl FuncDescriptors {
    /// Reads the descriptors of `func`; `None` when it has no `function_type`.
    pub fn read(ctx: &Context, func: OpId) -> Option<FuncDescriptors> {
        let (inputs, results) = joinery_func::signature(ctx, func)?;
        Some(FuncDescriptors {
            args: read_slots(ctx, func, "arg_attrs", inputs.len(), AotInput::from_attr),
            results: read_slots(ctx, func, "res_attrs", results.len(), AotOutput::from_attr),
        })
    }

    /// Whether any argument or result carries an `aot.desc` entry.
    pub fn has_any(&self) -> bool {
        self.args.iter().any(|s| *s != Slot::Missing)
            || self.results.iter().any(|s| *s != Slot::Missing)
    }

    /// The first argument described by `desc` itself or by a subclass piece of it.
    pub fn arg_slot_for(&self, desc: &AotInput) -> Option<usize> {
        first_slot(&self.args, desc, AotInput::subclass_base)
    }

    /// The first result described by `desc` itself or by a subclass piece of it.
    pub fn result_slot_for(&self, desc: &AotOutput) -> Option<usize> {
        first_slot(&self.results, desc, AotOutput::subclass_base)
    }

    /// The arguments holding the function's Philox seed and base offset: the forward pair
    /// (`#aot.philox_fwd_seed`, `#aot.philox_fwd_base_offset`) when both are there, else
    /// the backward pair; `None` without a whole pair.
    pub fn philox_args(&self) -> Option<(usize, usize)> {
        [
            (
                AotInput::PhiloxForwardSeed,
                AotInput::PhiloxForwardBaseOffset,
            ),
            (
                AotInput::PhiloxBackwardSeed,
                AotInput::PhiloxBackwardBaseOffset,
            ),
        ]
        .iter()
        .find_map(|(seed, offset)| {
            let at = |want: &AotInput| self.args.iter().position(|s| s.desc() == Some(want));
            Some((at(seed)?, at(offset)?))
        })
    }

    /// [`FuncDescriptors::arg_slot_for`] for many lookups: built once, each lookup a hash.
    pub fn arg_index(&self) -> SlotIndex<'_, AotInput> {
        SlotIndex::new(&self.args, AotInput::subclass_base)
    }

    /// [`FuncDescriptors::result_slot_for`] for many lookups: built once, each lookup a hash.
    pub fn result_index(&self) -> SlotIndex<'_, AotOutput> {
        SlotIndex::new(&self.results, AotOutput::subclass_base)
    }

    /// The first slot (argument or result) whose descriptor is a subclass piece, as
    /// `(is_argument, index, kind name)`.
    pub fn first_subclass_piece(&self) -> Option<(bool, usize, &'static str)> {
        let arg = self.args.iter().enumerate().find_map(|(i, s)| {
            let d = s.desc()?;
            d.kind()
                .is_subclass_piece()
                .then(|| (true, i, d.kind().attr_name()))
        });
        arg.or_else(|| {
            self.results.iter().enumerate().find_map(|(i, s)| {
                let d = s.desc()?;
                d.kind()
                    .is_subclass_piece()
                    .then(|| (false, i, d.kind().attr_name()))
            })
        })
    }
}

/// A slot's descriptor followed by every descriptor it is a subclass piece of.
fn described<T>(slot: &Slot<T>, base: fn(&T) -> Option<&T>) -> impl Iterator<Item = &T> {
    std::iter::successors(slot.desc(), move |d| base(d))
}

/// The first of `slots` described by `desc` itself or by a subclass piece of it.
fn first_slot<T: PartialEq>(
    slots: &[Slot<T>],
    desc: &T,
    base: fn(&T) -> Option<&T>,
) -> Option<usize> {
    slots
        .iter()
        .position(|s| described(s, base).any(|d| d == desc))
}

/// Every descriptor that describes a slot (its own, or one it is a subclass piece of)
/// with the first slot it describes; a function's verification looks up every slot's
/// references, so a scan per lookup would make it quadratic in the slots.
pub struct SlotIndex<'a, T>(FxHashMap<&'a T, usize>);

impl<'a, T: Eq + Hash> SlotIndex<'a, T> {
    fn new(slots: &'a [Slot<T>], base: fn(&T) -> Option<&T>) -> SlotIndex<'a, T> {
        let mut first = FxHashMap::default();
        for (i, slot) in slots.iter().enumerate() {
            for d in described(slot, base) {
                first.entry(d).or_insert(i);
            }
        }
        SlotIndex(first)
    }

    /// The first slot described by `desc` itself or by a subclass piece of it.
    pub fn get(&self, desc: &T) -> Option<usize> {
        self.0.get(desc).copied()
    }
}

fn read_slots<T>(
    ctx: &Context,
    func: OpId,
    key: &str,
    count: usize,
    decode: fn(&Context, joinery_ir::Attribute) -> Result<T, String>,
) -> Vec<Slot<T>> {
    let dicts = ctx
        .attr(func, key)
        .and_then(|a| ctx.as_array(a))
        .filter(|items| items.len() == count);
    (0..count)
        .map(|i| {
            let Some(desc) = dicts.and_then(|items| ctx.dictionary_get(items[i], DESC_KEY)) else {
                return Slot::Missing;
            };
            decode(ctx, desc).map_or(Slot::Invalid, Slot::Desc)
        })
        .collect()
}

/// The entry-block arguments of a function, if it has a body.
pub(crate) fn body_args(ctx: &Context, func: OpId) -> Option<&[Value]> {
    Some(ctx.block_args(ctx.body_block(func)?))
}

/// The operands of the terminator of a function's entry block (the returned values).
pub(crate) fn returned_values(ctx: &Context, func: OpId) -> Option<&[Value]> {
    let body = ctx.body_block(func)?;
    Some(ctx.operands(ctx.last_op(body)?))
}

/// The source span of argument `i` of a function, falling back to the function's span.
pub(crate) fn arg_span(ctx: &Context, func: OpId, i: usize) -> Option<Span> {
    body_args(ctx, func)
        .and_then(|args| args.get(i))
        .and_then(|&a| ctx.value_span(a))
        .or_else(|| ctx.span(func))
}
