"""Source locations end to end: the exporter writes each op's Python line as its
``loc(...)`` (``fused<"backward">[...]`` for the ops of that line's backward), and errors
from the compiled code name that line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch

from joinery_torch import compile_joint, export_joint


class Lookup(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = torch.nn.Embedding(10, 3)
        self.fc = torch.nn.Linear(3, 2)

    def forward(self, idx):
        h = self.emb(idx)  # EMBEDDING_LINE
        return torch.relu(self.fc(h)).sum()  # FC_LINE


def line_of(marker: str) -> int:
    lines = Path(__file__).read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if line.rstrip().endswith(marker))


def op_locs(text: str, op: str) -> list[str]:
    """The ``loc(...)`` of every ``op`` line of an exported text."""
    return re.findall(rf'"{re.escape(op)}"\(.*? loc\((.*)\)$', text, re.M)


def test_forward_ops_carry_their_line_and_backward_ops_the_forward_line():
    text = export_joint(Lookup(), (torch.tensor([1, 2, 3]),))
    here = re.escape(__file__)
    emb, fc = line_of("# EMBEDDING_LINE"), line_of("# FC_LINE")
    # The column is that of the statement's first character (8 spaces of indent).
    assert op_locs(text, "aten.embedding") == [f'"{__file__}":{emb}:9']
    assert op_locs(text, "aten.relu") == [f'"{__file__}":{fc}:9']
    backward = op_locs(text, "aten.embedding_dense_backward")
    assert backward and all(
        re.fullmatch(rf'fused<"backward">\["{here}":{emb}:9\]', b) for b in backward
    ), backward
    assert op_locs(text, "aten.threshold_backward") == [f'fused<"backward">["{__file__}":{fc}:9]']


def test_an_index_out_of_range_at_run_time_names_the_python_line():
    model = Lookup()
    step = compile_joint(model, (torch.tensor([1, 2, 3]),))
    with pytest.raises(Exception) as e:
        step(torch.tensor([1, 10, 3]))
    msg = str(e.value)
    assert "index 10 is out of range" in msg, msg
    assert f"(from {__file__}:{line_of('# EMBEDDING_LINE')}:9)" in msg, msg
