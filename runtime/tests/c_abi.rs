//! The C ABI called from C (`c_abi_misuse.c`, compiled with `cc` against the runtime's
//! cdylib): every misuse returns an error with a message and the program runs to its end.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The directory holding this test binary and the runtime's `libjoinery_runtime.so`.
fn deps_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.parent().expect("a directory").to_path_buf()
}

#[test]
fn misuses_from_c_are_errors_not_aborts() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let deps = deps_dir();
    assert!(
        deps.join("libjoinery_runtime.so").is_file(),
        "the runtime's cdylib is next to the test binary in {}",
        deps.display()
    );
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("c-abi");
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let exe = dir.join("c_abi_misuse");
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let built = Command::new(&cc)
        .arg("-Wall")
        .arg("-Werror")
        .arg("-I")
        .arg(here.join("include"))
        .arg(here.join("tests/c_abi_misuse.c"))
        .arg("-o")
        .arg(&exe)
        .arg("-L")
        .arg(&deps)
        .arg("-ljoinery_runtime")
        .arg(format!("-Wl,-rpath,{}", deps.display()))
        .output()
        .expect("runs the C compiler");
    assert!(
        built.status.success(),
        "{cc} failed: {}",
        String::from_utf8_lossy(&built.stderr)
    );
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
