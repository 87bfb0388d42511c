"""The real-model zoo: small models written as users write them (``nn.Module`` code, the
usual layers and losses), each run through every stage by ``test_stages.py``.

Each case is a seeded factory returning ``(module, args, kwargs)`` that runs in a fraction
of a second on a CPU. Models that draw random numbers (dropout) also return what they drew,
and their case says how to replay those draws eagerly (:attr:`models.Case.replay`).
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from models import Case, _seeded, replays_dropout


class BasicBlock(nn.Module):
    """ResNet basic block (conv-BN-ReLU-conv-BN + identity) after a strided stem, max
    pooling, global average pooling and a classifier with cross-entropy."""

    def __init__(self, c=4, classes=3):
        super().__init__()
        self.stem = nn.Conv2d(3, c, 3, padding=1, bias=False)
        self.bn0 = nn.BatchNorm2d(c)
        self.pool = nn.MaxPool2d(2)
        self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)
        self.fc = nn.Linear(c, classes)

    def forward(self, x, y):
        x = self.pool(F.relu(self.bn0(self.stem(x))))
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out = F.relu(out + x)
        out = F.adaptive_avg_pool2d(out, 1).flatten(1)
        return F.cross_entropy(self.fc(out), y)


class SmallVGG(nn.Module):
    """Two VGG stages (conv-ReLU-conv-ReLU-maxpool) and a two-layer classifier."""

    def __init__(self, classes=4):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(),
            nn.Conv2d(4, 4, 3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2, 2),
            nn.Conv2d(4, 8, 3, padding=1), nn.ReLU(),
            nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2, 2),
        )
        self.classifier = nn.Sequential(nn.Linear(8 * 2 * 2, 16), nn.ReLU(), nn.Linear(16, classes))

    def forward(self, x, y):
        return F.cross_entropy(self.classifier(torch.flatten(self.features(x), 1)), y)


class DepthwiseSeparable(nn.Module):
    """MobileNet-style blocks: depthwise 3x3 conv (groups = channels), BN, ReLU6, pointwise
    1x1 conv, BN, ReLU6; then global pooling and a linear head."""

    def __init__(self, c=4, classes=3):
        super().__init__()
        self.stem = nn.Conv2d(3, c, 3, stride=2, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(c)
        self.dw = nn.Conv2d(c, c, 3, padding=1, groups=c, bias=False)
        self.bn_dw = nn.BatchNorm2d(c)
        self.pw = nn.Conv2d(c, 2 * c, 1, bias=False)
        self.bn_pw = nn.BatchNorm2d(2 * c)
        self.head = nn.Linear(2 * c, classes)

    def forward(self, x, y):
        x = F.relu6(self.bn(self.stem(x)))
        x = F.relu6(self.bn_dw(self.dw(x)))
        x = F.relu6(self.bn_pw(self.pw(x)))
        return F.cross_entropy(self.head(x.mean((2, 3))), y)


class TinyUNet(nn.Module):
    """U-Net with one level: encoder convs, max pooling, a bottleneck, nearest upsampling,
    ``cat`` with the skip connection, decoder convs and an MSE reconstruction loss."""

    def __init__(self, c=4):
        super().__init__()
        self.enc = nn.Sequential(nn.Conv2d(1, c, 3, padding=1), nn.ReLU())
        self.mid = nn.Sequential(nn.Conv2d(c, 2 * c, 3, padding=1), nn.ReLU())
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.dec = nn.Sequential(nn.Conv2d(3 * c, c, 3, padding=1), nn.ReLU())
        self.out = nn.Conv2d(c, 1, 1)

    def forward(self, x, target):
        skip = self.enc(x)
        mid = self.mid(F.max_pool2d(skip, 2))
        y = self.out(self.dec(torch.cat([self.up(mid), skip], dim=1)))
        return F.mse_loss(y, target)


class UnrolledLSTM(nn.Module):
    """An ``LSTMCell`` unrolled over a sequence, predicting a constant target sequence
    built in ``forward``."""

    def __init__(self, n_in=3, hidden=8):
        super().__init__()
        self.hidden = hidden
        self.cell = nn.LSTMCell(n_in, hidden)
        self.readout = nn.Linear(hidden, 1)

    def forward(self, xs):
        T, B, _ = xs.shape
        h = xs.new_zeros(B, self.hidden)
        c = xs.new_zeros(B, self.hidden)
        preds = []
        for t in range(T):
            h, c = self.cell(xs[t], (h, c))
            preds.append(self.readout(h))
        target = torch.linspace(0.0, 1.0, T).view(T, 1, 1).expand(T, B, 1)
        return F.mse_loss(torch.stack(preds), target)


class UnrolledGRU(nn.Module):
    """A ``GRUCell`` unrolled over a sequence; the last state is classified against a
    constant class."""

    def __init__(self, n_in=3, hidden=8, classes=4):
        super().__init__()
        self.hidden = hidden
        self.cell = nn.GRUCell(n_in, hidden)
        self.head = nn.Linear(hidden, classes)

    def forward(self, xs):
        h = torch.zeros(xs.shape[1], self.hidden)
        for x in xs.unbind(0):
            h = self.cell(x, h)
        target = torch.full((xs.shape[1],), 2, dtype=torch.long)
        return F.cross_entropy(self.head(h), target)


class GPTBlock(nn.Module):
    """A GPT-style language model block: token and position embeddings, pre-norm causal
    self-attention with a ``triu`` mask applied by ``masked_fill``, a GELU MLP, a tied
    LM head and next-token cross-entropy."""

    def __init__(self, vocab=11, d=16, heads=2, ctx=8):
        super().__init__()
        self.heads = heads
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(ctx, d)
        self.ln1 = nn.LayerNorm(d)
        self.attn = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))
        self.ln_f = nn.LayerNorm(d)

    def forward(self, idx):
        B, T = idx.shape
        x = self.tok(idx) + self.pos(torch.arange(T))
        q, k, v = self.attn(self.ln1(x)).chunk(3, dim=-1)
        q, k, v = (t.view(B, T, self.heads, -1).transpose(1, 2) for t in (q, k, v))
        att = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
        causal = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
        att = att.masked_fill(causal, float("-inf")).softmax(-1)
        x = x + self.proj((att @ v).transpose(1, 2).reshape(B, T, -1))
        x = x + self.mlp(self.ln2(x))
        logits = self.ln_f(x) @ self.tok.weight.t()
        return F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), idx[:, 1:].reshape(-1))


class RMSNorm(nn.Module):
    """Root-mean-square layer norm as LLaMA writes it."""

    def __init__(self, d, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class RMSNormMLP(nn.Module):
    """RMSNorm, a linear layer and a sum-of-squares loss."""

    def __init__(self, d=16):
        super().__init__()
        self.norm = RMSNorm(d)
        self.lin = nn.Linear(d, d)

    def forward(self, x):
        return self.lin(self.norm(x)).pow(2).mean()


class SwiGLU(nn.Module):
    """The LLaMA feed-forward: ``w2(silu(w1 x) * w3 x)`` behind ``nn.RMSNorm``, residual."""

    def __init__(self, d=16, hidden=32):
        super().__init__()
        self.norm = nn.RMSNorm(d)
        self.w1 = nn.Linear(d, hidden, bias=False)
        self.w3 = nn.Linear(d, hidden, bias=False)
        self.w2 = nn.Linear(hidden, d, bias=False)

    def forward(self, x):
        h = self.norm(x)
        return (x + self.w2(F.silu(self.w1(h)) * self.w3(h))).sum()


def rotate_half(x):
    """``[-x2, x1]`` for the halves ``x1, x2`` of the last dimension (rotary embeddings)."""
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


class RotaryAttention(nn.Module):
    """Self-attention with rotary position embeddings: the ``cos``/``sin`` tables are
    computed in ``forward`` from ``arange`` and applied with ``rotate_half``."""

    def __init__(self, d=16, heads=2):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.out = nn.Linear(d, d, bias=False)

    def forward(self, x):
        B, T, D = x.shape
        hd = D // self.heads
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, hd).permute(2, 0, 3, 1, 4).unbind(0)
        inv_freq = 1.0 / (10000 ** (torch.arange(0, hd, 2).float() / hd))
        freqs = torch.outer(torch.arange(T).float(), inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos(), emb.sin()
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        att = torch.softmax(q @ k.transpose(-1, -2) * hd**-0.5, dim=-1)
        return self.out((att @ v).transpose(1, 2).reshape(B, T, D)).pow(2).mean()


class BertEncoder(nn.Module):
    """A BERT-style encoder layer: word, position and token-type embeddings, LayerNorm,
    self-attention with a padding mask from the attention-mask input, post-norm FFN,
    masked mean pooling and a classifier."""

    def __init__(self, vocab=13, d=16, heads=2, ctx=8, classes=2):
        super().__init__()
        self.heads = heads
        self.word = nn.Embedding(vocab, d, padding_idx=0)
        self.position = nn.Embedding(ctx, d)
        self.token_type = nn.Embedding(2, d)
        self.ln_emb = nn.LayerNorm(d)
        self.q, self.k, self.v = nn.Linear(d, d), nn.Linear(d, d), nn.Linear(d, d)
        self.o = nn.Linear(d, d)
        self.ln1 = nn.LayerNorm(d)
        self.ff1, self.ff2 = nn.Linear(d, 2 * d), nn.Linear(2 * d, d)
        self.ln2 = nn.LayerNorm(d)
        self.cls = nn.Linear(d, classes)

    def forward(self, input_ids, token_type_ids, attention_mask, labels):
        B, T = input_ids.shape
        x = self.word(input_ids) + self.position(torch.arange(T)) + self.token_type(token_type_ids)
        x = self.ln_emb(x)
        split = lambda t: t.view(B, T, self.heads, -1).transpose(1, 2)  # noqa: E731
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
        pad = (1.0 - attention_mask[:, None, None, :].float()) * torch.finfo(scores.dtype).min
        ctx = (torch.softmax(scores + pad, dim=-1) @ v).transpose(1, 2).reshape(B, T, -1)
        x = self.ln1(x + self.o(ctx))
        x = self.ln2(x + self.ff2(F.gelu(self.ff1(x))))
        m = attention_mask.unsqueeze(-1).float()
        pooled = (x * m).sum(1) / m.sum(1)
        return F.cross_entropy(self.cls(pooled), labels)


class Recommender(nn.Module):
    """A DLRM-style recommender: user and item bags of ids pooled by ``EmbeddingBag``
    (offsets), a dense-feature MLP, dot-product interactions and a BCE-with-logits loss
    against click labels."""

    def __init__(self, users=10, items=12, d=8, dense=4):
        super().__init__()
        self.user = nn.EmbeddingBag(users, d, mode="mean")
        self.item = nn.EmbeddingBag(items, d, mode="sum")
        self.bottom = nn.Sequential(nn.Linear(dense, d), nn.ReLU())
        self.top = nn.Linear(3 + d, 1)

    def forward(self, user_ids, user_offsets, item_ids, item_offsets, dense, clicks):
        u = self.user(user_ids, user_offsets)
        i = self.item(item_ids, item_offsets)
        d = self.bottom(dense)
        inter = torch.stack([(u * i).sum(1), (u * d).sum(1), (i * d).sum(1)], dim=1)
        logit = self.top(torch.cat([inter, d], dim=1)).squeeze(1)
        return F.binary_cross_entropy_with_logits(logit, clicks)


class MixerBlock(nn.Module):
    """One MLP-Mixer layer over image patches: token mixing across patches (transposed),
    channel mixing, LayerNorms, GELU, then a classifier."""

    def __init__(self, patches=4, d=8, classes=3):
        super().__init__()
        self.embed = nn.Conv2d(3, d, kernel_size=4, stride=4)
        self.ln1 = nn.LayerNorm(d)
        self.token = nn.Sequential(nn.Linear(patches, 8), nn.GELU(), nn.Linear(8, patches))
        self.ln2 = nn.LayerNorm(d)
        self.channel = nn.Sequential(nn.Linear(d, 16), nn.GELU(), nn.Linear(16, d))
        self.head = nn.Linear(d, classes)

    def forward(self, images, y):
        x = self.embed(images).flatten(2).transpose(1, 2)
        x = x + self.token(self.ln1(x).transpose(1, 2)).transpose(1, 2)
        x = x + self.channel(self.ln2(x))
        return F.cross_entropy(self.head(x.mean(1)), y)


class WithConstants(nn.Module):
    """Tensor constants in ``forward``: per-feature normalisation statistics written as
    ``torch.tensor`` literals and class weights for the loss."""

    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 3)

    def forward(self, x, y):
        mean = torch.tensor([0.485, 0.456, 0.406])
        std = torch.tensor([0.229, 0.224, 0.225])
        logits = self.lin((x - mean) / std)
        return F.cross_entropy(logits, y, weight=torch.tensor([1.0, 2.0, 0.5]))


class InPlaceUpdates(nn.Module):
    """In-place ops on an input and on buffers: input clipping, an exponential moving
    average of the features, a step counter, and in-place activations."""

    def __init__(self, d=6):
        super().__init__()
        self.lin = nn.Linear(d, d)
        self.register_buffer("ema", torch.zeros(d))
        self.register_buffer("steps", torch.zeros((), dtype=torch.long))

    def forward(self, x):
        x.clamp_(-2.0, 2.0)
        h = self.lin(x)
        self.ema.mul_(0.9).add_(h.detach().mean(0), alpha=0.1)
        self.steps += 1
        h.mul_(2.0)
        h = h.relu_()
        return (h - self.ema).pow(2).sum()


class DropoutMLP(nn.Module):
    """An MLP with dropout in training mode; it returns the dropped features beside the
    loss so the mask it drew can be checked."""

    def __init__(self, p=0.25):
        super().__init__()
        self.l1 = nn.Linear(8, 32)
        self.drop = nn.Dropout(p)
        self.l2 = nn.Linear(32, 4)

    def forward(self, x, target):
        d = self.drop(self.l1(x))
        return F.mse_loss(self.l2(F.relu(d)), target), d


class IntegerSideInputs(nn.Module):
    """Integer and boolean side inputs: per-sample sequence lengths build a mask, class
    ids pick rows with ``gather``, and a boolean input selects which samples count."""

    def __init__(self, d=6, classes=5):
        super().__init__()
        self.enc = nn.Linear(d, d)
        self.head = nn.Linear(d, classes)

    def forward(self, x, lengths, labels, keep):
        T = x.shape[1]
        valid = torch.arange(T)[None, :] < lengths[:, None]
        h = torch.tanh(self.enc(x)) * valid.unsqueeze(-1)
        pooled = h.sum(1) / lengths[:, None]
        logp = F.log_softmax(self.head(pooled), dim=-1)
        picked = logp.gather(1, labels[:, None]).squeeze(1)
        return -(picked * keep).sum() / keep.sum()


class MultiTask(nn.Module):
    """Two heads with two losses returned separately, plus non-differentiable outputs:
    the predicted classes (``argmax``), the accuracy and detached logits."""

    def __init__(self, d=8):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(d, 16), nn.ReLU())
        self.cls = nn.Linear(16, 3)
        self.reg = nn.Linear(16, 1)

    def forward(self, x, labels, values):
        h = self.trunk(x)
        logits = self.cls(h)
        cls_loss = F.cross_entropy(logits, labels)
        reg_loss = F.smooth_l1_loss(self.reg(h).squeeze(1), values)
        pred = logits.argmax(-1)
        accuracy = (pred == labels).float().mean()
        return cls_loss, reg_loss, pred, accuracy, logits.detach()


class Activations(nn.Module):
    """An MLP whose layers use the common activations: SiLU, Hardswish, LeakyReLU, ELU,
    Mish, Softplus."""

    def __init__(self, d=8):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(d, d) for _ in range(6))
        self.acts = [F.silu, F.hardswish, lambda t: F.leaky_relu(t, 0.1), F.elu, F.mish,
                     F.softplus]

    def forward(self, x):
        for lin, act in zip(self.layers, self.acts):
            x = act(lin(x))
        return x.sum()


class GroupNormCNN(nn.Module):
    """Convolutions with GroupNorm and SiLU (a diffusion U-Net's ResBlock), residual."""

    def __init__(self, c=8):
        super().__init__()
        self.conv_in = nn.Conv2d(3, c, 3, padding=1)
        self.norm1 = nn.GroupNorm(2, c)
        self.conv1 = nn.Conv2d(c, c, 3, padding=1)
        self.norm2 = nn.GroupNorm(4, c)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1)

    def forward(self, x):
        h = self.conv_in(x)
        r = self.conv1(F.silu(self.norm1(h)))
        r = self.conv2(F.silu(self.norm2(r)))
        return (h + r).pow(2).mean()


class Regression(nn.Module):
    """A regression MLP with ``mse_loss`` and an L1 penalty on the first layer."""

    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(5, 16)
        self.l2 = nn.Linear(16, 2)

    def forward(self, x, target):
        pred = self.l2(torch.tanh(self.l1(x)))
        return F.mse_loss(pred, target) + 1e-3 * self.l1.weight.abs().sum()


class CumsumTopk(nn.Module):
    """A running sum over time (``cumsum``), then the mean of the ``topk`` scores per
    sample as the loss."""

    def __init__(self, d=6):
        super().__init__()
        self.score = nn.Linear(d, 1)

    def forward(self, x):
        s = torch.cumsum(self.score(x).squeeze(-1), dim=1)
        top, _ = torch.topk(s, k=3, dim=1)
        return top.mean()


class PaddedConv(nn.Module):
    """Explicit zero padding with ``F.pad`` (asymmetric, as "same" padding for even
    kernels needs) before convolutions, and a padded 1-d sequence conv."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 2)
        self.seq = nn.Conv1d(4, 4, 3)

    def forward(self, x):
        h = F.relu(self.conv(F.pad(x, (0, 1, 0, 1))))
        s = h.flatten(2)
        s = self.seq(F.pad(s, (2, 0), value=0.0))
        return s.pow(2).mean()


class SDPAttention(nn.Module):
    """Multi-head attention through ``F.scaled_dot_product_attention`` with a causal mask,
    as ``nn.MultiheadAttention`` and most transformer libraries call it."""

    def __init__(self, d=16, heads=2):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d)
        self.o = nn.Linear(d, d)

    def forward(self, x):
        B, T, D = x.shape
        q, k, v = self.qkv(x).split(D, dim=-1)
        q, k, v = (t.view(B, T, self.heads, -1).transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.o(y.transpose(1, 2).reshape(B, T, D)).pow(2).mean()


class ConvAutoencoder(nn.Module):
    """A convolutional autoencoder: strided convs down, ``ConvTranspose2d`` up, a sigmoid
    output and a binary cross-entropy reconstruction loss."""

    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Conv2d(1, 4, 3, stride=2, padding=1), nn.ReLU(),
                                     nn.Conv2d(4, 8, 3, stride=2, padding=1), nn.ReLU())
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
            nn.ConvTranspose2d(4, 1, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid())

    def forward(self, x):
        return F.binary_cross_entropy(self.decoder(self.encoder(x)), x)


class Contrastive(nn.Module):
    """A CLIP-style contrastive loss: two encoders, L2-normalised embeddings, a learned
    temperature and a symmetric cross-entropy over the similarity matrix."""

    def __init__(self, d_img=12, d_txt=10, d=8):
        super().__init__()
        self.img = nn.Sequential(nn.Linear(d_img, 16), nn.GELU(), nn.Linear(16, d))
        self.txt = nn.Sequential(nn.Linear(d_txt, 16), nn.Tanh(), nn.Linear(16, d))
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))

    def forward(self, images, texts):
        i = F.normalize(self.img(images), dim=-1)
        t = F.normalize(self.txt(texts), dim=-1)
        logits = self.logit_scale.exp() * i @ t.t()
        labels = torch.arange(logits.shape[0])
        return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.t(), labels)) / 2


class TinyViT(nn.Module):
    """A tiny vision transformer: patch embedding conv, a class token concatenated in
    front, learned position embeddings, one ``nn.TransformerEncoderLayer`` (batch first,
    GELU) and a classifier with label smoothing."""

    def __init__(self, d=16, classes=3):
        super().__init__()
        self.patch = nn.Conv2d(3, d, kernel_size=4, stride=4)
        self.cls = nn.Parameter(torch.randn(1, 1, d) * 0.02)
        self.pos = nn.Parameter(torch.randn(1, 5, d) * 0.02)
        self.encoder = nn.TransformerEncoderLayer(d, nhead=2, dim_feedforward=32, dropout=0.0,
                                                  activation="gelu", batch_first=True)
        self.head = nn.Linear(d, classes)

    def forward(self, images, y):
        x = self.patch(images).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], dim=1) + self.pos
        x = self.encoder(x)
        return F.cross_entropy(self.head(x[:, 0]), y, label_smoothing=0.1)


class TemporalConvNet(nn.Module):
    """A WaveNet-style temporal CNN: causal dilated ``Conv1d`` layers (left padding), gated
    tanh-sigmoid activations, residuals, average pooling over time and a KL-divergence
    loss against target distributions."""

    def __init__(self, c=4, classes=3):
        super().__init__()
        self.inp = nn.Conv1d(2, c, 1)
        self.filters = nn.ModuleList(nn.Conv1d(c, c, 2, dilation=d) for d in (1, 2, 4))
        self.gates = nn.ModuleList(nn.Conv1d(c, c, 2, dilation=d) for d in (1, 2, 4))
        self.out = nn.Linear(c, classes)

    def forward(self, x, target_probs):
        h = self.inp(x)
        for f, g in zip(self.filters, self.gates):
            p = F.pad(h, (f.dilation[0], 0))
            h = h + torch.tanh(f(p)) * torch.sigmoid(g(p))
        pooled = F.avg_pool1d(h, kernel_size=h.shape[-1]).squeeze(-1)
        return F.kl_div(F.log_softmax(self.out(pooled), -1), target_probs, reduction="batchmean")


class SpatialTransformer(nn.Module):
    """A spatial transformer network with a prototype loss: a localisation net (conv,
    adaptive pooling, linear) regresses an affine transform around a fixed offset from the
    identity, ``F.affine_grid`` and ``F.grid_sample`` (bilinear, zero padding) resample the
    image, a small conv net embeds it, and the loss is a cross-entropy over the negative
    ``torch.cdist`` distances to learned class prototypes plus a ``F.pdist`` term keeping
    the prototypes apart."""

    def __init__(self, classes=3, d=6):
        super().__init__()
        self.loc = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(2),
                                 nn.Flatten(), nn.Linear(16, 6))
        with torch.no_grad():
            self.loc[-1].bias.copy_(torch.tensor([0.9, 0.12, 0.05, -0.08, 0.85, 0.03]))
        self.embed = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(2),
                                   nn.Flatten(), nn.Linear(16, d))
        self.prototypes = nn.Parameter(torch.randn(classes, d))

    def forward(self, x, y):
        theta = self.loc(x).view(-1, 2, 3)
        grid = F.affine_grid(theta, list(x.shape), align_corners=False)
        warped = F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
        dist = torch.cdist(self.embed(warped), self.prototypes)
        spread = torch.exp(-F.pdist(self.prototypes)).mean()
        return F.cross_entropy(-dist, y) + 0.1 * spread


class VolumeCNN(nn.Module):
    """A small 3-d CNN for volumes (video clips, scans): Conv3d, BatchNorm3d, ReLU,
    MaxPool3d, a padded AvgPool3d that does not count the padding, a patch-mixing step
    through Unfold/Fold on the depth-stacked feature maps, AdaptiveAvgPool3d to a size
    that does not divide the input's, and a linear head with cross-entropy."""

    def __init__(self, c=4, classes=3):
        super().__init__()
        self.conv = nn.Conv3d(2, c, 3, padding=1)
        self.bn = nn.BatchNorm3d(c)
        self.pool = nn.MaxPool3d(2)
        self.smooth = nn.AvgPool3d(2, stride=1, padding=1, count_include_pad=False)
        self.unfold = nn.Unfold(2)
        self.fold = nn.Fold((4, 4), 2)
        self.mix = nn.Parameter(torch.randn(4) * 0.5 + 1)
        self.gap = nn.AdaptiveAvgPool3d((2, 3, 1))
        self.head = nn.Linear(c * 6, classes)

    def forward(self, x, y):
        h = self.pool(F.relu(self.bn(self.conv(x))))
        h = self.smooth(h)
        n, c, d, hh, ww = h.shape
        patches = self.unfold(h.reshape(n, c * d, hh, ww))
        patches = patches * self.mix.repeat_interleave(c * d).unsqueeze(-1)
        h = self.fold(patches).reshape(n, c, d, hh, ww)
        return F.cross_entropy(self.head(self.gap(h).flatten(1)), y)


class SpectralFNO(nn.Module):
    """A Fourier neural operator layer (FNO-style): a lifting Linear, a spectral convolution
    (``rfft``, the lowest modes times a learned complex weight through ``view_as_complex``,
    ``irfft`` back) plus a pointwise skip, GELU, a projection and an MSE loss."""

    def __init__(self, width=4, modes=3):
        super().__init__()
        self.lift = nn.Linear(2, width)
        self.spectral = nn.Parameter(0.3 * torch.randn(width, modes, 2))
        self.skip = nn.Linear(width, width)
        self.proj = nn.Linear(width, 1)
        self.modes = modes

    def forward(self, x, target):
        h = self.lift(x).transpose(1, 2)
        h_ft = torch.fft.rfft(h, norm="ortho")
        out_ft = torch.zeros_like(h_ft)
        out_ft[..., :self.modes] = h_ft[..., :self.modes] * torch.view_as_complex(self.spectral)
        spectral = torch.fft.irfft(out_ft, n=h.shape[-1], norm="ortho")
        h = F.gelu(spectral.transpose(1, 2) + self.skip(h.transpose(1, 2)))
        return F.mse_loss(self.proj(h).squeeze(-1), target)


def _images(n=2, c=3, hw=8):
    return torch.randn(n, c, hw, hw)


def _bags():
    user_ids = torch.tensor([1, 4, 2, 9, 3, 0, 7])
    user_offsets = torch.tensor([0, 2, 3, 5])
    item_ids = torch.tensor([5, 11, 2, 2, 8, 1])
    item_offsets = torch.tensor([0, 1, 4, 4])
    return (user_ids, user_offsets, item_ids, item_offsets, torch.randn(4, 4),
            torch.tensor([1.0, 0.0, 0.0, 1.0]))


def _bert_inputs():
    input_ids = torch.tensor([[2, 5, 7, 3, 0, 0], [4, 1, 12, 6, 8, 3]])
    token_types = torch.tensor([[0, 0, 1, 1, 0, 0], [0, 0, 0, 1, 1, 1]])
    attention_mask = (input_ids != 0).long()
    return input_ids, token_types, attention_mask, torch.tensor([1, 0])


def _case(name: str, module, inputs, **flags) -> Case:
    """A case whose seeded factory builds ``module()`` and its positional ``inputs()``."""
    return Case(name, _seeded(lambda: (module(), inputs(), {})), **flags)


CASES = [
    _case("resnet_block", lambda: BasicBlock().train(), lambda: (_images(), torch.tensor([0, 2]))),
    _case("vgg_small", SmallVGG, lambda: (_images(), torch.tensor([3, 1]))),
    _case("mobilenet_dw", lambda: DepthwiseSeparable().train(),
          lambda: (_images(), torch.tensor([1, 2]))),
    _case("unet", TinyUNet, lambda: (torch.randn(2, 1, 8, 8), torch.randn(2, 1, 8, 8))),
    _case("lstm_unrolled", UnrolledLSTM, lambda: (torch.randn(4, 2, 3),)),
    _case("gru_unrolled", UnrolledGRU, lambda: (torch.randn(4, 2, 3),)),
    _case("gpt_block", GPTBlock, lambda: (torch.randint(0, 11, (2, 8)),)),
    _case("rmsnorm", RMSNormMLP, lambda: (torch.randn(4, 16),)),
    _case("swiglu", SwiGLU, lambda: (torch.randn(2, 3, 16),)),
    _case("rotary_attention", RotaryAttention, lambda: (torch.randn(2, 6, 16),)),
    _case("bert_encoder", BertEncoder, _bert_inputs),
    _case("embedding_bag_recsys", Recommender, _bags),
    _case("mlp_mixer", MixerBlock, lambda: (_images(hw=8), torch.tensor([0, 2]))),
    _case("tensor_constants", WithConstants,
          lambda: (torch.rand(5, 3), torch.tensor([0, 1, 2, 1, 0]))),
    _case("inplace_input_buffers", InPlaceUpdates, lambda: (3 * torch.randn(4, 6),)),
    _case("dropout_mlp", DropoutMLP, lambda: (torch.randn(16, 8), torch.randn(16, 4)),
          random=True, replay=replays_dropout(1)),
    _case("integer_side_inputs", IntegerSideInputs,
          lambda: (torch.randn(3, 5, 6), torch.tensor([5, 2, 3]), torch.tensor([4, 0, 2]),
                   torch.tensor([True, False, True]))),
    _case("multi_loss", MultiTask,
          lambda: (torch.randn(6, 8), torch.tensor([0, 1, 2, 2, 1, 0]), torch.randn(6))),
    _case("activations", Activations, lambda: (torch.randn(4, 8),)),
    _case("group_norm_cnn", GroupNormCNN, lambda: (_images(hw=6),)),
    _case("mse_regression", Regression, lambda: (torch.randn(8, 5), torch.randn(8, 2))),
    _case("cumsum_topk", CumsumTopk, lambda: (torch.randn(3, 7, 6),)),
    _case("padded_conv", PaddedConv, lambda: (torch.randn(2, 2, 5, 5),)),
    _case("sdpa_attention", SDPAttention, lambda: (torch.randn(2, 5, 16),)),
    _case("conv_autoencoder", ConvAutoencoder, lambda: (torch.rand(2, 1, 8, 8),)),
    _case("clip_contrastive", Contrastive, lambda: (torch.randn(4, 12), torch.randn(4, 10))),
    _case("vit_tiny", TinyViT, lambda: (_images(), torch.tensor([2, 0]))),
    _case("temporal_convnet", TemporalConvNet,
          lambda: (torch.randn(2, 2, 12), torch.softmax(torch.randn(2, 3), -1))),
    _case("spatial_transformer", SpatialTransformer,
          lambda: (torch.randn(2, 1, 8, 8), torch.tensor([2, 0]))),
    _case("volume_cnn", lambda: VolumeCNN().train(),
          lambda: (torch.randn(2, 2, 6, 6, 6), torch.tensor([0, 2]))),
    _case("fno_spectral", SpectralFNO, lambda: (torch.randn(2, 9, 2), torch.randn(2, 9))),
]

BY_NAME = {c.name: c for c in CASES}
