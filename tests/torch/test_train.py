"""``joinery-run train`` from exported weights: the zoo's MLP with cross-entropy (and the
Linear+ReLU with a step-counting buffer), exported with its weights (``params/``) and one
batch (``batch/``), trains 5 steps through the native optimizer graph; its losses and
saved parameters and buffers must be PyTorch's own optimizer's on the same data. So must
the same models exported forward only, which ``train`` differentiates itself."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from harness import assert_close, run, tool
from joinery_torch import export

import models

STEPS = 5

OPTIMIZERS = {
    "sgd-momentum": (
        ["--optimizer", "sgd", "--lr", "0.1", "--momentum", "0.9", "--weight-decay", "0.01"],
        lambda params: torch.optim.SGD(params, lr=0.1, momentum=0.9, weight_decay=0.01),
    ),
    "adam": (
        ["--optimizer", "adam", "--lr", "0.01", "--betas", "0.8,0.99", "--eps", "1e-6",
         "--weight-decay", "0.01"],
        lambda params: torch.optim.Adam(params, lr=0.01, betas=(0.8, 0.99), eps=1e-6,
                                        weight_decay=0.01),
    ),
}


def torch_training(module, args, make_optimizer) -> tuple[list[float], dict]:
    """PyTorch's losses over ``STEPS`` steps on ``args`` and the trained state dict."""
    module = copy.deepcopy(module)
    optimizer = make_optimizer(module.parameters())
    losses = []
    for _ in range(STEPS):
        optimizer.zero_grad()
        loss = module(*args)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses, {k: v.detach().numpy() for k, v in module.state_dict().items()}


@pytest.mark.parametrize("model,name", [
    ("mlp_cross_entropy", "sgd-momentum"),
    ("mlp_cross_entropy", "adam"),
    ("linear_relu_steps", "adam"),
])
def test_training_from_exported_weights_matches_torch_optim(exported, tmp_path, model, name):
    _, (module, args, _), _, data = exported(model)
    check_training(data / "joint.mlir", data, module, args, name, tmp_path)


@pytest.mark.parametrize("model", ["mlp_cross_entropy", "linear_relu_steps"])
def test_training_a_forward_only_export_matches_torch_optim(tmp_path, model):
    """A forward-only export (``export --forward-only``) trains too: ``joinery-run train``
    differentiates it with ``aot-make-joint`` first, and the steps are PyTorch's."""
    module, args, kwargs = models.BY_NAME[model].factory()
    forward = export(module, args, kwargs, forward_only=True)
    data = tmp_path / "data"
    forward.write_npy(data)
    (tmp_path / "forward.mlir").write_text(forward.text)
    p = check_training(tmp_path / "forward.mlir", data, module, args, "adam", tmp_path)
    assert "differentiated the forward function @joint (aot-make-joint)" in p.stderr


def check_training(mlir, data, module, args, name, tmp_path):
    """Trains ``mlir`` from ``data``'s ``params/`` and ``batch/`` with optimizer ``name``
    and checks losses and saved state against ``torch.optim``; the finished process."""
    flags, make_optimizer = OPTIMIZERS[name]
    saved, log = tmp_path / "trained", tmp_path / "loss.csv"
    p = run([tool("joinery-run"), "train", mlir, "--params", data / "params",
             "--inputs", data / "batch", "--steps", STEPS, "--save", saved, "--log", log,
             *flags])
    assert p.returncode == 0, p.stderr
    want_losses, want_state = torch_training(module, args, make_optimizer)

    rows = np.genfromtxt(log, delimiter=",", names=True)
    np.testing.assert_array_equal(rows["step"], np.arange(1, STEPS + 1))
    np.testing.assert_allclose(rows["loss"], want_losses, rtol=1e-4)
    assert set(p.name for p in saved.iterdir()) == {f"{k}.npy" for k in want_state}
    for key, want in want_state.items():
        got = np.load(saved / f"{key}.npy")
        assert_close(got, want, f"{name}: {key} after {STEPS} steps", rel=1e-4)
        start = np.load(data / "params" / f"{key}.npy")
        assert np.abs(want - start).max() > 1e-3, f"{key} did not move"
    if "steps" in want_state:
        assert float(np.load(saved / "steps.npy")) == STEPS
    return p
