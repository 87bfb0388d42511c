//! The pass manager: nesting, failure, verify-each, IR dumps and reports.

#[path = "pass_common/mod.rs"]
mod common;

use common::*;
use joinery_ir::{Context, Diagnostic, OpId};
use joinery_pass::{
    OptionKind, Pass, PassFilter, PassInfo, PassManager, PassOptionInfo, PassRegistry, PassResult,
    PassState, register_generic_passes,
};
use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

/// Counts the ops it runs on; reports a change when asked to.
struct Count {
    changed: bool,
}
impl Pass for Count {
    fn run(&mut self, _: &mut Context, _: OpId, state: &mut PassState) -> PassResult {
        state.add_statistic("num-runs", 1);
        Ok(self.changed)
    }
}
static COUNT: PassInfo = PassInfo {
    name: "test-count",
    title: "TestCount",
    summary: "Counts the functions it runs on",
    description: "For tests.",
    anchor: Some("func.func"),
    options: &[PassOptionInfo {
        name: "changed",
        kind: OptionKind::Bool,
        default: "false",
        help: "Report a change",
    }],
    statistics: &[("num-runs", "Number of runs"), ("a-first", "Sorts first")],
    constructor: |o| {
        Box::new(Count {
            changed: o.bool("changed"),
        })
    },
};

/// Always fails.
struct Fail;
impl Pass for Fail {
    fn run(&mut self, _: &mut Context, _: OpId, state: &mut PassState) -> PassResult {
        state.emit(Diagnostic::warning("about to fail"));
        Err(vec![Diagnostic::error("test-fail failed")])
    }
}
static FAIL: PassInfo = PassInfo {
    name: "test-fail",
    title: "TestFail",
    summary: "Fails",
    description: "For tests.",
    anchor: None,
    options: &[],
    statistics: &[],
    constructor: |_| Box::new(Fail),
};

/// Erases the terminator of a function: invalid IR.
struct Break;
impl Pass for Break {
    fn run(&mut self, ctx: &mut Context, op: OpId, _: &mut PassState) -> PassResult {
        let body = ctx.body_block(op).unwrap();
        let last = ctx.last_op(body).unwrap();
        ctx.erase_op(last);
        Ok(true)
    }
}
static BREAK: PassInfo = PassInfo {
    name: "test-break",
    title: "TestBreak",
    summary: "Breaks functions",
    description: "For tests.",
    anchor: Some("func.func"),
    options: &[],
    statistics: &[],
    constructor: |_| Box::new(Break),
};

fn registry() -> PassRegistry {
    let mut r = PassRegistry::new();
    register_generic_passes(&mut r);
    r.register(&COUNT);
    r.register(&FAIL);
    r.register(&BREAK);
    r
}

/// A module with functions @a and @b, each returning its argument after a dead `test.neg`.
fn module(ctx: &mut Context) -> OpId {
    let module = ctx.create_module();
    let i64 = i64_type(ctx);
    for name in ["a", "b"] {
        let (_, b) = add_func(ctx, module, name, &[i64], &[i64], false);
        let x = ctx.block_args(b)[0];
        op1(ctx, b, "test.neg", &[x]);
        ret(ctx, b, &[x]);
    }
    module
}

#[derive(Clone, Default)]
struct Sink(Rc<RefCell<Vec<u8>>>);
impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
impl Sink {
    fn text(&self) -> String {
        String::from_utf8(self.0.borrow().clone()).unwrap()
    }
}

#[test]
fn nested_pipelines_run_on_every_matching_op() {
    let mut ctx = context();
    let m = module(&mut ctx);
    let mut pm = PassManager::parse(
        &registry(),
        "builtin.module(func.func(test-count,test-count))",
    )
    .unwrap();
    pm.run(&mut ctx, m).unwrap();
    pm.run(&mut ctx, m).unwrap();
    assert_eq!(
        pm.statistics_report(),
        "===-------------------------------------------------------------------------===\n\
         \x20                        ... Pass statistics report ...\n\
         ===-------------------------------------------------------------------------===\n\
         'func.func' Pipeline\n\
         \x20 TestCount\n\
         \x20   (S) 0 a-first  - Sorts first\n\
         \x20   (S) 4 num-runs - Number of runs\n\
         \x20 TestCount\n\
         \x20   (S) 0 a-first  - Sorts first\n\
         \x20   (S) 4 num-runs - Number of runs\n"
    );
}

#[test]
fn root_anchor_must_match() {
    let mut ctx = context();
    let m = module(&mut ctx);
    let f = ctx.first_op(ctx.body_block(m).unwrap()).unwrap();
    let mut pm = PassManager::parse(&registry(), "builtin.module(cse)").unwrap();
    let err = pm.run(&mut ctx, f).unwrap_err();
    assert_eq!(
        err[0].message,
        "can't run a 'builtin.module' pass manager on a 'func.func' op"
    );
    let mut any = PassManager::parse(&registry(), "any(cse)").unwrap();
    assert!(any.run(&mut ctx, f).is_ok());
}

#[test]
fn a_failing_pass_stops_the_pipeline() {
    let mut ctx = context();
    let m = module(&mut ctx);
    let mut pm = PassManager::parse(
        &registry(),
        "builtin.module(test-fail,func.func(test-count))",
    )
    .unwrap();
    let diags = pm.run(&mut ctx, m).unwrap_err();
    assert_eq!(diags.len(), 2);
    assert_eq!(diags[0].message, "about to fail");
    assert_eq!(diags[1].message, "test-fail failed");
    assert!(pm.statistics_report().contains("(S) 0 num-runs"));
}

#[test]
fn verify_each_reports_the_pass_that_broke_the_ir() {
    let mut ctx = context();
    let m = module(&mut ctx);
    let mut pm = PassManager::parse(
        &registry(),
        "builtin.module(func.func(test-break,test-count))",
    )
    .unwrap();
    let diags = pm.run(&mut ctx, m).unwrap_err();
    assert!(!diags.is_empty());
    assert!(diags.iter().all(Diagnostic::is_error));
    assert_eq!(
        diags[0].notes.last().unwrap().message,
        "the IR is invalid after pass 'test-break'"
    );
    assert!(
        pm.statistics_report().contains("(S) 0 num-runs"),
        "stopped before test-count"
    );

    let mut ctx = context();
    let m = module(&mut ctx);
    let mut pm = PassManager::parse(
        &registry(),
        "builtin.module(func.func(test-break,test-count))",
    )
    .unwrap();
    pm.verify_each = false;
    assert!(pm.run(&mut ctx, m).is_ok());
}

#[test]
fn ir_dumps_have_mlir_headers() {
    let mut ctx = context();
    let m = module(&mut ctx);
    let sink = Sink::default();
    let mut pm =
        PassManager::parse(&registry(), "builtin.module(func.func(test-count),dce)").unwrap();
    pm.ir_printing.before = PassFilter::Only(vec!["test-count".into()]);
    pm.ir_printing.after = PassFilter::All;
    pm.dump_sink = Box::new(sink.clone());
    pm.run(&mut ctx, m).unwrap();
    let text = sink.text();
    let headers: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("// -----//"))
        .collect();
    assert_eq!(
        headers,
        [
            "// -----// IR Dump Before TestCount (test-count) ('func.func' operation: @a) //----- //",
            "// -----// IR Dump After TestCount (test-count) ('func.func' operation: @a) //----- //",
            "// -----// IR Dump Before TestCount (test-count) ('func.func' operation: @b) //----- //",
            "// -----// IR Dump After TestCount (test-count) ('func.func' operation: @b) //----- //",
            "// -----// IR Dump After DCE (dce) //----- //",
        ]
    );
    let after_dce = &text[text.find("After DCE").unwrap()..];
    assert!(!after_dce.contains("test.neg"), "{after_dce}");
    assert!(text.contains("test.neg"), "{text}");
}

#[test]
fn after_change_dumps_only_changed_ir() {
    let mut ctx = context();
    let m = module(&mut ctx);
    let sink = Sink::default();
    let mut pm = PassManager::parse(
        &registry(),
        "builtin.module(cse,func.func(test-count{changed=true}),dce,dce)",
    )
    .unwrap();
    pm.ir_printing.after_change = true;
    pm.ir_printing.module_scope = true;
    pm.dump_sink = Box::new(sink.clone());
    pm.run(&mut ctx, m).unwrap();
    let text = sink.text();
    let headers: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("// -----//"))
        .collect();
    assert_eq!(
        headers,
        [
            "// -----// IR Dump After TestCount (test-count) //----- //",
            "// -----// IR Dump After TestCount (test-count) //----- //",
            "// -----// IR Dump After DCE (dce) //----- //",
        ]
    );
}

#[test]
fn failed_pass_dumps_when_asked() {
    let mut ctx = context();
    let m = module(&mut ctx);
    let sink = Sink::default();
    let mut pm = PassManager::parse(&registry(), "builtin.module(test-fail)").unwrap();
    pm.ir_printing.after_failure = true;
    pm.dump_sink = Box::new(sink.clone());
    assert!(pm.run(&mut ctx, m).is_err());
    assert!(
        sink.text()
            .starts_with("// -----// IR Dump After Failed TestFail (test-fail) //----- //\n")
    );
}

#[test]
fn timing_report_has_mlir_layout() {
    let mut ctx = context();
    let m = module(&mut ctx);
    let mut pm =
        PassManager::parse(&registry(), "builtin.module(func.func(cse,test-count),dce)").unwrap();
    pm.run(&mut ctx, m).unwrap();
    let report = pm.timing_report(&[("Parser", std::time::Duration::from_millis(2))], &[]);
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(
        lines[1],
        "                         ... Execution time report ..."
    );
    assert!(lines[3].starts_with("  Total Execution Time: "), "{report}");
    assert_eq!(lines[5], "  ------Wall Time------  ----Name----");
    // Seconds to the microsecond: a 2 ms phase is not a few ticks of a 0.1 ms clock.
    assert!(lines[6].starts_with("    0.002000 ("), "{report}");
    let names: Vec<&str> = lines[6..].iter().map(|l| &l[23..]).collect();
    assert_eq!(
        names,
        [
            "Parser",
            "'func.func' Pipeline",
            "  CSE",
            "  TestCount",
            "DCE",
            "Rest",
            "Total"
        ]
    );
    assert!(lines.last().unwrap().contains("(100.0%)"), "{report}");
}
