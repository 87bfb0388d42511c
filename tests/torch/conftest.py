"""Fixtures of the conformance zoo: each model is exported once per mode per session."""

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


@pytest.fixture(scope="session")
def exported(tmp_path_factory):
    """``exported(name, mode="none")``: the case, its export with decomposition table
    ``mode`` (``none`` or ``core``, as ``python -m joinery_torch export --decompositions``)
    with example inputs and PyTorch's outputs, and the directory holding ``joint.mlir``,
    ``inputs/`` and ``expected/``. An export that fails raises its error on every call."""
    cache = {}

    def get(name: str, mode: str = "none"):
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
