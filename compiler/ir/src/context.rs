//! The [`Context`] owns every IR object of a compilation: interned types and attributes,
//! and arenas of ops, blocks, regions and values, plus the registered dialects.

use crate::attributes::AttrData;
use crate::dialect::{Dialect, OpDef};
use crate::interner::Interner;
use crate::operation::{BlockData, OpData, OpName, RegionData, ValueData};
use crate::types::TypeData;
use rustc_hash::FxHashMap;

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
    pub(crate) op_names: Vec<(Box<str>, Option<&'static OpDef>)>,
    pub(crate) op_name_index: FxHashMap<Box<str>, OpName>,
    pub(crate) registry: DialectRegistry,
    /// Accept ops, attributes and types of dialects that are not registered.
    pub allow_unregistered: bool,
    /// The files ops were parsed from, to name an op's `file:line:col` after the source
    /// map is gone (a run-time error of compiled code names the op it comes from).
    pub(crate) files: FxHashMap<crate::FileId, std::sync::Arc<crate::SourceFile>>,
}

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
            op_names: Vec::new(),
            op_name_index: FxHashMap::default(),
            registry,
            allow_unregistered: false,
            files: FxHashMap::default(),
        }
    }

    /// Remembers the file behind `id`, so that [`Context::position`] can name spans in it.
    pub fn add_source_file(&mut self, id: crate::FileId, file: &crate::SourceFile) {
        self.files.insert(id, std::sync::Arc::new(file.clone()));
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
