//! The second phase: syntax tree to IR. Resolves SSA names (with forward references, as
//! graph regions and back edges need), block labels and custom forms, and records names
//! and source spans on what it builds.
//!
//! Name scoping follows MLIR's parser: names live in the innermost isolated-from-above
//! op's scope; a name defined in a region is forgotten when the region ends, so sibling
//! regions may reuse it; defining a visible name again is an error. A use before the
//! definition gets a placeholder value that the definition replaces; placeholders left at
//! the end of an isolated scope are undefined values.

use crate::ast::{
    self, ArgDecl, AttrDict, BlockArg, CustomArg, CustomOp, GenericOp, LocSyn, OpBody, Pos,
    Symbols, ValueRef,
};
use joinery_ir::{
    AsmFormat, Attribute, BlockId, Context, Diagnostic, FileId, OpDef, OpId, OperationState,
    RegionId, Span, Traits, Type, Value,
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
    /// Uses seen before the definition: (result number, placeholder, first use).
    Forward(Vec<(u32, Value, Pos)>),
    /// Defined by an op that failed to build; uses are not checked further.
    Poisoned,
}

#[derive(Default)]
struct Scope<'a> {
    values: FxHashMap<&'a str, Entry>,
    /// Names defined in each open region of this scope, forgotten when it closes.
    region_defs: Vec<Vec<&'a str>>,
}

impl Scope<'_> {
    /// A scope with room for about `names` definitions (a region's ops and arguments).
    fn with_capacity(names: usize) -> Self {
        Scope {
            values: FxHashMap::with_capacity_and_hasher(names, Default::default()),
            region_defs: Vec::new(),
        }
    }
}

/// A region to build, with the arguments its entry block gets from the op's header.
struct RegionSpec<'a> {
    region: ast::Region<'a>,
    entry_args: Option<Vec<BlockArg<'a>>>,
    /// Create an empty entry block when the region has none (modules, function bodies).
    ensure_block: bool,
}

/// An op after its form was resolved, ready to build.
struct Prepared<'a> {
    name: Cow<'a, str>,
    def: Option<&'static OpDef>,
    operands: Vec<(ValueRef<'a>, Type)>,
    result_types: Vec<Type>,
    attrs: Vec<(String, Attribute, Pos)>,
    successors: Vec<(&'a str, Pos)>,
    regions: Vec<RegionSpec<'a>>,
    /// The default dialect of the op's regions: set by an op written in custom form,
    /// inherited (`None`) by one in generic form, as MLIR's parser does.
    default_dialect: Option<&'static str>,
}

/// Builds IR from a syntax tree.
pub(crate) struct Lowerer<'a, 'c> {
    ctx: &'c mut Context,
    file: FileId,
    pub(crate) diags: Vec<Diagnostic>,
    scopes: Vec<Scope<'a>>,
    placeholders: Option<BlockId>,
    /// Aliases and resources of the file, for locations.
    symbols: Symbols<'a>,
    /// The dialect unprefixed custom op names resolve in, innermost last; the file starts
    /// in `builtin` (so `module` is `builtin.module`).
    default_dialects: Vec<&'static str>,
}

/// The default dialect of a region whose op names none (MLIR's parser falls back to it).
const BUILTIN: &str = "builtin";

type Labels<'a> = FxHashMap<&'a str, BlockId>;

impl<'a, 'c> Lowerer<'a, 'c> {
    pub(crate) fn new(ctx: &'c mut Context, file: FileId, symbols: Symbols<'a>) -> Self {
        Lowerer {
            ctx,
            file,
            diags: Vec::new(),
            scopes: Vec::new(),
            placeholders: None,
            symbols,
            default_dialects: vec![BUILTIN],
        }
    }

    /// Resolves the aliases of a written location, reporting an unknown one.
    fn location(&mut self, loc: Option<&LocSyn<'a>>) -> Option<joinery_ir::Location> {
        match self.symbols.loc(loc?) {
            Ok(l) => Some(l),
            Err(e) => {
                self.error(Pos::new(e.start, e.end), e.message);
                None
            }
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

    /// Builds the top level: a single module stays as it is, anything else is wrapped in
    /// an implicit `builtin.module`.
    pub(crate) fn lower_top(&mut self, ops: Vec<ast::Op<'a>>, whole: Pos) -> OpId {
        let single_module = ops.len() == 1
            && match &ops[0].body {
                OpBody::Custom(c) => c.name == "module" || c.name == "builtin.module",
                OpBody::Generic(g) => g.name == "builtin.module",
            };
        let size = ast::TreeSize::of_ops(&ops);
        self.ctx.reserve(size.ops, size.values);
        self.scopes.push(Scope::default());
        self.scopes[0].region_defs.push(Vec::new());
        let module = if single_module {
            let holder = self.ctx.create_block(&[]);
            self.lower_ops(ops, holder, &Labels::default());
            match self.ctx.first_op(holder) {
                Some(found) => {
                    self.ctx.detach_op(found);
                    found
                }
                None => self.ctx.create_module(),
            }
        } else {
            let module = self.ctx.create_module();
            self.ctx.set_span(module, self.span(whole));
            let block = self.ctx.body_block(module).expect("modules have a body");
            self.lower_ops(ops, block, &Labels::default());
            module
        };
        self.close_isolated_scope();
        module
    }

    fn lower_ops(&mut self, ops: Vec<ast::Op<'a>>, block: BlockId, labels: &Labels<'a>) {
        for op in ops {
            self.lower_op(op, block, labels);
        }
    }

    fn lower_op(&mut self, op: ast::Op<'a>, block: BlockId, labels: &Labels<'a>) {
        let ast::Op {
            results,
            body,
            loc,
            pos,
        } = op;
        let prepared = match body {
            OpBody::Generic(g) => self.prepare_generic(*g),
            OpBody::Custom(c) => self.prepare_custom(*c, &results),
        };
        let prepared = prepared.and_then(|p| {
            let defined: u32 = results.iter().map(|r| r.count.unwrap_or(1)).sum();
            if !results.is_empty() && defined as usize != p.result_types.len() {
                return Err(self.err(
                    pos,
                    format!(
                        "operation defines {} results but was provided {defined} to bind",
                        p.result_types.len()
                    ),
                ));
            }
            Ok(p)
        });
        let p = match prepared {
            Ok(p) => p,
            Err(d) => {
                self.diags.push(d);
                for r in &results {
                    self.define(r.name, Entry::Poisoned, r.pos);
                }
                return;
            }
        };
        let mut state = OperationState::new(self.ctx.op_name(&p.name));
        state.operands = p
            .operands
            .iter()
            .map(|(v, ty)| self.resolve(*v, *ty))
            .collect();
        state.result_types = p.result_types;
        state.attrs = self.merge_attrs(p.attrs);
        for (label, lpos) in p.successors {
            match labels.get(label) {
                Some(&b) => state.successors.push(b),
                None => self.error(lpos, format!("reference to an undefined block '^{label}'")),
            }
        }
        let isolated = p
            .def
            .is_some_and(|d| d.traits.contains(Traits::ISOLATED_FROM_ABOVE));
        if let Some(d) = p.default_dialect {
            self.default_dialects.push(d);
        }
        for spec in p.regions {
            let region = self.lower_region(spec, isolated);
            state.regions.push(region);
        }
        if p.default_dialect.is_some() {
            self.default_dialects.pop();
        }
        state.loc = self.location(loc.as_deref());
        state.span = self.span(pos);
        let id = self.ctx.create_op(state);
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

    fn lower_region(&mut self, spec: RegionSpec<'a>, isolated: bool) -> RegionId {
        if isolated {
            let names = spec
                .region
                .blocks
                .iter()
                .map(|b| b.ops.len() + b.args.len())
                .sum();
            self.scopes.push(Scope::with_capacity(names));
        }
        self.scopes
            .last_mut()
            .expect("a scope is open")
            .region_defs
            .push(Vec::new());
        let region = self.ctx.create_region();
        let RegionSpec {
            region: ast_region,
            entry_args,
            ensure_block,
        } = spec;
        let mut blocks = ast_region.blocks;
        if blocks.is_empty() && (ensure_block || entry_args.is_some()) {
            blocks.push(ast::Block {
                label: None,
                args: Vec::new(),
                ops: Vec::new(),
            });
        }
        if let Some(args) = entry_args {
            match blocks[0].label {
                Some((name, pos)) => self.error(
                    pos,
                    format!("the entry block '^{name}' of a region with named arguments cannot have a label"),
                ),
                None => blocks[0].args = args,
            }
        }
        let mut labels = Labels::default();
        let mut ids = Vec::with_capacity(blocks.len());
        for b in &blocks {
            let id = self.ctx.create_block(&[]);
            self.ctx.append_block(region, id);
            if let Some((name, pos)) = b.label {
                self.ctx.set_block_name(id, Some(name));
                self.ctx.set_block_span(id, self.span(pos));
                if labels.insert(name, id).is_some() {
                    self.error(pos, format!("redefinition of block '^{name}'"));
                }
            } else {
                self.ctx.set_block_span(id, self.span(ast_region.pos));
            }
            ids.push(id);
        }
        for (b, &id) in blocks.into_iter().zip(&ids) {
            for BlockArg { value: v, ty, loc } in b.args {
                self.location(loc.as_deref());
                let arg = self.ctx.add_block_argument(id, ty);
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
            self.lower_ops(b.ops, id, &labels);
        }
        if isolated {
            self.close_isolated_scope();
        } else {
            let scope = self.scopes.last_mut().expect("a scope is open");
            for name in scope.region_defs.pop().expect("a region is open") {
                scope.values.remove(name);
            }
        }
        region
    }

    fn close_isolated_scope(&mut self) {
        let scope = self.scopes.pop().expect("a scope is open");
        let mut undefined: Vec<(Pos, &str)> = scope
            .values
            .iter()
            .filter_map(|(name, e)| match e {
                Entry::Forward(refs) => Some((refs[0].2, *name)),
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
                match scope
                    .values
                    .entry(v.name)
                    .or_insert(Entry::Forward(Vec::new()))
                {
                    Entry::Forward(refs) => refs.push((v.index, ph, v.pos)),
                    _ => unreachable!("only forward entries lack the value"),
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
        scope
            .region_defs
            .last_mut()
            .expect("a region is open")
            .push(name);
        let previous = scope.values.insert(name, entry);
        match previous {
            None => {}
            Some(Entry::Forward(refs)) => {
                for (index, ph, use_pos) in refs {
                    let real = match &self.scopes.last().unwrap().values[name] {
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

    fn prepare_generic(&mut self, g: GenericOp<'a>) -> Result<Prepared<'a>, Diagnostic> {
        let def = self.check_registered(&g.name, g.name_pos)?;
        let Some((inputs, outputs)) = self.ctx.function_signature(g.ty) else {
            return Err(self.err(
                g.ty_pos,
                "expected a function type for the operation's signature",
            ));
        };
        if inputs.len() != g.operands.len() {
            return Err(self.err(
                g.ty_pos,
                format!(
                    "expected {} operand type(s) but had {}",
                    g.operands.len(),
                    inputs.len()
                ),
            ));
        }
        let operands = g.operands.into_iter().zip(inputs.iter().copied()).collect();
        let result_types = outputs.to_vec();
        let rest = g.rest.map(|r| *r).unwrap_or_default();
        let mut attrs = rest.props.unwrap_or_default();
        attrs.extend(rest.attrs.unwrap_or_default());
        let regions = rest
            .regions
            .into_iter()
            .map(|region| RegionSpec {
                region,
                entry_args: None,
                ensure_block: def.is_some_and(|d| d.format == AsmFormat::Module),
            })
            .collect();
        Ok(Prepared {
            name: g.name,
            def,
            operands,
            result_types,
            attrs,
            successors: rest.successors,
            regions,
            default_dialect: None,
        })
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

    fn prepare_custom(
        &mut self,
        c: CustomOp<'a>,
        results: &[ast::ResultDef<'a>],
    ) -> Result<Prepared<'a>, Diagnostic> {
        let def = self.custom_def(c.name, c.name_pos)?;
        let name = def.name;
        let form = FormCheck { def, op: &c };
        let mut p = Prepared {
            name: Cow::Borrowed(name),
            def: Some(def),
            operands: Vec::new(),
            result_types: Vec::new(),
            attrs: Vec::new(),
            successors: Vec::new(),
            regions: Vec::new(),
            default_dialect: Some(def.default_dialect.unwrap_or(BUILTIN)),
        };
        let result_count: u32 = results.iter().map(|r| r.count.unwrap_or(1)).sum();
        match def.format {
            AsmFormat::Generic => {
                return Err(self.err(
                    c.name_pos,
                    format!("'{name}' has no custom form; use the generic form \"{name}\"(...)"),
                ));
            }
            AsmFormat::Functional => {
                form.only(self, &[Piece::Operands, Piece::Attrs, Piece::Types])?;
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
                p.operands = c
                    .operands
                    .iter()
                    .copied()
                    .zip(inputs.iter().copied())
                    .collect();
                p.result_types = outputs.to_vec();
            }
            AsmFormat::SameType => {
                form.only(self, &[Piece::Operands, Piece::Attrs, Piece::Types])?;
                let (ty, _) = form.single_type(self)?;
                p.operands = c.operands.iter().map(|&v| (v, ty)).collect();
                p.result_types = vec![ty; result_count as usize];
            }
            AsmFormat::OperandTypes => {
                form.only(self, &[Piece::Operands, Piece::Attrs, Piece::Types])?;
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
                p.operands = c
                    .operands
                    .iter()
                    .copied()
                    .zip(types.iter().copied())
                    .collect();
            }
            AsmFormat::Call => {
                form.only(
                    self,
                    &[Piece::Symbol, Piece::Args, Piece::Attrs, Piece::Types],
                )?;
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
                for (a, &t) in args.iter().zip(inputs) {
                    match a {
                        CustomArg::Use(v) => operands.push((*v, t)),
                        CustomArg::Decl(decl) => {
                            return Err(self.err(
                                decl.pos,
                                format!("'{name}' takes SSA values as arguments, not declarations"),
                            ));
                        }
                    }
                }
                p.operands = operands;
                p.result_types = outputs.to_vec();
                p.attrs
                    .push(("callee".to_string(), callee, c.symbol.unwrap().1));
            }
            AsmFormat::FunctionLike => {
                form.only(
                    self,
                    &[
                        Piece::Visibility,
                        Piece::Symbol,
                        Piece::Args,
                        Piece::Results,
                        Piece::Attributes,
                        Piece::Region,
                    ],
                )?;
                if !results.is_empty() {
                    return Err(self.err(results[0].pos, format!("'{name}' has no results")));
                }
                let entry_args = self.prepare_function(&c, &mut p)?;
                let region = c.region.unwrap_or(ast::Region {
                    blocks: Vec::new(),
                    pos: c.name_pos,
                });
                let ensure_block = entry_args.is_some();
                p.regions.push(RegionSpec {
                    region,
                    entry_args,
                    ensure_block,
                });
                p.attrs
                    .extend(c.attributes.map(|a| a.0).unwrap_or_default());
                return Ok(p);
            }
            AsmFormat::Constant => {
                form.only(self, &[Piece::Attrs, Piece::Value])?;
                let (value, vpos) = form.required(self, c.value, "a value attribute")?;
                let Some(ty) = self.ctx.attr_type(value) else {
                    return Err(self.err(vpos, format!("'{name}' expects a typed value")));
                };
                p.result_types = vec![ty];
                p.attrs.push(("value".to_string(), value, vpos));
            }
            AsmFormat::Module => {
                form.only(self, &[Piece::Symbol, Piece::Attributes, Piece::Region])?;
                if let Some((sym, spos)) = c.symbol {
                    let Some(n) = self.ctx.as_symbol_ref(sym).map(str::to_string) else {
                        return Err(self.err(spos, "a module name must be a flat symbol"));
                    };
                    let n = self.ctx.string_attr(n);
                    p.attrs.push(("sym_name".to_string(), n, spos));
                }
                let Some(region) = c.region else {
                    return Err(self.err(
                        c.name_pos,
                        format!("'{name}' expects a body region `{{ ... }}`"),
                    ));
                };
                p.regions.push(RegionSpec {
                    region,
                    entry_args: None,
                    ensure_block: true,
                });
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
        let has_body = c.region.is_some();
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
                    self.location(loc.as_deref());
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
            .results
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

    /// Reports the first piece the format does not allow.
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
                c.results.as_ref().map(|r| r.1),
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
            (Piece::Region, c.region.as_ref().map(|r| r.pos), "a region"),
        ];
        for (piece, pos, what) in present {
            if let Some(pos) = pos
                && !allowed.contains(&piece)
            {
                return Err(l.err(
                    pos,
                    format!(
                        "'{}' does not take {what} here; its form is `{}`",
                        self.def.name,
                        self.syntax()
                    ),
                ));
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

fn display_ref(v: ValueRef<'_>) -> String {
    if v.index == 0 {
        v.name.to_string()
    } else {
        format!("{}#{}", v.name, v.index)
    }
}
