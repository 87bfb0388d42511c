"""Fixtures of the conformance zoo: each model is exported once per session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from joinery_torch import export  # noqa: E402

import models  # noqa: E402


@pytest.fixture(scope="session")
def exported(tmp_path_factory):
    """``exported(name)``: the case, its export (with example inputs and PyTorch's outputs)
    and the directory holding ``joint.mlir``, ``inputs/`` and ``expected/``."""
    cache = {}

    def get(name: str):
        if name not in cache:
            case = models.BY_NAME[name]
            module, args, kwargs = case.factory()
            result = export(module, args, kwargs)
            d = tmp_path_factory.mktemp(name)
            (d / "joint.mlir").write_text(result.text)
            result.write_npy(d)
            cache[name] = (case, (module, args, kwargs), result, d)
        return cache[name]

    return get
