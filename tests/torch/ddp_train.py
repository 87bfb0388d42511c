"""Run by ``torchrun --nproc-per-node 2`` (``test_ddp.py``): 5 SGD steps of a small model
under DistributedDataParallel (gloo, loopback), compiled with ``backend="joinery"`` and
eager, from the same initial weights; rank 0 prints the largest relative parameter
difference and exits non-zero when it exceeds 1e-5 or when joinery fell back to eager."""

import copy
import sys
import warnings

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F

import joinery_torch


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(16, 32)
        self.l2 = nn.Linear(32, 4)

    def forward(self, x, y):
        return F.cross_entropy(self.l2(F.relu(self.l1(x))), y)


def train(model, steps, rank):
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    g = torch.Generator().manual_seed(100 + rank)  # each rank its own data
    for _ in range(steps):
        x = torch.randn(8, 16, generator=g)
        y = torch.randint(0, 4, (8,), generator=g)
        opt.zero_grad()
        model(x, y).backward()
        opt.step()


def main():
    dist.init_process_group("gloo")
    rank = dist.get_rank()
    torch.manual_seed(0)
    base = Net()
    eager = nn.parallel.DistributedDataParallel(copy.deepcopy(base))
    ours = nn.parallel.DistributedDataParallel(copy.deepcopy(base))
    compiled = torch.compile(ours, backend="joinery")
    with warnings.catch_warnings():
        warnings.simplefilter("error", joinery_torch.JoineryFallbackWarning)
        train(compiled, 5, rank)
    train(eager, 5, rank)
    worst = max(((p - q).abs().max() / q.abs().max().clamp_min(1e-12)).item()
                for p, q in zip(ours.parameters(), eager.parameters()))
    moved = max((p - q).abs().max().item()
                for p, q in zip(ours.parameters(), base.parameters()))
    dist.destroy_process_group()
    if rank == 0:
        print(f"max relative parameter difference joinery vs eager DDP: {worst:.3g} "
              f"(parameters moved by up to {moved:.3g})")
    sys.exit(0 if worst <= 1e-5 and moved > 0 else 1)


if __name__ == "__main__":
    main()
