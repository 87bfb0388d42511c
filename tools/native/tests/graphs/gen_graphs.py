"""Exports the joints of tools/native/tests/graphs (run from the repo root):

    JOINERY_TOOLS_DIR=target/debug .venv/bin/python tools/native/tests/graphs/gen_graphs.py

Each joint is a small net's training step (forward and every gradient, the input's
too): convolutions covering stride, padding, dilation, groups (depthwise too), bias or
none, 1-D and 2-D; max and average pooling with padding, dilation (max), ceil_mode,
count_include_pad and divisor_override (average).
"""

import pathlib

import torch
from torch import nn

from joinery_torch import export_joint

HERE = pathlib.Path(__file__).parent


class Convs(nn.Module):
    """Two convolutions in a row, summed with a ReLU between (so grad_input is used)."""

    def __init__(self, first, second):
        super().__init__()
        self.first = first
        self.second = second

    def forward(self, x):
        return self.second(torch.relu(self.first(x)))


CASES = {
    "conv2d_stride_pad": (
        Convs(nn.Conv2d(3, 8, 3, stride=2, padding=1), nn.Conv2d(8, 4, 3, padding=1)),
        (2, 3, 9, 9),
    ),
    "conv2d_dilation_nobias": (
        Convs(
            nn.Conv2d(4, 6, (3, 2), padding=(2, 1), dilation=(2, 1), bias=False),
            nn.Conv2d(6, 5, 1),
        ),
        (2, 4, 8, 7),
    ),
    "conv2d_groups_depthwise": (
        Convs(
            nn.Conv2d(6, 16, 3, stride=(1, 2), padding=1, groups=2),
            nn.Conv2d(16, 16, 3, padding=2, dilation=2, groups=16),
        ),
        (3, 6, 7, 8),
    ),
    "conv2d_grouped_direct": (
        Convs(
            nn.Conv2d(6, 9, 3, stride=2, padding=1, groups=3),
            nn.Conv2d(9, 18, (2, 3), padding=(1, 0), groups=9, bias=False),
        ),
        (2, 6, 9, 8),
    ),
    "max_pool2d": (
        Convs(nn.Conv2d(2, 3, 3, padding=1), nn.MaxPool2d(3, stride=2, padding=1)),
        (2, 2, 9, 8),
    ),
    "max_pool2d_dilation_ceil": (
        Convs(
            nn.MaxPool2d((2, 3), stride=(2, 1), padding=(1, 1), dilation=(1, 2), ceil_mode=True),
            nn.MaxPool2d(2, ceil_mode=True),
        ),
        (2, 3, 9, 10),
    ),
    "avg_pool2d": (
        Convs(
            nn.AvgPool2d(3, stride=2, padding=1),
            nn.AvgPool2d((2, 3), stride=(2, 1), padding=(1, 1), ceil_mode=True,
                         count_include_pad=False),
        ),
        (2, 3, 9, 8),
    ),
    "avg_pool2d_divisor": (
        Convs(nn.Conv2d(2, 2, 1), nn.AvgPool2d(2, ceil_mode=True, divisor_override=3)),
        (1, 2, 5, 7),
    ),
    "conv1d": (
        Convs(nn.Conv1d(3, 5, 4, stride=3, padding=2), nn.Conv1d(5, 2, 3, groups=1)),
        (2, 3, 17),
    ),
}


def main():
    torch.manual_seed(0)
    for name, (module, shape) in CASES.items():
        text = export_joint(module, (torch.randn(*shape, requires_grad=True),))
        (HERE / f"{name}.mlir").write_text(text)
        print(name)


if __name__ == "__main__":
    main()
