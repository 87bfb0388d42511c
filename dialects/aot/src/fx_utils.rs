//! PyTorch's `fx_utils` queries (descriptors.md §3) over a `func.func` with descriptors, and
//! a readable descriptor table. Slots are found by descriptor, never by SSA name.
//!
//! Like PyTorch, every query fails when a subclass piece is present: with subclasses the
//! correspondence between primals, tangents, gradients and FQNs is not one-to-one.

use crate::descriptor::{AotInput, AotOutput};
use crate::signature::{FuncDescriptors, Slot, body_args, returned_values};
use joinery_ir::{Context, OpId, Value};

/// A differentiable argument and its gradient slot (`get_all_input_and_grad_nodes`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct InputAndGrad {
    /// The argument's descriptor.
    pub input: AotInput,
    /// The argument's position.
    pub arg_index: usize,
    /// The argument itself.
    pub arg: Value,
    /// The result holding its `#aot.grad`, if any (`#aot.none_grad` slots count as none).
    pub grad: Option<usize>,
    /// The value returned in that result.
    pub grad_value: Option<Value>,
}

/// A differentiable result and its tangent (`get_all_output_and_tangent_nodes`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct OutputAndTangent {
    /// The result's descriptor.
    pub output: AotOutput,
    /// The result's position.
    pub result_index: usize,
    /// The value returned in that result.
    pub value: Value,
    /// The argument holding its `#aot.tangent`, if any.
    pub tangent: Option<usize>,
    /// That argument itself.
    pub tangent_value: Option<Value>,
}

/// A function's descriptors with its body values, checked for the queries.
struct Query<'a> {
    descs: FuncDescriptors,
    args: &'a [Value],
    returned: &'a [Value],
}

impl<'a> Query<'a> {
    fn new(ctx: &'a Context, func: OpId) -> Result<Query<'a>, String> {
        let name = ctx.symbol_name(func).unwrap_or("<anonymous>");
        let descs = FuncDescriptors::read(ctx, func)
            .ok_or_else(|| format!("@{name} is not a function with a function_type"))?;
        let (Some(args), Some(returned)) = (body_args(ctx, func), returned_values(ctx, func))
        else {
            return Err(format!("@{name} has no body"));
        };
        if returned.len() != descs.results.len() {
            return Err(format!(
                "@{name} returns {} values but its type has {} results",
                returned.len(),
                descs.results.len()
            ));
        }
        if let Some((is_arg, i, kind)) = descs.first_subclass_piece() {
            return Err(format!(
                "{} {i} of @{name} is a subclass piece (#aot.{kind}): primals, tangents, \
                 gradients and FQNs are not 1-1 with subclasses, so fx_utils queries are undefined",
                if is_arg { "argument" } else { "result" }
            ));
        }
        let slot_error = |what: &str, i: usize, missing: bool| {
            format!(
                "{what} {i} of @{name} has {} descriptor",
                if missing { "no" } else { "an invalid" }
            )
        };
        for (i, s) in descs.args.iter().enumerate() {
            if s.desc().is_none() {
                return Err(slot_error("argument", i, *s == Slot::Missing));
            }
        }
        for (i, s) in descs.results.iter().enumerate() {
            if s.desc().is_none() {
                return Err(slot_error("result", i, *s == Slot::Missing));
            }
        }
        Ok(Query {
            descs,
            args,
            returned,
        })
    }

    fn inputs(&self) -> impl Iterator<Item = (usize, &AotInput)> {
        self.descs
            .args
            .iter()
            .enumerate()
            .filter_map(|(i, s)| Some((i, s.desc()?)))
    }

    fn outputs(&self) -> impl Iterator<Item = (usize, &AotOutput)> {
        self.descs
            .results
            .iter()
            .enumerate()
            .filter_map(|(i, s)| Some((i, s.desc()?)))
    }
}

/// Every differentiable argument (tangents included) with the result holding its gradient,
/// in argument order. Fails on subclass pieces or a primal with two gradients.
pub fn all_input_and_grad(ctx: &Context, func: OpId) -> Result<Vec<InputAndGrad>, String> {
    let q = Query::new(ctx, func)?;
    let mut grads: Vec<(&AotInput, usize)> = Vec::new();
    for (i, d) in q.outputs() {
        if let AotOutput::Grad { grad_of } = d {
            if let Some((_, j)) = grads.iter().find(|(g, _)| *g == &**grad_of) {
                return Err(format!(
                    "{} has two gradients: results {j} and {i}",
                    grad_of.expr()
                ));
            }
            grads.push((grad_of, i));
        }
    }
    Ok(q.inputs()
        .filter(|(_, d)| d.is_differentiable())
        .map(|(i, d)| {
            let grad = grads.iter().find(|(g, _)| *g == d).map(|&(_, j)| j);
            InputAndGrad {
                input: d.clone(),
                arg_index: i,
                arg: q.args[i],
                grad,
                grad_value: grad.map(|j| q.returned[j]),
            }
        })
        .collect())
}

/// Every differentiable result (gradients included) with the argument holding its tangent,
/// in result order. Fails on subclass pieces or an output with two tangents.
pub fn all_output_and_tangent(ctx: &Context, func: OpId) -> Result<Vec<OutputAndTangent>, String> {
    let q = Query::new(ctx, func)?;
    let mut tangents: Vec<(&AotOutput, usize)> = Vec::new();
    for (i, d) in q.inputs() {
        if let AotInput::Tangent { output } = d {
            if let Some((_, j)) = tangents.iter().find(|(o, _)| *o == &**output) {
                return Err(format!(
                    "{} has two tangents: arguments {j} and {i}",
                    output.expr()
                ));
            }
            tangents.push((output, i));
        }
    }
    Ok(q.outputs()
        .filter(|(_, d)| d.is_differentiable())
        .map(|(i, d)| {
            let tangent = tangents.iter().find(|(o, _)| *o == d).map(|&(_, j)| j);
            OutputAndTangent {
                output: d.clone(),
                result_index: i,
                value: q.returned[i],
                tangent,
                tangent_value: tangent.map(|j| q.args[j]),
            }
        })
        .collect())
}

/// The parameters and their gradients (`get_param_and_grad_nodes`).
pub fn param_and_grad(ctx: &Context, func: OpId) -> Result<Vec<InputAndGrad>, String> {
    let mut all = all_input_and_grad(ctx, func)?;
    all.retain(|e| matches!(e.input, AotInput::Param { .. }));
    Ok(all)
}

/// The plain inputs and their gradients (`get_plain_input_and_grad_nodes`).
pub fn plain_input_and_grad(ctx: &Context, func: OpId) -> Result<Vec<InputAndGrad>, String> {
    let mut all = all_input_and_grad(ctx, func)?;
    all.retain(|e| matches!(e.input, AotInput::Plain { .. }));
    Ok(all)
}

/// The plain outputs and their tangents (`get_plain_output_and_tangent_nodes`).
pub fn plain_output_and_tangent(
    ctx: &Context,
    func: OpId,
) -> Result<Vec<OutputAndTangent>, String> {
    let mut all = all_output_and_tangent(ctx, func)?;
    all.retain(|e| matches!(e.output, AotOutput::Plain { .. }));
    Ok(all)
}

/// FQN → argument for every parameter, in argument order (`get_named_param_nodes`).
pub fn named_params(ctx: &Context, func: OpId) -> Result<Vec<(String, Value)>, String> {
    let q = Query::new(ctx, func)?;
    Ok(q.inputs()
        .filter_map(|(i, d)| match d {
            AotInput::Param { target } => Some((target.clone(), q.args[i])),
            _ => None,
        })
        .collect())
}

/// FQN → argument for every buffer, in argument order (`get_named_buffer_nodes`).
pub fn named_buffers(ctx: &Context, func: OpId) -> Result<Vec<(String, Value)>, String> {
    let q = Query::new(ctx, func)?;
    Ok(q.inputs()
        .filter_map(|(i, d)| match d {
            AotInput::Buffer { target } => Some((target.clone(), q.args[i])),
            _ => None,
        })
        .collect())
}

/// The parameter arguments in the joint's order (`get_param_nodes`).
pub fn param_values(ctx: &Context, func: OpId) -> Result<Vec<Value>, String> {
    Ok(named_params(ctx, func)?
        .into_iter()
        .map(|(_, v)| v)
        .collect())
}

/// The buffer arguments in the joint's order (`get_buffer_nodes`).
pub fn buffer_values(ctx: &Context, func: OpId) -> Result<Vec<Value>, String> {
    Ok(named_buffers(ctx, func)?
        .into_iter()
        .map(|(_, v)| v)
        .collect())
}

/// A readable table of a function's descriptors: per argument and result its SSA name,
/// PyTorch repr, access path and the slot it pairs with (gradient, tangent, mutated input).
/// Works with subclass pieces too; pairs are found through them.
pub fn descriptor_table(ctx: &Context, func: OpId) -> String {
    let name = ctx.symbol_name(func).unwrap_or("<anonymous>");
    let Some(descs) = FuncDescriptors::read(ctx, func) else {
        return format!("@{name}: not a function\n");
    };
    let args = body_args(ctx, func).unwrap_or(&[]);
    let returned = returned_values(ctx, func).unwrap_or(&[]);
    let value_name = |v: Option<&Value>| {
        v.and_then(|&v| ctx.value_name(v))
            .map_or_else(|| "-".to_string(), |n| format!("%{n}"))
    };
    let mut rows: Vec<[String; 5]> = Vec::new();
    for (i, slot) in descs.args.iter().enumerate() {
        let (repr, expr, link) = match slot {
            Slot::Desc(d) => (d.to_string(), d.expr(), arg_link(&descs, d)),
            Slot::Missing => ("<no descriptor>".into(), String::new(), String::new()),
            Slot::Invalid => ("<invalid descriptor>".into(), String::new(), String::new()),
        };
        rows.push([
            format!("arg {i}"),
            value_name(args.get(i)),
            repr,
            expr,
            link,
        ]);
    }
    for (i, slot) in descs.results.iter().enumerate() {
        let (repr, expr, link) = match slot {
            Slot::Desc(d) => (d.to_string(), d.expr(), result_link(&descs, d)),
            Slot::Missing => ("<no descriptor>".into(), String::new(), String::new()),
            Slot::Invalid => ("<invalid descriptor>".into(), String::new(), String::new()),
        };
        rows.push([
            format!("result {i}"),
            value_name(returned.get(i)),
            repr,
            expr,
            link,
        ]);
    }
    let mut widths = [0usize; 5];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let count = |n: usize, noun: &str| format!("{n} {noun}{}", if n == 1 { "" } else { "s" });
    let mut out = format!(
        "@{name}: {}, {}\n",
        count(descs.args.len(), "argument"),
        count(descs.results.len(), "result")
    );
    for row in &rows {
        let mut line = String::from(" ");
        for (k, (cell, w)) in row.iter().zip(widths).enumerate() {
            line.push(' ');
            line.push_str(cell);
            if k + 1 < row.len() {
                line.push_str(&" ".repeat(w - cell.chars().count() + 1));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// What an argument pairs with: its gradient slot, or the result it is the tangent of.
fn arg_link(descs: &FuncDescriptors, d: &AotInput) -> String {
    if let AotInput::Tangent { output } = d.root() {
        return descs
            .result_slot_for(output)
            .map_or_else(String::new, |j| format!("tangent of result {j}"));
    }
    let slot = descs.results.iter().position(|s| {
        s.desc()
            .and_then(|o| o.root().grad_slot_of())
            .is_some_and(|p| p == d)
    });
    match (slot, slot.and_then(|j| descs.results[j].desc())) {
        (Some(j), Some(AotOutput::NoneGrad { .. })) => format!("no grad (result {j})"),
        (Some(j), _) => format!("grad in result {j}"),
        _ => String::new(),
    }
}

/// What a result pairs with: its primal, its mutated input, or its tangent.
fn result_link(descs: &FuncDescriptors, d: &AotOutput) -> String {
    let arg = |i: &AotInput, what: &str| {
        descs
            .arg_slot_for(i)
            .map_or_else(String::new, |j| format!("{what} argument {j}"))
    };
    match d.root() {
        AotOutput::Grad { grad_of } => arg(grad_of, "grad of"),
        AotOutput::NoneGrad { grad_of } => arg(grad_of, "no grad for"),
        AotOutput::InputMutation { mutated_input } => arg(mutated_input, "mutates"),
        root => {
            let tangent = descs.args.iter().position(|s| {
                s.desc().is_some_and(
                    |i| matches!(i.root(), AotInput::Tangent { output } if **output == *root),
                )
            });
            tangent.map_or_else(String::new, |j| format!("tangent in argument {j}"))
        }
    }
}
