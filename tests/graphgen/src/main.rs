//! `joinery-graphgen --seed S --count N [--max-ops K]`: writes N random graphs (see the library) as JSON
//! lines on stdout, each with its IR text, its ops as PyTorch calls, its inputs and the
//! reference interpreter's results (or the interpreter's error), for
//! `tests/torch/test_differential.py` to run in PyTorch eager and compare.

use joinery_graphgen::{Graph, MAX_OPS, StepArg, catch, generate_into, graph_seeds};
use joinery_interp::{RuntimeValue, Tensor};
use joinery_ir::Context;
use std::fmt::Write;
use std::io::Write as _;
use std::process::ExitCode;

fn usage() -> ExitCode {
    eprintln!("usage: joinery-graphgen --seed S --count N [--max-ops K]");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut seed = None;
    let mut count = None;
    let mut max_ops = MAX_OPS as u64;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let value = it.next().and_then(|v| v.parse::<u64>().ok());
        match (a.as_str(), value) {
            ("--seed", Some(v)) => seed = Some(v),
            ("--count", Some(v)) => count = Some(v),
            ("--max-ops", Some(v)) if v > 0 => max_ops = v,
            _ => return usage(),
        }
    }
    let (Some(seed), Some(count)) = (seed, count) else {
        return usage();
    };
    let mut out = std::io::stdout().lock();
    for index in 0..count {
        let line = graph_json(seed, index, max_ops as usize);
        if writeln!(out, "{line}").is_err() {
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

/// Graph `index` of the run seeded `seed`, with the interpreter's results, as one JSON line.
fn graph_json(seed: u64, index: u64, max_ops: usize) -> String {
    let mut ctx = Context::new(&[
        &joinery_func::FUNC_DIALECT,
        &joinery_arith::ARITH_DIALECT,
        &joinery_aot::AOT_DIALECT,
        &joinery_aten::ATEN_DIALECT,
    ]);
    let module = ctx.create_module();
    let name = format!("g{index}");
    let seeds = graph_seeds(seed, index, max_ops);
    let generated = catch(|| generate_into(&mut ctx, module, &name, &seeds));
    let graph = match generated {
        Ok(g) => g,
        Err(p) => {
            return format!(
                "{{\"name\":{},\"seed\":{seed},\"index\":{index},\"panic\":{}}}",
                string(&name),
                string(&format!("generating the graph (shape inference): {p}"))
            );
        }
    };
    let text = joinery_syntax::print_op(&ctx, module, &Default::default());
    let run = catch(|| joinery_interp::run_function(&ctx, module, &name, graph.inputs.clone()));
    let mut j = String::new();
    write!(
        j,
        "{{\"name\":{},\"seed\":{seed},\"index\":{index},\"mlir\":{},\"rtol\":{:?},",
        string(&name),
        string(&text),
        graph.rtol()
    )
    .expect("write to a string");
    write!(j, "\"steps\":{},", steps(&graph)).expect("write to a string");
    let inputs: Vec<String> = graph.inputs.iter().map(tensor).collect();
    write!(j, "\"inputs\":[{}],", inputs.join(",")).expect("write to a string");
    let outputs: Vec<String> = graph.outputs.iter().map(|o| o.to_string()).collect();
    write!(j, "\"outputs\":[{}],", outputs.join(",")).expect("write to a string");
    let ties: Vec<String> = graph.tie_dependent.iter().map(|o| o.to_string()).collect();
    write!(j, "\"tie_dependent\":[{}],", ties.join(",")).expect("write to a string");
    if let Some(why) = graph.pytorch_open() {
        write!(j, "\"pytorch_open\":{},", string(why)).expect("write to a string");
    }
    if let Some(why) = graph.pytorch_differs() {
        write!(j, "\"pytorch_differs\":{},", string(why)).expect("write to a string");
    }
    match run {
        Err(p) => write!(
            j,
            "\"panic\":{}}}",
            string(&format!("the interpreter: {p}"))
        )
        .expect("write to a string"),
        Ok(Ok(values)) => {
            let expected: Vec<String> = values
                .iter()
                .map(|v| match v {
                    RuntimeValue::Tensor(t) => tensor(t),
                    _ => "null".into(),
                })
                .collect();
            write!(j, "\"expected\":[{}]}}", expected.join(",")).expect("write to a string");
        }
        Ok(Err(d)) => write!(j, "\"error\":{}}}", string(&d.message)).expect("write to a string"),
    }
    j
}

fn string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A float as JSON as Python's `json` reads it (`NaN`, `Infinity`), always with a point or
/// an exponent so that it reads back as a float.
fn float(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x.is_infinite() {
        if x > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else {
        format!("{x:?}")
    }
}

fn list<T>(items: &[T], f: impl Fn(&T) -> String) -> String {
    format!("[{}]", items.iter().map(f).collect::<Vec<_>>().join(","))
}

fn tensor(t: &Tensor) -> String {
    let data = match t {
        Tensor::I64(a) => list(&a.iter().collect::<Vec<_>>(), |x| x.to_string()),
        Tensor::I32(a) => list(&a.iter().collect::<Vec<_>>(), |x| x.to_string()),
        Tensor::Bool(a) => list(&a.iter().collect::<Vec<_>>(), |x| u8::from(**x).to_string()),
        _ => list(&t.to_f64().iter().copied().collect::<Vec<_>>(), |x| {
            float(*x)
        }),
    };
    format!(
        "{{\"dtype\":\"{}\",\"shape\":{},\"data\":{data}}}",
        t.dtype().keyword(),
        list(t.shape(), |d| d.to_string())
    )
}

fn arg(a: &StepArg) -> String {
    match a {
        StepArg::Tensor(id) => format!("{{\"t\":{id}}}"),
        StepArg::Tensors(ids) => format!("{{\"ts\":{}}}", list(ids, |i| i.to_string())),
        StepArg::None => "null".into(),
        StepArg::Int(v) => v.to_string(),
        StepArg::Ints(v) => list(v, |x| x.to_string()),
        StepArg::Float(v) => float(*v),
        StepArg::Floats(v) => list(v, |x| float(*x)),
        StepArg::Bool(v) => v.to_string(),
        StepArg::Bools(v) => list(v, |x| x.to_string()),
        StepArg::DType(d) => format!("{{\"dtype\":\"{}\"}}", d.keyword()),
        StepArg::Str(s) => string(s),
    }
}

fn steps(graph: &Graph) -> String {
    list(&graph.steps, |s| {
        let args: Vec<String> = s
            .args
            .iter()
            .map(|(k, v)| format!("[{},{}]", string(k), arg(v)))
            .collect();
        format!(
            "{{\"op\":{},\"name\":{},\"overload\":{},\"args\":[{}],\"results\":{}}}",
            string(&s.op),
            string(&s.name),
            string(&s.overload),
            args.join(","),
            list(&s.results, |r| r.to_string())
        )
    })
}
