//! The C ABI called from C (`c_abi_misuse.c`, `c_abi_rows.c`, compiled with `cc` against
//! the runtime's cdylib): every misuse returns an error with a message and the program
//! runs to its end; a result whose leading extent is counted at run time reaches C with
//! its real shape.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The directory holding this test binary and the runtime's `libjoinery_runtime.so`.
fn deps_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.parent().expect("a directory").to_path_buf()
}

/// Runs `cc` (or `$CC`) with `args` after the flags of `$JOINERY_TEST_CFLAGS` (`make asan`'s
/// `-fsanitize=address`, which a program linking the instrumented cdylib needs); an
/// error shows its output.
fn cc(args: &[&std::ffi::OsStr]) {
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let cflags = std::env::var("JOINERY_TEST_CFLAGS").unwrap_or_default();
    let built = Command::new(&cc)
        .args(["-Wall", "-Werror"])
        .args(cflags.split_whitespace())
        .args(args)
        .output()
        .expect("runs the C compiler");
    assert!(
        built.status.success(),
        "{cc} failed: {}",
        String::from_utf8_lossy(&built.stderr)
    );
}

/// Compiles `tests/<name>.c` against the runtime's cdylib into the scratch directory
/// `dir`: the program's path.
fn build_program(name: &str, dir: &Path) -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let deps = deps_dir();
    assert!(
        deps.join("libjoinery_runtime.so").is_file(),
        "the runtime's cdylib is next to the test binary in {}",
        deps.display()
    );
    std::fs::create_dir_all(dir).expect("a scratch directory");
    let exe = dir.join(name);
    let include = here.join("include");
    let source = here.join(format!("tests/{name}.c"));
    let rpath = format!("-Wl,-rpath,{}", deps.display());
    cc(&[
        "-I".as_ref(),
        include.as_os_str(),
        source.as_os_str(),
        "-o".as_ref(),
        exe.as_os_str(),
        "-L".as_ref(),
        deps.as_os_str(),
        "-ljoinery_runtime".as_ref(),
        rpath.as_ref(),
    ]);
    exe
}

#[test]
fn misuses_from_c_are_errors_not_aborts() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("c-abi");
    let exe = build_program("c_abi_misuse", &dir);
    let run = Command::new(&exe)
        .current_dir(&dir)
        .output()
        .expect("runs the C program");
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{:?}\n{out}\n{}",
        run.status,
        String::from_utf8_lossy(&run.stderr)
    );
    let want = [
        format!(
            "open: -1 joinery_library_open: cannot load {}",
            dir.join("no-such-joinery-library.so").display()
        ),
        "module_get: -1 joinery_module_get: null library".into(),
        "diff_get: -1 joinery_diff_get: null library".into(),
        "arity: -1 joinery_module_arity: null module".into(),
        "call: -1 joinery_module_call: null module".into(),
        "forward: -1 joinery_diff_forward: null differentiable function".into(),
        "backward: -1 joinery_diff_backward: null saved handle".into(),
        "free_garbage: -1 joinery_module_free: the module is not a live handle".into(),
        "close_null: 0 ".into(),
    ];
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), want.len(), "{out}");
    for (line, want) in lines.iter().zip(&want) {
        assert!(
            line.starts_with(want.as_str()),
            "want {want:?}, got {line:?}"
        );
    }
}

/// The plan bundle of `nz(x: tensor<2x3xf32>) -> tensor<?x2xi64>`, `nonzero(x)`: one
/// runtime step and no kernels, so a library holding it needs no compiled code.
const NONZERO_BUNDLE: &str = r#"{"plans":[{"name":"nz",
 "inputs":[{"name":"x","desc":"","dtype":"F32","shape":[2,3]}],
 "outputs":[{"desc":"","tensor":{"dtype":"I64","shape":[6,2],"buffer":1,"rows":2},"mutates":null}],
 "buffers":[{"location":{"Input":0},"bytes":24},{"location":{"Output":0},"bytes":96},
  {"location":{"Arena":{"offset":0}},"bytes":8}],
 "arena_bytes":64,"kernels":[],
 "steps":[{"Nonzero":{"src":0,"dtype":"F32","space":[2,3],"src_map":{"offset":0,"strides":[3,1]},
  "out":1,"count":2}}]}],"diffs":[]}"#;

#[test]
fn a_run_time_row_count_reaches_c_as_the_results_shape() {
    joinery_runtime::Bundle::from_json(NONZERO_BUNDLE).expect("a valid bundle");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("c-abi-rows");
    let exe = build_program("c_abi_rows", &dir);
    // A library is a shared object exporting the bundle as a C string.
    let escaped: String = NONZERO_BUNDLE
        .chars()
        .filter(|c| *c != '\n')
        .flat_map(|c| (c == '"').then_some('\\').into_iter().chain([c]))
        .collect();
    let source = dir.join("nz_library.c");
    std::fs::write(
        &source,
        format!("const char joinery_bundle[] = \"{escaped}\";\n"),
    )
    .expect("writes the library source");
    let lib = dir.join("nz.so");
    cc(&[
        "-shared".as_ref(),
        "-fPIC".as_ref(),
        source.as_os_str(),
        "-o".as_ref(),
        lib.as_os_str(),
    ]);
    let run = Command::new(&exe)
        .arg(&lib)
        .output()
        .expect("runs the C program");
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{:?}\n{out}", run.status);
    // x = [[0, 1.5, 0], [-1, 0, 2]] has three nonzero elements; zeros have none.
    assert_eq!(out, "shape 3x2: 0 1 1 0 1 2\nshape 0x2:\n");
}
