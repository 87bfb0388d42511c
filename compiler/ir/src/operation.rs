//! Operations, blocks, regions and SSA values, stored in arenas of the [`Context`] and
//! named by copyable ids. Ops in a block form an intrusive doubly linked list; every value
//! keeps its use list, and every mutation here keeps use lists and parent links right.

use crate::attributes::Attribute;
use crate::context::Context;
use crate::dialect::{OpDef, Traits};
use crate::location::{Location, Span};
use crate::types::Type;
use smallvec::SmallVec;
use std::marker::PhantomData;
use std::sync::Arc;

/// An operation.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct OpId(pub(crate) u32);

/// A basic block.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct BlockId(pub(crate) u32);

/// A region: a list of blocks owned by an op.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct RegionId(pub(crate) u32);

/// An SSA value: an op result or a block argument.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Value(pub(crate) u32);

/// An interned operation name, resolved to its [`OpDef`] when the dialect is registered.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct OpName(pub(crate) u32);

impl Value {
    /// The value's place in its context's table (values are numbered from 0 as they are
    /// made), for tables indexed by value.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Where a value comes from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ValueDef {
    /// Result `index` of `op`.
    OpResult { op: OpId, index: u32 },
    /// Argument `index` of `block`.
    BlockArg { block: BlockId, index: u32 },
}

/// The attribute naming a symbol op (`func.func @name` has `sym_name = "name"`).
pub const SYM_NAME: &str = "sym_name";

/// One use of a value: operand `index` of `op`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Use {
    pub op: OpId,
    pub index: u32,
}

/// An op's operands or results: up to four are stored inline, so the common op
/// allocates nothing for them (24 bytes, the size of a `Vec`).
type ValueList = SmallVec<[Value; 4]>;

/// A value's uses: up to two are stored inline (24 bytes, the size of a `Vec`).
type UseList = SmallVec<[Use; 2]>;

/// An id stored in an arena's table by its index.
pub(crate) trait ArenaId: Copy {
    fn from_index(index: u32) -> Self;
    fn index(self) -> u32;
}

impl ArenaId for OpId {
    fn from_index(index: u32) -> OpId {
        OpId(index)
    }
    fn index(self) -> u32 {
        self.0
    }
}

impl ArenaId for BlockId {
    fn from_index(index: u32) -> BlockId {
        BlockId(index)
    }
    fn index(self) -> u32 {
        self.0
    }
}

/// An optional id in four bytes (an `Option` of an id takes eight): `u32::MAX`, never
/// an index (tables are indexed by `u32`, and the last index is one below their length),
/// stands for none.
#[derive(Debug)]
pub(crate) struct Link<T>(u32, PhantomData<T>);

impl<T> Clone for Link<T> {
    fn clone(&self) -> Link<T> {
        *self
    }
}

impl<T> Copy for Link<T> {}

impl<T: ArenaId> Link<T> {
    const NONE: Link<T> = Link(u32::MAX, PhantomData);

    pub(crate) fn new(id: Option<T>) -> Link<T> {
        id.map_or(Link::NONE, |id| Link(id.index(), PhantomData))
    }

    fn get(self) -> Option<T> {
        (self.0 != u32::MAX).then(|| T::from_index(self.0))
    }

    fn take(&mut self) -> Option<T> {
        std::mem::replace(self, Link::NONE).get()
    }
}

/// Where a value's name is in [`Context::value_names`]: `start == u32::MAX` for a value
/// without a name, which so costs nothing but these eight bytes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NameRef {
    start: u32,
    len: u32,
}

impl NameRef {
    const NONE: NameRef = NameRef {
        start: u32::MAX,
        len: 0,
    };
}

/// An optional [`Span`] in twelve bytes (an `Option<Span>` takes sixteen): a file id of
/// `u32::MAX`, which no source map reaches, stands for none.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StoredSpan(Span);

impl StoredSpan {
    const NONE: StoredSpan = StoredSpan(Span {
        file: crate::FileId(u32::MAX),
        start: 0,
        end: 0,
    });

    pub(crate) fn new(span: Option<Span>) -> StoredSpan {
        span.map_or(StoredSpan::NONE, StoredSpan)
    }

    pub(crate) fn get(self) -> Option<Span> {
        (self.0.file.0 != u32::MAX).then_some(self.0)
    }
}

/// A [`ValueDef`] in eight bytes: the op or block, and the index with its top bit set for
/// a block argument.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StoredDef {
    owner: u32,
    index: u32,
}

impl StoredDef {
    const BLOCK_ARG: u32 = 1 << 31;

    fn new(def: ValueDef) -> StoredDef {
        match def {
            ValueDef::OpResult { op, index } => StoredDef { owner: op.0, index },
            ValueDef::BlockArg { block, index } => {
                assert!(index < Self::BLOCK_ARG, "too many block arguments");
                StoredDef {
                    owner: block.0,
                    index: index | Self::BLOCK_ARG,
                }
            }
        }
    }

    fn get(self) -> ValueDef {
        if self.index & Self::BLOCK_ARG == 0 {
            ValueDef::OpResult {
                op: OpId(self.owner),
                index: self.index,
            }
        } else {
            ValueDef::BlockArg {
                block: BlockId(self.owner),
                index: self.index & !Self::BLOCK_ARG,
            }
        }
    }
}

#[derive(Debug)]
pub(crate) struct ValueData {
    pub(crate) ty: Type,
    pub(crate) def: StoredDef,
    pub(crate) name: NameRef,
    pub(crate) uses: UseList,
    pub(crate) span: StoredSpan,
}

#[derive(Debug)]
pub(crate) struct OpData {
    pub(crate) name: OpName,
    pub(crate) operands: ValueList,
    pub(crate) results: ValueList,
    /// Sorted by name; names are shared through [`Context::attr_name`].
    pub(crate) attrs: Box<[(Arc<str>, Attribute)]>,
    /// `None` for the common op without regions, successors and location.
    pub(crate) nested: Option<Box<NestedParts>>,
    pub(crate) span: StoredSpan,
    pub(crate) parent: Link<BlockId>,
    pub(crate) prev: Link<OpId>,
    pub(crate) next: Link<OpId>,
    pub(crate) erased: bool,
}

/// The parts only some ops have, boxed out of [`OpData`] so that the others pay eight
/// bytes for them.
#[derive(Debug, Default)]
pub(crate) struct NestedParts {
    pub(crate) regions: Vec<RegionId>,
    pub(crate) successors: Vec<BlockId>,
    /// Shared by an op and its clones.
    pub(crate) loc: Option<Arc<Location>>,
}

impl NestedParts {
    /// The parts of an op with these regions, successors and location, `None` if it has
    /// none of them.
    fn boxed(
        regions: Vec<RegionId>,
        successors: Vec<BlockId>,
        loc: Option<Arc<Location>>,
    ) -> Option<Box<NestedParts>> {
        (!regions.is_empty() || !successors.is_empty() || loc.is_some()).then(|| {
            Box::new(NestedParts {
                regions,
                successors,
                loc,
            })
        })
    }
}

#[derive(Debug)]
pub(crate) struct BlockData {
    pub(crate) args: Vec<Value>,
    pub(crate) name: Option<Box<str>>,
    pub(crate) first: Option<OpId>,
    pub(crate) last: Option<OpId>,
    pub(crate) parent: Option<RegionId>,
    pub(crate) span: Option<Span>,
    /// Bumped whenever the block's op list or an attribute of one of its ops changes;
    /// [`Context::block_analysis`] results are valid for one version.
    pub(crate) version: u64,
}

#[derive(Debug)]
pub(crate) struct RegionData {
    pub(crate) blocks: Vec<BlockId>,
    pub(crate) parent: Option<OpId>,
}

/// Everything needed to create an operation.
#[derive(Clone, Debug)]
pub struct OperationState {
    pub name: OpName,
    pub operands: Vec<Value>,
    pub result_types: Vec<Type>,
    /// Attributes in any order; they are stored sorted by name.
    pub attrs: Vec<(String, Attribute)>,
    /// Regions already created (and not yet owned by another op).
    pub regions: Vec<RegionId>,
    pub successors: Vec<BlockId>,
    pub loc: Option<Location>,
    pub span: Option<Span>,
}

impl OperationState {
    /// A state with only a name.
    pub fn new(name: OpName) -> OperationState {
        OperationState {
            name,
            operands: Vec::new(),
            result_types: Vec::new(),
            attrs: Vec::new(),
            regions: Vec::new(),
            successors: Vec::new(),
            loc: None,
            span: None,
        }
    }
}

impl Context {
    // ----- op names -------------------------------------------------------------------

    /// The shared copy of an attribute name: ops store each distinct name once, so
    /// creating and cloning ops allocates no name.
    pub(crate) fn attr_name(&mut self, name: &str) -> Arc<str> {
        if let Some(shared) = self.attr_names.get(name) {
            return shared.clone();
        }
        let shared: Arc<str> = name.into();
        self.attr_names.insert(shared.clone());
        shared
    }

    /// Interns an op name (registered or not).
    pub fn op_name(&mut self, name: &str) -> OpName {
        if let Some(&id) = self.op_name_index.get(name) {
            return id;
        }
        let id = OpName(self.op_names.len() as u32);
        let def = self.registry.op(name);
        self.op_names.push((name.into(), def));
        self.op_name_index.insert(name.into(), id);
        id
    }

    /// The text of an op name.
    pub fn op_name_str(&self, name: OpName) -> &str {
        &self.op_names[name.0 as usize].0
    }

    /// The registered definition behind an op name, if its dialect knows it.
    pub fn op_name_def(&self, name: OpName) -> Option<&'static OpDef> {
        self.op_names[name.0 as usize].1
    }

    // ----- creation -------------------------------------------------------------------

    /// Creates a detached op; regions in `state` become owned by it.
    pub fn create_op(&mut self, state: OperationState) -> OpId {
        let id = OpId(self.ops.len() as u32);
        let mut attrs: Vec<(Arc<str>, Attribute)> = state
            .attrs
            .into_iter()
            .map(|(k, v)| (self.attr_name(&k), v))
            .collect();
        attrs.sort_by(|a, b| a.0.cmp(&b.0));
        attrs.dedup_by(|later, earlier| later.0 == earlier.0);
        let results: ValueList = state
            .result_types
            .iter()
            .enumerate()
            .map(|(i, &ty)| {
                self.new_value(
                    ty,
                    ValueDef::OpResult {
                        op: id,
                        index: i as u32,
                    },
                    StoredSpan::new(state.span),
                )
            })
            .collect();
        for &region in &state.regions {
            self.regions[region.0 as usize].parent = Some(id);
        }
        for (index, &value) in state.operands.iter().enumerate() {
            self.values[value.0 as usize].uses.push(Use {
                op: id,
                index: index as u32,
            });
        }
        self.ops.push(OpData {
            name: state.name,
            operands: ValueList::from_vec(state.operands),
            results,
            attrs: attrs.into_boxed_slice(),
            nested: NestedParts::boxed(state.regions, state.successors, state.loc.map(Arc::new)),
            span: StoredSpan::new(state.span),
            parent: Link::NONE,
            prev: Link::NONE,
            next: Link::NONE,
            erased: false,
        });
        id
    }

    /// Makes room for `ops` more operations and `values` more values, so that a builder
    /// that knows the size of what it builds (the parser) fills tables that never regrow.
    pub fn reserve(&mut self, ops: usize, values: usize) {
        self.ops.reserve_exact(ops);
        self.values.reserve_exact(values);
    }

    fn new_value(&mut self, ty: Type, def: ValueDef, span: StoredSpan) -> Value {
        self.values.push(ValueData {
            ty,
            def: StoredDef::new(def),
            name: NameRef::NONE,
            uses: UseList::new(),
            span,
        });
        Value(self.values.len() as u32 - 1)
    }

    /// Creates a detached block with arguments of the given types.
    pub fn create_block(&mut self, arg_types: &[Type]) -> BlockId {
        let id = BlockId(self.blocks.len() as u32);
        self.blocks.push(BlockData {
            args: Vec::new(),
            name: None,
            first: None,
            last: None,
            parent: None,
            span: None,
            version: 0,
        });
        for &ty in arg_types {
            self.add_block_argument(id, ty);
        }
        id
    }

    /// Appends an argument to a block.
    pub fn add_block_argument(&mut self, block: BlockId, ty: Type) -> Value {
        let index = self.blocks[block.0 as usize].args.len() as u32;
        let v = self.new_value(ty, ValueDef::BlockArg { block, index }, StoredSpan::NONE);
        self.blocks[block.0 as usize].args.push(v);
        v
    }

    /// Inserts an argument at position `index` of a block (later arguments shift up), as
    /// passes that change a function's signature need.
    pub fn insert_block_argument(&mut self, block: BlockId, index: usize, ty: Type) -> Value {
        let v = self.new_value(
            ty,
            ValueDef::BlockArg {
                block,
                index: index as u32,
            },
            StoredSpan::NONE,
        );
        self.blocks[block.0 as usize].args.insert(index, v);
        self.renumber_block_args(block, index + 1);
        v
    }

    /// Removes the unused argument at position `index` of a block (later arguments shift
    /// down).
    pub fn erase_block_argument(&mut self, block: BlockId, index: usize) {
        let v = self.blocks[block.0 as usize].args.remove(index);
        debug_assert!(
            self.values[v.0 as usize].uses.is_empty(),
            "erasing a block argument that is still used"
        );
        self.renumber_block_args(block, index);
    }

    fn renumber_block_args(&mut self, block: BlockId, from: usize) {
        for i in from..self.blocks[block.0 as usize].args.len() {
            let v = self.blocks[block.0 as usize].args[i];
            self.values[v.0 as usize].def = StoredDef::new(ValueDef::BlockArg {
                block,
                index: i as u32,
            });
        }
    }

    /// Creates an empty detached region.
    pub fn create_region(&mut self) -> RegionId {
        self.regions.push(RegionData {
            blocks: Vec::new(),
            parent: None,
        });
        RegionId(self.regions.len() as u32 - 1)
    }

    /// Appends a block to a region.
    pub fn append_block(&mut self, region: RegionId, block: BlockId) {
        self.blocks[block.0 as usize].parent = Some(region);
        self.regions[region.0 as usize].blocks.push(block);
    }

    // ----- placement ------------------------------------------------------------------

    /// Appends a detached op at the end of a block.
    pub fn append_op(&mut self, block: BlockId, op: OpId) {
        debug_assert!(
            self.ops[op.0 as usize].parent.get().is_none(),
            "op is already placed"
        );
        let last = self.blocks[block.0 as usize].last;
        self.link(op, block, last, None);
    }

    /// Inserts a detached op right before `anchor`.
    pub fn insert_op_before(&mut self, anchor: OpId, op: OpId) {
        let a = &self.ops[anchor.0 as usize];
        let block = a.parent.get().expect("anchor is not in a block");
        let prev = a.prev.get();
        self.link(op, block, prev, Some(anchor));
    }

    /// Inserts a detached op right after `anchor`.
    pub fn insert_op_after(&mut self, anchor: OpId, op: OpId) {
        let a = &self.ops[anchor.0 as usize];
        let block = a.parent.get().expect("anchor is not in a block");
        let next = a.next.get();
        self.link(op, block, Some(anchor), next);
    }

    fn link(&mut self, op: OpId, block: BlockId, prev: Option<OpId>, next: Option<OpId>) {
        self.blocks[block.0 as usize].version += 1;
        self.index_symbol(op, block);
        let d = &mut self.ops[op.0 as usize];
        d.parent = Link::new(Some(block));
        d.prev = Link::new(prev);
        d.next = Link::new(next);
        match prev {
            Some(p) => self.ops[p.0 as usize].next = Link::new(Some(op)),
            None => self.blocks[block.0 as usize].first = Some(op),
        }
        match next {
            Some(n) => self.ops[n.0 as usize].prev = Link::new(Some(op)),
            None => self.blocks[block.0 as usize].last = Some(op),
        }
    }

    /// Takes an op out of its block without destroying it.
    pub fn detach_op(&mut self, op: OpId) {
        let d = &mut self.ops[op.0 as usize];
        let Some(block) = d.parent.take() else { return };
        let (prev, next) = (d.prev.take(), d.next.take());
        self.blocks[block.0 as usize].version += 1;
        self.unindex_symbol(op, block);
        match prev {
            Some(p) => self.ops[p.0 as usize].next = Link::new(next),
            None => self.blocks[block.0 as usize].first = next,
        }
        match next {
            Some(n) => self.ops[n.0 as usize].prev = Link::new(prev),
            None => self.blocks[block.0 as usize].last = prev,
        }
    }

    /// Moves an op (already placed or not) to right before `anchor`.
    pub fn move_op_before(&mut self, op: OpId, anchor: OpId) {
        self.detach_op(op);
        self.insert_op_before(anchor, op);
    }

    /// Moves an op (already placed or not) to right after `anchor`.
    pub fn move_op_after(&mut self, op: OpId, anchor: OpId) {
        self.detach_op(op);
        self.insert_op_after(anchor, op);
    }

    // ----- operands and uses ----------------------------------------------------------

    fn push_operand(&mut self, op: OpId, value: Value) {
        let index = self.ops[op.0 as usize].operands.len() as u32;
        self.ops[op.0 as usize].operands.push(value);
        self.values[value.0 as usize].uses.push(Use { op, index });
    }

    fn remove_use(&mut self, value: Value, u: Use) {
        let uses = &mut self.values[value.0 as usize].uses;
        if let Some(pos) = uses.iter().position(|x| *x == u) {
            uses.swap_remove(pos);
        }
    }

    /// Replaces operand `index` of `op`.
    pub fn set_operand(&mut self, op: OpId, index: usize, value: Value) {
        let old = self.ops[op.0 as usize].operands[index];
        let u = Use {
            op,
            index: index as u32,
        };
        self.remove_use(old, u);
        self.ops[op.0 as usize].operands[index] = value;
        self.values[value.0 as usize].uses.push(u);
    }

    /// Replaces all operands of `op`.
    pub fn set_operands(&mut self, op: OpId, values: &[Value]) {
        self.drop_operands(op);
        for &v in values {
            self.push_operand(op, v);
        }
    }

    fn drop_operands(&mut self, op: OpId) {
        let operands = std::mem::take(&mut self.ops[op.0 as usize].operands);
        for (i, v) in operands.into_iter().enumerate() {
            self.remove_use(
                v,
                Use {
                    op,
                    index: i as u32,
                },
            );
        }
    }

    /// Makes every use of `old` use `new` instead.
    pub fn replace_all_uses(&mut self, old: Value, new: Value) {
        if old == new {
            return;
        }
        let uses = std::mem::take(&mut self.values[old.0 as usize].uses);
        for u in &uses {
            self.ops[u.op.0 as usize].operands[u.index as usize] = new;
        }
        self.values[new.0 as usize].uses.extend(uses);
    }

    /// Replaces every use of `op`'s results by `new` (one value per result) and erases `op`.
    pub fn replace_op(&mut self, op: OpId, new: &[Value]) {
        let results = self.ops[op.0 as usize].results.clone();
        assert_eq!(
            results.len(),
            new.len(),
            "replace_op: result count mismatch"
        );
        for (old, &new) in results.into_iter().zip(new) {
            self.replace_all_uses(old, new);
        }
        self.erase_op(op);
    }

    /// Destroys an op and everything in its regions. Its results must be unused
    /// (uses from inside the erased op itself are fine).
    pub fn erase_op(&mut self, op: OpId) {
        self.detach_op(op);
        self.destroy(op);
    }

    fn destroy(&mut self, op: OpId) {
        for region in self.regions(op).to_vec() {
            for block in self.regions[region.0 as usize].blocks.clone() {
                let ops: Vec<OpId> = self.block_ops(block).collect();
                for inner in ops.into_iter().rev() {
                    self.detach_op(inner);
                    self.destroy(inner);
                }
            }
        }
        self.drop_operands(op);
        debug_assert!(
            self.ops[op.0 as usize]
                .results
                .iter()
                .all(|r| self.values[r.0 as usize].uses.is_empty()),
            "erasing an op whose results are still used"
        );
        self.ops[op.0 as usize].erased = true;
    }

    // ----- attributes -----------------------------------------------------------------

    /// Sets (or replaces) an attribute.
    pub fn set_attr(&mut self, op: OpId, name: &str, value: Attribute) {
        let block = self.touch_parent_block(op, name);
        let key = self.attr_name(name);
        let attrs = &mut self.ops[op.0 as usize].attrs;
        match attrs.binary_search_by(|(k, _)| (**k).cmp(name)) {
            Ok(i) => attrs[i].1 = value,
            Err(i) => {
                let mut grown = std::mem::take(attrs).into_vec();
                grown.insert(i, (key, value));
                *attrs = grown.into_boxed_slice();
            }
        }
        if let Some(block) = block {
            self.index_symbol(op, block);
        }
    }

    /// Removes an attribute, returning it.
    pub fn remove_attr(&mut self, op: OpId, name: &str) -> Option<Attribute> {
        let block = self.touch_parent_block(op, name);
        let attrs = &mut self.ops[op.0 as usize].attrs;
        let removed = attrs
            .binary_search_by(|(k, _)| (**k).cmp(name))
            .ok()
            .map(|i| {
                let mut shrunk = std::mem::take(attrs).into_vec();
                let (_, removed) = shrunk.remove(i);
                *attrs = shrunk.into_boxed_slice();
                removed
            });
        if let Some(block) = block {
            self.index_symbol(op, block);
        }
        removed
    }

    /// Before attribute `name` of `op` changes: invalidates the analyses cached for the
    /// op's block and, for `sym_name`, takes the op out of the block's symbol index
    /// (returning the block, for the caller to index the op again after the change).
    fn touch_parent_block(&mut self, op: OpId, name: &str) -> Option<BlockId> {
        let block = self.ops[op.0 as usize].parent.get()?;
        self.blocks[block.0 as usize].version += 1;
        if name != SYM_NAME {
            return None;
        }
        self.unindex_symbol(op, block);
        Some(block)
    }

    /// Adds `op` to the symbol index of `block` (which it is placed in) if it is a symbol.
    fn index_symbol(&mut self, op: OpId, block: BlockId) {
        if let Some(name) = self.indexed_name(op) {
            self.symbols
                .entry(block)
                .or_default()
                .entry(name)
                .or_default()
                .push(op);
        }
    }

    /// The name `op` is indexed under: its `sym_name` string (a handle from another
    /// context, which the verifier reports, is not read).
    fn indexed_name(&self, op: OpId) -> Option<Box<str>> {
        let a = self
            .attr(op, SYM_NAME)
            .filter(|a| self.attrs.contains_index(a.0))?;
        self.as_str(a).map(Box::from)
    }

    /// Removes `op` from the symbol index of `block`.
    fn unindex_symbol(&mut self, op: OpId, block: BlockId) {
        let Some(name) = self.indexed_name(op) else {
            return;
        };
        let Some(table) = self.symbols.get_mut(&block) else {
            return;
        };
        if let Some(defs) = table.get_mut(&name) {
            defs.retain(|&d| d != op);
            if defs.is_empty() {
                table.remove(&name);
            }
        }
    }

    /// Looks up an attribute by name.
    pub fn attr(&self, op: OpId, name: &str) -> Option<Attribute> {
        let attrs = &self.ops[op.0 as usize].attrs;
        attrs
            .binary_search_by(|(k, _)| (**k).cmp(name))
            .ok()
            .map(|i| attrs[i].1)
    }

    /// All attributes of an op, sorted by name.
    pub fn attrs(&self, op: OpId) -> impl ExactSizeIterator<Item = (&str, Attribute)> + '_ {
        self.ops[op.0 as usize]
            .attrs
            .iter()
            .map(|(k, v)| (&**k, *v))
    }

    /// Sets the user-visible location of an op.
    pub fn set_loc(&mut self, op: OpId, loc: Option<Location>) {
        let nested = &mut self.ops[op.0 as usize].nested;
        match (nested.as_mut(), loc) {
            (Some(parts), loc) => parts.loc = loc.map(Arc::new),
            (None, Some(loc)) => {
                *nested = NestedParts::boxed(Vec::new(), Vec::new(), Some(Arc::new(loc)))
            }
            (None, None) => {}
        }
    }

    // ----- queries --------------------------------------------------------------------

    /// The op's name.
    pub fn name(&self, op: OpId) -> OpName {
        self.ops[op.0 as usize].name
    }

    /// The op's name as text.
    pub fn name_str(&self, op: OpId) -> &str {
        self.op_name_str(self.name(op))
    }

    /// The registered definition of the op, if any.
    pub fn def(&self, op: OpId) -> Option<&'static OpDef> {
        self.op_name_def(self.name(op))
    }

    /// The op's traits (empty for unregistered ops).
    pub fn traits(&self, op: OpId) -> Traits {
        self.def(op).map_or(Traits::empty(), |d| d.traits)
    }

    /// Whether the op has all of `traits`.
    pub fn has_traits(&self, op: OpId, traits: Traits) -> bool {
        self.traits(op).contains(traits)
    }

    /// The op's operands.
    pub fn operands(&self, op: OpId) -> &[Value] {
        &self.ops[op.0 as usize].operands
    }

    /// Operand `i`.
    pub fn operand(&self, op: OpId, i: usize) -> Value {
        self.ops[op.0 as usize].operands[i]
    }

    /// The op's results.
    pub fn results(&self, op: OpId) -> &[Value] {
        &self.ops[op.0 as usize].results
    }

    /// Result `i`.
    pub fn result(&self, op: OpId, i: usize) -> Value {
        self.ops[op.0 as usize].results[i]
    }

    /// The op's regions.
    pub fn regions(&self, op: OpId) -> &[RegionId] {
        self.ops[op.0 as usize]
            .nested
            .as_ref()
            .map_or(&[], |n| &n.regions)
    }

    /// The op's successor blocks.
    pub fn successors(&self, op: OpId) -> &[BlockId] {
        self.ops[op.0 as usize]
            .nested
            .as_ref()
            .map_or(&[], |n| &n.successors)
    }

    /// The regions and successors of `op`, to change them.
    pub(crate) fn nested_mut(&mut self, op: OpId) -> &mut NestedParts {
        self.ops[op.0 as usize].nested.get_or_insert_default()
    }

    /// The op's `loc(...)`, if it has one.
    pub fn loc(&self, op: OpId) -> Option<&Location> {
        self.ops[op.0 as usize].nested.as_ref()?.loc.as_deref()
    }

    /// Gives `state` the location and span of `from` where it has none of its own.
    pub fn inherit_position(&self, from: OpId, state: &mut OperationState) {
        if state.loc.is_none() {
            state.loc = self.loc(from).cloned();
        }
        if state.span.is_none() {
            state.span = self.span(from);
        }
    }

    /// Every op created in this context, erased ones included, in creation order.
    pub fn all_ops(&self) -> impl ExactSizeIterator<Item = OpId> + use<> {
        (0..self.ops.len() as u32).map(OpId)
    }

    /// How many values (op results and block arguments) this context has created,
    /// those of erased ops included: an upper bound for tables keyed by value.
    pub fn value_count(&self) -> usize {
        self.values.len()
    }

    /// Where the op was written in the source, if it was parsed.
    pub fn span(&self, op: OpId) -> Option<Span> {
        self.ops[op.0 as usize].span.get()
    }

    /// Sets the source span of an op.
    pub fn set_span(&mut self, op: OpId, span: Option<Span>) {
        self.ops[op.0 as usize].span = StoredSpan::new(span);
    }

    /// The block holding the op.
    pub fn parent_block(&self, op: OpId) -> Option<BlockId> {
        self.ops[op.0 as usize].parent.get()
    }

    /// The op whose region holds this op's block.
    pub fn parent_op(&self, op: OpId) -> Option<OpId> {
        let block = self.parent_block(op)?;
        self.block_parent_op(block)
    }

    /// The next op in the same block.
    pub fn next_op(&self, op: OpId) -> Option<OpId> {
        self.ops[op.0 as usize].next.get()
    }

    /// The previous op in the same block.
    pub fn prev_op(&self, op: OpId) -> Option<OpId> {
        self.ops[op.0 as usize].prev.get()
    }

    /// Whether the op has been erased.
    pub fn is_erased(&self, op: OpId) -> bool {
        self.ops[op.0 as usize].erased
    }

    /// The type of a value.
    pub fn value_type(&self, v: Value) -> Type {
        self.values[v.0 as usize].ty
    }

    /// Changes the type of a value (passes that retype in place).
    pub fn set_value_type(&mut self, v: Value, ty: Type) {
        self.values[v.0 as usize].ty = ty;
    }

    /// Where a value comes from.
    pub fn value_def(&self, v: Value) -> ValueDef {
        self.values[v.0 as usize].def.get()
    }

    /// The op defining a value, `None` for block arguments.
    pub fn defining_op(&self, v: Value) -> Option<OpId> {
        match self.value_def(v) {
            ValueDef::OpResult { op, .. } => Some(op),
            ValueDef::BlockArg { .. } => None,
        }
    }

    /// The uses of a value.
    pub fn uses(&self, v: Value) -> &[Use] {
        &self.values[v.0 as usize].uses
    }

    /// Whether a value has no uses.
    pub fn is_unused(&self, v: Value) -> bool {
        self.values[v.0 as usize].uses.is_empty()
    }

    /// The source name of a value (`primals_1` for `%primals_1`), if it has one.
    pub fn value_name(&self, v: Value) -> Option<&str> {
        let NameRef { start, len } = self.values[v.0 as usize].name;
        (start != u32::MAX).then(|| &self.value_names[start as usize..][..len as usize])
    }

    /// Sets or clears the name a value prints with. Names are appended to one shared
    /// text, so the text a renamed value had stays there unused until the context goes.
    pub fn set_value_name(&mut self, v: Value, name: Option<&str>) {
        self.values[v.0 as usize].name = match name {
            None => NameRef::NONE,
            Some(name) => {
                let start = u32::try_from(self.value_names.len())
                    .ok()
                    .filter(|&start| start != u32::MAX)
                    .expect("more than 4 GiB of value names");
                self.value_names.push_str(name);
                NameRef {
                    start,
                    len: name.len() as u32,
                }
            }
        };
    }

    /// Where a value was defined in the source.
    pub fn value_span(&self, v: Value) -> Option<Span> {
        self.values[v.0 as usize].span.get()
    }

    /// Sets the source span of a value.
    pub fn set_value_span(&mut self, v: Value, span: Option<Span>) {
        self.values[v.0 as usize].span = StoredSpan::new(span);
    }

    /// The arguments of a block.
    pub fn block_args(&self, block: BlockId) -> &[Value] {
        &self.blocks[block.0 as usize].args
    }

    /// The source label of a block (`bb1` for `^bb1`).
    pub fn block_name(&self, block: BlockId) -> Option<&str> {
        self.blocks[block.0 as usize].name.as_deref()
    }

    /// Sets the label a block prints with.
    pub fn set_block_name(&mut self, block: BlockId, name: Option<&str>) {
        self.blocks[block.0 as usize].name = name.map(Into::into);
    }

    /// Where a block was written in the source.
    pub fn block_span(&self, block: BlockId) -> Option<Span> {
        self.blocks[block.0 as usize].span
    }

    /// Sets the source span of a block.
    pub fn set_block_span(&mut self, block: BlockId, span: Option<Span>) {
        self.blocks[block.0 as usize].span = span;
    }

    /// The ops of a block, in order.
    pub fn block_ops(&self, block: BlockId) -> BlockOps<'_> {
        BlockOps {
            ctx: self,
            next: self.blocks[block.0 as usize].first,
        }
    }

    /// The first op of a block.
    pub fn first_op(&self, block: BlockId) -> Option<OpId> {
        self.blocks[block.0 as usize].first
    }

    /// The last op of a block (its terminator in a well-formed CFG region).
    pub fn last_op(&self, block: BlockId) -> Option<OpId> {
        self.blocks[block.0 as usize].last
    }

    /// The region holding a block.
    pub fn block_parent_region(&self, block: BlockId) -> Option<RegionId> {
        self.blocks[block.0 as usize].parent
    }

    /// The op owning the region that holds a block.
    pub fn block_parent_op(&self, block: BlockId) -> Option<OpId> {
        self.region_parent_op(self.block_parent_region(block)?)
    }

    /// The blocks of a region.
    pub fn region_blocks(&self, region: RegionId) -> &[BlockId] {
        &self.regions[region.0 as usize].blocks
    }

    /// The op owning a region.
    pub fn region_parent_op(&self, region: RegionId) -> Option<OpId> {
        self.regions[region.0 as usize].parent
    }

    /// Every op nested under `root` (excluding `root`), in pre-order.
    pub fn walk(&self, root: OpId) -> Vec<OpId> {
        let mut out = Vec::new();
        self.walk_into(root, &mut out);
        out
    }

    fn walk_into(&self, op: OpId, out: &mut Vec<OpId>) {
        for &region in self.regions(op) {
            for &block in self.region_blocks(region) {
                for inner in self.block_ops(block) {
                    out.push(inner);
                    self.walk_into(inner, out);
                }
            }
        }
    }

    /// Whether `op` is `ancestor` or nested inside it.
    pub fn is_ancestor(&self, ancestor: OpId, mut op: OpId) -> bool {
        loop {
            if op == ancestor {
                return true;
            }
            match self.parent_op(op) {
                Some(p) => op = p,
                None => return false,
            }
        }
    }

    /// Clones an op (and its regions) detached, with operands remapped through `map`;
    /// the map is extended with the clone's results and block arguments.
    pub fn clone_op(&mut self, op: OpId, map: &mut rustc_hash::FxHashMap<Value, Value>) -> OpId {
        let old_regions = self.regions(op).to_vec();
        let mut block_map = rustc_hash::FxHashMap::default();
        let mut regions = Vec::with_capacity(old_regions.len());
        for region in old_regions {
            let new_region = self.create_region();
            for block in self.region_blocks(region).to_vec() {
                let arg_types: Vec<Type> = self
                    .block_args(block)
                    .iter()
                    .map(|&a| self.value_type(a))
                    .collect();
                let new_block = self.create_block(&arg_types);
                for (&a, &b) in self.blocks[block.0 as usize]
                    .args
                    .clone()
                    .iter()
                    .zip(self.block_args(new_block).to_vec().iter())
                {
                    map.insert(a, b);
                }
                let bname = self.blocks[block.0 as usize].name.clone();
                self.blocks[new_block.0 as usize].name = bname;
                block_map.insert(block, new_block);
                self.append_block(new_region, new_block);
            }
            for block in self.region_blocks(region).to_vec() {
                let ops: Vec<OpId> = self.block_ops(block).collect();
                for inner in ops {
                    let c = self.clone_op(inner, map);
                    let succ: Vec<BlockId> = self
                        .successors(c)
                        .iter()
                        .map(|b| *block_map.get(b).unwrap_or(b))
                        .collect();
                    if !succ.is_empty() {
                        self.nested_mut(c).successors = succ;
                    }
                    self.append_op(block_map[&block], c);
                }
            }
            regions.push(new_region);
        }
        let new = self.clone_op_without_regions(op, map);
        for &region in &regions {
            self.regions[region.0 as usize].parent = Some(new);
        }
        if !regions.is_empty() {
            self.nested_mut(new).regions = regions;
        }
        new
    }

    /// Clones `op` detached and without its regions, sharing its attribute names and
    /// location (no allocation but the clone's own lists), operands remapped through
    /// `map`, which is extended with the clone's results.
    fn clone_op_without_regions(
        &mut self,
        op: OpId,
        map: &mut rustc_hash::FxHashMap<Value, Value>,
    ) -> OpId {
        let id = OpId(self.ops.len() as u32);
        let d = &self.ops[op.0 as usize];
        let operands: ValueList = d
            .operands
            .iter()
            .map(|v| *map.get(v).unwrap_or(v))
            .collect();
        let (name, attrs, successors, loc, span) = (
            d.name,
            d.attrs.clone(),
            self.successors(op).to_vec(),
            d.nested.as_ref().and_then(|n| n.loc.clone()),
            d.span,
        );
        let count = d.results.len();
        let mut results = ValueList::with_capacity(count);
        for index in 0..count {
            let old = self.ops[op.0 as usize].results[index];
            let ty = self.values[old.0 as usize].ty;
            let def = ValueDef::OpResult {
                op: id,
                index: index as u32,
            };
            let new = self.new_value(ty, def, span);
            map.insert(old, new);
            results.push(new);
        }
        self.ops.push(OpData {
            name,
            operands: ValueList::with_capacity(operands.len()),
            results,
            attrs,
            nested: NestedParts::boxed(Vec::new(), successors, loc),
            span,
            parent: Link::NONE,
            prev: Link::NONE,
            next: Link::NONE,
            erased: false,
        });
        for operand in operands {
            self.push_operand(id, operand);
        }
        id
    }
}

/// Iterator over the ops of a block.
pub struct BlockOps<'a> {
    ctx: &'a Context,
    next: Option<OpId>,
}

impl Iterator for BlockOps<'_> {
    type Item = OpId;
    fn next(&mut self) -> Option<OpId> {
        let op = self.next?;
        self.next = self.ctx.ops[op.0 as usize].next.get();
        Some(op)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The records every op and value pays for stay small: a larger one shows in the
    /// memory of every parsed module.
    #[test]
    fn records_stay_small() {
        assert!(std::mem::size_of::<OpData>() <= 104);
        assert!(std::mem::size_of::<ValueData>() <= 56);
        assert_eq!(std::mem::size_of::<Link<OpId>>(), 4);
    }

    #[test]
    fn value_names_are_set_renamed_and_cleared() {
        let mut ctx = Context::new(&[]);
        let block = ctx.create_block(&[]);
        let ty = ctx.index_type();
        let a = ctx.add_block_argument(block, ty);
        let b = ctx.add_block_argument(block, ty);
        assert_eq!(ctx.value_name(a), None);
        ctx.set_value_name(a, Some("primals_1"));
        ctx.set_value_name(b, Some(""));
        assert_eq!(ctx.value_name(a), Some("primals_1"));
        assert_eq!(ctx.value_name(b), Some(""));
        ctx.set_value_name(a, Some("x"));
        assert_eq!(ctx.value_name(a), Some("x"));
        ctx.set_value_name(a, None);
        assert_eq!(ctx.value_name(a), None);
        assert_eq!(ctx.value_name(b), Some(""));
    }

    #[test]
    fn links_read_back_what_was_stored() {
        assert_eq!(Link::<OpId>::NONE.get(), None);
        let mut link = Link::new(Some(OpId(7)));
        assert_eq!(link.get(), Some(OpId(7)));
        assert_eq!(link.take(), Some(OpId(7)));
        assert_eq!(link.get(), None);
    }
}
