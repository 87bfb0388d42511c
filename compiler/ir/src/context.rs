//! The [`Context`] owns every IR object of a compilation: interned types and attributes,
//! and arenas of ops, blocks, regions and values, plus the registered dialects.

use crate::attributes::AttrData;
use crate::dialect::{Dialect, OpDef};
use crate::interner::Interner;
use crate::operation::BlockId;
use crate::operation::{BlockData, OpData, OpName, RegionData, ValueData};
use crate::types::TypeData;
use rustc_hash::{FxHashMap, FxHashSet};
use std::any::{Any, TypeId};
use std::sync::{Arc, Mutex};

/// The dialects known to a context, and their ops by full name.
#[derive(Debug, Default)]
pub struct DialectRegistry {
    dialects: Vec<&'static Dialect>,
    ops: FxHashMap<&'static str, &'static OpDef>,
}

impl DialectRegistry {
    /// Registers a dialect (registering twice is harmless).
    pub fn register(&mut self, dialect: &'static Dialect) {
        if self.dialect(dialect.name).is_some() {
            return;
        }
        self.dialects.push(dialect);
        for op in dialect.ops {
            self.ops.insert(op.name, op);
        }
    }

    /// A registered dialect by namespace.
    pub fn dialect(&self, name: &str) -> Option<&'static Dialect> {
        self.dialects.iter().copied().find(|d| d.name == name)
    }

    /// All registered dialects in registration order.
    pub fn dialects(&self) -> &[&'static Dialect] {
        &self.dialects
    }

    /// A registered op by full name.
    pub fn op(&self, name: &str) -> Option<&'static OpDef> {
        self.ops.get(name).copied()
    }
}

/// Owner of all IR objects; see the crate docs.
#[derive(Debug)]
pub struct Context {
    pub(crate) types: Interner<TypeData>,
    pub(crate) attrs: Interner<AttrData>,
    pub(crate) ops: Vec<OpData>,
    pub(crate) blocks: Vec<BlockData>,
    pub(crate) regions: Vec<RegionData>,
    pub(crate) values: Vec<ValueData>,
    /// The names of all values, one after another ([`Context::set_value_name`]).
    pub(crate) value_names: String,
    pub(crate) op_names: Vec<(Box<str>, Option<&'static OpDef>)>,
    pub(crate) op_name_index: FxHashMap<Box<str>, OpName>,
    /// Every attribute name ops use, stored once ([`Context::attr_name`]).
    pub(crate) attr_names: FxHashSet<Arc<str>>,
    pub(crate) registry: DialectRegistry,
    /// Accept ops, attributes and types of dialects that are not registered.
    pub allow_unregistered: bool,
    /// The files ops were parsed from, to name an op's `file:line:col` after the source
    /// map is gone (a run-time error of compiled code names the op it comes from).
    pub(crate) files: FxHashMap<crate::FileId, std::sync::Arc<crate::SourceFile>>,
    /// Every block's symbol ops by `sym_name`, kept as ops are placed, moved and renamed
    /// ([`Context::lookup_symbol`]).
    pub(crate) symbols: FxHashMap<BlockId, FxHashMap<Box<str>, Vec<crate::OpId>>>,
    /// Analyses of one block's ops ([`Context::block_analysis`]) by block and result type,
    /// each with the block version it was computed at.
    block_analyses: Mutex<FxHashMap<(BlockId, TypeId), (u64, AnyAnalysis)>>,
}

/// A cached block analysis of any type.
type AnyAnalysis = Arc<dyn Any + Send + Sync>;

impl Context {
    /// A context with the builtin dialect and the given dialects registered.
    pub fn new(dialects: &[&'static Dialect]) -> Context {
        let mut registry = DialectRegistry::default();
        registry.register(&crate::builtin::BUILTIN_DIALECT);
        for d in dialects {
            registry.register(d);
        }
        Context {
            types: Interner::new(),
            attrs: Interner::new(),
            ops: Vec::new(),
            blocks: Vec::new(),
            regions: Vec::new(),
            values: Vec::new(),
            value_names: String::new(),
            op_names: Vec::new(),
            op_name_index: FxHashMap::default(),
            attr_names: FxHashSet::default(),
            registry,
            allow_unregistered: false,
            files: FxHashMap::default(),
            symbols: FxHashMap::default(),
            block_analyses: Mutex::default(),
        }
    }

    /// `build(self, block)`, computed once and reused until the block changes: an op is
    /// added to it, removed or moved, or an attribute of one of its ops is set or removed.
    /// So `build` may read the block's ops, their names and their attributes, nothing
    /// nested in them. Results are cached by type: give each analysis its own type `T`.
    /// This is how verifying a module of thousands of functions stays linear.
    pub fn block_analysis<T: Any + Send + Sync>(
        &self,
        block: BlockId,
        build: impl FnOnce(&Context, BlockId) -> T,
    ) -> Arc<T> {
        let version = self.blocks[block.0 as usize].version;
        let key = (block, TypeId::of::<T>());
        let cached = self.analyses().get(&key).cloned();
        if let Some((v, any)) = cached
            && v == version
            && let Ok(t) = any.downcast::<T>()
        {
            return t;
        }
        // Built without the lock held: `build` may itself use cached analyses.
        let t = Arc::new(build(self, block));
        self.analyses().insert(key, (version, t.clone()));
        t
    }

    fn analyses(
        &self,
    ) -> std::sync::MutexGuard<'_, FxHashMap<(BlockId, TypeId), (u64, AnyAnalysis)>> {
        self.block_analyses
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Remembers the file behind `id`, so that [`Context::position`] can name spans in it.
    pub fn add_source_file(&mut self, id: crate::FileId, file: Arc<crate::SourceFile>) {
        self.files.insert(id, file);
    }

    /// `file:line:col` of the start of `span`, if its file was added
    /// ([`Context::add_source_file`]).
    pub fn position(&self, span: crate::Span) -> Option<String> {
        let file = self.files.get(&span.file)?;
        let (line, col) = file.line_col(span.start as usize);
        Some(format!("{}:{line}:{col}", file.name))
    }

    /// The registered dialects.
    pub fn registry(&self) -> &DialectRegistry {
        &self.registry
    }

    /// A registered dialect by namespace.
    pub fn dialect(&self, name: &str) -> Option<&'static Dialect> {
        self.registry.dialect(name)
    }
}
