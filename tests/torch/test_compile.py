"""joinery as PyTorch's compiler: every zoo model trains for a few SGD steps through each
entry point of the bridge and ends where eager PyTorch ends.

Entry points: ``compile_joint(module, args)``, ``torch.compile(module,
backend="joinery")`` and PyTorch's ``aot_compile_joint_with_descriptors`` with joinery's
``partition_fn``, ``fw_compiler`` and ``bw_compiler``. A model whose joint the native backend cannot compile (a known
native gap of ``test_stages.GAPS``) is a strict xfail for ``compile_joint``, and for
``torch.compile`` it must fall back to eager with a warning and still train as eager does.
"""

from __future__ import annotations

import contextlib
import copy
import re
import warnings

import pytest
import torch

import models
import zoo_models
import joinery_torch
from joinery_torch import JoineryFallbackWarning, compile_joint
from test_stages import KnownGap, NAMES, gap, known

STEPS = 5
LR = 0.01
CASES = {c.name: c for c in models.CASES + zoo_models.CASES}

STAGE = "native-fwd-bwd"
"""The zoo stage whose known gaps say that the pair does not compile natively."""


@pytest.fixture(autouse=True, scope="module")
def private_cache(tmp_path_factory):
    """Compiled libraries go to a cache of this test session."""
    mp = pytest.MonkeyPatch()
    mp.setenv("JOINERY_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    yield
    mp.undo()


def _loss(outputs) -> torch.Tensor:
    """What a step minimises: the sum of the means of the outputs that carry a gradient."""
    flat = [o for o in torch.utils._pytree.tree_leaves(outputs)
            if isinstance(o, torch.Tensor) and o.requires_grad]
    return sum(o.float().mean() for o in flat)


def train(module, call, args, kwargs) -> list[float]:
    """``STEPS`` of plain SGD on ``module`` through ``call``; the losses."""
    losses = []
    for _ in range(STEPS):
        for p in module.parameters():
            p.grad = None
        a, k = copy.deepcopy((args, kwargs))
        loss = _loss(call(*a, **k))
        loss.backward()
        with torch.no_grad():
            for p in module.parameters():
                if p.grad is not None:
                    p -= LR * p.grad
        losses.append(loss.item())
    return losses


def assert_same_training(name: str, entry: str):
    case = CASES[name]
    module, args, kwargs = case.factory()
    eager = copy.deepcopy(module)
    if entry == "compile_joint":
        call = compile_joint(module, args, kwargs)
    elif entry == "aot":
        call = aot_compiled(module, args, kwargs)
    else:
        torch._dynamo.reset()
        call = torch.compile(module, backend="joinery", fullgraph=True)
    got = train(module, call, args, kwargs)
    expected = train(eager, eager, args, kwargs)
    torch.testing.assert_close(torch.tensor(got), torch.tensor(expected), rtol=1e-4, atol=1e-5)
    for (n, p), q in zip(module.state_dict().items(), eager.state_dict().values()):
        torch.testing.assert_close(p, q, rtol=1e-4, atol=1e-5, msg=lambda m: f"{n}: {m}")


def aot_compiled(module, args, kwargs):
    """``module`` through ``aot_compile_joint_with_descriptors`` with joinery's partition
    and compilers, called like the module."""
    from torch._functorch.aot_autograd import (aot_compile_joint_with_descriptors,
                                                aot_export_joint_with_descriptors)

    with contextlib.ExitStack() as stack:
        jd = aot_export_joint_with_descriptors(stack, module, args, kwargs)
        f = aot_compile_joint_with_descriptors(
            jd, partition_fn=joinery_torch.partition_fn, fw_compiler=joinery_torch.fw_compiler,
            bw_compiler=joinery_torch.bw_compiler)
    params = dict(module.named_parameters(remove_duplicate=False))
    buffers = dict(module.named_buffers(remove_duplicate=False))
    state = [params[n] for n in jd.params_spec] + [buffers[n] for n in jd.buffers_spec]
    return lambda *a, **k: f(*state, *a, **k)


TRAINED = [n for n in NAMES if not CASES[n].random]
"""Models whose steps are deterministic (random ones draw differently from eager)."""

RANDOM = [n for n in NAMES if CASES[n].random]
"""Models with dropout: eager replays the masks joinery drew (``Case.replay``)."""


def _with_gaps(names: list[str]) -> list:
    """``names`` as parameters, a known native gap a strict xfail."""
    return [pytest.param(n, marks=[pytest.mark.xfail(strict=True, raises=KnownGap,
                                                     reason=g.reason)] if g else [])
            for n in names for g in [gap(n, "none", STAGE)]]


@pytest.mark.parametrize("name", _with_gaps(TRAINED))
@pytest.mark.parametrize("entry", ["compile_joint", "aot"])
def test_compiled_joint_trains_as_eager(name, entry):
    """``compile_joint`` and PyTorch's ``aot_compile_joint_with_descriptors`` with joinery's
    partition and compilers: the same losses, parameters and buffers as eager after 5
    steps."""
    with known(name, "none", STAGE):
        assert_same_training(name, entry)


@pytest.mark.parametrize("name", TRAINED)
def test_torch_compile_trains_as_eager(name):
    """``torch.compile(backend="joinery")``: the same training as eager; a graph joinery
    cannot compile falls back to eager with one warning naming the op."""
    g = gap(name, "none", STAGE)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert_same_training(name, "torch.compile")
    fallbacks = [str(w.message) for w in caught if w.category is JoineryFallbackWarning]
    if g is None:
        assert fallbacks == []
    else:
        assert len(fallbacks) == 1 and re.search(r"aten\.\S+ (at|in the backward of) \S*models\.py:\d+",
                                                 fallbacks[0]), fallbacks


class GraphBreak(torch.nn.Module):
    """Two graphs for Dynamo: a graph break between the layers."""

    def __init__(self):
        super().__init__()
        self.l1 = torch.nn.Linear(6, 8)
        self.l2 = torch.nn.Linear(8, 3)

    def forward(self, x):
        h = torch.relu(self.l1(x))
        torch._dynamo.graph_break()
        return self.l2(h).square().mean()


def test_torch_compile_with_graph_breaks(monkeypatch):
    """Each graph of a model with a graph break is compiled by joinery, and training
    matches eager."""
    import joinery_torch.backend as backend

    compiled = []
    original = backend.compile_joint

    def counting(gm, args):
        compiled.append(gm)
        return original(gm, args)

    monkeypatch.setattr(backend, "compile_joint", counting)
    torch.manual_seed(0)
    model, x = GraphBreak(), torch.randn(4, 6)
    eager = copy.deepcopy(model)
    torch._dynamo.reset()
    with warnings.catch_warnings():
        warnings.simplefilter("error", JoineryFallbackWarning)
        got = train(model, torch.compile(model, backend="joinery"), (x,), {})
    assert len(compiled) == 2
    torch.testing.assert_close(torch.tensor(got), torch.tensor(train(eager, eager, (x,), {})),
                               rtol=1e-4, atol=1e-5)


class SpectralNorm(torch.nn.Module):
    """A model with an op the native backend lacks: a product of complex matrices
    (``aten.mm`` of an ``rfft`` and its transpose)."""

    def __init__(self):
        super().__init__()
        self.l = torch.nn.Linear(8, 8)

    def forward(self, x):
        z = torch.fft.rfft(self.l(x))
        return (z @ z.mT).abs().mean()


def test_fallback_names_the_op_and_the_model_line():
    torch.manual_seed(0)
    model, x = SpectralNorm(), torch.randn(4, 8)
    torch._dynamo.reset()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loss = torch.compile(model, backend="joinery")(x)
    fallbacks = [str(w.message) for w in caught if w.category is JoineryFallbackWarning]
    assert len(fallbacks) == 1
    assert re.search(r"aten\.mm.* at \S*test_compile\.py:\d+", fallbacks[0]), fallbacks
    torch.testing.assert_close(loss, model(x))


def test_compiled_library_is_cached(monkeypatch, tmp_path):
    """A second compilation of the same graph reuses the library without the compiler."""
    monkeypatch.setenv("JOINERY_CACHE_DIR", str(tmp_path))
    model, x = GraphBreak().l1, torch.randn(2, 6)
    first = compile_joint(model, (x,))
    assert first.library_path.is_relative_to(tmp_path)
    import joinery_torch.compile as c

    monkeypatch.setattr(c, "_run", lambda cmd: pytest.fail(f"the compiler ran: {cmd}"))
    second = compile_joint(model, (x,))
    assert second.library_path == first.library_path


@pytest.mark.parametrize("name", RANDOM)
def test_random_models_train_as_eager_replaying_the_masks(name):
    """Dropout through ``compile_joint``: each step draws a fresh mask, and eager autograd
    replaying that mask computes the same loss and the same update."""
    case = CASES[name]
    module, args, kwargs = case.factory()
    eager = copy.deepcopy(module)
    step = compile_joint(module, args, kwargs)
    masks = []
    for _ in range(STEPS):
        for m in (module, eager):
            for p in m.parameters():
                p.grad = None
        outs = step(*args, **kwargs)
        flat = [o for o in torch.utils._pytree.tree_leaves(outs) if isinstance(o, torch.Tensor)]
        replayed = case.replay(eager, [o.detach().numpy() for o in flat])
        masks.append(replayed.drop.mask)
        loss, expected = _loss(outs), _loss(replayed(*args, **kwargs))
        loss.backward()
        expected.backward()
        torch.testing.assert_close(loss, expected, rtol=1e-4, atol=1e-5)
        with torch.no_grad():
            for p, q, r in zip(module.parameters(), eager.parameters(), replayed.parameters()):
                torch.testing.assert_close(p.grad, r.grad, rtol=1e-4, atol=1e-5)
                p -= LR * p.grad
                q -= LR * r.grad
    assert not all(torch.equal(masks[0], m) for m in masks[1:]), "every step drew the same mask"
