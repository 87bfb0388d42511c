//! The walk over one function: each selected composite op is replaced by the ops its
//! rule builds, or left alone (reported under `strict`).

use crate::emit::{Emitter, Refusal};
use crate::rules::{DECOMPOSITIONS, Decomposition, decomposition};
use joinery_ir::{Context, Diagnostic, OpId, OpName, ValueDef};
use joinery_pass::{PassResult, PassState};

/// Which ops to decompose and what to do with those that cannot be.
#[derive(Clone, Debug, Default)]
pub struct DecomposeOptions {
    /// IR names of the ops to decompose (`aten._softmax`); empty: every op of the table.
    pub ops: Vec<String>,
    /// Report an op that cannot be decomposed as an error instead of leaving it alone.
    pub strict: bool,
}

impl DecomposeOptions {
    /// The selected decompositions, or an error naming an op the pass does not decompose.
    fn selection(&self) -> Result<Vec<&'static Decomposition>, String> {
        if self.ops.is_empty() {
            return Ok(DECOMPOSITIONS.iter().collect());
        }
        self.ops
            .iter()
            .map(|name| {
                let full = if name.starts_with("aten.") {
                    name.clone()
                } else {
                    format!("aten.{name}")
                };
                decomposition(&full).ok_or_else(|| {
                    format!(
                        "aten-decompose has no decomposition of '{full}' (ops=...); it decomposes {}",
                        DECOMPOSITIONS
                            .iter()
                            .map(|d| d.op)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })
            })
            .collect()
    }
}

/// What one run did, for the pass statistics.
#[derive(Clone, Copy, Default, Debug)]
struct Counts {
    decomposed: u64,
    created: u64,
    left_alone: u64,
}

/// Decomposes the selected composite ops of one `func.func` (or of any op's regions).
pub fn decompose_function(
    ctx: &mut Context,
    func: OpId,
    options: &DecomposeOptions,
    state: &mut PassState,
) -> PassResult {
    let selection = options
        .selection()
        .map_err(|e| vec![Diagnostic::error(e).with_span(ctx.span(func))])?;
    let selection: Vec<(OpName, &'static Decomposition)> = selection
        .into_iter()
        .map(|d| (ctx.op_name(d.op), d))
        .collect();
    let targets: Vec<(OpId, &'static Decomposition)> = ctx
        .walk(func)
        .into_iter()
        .filter_map(|op| {
            let name = ctx.name(op);
            selection
                .iter()
                .find(|(n, _)| *n == name)
                .map(|&(_, d)| (op, d))
        })
        .collect();
    let mut counts = Counts::default();
    let mut errors = Vec::new();
    for (op, d) in targets {
        match decompose_op(ctx, op, d) {
            Ok(created) => {
                counts.decomposed += 1;
                counts.created += created;
            }
            Err(refusal) => {
                counts.left_alone += 1;
                if options.strict || matches!(refusal, Refusal::Internal(_)) {
                    errors.push(
                        Diagnostic::error(format!("cannot decompose '{}': {refusal}", d.op))
                            .with_span(ctx.span(op)),
                    );
                }
            }
        }
    }
    state.add_statistic("decomposed", counts.decomposed);
    state.add_statistic("created", counts.created);
    state.add_statistic("left-alone", counts.left_alone);
    if errors.is_empty() {
        Ok(counts.decomposed > 0)
    } else {
        Err(errors)
    }
}

/// Replaces `op` by the ops of its rule; returns how many ops stay in the IR. On a refusal
/// every op the rule built is erased again and `op` is untouched.
pub fn decompose_op(ctx: &mut Context, op: OpId, d: &Decomposition) -> Result<u64, Refusal> {
    let mut e = Emitter::new(ctx, op);
    let outcome = (d.rule)(&mut e, op)
        .and_then(|replacements| with_nones(&mut e, op, replacements))
        .and_then(|replacements| check(&e, op, &replacements).map(|()| replacements));
    let created = std::mem::take(&mut e.created);
    let replacements = match outcome {
        Ok(r) => r,
        Err(refusal) => {
            for &new in created.iter().rev() {
                ctx.erase_op(new);
            }
            return Err(refusal);
        }
    };
    let results = ctx.results(op).to_vec();
    for (&old, new) in results.iter().zip(&replacements) {
        if let Some(new) = *new {
            ctx.replace_all_uses(old, new);
        }
    }
    let names: Vec<Option<String>> = results
        .iter()
        .map(|&r| ctx.value_name(r).map(str::to_string))
        .collect();
    ctx.erase_op(op);
    // The replacement of a named result takes its name, when the rule made it; the names
    // `%r#i` of a result group (`%r:3`) would print as a group again, so they are not kept.
    for (new, name) in replacements.iter().zip(names) {
        if let (Some(new), Some(name)) = (*new, name)
            && !name.contains('#')
            && ctx.value_name(new).is_none()
            && matches!(ctx.value_def(new), ValueDef::OpResult { op, .. } if created.contains(&op))
        {
            ctx.set_value_name(new, Some(&name));
        }
    }
    // Ops of the rule that only fed results nothing uses (a total_weight nobody reads).
    let mut kept = created.len() as u64;
    for &new in created.iter().rev() {
        if ctx.results(new).iter().all(|&r| ctx.is_unused(r)) {
            ctx.erase_op(new);
            kept -= 1;
        }
    }
    Ok(kept)
}

/// A used `none` result the rule leaves alone (a gradient `output_mask` turns off) becomes
/// an `aot.none` value.
fn with_nones(
    e: &mut Emitter,
    op: OpId,
    mut replacements: Vec<Option<joinery_ir::Value>>,
) -> Result<Vec<Option<joinery_ir::Value>>, Refusal> {
    let results = e.ctx.results(op).to_vec();
    for (slot, &old) in replacements.iter_mut().zip(&results) {
        let ty = e.ctx.value_type(old);
        if slot.is_none()
            && !e.ctx.is_unused(old)
            && *e.ctx.type_data(ty) == joinery_ir::TypeData::None
        {
            *slot = Some(e.none_value());
        }
    }
    Ok(replacements)
}

/// Each replacement has exactly the type of the result it replaces, and results without a
/// replacement are unused.
fn check(e: &Emitter, op: OpId, replacements: &[Option<joinery_ir::Value>]) -> Result<(), Refusal> {
    let results = e.ctx.results(op);
    if replacements.len() != results.len() {
        return Err(Refusal::Internal(format!(
            "{} replacements for {} results",
            replacements.len(),
            results.len()
        )));
    }
    for (i, (&old, new)) in results.iter().zip(replacements).enumerate() {
        match new {
            Some(new) if e.ctx.value_type(*new) != e.ctx.value_type(old) => {
                let (was, now) = (e.info(old), e.info(*new));
                let message = format!("result #{i} would change type from {was} to {now}");
                // A declared `?` where inference knows the size is valid IR, not a bug.
                return Err(if was.is_compatible(&now) {
                    Refusal::Unsupported(message)
                } else {
                    Refusal::Internal(message)
                });
            }
            None if !e.ctx.is_unused(old) => {
                return Err(Refusal::Internal(format!(
                    "result #{i} is used but not computed"
                )));
            }
            _ => {}
        }
    }
    Ok(())
}
