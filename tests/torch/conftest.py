"""Fixtures of the conformance zoo: each model is exported once per session and
decomposition mode (``none``: PyTorch's ops as they come, ``core``: core ATen
decompositions). The conformance tests (``test_zoo.py``) run in both modes, the stage tests
(``test_stages.py``) ask for a mode per call, and the others, which check the text of
particular exports, use ``none``."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from joinery_torch import export  # noqa: E402
from joinery_torch.__main__ import decomposition_table  # noqa: E402

import models  # noqa: E402
import zoo_models  # noqa: E402

CASES = {**models.BY_NAME, **zoo_models.BY_NAME}
"""Every model of the conformance zoo and the real-model zoo, by name."""


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
    """``exported(name, mode=None)``: the case, its export with decomposition table
    ``mode`` (``none`` or ``core``, as ``python -m joinery_torch export --decompositions``;
    the session's mode by default) with example inputs and PyTorch's outputs, and the
    directory holding ``joint.mlir``, ``inputs/`` and ``expected/``. An export that fails
    raises its error on every call."""
    cache = {}

    def get(name: str, mode: str | None = None):
        mode = mode or decompositions
        key = (name, mode)
        if key not in cache:
            case = CASES[name]
            module, args, kwargs = case.factory()
            try:
                result = export(module, args, kwargs, decompositions=decomposition_table(mode))
            except Exception as e:  # noqa: BLE001 - kept and re-raised for every stage
                cache[key] = e
            else:
                d = tmp_path_factory.mktemp(f"{name}-{mode}")
                (d / "joint.mlir").write_text(result.text)
                result.write_npy(d)
                cache[key] = (case, (module, args, kwargs), result, d)
        if isinstance(cache[key], Exception):
            raise cache[key]
        return cache[key]

    return get
