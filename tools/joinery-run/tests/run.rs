//! `joinery-run --interpret` end to end: the Linear+ReLU joint graph against PyTorch's
//! autograd, and a runtime error rendered at its op.

use joinery_interp::Tensor;
use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &Path) -> Tensor {
    Tensor::read_npy(&std::fs::read(path).expect("npy file")).expect("valid npy")
}

/// A scratch directory of one test, removed with its contents when the test ends.
struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<std::ffi::OsStr> for Scratch {
    fn as_ref(&self) -> &std::ffi::OsStr {
        self.0.as_os_str()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh scratch directory (not created) named by `name` and the test process.
fn scratch(name: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!("joinery-run-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    Scratch(dir)
}

/// Writes `text` to `file` in a fresh scratch directory named by `tag`; returns both.
fn scratch_source(tag: &str, file: &str, text: &str) -> (Scratch, PathBuf) {
    let dir = scratch(tag);
    std::fs::create_dir_all(&*dir).unwrap();
    let src = dir.join(file);
    std::fs::write(&src, text).unwrap();
    (dir, src)
}

#[test]
fn the_linear_relu_joint_matches_pytorch_autograd() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/linear_relu");
    let out = scratch("joint");
    let status = Command::new(env!("CARGO_BIN_EXE_joinery-run"))
        .arg("--interpret")
        .arg(workspace().join("examples/linear_relu_joint.mlir"))
        .args(["--fn", "joint", "--inputs"])
        .arg(&data)
        .arg("--outputs")
        .arg(&out)
        .output()
        .expect("joinery-run runs");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let steps = read(&out.join("out0.npy")).to_f64();
    assert_eq!(steps.iter().copied().collect::<Vec<_>>(), vec![4.0]);
    for j in 1..=3 {
        let got = read(&out.join(format!("out{j}.npy"))).to_f64();
        let want = read(&data.join(format!("expected_out{j}.npy"))).to_f64();
        assert_eq!(got.shape(), want.shape());
        for (g, w) in got.iter().zip(want.iter()) {
            assert!((g - w).abs() <= 1e-5 * w.abs() + 1e-6, "out{j}: {g} vs {w}");
        }
    }
    assert!(!out.join("out4.npy").exists(), "None results write no file");
    let stderr = String::from_utf8_lossy(&status.stderr);
    assert!(stderr.contains("result #4 is None"), "{stderr}");
}

#[test]
fn a_runtime_shape_error_is_rendered_at_its_op() {
    let (dir, src) = scratch_source(
        "error",
        "view.mlir",
        "func.func @f(%a: tensor<?x3xf32>) -> tensor<4xf32> {\n  \
         %v = \"aten.view\"(%a) {size = [4]} : (tensor<?x3xf32>) -> tensor<4xf32>\n  \
         func.return %v : tensor<4xf32>\n}\n",
    );
    let input = Tensor::from_vec_f64(&[2, 3], vec![0.0; 6], joinery_interp::DType::F32);
    std::fs::write(dir.join("arg0.npy"), input.write_npy().unwrap()).unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_joinery-run"))
        .arg("--interpret")
        .arg(&src)
        .args(["--fn", "f", "--inputs"])
        .arg(&dir)
        .arg("--outputs")
        .arg(dir.join("out"))
        .output()
        .expect("joinery-run runs");
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains(
            "view.mlir:2:3: error: 'aten.view': shape '[4]' is invalid for input of size 6"
        ),
        "{stderr}"
    );
}

/// `joinery-run train examples/linear_relu_joint.mlir` with `args`.
fn train(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_joinery-run"))
        .arg("train")
        .arg(workspace().join("examples/linear_relu_joint.mlir"))
        .args(args)
        .output()
        .expect("joinery-run runs")
}

/// Writes an f32 (or other `dtype`) `.npy` file of `shape` counting up from `start`.
fn write(path: &Path, shape: &[usize], start: f64, dtype: joinery_interp::DType) {
    let n: usize = shape.iter().product();
    let values = (0..n).map(|i| start + 0.1 * i as f64).collect();
    let t = Tensor::from_vec_f64(shape, values, dtype);
    std::fs::write(path, t.write_npy().unwrap()).unwrap();
}

/// The Linear(3→2)+ReLU joint's parameters and buffer (`lin.weight`, `lin.bias`, `steps`)
/// in `dir/params`, and 8 samples of its user input in `dir/data`.
fn linear_relu_files(dir: &Path) -> (PathBuf, PathBuf) {
    use joinery_interp::DType::F32;
    let (params, data) = (dir.join("params"), dir.join("data"));
    std::fs::create_dir_all(&params).unwrap();
    std::fs::create_dir_all(&data).unwrap();
    write(&params.join("lin.weight.npy"), &[2, 3], -0.2, F32);
    write(&params.join("lin.bias.npy"), &[2], 0.1, F32);
    write(&params.join("steps.npy"), &[], 5.0, F32);
    write(&data.join("input0.npy"), &[8, 3], -1.0, F32);
    (params, data)
}

#[test]
fn train_refuses_flags_out_of_range_or_not_for_the_optimizer() {
    let cases: &[(&[&str], &str)] = &[
        (&["--lr", "nan"], "finite learning rate"),
        (&["--momentum", "-0.5"], "finite number of at least 0"),
        (&["--weight-decay", "inf"], "finite number of at least 0"),
        (
            &["--optimizer", "adam", "--eps", "-1e-8"],
            "finite number of at least 0",
        ),
        (
            &["--optimizer", "adam", "--betas", "0.9,1"],
            "two numbers in [0, 1)",
        ),
        (
            &["--optimizer", "adam", "--betas", "0.9"],
            "two numbers in [0, 1)",
        ),
        (&["--holdout", "1"], "from 0 up to (not including) 1"),
        (&["--steps", "0"], "at least 1"),
        (&["--epochs", "2", "--steps", "3"], "cannot be used with"),
        (
            &["--betas", "0.9,0.99"],
            "--betas and --eps apply to --optimizer adam",
        ),
        (
            &["--optimizer", "adam", "--momentum", "0.9"],
            "--momentum applies to --optimizer sgd",
        ),
        (&["--optimizer", "rmsprop"], "invalid value 'rmsprop'"),
    ];
    for (args, reason) in cases {
        let out = train(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(reason), "{args:?}: {stderr}");
    }
}

#[test]
fn train_names_the_file_and_descriptor_of_bad_params_and_inputs() {
    use joinery_interp::DType::{F32, F64};
    let dir = scratch("train-errors");
    let (params, data) = linear_relu_files(&dir);
    let fails_with = |extra: &[&str], reason: &str| {
        let mut args = vec!["--params", params.to_str().unwrap()];
        args.extend(["--inputs", data.to_str().unwrap(), "--steps", "1"]);
        args.extend(extra);
        let out = train(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(reason), "{stderr}");
    };
    write(&params.join("lin.weight.npy"), &[3, 2], 0.0, F32);
    fails_with(
        &[],
        "lin.weight.npy: ParamAOTInput(target='lin.weight') (argument #0) needs tensor<2x3xf32>, the file holds tensor<3x2xf32>",
    );
    write(&params.join("lin.weight.npy"), &[2, 3], 0.0, F64);
    fails_with(&[], "needs tensor<2x3xf32>, the file holds tensor<2x3xf64>");
    std::fs::remove_file(params.join("lin.weight.npy")).unwrap();
    fails_with(
        &[],
        "lin.weight.npy, the value of ParamAOTInput(target='lin.weight')",
    );
    write(&params.join("lin.weight.npy"), &[2, 3], 0.0, F32);
    write(&data.join("input0.npy"), &[8, 4], 0.0, F32);
    fails_with(
        &[],
        "input0.npy: user input 0 (argument #3, batches of tensor<4x3xf32>) needs tensor<8x3xf32>, the file holds tensor<8x4xf32>",
    );
    std::fs::remove_file(data.join("input0.npy")).unwrap();
    fails_with(&[], "missing input0.npy, the samples of user input 0");
    write(&data.join("input0.npy"), &[8, 3], 0.0, F32);
    fails_with(
        &["--holdout", "0.25"],
        "--holdout 0.25 holds out 2 of 8 samples, fewer than one batch of 4",
    );
}

#[test]
fn train_saves_what_a_resumed_run_continues_from() {
    let dir = scratch("train-resume");
    let (params, data) = linear_relu_files(&dir);
    let (straight, first, resumed) = (dir.join("straight"), dir.join("first"), dir.join("resumed"));
    let common = [
        "--inputs",
        data.to_str().unwrap(),
        "--no-shuffle",
        "--lr",
        "0.05",
    ];
    let run = |from: &Path, steps: &str, to: &Path| {
        let mut args = vec!["--params", from.to_str().unwrap(), "--steps", steps];
        args.extend(common);
        args.extend(["--save", to.to_str().unwrap()]);
        let out = train(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&params, "3", &straight);
    run(&params, "2", &first);
    run(&first, "1", &resumed);
    for name in ["lin.weight", "lin.bias", "steps"] {
        let file = format!("{name}.npy");
        let want = read(&straight.join(&file)).to_f64();
        assert_eq!(read(&resumed.join(&file)).to_f64(), want, "{name}");
        assert_ne!(read(&params.join(&file)).to_f64(), want, "{name} changed");
    }
    let steps = read(&straight.join("steps.npy")).to_f64();
    assert_eq!(steps.iter().copied().collect::<Vec<_>>(), vec![8.0]);
}

#[test]
fn bench_via_mlir_times_the_joint_and_says_so() {
    let run = Command::new(env!("CARGO_BIN_EXE_joinery-run"))
        .arg("bench")
        .arg(workspace().join("examples/linear_relu_joint.mlir"))
        .args(["--fn", "joint", "--iters", "2", "--via-mlir"])
        .output()
        .expect("joinery-run runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    let line = stdout.lines().last().unwrap_or("");
    assert!(
        line.starts_with("{\"fn\": \"joint\", \"backend\": \"mlir\", \"compile_ms\": ")
            && line.contains("\"median_ms\": "),
        "{stdout}"
    );
}

#[test]
fn bench_via_mlir_names_an_op_it_cannot_export() {
    let (_dir, src) = scratch_source(
        "bench-mlir",
        "conj.mlir",
        "func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {\n  \
         %t = \"aten._conj\"(%a) : (tensor<4xf32>) -> tensor<4xf32>\n  \
         func.return %t : tensor<4xf32>\n}\n",
    );
    let run = Command::new(env!("CARGO_BIN_EXE_joinery-run"))
        .arg("bench")
        .arg(&src)
        .arg("--via-mlir")
        .output()
        .expect("joinery-run runs");
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("conj.mlir:2:3: error: no lowering to upstream MLIR for 'aten._conj'")
            && stderr.contains("no row in the lowering table"),
        "{stderr}"
    );
}
