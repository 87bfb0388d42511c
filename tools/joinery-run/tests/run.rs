//! `joinery-run --interpret` end to end: the Linear+ReLU joint graph against PyTorch's
//! autograd, and a runtime error rendered at its op; `joinery-run bench --via-mlir`: its
//! JSON line, and an op the MLIR export refuses named at its place.

use joinery_interp::Tensor;
use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &Path) -> Tensor {
    Tensor::read_npy(&std::fs::read(path).expect("npy file")).expect("valid npy")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("joinery-run-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
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
    let dir = scratch("error");
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("view.mlir");
    std::fs::write(
        &src,
        "func.func @f(%a: tensor<?x3xf32>) -> tensor<4xf32> {\n  \
         %v = \"aten.view\"(%a) {size = [4]} : (tensor<?x3xf32>) -> tensor<4xf32>\n  \
         func.return %v : tensor<4xf32>\n}\n",
    )
    .unwrap();
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
    let dir = scratch("bench-mlir");
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("dropout.mlir");
    std::fs::write(
        &src,
        "func.func @f(%a: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xi1>) {\n  \
         %v, %m = \"aten.native_dropout\"(%a) {p = 0.5 : f64, train = true} : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xi1>)\n  \
         func.return %v, %m : tensor<4xf32>, tensor<4xi1>\n}\n",
    )
    .unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_joinery-run"))
        .arg("bench")
        .arg(&src)
        .arg("--via-mlir")
        .output()
        .expect("joinery-run runs");
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains(
            "dropout.mlir:2:3: error: no lowering to upstream MLIR for 'aten.native_dropout'"
        ) && stderr.contains("it draws random numbers"),
        "{stderr}"
    );
}
