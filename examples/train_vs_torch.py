"""Trains a small MLP with ``joinery-run train`` and with PyTorch on the same data, and
plots both loss curves (``make train-plot`` writes ``docs/train_loss.png``).

The model is exported with its weights (``params/``); both sides start from them, read the
same samples in the same order (``--no-shuffle``: batches in file order, the last
``--holdout`` share held out) and run ``torch.optim.Adam`` with the same hyperparameters,
so the curves should lie on each other. The held-out loss is evaluated after every epoch.
Exits non-zero when a joinery command fails or the final losses differ by more than 1e-3.

    .venv/bin/python examples/train_vs_torch.py --tools target/debug --out docs/train_loss.png

The model is also a factory for the bridge (``make``) and its samples a function
(``save_samples``), for training by hand as the README shows.
"""

from __future__ import annotations

import argparse
import copy
import csv
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools" / "torch"))

from joinery_torch import export  # noqa: E402

SAMPLES, FEATURES, CLASSES, BATCH = 1280, 32, 4, 64
HOLDOUT, EPOCHS, LR = 0.2, 8, 3e-3


class MLP(nn.Module):
    """Two hidden layers and cross-entropy, as the bundled example."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(FEATURES, 64)
        self.fc2 = nn.Linear(64, 64)
        self.fc3 = nn.Linear(64, CLASSES)

    def forward(self, x, y):
        return F.cross_entropy(self.fc3(F.relu(self.fc2(F.relu(self.fc1(x))))), y)


def dataset() -> tuple[np.ndarray, np.ndarray]:
    """Samples labelled by a random linear teacher with noise."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((SAMPLES, FEATURES)).astype(np.float32)
    teacher = rng.standard_normal((FEATURES, CLASSES))
    y = np.argmax(x @ teacher + 0.5 * rng.standard_normal((SAMPLES, CLASSES)), axis=1)
    return x, y.astype(np.int64)


def make():
    """The bridge's factory: the seeded model and one batch of the samples."""
    torch.manual_seed(0)
    x, y = dataset()
    return MLP(), (torch.from_numpy(x[:BATCH]), torch.from_numpy(y[:BATCH]))


def save_samples(directory: str | Path) -> None:
    """Writes the samples as ``joinery-run train --inputs`` reads them."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    x, y = dataset()
    np.save(directory / "input0.npy", x)
    np.save(directory / "input1.npy", y)


def torch_curves(model: nn.Module, x: np.ndarray, y: np.ndarray):
    """PyTorch's loss per step and held-out loss per epoch, in joinery-run's order."""
    model = copy.deepcopy(model)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    held = int(SAMPLES * HOLDOUT)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    train, evaluation = range(0, SAMPLES - held), range(SAMPLES - held, SAMPLES)
    steps, evals = [], []
    for _ in range(EPOCHS):
        for b in range(len(train) // BATCH):
            idx = slice(b * BATCH, (b + 1) * BATCH)
            optimizer.zero_grad()
            loss = model(xt[idx], yt[idx])
            loss.backward()
            optimizer.step()
            steps.append(loss.item())
        with torch.no_grad():
            start = evaluation.start
            losses = [model(xt[start + k * BATCH:start + (k + 1) * BATCH],
                            yt[start + k * BATCH:start + (k + 1) * BATCH]).item()
                      for k in range(held // BATCH)]
        evals.append((len(steps), float(np.mean(losses))))
    return steps, evals


def joinery_curves(tools: Path, work: Path, model: nn.Module, batch: tuple):
    """joinery-run train's loss per step and held-out loss per epoch, from its --log."""
    result = export(model, batch)
    (work / "mlp.mlir").write_text(result.text)
    result.write_npy(work / "export")
    data = work / "data"
    save_samples(data)
    log = work / "loss.csv"
    cmd = [str(tools / "joinery-run"), "train", str(work / "mlp.mlir"),
           "--params", str(work / "export" / "params"), "--inputs", str(data),
           "--epochs", str(EPOCHS), "--holdout", str(HOLDOUT), "--no-shuffle",
           "--optimizer", "adam", "--lr", str(LR), "--log", str(log)]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit(f"error: {' '.join(cmd)} failed:\n{run.stderr}")
    print(run.stdout.strip().splitlines()[-1])
    steps, evals = [], []
    with log.open() as f:
        for row in csv.DictReader(f):
            steps.append(float(row["loss"]))
            if row["eval_loss"]:
                evals.append((int(row["step"]), float(row["eval_loss"])))
    return steps, evals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tools", type=Path, default=REPO / "target" / "debug",
                        help="directory holding joinery-run")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "train_loss.png")
    opts = parser.parse_args()

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    model, batch = make()
    with tempfile.TemporaryDirectory() as tmp:
        ours, our_evals = joinery_curves(opts.tools, Path(tmp), model, batch)
    theirs, their_evals = torch_curves(model, *dataset())
    gap = max(abs(a - b) for a, b in zip(ours, theirs))
    print(f"{len(ours)} steps; largest loss difference to PyTorch {gap:.2e}; held-out loss "
          f"{our_evals[-1][1]:.4f} (joinery) vs {their_evals[-1][1]:.4f} (PyTorch)")

    fig, ax = plt.subplots(figsize=(7, 4), dpi=110)
    steps = np.arange(1, len(ours) + 1)
    ax.plot(steps, theirs, color="tab:orange", lw=3, alpha=0.5, label="PyTorch, training")
    ax.plot(steps, ours, color="tab:blue", lw=1, label="joinery-run train, training")
    ax.plot(*zip(*their_evals), "s", color="tab:orange", ms=9, alpha=0.5,
            label="PyTorch, held out")
    ax.plot(*zip(*our_evals), "o", color="tab:blue", ms=4, label="joinery-run train, held out")
    ax.set_xlabel("step (batch of 64)")
    ax.set_ylabel("cross-entropy loss")
    ax.set_title(f"MLP {FEATURES}-64-64-{CLASSES}, Adam lr {LR}, {EPOCHS} epochs, same data")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    opts.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(opts.out)
    print(f"wrote {opts.out}")
    return 0 if abs(ours[-1] - theirs[-1]) <= 1e-3 else 1


if __name__ == "__main__":
    sys.exit(main())
