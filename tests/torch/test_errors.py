"""What the exporter cannot translate is an error naming the node, its target and the
source line it comes from, never a silently dropped node."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from joinery_torch import ExportError, export_joint
from joinery_torch.exporter import catalogue_ops


class ErfInv(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.randn(4))

    def forward(self, x):
        return torch.erfinv(x * self.w).sum()  # ERFINV_LINE


class Float8Cast(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.randn(3, 4))

    def forward(self, x):
        return (self.w * x).to(torch.float8_e4m3fn).to(torch.float32).sum()  # FLOAT8_LINE


def line_of(marker: str) -> int:
    lines = Path(__file__).read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.rstrip().endswith(marker))


def test_op_missing_from_the_catalogue_is_named_with_its_source_line():
    assert catalogue_ops() is not None and "erfinv" not in catalogue_ops()
    with pytest.raises(ExportError) as e:
        export_joint(ErfInv(), (torch.rand(4) * 0.5,))
    msg = str(e.value)
    assert "aten.erfinv" in msg
    assert "node 'erfinv' (target aten.erfinv.default)" in msg
    assert f"test_errors.py:{line_of('# ERFINV_LINE')}" in msg


def test_untranslatable_argument_names_node_target_and_line():
    with pytest.raises(ExportError) as e:
        export_joint(Float8Cast(), (torch.randn(3, 4),))
    msg = str(e.value)
    assert re.search(r"node '\w+' \(target aten\._to_copy\.default\)", msg), msg
    assert f"test_errors.py:{line_of('# FLOAT8_LINE')}" in msg
    assert ("argument 'dtype' = torch.float8_e4m3fn: dtype torch.float8_e4m3fn is not "
            "supported") in msg


MODEL_FILE = '''
import torch

def make():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU()), (torch.randn(2, 3),)

def make_kwargs():
    return torch.nn.Bilinear(3, 3, 2), (torch.randn(2, 3),), {"input2": torch.randn(2, 3)}
'''


def test_command_line_exports_a_model_file(tmp_path):
    (tmp_path / "model.py").write_text(MODEL_FILE)
    out = tmp_path / "out.mlir"
    p = subprocess.run([sys.executable, "-m", "joinery_torch", "export",
                        f"{tmp_path / 'model.py'}:make", "-o", out, "--data", tmp_path / "data"],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    text = out.read_text()
    assert '%primals_1: tensor<4x3xf32> {aot.desc = #aot.param<"0.weight">}' in text
    assert sorted(f.name for f in (tmp_path / "data" / "inputs").iterdir()) == [
        f"arg{i}.npy" for i in range(4)
    ]
    assert (tmp_path / "data" / "expected" / "result0.npy").exists()


def test_command_line_progress_names_each_step_only_when_asked(tmp_path):
    (tmp_path / "model.py").write_text(MODEL_FILE)
    cmd = [sys.executable, "-m", "joinery_torch", "export", f"{tmp_path / 'model.py'}:make",
           "-o", tmp_path / "out.mlir", "--data", tmp_path / "data"]
    p = subprocess.run([*cmd, "--progress"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    steps = [re.sub(r"\.\.\. \d+\.\d s$", "...", line) for line in p.stderr.splitlines()]
    assert steps == [
        f"step 1/6 load {tmp_path / 'model.py'}:make ...",
        "step 2/6 trace the joint (AOTAutograd) ...",
        "step 3/6 print joinery text ...",
        "step 4/6 run PyTorch's joint for reference outputs ...",
        "step 5/6 write the text ...",
        f"step 6/6 write {tmp_path / 'data'} ...",
    ], p.stderr
    quiet = subprocess.run(cmd, capture_output=True, text=True)
    assert quiet.returncode == 0 and quiet.stderr == "", quiet.stderr


def test_command_line_reports_untranslatable_models(tmp_path):
    (tmp_path / "model.py").write_text(MODEL_FILE)
    p = subprocess.run([sys.executable, "-m", "joinery_torch", "export",
                        f"{tmp_path / 'model.py'}:make_kwargs"], capture_output=True, text=True)
    assert p.returncode == 1
    assert p.stderr.startswith("error: ")
    assert "_trilinear" in p.stderr


def test_command_line_rejects_a_bad_factory_spec(tmp_path):
    p = subprocess.run([sys.executable, "-m", "joinery_torch", "export", "nofactory.py"],
                       capture_output=True, text=True)
    assert p.returncode != 0
    assert "FILE.py:FACTORY" in p.stderr


def test_a_bug_in_the_native_extension_raises_joinery_error(tmp_path):
    """A panic in the extension (forced by the test-only JOINERY_TEST_PANIC) is a
    JoineryError saying it is an internal error, not pyo3's PanicException (which
    ``except Exception`` misses) with a backtrace."""
    code = (
        "from joinery_torch import _native\n"
        "try:\n"
        "    _native.Library('no-such-library.so')\n"
        "except Exception as e:\n"
        "    print(type(e).__name__, e)\n"
    )
    env = dict(os.environ, JOINERY_TEST_PANIC="1")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env=env, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("JoineryError internal error: JOINERY_TEST_PANIC is set"), p.stdout
    assert "please report it" in p.stdout
    assert "panicked" not in p.stderr, p.stderr


DATA_DEPENDENT_FILE = '''
import torch

class Model(torch.nn.Module):
    def __init__(self, kind):
        super().__init__()
        self.kind = kind
        self.w = torch.nn.Parameter(torch.randn(4))

    def forward(self, x):
        y = x * self.w
        if self.kind == "nonzero":
            return torch.nonzero(y).float().sum()  # NONZERO_LINE
        if self.kind == "mask":
            return y[y > 0].sum()  # MASK_LINE
        if self.kind == "item":
            return y.sum() * torch.ones(int(y.sum().item()) + 8).sum()  # ITEM_LINE
        if y.sum() > 0:  # BRANCH_LINE
            return y.sum()
        return -y.sum()

def make(kind):
    return Model(kind), (torch.randn(4),)

def nonzero():
    return make("nonzero")

def mask():
    return make("mask")

def item():
    return make("item")

def branch():
    return make("branch")
'''


def file_line_of(text: str, marker: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.endswith(marker))


@pytest.mark.parametrize("kind, marker, op, what", [
    ("nonzero", "# NONZERO_LINE", "aten.nonzero", "has a data-dependent output shape"),
    ("mask", "# MASK_LINE", "aten.nonzero", "has a data-dependent output shape"),
    ("item", "# ITEM_LINE", "aten._local_scalar_dense", "reads a tensor's value"),
    ("branch", "# BRANCH_LINE", "aten._local_scalar_dense", "reads a tensor's value"),
])
def test_data_dependent_model_is_one_error_with_its_line(tmp_path, kind, marker, op, what):
    """PyTorch's DynamicOutputShapeException / DataDependentOutputException become an
    ExportError naming the op, the model's line and what to do; the command line prints it
    as one line, without a traceback, and fails."""
    model = tmp_path / "ddmodel.py"
    model.write_text(DATA_DEPENDENT_FILE)
    line = file_line_of(DATA_DEPENDENT_FILE, marker)
    sys.path.insert(0, str(tmp_path))
    try:
        import importlib
        mod = importlib.import_module("ddmodel")
        with pytest.raises(ExportError) as e:
            export_joint(*mod.make(kind))
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("ddmodel", None)
    msg = str(e.value)
    assert f"{op} {what} at {model}:{line} (" in msg, msg
    assert "joinery needs static" in msg, msg
    assert e.value.__cause__ is None and e.value.__suppress_context__

    p = subprocess.run([sys.executable, "-m", "joinery_torch", "export", f"{model}:{kind}"],
                       capture_output=True, text=True)
    assert p.returncode == 1
    assert p.stderr == f"error: {msg}\n", p.stderr
    assert "Traceback" not in p.stderr
