//! Pipeline text, options and registry tests.

use joinery_pass::{
    OptionKind, OptionValue, PassManager, PassOptionInfo, PassOptions, PassRegistry, PipelineInfo,
    parse_pipeline, parse_pipeline_elements, register_generic_passes,
};

fn registry() -> PassRegistry {
    let mut r = PassRegistry::new();
    register_generic_passes(&mut r);
    r.register(&KINDS);
    r.register(&ON_FUNC);
    r
}

struct Nop;
impl joinery_pass::Pass for Nop {
    fn run(
        &mut self,
        _: &mut joinery_ir::Context,
        _: joinery_ir::OpId,
        _: &mut joinery_pass::PassState,
    ) -> joinery_pass::PassResult {
        Ok(false)
    }
}

/// A pass with one option of every kind.
static KINDS: joinery_pass::PassInfo = joinery_pass::PassInfo {
    name: "test-kinds",
    title: "TestKinds",
    summary: "Has options of every kind",
    description: "For tests.",
    anchor: None,
    options: &[
        PassOptionInfo {
            name: "flag",
            kind: OptionKind::Bool,
            default: "false",
            help: "A bool",
        },
        PassOptionInfo {
            name: "count",
            kind: OptionKind::Int,
            default: "3",
            help: "An int",
        },
        PassOptionInfo {
            name: "ratio",
            kind: OptionKind::Float,
            default: "0.5",
            help: "A float",
        },
        PassOptionInfo {
            name: "label",
            kind: OptionKind::String,
            default: "",
            help: "A string",
        },
        PassOptionInfo {
            name: "strategy",
            kind: OptionKind::Enum(&["greedy", "min-cut"]),
            default: "greedy",
            help: "An enum",
        },
        PassOptionInfo {
            name: "sizes",
            kind: OptionKind::List(&OptionKind::Int),
            default: "1,2",
            help: "A list",
        },
    ],
    statistics: &[],
    constructor: |_| Box::new(Nop),
};

/// A pass anchored on `func.func`.
static ON_FUNC: joinery_pass::PassInfo = joinery_pass::PassInfo {
    name: "test-on-func",
    title: "TestOnFunc",
    summary: "Runs on functions",
    description: "For tests.",
    anchor: Some("func.func"),
    options: &[],
    statistics: &[],
    constructor: |_| Box::new(Nop),
};

#[test]
fn pipeline_round_trips_to_canonical_text() {
    let text = " builtin.module( func.func(cse , canonicalize{ max-iterations=10  top-down=false }), symbol-dce ) ";
    let p = parse_pipeline(text).unwrap();
    let printed = p.to_string();
    assert_eq!(
        printed,
        "builtin.module(func.func(cse,canonicalize{max-iterations=10 top-down=false}),symbol-dce)"
    );
    let again = parse_pipeline(&printed).unwrap();
    assert_eq!(again, p);
    assert_eq!(again.to_string(), printed);
}

#[test]
fn pipeline_keeps_quoted_and_braced_option_values() {
    let text =
        r#"any(test-kinds{label="a b,c" sizes=4,5,6 strategy=min-cut},test-kinds{label={x "y"}})"#;
    let p = parse_pipeline(text).unwrap();
    assert_eq!(p.to_string(), text);
    let pm = PassManager::from_pipeline(&registry(), &p).unwrap();
    let dumped = pm.pipeline().to_string();
    assert_eq!(
        dumped,
        r#"any(test-kinds{count=3 flag=false label="a b,c" ratio=0.5 sizes=4,5,6 strategy=min-cut},test-kinds{count=3 flag=false label={x "y"} ratio=0.5 sizes=1,2 strategy=greedy})"#
    );
    let reparsed = PassManager::parse(&registry(), &dumped).unwrap();
    assert_eq!(reparsed.pipeline().to_string(), dumped);
}

#[test]
fn empty_pipelines_parse() {
    assert_eq!(
        parse_pipeline("builtin.module()").unwrap().to_string(),
        "builtin.module()"
    );
    assert_eq!(parse_pipeline_elements("  ").unwrap(), vec![]);
}

#[test]
fn pipeline_errors_name_the_column() {
    let cases = [
        (
            "cse",
            "expected '(' after the pipeline anchor 'cse' at column 4 of the pass pipeline, found the end of the pipeline",
        ),
        (
            "builtin.module(cse",
            "expected ',' or ')' at column 19 of the pass pipeline, found the end of the pipeline",
        ),
        (
            "builtin.module(cse,)",
            "expected a pass name or a nested pipeline 'op.name(...)' at column 20 of the pass pipeline, found ')'",
        ),
        (
            "builtin.module(cse) x",
            "expected the end of the pipeline at column 21 of the pass pipeline, found 'x'",
        ),
        (
            "(cse)",
            "expected an op name to anchor the pipeline (e.g. 'builtin.module') at column 1 of the pass pipeline, found '('",
        ),
        (
            "builtin.module(cse{a=1)",
            "expected '}' to close the options opened at column 19 of the pass pipeline",
        ),
        (
            "builtin.module(cse{a=\"x})",
            "expected '}' to close the options opened at column 19 of the pass pipeline",
        ),
        (
            "builtin.module(cse{=1})",
            "in the options of 'cse' in the pass pipeline: expected an option name before '=' at column 20",
        ),
    ];
    for (text, message) in cases {
        let err = parse_pipeline(text).unwrap_err();
        assert!(err.is_error());
        assert_eq!(err.message, message, "for {text:?}");
    }
}

#[test]
fn options_are_typed_and_defaulted() {
    let o = PassOptions::parse_text(
        &KINDS,
        "flag count=-7 ratio=2.25 label=\"hi there\" strategy=min-cut sizes=",
    )
    .unwrap();
    assert!(o.bool("flag"));
    assert_eq!(o.int("count"), -7);
    assert_eq!(o.float("ratio"), 2.25);
    assert_eq!(o.string("label"), "hi there");
    assert_eq!(o.string("strategy"), "min-cut");
    let d = PassOptions::defaults(&KINDS);
    assert!(!d.bool("flag"));
    assert_eq!(d.int("count"), 3);
    assert_eq!(
        joinery_pass::options::parse_value(&OptionKind::List(&OptionKind::Int), "1, 2").unwrap(),
        OptionValue::List(vec![OptionValue::Int(1), OptionValue::Int(2)])
    );
}

#[test]
fn option_errors_name_pass_and_option() {
    let cases = [
        (
            "count=many",
            "option 'count' of pass 'test-kinds' expects an integer, got 'many'",
        ),
        (
            "flag=yes",
            "option 'flag' of pass 'test-kinds' expects a boolean (true or false), got 'yes'",
        ),
        (
            "ratio=x",
            "option 'ratio' of pass 'test-kinds' expects a number, got 'x'",
        ),
        (
            "strategy=fast",
            "option 'strategy' of pass 'test-kinds' expects one of greedy, min-cut, got 'fast'",
        ),
        (
            "sizes=1,b",
            "option 'sizes' of pass 'test-kinds' expects an integer, got 'b'",
        ),
        (
            "count",
            "option 'count' of pass 'test-kinds' needs a value: count=<int>",
        ),
        (
            "count=1 count=2",
            "option 'count' of pass 'test-kinds' is given more than once",
        ),
        (
            "colour=red",
            "pass 'test-kinds' has no option 'colour'; its options are flag, count, ratio, label, strategy, sizes",
        ),
    ];
    for (text, message) in cases {
        let err = PassOptions::parse_text(&KINDS, text).unwrap_err();
        assert_eq!(err.message, message, "for {text:?}");
    }
    let err = PassManager::parse(&registry(), "any(cse{x=1})")
        .err()
        .unwrap();
    assert_eq!(
        err.message,
        "pass 'cse' has no option 'x'; it takes no options"
    );
}

#[test]
fn registry_resolves_and_rejects_names() {
    let r = registry();
    let err = PassManager::parse(&r, "builtin.module(csee)")
        .err()
        .unwrap();
    assert_eq!(
        err.message,
        "'csee' does not refer to a registered pass or pass pipeline"
    );
    assert_eq!(err.notes[0].message, "did you mean 'cse'?");
    let err = PassManager::parse(&r, "builtin.module(test-on-func)")
        .err()
        .unwrap();
    assert_eq!(
        err.message,
        "pass 'test-on-func' runs on 'func.func' ops but is scheduled on 'builtin.module'; nest it as 'func.func(test-on-func)'"
    );
    assert!(PassManager::parse(&r, "builtin.module(func.func(test-on-func))").is_ok());
}

static CLEANUP: PipelineInfo = PipelineInfo {
    name: "test-cleanup",
    summary: "Canonicalize then CSE",
    description: "canonicalize exposes duplicates; cse merges them.",
    pipeline: "canonicalize{max-iterations=2},func.func(test-on-func),cse",
};
static LOOP_A: PipelineInfo = PipelineInfo {
    name: "test-loop-a",
    summary: "Expands to test-loop-b",
    description: "For tests.",
    pipeline: "test-loop-b",
};
static LOOP_B: PipelineInfo = PipelineInfo {
    name: "test-loop-b",
    summary: "Expands to test-loop-a",
    description: "For tests.",
    pipeline: "cse,test-loop-a",
};
static BROKEN: PipelineInfo = PipelineInfo {
    name: "test-broken",
    summary: "Does not parse",
    description: "For tests.",
    pipeline: "cse,(",
};

#[test]
fn named_pipelines_expand_in_place() {
    let mut r = registry();
    r.register_pipeline(&CLEANUP).unwrap();
    r.register_pipeline(&LOOP_A).unwrap();
    r.register_pipeline(&LOOP_B).unwrap();
    let err = r.register_pipeline(&BROKEN).unwrap_err();
    assert!(
        err.message
            .starts_with("in named pipeline 'test-broken': expected"),
        "{}",
        err.message
    );
    let pm = PassManager::parse(&r, "builtin.module(test-cleanup,dce)").unwrap();
    assert_eq!(
        pm.pipeline().to_string(),
        "builtin.module(canonicalize{disable-patterns= enable-patterns= max-iterations=2 max-num-rewrites=-1 test-convergence=false top-down=true},func.func(test-on-func),cse,dce)"
    );
    let err = PassManager::parse(&r, "builtin.module(test-loop-a)")
        .err()
        .unwrap();
    assert_eq!(
        err.message,
        "named pipeline 'test-loop-a' expands to itself"
    );
    let err = PassManager::parse(&r, "builtin.module(test-cleanup{x=1})")
        .err()
        .unwrap();
    assert_eq!(
        err.message,
        "named pipeline 'test-cleanup' takes no options"
    );
}

#[test]
fn flags_nest_anchored_passes() {
    let r = registry();
    let flags: Vec<(String, String)> = [
        ("cse", ""),
        ("test-on-func", ""),
        ("test-on-func", ""),
        ("canonicalize", "max-iterations=3"),
        ("test-on-func", ""),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    let p = r.pipeline_from_flags("builtin.module", &flags).unwrap();
    assert_eq!(
        p.to_string(),
        "builtin.module(cse,func.func(test-on-func,test-on-func),canonicalize{max-iterations=3},func.func(test-on-func))"
    );
    assert!(PassManager::from_pipeline(&r, &p).is_ok());
    let err = r
        .pipeline_from_flags("builtin.module", &[("nope".into(), String::new())])
        .unwrap_err();
    assert_eq!(
        err.message,
        "'nope' does not refer to a registered pass or pass pipeline"
    );
}

#[test]
fn list_text_is_sorted_with_options() {
    let mut r = registry();
    r.register_pipeline(&CLEANUP).unwrap();
    let text = r.list_text();
    let pos = |s: &str| {
        text.find(s)
            .unwrap_or_else(|| panic!("{s} missing from\n{text}"))
    };
    assert!(pos("--canonicalize") < pos("--cse"));
    assert!(pos("--cse") < pos("--dce"));
    assert!(pos("--dce") < pos("--inline"));
    assert!(pos("--inline") < pos("--symbol-dce"));
    assert!(
        pos("max-iterations=<int> - Max. full scans of the IR before giving up (default: 10)")
            > pos("--canonicalize")
    );
    assert!(pos("strategy=<greedy|min-cut> - An enum (default: greedy)") > 0);
    assert!(pos("(runs on 'func.func')") > pos("--test-on-func"));
    assert!(pos("Pass Pipelines:\n  --test-cleanup") > pos("--test-on-func"));
}
