"""Exports the joints of tools/native/tests/graphs (run from the repo root):

    JOINERY_TOOLS_DIR=target/debug .venv/bin/python tools/native/tests/graphs/gen_graphs.py [NAME..]

Each joint is a small net's training step (forward and every gradient, the input's
too): convolutions covering stride, padding, dilation, groups (depthwise too), bias or
none, 1-D and 2-D; max and average pooling with padding, dilation (max), ceil_mode,
count_include_pad and divisor_override (average); transposed convolutions (strided
with output padding, grouped, dilated, 1-D and 2-D); 1-D and 3-D depthwise convolutions;
3-d max, average and adaptive average pooling; `Unfold` / `Fold` (im2col, col2im); pads, crops, flips, triangles,
`linspace`, slices and selects and writes into them (their backwards and scatters, also
as the core decompositions export them); group norm, vector norms, `argmax` / `argmin`
and the smooth-L1, Huber and binary cross-entropy losses.
"""

import pathlib
import sys

import torch
import torch.nn.functional as F
from torch import nn
from torch._decomp import core_aten_decompositions

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


class PadsAndViews(nn.Module):
    """Pads (a fill value, two dims at once, negative pads cropping), flips, `triu` / `tril`
    (on floats, on a bool mask, and with pads and flips on integers), `linspace`, strided
    slices and selects (their backwards), and `slice_scatter`, `select_scatter`."""

    def forward(self, x):
        a = F.pad(x, (1, 2, 0, 1), value=0.5)
        b = F.pad(x, (-1, 2, 2, -3))
        c = torch.flip(a, dims=(1, -1))
        m = x[1, 0]
        mask = torch.triu(torch.ones(m.shape, dtype=torch.bool), diagonal=1)
        t = torch.triu(m, diagonal=-1) + torch.tril(m, 1).flip(0) + m.masked_fill(mask, 0.0)
        ramp = torch.linspace(-1.0, 2.0, x.shape[-1]) * torch.linspace(3.0, 3.0, 1)
        y = x[:, 1:, :, ::2] * ramp[::2]
        z = torch.select_scatter(x * 2.0, torch.sin(x[:, 2]), 1, 0)
        z = torch.slice_scatter(z, z[:, :, 3:5] * 3.0, dim=2, start=1, end=-2)
        n = (x[0, 0] * 4.0).to(torch.int64)
        return a.sum() + b.mean(), c, t, y, z, F.pad(n.flip(1), (1, -2, 0, 1), value=7), n.tril(-1)


class NormsAndLosses(nn.Module):
    """Group norms (affine and not), vector norms of several orders, `amin`, `argmax` /
    `argmin` and `min.dim` outputs, and the smooth-L1, Huber, binary cross-entropy and
    BCE-with-logits losses."""

    def __init__(self):
        super().__init__()
        self.affine = nn.GroupNorm(3, 6)
        self.plain = nn.GroupNorm(2, 6, affine=False)

    def forward(self, x):
        h = self.plain(torch.relu(self.affine(x))).flatten(1)
        target = torch.linspace(-1.0, 1.0, h.shape[1])
        p = torch.sigmoid(h)
        losses = (
            F.smooth_l1_loss(h, target.expand_as(h), beta=0.5)
            + F.smooth_l1_loss(h, target.flip(0).expand_as(h), reduction="sum")
            + F.huber_loss(h, target.expand_as(h), delta=0.7)
            + F.binary_cross_entropy(p, torch.sigmoid(target).expand_as(p))
            + F.binary_cross_entropy_with_logits(
                h, torch.sigmoid(target).expand_as(h), pos_weight=torch.full((h.shape[1],), 2.0)
            )
        )
        norms = (
            torch.linalg.vector_norm(h, dim=-1)
            + torch.linalg.vector_norm(h, ord=1, dim=-1)
            + torch.linalg.vector_norm(h, ord=float("inf"), dim=-1)
            + torch.linalg.vector_norm(h, ord=3)
            + torch.amin(h, -1)
        )
        low = h.detach().min(1)
        return losses, norms, h.argmax(-1), x.argmin(), low.values, low.indices


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


CASES |= {
    "conv_transpose2d": (
        Convs(
            nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1, output_padding=1),
            nn.ConvTranspose2d(4, 6, (2, 3), padding=(0, 1), dilation=(2, 1), groups=2),
        ),
        (2, 3, 4, 5),
    ),
    "conv_transpose1d": (
        Convs(
            nn.ConvTranspose1d(4, 4, 3, stride=3, padding=2, groups=2, bias=False),
            nn.ConvTranspose1d(4, 2, 4, stride=2, dilation=2, output_padding=1),
        ),
        (2, 4, 6),
    ),
    "pads_views": (PadsAndViews(), (2, 3, 5, 6)),
    "norms_losses": (NormsAndLosses(), (3, 6, 5)),
}

CASES |= {
    "max_pool3d": (
        Convs(
            nn.Conv3d(2, 3, 3, padding=1),
            nn.MaxPool3d((2, 3, 2), stride=(2, 1, 2), padding=(1, 1, 0), dilation=(1, 2, 1),
                         ceil_mode=True),
        ),
        (2, 2, 5, 6, 7),
    ),
    "avg_pool3d": (
        Convs(
            nn.AvgPool3d(3, stride=2, padding=1),
            nn.AvgPool3d((2, 3, 2), stride=(2, 1, 1), padding=(1, 1, 0), ceil_mode=True,
                         count_include_pad=False),
        ),
        (2, 3, 7, 6, 5),
    ),
    "avg_pool3d_divisor": (
        Convs(nn.Conv3d(2, 2, 1), nn.AvgPool3d(2, ceil_mode=True, divisor_override=3)),
        (1, 2, 5, 4, 3),
    ),
    "adaptive_avg_pool3d": (
        Convs(nn.AdaptiveAvgPool3d((3, 2, 4)), nn.AdaptiveAvgPool3d((1, 2, 2))),
        (2, 3, 7, 6, 8),
    ),
    "unfold_fold": (
        Convs(
            nn.Unfold((2, 3), dilation=(1, 2), padding=1, stride=(2, 1)),
            nn.Fold((6, 7), (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)),
        ),
        (2, 3, 6, 7),
    ),
}

CASES |= {
    # Direct (depthwise, channel multiplier 2) weight gradients: positions flattened
    # over 3 and 1 spatial dims, unpadded with a kernel of 1 in the trailing dims (no
    # placement, the operands read in place), and strided (rows of partial sums).
    "conv3d_depthwise": (
        Convs(
            nn.Conv3d(4, 4, 3, padding=1, groups=4),
            nn.Conv3d(4, 8, (3, 1, 1), groups=4),
        ),
        (1, 4, 5, 6, 7),
    ),
    "conv1d_depthwise": (
        Convs(
            nn.Conv1d(3, 6, 3, padding=1, dilation=1, groups=3),
            nn.Conv1d(6, 6, 5, stride=2, padding=2, groups=6),
        ),
        (2, 3, 17),
    ),
}

CORE = ("pads_views", "norms_losses")
"""Cases also exported with the core decompositions, as `<name>_core`."""


def main(names=None):
    """Exports every case, or only those named on the command line."""
    torch.manual_seed(0)
    for name, (module, shape) in CASES.items():
        if names and name not in names:
            continue
        x = torch.randn(*shape, requires_grad=True)
        text = export_joint(module, (x,))
        (HERE / f"{name}.mlir").write_text(text)
        print(name)
        if name in CORE:
            text = export_joint(module, (x,), decompositions=core_aten_decompositions())
            (HERE / f"{name}_core.mlir").write_text(text)
            print(f"{name}_core")


if __name__ == "__main__":
    main(sys.argv[1:])
