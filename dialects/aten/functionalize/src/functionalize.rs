//! The functionalization walk over one function (see the crate docs for the model).

use joinery_aot::{AotInput, AotOutput, DESC_KEY, DescKind, FuncDescriptors};
use joinery_aten::{OpSchema, TO_REF_OP, TO_VALUE_OP, TensorInfo, operand_groups, referent};
use joinery_func::edit;
use joinery_ir::{
    Attribute, Builder, Context, Diagnostic, Dim, InsertPoint, OpId, Span, Type, Value,
};
use joinery_pass::{PassResult, PassState};
use rustc_hash::FxHashMap;

/// One storage: the value its base holds at the current point of the walk.
struct Storage {
    current: Value,
    /// The function argument the storage belongs to, if any.
    arg: Option<usize>,
    written: bool,
    /// Bumped by every write, so cached reads of older versions are not reused.
    version: u32,
}

/// One view op on the way from a storage's base to a reference.
#[derive(Clone)]
struct Step {
    op: String,
    attrs: Vec<(String, Attribute)>,
    /// Which result of the view op (`split` has several).
    result: usize,
    span: Option<Span>,
}

/// A reference: its storage and the views leading to it from the base.
#[derive(Clone)]
struct Ref {
    storage: usize,
    chain: Vec<Step>,
}

/// Functionalizes one `func.func`; `Ok(false)` when it holds no reference.
pub fn functionalize_function(ctx: &mut Context, func: OpId, state: &mut PassState) -> PassResult {
    if !mentions_refs(ctx, func) {
        return Ok(false);
    }
    let Some(body) = ctx.body_block(func) else {
        return Ok(false);
    };
    let errors = precheck(ctx, func, body);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut walk = Walk {
        ctx,
        storages: Vec::new(),
        refs: FxHashMap::default(),
        cache: FxHashMap::default(),
        dead: Vec::new(),
        views: Vec::new(),
        returned: Vec::new(),
        stats: Stats::default(),
    };
    for (i, a) in walk.ctx.block_args(body).to_vec().into_iter().enumerate() {
        if let Some(t) = referent(walk.ctx, walk.ctx.value_type(a)) {
            walk.ctx.set_value_type(a, t);
            walk.new_storage(a, a, Some(i));
        }
    }
    let ops: Vec<OpId> = walk.ctx.block_ops(body).collect();
    for op in ops {
        walk.visit(op).map_err(|d| vec![d])?;
    }
    walk.erase_dead();
    edit::sync_function_type(walk.ctx, func);
    let stats = walk.stats;
    let mut sig = Signature {
        ctx: walk.ctx,
        func,
        storages: &walk.storages,
        returned: &walk.returned,
        stats,
    };
    sig.input_mutations(state);
    sig.intermediate_bases()?;
    let stats = sig.stats;
    for (name, n) in [
        ("writes", stats.writes),
        ("scatters", stats.scatters),
        ("replays", stats.replays),
        ("input-mutations", stats.input_mutations),
        ("tangents", stats.tangents),
        ("intermediate-bases", stats.intermediate_bases),
    ] {
        state.add_statistic(name, n);
    }
    Ok(true)
}

#[derive(Clone, Copy, Default)]
struct Stats {
    writes: u64,
    scatters: u64,
    replays: u64,
    input_mutations: u64,
    tangents: u64,
    intermediate_bases: u64,
}

fn is_ref_type(ctx: &Context, ty: Type) -> bool {
    referent(ctx, ty).is_some()
}

fn touches_refs(ctx: &Context, op: OpId) -> bool {
    ctx.operands(op)
        .iter()
        .chain(ctx.results(op))
        .any(|&v| is_ref_type(ctx, ctx.value_type(v)))
}

fn mentions_refs(ctx: &Context, func: OpId) -> bool {
    let args = ctx
        .body_block(func)
        .map(|b| ctx.block_args(b).to_vec())
        .unwrap_or_default();
    args.iter().any(|&a| is_ref_type(ctx, ctx.value_type(a)))
        || ctx.walk(func).into_iter().any(|op| touches_refs(ctx, op))
}

/// How an op that writes operands becomes functional.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum VariantKind {
    /// `add_.Tensor` → `aten.add.Tensor`: same operands and results; result 0 is the
    /// written `self`'s new value.
    InPlace,
    /// `atan2.out` → `aten.atan2`: the operands without the written `out`; result 0 is
    /// `out`'s new value (cast to its dtype).
    Out,
    /// `foo.ov` → `aten.foo_functional.ov`: same operands, the written operands' new
    /// values appended to the results.
    Functional,
}

/// The functional variant of an op that writes operands: its name and kind. An `out=`
/// overload (`foo.out`, `foo.Tensor_out`) maps to the catalogue's non-mutating `foo`
/// overload taking the same arguments without the written ones (PyTorch's pairing of
/// `add.out` with `add.Tensor`); `None` when the catalogue has none.
fn functional_variant(name: &str, schema: &OpSchema) -> Option<(String, VariantKind)> {
    let base = name.strip_prefix("aten.").unwrap_or(name);
    let (op, overload) = base
        .split_once('.')
        .map_or((base, None), |(o, v)| (o, Some(v)));
    let join = |op: &str| match overload {
        Some(v) => format!("aten.{op}.{v}"),
        None => format!("aten.{op}"),
    };
    if let Some(out_of_place) = op.strip_suffix('_') {
        return Some((join(out_of_place), VariantKind::InPlace));
    }
    if overload.is_some_and(|v| v == "out" || v.ends_with("_out")) {
        let read: Vec<&str> = schema
            .args
            .iter()
            .filter(|a| !a.alias.as_ref().is_some_and(|x| x.is_write))
            .map(|a| a.name.as_str())
            .collect();
        let prefix = format!("aten.{op}");
        return joinery_aten::schemas()
            .iter()
            .find(|s| {
                let n = s.op_name();
                (n == prefix || n.strip_prefix(&prefix).is_some_and(|r| r.starts_with('.')))
                    && !s.is_mutating()
                    && s.args
                        .iter()
                        .map(|a| a.name.as_str())
                        .eq(read.iter().copied())
            })
            .map(|s| (s.op_name(), VariantKind::Out));
    }
    Some((join(&format!("{op}_functional")), VariantKind::Functional))
}

/// Everything the walk would reject for what an op *is*, reported for all ops at once.
fn precheck(ctx: &Context, func: OpId, body: joinery_ir::BlockId) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    let regions = ctx.regions(func);
    let blocks = regions.first().map_or(0, |&r| ctx.region_blocks(r).len());
    if blocks > 1 {
        errors.push(
            Diagnostic::error(format!(
                "aot-functionalize handles single-block functions, but @{} has {blocks} \
                 blocks and uses !aten.ref tensors",
                ctx.symbol_name(func).unwrap_or("?")
            ))
            .with_span(ctx.span(func)),
        );
        return errors;
    }
    for op in ctx.walk(func) {
        let name = ctx.name_str(op);
        let fail = |msg: String| Diagnostic::error(msg).with_span(ctx.span(op));
        if ctx.parent_block(op) != Some(body) {
            if touches_refs(ctx, op) {
                errors.push(fail(format!(
                    "'{name}' uses an !aten.ref tensor inside a nested region, which \
                     aot-functionalize does not handle"
                )));
            }
            continue;
        }
        if name == "func.return" || name == TO_VALUE_OP.name || name == TO_REF_OP.name {
            continue;
        }
        let Some(schema) = joinery_aten::schema(name) else {
            if touches_refs(ctx, op) {
                errors.push(fail(format!(
                    "'{name}' takes or returns a mutable !aten.ref tensor, and \
                     aot-functionalize cannot tell whether it writes or aliases it; \
                     inline it or pass values"
                )));
            }
            continue;
        };
        if schema.is_mutating() {
            match functional_variant(name, schema) {
                None => errors.push(fail(format!(
                    "'{name}' writes an operand and its catalogue has no overload taking \
                     the same arguments without them"
                ))),
                Some((functional, _))
                    if joinery_aten::schema(&functional).is_none_or(OpSchema::is_mutating) =>
                {
                    errors.push(fail(format!(
                        "'{name}' writes an operand and has no functional variant \
                         '{functional}' in the aten catalogue"
                    )))
                }
                Some(_) => {}
            }
            if let Ok(groups) = operand_groups(ctx, op) {
                for (arg, values) in groups {
                    let writes = arg.alias.as_ref().is_some_and(|a| a.is_write);
                    if writes && values.iter().any(|&v| !is_ref_type(ctx, ctx.value_type(v))) {
                        errors.push(fail(format!(
                            "'{name}' writes '{}', which is a tensor value, not an !aten.ref",
                            arg.name
                        )));
                    }
                }
            }
        } else if name == "aten.reshape"
            && ctx
                .results(op)
                .iter()
                .any(|&r| is_ref_type(ctx, ctx.value_type(r)))
        {
            errors.push(fail(
                "'aten.reshape' of an !aten.ref may copy or alias depending on strides; use \
                 'aten.view' (alias) or 'aten.clone' + 'aten.view' (copy)"
                    .into(),
            ));
        }
    }
    errors
}

/// The state of the walk over the body.
struct Walk<'c> {
    ctx: &'c mut Context,
    storages: Vec<Storage>,
    refs: FxHashMap<Value, Ref>,
    /// The last value read for a reference, with the storage version it was read at.
    cache: FxHashMap<Value, (u32, Value)>,
    /// Ops replaced by others, erased at the end (their results have no uses left then).
    dead: Vec<OpId>,
    /// View ops retyped to values, erased at the end if nothing reads them.
    views: Vec<OpId>,
    /// Per returned value: its storage and whether it is a view (not the base), if it was
    /// a reference.
    returned: Vec<Option<(usize, bool)>>,
    stats: Stats,
}

impl Walk<'_> {
    fn new_storage(&mut self, reference: Value, current: Value, arg: Option<usize>) {
        self.storages.push(Storage {
            current,
            arg,
            written: false,
            version: 0,
        });
        let storage = self.storages.len() - 1;
        self.refs.insert(
            reference,
            Ref {
                storage,
                chain: Vec::new(),
            },
        );
        self.cache.insert(reference, (0, current));
    }

    fn visit(&mut self, op: OpId) -> Result<(), Diagnostic> {
        let name = self.ctx.name_str(op).to_string();
        if name == "func.return" {
            for i in 0..self.ctx.operands(op).len() {
                let v = self.ctx.operand(op, i);
                let info = self.refs.get(&v).map(|r| (r.storage, !r.chain.is_empty()));
                self.returned.push(info);
                if info.is_some() {
                    let value = self.read(v, op)?;
                    self.ctx.set_operand(op, i, value);
                }
            }
            return Ok(());
        }
        if name == TO_VALUE_OP.name {
            let value = self.read(self.ctx.operand(op, 0), op)?;
            self.ctx.replace_all_uses(self.ctx.result(op, 0), value);
            self.dead.push(op);
            return Ok(());
        }
        if name == TO_REF_OP.name {
            let (value, reference) = (self.ctx.operand(op, 0), self.ctx.result(op, 0));
            self.new_storage(reference, value, None);
            self.dead.push(op);
            return Ok(());
        }
        let Some(schema) = joinery_aten::schema(&name) else {
            return Ok(());
        };
        if schema.is_mutating() {
            self.write_op(op, &name, schema)
        } else {
            self.read_op(op, &name, schema)
        }
    }

    /// Replaces every reference operand of `op` by its current value; returns the
    /// original operands.
    fn read_operands(&mut self, op: OpId) -> Result<Vec<Value>, Diagnostic> {
        let original = self.ctx.operands(op).to_vec();
        for (i, &v) in original.iter().enumerate() {
            if self.refs.contains_key(&v) {
                let value = self.read(v, op)?;
                self.ctx.set_operand(op, i, value);
            }
        }
        Ok(original)
    }

    /// A non-mutating aten op: reads its references; a reference result is a new view of
    /// the aliased reference operand, or a fresh storage.
    fn read_op(&mut self, op: OpId, name: &str, schema: &OpSchema) -> Result<(), Diagnostic> {
        let groups = operand_groups(self.ctx, op).map_err(|e| self.error(op, e))?;
        let original = self.read_operands(op)?;
        let mut start = 0;
        let mut alias_operand: FxHashMap<String, Value> = FxHashMap::default();
        for (arg, values) in &groups {
            if let (Some(alias), [_]) = (&arg.alias, values.as_slice()) {
                alias_operand.insert(alias.set.clone(), original[start]);
            }
            start += values.len();
        }
        let attrs: Vec<(String, Attribute)> = self
            .ctx
            .attrs(op)
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        for k in 0..self.ctx.results(op).len() {
            let r = self.ctx.result(op, k);
            let Some(t) = referent(self.ctx, self.ctx.value_type(r)) else {
                continue;
            };
            self.ctx.set_value_type(r, t);
            let ret = schema.returns.get(k).or(schema.returns.last());
            let aliased = ret
                .and_then(|ret| ret.alias.as_ref())
                .and_then(|a| alias_operand.get(&a.set))
                .and_then(|v| self.refs.get(v))
                .cloned();
            match aliased {
                Some(mut info) => {
                    info.chain.push(Step {
                        op: name.to_string(),
                        attrs: attrs.clone(),
                        result: k,
                        span: self.ctx.span(op),
                    });
                    let version = self.storages[info.storage].version;
                    self.refs.insert(r, info);
                    self.cache.insert(r, (version, r));
                    self.views.push(op);
                }
                None => self.new_storage(r, r, None),
            }
        }
        Ok(())
    }

    /// An in-place op: its functional variant computes the written operands' new values,
    /// which are scattered back into their storages.
    fn write_op(&mut self, op: OpId, name: &str, schema: &OpSchema) -> Result<(), Diagnostic> {
        let (functional, kind) = functional_variant(name, schema)
            .ok_or_else(|| self.error(op, format!("'{name}' has no functional variant")))?;
        let same_results = kind != VariantKind::Functional;
        let groups = operand_groups(self.ctx, op).map_err(|e| self.error(op, e))?;
        let writes = |arg: &joinery_aten::Argument| arg.alias.as_ref().is_some_and(|a| a.is_write);
        let written: Vec<Value> = groups
            .iter()
            .filter(|(arg, _)| writes(arg))
            .flat_map(|(_, values)| values.iter().copied())
            .collect();
        let mut operands = Vec::new();
        for (arg, values) in &groups {
            if kind == VariantKind::Out && writes(arg) {
                continue;
            }
            for &v in values {
                operands.push(if self.refs.contains_key(&v) {
                    self.read(v, op)?
                } else {
                    v
                });
            }
        }
        let attrs: Vec<(String, Attribute)> = self
            .ctx
            .attrs(op)
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        let span = self.ctx.span(op);
        let f = self.build(op, &functional, &operands, attrs, span)?;
        self.stats.writes += 1;
        let n = self.ctx.results(op).len();
        let new_values: Vec<(Value, Value)> = if same_results {
            vec![(written[0], self.ctx.result(f, 0))]
        } else {
            written
                .iter()
                .enumerate()
                .map(|(j, &w)| (w, self.ctx.result(f, n + j)))
                .collect()
        };
        for (reference, value) in new_values {
            self.write(reference, value, op)?;
        }
        for k in 0..n {
            let r = self.ctx.result(op, k);
            let returns_written = schema
                .returns
                .get(k)
                .and_then(|ret| ret.alias.as_ref())
                .is_some_and(|a| a.is_write);
            if returns_written && same_results {
                let info = self.refs[&written[0]].clone();
                let cached = self.cache.get(&written[0]).copied();
                self.refs.insert(r, info);
                if let Some(c) = cached {
                    self.cache.insert(r, c);
                }
            } else if is_ref_type(self.ctx, self.ctx.value_type(r)) {
                let value = self.ctx.result(f, k);
                self.new_storage(r, value, None);
            } else {
                let value = self.ctx.result(f, k);
                self.ctx.replace_all_uses(r, value);
            }
        }
        self.dead.push(op);
        Ok(())
    }

    /// The current value of reference `r`, computed before `anchor`.
    fn read(&mut self, r: Value, anchor: OpId) -> Result<Value, Diagnostic> {
        let info = self.refs[&r].clone();
        let version = self.storages[info.storage].version;
        if let Some(&(v, value)) = self.cache.get(&r)
            && v == version
        {
            return Ok(value);
        }
        let mut value = self.storages[info.storage].current;
        for step in &info.chain {
            value = self.apply(step, value, anchor)?;
            self.stats.replays += 1;
        }
        self.cache.insert(r, (version, value));
        Ok(value)
    }

    /// Writes `value` into reference `r` before `anchor`: scatters it back along the chain.
    fn write(&mut self, r: Value, value: Value, anchor: OpId) -> Result<(), Diagnostic> {
        let info = self.refs[&r].clone();
        let target = joinery_aten::refs::value_type(self.ctx, self.ctx.value_type(r));
        let value = self.cast(value, target, anchor)?;
        let mut parents = vec![self.storages[info.storage].current];
        for step in info.chain.iter().take(info.chain.len().saturating_sub(1)) {
            let parent = *parents.last().expect("the base is a parent");
            parents.push(self.apply(step, parent, anchor)?);
            self.stats.replays += 1;
        }
        let mut new = value;
        for (step, &parent) in info.chain.iter().zip(&parents).rev() {
            new = self.invert(step, parent, new, anchor)?;
            self.stats.scatters += 1;
        }
        let storage = &mut self.storages[info.storage];
        storage.current = new;
        storage.version += 1;
        storage.written = true;
        let version = storage.version;
        self.cache.insert(r, (version, value));
        Ok(())
    }

    /// Converts `value` to `target`'s dtype when an in-place op computed in another one
    /// (PyTorch casts the result back into the written tensor).
    fn cast(&mut self, value: Value, target: Type, anchor: OpId) -> Result<Value, Diagnostic> {
        let have = TensorInfo::from_type(self.ctx, self.ctx.value_type(value));
        let want = TensorInfo::from_type(self.ctx, target);
        match (have, want) {
            (Some(h), Some(w)) if h.dtype != w.dtype => {
                let element = self.ctx.dtype_type(w.dtype);
                let dtype = self.ctx.type_attr(element);
                let span = self.ctx.span(anchor);
                let op = self.build(
                    anchor,
                    "aten._to_copy",
                    &[value],
                    vec![("dtype".into(), dtype)],
                    span,
                )?;
                Ok(self.ctx.result(op, 0))
            }
            _ => Ok(value),
        }
    }

    /// Applies one view step to `value`.
    fn apply(&mut self, step: &Step, value: Value, anchor: OpId) -> Result<Value, Diagnostic> {
        let op = self.build(anchor, &step.op, &[value], step.attrs.clone(), step.span)?;
        Ok(self.ctx.result(op, step.result))
    }

    /// The parent with the view `step` of it replaced by `new`.
    fn invert(
        &mut self,
        step: &Step,
        parent: Value,
        new: Value,
        anchor: OpId,
    ) -> Result<Value, Diagnostic> {
        let fail = |msg: String| Diagnostic::error(msg).with_span(step.span);
        let int = |ctx: &Context, key: &str, default: i64| {
            step.attrs
                .iter()
                .find(|(k, _)| k == key)
                .and_then(|(_, a)| ctx.as_i64(*a))
                .unwrap_or(default)
        };
        let (name, operands, attrs): (&str, Vec<Value>, Vec<(String, Attribute)>) = match step
            .op
            .as_str()
        {
            "aten.slice.Tensor" => ("aten.slice_scatter", vec![parent, new], step.attrs.clone()),
            "aten.select.int" => ("aten.select_scatter", vec![parent, new], step.attrs.clone()),
            "aten.as_strided" => (
                "aten.as_strided_scatter",
                vec![parent, new],
                step.attrs.clone(),
            ),
            "aten.split.Tensor" | "aten.split_with_sizes" => {
                let shape = self.static_shape(parent).ok_or_else(|| {
                    fail(format!(
                        "cannot write through '{}' of a tensor with dynamic dims",
                        step.op
                    ))
                })?;
                let rank = shape.len() as i64;
                let dim = int(self.ctx, "dim", 0);
                let d = if dim < 0 { dim + rank } else { dim } as usize;
                let extent = shape.get(d).copied().unwrap_or(0);
                let sizes: Vec<i64> = if step.op == "aten.split.Tensor" {
                    let s = int(self.ctx, "split_size", 1).max(1);
                    (0..extent)
                        .step_by(s as usize)
                        .map(|o| s.min(extent - o))
                        .collect()
                } else {
                    step.attrs
                        .iter()
                        .find(|(k, _)| k == "split_sizes")
                        .and_then(|(_, a)| self.ctx.as_array(*a))
                        .map(|items| items.iter().filter_map(|&i| self.ctx.as_i64(i)).collect())
                        .unwrap_or_default()
                };
                let start: i64 = sizes.iter().take(step.result).sum();
                let end = start + sizes.get(step.result).copied().unwrap_or(0);
                let attrs = vec![
                    ("dim".to_string(), self.ctx.integer_attr(dim, 64)),
                    ("start".to_string(), self.ctx.integer_attr(start, 64)),
                    ("end".to_string(), self.ctx.integer_attr(end, 64)),
                ];
                ("aten.slice_scatter", vec![parent, new], attrs)
            }
            "aten.view" | "aten._unsafe_view" | "aten.squeeze" | "aten.squeeze.dim"
            | "aten.squeeze.dims" => {
                let shape = self.static_shape(parent).ok_or_else(|| {
                    fail(format!(
                        "cannot write through '{}' of a tensor with dynamic dims: the \
                             inverse view needs the base's static shape",
                        step.op
                    ))
                })?;
                let items = shape
                    .iter()
                    .map(|&n| self.ctx.integer_attr(n, 64))
                    .collect();
                let size = self.ctx.array_attr(items);
                ("aten.view", vec![new], vec![("size".into(), size)])
            }
            "aten.t" | "aten.transpose.int" => (step.op.as_str(), vec![new], step.attrs.clone()),
            "aten.permute" => {
                let dims: Vec<i64> = step
                    .attrs
                    .iter()
                    .find(|(k, _)| k == "dims")
                    .and_then(|(_, a)| self.ctx.as_array(*a))
                    .map(|items| items.iter().filter_map(|&i| self.ctx.as_i64(i)).collect())
                    .unwrap_or_default();
                let rank = dims.len() as i64;
                let mut inverse = vec![0i64; dims.len()];
                for (i, &d) in dims.iter().enumerate() {
                    let d = if d < 0 { d + rank } else { d };
                    if let Some(slot) = inverse.get_mut(d as usize) {
                        *slot = i as i64;
                    }
                }
                let items = inverse
                    .iter()
                    .map(|&n| self.ctx.integer_attr(n, 64))
                    .collect();
                let dims = self.ctx.array_attr(items);
                ("aten.permute", vec![new], vec![("dims".into(), dims)])
            }
            "aten.unsqueeze" => {
                let dim = self.ctx.integer_attr(int(self.ctx, "dim", 0), 64);
                ("aten.squeeze.dim", vec![new], vec![("dim".into(), dim)])
            }
            "aten.alias" | "aten.detach" => return Ok(new),
            "aten.expand" => {
                return Err(fail(
                    "cannot write through 'aten.expand': an expanded view holds one element \
                         in several places (PyTorch rejects such in-place writes too)"
                        .into(),
                ));
            }
            other => {
                return Err(fail(format!(
                    "cannot write through '{other}': aot-functionalize knows no inverse of it"
                )));
            }
        };
        let op = self.build(anchor, name, &operands, attrs, step.span)?;
        Ok(self.ctx.result(op, 0))
    }

    fn static_shape(&self, v: Value) -> Option<Vec<i64>> {
        let (shape, _) = self.ctx.tensor_parts(self.ctx.value_type(v))?;
        shape
            .iter()
            .map(|d| match d {
                Dim::Static(n) => Some(*n as i64),
                Dim::Dynamic => None,
            })
            .collect()
    }

    /// Builds an aten op with inferred result types before `anchor`.
    fn build(
        &mut self,
        anchor: OpId,
        name: &str,
        operands: &[Value],
        attrs: Vec<(String, Attribute)>,
        span: Option<Span>,
    ) -> Result<OpId, Diagnostic> {
        let mut b = Builder::new(self.ctx, InsertPoint::Before(anchor));
        let op = joinery_aten::build(&mut b, name, operands, attrs)
            .map_err(|e| Diagnostic::error(e).with_span(span))?;
        self.ctx.set_span(op, span);
        Ok(op)
    }

    fn error(&self, op: OpId, message: String) -> Diagnostic {
        Diagnostic::error(message).with_span(self.ctx.span(op))
    }

    /// Erases replaced ops, then view ops whose values nothing reads.
    fn erase_dead(&mut self) {
        for &op in self.dead.iter().rev() {
            if self.ctx.results(op).iter().all(|&r| self.ctx.is_unused(r)) {
                self.ctx.erase_op(op);
            }
        }
        for &op in self.views.iter().rev() {
            if !self.ctx.is_erased(op)
                && self.ctx.results(op).iter().all(|&r| self.ctx.is_unused(r))
            {
                self.ctx.erase_op(op);
            }
        }
    }
}

/// The signature rewrite after the walk: input mutations, their tangents, intermediate
/// bases.
struct Signature<'a> {
    ctx: &'a mut Context,
    func: OpId,
    storages: &'a [Storage],
    returned: &'a [Option<(usize, bool)>],
    stats: Stats,
}

impl Signature<'_> {
    fn descs(&self) -> FuncDescriptors {
        FuncDescriptors::read(self.ctx, self.func).unwrap_or(FuncDescriptors {
            args: Vec::new(),
            results: Vec::new(),
        })
    }

    fn desc_dict(&mut self, desc: Attribute) -> Attribute {
        self.ctx.dictionary_attr(vec![(DESC_KEY.to_string(), desc)])
    }

    fn is_joint(descs: &FuncDescriptors) -> bool {
        descs
            .results
            .iter()
            .filter_map(|s| s.desc())
            .any(|d| matches!(d.kind(), DescKind::Grad | DescKind::NoneGrad))
            || descs
                .args
                .iter()
                .filter_map(|s| s.desc())
                .any(|d| d.kind() == DescKind::Tangent)
    }

    fn input_mutations(&mut self, state: &mut PassState) {
        let written: Vec<(usize, Value)> = {
            let mut w: Vec<(usize, Value)> = self
                .storages
                .iter()
                .filter(|s| s.written)
                .filter_map(|s| Some((s.arg?, s.current)))
                .collect();
            w.sort_by_key(|&(i, _)| i);
            w
        };
        let mut leading = 0;
        for (i, value) in written {
            let descs = self.descs();
            let Some(desc) = descs.args.get(i).and_then(|s| s.desc()).cloned() else {
                if !descs.has_any() {
                    let empty = self.ctx.dictionary_attr(Vec::new());
                    edit::insert_result(self.ctx, self.func, leading, value, empty);
                    leading += 1;
                    self.stats.input_mutations += 1;
                }
                continue;
            };
            let mutation = AotOutput::InputMutation {
                mutated_input: Box::new(desc.clone()),
            };
            if descs.results.iter().any(|s| s.desc() == Some(&mutation)) {
                continue;
            }
            let arg_index = |d: &AotInput| descs.args.iter().position(|s| s.desc() == Some(d));
            let at = descs
                .results
                .iter()
                .position(|s| match s.desc() {
                    Some(AotOutput::ForwardToken { .. }) => false,
                    Some(AotOutput::InputMutation { mutated_input }) => {
                        arg_index(mutated_input).is_none_or(|j| j > i)
                    }
                    _ => true,
                })
                .unwrap_or(descs.results.len());
            let attr = mutation.to_attr(self.ctx);
            let dict = self.desc_dict(attr);
            edit::insert_result(self.ctx, self.func, at, value, dict);
            self.stats.input_mutations += 1;
            let grad = AotOutput::Grad {
                grad_of: Box::new(desc.clone()),
            };
            if Self::is_joint(&descs) && descs.results.iter().any(|s| s.desc() == Some(&grad)) {
                self.add_tangent(i, &desc, mutation, value, state);
            }
        }
    }

    fn add_tangent(
        &mut self,
        i: usize,
        desc: &AotInput,
        mutation: AotOutput,
        value: Value,
        state: &mut PassState,
    ) {
        let descs = self.descs();
        let tangent = AotInput::Tangent {
            output: Box::new(mutation),
        };
        if descs.args.iter().any(|s| s.desc() == Some(&tangent)) {
            return;
        }
        let arg_index = |d: &AotInput| descs.args.iter().position(|s| s.desc() == Some(d));
        let is_tangent = |s: &joinery_aot::Slot<AotInput>| {
            s.desc().is_some_and(|d| d.kind() == DescKind::Tangent)
        };
        let first_later = descs.args.iter().position(|s| match s.desc() {
            Some(AotInput::Tangent { output }) => match output.as_ref() {
                AotOutput::InputMutation { mutated_input } => {
                    arg_index(mutated_input).is_none_or(|j| j > i)
                }
                _ => true,
            },
            _ => false,
        });
        let at = first_later.unwrap_or_else(|| {
            descs
                .args
                .iter()
                .rposition(is_tangent)
                .map_or(descs.args.len(), |j| j + 1)
        });
        let ty = self.ctx.value_type(value);
        let attr = tangent.to_attr(self.ctx);
        let dict = self.desc_dict(attr);
        edit::insert_argument(self.ctx, self.func, at, ty, dict);
        self.stats.tangents += 1;
        state.emit(
            Diagnostic::warning(format!(
                "argument {i} ({}) is written and has a gradient slot: added tangent argument \
                 {at} for its new value, but this joint's backward was traced without it and \
                 ignores it",
                desc.expr()
            ))
            .with_span(self.ctx.span(self.func)),
        );
    }

    fn intermediate_bases(&mut self) -> Result<(), Vec<Diagnostic>> {
        let mut groups: Vec<(usize, Vec<usize>, bool)> = Vec::new();
        for (j, info) in self.returned.iter().enumerate() {
            let Some((storage, is_view)) = *info else {
                continue;
            };
            if self.storages[storage].arg.is_some() {
                continue;
            }
            match groups.iter_mut().find(|(s, _, _)| *s == storage) {
                Some((_, members, base_returned)) => {
                    members.push(j);
                    *base_returned |= !is_view;
                }
                None => groups.push((storage, vec![j], !is_view)),
            }
        }
        let mut errors = Vec::new();
        for (storage, members, base_returned) in groups {
            if members.len() < 2 || base_returned {
                continue;
            }
            let descs = self.descs();
            if !descs.has_any() {
                continue;
            }
            // Results were inserted before the original ones only as input mutations,
            // which precede every plain output: shift by their number.
            let shift = self.stats.input_mutations as usize;
            let first = members[0] + shift;
            let Some(first_desc) = descs.results.get(first).and_then(|s| s.desc()).cloned() else {
                continue;
            };
            let base = AotOutput::IntermediateBase {
                base_of: Box::new(first_desc.clone()),
            };
            if descs.results.iter().any(|s| s.desc() == Some(&base)) {
                continue;
            }
            if Self::is_joint(&descs) {
                errors.push(
                    Diagnostic::error(format!(
                        "results {} alias one intermediate, so PyTorch returns its base as \
                         #aot.intermediate_base<{}> with a tangent, which this joint lacks; \
                         re-export it or functionalize before building the joint",
                        members
                            .iter()
                            .map(|m| (m + shift).to_string())
                            .collect::<Vec<_>>()
                            .join(", "),
                        first_desc.kind().class_name()
                    ))
                    .with_span(self.ctx.span(self.func)),
                );
                continue;
            }
            let at = descs
                .results
                .iter()
                .rposition(|s| {
                    s.desc().is_some_and(|d| {
                        matches!(
                            d.kind(),
                            DescKind::ForwardTokenOut
                                | DescKind::InputMutation
                                | DescKind::PlainOut
                                | DescKind::MetadataMutation
                                | DescKind::IntermediateBase
                        )
                    })
                })
                .map_or(0, |j| j + 1);
            let value = self.storages[storage].current;
            let attr = base.to_attr(self.ctx);
            let dict = self.desc_dict(attr);
            edit::insert_result(self.ctx, self.func, at, value, dict);
            self.stats.intermediate_bases += 1;
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}
