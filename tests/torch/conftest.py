"""Fixtures of the conformance zoo: each model is exported once per session and
decomposition mode (``none``: PyTorch's ops as they come, ``core``: core ATen
decompositions). The zoo's tests (``test_zoo.py``) run in both modes; the others, which
check the text of particular exports, in ``none``."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from joinery_torch import export  # noqa: E402

import models  # noqa: E402


def _decomposition_table(mode: str):
    if mode == "none":
        return None
    from torch._decomp import core_aten_decompositions

    return core_aten_decompositions()


DECOMPOSITION_MODES = ["none", "core"]


def pytest_generate_tests(metafunc):
    """Runs every zoo test in every decomposition mode."""
    if metafunc.module.__name__ == "test_zoo" and "exported" in metafunc.fixturenames:
        metafunc.parametrize("decompositions", DECOMPOSITION_MODES, scope="session")


@pytest.fixture(scope="session")
def decompositions() -> str:
    """The decomposition mode of the export (``none`` unless parametrized)."""
    return "none"


@pytest.fixture(scope="session")
def exported(tmp_path_factory, decompositions):
    """``exported(name)``: the case, its export in the session's decomposition mode (with
    example inputs and PyTorch's outputs) and the directory holding ``joint.mlir``,
    ``inputs/`` and ``expected/``."""
    cache = {}

    def get(name: str):
        if name not in cache:
            case = models.BY_NAME[name]
            module, args, kwargs = case.factory()
            result = export(
                module, args, kwargs, decompositions=_decomposition_table(decompositions)
            )
            d = tmp_path_factory.mktemp(f"{name}-{decompositions}")
            (d / "joint.mlir").write_text(result.text)
            result.write_npy(d)
            cache[name] = (case, (module, args, kwargs), result, d)
        return cache[name]

    return get
