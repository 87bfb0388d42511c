//! Building IR while parsing: the grammar calls into a [`Lowerer`] as it reduces, so an op
//! becomes IR when its production is reduced and no tree of ops is ever built. Ops are
//! reduced bottom-up, so an op's header (its name, operands and signature) is lowered
//! first ([`Lowerer::open_custom`], [`Lowerer::open_generic`]); its regions' ops are then
//! built into detached blocks ([`Lowerer::open_region`] ... [`Lowerer::close_region`]),
//! and the op adopts the regions when it ends ([`Lowerer::finish_op`],
//! [`Lowerer::finish_generic`]). Resolves SSA names (with forward references, as graph
//! regions and back edges need), block labels and custom forms, and records names and
//! source spans on what it builds.
//!
//! Name scoping follows MLIR's parser: names live in the innermost isolated-from-above
//! op's scope; a name defined in a region is forgotten when the region ends, so sibling
//! regions may reuse it; defining a visible name again is an error. A use before the
//! definition gets a placeholder value that the definition replaces; placeholders left at
//! the end of an isolated scope are undefined values. A block label used before its block
//! gets the block early; labels never defined are reported when their region ends.

use crate::ast::{
    ArgDecl, AttrDict, BlockArg, CustomArg, CustomOp, GenericHead, LocSyn, Pos, ResultDef, Symbols,
    ValueRef,
};
use crate::numbered::NumberMap;
use joinery_ir::{
    AsmFormat, Attribute, BlockId, Context, Diagnostic, FileId, OpDef, OpId, OpName,
    OperationState, RegionId, Span, Traits, Type, Value,
};
use rustc_hash::FxHashMap;
use std::borrow::Cow;

/// What a name is bound to.
enum Entry {
    /// Results `first..first + count` of `op`.
    Results {
        op: OpId,
        first: u32,
        count: u32,
        pos: Pos,
    },
    /// A block argument.
    Arg { value: Value, pos: Pos },
    /// Uses seen before the definition: (result number, placeholder, first use); boxed,
    /// as forward uses are rare and every entry is the size of the largest kind.
    #[allow(clippy::box_collection)]
    Forward(Box<Vec<(u32, Value, Pos)>>),
    /// Defined by an op that failed to build; uses are not checked further.
    Poisoned,
}

/// The names bound in one scope: names written as printers write numbers (`%0`, `%17`:
/// no leading zero, at most nine digits) in a [`NumberMap`], others hashed.
#[derive(Default)]
struct NameTable<'a> {
    numbered: NumberMap<Entry>,
    named: FxHashMap<&'a str, Entry>,
}

impl<'a> NameTable<'a> {
    /// The number a name is, when it is written as printers write numbers.
    fn number(name: &str) -> Option<u32> {
        let bytes = name.as_bytes();
        let canonical = matches!(bytes, [b'0'] | [b'1'..=b'9', ..]) && bytes.len() <= 9;
        (canonical && bytes.iter().all(u8::is_ascii_digit))
            .then(|| bytes.iter().fold(0, |n, &b| n * 10 + u32::from(b - b'0')))
    }

    fn get(&self, name: &str) -> Option<&Entry> {
        match Self::number(name) {
            Some(n) => self.numbered.get(n),
            None => self.named.get(name),
        }
    }

    fn get_mut(&mut self, name: &str) -> Option<&mut Entry> {
        match Self::number(name) {
            Some(n) => self.numbered.get_mut(n),
            None => self.named.get_mut(name),
        }
    }

    /// Binds `name`, returning what it was bound to.
    fn insert(&mut self, name: &'a str, entry: Entry) -> Option<Entry> {
        match Self::number(name) {
            Some(n) => self.numbered.insert(n, entry),
            None => self.named.insert(name, entry),
        }
    }

    fn remove(&mut self, name: &str) {
        match Self::number(name) {
            Some(n) => self.numbered.remove(n),
            None => self.named.remove(name),
        };
    }

    /// Keeps the entries `keep` is true of.
    fn retain(&mut self, mut keep: impl FnMut(&mut Entry) -> bool) {
        self.numbered.retain(&mut keep);
        self.named.retain(|_, entry| keep(entry));
    }

    /// Every bound name and its entry, in no particular order.
    fn entries(&self) -> impl Iterator<Item = (Cow<'a, str>, &Entry)> {
        let numbered = (self.numbered.iter()).map(|(n, entry)| (Cow::Owned(n.to_string()), entry));
        let named = (self.named.iter()).map(|(&name, entry)| (Cow::Borrowed(name), entry));
        numbered.chain(named)
    }
}

#[derive(Default)]
struct Scope<'a> {
    values: NameTable<'a>,
    /// Names defined in each open region nested in this scope's own (non-isolated
    /// regions), forgotten when that region closes. The scope's own names are not
    /// listed: they go with the scope.
    region_defs: Vec<Vec<&'a str>>,
}

/// An op whose header has been read, while its regions are parsed. Frames live in one
/// stack reused from op to op, so the open op is kept inline rather than allocated.
#[allow(clippy::large_enum_variant)]
enum OpFrame<'a> {
    /// Being built.
    Open(OpenOp<'a>),
    /// Its header was wrong: its regions are parsed but nothing in them is built, and the
    /// error is reported when the op ends, where the error would have come had the op
    /// been read whole.
    Failed(Box<Failure<'a>>),
    /// Inside a region of a failed op: not built.
    Skipped,
}

/// An op whose header could not be built, and what to report.
struct Failure<'a> {
    error: Diagnostic,
    /// Which span the error gets, when the header alone does not know it.
    span_at: SpanAt,
    start: usize,
    results: Vec<ResultDef<'a>>,
}

/// Where a deferred error points.
#[derive(Clone, Copy, PartialEq)]
enum SpanAt {
    /// Already set.
    Set,
    /// The op's region, once read.
    Region,
    /// The whole op, once read.
    Op,
}

/// An op being built: its header lowered, its regions collected as they close.
struct OpenOp<'a> {
    state: OperationState,
    /// Where the op starts (its result list, or its name).
    start: usize,
    results: Vec<ResultDef<'a>>,
    isolated: bool,
    /// The entry block arguments its header declares, for its (first) region.
    entry_args: Option<Vec<BlockArg<'a>>>,
    /// Whether each region gets an entry block even when written `{}`.
    ensure_block: bool,
    /// Whether the op pushed a default dialect for its regions.
    sets_dialect: bool,
    /// A function declared without a body still owns one region, with no blocks.
    bodyless: bool,
    /// A generic op's parts that need its type, which follows its regions.
    generic: Option<GenericParts<'a>>,
}

/// What a generic op's header leaves for the end of the op.
struct GenericParts<'a> {
    operands: Vec<ValueRef<'a>>,
    successors: Vec<(&'a str, Pos)>,
    props: Option<AttrDict>,
    /// Diagnostics from here on come from the op's regions: they are reported after the
    /// op's own (operands, attributes, successors), or dropped when the op is wrong.
    diags_mark: usize,
}

/// A region being read.
struct RegionFrame<'a> {
    region: RegionId,
    /// Where ops go: `None` until the region's first op or label.
    block: Option<BlockId>,
    /// The unlabeled entry block, whose span is the region's.
    entry: Option<BlockId>,
    /// Arguments for the entry block, defined when it is made.
    entry_args: Option<Vec<BlockArg<'a>>>,
    ensure_block: bool,
    isolated: bool,
    labels: FxHashMap<&'a str, Label>,
}

impl<'a> RegionFrame<'a> {
    fn new(region: RegionId, isolated: bool) -> Self {
        RegionFrame {
            region,
            block: None,
            entry: None,
            entry_args: None,
            ensure_block: false,
            isolated,
            labels: FxHashMap::default(),
        }
    }
}

/// A block label of the region being read.
struct Label {
    block: BlockId,
    /// Whether its `^label:` was read.
    defined: bool,
    /// Uses before the label, reported if it never comes.
    forward_uses: Vec<Pos>,
}

/// A custom-form op after its form was resolved, ready to build.
struct Prepared<'a> {
    op_name: OpName,
    def: &'static OpDef,
    operands: Vec<ValueRef<'a>>,
    operand_types: OperandTypes,
    result_types: Vec<Type>,
    attrs: Vec<(String, Attribute, Pos)>,
    /// The entry block arguments of its region, when its header declares them.
    entry_args: Option<Vec<BlockArg<'a>>>,
    ensure_block: bool,
    bodyless: bool,
}

/// The types of an op's operands, as its form gives them.
enum OperandTypes {
    /// The inputs of a function type (checked to be one, with one input per operand).
    Inputs(Type),
    /// One type for every operand.
    Same(Type),
    /// One type each.
    Each(Vec<Type>),
}

impl OperandTypes {
    /// The type of operand `index`.
    fn nth(&self, ctx: &Context, index: usize) -> Type {
        match self {
            OperandTypes::Inputs(ty) => {
                ctx.function_signature(*ty).expect("a function type").0[index]
            }
            OperandTypes::Same(ty) => *ty,
            OperandTypes::Each(types) => types[index],
        }
    }
}

/// Builds IR from the grammar's reductions.
pub(crate) struct Lowerer<'a, 'c> {
    pub(crate) ctx: &'c mut Context,
    file: FileId,
    diags: Vec<Diagnostic>,
    scopes: Vec<Scope<'a>>,
    placeholders: Option<BlockId>,
    /// Aliases and resources of the file, for types, attributes and locations.
    pub(crate) symbols: Symbols<'a>,
    /// The dialect unprefixed custom op names resolve in, innermost last; the file starts
    /// in `builtin` (so `module` is `builtin.module`).
    default_dialects: Vec<&'static str>,
    /// Ops whose header was read and whose end was not, innermost last.
    ops: Vec<OpFrame<'a>>,
    /// Regions being read, innermost last; the first holds the top level.
    regions: Vec<RegionFrame<'a>>,
    /// How many of `ops` are failed or skipped: while any is, nothing is built.
    skipping: usize,
    /// Locations naming aliases, with the op they belong to, resolved at the end.
    aliased_locations: Vec<(Option<OpId>, Box<LocSyn<'a>>)>,
    /// Op names as written (with their dialect) that were already looked up: the
    /// interned name and the registered op, if any.
    known_ops: FxHashMap<&'a str, (OpName, Option<&'static OpDef>)>,
}

/// The default dialect of a region whose op names none (MLIR's parser falls back to it).
const BUILTIN: &str = "builtin";

impl<'a, 'c> Lowerer<'a, 'c> {
    /// A lowerer for file `file`, with room in the IR for about `ops` ops and values.
    pub(crate) fn new(
        ctx: &'c mut Context,
        file: FileId,
        symbols: Symbols<'a>,
        ops: usize,
    ) -> Self {
        ctx.reserve(ops, ops);
        let top = ctx.create_region();
        Lowerer {
            ctx,
            file,
            diags: Vec::new(),
            scopes: vec![Scope::default()],
            placeholders: None,
            symbols,
            default_dialects: vec![BUILTIN],
            ops: Vec::new(),
            regions: vec![RegionFrame::new(top, true)],
            skipping: 0,
            aliased_locations: Vec::new(),
            known_ops: FxHashMap::default(),
        }
    }

    /// Resolves the aliases of a written location, reporting an unknown one.
    fn location(&mut self, loc: &LocSyn<'a>) -> Option<joinery_ir::Location> {
        match self.symbols.loc(loc) {
            Ok(l) => Some(l),
            Err(e) => {
                self.error(Pos::new(e.start, e.end), e.message);
                None
            }
        }
    }

    /// The location written after an op or argument (`op`: its op, `None` for an
    /// argument, whose location is only checked). Location aliases are defined at the
    /// end of the file, so one that names aliases is resolved when the file ends.
    fn written_location(
        &mut self,
        op: Option<OpId>,
        loc: Option<Box<LocSyn<'a>>>,
    ) -> Option<joinery_ir::Location> {
        match loc {
            Some(loc) if matches!(*loc, LocSyn::Plain(_)) => self.location(&loc),
            Some(loc) => {
                self.aliased_locations.push((op, loc));
                None
            }
            None => None,
        }
    }

    fn span(&self, pos: Pos) -> Option<Span> {
        Some(Span {
            file: self.file,
            start: pos.start,
            end: pos.end,
        })
    }

    fn error(&mut self, pos: Pos, message: impl Into<String>) {
        let d = Diagnostic::error(message).with_span(self.span(pos));
        self.diags.push(d);
    }

    fn err(&self, pos: Pos, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(message).with_span(self.span(pos))
    }

    /// Ends the top level (`whole` is its extent): a single module stays as it is,
    /// anything else is wrapped in an implicit `builtin.module`. Returns the module, or
    /// every problem found.
    pub(crate) fn finish(mut self, whole: Pos) -> Result<OpId, Vec<Diagnostic>> {
        let holder = self.block();
        self.report_undefined_labels();
        self.close_isolated_scope();
        for (op, loc) in std::mem::take(&mut self.aliased_locations) {
            let loc = self.location(&loc);
            if let Some(op) = op {
                self.ctx.set_loc(op, loc);
            }
        }
        let first = self.ctx.first_op(holder);
        let single_module = first.is_some_and(|op| {
            self.ctx.next_op(op).is_none()
                && self.ctx.op_name_str(self.ctx.name(op)) == "builtin.module"
        });
        let module = match first {
            Some(module) if single_module => {
                self.ctx.detach_op(module);
                module
            }
            _ => {
                let module = self.ctx.create_module();
                self.ctx.set_span(module, self.span(whole));
                let body = self.ctx.body_block(module).expect("modules have a body");
                while let Some(op) = self.ctx.first_op(holder) {
                    self.ctx.detach_op(op);
                    self.ctx.append_op(body, op);
                }
                module
            }
        };
        if self.diags.is_empty() {
            Ok(module)
        } else {
            Err(self.diags)
        }
    }

    /// The block the innermost region's ops go to, making its entry block (with the
    /// arguments its op declares) when none was made yet.
    fn block(&mut self) -> BlockId {
        let frame = self.regions.last_mut().expect("a region is open");
        if let Some(block) = frame.block {
            return block;
        }
        let block = self.ctx.create_block(&[]);
        self.ctx.append_block(frame.region, block);
        frame.block = Some(block);
        frame.entry = Some(block);
        if let Some(args) = frame.entry_args.take() {
            self.add_block_args(block, args);
        }
        block
    }

    fn add_block_args(&mut self, block: BlockId, args: Vec<BlockArg<'a>>) {
        for BlockArg { value: v, ty, loc } in args {
            self.written_location(None, loc);
            let arg = self.ctx.add_block_argument(block, ty);
            self.ctx.set_value_name(arg, Some(v.name));
            self.ctx.set_value_span(arg, self.span(v.pos));
            if v.index != 0 {
                self.error(v.pos, "a block argument cannot have a result number");
            }
            self.define(
                v.name,
                Entry::Arg {
                    value: arg,
                    pos: v.pos,
                },
                v.pos,
            );
        }
    }

    fn push_failure(&mut self, failure: Failure<'a>) {
        self.ops.push(OpFrame::Failed(Box::new(failure)));
        self.skipping += 1;
    }

    /// Reads the header of an op in custom form, `region` telling whether a region
    /// follows: checks its form, resolves its operands and prepares its region's scope.
    pub(crate) fn open_custom(&mut self, mut c: Box<CustomOp<'a>>, region: bool) {
        if self.skipping > 0 {
            self.ops.push(OpFrame::Skipped);
            self.skipping += 1;
            return;
        }
        self.block();
        let results = std::mem::take(&mut c.results);
        let start = c.start;
        let prepared = match self.prepare_custom(c, &results, region) {
            Ok(p) => p,
            Err((error, span_at)) => {
                return self.push_failure(Failure {
                    error,
                    span_at,
                    start,
                    results,
                });
            }
        };
        if let Some(message) = binding_mismatch(&results, prepared.result_types.len()) {
            let error = Diagnostic::error(message);
            return self.push_failure(Failure {
                error,
                span_at: SpanAt::Op,
                start,
                results,
            });
        }
        let mut state = OperationState::new(prepared.op_name);
        state.operands = self.resolve_operands(&prepared.operands, &prepared.operand_types);
        state.result_types = prepared.result_types;
        state.attrs = self.merge_attrs(prepared.attrs);
        let def = prepared.def;
        self.default_dialects
            .push(def.default_dialect.unwrap_or(BUILTIN));
        self.ops.push(OpFrame::Open(OpenOp {
            state,
            start,
            results,
            isolated: def.traits.contains(Traits::ISOLATED_FROM_ABOVE),
            entry_args: prepared.entry_args,
            ensure_block: prepared.ensure_block,
            sets_dialect: true,
            bodyless: prepared.bodyless,
            generic: None,
        }));
    }

    /// Reads the header of an op in generic form, up to its regions: its name decides
    /// how its regions are scoped; its operands wait for its type, after the regions.
    pub(crate) fn open_generic(&mut self, head: GenericHead<'a>) {
        if self.skipping > 0 {
            self.ops.push(OpFrame::Skipped);
            self.skipping += 1;
            return;
        }
        self.block();
        let (op_name, def) = match self.generic_op(head.name, head.name_pos) {
            Ok(known) => known,
            Err(error) => {
                return self.push_failure(Failure {
                    error,
                    span_at: SpanAt::Set,
                    start: head.start,
                    results: head.results,
                });
            }
        };
        let state = OperationState::new(op_name);
        let diags_mark = self.diags.len();
        self.ops.push(OpFrame::Open(OpenOp {
            state,
            start: head.start,
            results: head.results,
            isolated: def.is_some_and(|d| d.traits.contains(Traits::ISOLATED_FROM_ABOVE)),
            entry_args: None,
            ensure_block: def.is_some_and(|d| d.format == AsmFormat::Module),
            sets_dialect: false,
            bodyless: false,
            generic: Some(GenericParts {
                operands: head.operands,
                successors: head.successors,
                props: head.props,
                diags_mark,
            }),
        }));
    }

    /// Opens a region of the innermost open op, at its `{`.
    pub(crate) fn open_region(&mut self) {
        if self.skipping > 0 {
            return;
        }
        let Some(OpFrame::Open(op)) = self.ops.last_mut() else {
            unreachable!("a region belongs to an open op")
        };
        let mut frame = RegionFrame::new(self.ctx.create_region(), op.isolated);
        frame.entry_args = op.entry_args.take();
        frame.ensure_block = op.ensure_block;
        if frame.isolated {
            self.scopes.push(Scope::default());
        } else {
            let scope = self.scopes.last_mut().expect("a scope is open");
            scope.region_defs.push(Vec::new());
        }
        self.regions.push(frame);
    }

    /// Closes the innermost region, written `{ ... }` and spanning `pos`.
    pub(crate) fn close_region(&mut self, pos: Pos) {
        self.end_region(pos, true);
    }

    /// A region written `{}`.
    pub(crate) fn empty_region(&mut self, pos: Pos) {
        self.open_region();
        self.end_region(pos, false);
    }

    /// Ends the innermost region: `braced` regions (`{ }`) always have an entry block,
    /// `{}` only when its op needs one.
    fn end_region(&mut self, pos: Pos, braced: bool) {
        if self.skipping > 0 {
            if let Some(OpFrame::Failed(failure)) = self.ops.last_mut()
                && failure.span_at == SpanAt::Region
            {
                failure.error.span =
                    Some(Span::new(self.file, pos.start as usize, pos.end as usize));
                failure.span_at = SpanAt::Set;
            }
            return;
        }
        let frame = self.regions.last().expect("a region is open");
        if frame.block.is_none() && (braced || frame.ensure_block || frame.entry_args.is_some()) {
            self.block();
        }
        if let Some(entry) = self.regions.last().and_then(|f| f.entry) {
            self.ctx.set_block_span(entry, self.span(pos));
        }
        self.report_undefined_labels();
        let frame = self.regions.pop().expect("a region is open");
        if frame.isolated {
            self.close_isolated_scope();
        } else {
            let scope = self.scopes.last_mut().expect("a scope is open");
            for name in scope.region_defs.pop().expect("a region is open") {
                scope.values.remove(name);
            }
        }
        let Some(OpFrame::Open(op)) = self.ops.last_mut() else {
            unreachable!("a region belongs to an open op")
        };
        op.state.regions.push(frame.region);
    }

    /// Reports the uses of block labels of the innermost region that it never defined.
    fn report_undefined_labels(&mut self) {
        let frame = self.regions.last_mut().expect("a region is open");
        let mut undefined: Vec<(Pos, &'a str)> = frame
            .labels
            .iter()
            .flat_map(|(name, l)| l.forward_uses.iter().map(move |&p| (p, *name)))
            .collect();
        undefined.sort_by_key(|(p, _)| (p.start, p.end));
        for (pos, name) in undefined {
            self.error(pos, format!("reference to an undefined block '^{name}'"));
        }
    }

    /// Starts block `^label(args):` of the innermost region.
    pub(crate) fn open_block(&mut self, (name, pos): (&'a str, Pos), args: Vec<BlockArg<'a>>) {
        if self.skipping > 0 {
            return;
        }
        let frame = self.regions.last_mut().expect("a region is open");
        if frame.block.is_none() && frame.entry_args.take().is_some() {
            self.error(
                pos,
                format!(
                    "the entry block '^{name}' of a region with named arguments cannot have a label"
                ),
            );
        }
        let frame = self.regions.last_mut().expect("a region is open");
        let known = frame.labels.get_mut(name).map(|label| {
            let redefined = label.defined;
            label.defined = true;
            label.forward_uses.clear();
            (label.block, redefined)
        });
        let block = match known {
            Some((block, false)) => block,
            Some((_, true)) => {
                self.error(pos, format!("redefinition of block '^{name}'"));
                let block = self.ctx.create_block(&[]);
                let frame = self.regions.last_mut().expect("a region is open");
                frame.labels.get_mut(name).expect("known").block = block;
                block
            }
            None => {
                let block = self.ctx.create_block(&[]);
                let label = Label {
                    block,
                    defined: true,
                    forward_uses: Vec::new(),
                };
                frame.labels.insert(name, label);
                block
            }
        };
        let frame = self.regions.last_mut().expect("a region is open");
        frame.block = Some(block);
        self.ctx.append_block(frame.region, block);
        self.ctx.set_block_name(block, Some(name));
        self.ctx.set_block_span(block, self.span(pos));
        self.add_block_args(block, args);
    }

    /// The block a successor `^label` of an op in the innermost region names, made
    /// early when its label comes later.
    fn successor(&mut self, name: &'a str, pos: Pos) -> BlockId {
        let frame = self.regions.last_mut().expect("a region is open");
        if let Some(label) = frame.labels.get_mut(name) {
            if !label.defined {
                label.forward_uses.push(pos);
            }
            return label.block;
        }
        let block = self.ctx.create_block(&[]);
        let label = Label {
            block,
            defined: false,
            forward_uses: vec![pos],
        };
        frame.labels.insert(name, label);
        block
    }

    /// Ends an op in custom form (its region, if any, read): builds it.
    pub(crate) fn finish_op(&mut self, loc: Option<Box<LocSyn<'a>>>, end: usize) {
        match self.ops.pop().expect("an op is open") {
            OpFrame::Open(op) => self.build(op, loc, end),
            OpFrame::Failed(failure) => {
                self.skipping -= 1;
                self.report_failure(*failure, end);
            }
            OpFrame::Skipped => self.skipping -= 1,
        }
    }

    /// Ends an op in generic form: checks its type against its operands, then builds it.
    pub(crate) fn finish_generic(
        &mut self,
        attrs: Option<AttrDict>,
        (ty, ty_pos): (Type, Pos),
        loc: Option<Box<LocSyn<'a>>>,
        end: usize,
    ) {
        let mut op = match self.ops.pop().expect("an op is open") {
            OpFrame::Open(op) => op,
            OpFrame::Failed(failure) => {
                self.skipping -= 1;
                return self.report_failure(*failure, end);
            }
            OpFrame::Skipped => {
                self.skipping -= 1;
                return;
            }
        };
        let parts = op.generic.take().expect("a generic op");
        let region_diags = self.diags.split_off(parts.diags_mark);
        let signature = match self.ctx.function_signature(ty) {
            None => Err(self.err(
                ty_pos,
                "expected a function type for the operation's signature",
            )),
            Some((inputs, _)) if inputs.len() != parts.operands.len() => Err(self.err(
                ty_pos,
                format!(
                    "expected {} operand type(s) but had {}",
                    parts.operands.len(),
                    inputs.len()
                ),
            )),
            Some((_, outputs)) => Ok(outputs.to_vec()),
        };
        let signature =
            signature.and_then(
                |outputs| match binding_mismatch(&op.results, outputs.len()) {
                    Some(message) => Err(self.err(Pos::new(op.start, end), message)),
                    None => Ok(outputs),
                },
            );
        let outputs = match signature {
            Ok(s) => s,
            Err(error) => {
                if !op.state.regions.is_empty() {
                    self.forget_uses_within(Pos::new(op.start, end));
                }
                return self.report_failure(
                    Failure {
                        error,
                        span_at: SpanAt::Set,
                        start: op.start,
                        results: std::mem::take(&mut op.results),
                    },
                    end,
                );
            }
        };
        op.state.operands = self.resolve_operands(&parts.operands, &OperandTypes::Inputs(ty));
        op.state.result_types = outputs;
        let mut all_attrs = parts.props.unwrap_or_default();
        all_attrs.extend(attrs.unwrap_or_default());
        op.state.attrs = self.merge_attrs(all_attrs);
        for (label, pos) in parts.successors {
            let block = self.successor(label, pos);
            op.state.successors.push(block);
        }
        self.diags.extend(region_diags);
        self.build(op, loc, end);
    }

    /// Forgets the uses before definition made within `span` (the regions of an op found
    /// wrong after they were read, whose diagnostics are dropped with them).
    fn forget_uses_within(&mut self, span: Pos) {
        let scope = self.scopes.last_mut().expect("a scope is open");
        scope.values.retain(|entry| match entry {
            Entry::Forward(refs) => {
                refs.retain(|(_, _, pos)| pos.start < span.start || pos.start >= span.end);
                !refs.is_empty()
            }
            _ => true,
        });
    }

    /// Reports an op that failed (without building it); its result names are bound to
    /// nothing, so their uses are not reported again.
    fn report_failure(&mut self, failure: Failure<'a>, end: usize) {
        let Failure {
            mut error,
            span_at,
            start,
            results,
        } = failure;
        if span_at == SpanAt::Op {
            error.span = self.span(Pos::new(start, end));
        }
        self.diags.push(error);
        for r in &results {
            self.define(r.name, Entry::Poisoned, r.pos);
        }
    }

    /// Creates an op whose header and regions were read, in the innermost region, and
    /// binds its results.
    fn build(&mut self, op: OpenOp<'a>, loc: Option<Box<LocSyn<'a>>>, end: usize) {
        let OpenOp {
            mut state,
            start,
            results,
            sets_dialect,
            bodyless,
            ..
        } = op;
        if sets_dialect {
            self.default_dialects.pop();
        }
        if bodyless {
            state.regions.push(self.ctx.create_region());
        }
        state.span = self.span(Pos::new(start, end));
        let id = self.ctx.create_op(state);
        let loc = self.written_location(Some(id), loc);
        self.ctx.set_loc(id, loc);
        let block = self.block();
        self.ctx.append_op(block, id);
        let mut first = 0;
        for r in &results {
            let count = r.count.unwrap_or(1);
            for i in 0..count {
                let v = self.ctx.result(id, (first + i) as usize);
                let span = self.span(r.pos);
                self.ctx.set_value_span(v, span);
                match r.count {
                    None => self.ctx.set_value_name(v, Some(r.name)),
                    Some(_) => self.ctx.set_value_name(v, Some(&format!("{}#{i}", r.name))),
                }
            }
            let entry = Entry::Results {
                op: id,
                first,
                count,
                pos: r.pos,
            };
            self.define(r.name, entry, r.pos);
            first += count;
        }
    }

    /// The values an op's operands refer to (placeholders for later definitions).
    fn resolve_operands(&mut self, operands: &[ValueRef<'a>], types: &OperandTypes) -> Vec<Value> {
        let mut values = Vec::with_capacity(operands.len());
        for (index, &operand) in operands.iter().enumerate() {
            let ty = types.nth(self.ctx, index);
            values.push(self.resolve(operand, ty));
        }
        values
    }

    /// Merges attribute lists, reporting duplicates.
    fn merge_attrs(
        &mut self,
        mut attrs: Vec<(String, Attribute, Pos)>,
    ) -> Vec<(String, Attribute)> {
        attrs.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out: Vec<(String, Attribute)> = Vec::with_capacity(attrs.len());
        for (k, v, pos) in attrs {
            if out.last().is_some_and(|(last, _)| *last == k) {
                self.error(pos, format!("duplicate attribute '{k}'"));
                continue;
            }
            out.push((k, v));
        }
        out
    }

    fn close_isolated_scope(&mut self) {
        let scope = self.scopes.pop().expect("a scope is open");
        let mut undefined: Vec<(Pos, Cow<str>)> = scope
            .values
            .entries()
            .filter_map(|(name, e)| match e {
                Entry::Forward(refs) => Some((refs[0].2, name)),
                _ => None,
            })
            .collect();
        undefined.sort_by_key(|(p, _)| (p.start, p.end));
        for (pos, name) in undefined {
            self.error(pos, format!("use of undefined value '%{name}'"));
        }
    }

    fn placeholder(&mut self, ty: Type) -> Value {
        let block = match self.placeholders {
            Some(b) => b,
            None => {
                let b = self.ctx.create_block(&[]);
                self.placeholders = Some(b);
                b
            }
        };
        self.ctx.add_block_argument(block, ty)
    }

    fn type_name(&self, ty: Type) -> String {
        let mut s = String::new();
        crate::printer::write_type(self.ctx, &mut s, ty);
        s
    }

    fn check_type(&mut self, v: ValueRef<'a>, actual: Type, expected: Type) {
        if actual != expected {
            let msg = format!(
                "use of value '%{}' expects different type than prior uses: '{}' vs '{}'",
                display_ref(v),
                self.type_name(expected),
                self.type_name(actual)
            );
            self.error(v.pos, msg);
        }
    }

    /// The value a use refers to, or a placeholder for a later definition.
    fn resolve(&mut self, v: ValueRef<'a>, ty: Type) -> Value {
        let scope = self.scopes.last_mut().expect("a scope is open");
        let found = match scope.values.get_mut(v.name) {
            Some(Entry::Results {
                op, first, count, ..
            }) => {
                if v.index < *count {
                    Ok(Some(self.ctx.result(*op, (*first + v.index) as usize)))
                } else {
                    Err(format!(
                        "reference to invalid result number '%{}'",
                        display_ref(v)
                    ))
                }
            }
            Some(Entry::Arg { value, .. }) => {
                if v.index == 0 {
                    Ok(Some(*value))
                } else {
                    Err(format!(
                        "reference to invalid result number '%{}'",
                        display_ref(v)
                    ))
                }
            }
            Some(Entry::Forward(refs)) => Ok(refs
                .iter()
                .find(|(i, _, _)| *i == v.index)
                .map(|(_, ph, _)| *ph)),
            Some(Entry::Poisoned) => return self.placeholder(ty),
            None => Ok(None),
        };
        match found {
            Ok(Some(value)) => {
                let actual = self.ctx.value_type(value);
                self.check_type(v, actual, ty);
                value
            }
            Ok(None) => {
                let ph = self.placeholder(ty);
                let scope = self.scopes.last_mut().expect("a scope is open");
                match scope.values.get_mut(v.name) {
                    Some(Entry::Forward(refs)) => refs.push((v.index, ph, v.pos)),
                    Some(_) => unreachable!("only forward entries lack the value"),
                    None => {
                        let refs = Box::new(vec![(v.index, ph, v.pos)]);
                        scope.values.insert(v.name, Entry::Forward(refs));
                    }
                }
                ph
            }
            Err(m) => {
                self.error(v.pos, m);
                self.placeholder(ty)
            }
        }
    }

    /// Binds a name in the current scope, resolving forward uses.
    fn define(&mut self, name: &'a str, entry: Entry, pos: Pos) {
        let scope = self.scopes.last_mut().expect("a scope is open");
        if let Some(defs) = scope.region_defs.last_mut() {
            defs.push(name);
        }
        let previous = scope.values.insert(name, entry);
        match previous {
            None => {}
            Some(Entry::Forward(refs)) => {
                for (index, ph, use_pos) in *refs {
                    let defined = self.scopes.last().and_then(|s| s.values.get(name));
                    let real = match defined.expect("just defined") {
                        Entry::Results {
                            op, first, count, ..
                        } => (index < *count)
                            .then(|| self.ctx.result(*op, (*first + index) as usize)),
                        Entry::Arg { value, .. } => (index == 0).then_some(*value),
                        _ => continue,
                    };
                    let r = ValueRef {
                        name,
                        index,
                        pos: use_pos,
                    };
                    match real {
                        Some(real) => {
                            let (actual, expected) =
                                (self.ctx.value_type(real), self.ctx.value_type(ph));
                            self.check_type(r, actual, expected);
                            self.ctx.replace_all_uses(ph, real);
                        }
                        None => self.error(
                            use_pos,
                            format!("reference to invalid result number '%{}'", display_ref(r)),
                        ),
                    }
                }
            }
            Some(Entry::Results { pos: prev, .. } | Entry::Arg { pos: prev, .. }) => {
                let d = self
                    .err(pos, format!("redefinition of value '%{name}'"))
                    .with_note("previously defined here", self.span(prev));
                self.diags.push(d);
            }
            Some(Entry::Poisoned) => {}
        }
    }

    // ----- generic form ---------------------------------------------------------------

    /// The op a generic form names, if registered (an unregistered one is an error unless
    /// allowed).
    fn generic_op(
        &mut self,
        name: Cow<'a, str>,
        pos: Pos,
    ) -> Result<(OpName, Option<&'static OpDef>), Diagnostic> {
        if let Cow::Borrowed(written) = name
            && let Some(&known) = self.known_ops.get(written)
        {
            return Ok(known);
        }
        let def = self.check_registered(&name, pos)?;
        let known = (self.ctx.op_name(&name), def);
        if let Cow::Borrowed(written) = name {
            self.known_ops.insert(written, known);
        }
        Ok(known)
    }

    /// The op a custom form names; a name with its dialect is looked up once.
    fn custom_op(
        &mut self,
        name: &'a str,
        pos: Pos,
    ) -> Result<(OpName, &'static OpDef), Diagnostic> {
        let prefixed = name.contains('.');
        if prefixed && let Some(&(op_name, Some(def))) = self.known_ops.get(name) {
            return Ok((op_name, def));
        }
        let def = self.custom_def(name, pos)?;
        let op_name = self.ctx.op_name(def.name);
        if prefixed {
            self.known_ops.insert(name, (op_name, Some(def)));
        }
        Ok((op_name, def))
    }

    fn check_registered(&self, name: &str, pos: Pos) -> Result<Option<&'static OpDef>, Diagnostic> {
        if let Some(def) = self.ctx.registry().op(name) {
            return Ok(Some(def));
        }
        let dialect = name.split_once('.').map_or(name, |(d, _)| d);
        if self.ctx.dialect(dialect).is_some() {
            return Err(self.err(
                pos,
                format!("dialect '{dialect}' has no operation '{name}'"),
            ));
        }
        if !self.ctx.allow_unregistered {
            return Err(self.err(
                pos,
                format!("operation '{name}' of unregistered dialect '{dialect}' (allow unregistered dialects to accept it)"),
            ));
        }
        Ok(None)
    }

    // ----- custom forms ---------------------------------------------------------------

    /// The op a custom form names: `d.op` as written, or an unprefixed name in the
    /// enclosing default dialect (`return` inside `func.func` is `func.return`).
    fn custom_def(&self, name: &str, pos: Pos) -> Result<&'static OpDef, Diagnostic> {
        let (full, resolved) = if name.contains('.') {
            (Cow::Borrowed(name), None)
        } else {
            let d = self.default_dialects.last().copied().unwrap_or(BUILTIN);
            (Cow::Owned(format!("{d}.{name}")), Some(d))
        };
        if let Some(def) = self.ctx.registry().op(&full) {
            return Ok(def);
        }
        let tried = match resolved {
            Some(d) => {
                format!(" (read as '{full}' in the default dialect '{d}' of the enclosing op)")
            }
            None => String::new(),
        };
        Err(self.err(
            pos,
            format!("custom form of '{name}', which is not a registered operation{tried}; use the generic form \"{full}\"(...)"),
        ))
    }

    /// Checks a custom op's pieces against its format and resolves its types. A region
    /// its format does not take is reported at the region, once read.
    fn prepare_custom(
        &mut self,
        c: Box<CustomOp<'a>>,
        results: &[ResultDef<'a>],
        region: bool,
    ) -> Result<Prepared<'a>, (Diagnostic, SpanAt)> {
        let now = |d| (d, SpanAt::Set);
        let (op_name, def) = self.custom_op(c.name, c.name_pos).map_err(now)?;
        let name = def.name;
        if def.format == AsmFormat::Generic {
            return Err(now(self.err(
                c.name_pos,
                format!("'{name}' has no custom form; use the generic form \"{name}\"(...)"),
            )));
        }
        let form = FormCheck { def, op: &c };
        let allowed = pieces(def.format);
        form.only(self, allowed).map_err(now)?;
        if region && !allowed.contains(&Piece::Region) {
            let error = Diagnostic::error(form.not_taken("a region"));
            return Err((error, SpanAt::Region));
        }
        self.prepare_form((op_name, def), c, results, region)
            .map_err(now)
    }

    /// The operands, types and attributes of a custom op whose pieces its format takes.
    fn prepare_form(
        &mut self,
        (op_name, def): (OpName, &'static OpDef),
        mut c: Box<CustomOp<'a>>,
        results: &[ResultDef<'a>],
        region: bool,
    ) -> Result<Prepared<'a>, Diagnostic> {
        let name = def.name;
        let form = FormCheck { def, op: &c };
        let mut p = Prepared {
            op_name,
            def,
            operands: Vec::new(),
            operand_types: OperandTypes::Each(Vec::new()),
            result_types: Vec::new(),
            attrs: Vec::new(),
            entry_args: None,
            ensure_block: false,
            bodyless: false,
        };
        let result_count: u32 = results.iter().map(|r| r.count.unwrap_or(1)).sum();
        match def.format {
            AsmFormat::Generic => unreachable!("checked by prepare_custom"),
            AsmFormat::Functional => {
                let (ty, tpos) = form.single_type(self)?;
                let Some((inputs, outputs)) = self.ctx.function_signature(ty) else {
                    return Err(self.err(
                        tpos,
                        format!("'{name}' expects a function type `(T, ...) -> R`"),
                    ));
                };
                if inputs.len() != c.operands.len() {
                    return Err(self.err(
                        tpos,
                        format!(
                            "expected {} operand type(s) but had {}",
                            c.operands.len(),
                            inputs.len()
                        ),
                    ));
                }
                p.result_types = outputs.to_vec();
                p.operands = std::mem::take(&mut c.operands);
                p.operand_types = OperandTypes::Inputs(ty);
            }
            AsmFormat::SameType => {
                let (ty, _) = form.single_type(self)?;
                p.operands = std::mem::take(&mut c.operands);
                p.operand_types = OperandTypes::Same(ty);
                p.result_types = vec![ty; result_count as usize];
            }
            AsmFormat::OperandTypes => {
                let types = c.types.as_ref().map_or(&[][..], |(t, _)| &t[..]);
                if types.len() != c.operands.len() {
                    let pos = c.types.as_ref().map_or(c.name_pos, |t| t.1);
                    return Err(self.err(
                        pos,
                        format!(
                            "expected {} operand type(s) but had {}",
                            c.operands.len(),
                            types.len()
                        ),
                    ));
                }
                p.operands = std::mem::take(&mut c.operands);
                p.operand_types = OperandTypes::Each(c.types.take().map_or_else(Vec::new, |t| t.0));
            }
            AsmFormat::Call => {
                let (callee, _) = form.required(self, c.symbol, "a callee `@name`")?;
                let (args, _) = form.required(
                    self,
                    c.args.as_ref().map(|a| (&a.0, a.1)),
                    "an argument list `(%a, ...)`",
                )?;
                let (ty, tpos) = form.single_type(self)?;
                let Some((inputs, outputs)) = self.ctx.function_signature(ty) else {
                    return Err(self.err(
                        tpos,
                        format!("'{name}' expects a function type `(T, ...) -> R`"),
                    ));
                };
                if inputs.len() != args.len() {
                    return Err(self.err(
                        tpos,
                        format!(
                            "expected {} operand type(s) but had {}",
                            args.len(),
                            inputs.len()
                        ),
                    ));
                }
                let mut operands = Vec::with_capacity(args.len());
                for a in args {
                    match a {
                        CustomArg::Use(v) => operands.push(*v),
                        CustomArg::Decl(decl) => {
                            return Err(self.err(
                                decl.pos,
                                format!("'{name}' takes SSA values as arguments, not declarations"),
                            ));
                        }
                    }
                }
                p.operands = operands;
                p.operand_types = OperandTypes::Inputs(ty);
                p.result_types = outputs.to_vec();
                p.attrs
                    .push(("callee".to_string(), callee, c.symbol.unwrap().1));
            }
            AsmFormat::FunctionLike => {
                if !results.is_empty() {
                    return Err(self.err(results[0].pos, format!("'{name}' has no results")));
                }
                let entry_args = self.prepare_function(&c, &mut p, region)?;
                p.ensure_block = entry_args.is_some();
                p.entry_args = entry_args;
                p.bodyless = !region;
                p.attrs
                    .extend(c.attributes.map(|a| a.0).unwrap_or_default());
                return Ok(p);
            }
            AsmFormat::Constant => {
                let (value, vpos) = form.required(self, c.value, "a value attribute")?;
                let Some(ty) = self.ctx.attr_type(value) else {
                    return Err(self.err(vpos, format!("'{name}' expects a typed value")));
                };
                p.result_types = vec![ty];
                p.attrs.push(("value".to_string(), value, vpos));
            }
            AsmFormat::Module => {
                if let Some((sym, spos)) = c.symbol {
                    let Some(n) = self.ctx.as_symbol_ref(sym).map(str::to_string) else {
                        return Err(self.err(spos, "a module name must be a flat symbol"));
                    };
                    let n = self.ctx.string_attr(n);
                    p.attrs.push(("sym_name".to_string(), n, spos));
                }
                if !region {
                    return Err(self.err(
                        c.name_pos,
                        format!("'{name}' expects a body region `{{ ... }}`"),
                    ));
                }
                p.ensure_block = true;
                p.attrs
                    .extend(c.attributes.map(|a| a.0).unwrap_or_default());
                return Ok(p);
            }
        }
        p.attrs.extend(c.attrs.map(|a| a.0).unwrap_or_default());
        Ok(p)
    }

    /// The header of a function-like op: visibility, name, signature and argument/result
    /// attributes. Returns the entry block arguments when the function has a body.
    fn prepare_function(
        &mut self,
        c: &CustomOp<'a>,
        p: &mut Prepared<'a>,
        has_body: bool,
    ) -> Result<Option<Vec<BlockArg<'a>>>, Diagnostic> {
        let name = c.name;
        let Some((sym, spos)) = c.symbol else {
            return Err(self.err(c.name_pos, format!("'{name}' expects a name `@name`")));
        };
        let Some(sym_name) = self.ctx.as_symbol_ref(sym).map(str::to_string) else {
            return Err(self.err(spos, "a function name must be a flat symbol"));
        };
        let Some((args, _)) = &c.args else {
            return Err(self.err(
                spos,
                format!("'{name}' expects an argument list `(%arg: T, ...)`"),
            ));
        };
        let mut inputs = Vec::with_capacity(args.len());
        let mut arg_attrs = Vec::with_capacity(args.len());
        let mut entry = Vec::with_capacity(args.len());
        for a in args {
            match a {
                CustomArg::Decl(decl) => {
                    let ArgDecl {
                        value,
                        ty,
                        attrs,
                        loc,
                        pos,
                    } = &**decl;
                    inputs.push(*ty);
                    arg_attrs.push(attrs.clone().unwrap_or_default());
                    self.written_location(None, loc.clone());
                    match value {
                        Some(v) => entry.push(BlockArg {
                            value: *v,
                            ty: *ty,
                            loc: None,
                        }),
                        None if has_body => {
                            return Err(self.err(
                                *pos,
                                "arguments of a function with a body need names: `%name: T`",
                            ));
                        }
                        None => {}
                    }
                }
                CustomArg::Use(v) => {
                    return Err(self.err(v.pos, "expected a typed argument `%name: T`"));
                }
            }
        }
        let (results, res_attrs): (Vec<Type>, Vec<AttrDict>) = c
            .fn_results
            .as_ref()
            .map(|(r, _)| {
                r.iter()
                    .map(|(t, d)| (*t, d.clone().unwrap_or_default()))
                    .unzip()
            })
            .unwrap_or_default();
        let fty = self.ctx.function_type(inputs, results);
        let fty = self.ctx.type_attr(fty);
        let sym_name = self.ctx.string_attr(sym_name);
        p.attrs.push(("sym_name".to_string(), sym_name, spos));
        p.attrs.push(("function_type".to_string(), fty, spos));
        if let Some((vis, vpos)) = c.visibility {
            let vis = self.ctx.string_attr(vis);
            p.attrs.push(("sym_visibility".to_string(), vis, vpos));
        }
        for (key, dicts) in [("arg_attrs", arg_attrs), ("res_attrs", res_attrs)] {
            if dicts.iter().all(|d| d.is_empty()) {
                continue;
            }
            let mut items = Vec::with_capacity(dicts.len());
            for d in dicts {
                match crate::actions::dictionary(self.ctx, d) {
                    Ok(a) => items.push(a),
                    Err(e) => {
                        return Err(self.err(Pos::new(e.start, e.end), e.message));
                    }
                }
            }
            let array = self.ctx.array_attr(items);
            p.attrs.push((key.to_string(), array, spos));
        }
        Ok(has_body.then_some(entry))
    }
}

/// The pieces of the shared custom-op production.
#[derive(Clone, Copy, PartialEq)]
enum Piece {
    Visibility,
    Symbol,
    Operands,
    Args,
    Results,
    Attributes,
    Attrs,
    Types,
    Value,
    Region,
}

/// The pieces each custom format takes.
fn pieces(format: AsmFormat) -> &'static [Piece] {
    match format {
        AsmFormat::Generic => &[],
        AsmFormat::Functional | AsmFormat::SameType | AsmFormat::OperandTypes => {
            &[Piece::Operands, Piece::Attrs, Piece::Types]
        }
        AsmFormat::Call => &[Piece::Symbol, Piece::Args, Piece::Attrs, Piece::Types],
        AsmFormat::FunctionLike => &[
            Piece::Visibility,
            Piece::Symbol,
            Piece::Args,
            Piece::Results,
            Piece::Attributes,
            Piece::Region,
        ],
        AsmFormat::Constant => &[Piece::Attrs, Piece::Value],
        AsmFormat::Module => &[Piece::Symbol, Piece::Attributes, Piece::Region],
    }
}

/// Checks the pieces of a custom op against its format.
struct FormCheck<'x, 'a> {
    def: &'static OpDef,
    op: &'x CustomOp<'a>,
}

impl<'a> FormCheck<'_, 'a> {
    fn syntax(&self) -> String {
        let n = self.def.name;
        match self.def.format {
            AsmFormat::Generic => format!("\"{n}\"(...) : (...) -> (...)"),
            AsmFormat::Functional => format!("%r = {n} %a, %b {{attrs}} : (T, T) -> R"),
            AsmFormat::SameType => format!("%r = {n} %a, %b {{attrs}} : T"),
            AsmFormat::OperandTypes => format!("{n} %a, %b {{attrs}} : T, T"),
            AsmFormat::Call => format!("%r = {n} @callee(%a, %b) {{attrs}} : (T, T) -> R"),
            AsmFormat::FunctionLike => format!(
                "{n} [private] @name(%arg: T {{attrs}}, ...) -> (R {{attrs}}, ...) [attributes {{...}}] {{ body }}"
            ),
            AsmFormat::Module => "module [@name] [attributes {...}] { body }".to_string(),
            AsmFormat::Constant => format!("%r = {n} {{attrs}} dense<...> : T"),
        }
    }

    /// The message for a piece the format does not take.
    fn not_taken(&self, what: &str) -> String {
        format!(
            "'{}' does not take {what} here; its form is `{}`",
            self.def.name,
            self.syntax()
        )
    }

    /// Reports the first piece the format does not allow (a region is checked by
    /// [`Lowerer::prepare_custom`], once the region is read).
    fn only(&self, l: &Lowerer<'_, '_>, allowed: &[Piece]) -> Result<(), Diagnostic> {
        let c = self.op;
        let present = [
            (Piece::Visibility, c.visibility.map(|v| v.1), "a visibility"),
            (Piece::Symbol, c.symbol.map(|s| s.1), "a symbol"),
            (
                Piece::Operands,
                c.operands.first().map(|v| v.pos),
                "operands",
            ),
            (
                Piece::Args,
                c.args.as_ref().map(|a| a.1),
                "a parenthesized argument list",
            ),
            (
                Piece::Results,
                c.fn_results.as_ref().map(|r| r.1),
                "'->' results",
            ),
            (
                Piece::Attributes,
                c.attributes.as_ref().map(|a| a.1),
                "an 'attributes' dictionary",
            ),
            (
                Piece::Attrs,
                c.attrs.as_ref().map(|a| a.1),
                "an attribute dictionary",
            ),
            (Piece::Types, c.types.as_ref().map(|t| t.1), "types"),
            (Piece::Value, c.value.map(|v| v.1), "a value attribute"),
        ];
        for (piece, pos, what) in present {
            if let Some(pos) = pos
                && !allowed.contains(&piece)
            {
                return Err(l.err(pos, self.not_taken(what)));
            }
        }
        Ok(())
    }

    fn required<T>(
        &self,
        l: &Lowerer<'_, '_>,
        piece: Option<(T, Pos)>,
        what: &str,
    ) -> Result<(T, Pos), Diagnostic> {
        piece.ok_or_else(|| {
            l.err(
                self.op.name_pos,
                format!(
                    "'{}' expects {what}; its form is `{}`",
                    self.def.name,
                    self.syntax()
                ),
            )
        })
    }

    /// The one type after the colon.
    fn single_type(&self, l: &Lowerer<'_, '_>) -> Result<(Type, Pos), Diagnostic> {
        match &self.op.types {
            Some((types, pos)) if types.len() == 1 => Ok((types[0], *pos)),
            Some((_, pos)) => Err(l.err(
                *pos,
                format!(
                    "'{}' expects one type after ':'; its form is `{}`",
                    self.def.name,
                    self.syntax()
                ),
            )),
            None => Err(l.err(
                self.op.name_pos,
                format!(
                    "'{}' expects ': type'; its form is `{}`",
                    self.def.name,
                    self.syntax()
                ),
            )),
        }
    }
}

/// The error when an op's result names bind another number of values than it defines.
fn binding_mismatch(results: &[ResultDef<'_>], defined: usize) -> Option<String> {
    let bound: u32 = results.iter().map(|r| r.count.unwrap_or(1)).sum();
    (!results.is_empty() && bound as usize != defined)
        .then(|| format!("operation defines {defined} results but was provided {bound} to bind"))
}

fn display_ref(v: ValueRef<'_>) -> String {
    if v.index == 0 {
        v.name.to_string()
    } else {
        format!("{}#{}", v.name, v.index)
    }
}
