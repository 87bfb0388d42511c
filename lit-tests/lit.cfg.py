# lit configuration for joinery's FileCheck tests (MLIR conventions: one file per pass or
# feature, RUN lines, `// -----` chunks, `-error.mlir` twins with --verify-diagnostics).

import os
import shutil

import lit.formats

config.name = "joinery"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir"]
config.excludes = ["Inputs", "lit.cfg.py", "Output"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.test_source_root, "Output")

repo_root = os.path.dirname(config.test_source_root)


def find_tools_dir():
    """The directory holding the built joinery tools: $JOINERY_TOOLS_DIR (set by the
    Makefile), else the newest of $CARGO_TARGET_DIR or ./target, release or debug."""
    explicit = os.environ.get("JOINERY_TOOLS_DIR")
    if explicit:
        return explicit
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(repo_root, "target"))
    candidates = [
        os.path.join(target, profile)
        for profile in ("release", "debug")
        if os.path.isfile(os.path.join(target, profile, "joinery-opt"))
    ]
    if not candidates:
        lit_config.fatal(
            "joinery-opt not built: run `make build` or set JOINERY_TOOLS_DIR"
        )
    return max(candidates, key=lambda d: os.path.getmtime(os.path.join(d, "joinery-opt")))


tools_dir = find_tools_dir()
joinery_opt = os.path.join(tools_dir, "joinery-opt")
if not os.path.isfile(joinery_opt):
    lit_config.fatal(f"joinery-opt not found in {tools_dir}")


def llvm_tool(name):
    """An LLVM 22 tool: the versioned name on PATH, else the one in /usr/lib/llvm-22/bin."""
    found = shutil.which(f"{name}-22")
    if found:
        return found
    path = os.path.join("/usr/lib/llvm-22/bin", name)
    if os.path.isfile(path):
        return path
    lit_config.fatal(f"{name} (LLVM 22) not found; run `make deps`")


config.substitutions.append(("%python", shutil.which("python3") or "python3"))
# Longest names first so `joinery-opt` is not cut by a shorter tool name.
for name, path in [
    ("joinery-translate", os.path.join(tools_dir, "joinery-translate")),
    ("joinery-run", os.path.join(tools_dir, "joinery-run")),
    ("joinery-opt", joinery_opt),
    ("FileCheck", llvm_tool("FileCheck")),
    ("mlir-opt", llvm_tool("mlir-opt")),
    ("not", llvm_tool("not")),
    ("count", llvm_tool("count")),
]:
    config.substitutions.append((r"(?<![\w/.-])" + name.replace("-", r"\-") + r"(?![\w-])", path))

config.environment["RUST_BACKTRACE"] = "1"
config.environment["JOINERY_REPO_ROOT"] = repo_root
config.substitutions.append(("%repo", repo_root))
