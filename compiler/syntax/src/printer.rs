//! The printer: MLIR's textual style (two-space indent, `module {`, sorted attribute
//! dictionaries, inherent attributes in `<{...}>` in the generic form).
//!
//! Names are assigned in a first pass that follows the parser's scoping rules, so what is
//! printed parses back to the same names: source names are kept; a value whose name is
//! missing, malformed or already visible gets the next free number of its isolated scope,
//! skipping every name used anywhere in that scope. Names inside an isolated op also avoid
//! the names visible around it, so readers that do not know the op is isolated (`mlir-opt`
//! with joinery's dialects unregistered) read the same text. Result groups are named `r#0`, `r#1`
//! in the IR and print as `%r:2 = ...` with uses `%r#1`.

use crate::literal::{is_bare_id, is_suffix_id, is_symbol_id, write_escaped, write_float};
use crate::numbered::NumberMap;
use joinery_ir::parallel::spawn_worker;
use joinery_ir::{
    AffineExpr, AffineMap, AsmFormat, AttrData, AttrParam, Attribute, BlockId, Context, DenseData,
    DenseScalar, FloatKind, Location, OpDef, OpId, RegionId, Traits, Type, TypeData, Value,
    ValueDef,
};
use rustc_hash::{FxHashMap, FxHashSet};
use std::fmt::Write;

/// Printer controls.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PrintOptions {
    /// Print every op in the generic form (`--print-op-generic`).
    pub generic: bool,
    /// Print `loc(...)` locations (`--print-debuginfo`).
    pub debug_info: bool,
}

/// Prints an op (usually a `builtin.module`) and everything nested in it, ending in a newline.
pub fn print_op(ctx: &Context, op: OpId, opts: &PrintOptions) -> String {
    let names = Names::of(ctx, op);
    let mut p = Printer::new(ctx, &names, opts, None);
    p.print_root(op);
    p.out
}

/// Prints like [`print_op`] into `sink` as the text is made, a few pages at a time, so a
/// large module's text is never held whole in memory. Stops writing at the first I/O error
/// and returns it.
pub fn print_op_to(
    ctx: &Context,
    op: OpId,
    opts: &PrintOptions,
    sink: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let names = Names::of(ctx, op);
    let mut p = Printer::new(ctx, &names, opts, Some(sink));
    p.print_root(op);
    p.flush();
    p.sink_error.map_or(Ok(()), Err)
}

/// A type in MLIR syntax, as the printer writes it (`tensor<4x3xf32>`).
pub fn type_text(ctx: &Context, ty: Type) -> String {
    let mut out = String::new();
    write_type(ctx, &mut out, ty);
    out
}

/// An attribute in MLIR syntax, as the printer writes it (`#aot.param<"fc1.weight">`).
pub fn attr_text(ctx: &Context, attr: Attribute) -> String {
    let mut out = String::new();
    write_attr(ctx, &mut out, attr);
    out
}

/// The printed name of a value.
#[derive(Clone, Copy)]
enum Name<'c> {
    /// The source name, printed as is (`x`, `r#1`).
    Source(&'c str),
    /// A fresh number `%7`.
    Num(u32),
    /// Result `i` of a fresh group `%7#1`.
    Group(u32, u32),
}

/// A value's printed name as [`ValueNames`] stores it, in eight bytes: a source name is
/// always the value's own, and a group member's index is its result number.
#[derive(Clone, Copy)]
enum StoredName {
    Source,
    Num(u32),
    Group(u32),
}

/// The printed names of the values being printed. Printing a root op (a module) names
/// about every value of the context, so the names are a vector indexed by value, eight
/// bytes a value; printing a piece of IR names a few, in a hash table.
struct ValueNames<'c> {
    ctx: &'c Context,
    table: ValueTable,
}

enum ValueTable {
    ByIndex(Vec<Option<StoredName>>),
    Hashed(FxHashMap<Value, StoredName>),
}

impl<'c> ValueNames<'c> {
    /// A table for printing `op`.
    fn new(ctx: &'c Context, op: OpId) -> ValueNames<'c> {
        let table = if ctx.parent_block(op).is_none() {
            ValueTable::ByIndex(vec![None; ctx.value_count()])
        } else {
            ValueTable::Hashed(FxHashMap::default())
        };
        ValueNames { ctx, table }
    }

    fn get(&self, v: Value) -> Option<Name<'c>> {
        let stored = match &self.table {
            ValueTable::ByIndex(names) => names.get(v.index()).copied().flatten(),
            ValueTable::Hashed(names) => names.get(&v).copied(),
        }?;
        Some(match stored {
            StoredName::Source => Name::Source(self.ctx.value_name(v)?),
            StoredName::Num(n) => Name::Num(n),
            StoredName::Group(n) => match self.ctx.value_def(v) {
                ValueDef::OpResult { index, .. } => Name::Group(n, index),
                ValueDef::BlockArg { .. } => unreachable!("only results are grouped"),
            },
        })
    }

    /// Names `v`; a [`Name::Source`] must be the value's own name, a [`Name::Group`]'s
    /// index its result number.
    fn insert(&mut self, v: Value, name: Name<'c>) {
        let stored = match name {
            Name::Source(_) => StoredName::Source,
            Name::Num(n) => StoredName::Num(n),
            Name::Group(n, _) => StoredName::Group(n),
        };
        match &mut self.table {
            ValueTable::ByIndex(names) => names[v.index()] = Some(stored),
            ValueTable::Hashed(names) => {
                names.insert(v, stored);
            }
        }
    }
}

/// A name as the parser's scope sees it: the part before `#`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Key<'c> {
    Str(&'c str),
    Num(u32),
}

fn key_of(prefix: &str) -> Key<'_> {
    match canonical_number(prefix) {
        Some(n) => Key::Num(n),
        None => Key::Str(prefix),
    }
}

/// The number `s` spells without leading zeros, if it does.
fn canonical_number(s: &str) -> Option<u32> {
    if s.len() > 1 && s.starts_with('0') {
        return None;
    }
    s.parse().ok()
}

/// A source name split into its scope key and group index (`r#1` is `r`, `Some(1)`).
fn split_name(name: &str) -> Option<(&str, Option<u32>)> {
    let (prefix, index) = match name.split_once('#') {
        Some((p, i)) => (p, Some(canonical_number(i)?)),
        None => (name, None),
    };
    is_suffix_id(prefix).then_some((prefix, index))
}

/// The largest name table a closed scope may keep for reuse: clearing a table costs its
/// capacity, so a huge function's tables are dropped rather than cleared for each small
/// function after it.
const SPARE_SCOPE_CAPACITY: usize = 4096;

/// A set of [`Key`]s, numbers and words apart: printed IR is mostly numbers, which a
/// [`NumberMap`] holds in a byte each.
#[derive(Default)]
struct KeySet<'c> {
    numbers: NumberMap<()>,
    words: FxHashSet<&'c str>,
}

impl<'c> KeySet<'c> {
    fn contains(&self, key: Key<'c>) -> bool {
        match key {
            Key::Num(n) => self.numbers.contains(n),
            Key::Str(s) => self.words.contains(s),
        }
    }

    fn insert(&mut self, key: Key<'c>) {
        match key {
            Key::Num(n) => {
                self.numbers.insert(n, ());
            }
            Key::Str(s) => {
                self.words.insert(s);
            }
        }
    }

    fn remove(&mut self, key: Key<'c>) {
        match key {
            Key::Num(n) => {
                self.numbers.remove(n);
            }
            Key::Str(s) => {
                self.words.remove(s);
            }
        }
    }

    fn capacity(&self) -> usize {
        self.numbers.capacity().max(self.words.capacity())
    }

    fn clear(&mut self) {
        self.numbers.clear();
        self.words.clear();
    }
}

#[derive(Default)]
struct NameScope<'c> {
    used: KeySet<'c>,
    /// Numeric source names of the scope: fresh numbers skip them.
    reserved: NumberMap<()>,
    next: u32,
    /// Every number below this one is taken in this scope or an enclosing one: where an
    /// isolated scope opened inside starts looking for free numbers, so that a function of
    /// N isolated ops does not scan the N names around each of them.
    covered: u32,
    /// The names each open region defines, to forget when it closes; `None` for a
    /// region whose scope closes with it, which need not forget them one by one.
    region_defs: Vec<Option<Vec<Key<'c>>>>,
}

impl NameScope<'_> {
    /// Empties the scope for reuse, keeping its tables' capacity; `None` when its tables
    /// are larger than [`SPARE_SCOPE_CAPACITY`] and are better dropped.
    fn emptied(mut self) -> Option<Self> {
        if self.used.capacity().max(self.reserved.capacity()) > SPARE_SCOPE_CAPACITY {
            return None;
        }
        self.used.clear();
        self.reserved.clear();
        self.region_defs.clear();
        Some(NameScope {
            next: 0,
            covered: 0,
            ..self
        })
    }
}

/// The printed names of every value and block under the printed op.
struct Names<'c> {
    values: ValueNames<'c>,
    blocks: FxHashMap<BlockId, Name<'c>>,
}

impl<'c> Names<'c> {
    /// Names every value and block under `op` (the naming pass).
    fn of(ctx: &'c Context, op: OpId) -> Names<'c> {
        let mut names = Names {
            values: ValueNames::new(ctx, op),
            blocks: FxHashMap::default(),
        };
        let mut scopes = Vec::new();
        let mut namer = Namer {
            ctx,
            values: &mut names.values,
            blocks: &mut names.blocks,
            scopes: &mut scopes,
            spare: Vec::new(),
        };
        namer.open_root(op);
        namer.results(op);
        namer.regions(op);
        namer.close_isolated();
        names
    }
}

/// The naming pass.
struct Namer<'p, 'c> {
    ctx: &'c Context,
    values: &'p mut ValueNames<'c>,
    blocks: &'p mut FxHashMap<BlockId, Name<'c>>,
    scopes: &'p mut Vec<NameScope<'c>>,
    /// Closed scopes, emptied, whose tables the next scope reuses: a module of many
    /// functions opens one per function, and fresh tables would grow from nothing each time.
    spare: Vec<NameScope<'c>>,
}

fn isolated(ctx: &Context, op: OpId) -> bool {
    ctx.has_traits(op, Traits::ISOLATED_FROM_ABOVE)
}

impl<'c> Namer<'_, 'c> {
    /// Opens the scope of the printed op's results; it also covers the op's regions when
    /// the op is not isolated from above.
    fn open_root(&mut self, op: OpId) {
        let walk = !isolated(self.ctx, op);
        self.open_scope(op, true, walk);
    }

    /// Opens the name scope of an isolated op's regions. Its numbering starts at the
    /// lowest number free around it (names inside avoid the outer ones), found from where
    /// the enclosing scope's last search ended.
    fn open_isolated(&mut self, op: OpId) {
        let mut first_free = self.scope().covered;
        while self.taken(Key::Num(first_free)) {
            first_free += 1;
        }
        self.scope().covered = first_free;
        self.open_scope(op, false, true);
        let scope = self.scope();
        scope.next = first_free;
        scope.covered = first_free;
    }

    /// Opens a name scope, reserving every numeric source name defined in it.
    fn open_scope(&mut self, op: OpId, with_results: bool, with_regions: bool) {
        let mut scope = self.spare.pop().unwrap_or_default();
        scope.region_defs.push(Some(Vec::new()));
        let mut stack = Vec::new();
        if with_results {
            self.reserve_results(op, &mut scope);
        }
        if with_regions {
            stack.extend(self.ctx.regions(op).iter().copied());
        }
        while let Some(region) = stack.pop() {
            for &block in self.ctx.region_blocks(region) {
                for &arg in self.ctx.block_args(block) {
                    self.reserve(arg, &mut scope);
                }
                for inner in self.ctx.block_ops(block) {
                    self.reserve_results(inner, &mut scope);
                    if !isolated(self.ctx, inner) {
                        stack.extend(self.ctx.regions(inner).iter().copied());
                    }
                }
            }
        }
        self.scopes.push(scope);
    }

    fn reserve_results(&self, op: OpId, scope: &mut NameScope<'c>) {
        for &r in self.ctx.results(op) {
            self.reserve(r, scope);
        }
    }

    fn reserve(&self, v: Value, scope: &mut NameScope<'c>) {
        if let Some(n) = self
            .ctx
            .value_name(v)
            .and_then(|name| canonical_number(name.split_once('#').map_or(name, |(p, _)| p)))
        {
            scope.reserved.insert(n, ());
        }
    }

    fn close_isolated(&mut self) {
        if let Some(scope) = self.scopes.pop().and_then(NameScope::emptied) {
            self.spare.push(scope);
        }
    }

    fn scope(&mut self) -> &mut NameScope<'c> {
        self.scopes.last_mut().expect("a scope is open")
    }

    /// Whether `key` names a value visible here, in this scope or an enclosing one: names
    /// in an isolated op's regions avoid outer names too, so that a reader that does not
    /// know the op is isolated (`mlir-opt`, for an op of a dialect it lacks) sees no
    /// redefinition.
    fn taken(&self, key: Key<'c>) -> bool {
        self.scopes.iter().any(|s| s.used.contains(key))
    }

    fn fresh(&mut self) -> u32 {
        let mut n = self.scope().next;
        while self.taken(Key::Num(n)) || self.scope().reserved.contains(n) {
            n += 1;
        }
        self.scope().next = n + 1;
        n
    }

    fn claim(&mut self, key: Key<'c>) -> bool {
        if self.taken(key) {
            return false;
        }
        let scope = self.scope();
        scope.used.insert(key);
        let defs = scope.region_defs.last_mut().expect("a region is open");
        if let Some(defs) = defs {
            defs.push(key);
        }
        true
    }

    fn name_single(&mut self, v: Value) {
        let name = match self.ctx.value_name(v).and_then(split_name) {
            Some((prefix, None)) if self.claim(key_of(prefix)) => {
                Name::Source(self.ctx.value_name(v).unwrap())
            }
            _ => {
                let n = self.fresh();
                self.claim(Key::Num(n));
                Name::Num(n)
            }
        };
        self.values.insert(v, name);
    }

    /// Names the results of an op, keeping source groups `%r:2` that are still intact.
    fn results(&mut self, op: OpId) {
        let results = self.ctx.results(op);
        if results.len() > 1 && results.iter().all(|&r| self.ctx.value_name(r).is_none()) {
            let n = self.fresh();
            self.claim(Key::Num(n));
            for (i, &r) in results.iter().enumerate() {
                self.values.insert(r, Name::Group(n, i as u32));
            }
            return;
        }
        let mut i = 0;
        while i < results.len() {
            let group = match self.ctx.value_name(results[i]).and_then(split_name) {
                Some((prefix, Some(0))) => {
                    let mut k = 1;
                    while i + k < results.len()
                        && self.ctx.value_name(results[i + k]).and_then(split_name)
                            == Some((prefix, Some(k as u32)))
                    {
                        k += 1;
                    }
                    Some((prefix, k))
                }
                _ => None,
            };
            match group {
                Some((prefix, k)) if self.claim(key_of(prefix)) => {
                    for &r in &results[i..i + k] {
                        self.values
                            .insert(r, Name::Source(self.ctx.value_name(r).unwrap()));
                    }
                    i += k;
                }
                _ => {
                    self.name_single(results[i]);
                    i += 1;
                }
            }
        }
    }

    fn regions(&mut self, op: OpId) {
        let iso = isolated(self.ctx, op);
        for &region in self.ctx.regions(op) {
            if iso {
                self.open_isolated(op);
                self.region(region, true);
                self.close_isolated();
            } else {
                self.region(region, false);
            }
        }
    }

    /// Names a region's blocks and values; `last` says its scope closes right after, so
    /// its names need not be forgotten one by one.
    fn region(&mut self, region: RegionId, last: bool) {
        let defs = (!last).then(Vec::new);
        self.scope().region_defs.push(defs);
        let blocks = self.ctx.region_blocks(region);
        let reserved: FxHashSet<&str> = blocks
            .iter()
            .filter_map(|&b| self.ctx.block_name(b))
            .collect();
        let mut used = FxHashSet::default();
        let mut next = 0;
        for &b in blocks {
            let name = match self.ctx.block_name(b) {
                Some(n) if is_suffix_id(n) && used.insert(n) => Name::Source(n),
                _ => loop {
                    let candidate = format!("bb{next}");
                    next += 1;
                    if !reserved.contains(candidate.as_str()) {
                        break Name::Num(next - 1);
                    }
                },
            };
            self.blocks.insert(b, name);
        }
        for &b in blocks {
            for &arg in self.ctx.block_args(b) {
                self.name_single(arg);
            }
            for op in self.ctx.block_ops(b) {
                self.regions(op);
                self.results(op);
            }
        }
        let scope = self.scope();
        if let Some(defs) = scope.region_defs.pop().expect("a region is open") {
            for key in defs {
                if let Key::Num(n) = key {
                    scope.covered = scope.covered.min(n);
                }
                scope.used.remove(key);
            }
        }
    }
}

/// The printing pass.
struct Printer<'c, 'n, 's> {
    ctx: &'c Context,
    opts: PrintOptions,
    out: String,
    /// Where [`print_op_to`] sends the text: `out` is emptied into it between ops.
    sink: Option<&'s mut dyn std::io::Write>,
    sink_error: Option<std::io::Error>,
    names: &'n Names<'c>,
    /// The root op whose body's ops are printed on `workers` threads.
    root: Option<OpId>,
    workers: usize,
    /// A reusable buffer for result types.
    scratch: Vec<Type>,
    /// The text of every type printed so far: a module spells a few types many times.
    type_texts: FxHashMap<Type, Box<str>>,
}

/// The five attributes a function-like op's custom form spells in its header.
const FUNCTION_ATTRS: [&str; 5] = [
    "arg_attrs",
    "function_type",
    "res_attrs",
    "sym_name",
    "sym_visibility",
];

/// How much text [`print_op_to`] gathers before writing it out.
const SINK_CHUNK: usize = 1 << 16;

/// The most ops (nested ones included) a run of top-level ops printed on another thread
/// holds: its text is held whole until it is written, so an op larger than this prints
/// on the writing thread, straight to the output.
const PRINT_RUN_OPS: usize = 4096;

/// Texts a printing thread may hold ready before this one writes them out.
const RUNS_AHEAD: usize = 2;

/// The most threads printing a module: each holds up to [`RUNS_AHEAD`] texts besides the
/// one it prints, while the one thread writing them all out soon sets the pace.
const MAX_PRINT_WORKERS: usize = 4;

impl<'c, 'n, 's> Printer<'c, 'n, 's> {
    /// A printer of ops named by `names`, on one thread.
    fn new(
        ctx: &'c Context,
        names: &'n Names<'c>,
        opts: &PrintOptions,
        sink: Option<&'s mut dyn std::io::Write>,
    ) -> Printer<'c, 'n, 's> {
        Printer {
            ctx,
            opts: *opts,
            out: String::new(),
            sink,
            sink_error: None,
            names,
            root: None,
            workers: 1,
            scratch: Vec::new(),
            type_texts: FxHashMap::default(),
        }
    }

    /// Prints `op`, which `names` named. A root op (a module) of a large context has the
    /// ops of its body printed on every available core, each run of them into a text of
    /// its own, written out in order: the same text as one thread prints.
    fn print_root(&mut self, op: OpId) {
        self.workers = self.ctx.workers_for(op).min(MAX_PRINT_WORKERS);
        if self.workers > 1 {
            self.root = Some(op);
        }
        self.op(op, 0);
    }

    /// Prints `ops`, the ops of the root's body, in runs of consecutive ops: runs of
    /// small ops are dealt out in turn to `workers` threads (this one first), each
    /// printing its runs into texts of its own a few runs ahead; this thread prints its
    /// own runs and the large ops straight to the output, and writes every text in order.
    fn ops_in_parallel(&mut self, ops: &[OpId], indent: usize) {
        let (ctx, names, opts) = (self.ctx, self.names, self.opts);
        let runs = print_runs(ctx, ops);
        let shared: Vec<&[OpId]> = (runs.iter()).filter(|r| r.shared).map(|r| r.ops).collect();
        let workers = self.workers.min(shared.len()).max(1);
        std::thread::scope(|scope| {
            // Worker `w` prints shared runs `w`, `w + workers`, ...; `None` when it could
            // not start.
            let texts: Vec<_> = (1..workers)
                .map(|w| {
                    let (sender, texts) = std::sync::mpsc::sync_channel(RUNS_AHEAD);
                    let mine: Vec<&[OpId]> =
                        shared.iter().copied().skip(w).step_by(workers).collect();
                    let spawned = spawn_worker(scope, "joinery-print", move || {
                        for run in mine {
                            // A send fails when this thread stopped reading: stop too.
                            if sender
                                .send(run_text(ctx, names, &opts, run, indent))
                                .is_err()
                            {
                                return;
                            }
                        }
                    });
                    spawned.ok().map(|_| texts)
                })
                .collect();
            let mut dealt = 0;
            for run in &runs {
                let worker = run.shared.then(|| {
                    dealt += 1;
                    (dealt - 1) % workers
                });
                let from_worker = worker
                    .and_then(|w| w.checked_sub(1))
                    .and_then(|w| texts[w].as_ref());
                if let Some(Ok(text)) = from_worker.map(std::sync::mpsc::Receiver::recv) {
                    self.out.push_str(&text);
                    if self.out.len() >= SINK_CHUNK {
                        self.flush();
                    }
                    continue;
                }
                // This thread's run, a large op, or a run whose thread could not start.
                for &op in run.ops {
                    self.op(op, indent);
                    if self.out.len() >= SINK_CHUNK {
                        self.flush();
                    }
                }
            }
        });
    }

    /// Writes the text gathered so far to the sink, if there is one and it still works.
    fn flush(&mut self) {
        let Some(sink) = self.sink.as_mut() else {
            return;
        };
        if self.sink_error.is_none()
            && let Err(e) = sink.write_all(self.out.as_bytes())
        {
            self.sink_error = Some(e);
        }
        self.out.clear();
    }

    fn indent(&mut self, n: usize) {
        for _ in 0..n {
            self.out.push(' ');
        }
    }

    fn value(&mut self, v: Value) {
        self.out.push('%');
        match self.names.values.get(v) {
            Some(Name::Source(s)) => self.out.push_str(s),
            Some(Name::Num(n)) => push_u64(&mut self.out, u64::from(n)),
            Some(Name::Group(n, i)) => {
                push_u64(&mut self.out, u64::from(n));
                self.out.push('#');
                push_u64(&mut self.out, u64::from(i));
            }
            None => self.out.push_str("<<UNKNOWN SSA VALUE>>"),
        }
    }

    fn values_list(&mut self, vs: &[Value]) {
        for (i, &v) in vs.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.value(v);
        }
    }

    fn block_ref(&mut self, b: BlockId) {
        self.out.push('^');
        match self.names.blocks.get(&b) {
            Some(Name::Source(s)) => self.out.push_str(s),
            Some(Name::Num(n) | Name::Group(n, _)) => {
                let _ = write!(self.out, "bb{n}");
            }
            None => self.out.push_str("<<UNKNOWN BLOCK>>"),
        }
    }

    fn ty(&mut self, ty: Type) {
        write_known_type(self.ctx, &mut self.type_texts, &mut self.out, ty);
    }

    /// `(T, T) -> R` of the given operand and result types.
    fn function_type(&mut self, inputs: &[Type], results: &[Type]) {
        let (ctx, texts) = (self.ctx, &mut self.type_texts);
        write_function_type(ctx, &mut self.out, inputs, results, &mut |out, t| {
            write_known_type(ctx, texts, out, t)
        });
    }

    fn types(&mut self, tys: impl IntoIterator<Item = Type>) {
        for (i, t) in tys.into_iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            self.ty(t);
        }
    }

    fn attr(&mut self, a: Attribute) {
        write_attr(self.ctx, &mut self.out, a);
    }

    /// ` {a = 1 : i64, b}`; nothing when there are no entries.
    fn attr_dict<'x>(&mut self, entries: impl Iterator<Item = (&'x str, Attribute)>) {
        self.dict_with(" {", entries);
    }

    /// A dictionary opened by `open`; nothing when there are no entries.
    fn dict_with<'x>(&mut self, open: &str, entries: impl Iterator<Item = (&'x str, Attribute)>) {
        let mut first = true;
        for (k, v) in entries {
            self.out.push_str(if first { open } else { ", " });
            first = false;
            write_entry(self.ctx, &mut self.out, k, v);
        }
        if !first {
            self.out.push('}');
        }
    }

    /// The `%a, %r:2 = ` prefix.
    fn result_defs(&mut self, op: OpId) {
        let results = self.ctx.results(op);
        if results.is_empty() {
            return;
        }
        let mut i = 0;
        let mut first = true;
        while i < results.len() {
            if !first {
                self.out.push_str(", ");
            }
            first = false;
            self.out.push('%');
            match self.names.values.get(results[i]) {
                Some(Name::Group(n, _)) => {
                    let _ = write!(self.out, "{n}:{}", results.len());
                    i = results.len();
                }
                Some(Name::Source(s)) => match s.split_once('#') {
                    Some((prefix, _)) => {
                        let k = results[i..]
                            .iter()
                            .take_while(|r| {
                                matches!(self.names.values.get(**r), Some(Name::Source(x)) if x.split_once('#').is_some_and(|(p, _)| p == prefix))
                            })
                            .count();
                        let _ = write!(self.out, "{prefix}:{k}");
                        i += k;
                    }
                    None => {
                        self.out.push_str(s);
                        i += 1;
                    }
                },
                Some(Name::Num(n)) => {
                    push_u64(&mut self.out, u64::from(n));
                    i += 1;
                }
                None => {
                    self.out.push_str("<<UNKNOWN SSA VALUE>>");
                    i += 1;
                }
            }
        }
        self.out.push_str(" = ");
    }

    fn op(&mut self, op: OpId, indent: usize) {
        self.indent(indent);
        self.result_defs(op);
        let def = self.ctx.def(op);
        let custom = match def {
            Some(d) if !self.opts.generic && d.format != AsmFormat::Generic => {
                self.custom(op, d, indent)
            }
            _ => false,
        };
        if !custom {
            self.generic(op, def, indent);
        }
        if self.opts.debug_info
            && let Some(loc) = self.ctx.loc(op)
        {
            self.out.push_str(" loc(");
            write_loc(&mut self.out, loc);
            self.out.push(')');
        }
        self.out.push('\n');
    }

    fn generic(&mut self, op: OpId, def: Option<&'static OpDef>, indent: usize) {
        write_escaped(&mut self.out, self.ctx.name_str(op));
        self.out.push('(');
        self.values_list(self.ctx.operands(op));
        self.out.push(')');
        let succ = self.ctx.successors(op);
        if !succ.is_empty() {
            self.out.push('[');
            for (i, &b) in succ.iter().enumerate() {
                if i > 0 {
                    self.out.push_str(", ");
                }
                self.block_ref(b);
            }
            self.out.push(']');
        }
        let inherent = def.map_or(&[][..], |d| d.inherent_attrs);
        let is_prop = |k: &str| inherent.contains(&k);
        if self.ctx.attrs(op).any(|(k, _)| is_prop(k)) {
            self.out.push_str(" <");
            self.dict_with("{", self.ctx.attrs(op).filter(|(k, _)| is_prop(k)));
            self.out.push('>');
        }
        let regions = self.ctx.regions(op);
        if !regions.is_empty() {
            self.out.push_str(" (");
            for (i, &r) in regions.iter().enumerate() {
                if i > 0 {
                    self.out.push_str(", ");
                }
                self.region(r, indent, false);
            }
            self.out.push(')');
        }
        self.attr_dict(self.ctx.attrs(op).filter(|(k, _)| !is_prop(k)));
        self.out.push_str(" : (");
        self.types(
            self.ctx
                .operands(op)
                .iter()
                .map(|&v| self.ctx.value_type(v)),
        );
        self.out.push_str(") -> ");
        let mut results = std::mem::take(&mut self.scratch);
        results.clear();
        results.extend(self.ctx.results(op).iter().map(|&v| self.ctx.value_type(v)));
        let (ctx, texts) = (self.ctx, &mut self.type_texts);
        write_fn_results(ctx, &mut self.out, &results, &mut |out, t| {
            write_known_type(ctx, texts, out, t)
        });
        self.scratch = results;
    }

    /// Prints the custom form of `op`; returns false (printing nothing) when the op does
    /// not fit its format, so the caller falls back to the generic form.
    fn custom(&mut self, op: OpId, def: &'static OpDef, indent: usize) -> bool {
        let ctx = self.ctx;
        let plain = ctx.regions(op).is_empty() && ctx.successors(op).is_empty();
        let operands = ctx.operands(op);
        let results = ctx.results(op);
        match def.format {
            AsmFormat::Generic => false,
            AsmFormat::Functional if plain => {
                self.out.push_str(def.name);
                self.operand_list(operands);
                self.attr_dict(ctx.attrs(op));
                self.out.push_str(" : ");
                let ins: Vec<Type> = operands.iter().map(|&v| ctx.value_type(v)).collect();
                let outs: Vec<Type> = results.iter().map(|&v| ctx.value_type(v)).collect();
                self.function_type(&ins, &outs);
                true
            }
            AsmFormat::SameType if plain => {
                let mut tys = operands.iter().chain(results).map(|&v| ctx.value_type(v));
                let Some(ty) = tys.next() else { return false };
                if !tys.all(|t| t == ty) {
                    return false;
                }
                self.out.push_str(def.name);
                self.operand_list(operands);
                self.attr_dict(ctx.attrs(op));
                self.out.push_str(" : ");
                self.ty(ty);
                true
            }
            AsmFormat::OperandTypes if plain && results.is_empty() => {
                self.out.push_str(def.name);
                self.operand_list(operands);
                self.attr_dict(ctx.attrs(op));
                if !operands.is_empty() {
                    self.out.push_str(" : ");
                    self.types(operands.iter().map(|&v| ctx.value_type(v)));
                }
                true
            }
            AsmFormat::Call if plain => {
                let Some(callee) = ctx.attr(op, "callee") else {
                    return false;
                };
                if !matches!(ctx.attr_data(callee), AttrData::SymbolRef { .. }) {
                    return false;
                }
                self.out.push_str(def.name);
                self.out.push(' ');
                self.attr(callee);
                self.out.push('(');
                self.values_list(operands);
                self.out.push(')');
                self.attr_dict(ctx.attrs(op).filter(|(k, _)| *k != "callee"));
                self.out.push_str(" : ");
                let ins: Vec<Type> = operands.iter().map(|&v| ctx.value_type(v)).collect();
                let outs: Vec<Type> = results.iter().map(|&v| ctx.value_type(v)).collect();
                self.function_type(&ins, &outs);
                true
            }
            AsmFormat::FunctionLike => self.function(op, def, indent),
            AsmFormat::Module => self.module(op, indent),
            _ => false,
        }
    }

    fn operand_list(&mut self, operands: &[Value]) {
        if !operands.is_empty() {
            self.out.push(' ');
            self.values_list(operands);
        }
    }

    fn function(&mut self, op: OpId, def: &'static OpDef, indent: usize) -> bool {
        let ctx = self.ctx;
        if !ctx.operands(op).is_empty()
            || !ctx.results(op).is_empty()
            || !ctx.successors(op).is_empty()
            || ctx.regions(op).len() != 1
        {
            return false;
        }
        let Some(name) = ctx.attr(op, "sym_name").and_then(|a| ctx.as_str(a)) else {
            return false;
        };
        let Some(fty) = ctx.attr(op, "function_type").and_then(|a| ctx.as_type(a)) else {
            return false;
        };
        let Some((inputs, outputs)) = ctx.function_signature(fty) else {
            return false;
        };
        let dicts = |key: &str, n: usize| -> Option<Option<&'c [Attribute]>> {
            match ctx.attr(op, key) {
                None => Some(None),
                Some(a) => {
                    let items = ctx.as_array(a)?;
                    (items.len() == n && items.iter().all(|&d| ctx.as_dictionary(d).is_some()))
                        .then_some(Some(items))
                }
            }
        };
        let (Some(arg_attrs), Some(res_attrs)) = (
            dicts("arg_attrs", inputs.len()),
            dicts("res_attrs", outputs.len()),
        ) else {
            return false;
        };
        let visibility = match ctx.attr(op, "sym_visibility") {
            None => None,
            Some(a) => match ctx.as_str(a) {
                Some(v @ ("private" | "public" | "nested")) => Some(v),
                _ => return false,
            },
        };
        let region = ctx.regions(op)[0];
        let entry = ctx.region_blocks(region).first().copied();
        if let Some(entry) = entry {
            let args = ctx.block_args(entry);
            if args.len() != inputs.len()
                || args
                    .iter()
                    .zip(inputs)
                    .any(|(&a, &t)| ctx.value_type(a) != t)
            {
                return false;
            }
        }
        self.out.push_str(def.name);
        self.out.push(' ');
        if let Some(v) = visibility {
            self.out.push_str(v);
            self.out.push(' ');
        }
        write_symbol(&mut self.out, name);
        self.out.push('(');
        for (i, &t) in inputs.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            if let Some(entry) = entry {
                self.value(ctx.block_args(entry)[i]);
                self.out.push_str(": ");
            }
            self.ty(t);
            if let Some(d) = arg_attrs {
                self.nested_dict(d[i]);
            }
        }
        self.out.push(')');
        let simple_result = outputs.len() == 1
            && res_attrs.is_none_or(|d| ctx.as_dictionary(d[0]).is_some_and(<[_]>::is_empty))
            && !matches!(ctx.type_data(outputs[0]), TypeData::Function { .. });
        if simple_result {
            self.out.push_str(" -> ");
            self.ty(outputs[0]);
        } else if !outputs.is_empty() {
            self.out.push_str(" -> (");
            for (i, &t) in outputs.iter().enumerate() {
                if i > 0 {
                    self.out.push_str(", ");
                }
                self.ty(t);
                if let Some(d) = res_attrs {
                    self.nested_dict(d[i]);
                }
            }
            self.out.push(')');
        }
        self.keyword_dict(op, &FUNCTION_ATTRS);
        if entry.is_some() {
            self.out.push(' ');
            self.region(region, indent, true);
        }
        true
    }

    /// ` {..}` after an argument or result, nothing when empty.
    fn nested_dict(&mut self, dict: Attribute) {
        let entries = self.ctx.as_dictionary(dict).unwrap_or(&[]);
        self.attr_dict(entries.iter().map(|(k, v)| (k.as_str(), *v)));
    }

    /// ` attributes {..}` with every attribute not in `skip`.
    fn keyword_dict(&mut self, op: OpId, skip: &[&str]) {
        if self.ctx.attrs(op).any(|(k, _)| !skip.contains(&k)) {
            self.out.push_str(" attributes");
            self.attr_dict(self.ctx.attrs(op).filter(|(k, _)| !skip.contains(k)));
        }
    }

    fn module(&mut self, op: OpId, indent: usize) -> bool {
        let ctx = self.ctx;
        if !ctx.operands(op).is_empty()
            || !ctx.results(op).is_empty()
            || !ctx.successors(op).is_empty()
            || ctx.regions(op).len() != 1
        {
            return false;
        }
        let region = ctx.regions(op)[0];
        let blocks = ctx.region_blocks(region);
        if blocks.len() > 1 || blocks.iter().any(|&b| !ctx.block_args(b).is_empty()) {
            return false;
        }
        let name = match ctx.attr(op, "sym_name") {
            None => None,
            Some(a) => match ctx.as_str(a) {
                Some(n) => Some(n),
                None => return false,
            },
        };
        self.out.push_str("module");
        if let Some(n) = name {
            self.out.push(' ');
            write_symbol(&mut self.out, n);
        }
        self.keyword_dict(op, &["sym_name"]);
        self.out.push(' ');
        self.region(region, indent, true);
        true
    }

    /// `{ blocks }`; `header_args` says the entry block's arguments were printed in the
    /// op's header (function-like and module forms), so its label is never needed.
    fn region(&mut self, region: RegionId, indent: usize, header_args: bool) {
        self.out.push_str("{\n");
        for (i, &b) in self.ctx.region_blocks(region).iter().enumerate() {
            let args = self.ctx.block_args(b);
            // An empty entry block keeps its label: `{}` alone is a region without blocks.
            let empty_entry = self.ctx.first_op(b).is_none();
            if i > 0 || (!header_args && (!args.is_empty() || empty_entry)) {
                self.indent(indent);
                self.block_ref(b);
                if !args.is_empty() {
                    self.out.push('(');
                    for (j, &a) in args.iter().enumerate() {
                        if j > 0 {
                            self.out.push_str(", ");
                        }
                        self.value(a);
                        self.out.push_str(": ");
                        self.ty(self.ctx.value_type(a));
                    }
                    self.out.push(')');
                }
                self.out.push_str(":\n");
            }
            if self.workers > 1
                && self.root.is_some()
                && self.ctx.region_parent_op(region) == self.root
            {
                let ops: Vec<OpId> = self.ctx.block_ops(b).collect();
                self.ops_in_parallel(&ops, indent + 2);
                continue;
            }
            for op in self.ctx.block_ops(b) {
                self.op(op, indent + 2);
                if self.out.len() >= SINK_CHUNK {
                    self.flush();
                }
            }
        }
        self.indent(indent);
        self.out.push('}');
    }
}

/// Consecutive top-level ops printed together.
struct PrintRun<'o> {
    ops: &'o [OpId],
    /// Whether the run may print on another thread: it holds at most [`PRINT_RUN_OPS`]
    /// ops (a larger op is a run of its own).
    shared: bool,
}

/// `ops` cut into runs of at most [`PRINT_RUN_OPS`] ops, nested ones included, and a run
/// of its own for each op holding more.
fn print_runs<'o>(ctx: &Context, ops: &'o [OpId]) -> Vec<PrintRun<'o>> {
    let mut runs = Vec::new();
    let mut regions = Vec::new();
    let (mut start, mut held) = (0, 0);
    for (i, &op) in ops.iter().enumerate() {
        match ops_within(ctx, op, PRINT_RUN_OPS, &mut regions) {
            Some(n) if held + n <= PRINT_RUN_OPS => held += n,
            Some(n) => {
                runs.push(PrintRun {
                    ops: &ops[start..i],
                    shared: true,
                });
                (start, held) = (i, n);
            }
            None => {
                if start < i {
                    runs.push(PrintRun {
                        ops: &ops[start..i],
                        shared: true,
                    });
                }
                runs.push(PrintRun {
                    ops: &ops[i..=i],
                    shared: false,
                });
                (start, held) = (i + 1, 0);
            }
        }
    }
    if start < ops.len() {
        runs.push(PrintRun {
            ops: &ops[start..],
            shared: true,
        });
    }
    runs
}

/// How many ops `op` is, itself and the ops nested in it, when at most `limit`;
/// `regions` is room for the walk.
fn ops_within(ctx: &Context, op: OpId, limit: usize, regions: &mut Vec<RegionId>) -> Option<usize> {
    regions.clear();
    regions.extend_from_slice(ctx.regions(op));
    let mut count = 1;
    while let Some(region) = regions.pop() {
        for &block in ctx.region_blocks(region) {
            for inner in ctx.block_ops(block) {
                count += 1;
                if count > limit {
                    return None;
                }
                regions.extend_from_slice(ctx.regions(inner));
            }
        }
    }
    Some(count)
}

/// The text of `run`, ops of one block, as a printer of ops named by `names` writes them.
fn run_text(
    ctx: &Context,
    names: &Names<'_>,
    opts: &PrintOptions,
    run: &[OpId],
    indent: usize,
) -> String {
    let mut p = Printer::new(ctx, names, opts, None);
    for &op in run {
        p.op(op, indent);
    }
    p.out
}

/// Appends a number without going through `fmt`.
fn push_u64(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&buf[i..]).expect("digits are ASCII"));
}

fn write_symbol(out: &mut String, name: &str) {
    out.push('@');
    if is_symbol_id(name) {
        out.push_str(name);
    } else {
        write_escaped(out, name);
    }
}

fn write_entry(ctx: &Context, out: &mut String, key: &str, value: Attribute) {
    if is_bare_id(key) {
        out.push_str(key);
    } else {
        write_escaped(out, key);
    }
    if !matches!(ctx.attr_data(value), AttrData::Unit) {
        out.push_str(" = ");
        write_attr(ctx, out, value);
    }
}

/// `-> R` results of a function type: bare for one non-function type, else parenthesized.
/// Writes a type through `texts`, the text of every type written so far.
fn write_known_type(
    ctx: &Context,
    texts: &mut FxHashMap<Type, Box<str>>,
    out: &mut String,
    ty: Type,
) {
    let text = texts
        .entry(ty)
        .or_insert_with(|| type_text(ctx, ty).into_boxed_str());
    out.push_str(text);
}

/// A type writer: [`write_type`], or one that remembers what it wrote.
type WriteType<'w> = dyn FnMut(&mut String, Type) + 'w;

fn write_fn_results(ctx: &Context, out: &mut String, results: &[Type], write: &mut WriteType<'_>) {
    if results.len() == 1 && !matches!(ctx.type_data(results[0]), TypeData::Function { .. }) {
        write(out, results[0]);
        return;
    }
    out.push('(');
    for (i, &t) in results.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write(out, t);
    }
    out.push(')');
}

fn write_function_type(
    ctx: &Context,
    out: &mut String,
    inputs: &[Type],
    results: &[Type],
    write: &mut WriteType<'_>,
) {
    out.push('(');
    for (i, &t) in inputs.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write(out, t);
    }
    out.push_str(") -> ");
    write_fn_results(ctx, out, results, write);
}

/// Writes a type in MLIR syntax.
pub(crate) fn write_type(ctx: &Context, out: &mut String, ty: Type) {
    match ctx.type_data(ty) {
        TypeData::Integer { width } => {
            out.push('i');
            push_u64(out, u64::from(*width));
        }
        TypeData::Index => out.push_str("index"),
        TypeData::Float(k) => out.push_str(k.keyword()),
        TypeData::Complex { element } => {
            out.push_str("complex<");
            write_type(ctx, out, *element);
            out.push('>');
        }
        TypeData::None => out.push_str("none"),
        TypeData::RankedTensor { shape, element } => {
            out.push_str("tensor<");
            for d in shape {
                match d.extent() {
                    Some(n) => {
                        push_u64(out, n);
                        out.push('x');
                    }
                    None => out.push_str("?x"),
                }
            }
            write_type(ctx, out, *element);
            out.push('>');
        }
        TypeData::UnrankedTensor { element } => {
            out.push_str("tensor<*x");
            write_type(ctx, out, *element);
            out.push('>');
        }
        TypeData::Function { inputs, results } => {
            write_function_type(ctx, out, inputs, results, &mut |out, t| {
                write_type(ctx, out, t)
            })
        }
        TypeData::Dialect {
            dialect,
            name,
            params,
        } => {
            let _ = write!(out, "!{dialect}.{name}");
            write_params(ctx, out, params);
        }
    }
}

fn write_params(ctx: &Context, out: &mut String, params: &[AttrParam]) {
    if params.is_empty() {
        return;
    }
    out.push('<');
    for (i, p) in params.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        match p {
            AttrParam::Attr(a) => write_attr(ctx, out, *a),
            AttrParam::Type(t) => write_type(ctx, out, *t),
            AttrParam::Int(n) => {
                let _ = write!(out, "{n}");
            }
            AttrParam::Keyword(k) => out.push_str(k),
        }
    }
    out.push('>');
}

fn float_kind(ctx: &Context, ty: Type) -> FloatKind {
    match ctx.type_data(ty) {
        TypeData::Float(k) => *k,
        _ => FloatKind::F64,
    }
}

/// Writes an attribute in MLIR syntax.
pub(crate) fn write_attr(ctx: &Context, out: &mut String, attr: Attribute) {
    match ctx.attr_data(attr) {
        AttrData::Unit => out.push_str("unit"),
        AttrData::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        AttrData::Integer { value, ty } => {
            let _ = write!(out, "{value} : ");
            write_type(ctx, out, *ty);
        }
        AttrData::Float { value, ty } => {
            write_float(out, float_kind(ctx, *ty), value.0);
            out.push_str(" : ");
            write_type(ctx, out, *ty);
        }
        AttrData::String(s) => write_escaped(out, s),
        AttrData::Array(items) => {
            out.push('[');
            for (i, &a) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_array_item(ctx, out, a);
            }
            out.push(']');
        }
        AttrData::Dictionary(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_entry(ctx, out, k, *v);
            }
            out.push('}');
        }
        AttrData::Type(t) => write_type(ctx, out, *t),
        AttrData::SymbolRef { root, nested } => {
            write_symbol(out, root);
            for n in nested {
                out.push_str("::");
                write_symbol(out, n);
            }
        }
        AttrData::DenseElements { ty, data } => {
            out.push_str("dense<");
            write_dense(ctx, out, *ty, data);
            out.push_str("> : ");
            write_type(ctx, out, *ty);
        }
        AttrData::DenseArray { element, values } => {
            out.push_str("array<");
            write_type(ctx, out, *element);
            let kind = float_kind(ctx, *element);
            for (i, v) in values.iter().enumerate() {
                out.push_str(if i == 0 { ": " } else { ", " });
                write_scalar(out, kind, *v);
            }
            out.push('>');
        }
        AttrData::AffineMap(map) => write_affine_map(out, map),
        AttrData::Location(loc) => {
            out.push_str("loc(");
            write_loc(out, loc);
            out.push(')');
        }
        AttrData::Dialect {
            dialect,
            name,
            params,
        } => {
            let _ = write!(out, "#{dialect}.{name}");
            write_params(ctx, out, params);
        }
    }
}

/// An array element: like MLIR, `i64` integers and finite `f64` floats drop their type,
/// which is what an untyped literal means.
fn write_array_item(ctx: &Context, out: &mut String, attr: Attribute) {
    match ctx.attr_data(attr) {
        AttrData::Integer { value, ty }
            if *ctx.type_data(*ty) == (TypeData::Integer { width: 64 }) =>
        {
            let _ = write!(out, "{value}");
        }
        AttrData::Float { value, ty }
            if value.0.is_finite() && *ctx.type_data(*ty) == TypeData::Float(FloatKind::F64) =>
        {
            write_float(out, FloatKind::F64, value.0);
        }
        _ => write_attr(ctx, out, attr),
    }
}

fn write_dense(ctx: &Context, out: &mut String, ty: Type, data: &DenseData) {
    let (shape, element) = match ctx.tensor_parts(ty) {
        Some((shape, element)) => (
            shape
                .iter()
                .map(|d| d.extent().unwrap_or(0))
                .collect::<Vec<u64>>(),
            element,
        ),
        None => (Vec::new(), ty),
    };
    let kind = float_kind(ctx, element);
    match data {
        DenseData::Splat(s) => write_scalar(out, kind, *s),
        DenseData::Hex(bytes) => {
            out.push_str("\"0x");
            for b in bytes {
                let _ = write!(out, "{b:02X}");
            }
            out.push('"');
        }
        DenseData::Elements(items) if items.is_empty() => {}
        DenseData::Elements(items) => {
            let count: u64 = shape.iter().product();
            if count != items.len() as u64 || shape.is_empty() {
                match (shape.is_empty(), items.as_slice()) {
                    (true, [one]) => write_scalar(out, kind, *one),
                    _ => write_nested(out, kind, &[items.len() as u64], items),
                }
            } else {
                write_nested(out, kind, &shape, items);
            }
        }
    }
}

fn write_nested(out: &mut String, kind: FloatKind, shape: &[u64], items: &[DenseScalar]) {
    out.push('[');
    match shape {
        [] | [_] => {
            for (i, s) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_scalar(out, kind, *s);
            }
        }
        [n, rest @ ..] => {
            let stride = (items.len() as u64).checked_div(*n).unwrap_or(0) as usize;
            for i in 0..*n as usize {
                if i > 0 {
                    out.push_str(", ");
                }
                write_nested(out, kind, rest, &items[i * stride..(i + 1) * stride]);
            }
        }
    }
    out.push(']');
}

fn write_scalar(out: &mut String, kind: FloatKind, s: DenseScalar) {
    match s {
        DenseScalar::Int(n) => {
            let _ = write!(out, "{n}");
        }
        DenseScalar::Float(f) => write_float(out, kind, f.0),
        DenseScalar::Bool(b) => out.push_str(if b { "true" } else { "false" }),
    }
}

fn write_loc(out: &mut String, loc: &Location) {
    match loc {
        Location::Unknown => out.push_str("unknown"),
        Location::FileLineCol { file, line, col } => {
            write_escaped(out, file);
            let _ = write!(out, ":{line}:{col}");
        }
        Location::Name { name, child } => {
            write_escaped(out, name);
            if let Some(c) = child {
                out.push('(');
                write_loc(out, c);
                out.push(')');
            }
        }
        Location::CallSite { callee, caller } => {
            out.push_str("callsite(");
            write_loc(out, callee);
            out.push_str(" at ");
            write_loc(out, caller);
            out.push(')');
        }
        Location::Fused { metadata, locs } => {
            out.push_str("fused");
            if let Some(m) = metadata {
                out.push('<');
                write_escaped(out, m);
                out.push('>');
            }
            out.push('[');
            for (i, l) in locs.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_loc(out, l);
            }
            out.push(']');
        }
    }
}

/// `d0, d1, ...`: the first `count` ids with `prefix`, comma-separated.
fn write_ids(out: &mut String, prefix: char, count: impl Into<u64>) {
    for i in 0..count.into() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{prefix}{i}");
    }
}

/// `affine_map<(d0, d1)[s0] -> (d1, d0 + s0)>`.
fn write_affine_map(out: &mut String, map: &AffineMap) {
    out.push_str("affine_map<(");
    write_ids(out, 'd', map.dims);
    out.push(')');
    if map.symbols > 0 {
        out.push('[');
        write_ids(out, 's', map.symbols);
        out.push(']');
    }
    out.push_str(" -> (");
    for (i, e) in map.results.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_affine_expr(out, e, 0);
    }
    out.push_str(")>");
}

/// Writes `e`, in parentheses when it binds looser than `min` (additive operators bind
/// at 1, multiplicative ones at 2, negation at 3; operators group to the left).
fn write_affine_expr(out: &mut String, e: &AffineExpr, min: u8) {
    let own = match e {
        AffineExpr::Binary { op, .. } => op.precedence(),
        AffineExpr::Neg(_) => 3,
        AffineExpr::Const(n) if *n < 0 => 3,
        _ => 4,
    };
    if own < min {
        out.push('(');
    }
    match e {
        AffineExpr::Dim(d) => {
            let _ = write!(out, "d{d}");
        }
        AffineExpr::Symbol(s) => {
            let _ = write!(out, "s{s}");
        }
        AffineExpr::Const(n) => {
            let _ = write!(out, "{n}");
        }
        AffineExpr::Neg(inner) => {
            out.push('-');
            write_affine_expr(out, inner, 3);
        }
        AffineExpr::Binary { op, lhs, rhs } => {
            write_affine_expr(out, lhs, own);
            out.push(' ');
            out.push_str(op.spelling());
            out.push(' ');
            write_affine_expr(out, rhs, own + 1);
        }
    }
    if own < min {
        out.push(')');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use joinery_ir::SourceMap;

    /// A function of generic ops: arguments, source names and numbers, a result group, a
    /// nested region and a second block.
    fn function(i: usize) -> String {
        format!(
            "\"t.func\"() ({{\n^bb0(%a: f32, %5: f32):\n  %x = \"t.add\"(%a, %5) : (f32, f32) -> f32\n  \
             %r:2 = \"t.pair\"(%x) ({{\n    %0 = \"t.inner\"(%x) : (f32) -> f32\n    \
             \"t.yield\"(%0) : (f32) -> ()\n  }}) : (f32) -> (f32, i1)\n  \
             \"t.br\"(%r#0) [^next] : (f32) -> ()\n^next:\n  \
             \"t.return\"() {{n = {i} : i64}} : () -> ()\n}}) : () -> ()\n"
        )
    }

    #[test]
    fn a_large_module_prints_on_threads_as_on_one() {
        let mut ctx = Context::new(&[]);
        ctx.allow_unregistered = true;
        let mut sources = SourceMap::default();
        // A function larger than a shared run, among small ones.
        let large: String = (0..PRINT_RUN_OPS)
            .map(|i| format!("  %v{i} = \"t.op\"() : () -> f32\n"))
            .collect();
        let text: String = (0..3000)
            .map(|i| match i {
                1500 => format!("\"t.large\"() ({{\n{large}}}) : () -> ()\n"),
                i => function(i),
            })
            .collect();
        let file = sources.add("t.mlir", text);
        let module = crate::parse_source(&mut ctx, &sources, file).expect("parses");
        let ops: Vec<OpId> = ctx
            .block_ops(ctx.body_block(module).expect("a body"))
            .collect();
        let runs = print_runs(&ctx, &ops);
        assert!(runs.iter().filter(|r| r.shared).count() > 2);
        assert_eq!(runs.iter().filter(|r| !r.shared).count(), 1);
        assert_eq!(runs.iter().map(|r| r.ops.len()).sum::<usize>(), ops.len());
        let generic = PrintOptions {
            generic: true,
            debug_info: true,
        };
        for opts in [PrintOptions::default(), generic] {
            let names = Names::of(&ctx, module);
            let mut alone = Printer::new(&ctx, &names, &opts, None);
            alone.op(module, 0);
            let mut spread = Printer::new(&ctx, &names, &opts, None);
            (spread.root, spread.workers) = (Some(module), 4);
            spread.op(module, 0);
            assert_eq!(spread.out, alone.out);
            let printed = print_op(&ctx, module, &opts);
            assert_eq!(printed, alone.out);
            let mut sunk = Vec::new();
            print_op_to(&ctx, module, &opts, &mut sunk).expect("written");
            assert_eq!(String::from_utf8(sunk).expect("UTF-8"), printed);
        }
    }
}
