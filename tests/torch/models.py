"""The conformance zoo: small PyTorch modules whose joint graphs joinery must reproduce.

Each case is a factory returning ``(module, args, kwargs)``; modules are seeded so the
tests are deterministic.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn as nn
import torch.nn.functional as F


class SimpleLinear(nn.Module):
    """descriptors.md §7.1: Linear, returns its output."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(3, 2)

    def forward(self, x):
        return self.linear(x)


class LinearReluSteps(nn.Module):
    """descriptors.md §6: Linear + ReLU + sum loss with an in-place buffer increment."""

    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 2)
        self.register_buffer("steps", torch.zeros(()))

    def forward(self, x):
        self.steps.add_(1)
        return torch.relu(self.lin(x)).sum()


class ConvBN(nn.Module):
    """§7.2: conv + batch norm in training mode (three buffer mutations)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.bn = nn.BatchNorm2d(4)

    def forward(self, x):
        return self.bn(self.conv(x))


class WithKwargs(nn.Module):
    """§7.3: a keyword tensor argument becomes the plain input after the positional ones."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(3, 2)

    def forward(self, x, *, scale):
        return self.linear(x) * scale


class MultipleOutputs(nn.Module):
    """§7.4: two outputs, hence two tangents in output order."""

    def __init__(self):
        super().__init__()
        self.linear1 = nn.Linear(3, 2)
        self.linear2 = nn.Linear(3, 4)

    def forward(self, x):
        return self.linear1(x), self.linear2(x)


class MLP(nn.Module):
    """The MLP workload with cross-entropy, scaled down."""

    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(20, 32)
        self.l2 = nn.Linear(32, 32)
        self.l3 = nn.Linear(32, 5)

    def forward(self, x, y):
        return F.cross_entropy(self.l3(F.relu(self.l2(F.relu(self.l1(x))))), y)


class Block(nn.Module):
    """The pre-norm transformer block workload (layer norm, attention, GELU), scaled down."""

    def __init__(self, d=16, h=2):
        super().__init__()
        self.h = h
        self.ln1 = nn.LayerNorm(d)
        self.ln2 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.o = nn.Linear(d, d)
        self.f1 = nn.Linear(d, 4 * d)
        self.f2 = nn.Linear(4 * d, d)

    def forward(self, x):
        B, T, D = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(D, dim=-1)
        q, k, v = [t.view(B, T, self.h, D // self.h).transpose(1, 2) for t in (q, k, v)]
        a = torch.softmax(q @ k.transpose(-1, -2) / (D // self.h) ** 0.5, dim=-1) @ v
        x = x + self.o(a.transpose(1, 2).reshape(B, T, D))
        x = x + self.f2(F.gelu(self.f1(self.ln2(x))))
        return x.sum()


class EmbeddingModel(nn.Module):
    """Embedding lookup, a linear head and a mean loss."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(10, 8)
        self.head = nn.Linear(8, 3)

    def forward(self, idx):
        return self.head(self.emb(idx)).mean()


class MutatesInput(nn.Module):
    """Mutates a plain input in place: the joint returns its new value."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(3, 3)

    def forward(self, x):
        x.mul_(2)
        return self.linear(x).sum()


class Dropout(nn.Module):
    """Dropout in training mode, returned directly so the mask is observable."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(8, 32)
        self.drop = nn.Dropout(0.5)

    def forward(self, x):
        return self.drop(self.linear(x))


class FixedMask(nn.Module):
    """Dropout with a given keep-mask (how a random model's draws are replayed eagerly)."""

    def __init__(self, mask, p):
        super().__init__()
        self.mask = mask
        self.p = p

    def forward(self, x):
        return x * self.mask / (1 - self.p)


def replays_dropout(output: int) -> Callable[[nn.Module, list], nn.Module]:
    """The ``Case.replay`` of a model whose ``drop`` (an ``nn.Dropout``) output is plain
    output ``output``: the model with that mask, after checking that it drops about a
    fraction ``p`` of the elements (within 5 standard deviations)."""

    def replay(module: nn.Module, outputs: list) -> nn.Module:
        mask = torch.as_tensor(outputs[output] != 0)
        p = module.drop.p
        dropped = 1.0 - mask.float().mean().item()
        assert abs(dropped - p) < 5 * math.sqrt(p * (1 - p) / mask.numel()), \
            f"dropout dropped {dropped:.3f} of the elements, p = {p}"
        replayed = copy.deepcopy(module)
        replayed.drop = FixedMask(mask, p)
        return replayed

    return replay


class TwoTensorParam(nn.Module):
    """A parameter of a wrapper tensor subclass (``TwoTensor``): desugared into its pieces."""

    def __init__(self):
        super().__init__()
        from torch.testing._internal.two_tensor import TwoTensor

        self.w = nn.Parameter(TwoTensor(torch.randn(3, 3), torch.randn(3, 3)))

    def forward(self, x):
        return (x @ self.w).sum()


@dataclass(frozen=True)
class Case:
    """One zoo model and how to check it."""

    name: str
    factory: Callable[[], tuple]
    random: bool = False
    """The model draws random numbers: numerics are checked for consistency, not equality."""
    subclass: bool = False
    """The joint has subclass pieces: PyTorch's fx_utils refuse it, and eager outputs are
    subclass instances."""
    replay: Callable[[nn.Module, list], nn.Module] | None = None
    """For a random model: a copy of the module that replays the draws read off the
    joint's outputs (a list of arrays, one per plain output), so eager autograd gives the
    reference numbers."""


def _seeded(make: Callable[[], tuple]) -> Callable[[], tuple]:
    def factory():
        torch.manual_seed(0)
        return make()

    return factory


CASES = [
    Case("simple_linear", _seeded(lambda: (SimpleLinear(), (torch.randn(4, 3),), {}))),
    Case("linear_relu_steps", _seeded(lambda: (LinearReluSteps(), (torch.randn(4, 3),), {}))),
    Case("conv_bn", _seeded(lambda: (ConvBN().train(), (torch.randn(2, 3, 6, 6),), {}))),
    Case(
        "kwargs",
        _seeded(lambda: (WithKwargs(), (torch.randn(4, 3),), {"scale": torch.randn(4, 2)})),
    ),
    Case("multiple_outputs", _seeded(lambda: (MultipleOutputs(), (torch.randn(4, 3),), {}))),
    Case(
        "mlp_cross_entropy",
        _seeded(lambda: (MLP(), (torch.randn(6, 20), torch.randint(0, 5, (6,))), {})),
    ),
    Case("transformer_block", _seeded(lambda: (Block(), (torch.randn(2, 5, 16),), {}))),
    Case(
        "embedding",
        _seeded(lambda: (EmbeddingModel(), (torch.randint(0, 10, (4, 5)),), {})),
    ),
    Case("mutates_input", _seeded(lambda: (MutatesInput(), (torch.randn(2, 3),), {}))),
    Case("dropout", _seeded(lambda: (Dropout(), (torch.randn(16, 8),), {})), random=True,
         replay=replays_dropout(0)),
    Case(
        "two_tensor_param",
        _seeded(lambda: (TwoTensorParam(), (torch.randn(2, 3),), {})),
        subclass=True,
    ),
]

BY_NAME = {c.name: c for c in CASES}
