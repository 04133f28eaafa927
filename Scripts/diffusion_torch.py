#!/usr/bin/env python3
"""Octoplane's triplane diffusion in plain PyTorch: the class-conditional U-Net, the schedules, the
ε/v/x₀ parameterizations and the DDPM/DDIM samplers with classifier-free guidance, reading and
writing Octoplane's files, so a model outgrowing a CPU can keep training on GPUs and come back to
`octoplane generate`; and the plane autoencoder of latent diffusion RUNs, whose samples are latents
decoded to planes. Needs only numpy, torch and safetensors.

    python Scripts/diffusion_torch.py predict MODEL INPUTS.safetensors -o OUT.safetensors [--guidance W]
    python Scripts/diffusion_torch.py autoencode AE_FILE INPUTS.safetensors -o OUT.safetensors
    python Scripts/diffusion_torch.py make-fixture OUT_DIR          # Tests/GeneratorsTests/Fixtures
    python Scripts/diffusion_torch.py sample RUN --out DIR [-n 16] [--category chair] [--sampler ddim|ddpm] [--steps N] [--guidance 2]
    python Scripts/diffusion_torch.py train RUN TRIPLANE_DIR --out NEW_RUN --steps N [--device cuda]
    torchrun --nproc_per_node 8 Scripts/diffusion_torch.py train RUN TRIPLANE_DIR --out NEW_RUN --steps N --device cuda
    python Scripts/diffusion_torch.py bench-train [--config FILE] [--batch 32] [--size 32] [--threads 2]

Files (Octoplane's):
  RUN/                 what `octoplane train diffusion` writes and `octoplane generate --model` reads
    generator.json     kind "octoplane-triplane-diffusion", categories (label order), planeShape [3, C, R, R],
                       normalization {channels, mean, std, k, …} (x_norm = (x − mean)/(k·std) per stacked channel),
                       mirrored, mirroredCategories, trainingShapes, x0Bound (the x̂₀ clip: the training data's largest |x|);
                       a latent RUN also latent {shape [Z, R/d, R/d], mean [Z], std [Z]}: diffusion space
                       x ↔ autoencoder latent z = mean + std·x per channel
    model.safetensors  the U-Net's EMA weights under the names below, F32 (F16 is read too); metadata
                       format = "octoplane-diffusion-model", config (the training config JSON), step.
                       A training checkpoint (format "octoplane-diffusion-checkpoint", RUN/state.safetensors)
                       is read too: its `ema.` tensors.
    decoder.safetensors the triplane decoder (Scripts/triplane_torch.py reads it)
    autoencoder.safetensors  latent RUNs only (`octoplane train diffusion PLANES --autoencoder AE_RUN`):
                       the PlaneAutoencoder's EMA weights, F32 or F16; metadata format =
                       "octoplane-autoencoder-model", config (AutoencoderTrainingConfig JSON, its `model`
                       the PlaneAutoencoderConfig), step. Its training checkpoint ("octoplane-autoencoder-
                       checkpoint") is read too: its `ema.` tensors.
  TRIPLANE_DIR/        `octoplane convert … --to triplane`: <category or synset id>/<name>.npy, float32
                       (3, C, R, R) planes; normalization.json (the k of the RUN's generator.json is used)

The U-Net (Sources/NN/UNet.swift) on x [N, 3·C, R, R] (planes stacked plane-major), timesteps [N],
labels [N] (classCount = the null class of guidance):
    emb = time_embed.2(SiLU(time_embed.0(sinusoidal(t, base)))) + label_emb[y]; sinusoidal = [cos, sin],
          freq_i = exp(−ln(10⁴)·i/(base/2)), computed in float64
    h = in_conv(pixel_unshuffle(x, patchSize)); down levels: resBlocksPerLevel × (ResBlock [+ attention]) kept as skips, avg-pool 2
    between levels; mid: ResBlock, attention, ResBlock; up levels (reversed): resBlocksPerLevel ×
    (cat(h, skip) → ResBlock [+ attention]), nearest ×2 between levels;
    pixel_shuffle(out_conv(SiLU(out_norm(h))), patchSize) (no (un)shuffle at patchSize 1).
    ResBlock: h = conv1(SiLU(GN1(x))); (scale, shift) = emb(SiLU(emb)); h = conv2(SiLU(GN2(h)(1 + scale) + shift));
    skip(x) + h (1×1 conv when channels change). Attention: x + out_proj(MHA(in_proj(GN(x)) as tokens)).
    GroupNorm: min(groups, channels) groups, eps 1e-5. Attention after the blocks of level l when
    2^l is in attentionResolutions.

The latent stage (Sources/Generators/PlaneAutoencoder.swift), a KL autoencoder of the normalized planes
[3·C, R, R] ↔ latents [Z, R/d, R/d], d = 2^(levels − 1); config keys (defaults) inChannels (24),
channels (64, 128), blocksPerLevel (1), latentChannels (8), groups (8):
    encode: h = enc.in(x); per level l: blocksPerLevel × enc.blocks.<i> (→ channels[l]), avg-pool 2 between
            levels; (mean, logvar) = split(enc.out(SiLU(enc.norm(enc.mid(h))))), logvar clamped to [−30, 20]
    decode: h = dec.mid(dec.in(z)); per level from the last: blocksPerLevel × dec.blocks.<i>, nearest ×2
            between levels; dec.out(SiLU(dec.norm(h)))
    ResBlocks as the U-Net's without the embedding (no `emb` tensors); convs 3×3, padding 1.
A latent RUN samples x in latent shape, decodes mean + std·x to normalized planes and denormalizes them;
it trains on (posterior mean − mean)/std of the normalized (and mirrored) training planes.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors import safe_open
from safetensors.torch import save_file

MODEL_FORMAT = "octoplane-diffusion-model"
CHECKPOINT_FORMAT = "octoplane-diffusion-checkpoint"
AUTOENCODER_FORMAT = "octoplane-autoencoder-model"
AUTOENCODER_CHECKPOINT_FORMAT = "octoplane-autoencoder-checkpoint"
MANIFEST_KIND = "octoplane-triplane-diffusion"
# Octoplane's six procedural categories and their ShapeNet synsets (Sources/Dataset/SynthCategory.swift).
SYNSETS = {"03001627": "chair", "04379243": "table", "02691156": "airplane", "02958343": "car",
           "03636649": "lamp", "03797390": "mug"}


class OctoplaneError(Exception):
    """Bad input: printed as one line, exit status 1."""


# MARK: - U-Net

class ResBlock(nn.Module):
    """emb_dim 0: unconditioned (no `emb` projection; scale = shift = 0), the autoencoder's block."""

    def __init__(self, cin, cout, emb_dim, groups):
        super().__init__()
        self.out_channels = cout
        self.norm1 = nn.GroupNorm(min(groups, cin), cin, eps=1e-5)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.emb = nn.Linear(emb_dim, 2 * cout) if emb_dim > 0 else None
        self.norm2 = nn.GroupNorm(min(groups, cout), cout, eps=1e-5)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, emb=None):
        if (emb is None) != (self.emb is None):
            raise ValueError("ResBlock: an embedding must be given exactly when the block has emb_dim > 0")
        c = self.out_channels
        h = self.conv1(F.silu(self.norm1(x)))
        if self.emb is not None:
            ss = self.emb(F.silu(emb))
            scale, shift = ss[:, :c, None, None], ss[:, c:, None, None]
            h = self.conv2(F.silu(self.norm2(h) * (1 + scale) + shift))
        else:
            h = self.conv2(F.silu(self.norm2(h)))
        return (self.skip(x) if self.skip is not None else x) + h


class MultiheadAttention(nn.Module):
    """Fused in_proj [3E, E] (q, k, v) and out_proj [E, E], as Sources/NN/AttentionLayers.swift."""

    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.in_proj = nn.Linear(dim, 3 * dim)
        self.out_proj = nn.Linear(dim, dim)

    def forward(self, x):                                     # [B, L, E]
        b, l, e = x.shape
        q, k, v = self.in_proj(x).split(e, dim=2)
        q, k, v = (t.reshape(b, l, self.heads, e // self.heads).transpose(1, 2) for t in (q, k, v))
        o = F.scaled_dot_product_attention(q, k, v)           # scale 1/√(E/heads)
        return self.out_proj(o.transpose(1, 2).reshape(b, l, e))


class SpatialSelfAttention(nn.Module):
    def __init__(self, channels, heads, groups):
        super().__init__()
        self.norm = nn.GroupNorm(min(groups, channels), channels, eps=1e-5)
        self.attn = MultiheadAttention(channels, heads)

    def forward(self, x):
        n, c, h, w = x.shape
        tokens = self.norm(x).reshape(n, c, h * w).transpose(1, 2)
        return x + self.attn(tokens).transpose(1, 2).reshape(n, c, h, w)


def unet_config_defaults(cfg):
    """UNetConfig as Octoplane decodes it (keys other than the first three may be absent)."""
    full = {"resBlocksPerLevel": 1, "attentionResolutions": [], "attentionHeads": 4, "groups": 32, "classCount": 0, "patchSize": 1}
    full.update(cfg)
    return full


class UNet(nn.Module):
    """Sources/NN/UNet.swift as an nn.Module; its state_dict keys are Octoplane's tensor names."""

    def __init__(self, config):
        super().__init__()
        self.config = cfg = unet_config_defaults(config)
        c0, g, k = cfg["baseChannels"], cfg["groups"], cfg["resBlocksPerLevel"]
        chans = [m * c0 for m in cfg["channelMultipliers"]]
        e = 4 * c0
        self.time_embed = nn.Sequential(nn.Linear(c0, e), nn.SiLU(), nn.Linear(e, e))
        self.label_emb = nn.Embedding(cfg["classCount"] + 1, e) if cfg["classCount"] > 0 else None
        folded = cfg["inChannels"] * cfg["patchSize"] ** 2
        self.in_conv = nn.Conv2d(folded, c0, 3, padding=1)
        attn = lambda c: SpatialSelfAttention(c, cfg["attentionHeads"], g)
        self.down, self.down_attn, skips, prev = nn.ModuleList(), nn.ModuleDict(), [], c0
        for lvl, c in enumerate(chans):
            for _ in range(k):
                self.down.append(ResBlock(prev, c, e, g)); prev = c
                if (1 << lvl) in cfg["attentionResolutions"]:
                    self.down_attn[str(len(self.down) - 1)] = attn(c)
                skips.append(c)
        cl = chans[-1]
        self.mid = nn.ModuleList([ResBlock(cl, cl, e, g), attn(cl), ResBlock(cl, cl, e, g)])
        self.up, self.up_attn, prev = nn.ModuleList(), nn.ModuleDict(), cl
        for lvl in reversed(range(len(chans))):
            for _ in range(k):
                self.up.append(ResBlock(prev + skips.pop(), chans[lvl], e, g)); prev = chans[lvl]
                if (1 << lvl) in cfg["attentionResolutions"]:
                    self.up_attn[str(len(self.up) - 1)] = attn(chans[lvl])
        self.out_norm = nn.GroupNorm(min(g, c0), c0, eps=1e-5)
        self.out_conv = nn.Conv2d(c0, folded, 3, padding=1)

    @property
    def null_label(self):
        return self.config["classCount"] if self.config["classCount"] > 0 else None

    def embedding(self, t):
        half = self.config["baseChannels"] // 2
        freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float64, device=t.device) / half)
        args = t.double()[:, None] * freqs[None]
        return torch.cat([torch.cos(args), torch.sin(args)], dim=1).float()

    def forward(self, x, t, labels=None):
        """x [N, inChannels, H, W], t [N] (model timesteps), labels [N] long or None (null class)."""
        n, k = x.shape[0], self.config["resBlocksPerLevel"]
        emb = self.time_embed(self.embedding(t))
        if self.label_emb is not None:
            if labels is None:
                labels = torch.full((n,), self.null_label, dtype=torch.long, device=x.device)
            emb = emb + self.label_emb(labels)
        elif labels is not None:
            raise ValueError("labels given to an unconditional model")
        p = self.config["patchSize"]
        h, skips = self.in_conv(F.pixel_unshuffle(x, p) if p > 1 else x), []
        for i, b in enumerate(self.down):
            h = b(h, emb)
            if str(i) in self.down_attn:
                h = self.down_attn[str(i)](h)
            skips.append(h)
            if (i + 1) % k == 0 and i + 1 < len(self.down):
                h = F.avg_pool2d(h, 2)
        h = self.mid[2](self.mid[1](self.mid[0](h, emb)), emb)
        for i, b in enumerate(self.up):
            h = b(torch.cat([h, skips.pop()], dim=1), emb)
            if str(i) in self.up_attn:
                h = self.up_attn[str(i)](h)
            if (i + 1) % k == 0 and i + 1 < len(self.up):
                h = F.interpolate(h, scale_factor=2, mode="nearest")
        out = self.out_conv(F.silu(self.out_norm(h)))
        return F.pixel_shuffle(out, p) if p > 1 else out


# MARK: - Plane autoencoder (the latent stage)

def autoencoder_config_defaults(cfg):
    """PlaneAutoencoderConfig as Octoplane decodes it (every key may be absent) and checks it."""
    full = {"inChannels": 24, "channels": [64, 128], "blocksPerLevel": 1, "latentChannels": 8, "groups": 8}
    full.update(cfg or {})
    ch, g = full["channels"], full["groups"]
    if full["inChannels"] < 1 or full["latentChannels"] < 1 or not ch or min(ch) < 1 or full["blocksPerLevel"] < 1 or g < 1:
        raise OctoplaneError(f"invalid autoencoder config {full}")
    for c in ch + [full["latentChannels"]]:
        if c % min(g, c) != 0:
            raise OctoplaneError(f"{c} channels are not divisible into {min(g, c)} groups")
    return full


class PlaneAutoencoder(nn.Module):
    """Sources/Generators/PlaneAutoencoder.swift as an nn.Module; its state_dict keys are Octoplane's
    tensor names (enc.in, enc.blocks.<i>, enc.mid, enc.norm, enc.out, dec.in, dec.mid, dec.blocks.<i>,
    dec.norm, dec.out). ResBlocks unconditioned; avg-pool 2 after every level's blocks but the last
    (encoder), nearest ×2 likewise (decoder)."""

    def __init__(self, config):
        super().__init__()
        self.config = cfg = autoencoder_config_defaults(config)
        ch, g, k, z = cfg["channels"], cfg["groups"], cfg["blocksPerLevel"], cfg["latentChannels"]
        blocks, prev = nn.ModuleList(), ch[0]
        for c in ch:
            for _ in range(k):
                blocks.append(ResBlock(prev, c, 0, g)); prev = c
        self.enc = nn.ModuleDict({"in": nn.Conv2d(cfg["inChannels"], ch[0], 3, padding=1), "blocks": blocks,
                                  "mid": ResBlock(prev, prev, 0, g), "norm": nn.GroupNorm(min(g, prev), prev, eps=1e-5),
                                  "out": nn.Conv2d(prev, 2 * z, 3, padding=1)})
        dec_in, dec_mid, blocks = nn.Conv2d(z, prev, 3, padding=1), ResBlock(prev, prev, 0, g), nn.ModuleList()
        for c in reversed(ch):
            for _ in range(k):
                blocks.append(ResBlock(prev, c, 0, g)); prev = c
        self.dec = nn.ModuleDict({"in": dec_in, "mid": dec_mid, "blocks": blocks,
                                  "norm": nn.GroupNorm(min(g, prev), prev, eps=1e-5),
                                  "out": nn.Conv2d(prev, cfg["inChannels"], 3, padding=1)})

    @property
    def size_divisor(self):
        return 1 << max(0, len(self.config["channels"]) - 1)

    def encode(self, x):
        """Images x [N, inChannels, H, W] → posterior (mean, logvar), each [N, latentChannels, H/d, W/d];
        logvar clamped to [−30, 20]."""
        cfg, e = self.config, self.enc
        d = self.size_divisor
        if x.dim() != 4 or x.shape[1] != cfg["inChannels"] or x.shape[2] % d or x.shape[3] % d:
            raise OctoplaneError(f"autoencoder input {list(x.shape)}: wants [N, {cfg['inChannels']}, H, W], H and W divisible by {d}")
        h, k, n = e["in"](x), cfg["blocksPerLevel"], len(e["blocks"])
        for i, b in enumerate(e["blocks"]):
            h = b(h)
            if (i + 1) % k == 0 and i + 1 < n:
                h = F.avg_pool2d(h, 2)
        out = e["out"](F.silu(e["norm"](e["mid"](h))))
        z = cfg["latentChannels"]
        return out[:, :z], out[:, z:].clamp(-30, 20)

    def decode(self, z):
        """Latents z [N, latentChannels, h, w] → images [N, inChannels, h·d, w·d]."""
        cfg, dm = self.config, self.dec
        if z.dim() != 4 or z.shape[1] != cfg["latentChannels"]:
            raise OctoplaneError(f"autoencoder latent {list(z.shape)}: wants [N, {cfg['latentChannels']}, h, w]")
        h, k, n = dm["mid"](dm["in"](z)), cfg["blocksPerLevel"], len(dm["blocks"])
        for i, b in enumerate(dm["blocks"]):
            h = b(h)
            if (i + 1) % k == 0 and i + 1 < n:
                h = F.interpolate(h, scale_factor=2, mode="nearest")
        return dm["out"](F.silu(dm["norm"](h)))

    @torch.no_grad()
    def posterior_means(self, images, batch=64):
        """PlaneAutoencoder.posteriorMeans: the posterior means of images [N, inChannels, H, W], `batch` at a time."""
        return torch.cat([self.encode(images[i:i + batch])[0] for i in range(0, images.shape[0], batch)])


# MARK: - Schedules, parameterizations, samplers (Sources/Generators), coefficients in float64

def betas_for(schedule, steps):
    """BetaSchedule JSON ({"cosine": {"s", "maxBeta"}} or {"linear": {"start", "end"}}) → β_0…β_{T−1}."""
    if "cosine" in schedule:
        s, m = schedule["cosine"]["s"], schedule["cosine"]["maxBeta"]
        f = lambda t: math.cos((t / steps + s) / (1 + s) * math.pi / 2) ** 2
        return [min(1 - f(i + 1) / f(i), m) for i in range(steps)]
    if "linear" in schedule:
        a, b = schedule["linear"]["start"], schedule["linear"]["end"]
        return [a] if steps == 1 else [a + (b - a) * i / (steps - 1) for i in range(steps)]
    raise OctoplaneError(f"unknown beta schedule {schedule}")


class Schedule:
    """DiffusionSchedule: entry i belongs to model timestep timesteps[i]; ᾱ_{−1} = 1."""

    def __init__(self, betas, timesteps):
        self.betas, self.timesteps = list(betas), list(timesteps)
        bars, acc = [], 1.0
        for b in self.betas:
            acc *= 1 - b
            bars.append(acc)
        self.alpha_bars, self.alpha_bars_prev = bars, [1.0] + bars[:-1]
        self.sqrt_ab = [math.sqrt(a) for a in bars]
        self.sqrt_1mab = [math.sqrt(1 - a) for a in bars]
        p = self.alpha_bars_prev
        self.post_var = [b * (1 - q) / (1 - a) for b, q, a in zip(self.betas, p, bars)]
        self.post_c1 = [math.sqrt(q) * b / (1 - a) for b, q, a in zip(self.betas, p, bars)]
        self.post_c2 = [math.sqrt(1 - b) * (1 - q) / (1 - a) for b, q, a in zip(self.betas, p, bars)]

    @staticmethod
    def full(schedule, steps):
        return Schedule(betas_for(schedule, steps), range(steps))

    def __len__(self):
        return len(self.betas)

    def respaced(self, kept):
        last, b = 1.0, []
        for i in kept:
            b.append(1 - self.alpha_bars[i] / last)
            last = self.alpha_bars[i]
        return Schedule(b, [self.timesteps[i] for i in kept])


def spaced_timesteps(n, total, spacing="even"):
    """TimestepSpacing (Swift's .rounded() is half away from zero)."""
    rnd = lambda x: int(math.floor(x + 0.5))
    if n == total:
        return list(range(total))
    if spacing == "even":
        if n == 1:
            return [total - 1]
        stride = (total - 1) / (n - 1)
        return [rnd(i * stride) for i in range(n)]
    stride = total / n
    return list(reversed([rnd(total - i * stride) - 1 for i in range(n)]))


def combine(a, ca, b, cb):
    """ca·a + cb·b per sample, evaluated in float64 and rounded once (perSampleCombination)."""
    ca = torch.as_tensor(ca, dtype=torch.float64, device=a.device).view(-1, *([1] * (a.dim() - 1)))
    cb = torch.as_tensor(cb, dtype=torch.float64, device=a.device).view(-1, *([1] * (a.dim() - 1)))
    return (ca * a.double() + cb * b.double()).to(a.dtype)


def pick(values, entries):
    return [values[i] for i in entries]


def split_prediction(sched, output, target, xt, entries, clip):
    """(x̂₀, ε̂) from a model output of kind target ('epsilon' or 'v'); a clip bound b (True: 1)
    clamps x̂₀ to [−b, b] and recomputes ε̂ from it (DiffusionSchedule.split); None/False: no clamp."""
    a, s = pick(sched.sqrt_ab, entries), pick(sched.sqrt_1mab, entries)
    if target == "epsilon":
        eps = output
        x0 = combine(xt, [1 / q for q in a], output, [-si / ai for si, ai in zip(s, a)])
    else:
        x0 = combine(xt, a, output, [-q for q in s])
        eps = combine(xt, s, output, a)
    if clip:
        bound = 1.0 if clip is True else float(clip)
        x0 = x0.clamp(-bound, bound)
        eps = combine(xt, [1 / q for q in s], x0, [-ai / si for ai, si in zip(a, s)])
    return x0, eps


def training_target(sched, target, x0, eps, entries):
    if target == "epsilon":
        return eps
    return combine(eps, pick(sched.sqrt_ab, entries), x0, [-q for q in pick(sched.sqrt_1mab, entries)])


def guided_prediction(model, xt, timesteps, labels, w):
    """uncond + w·(cond − uncond) (Ho & Salimans 2022); w = 0 / 1 run one pass only."""
    if labels is None or model.null_label is None or w == 0:
        return model(xt, timesteps, None)
    if w == 1:
        return model(xt, timesteps, labels)
    n = xt.shape[0]
    null = torch.full_like(labels, model.null_label)
    both = model(torch.cat([xt, xt]), torch.cat([timesteps, timesteps]), torch.cat([labels, null]))
    c, u = both[:n], both[n:]
    return u + (c - u) * w


def ddim_step(sched, x0, eps, i, eta, generator=None):
    """DDIM (Song et al. 2021, eq. 12) from entry i to i − 1."""
    a, ap = sched.alpha_bars[i], sched.alpha_bars_prev[i]
    sigma = eta * math.sqrt((1 - ap) / (1 - a)) * math.sqrt(1 - a / ap)
    direction = math.sqrt(max(0.0, 1 - ap - sigma * sigma))
    n = x0.shape[0]
    mean = combine(x0, [math.sqrt(ap)] * n, eps, [direction] * n)
    if sigma <= 0:
        return mean
    z = torch.randn(x0.shape, generator=generator, device=x0.device)
    return combine(mean, [1.0] * n, z, [sigma] * n)


def ddpm_step(sched, xt, x0, i, generator=None):
    """Ancestral DDPM step (Ho et al. 2020, Algorithm 2, x₀ form): posterior mean + √β̃·z."""
    n = xt.shape[0]
    mean = combine(x0, [sched.post_c1[i]] * n, xt, [sched.post_c2[i]] * n)
    if sched.post_var[i] <= 0:
        return mean
    z = torch.randn(xt.shape, generator=generator, device=xt.device)
    return combine(mean, [1.0] * n, z, [math.sqrt(sched.post_var[i])] * n)


@torch.no_grad()
def sample(model, config, shape, labels, steps=50, guidance=1.0, eta=0.0, ddpm=False, clip=True, spacing="even",
           seed=0, device="cpu"):
    """DiffusionSampler.sample: x_T ~ N(0, I), then one step per visited timestep, last to first;
    clip: the x̂₀ bound (True: 1; `generate` uses generator.json's x0Bound).
    Same algorithm as Octoplane; the random draws come from torch's generator, not Octoplane's."""
    full = Schedule.full(config["schedule"], config["timesteps"])
    n_steps = min(steps or len(full), len(full))
    walk = full if n_steps == len(full) else full.respaced(spaced_timesteps(n_steps, len(full), spacing))
    g = torch.Generator(device=device).manual_seed(seed)
    x = torch.randn(shape, generator=g, device=device)
    n = shape[0]
    for i in reversed(range(len(walk))):
        t = torch.full((n,), walk.timesteps[i], dtype=torch.float32, device=device)
        out = guided_prediction(model, x, t, labels, guidance)
        x0, eps = split_prediction(walk, out, config["prediction"], x, [i] * n, clip)
        x = ddpm_step(walk, x, x0, i, g) if ddpm else ddim_step(walk, x0, eps, i, eta, g)
    return x


# MARK: - Files

def load_weights(path, default_file, formats, build, device="cpu"):
    """A RUN folder (its default_file), a model file or a training checkpoint → (network, training
    config, step). formats: (model format, checkpoint format) — a checkpoint's `ema.` tensors are
    read; build(config) makes the network, every tensor of which must be there with its shape."""
    if os.path.isdir(path):
        path = os.path.join(path, default_file)
    if not os.path.exists(path):
        raise OctoplaneError(f"{path}: no such file")
    with safe_open(path, framework="pt") as f:
        meta = f.metadata() or {}
        prefix = {formats[0]: "", formats[1]: "ema."}.get(meta.get("format"))
        if prefix is None:
            raise OctoplaneError(f"{path}: no '{formats[0]}' format tag")
        if "config" not in meta or "step" not in meta:
            raise OctoplaneError(f"{path}: metadata lacks config or step")
        config = json.loads(meta["config"])
        model = build(config)
        load_parameters(model, f, prefix, path)
    return model.to(device).eval(), config, int(meta["step"])


def load_model(path, device="cpu"):
    """A RUN folder (its model.safetensors), a U-Net model file or a diffusion training checkpoint →
    (UNet, training config, step)."""
    return load_weights(path, "model.safetensors", (MODEL_FORMAT, CHECKPOINT_FORMAT), lambda c: UNet(c["model"]), device)


def load_autoencoder(path, device="cpu"):
    """autoencoder.safetensors (or a RUN folder holding one), an autoencoder model file (format
    "octoplane-autoencoder-model") or its training checkpoint → (PlaneAutoencoder, training config, step)."""
    return load_weights(path, "autoencoder.safetensors", (AUTOENCODER_FORMAT, AUTOENCODER_CHECKPOINT_FORMAT),
                        lambda c: PlaneAutoencoder(c.get("model")), device)


def load_parameters(model, f, prefix, path):
    """Overwrites every parameter of model from the open safetensors file f's tensors prefix + name
    (F32 or F16), after checking each is there with its shape."""
    names = set(f.keys())
    state = {}
    for name, p in model.state_dict().items():
        if prefix + name not in names:
            raise OctoplaneError(f"{path}: tensor '{prefix + name}' is absent, the model has {list(p.shape)}")
        t = f.get_tensor(prefix + name)
        if list(t.shape) != list(p.shape):
            raise OctoplaneError(f"{path}: tensor '{prefix + name}' is {list(t.shape)}, the model has {list(p.shape)}")
        state[name] = t.float()
    model.load_state_dict(state)


def latent_autoencoder(run, manifest, device="cpu"):
    """A latent RUN's autoencoder (checked against generator.json's latent stage), or None for a RUN
    that samples planes directly."""
    latent = manifest.get("latent")
    if latent is None:
        return None
    ae, _, _ = load_autoencoder(os.path.join(run, "autoencoder.safetensors"), device)
    s = manifest["planeShape"]
    if ae.config["latentChannels"] != latent["shape"][0] or ae.config["inChannels"] != s[0] * s[1]:
        raise OctoplaneError(f"{run}: the generator samples latents {latent['shape']} of {s} planes; the autoencoder does not map them")
    return ae


def channel_affine(x, scale, shift):
    """y[n, c] = shift[c] + scale[c]·x[n, c] in float32 (Octoplane's channelAffine)."""
    sc = torch.tensor(scale, dtype=torch.float32, device=x.device).view(1, -1, 1, 1)
    sh = torch.tensor(shift, dtype=torch.float32, device=x.device).view(1, -1, 1, 1)
    return sh + sc * x


def latents_to_unit(z, latent):
    """Autoencoder latents → diffusion space: (z − mean)/std per channel, as LatentTrainingStage.encode
    (scale 1/std, shift −mean/std, each rounded to float32 first)."""
    std, mean = np.asarray(latent["std"], np.float32), np.asarray(latent["mean"], np.float32)
    return channel_affine(z, (np.float32(1) / std).tolist(), (-mean / std).tolist())


def unit_to_latents(x, latent):
    """Diffusion space → autoencoder latents: z = mean + std·x per channel (TriplaneGenerator.sample)."""
    return channel_affine(x, latent["std"], latent["mean"])


def save_model(model, config, step, path, extra=None):
    """Writes an Octoplane model file (float32, Octoplane's names and metadata) atomically."""
    tensors = {k: v.detach().float().cpu().contiguous() for k, v in model.state_dict().items()}
    meta = {"format": MODEL_FORMAT, "config": json.dumps(config, sort_keys=True, separators=(",", ":")), "step": str(step)}
    meta.update(extra or {})
    tmp = f"{path}.tmp-{os.getpid()}"
    save_file(tensors, tmp, metadata=meta)
    umask = os.umask(0); os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    os.replace(tmp, path)


def read_manifest(run):
    path = os.path.join(run, "generator.json")
    if not os.path.exists(path):
        raise OctoplaneError(f"{path}: no generator.json: is {run} a folder written by `octoplane train diffusion`?")
    with open(path) as fh:
        m = json.load(fh)
    if m.get("kind") != MANIFEST_KIND or m.get("version") != 1:
        raise OctoplaneError(f"{path}: kind {m.get('kind')} version {m.get('version')}, expected {MANIFEST_KIND} 1")
    return m


def normalize(planes, norm):
    """Planes [..., 3, C, R, R] → diffusion space [..., 3C, R, R]: (x − mean)/(k·std) per stacked channel."""
    mean, std = np.asarray(norm["mean"], np.float32), np.asarray(norm["std"], np.float32)
    k = np.float32(norm["k"])
    x = planes.reshape(*planes.shape[:-4], -1, *planes.shape[-2:])
    return ((x - mean[:, None, None]) / (k * std[:, None, None])).astype(np.float32)


def denormalize(x, norm):
    """Diffusion space [..., 3C, R, R] → planes (same shape): mean + k·std·x per stacked channel."""
    mean, std = np.asarray(norm["mean"], np.float32), np.asarray(norm["std"], np.float32)
    return (mean[:, None, None] + np.float32(norm["k"]) * std[:, None, None] * x).astype(np.float32)


def read_triplane_folder(root, manifest):
    """Every .npy under root (sorted by relative path, as Octoplane) → (planes [M, 3, C, R, R],
    labels [M]) with the model's categories; the category is the parent folder (name or synset)."""
    files = sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs if f.endswith(".npy"))
    if not files:
        raise OctoplaneError(f"{root}: no planes files (.npy)")
    shape, cats = tuple(manifest["planeShape"]), manifest["categories"]
    planes, labels = [], []
    for rel in files:
        p = np.load(os.path.join(root, rel))
        if p.shape != shape or not np.issubdtype(p.dtype, np.floating):
            raise OctoplaneError(f"{rel}: planes {p.shape} {p.dtype}, the model takes float {list(shape)}")
        parent = os.path.basename(os.path.dirname(os.path.join(root, rel)))
        cat = SYNSETS.get(parent, parent)
        if cat not in cats:
            raise OctoplaneError(f"{rel}: category '{parent}' is not one of the model's: {', '.join(cats)}")
        planes.append(p.astype(np.float32))
        labels.append(cats.index(cat))
    return np.stack(planes), np.asarray(labels, np.int64)


# MARK: - Commands

def cmd_predict(a):
    """The (guided) prediction of MODEL for the inputs x [N, C, H, W], t [N] and optional labels [N]
    of a safetensors file; writes `prediction` (and `conditional`/`unconditional`)."""
    torch.set_num_threads(a.threads)
    model, _, _ = load_model(a.model)
    with safe_open(a.inputs, framework="pt") as f:
        x, t = f.get_tensor("x").float(), f.get_tensor("t").float()
        labels = f.get_tensor("labels").long() if "labels" in f.keys() else None
    out = {}
    with torch.no_grad():
        out["prediction"] = guided_prediction(model, x, t, labels, a.guidance).contiguous()
        if labels is not None:
            out["conditional"] = model(x, t, labels).contiguous()
            out["unconditional"] = model(x, t, None).contiguous()
    save_file(out, a.output)
    print(json.dumps({"output": a.output, "shape": list(out["prediction"].shape), "torch": torch.__version__}))


def cmd_make_fixture(a):
    """A small random model made by PyTorch (every weight perturbed, so GroupNorm affines and biases
    matter), inputs, and PyTorch's outputs: the U-Net's conditional, unconditional (null class) and
    guided predictions, and one DDIM step (η = 0, x₀ clipped) with guidance for both
    parameterizations plus DDPM's posterior mean (its noise-free part), on a 10-step respaced cosine
    schedule. Octoplane's test must reproduce them to 1e-4."""
    os.makedirs(a.out, exist_ok=True)
    torch.manual_seed(a.seed)
    unet = {"inChannels": 3, "baseChannels": 4, "channelMultipliers": [1, 2], "resBlocksPerLevel": 2,
            "attentionResolutions": [2], "attentionHeads": 2, "groups": 2, "classCount": 3}
    config = {"model": unet, "schedule": {"cosine": {"maxBeta": 0.999, "s": 0.008}}, "timesteps": 1000,
              "prediction": "v", "batchSize": 2}
    model = UNet(unet)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm1.weight") or name.endswith("norm2.weight") or name.endswith("norm.weight"):
                p.copy_(1 + 0.3 * torch.randn_like(p))
            else:
                p.add_(0.1 * torch.randn_like(p))
    model.eval()
    n = 3
    x = torch.randn(n, 3, 8, 8)
    t = torch.tensor([999.0, 555.0, 3.0])
    labels = torch.tensor([0, 2, 1])
    w = 2.5
    full = Schedule.full(config["schedule"], config["timesteps"])
    walk = full.respaced(spaced_timesteps(10, 1000))
    entry = 6                                              # model timestep walk.timesteps[6] = 666
    tw = torch.full((n,), float(walk.timesteps[entry]))
    with torch.no_grad():
        cond, uncond = model(x, t, labels), model(x, t, None)
        guided = guided_prediction(model, x, t, labels, w)
        out = guided_prediction(model, x, tw, labels, w)
        x0v, epsv = split_prediction(walk, out, "v", x, [entry] * n, True)
        x0e, epse = split_prediction(walk, out, "epsilon", x, [entry] * n, True)
        case = {"x": x, "t": t, "labels": labels.float(), "guidance": torch.tensor([w]),
                "conditional": cond, "unconditional": uncond, "guided": guided,
                "step_entry": torch.tensor([float(entry)]), "step_steps": torch.tensor([10.0]),
                "step_output": out, "ddim_v": ddim_step(walk, x0v, epsv, entry, 0.0),
                "ddim_epsilon": ddim_step(walk, x0e, epse, entry, 0.0),
                "ddpm_mean_v": combine(x0v, [walk.post_c1[entry]] * n, x, [walk.post_c2[entry]] * n)}
    save_model(model, config, 0, os.path.join(a.out, "unet-model.safetensors"))
    save_file({k: v.float().contiguous() for k, v in case.items()}, os.path.join(a.out, "unet-case.safetensors"),
              metadata={"producer": "Scripts/diffusion_torch.py make-fixture", "torch": torch.__version__})
    params = sum(p.numel() for p in model.parameters())
    print(f"fixture written to {a.out} ({params} parameters, torch {torch.__version__})")


def cmd_sample(a):
    """DDIM (or DDPM) samples of a RUN → OUT/<category>-<k>.npy planes (3, C, R, R), denormalized:
    `octoplane triplane decode OUT/chair-0.npy --decoder RUN/decoder.safetensors -o chair-0.obj`.
    A latent RUN samples latents of generator.json's latent.shape (x̂₀ clipped to x0Bound, which is
    then the training latents' bound), maps them to z = mean + std·x and decodes them to planes with
    RUN/autoencoder.safetensors, as TriplaneGenerator.sample."""
    torch.set_num_threads(a.threads)
    manifest = read_manifest(a.run)
    model, config, step = load_model(a.run, a.device)
    ae = latent_autoencoder(a.run, manifest, a.device)
    cats = manifest["categories"]
    if a.category is not None:
        name = SYNSETS.get(a.category, a.category)
        if name not in cats:
            raise OctoplaneError(f"unknown category '{a.category}': this model knows {', '.join(cats)}")
        labels = [cats.index(name)] * a.n
    else:
        labels = [i % len(cats) for i in range(a.n)]
    s = manifest["planeShape"]
    shape = manifest["latent"]["shape"] if ae is not None else [s[0] * s[1], s[2], s[3]]
    if config["model"]["inChannels"] != shape[0]:
        raise OctoplaneError(f"{a.run}: the U-Net takes {config['model']['inChannels']} channels, the generator samples {shape}")
    bound = manifest.get("x0Bound")
    bound = 1.0 if bound is None else bound                 # GenerationSettings.diffusionSampler: no clip at bound 0
    t0 = time.perf_counter()
    x = sample(model, config, (a.n, *shape), torch.tensor(labels, device=a.device), steps=a.steps or (100 if a.sampler == "ddpm" else 50),
               guidance=a.guidance, eta=a.eta, ddpm=a.sampler == "ddpm", clip=bound if bound > 0 else None, seed=a.seed,
               device=a.device)
    if ae is not None:
        with torch.no_grad():
            x = ae.decode(unit_to_latents(x, manifest["latent"]))
    x = x.cpu().numpy()
    seconds = time.perf_counter() - t0
    os.makedirs(a.out, exist_ok=True)
    written, counts = [], {}
    for i in range(a.n):
        cat = cats[labels[i]]
        k = counts.get(cat, 0); counts[cat] = k + 1
        path = os.path.join(a.out, f"{cat}-{k}.npy")
        np.save(path, denormalize(x[i], manifest["normalization"]).reshape(s))
        written.append(path)
    print(json.dumps({"run": a.run, "step": step, "planes": written, "seconds": seconds}))


class Trainer:
    """DiffusionTrainer's step in PyTorch: warmup-cosine lr, label dropout to the null class, t ~ U{0…T−1},
    ε ~ N(0, I), MSE to ε or v, global grad-norm clip, Adam(W), EMA with the (1 + n)/(10 + n) ramp.
    Batches are drawn by a seeded torch generator (not Octoplane's generator: the same loss, not the same draws)."""

    def __init__(self, model, config, images, labels, device, generator, lr=None, warmup=None, total=None, ddp=None):
        self.model, self.config, self.device, self.g = model, config, device, generator
        self.images, self.labels = images, labels
        self.schedule = Schedule.full(config["schedule"], config["timesteps"])
        self.sqrt_ab = torch.tensor(self.schedule.sqrt_ab, dtype=torch.float64, device=device)
        self.sqrt_1mab = torch.tensor(self.schedule.sqrt_1mab, dtype=torch.float64, device=device)
        self.net = ddp or model
        wd = config.get("weightDecay", 0.0)
        opt = torch.optim.AdamW if wd > 0 else torch.optim.Adam
        self.peak = lr if lr is not None else config.get("learningRate", 2e-4)
        self.floor = min(self.peak, config.get("minLearningRate", 0.0))
        self.warmup = warmup if warmup is not None else config.get("warmupSteps", 100)
        self.total = total if total is not None else config.get("totalSteps", 10_000)
        self.opt = opt(model.parameters(), lr=self.peak, betas=(config.get("adamBeta1", 0.9), config.get("adamBeta2", 0.999)),
                       eps=config.get("adamEpsilon", 1e-8), weight_decay=wd)
        self.ema = [p.detach().clone() for p in model.parameters()]
        self.step = 0

    def learning_rate(self, step):
        if step < self.warmup:
            return self.peak * (step + 1) / self.warmup
        if step >= self.total:
            return self.peak if self.total == self.warmup else self.floor
        t = (step - self.warmup) / (self.total - self.warmup)
        return self.floor + (self.peak - self.floor) * 0.5 * (1 + math.cos(math.pi * t))

    def train_step(self, batch_size):
        cfg, dev = self.config, self.device
        for grp in self.opt.param_groups:
            grp["lr"] = self.learning_rate(self.step)
        idx = torch.randint(0, self.images.shape[0], (batch_size,), generator=self.g, device=self.images.device)
        x0 = self.images[idx].to(dev)
        y = None
        classes = cfg["model"].get("classCount", 0)
        if classes > 0:
            y = self.labels[idx].to(dev)
            drop = torch.rand(batch_size, generator=self.g, device=self.images.device).to(dev) < cfg.get("labelDropout", 0.1)
            y = torch.where(drop, torch.full_like(y, classes), y)
        t = torch.randint(0, cfg["timesteps"], (batch_size,), generator=self.g, device=self.images.device).to(dev)
        noise = torch.randn(x0.shape, generator=self.g, device=self.images.device).to(dev)
        a, s = self.sqrt_ab[t].view(-1, 1, 1, 1), self.sqrt_1mab[t].view(-1, 1, 1, 1)
        xt = (a * x0.double() + s * noise.double()).float()
        target = noise if cfg.get("prediction", "v") == "epsilon" else (a * noise.double() - s * x0.double()).float()
        output = self.net(xt, t.float(), y)
        gamma = cfg.get("minSNRGamma", 0)
        if gamma > 0:   # min-SNR-γ (Hang et al. 2023): min(SNR, γ)/SNR for ε, min(SNR, γ)/(SNR + 1) for v
            snr = (a * a) / (s * s)
            w = snr.clamp(max=gamma) / (snr if cfg.get("prediction", "v") == "epsilon" else snr + 1)
            root = w.sqrt().float()
            output, target = output * root, target * root
        loss = F.mse_loss(output, target)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        clip = cfg.get("gradientClip", 1.0)
        if clip > 0:
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), clip)   # scale max/(norm + 1e-6) when < 1
        self.opt.step()
        n = self.step + 1
        d = cfg.get("emaDecay", 0.999)
        if cfg.get("emaWarmup", True):
            d = min(d, (1 + n) / (10 + n))
        with torch.no_grad():
            for e, p in zip(self.ema, self.model.parameters()):
                e.mul_(d).add_(p.detach(), alpha=1 - d)
        self.step += 1
        return loss.detach()

    def ema_model(self):
        m = UNet(self.config["model"])
        with torch.no_grad():
            for p, e in zip(m.parameters(), self.ema):
                p.copy_(e.cpu())
        return m


def cmd_train(a):
    """Continues training a RUN's EMA weights on a triplane folder (same loss, fresh Adam and EMA),
    and writes OUT (generator.json, decoder.safetensors and a latent RUN's autoencoder.safetensors
    copied, model.safetensors new) for `octoplane generate --model OUT`. A latent RUN trains on the
    normalized (and mirrored) planes encoded by its autoencoder to posterior means, mapped to
    (z − mean)/std with generator.json's latent statistics (LatentTrainingStage.encode). Under torchrun: DistributedDataParallel, each process drawing
    its own batches of --batch; rank 0 writes."""
    import shutil
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    device = a.device
    ddp = None
    if world > 1:
        import torch.distributed as dist
        dist.init_process_group("nccl" if device.startswith("cuda") else "gloo")
        if device.startswith("cuda"):
            device = f"cuda:{int(os.environ.get('LOCAL_RANK', '0'))}"
            torch.cuda.set_device(device)
    torch.set_num_threads(a.threads)
    manifest = read_manifest(a.run)
    model, config, step0 = load_model(a.run, device)
    model.train()
    planes, labels = read_triplane_folder(a.data, manifest)
    x = normalize(planes, manifest["normalization"])
    if manifest.get("mirrored", False):
        # The categories the RUN trained mirrored (every one in manifests written before the key existed).
        names = manifest.get("mirroredCategories") or manifest["categories"]
        pick = np.isin(labels, [manifest["categories"].index(c) for c in names])
        m = planes[pick].copy()
        m[:, [0, 2]] = m[:, [0, 2], :, :, ::-1]            # planes (x,y), (x,z): u (width) is x
        x = np.concatenate([x, normalize(m, manifest["normalization"])])
        labels = np.concatenate([labels, labels[pick]])
    images = torch.from_numpy(np.ascontiguousarray(x))
    ae = latent_autoencoder(a.run, manifest, device)
    if ae is not None:                                     # LatentTrainingStage.encode: posterior means, unit scale
        images = latents_to_unit(ae.posterior_means(images.to(device)), manifest["latent"]).cpu()
        if list(images.shape[1:]) != list(manifest["latent"]["shape"]):
            raise OctoplaneError(f"{a.data}: planes encode to latents {list(images.shape[1:])}, the generator samples {manifest['latent']['shape']}")
        del ae
    if device.startswith("cuda"):
        images = images.to(device)
    labels = torch.from_numpy(labels).to(images.device)
    if world > 1:
        from torch.nn.parallel import DistributedDataParallel
        ddp = DistributedDataParallel(model, device_ids=[device] if device.startswith("cuda") else None)
    g = torch.Generator(device=images.device).manual_seed(a.seed * 1000 + rank)
    trainer = Trainer(model, config, images, labels, device, g, lr=a.lr, warmup=a.warmup, total=a.steps, ddp=ddp)
    batch = a.batch or config.get("batchSize", 32)
    t0, losses = time.perf_counter(), []
    for s in range(a.steps):
        losses.append(trainer.train_step(batch))
        if rank == 0 and ((s + 1) % a.log_every == 0 or s + 1 == a.steps):
            recent = torch.stack(losses[-a.log_every:]).mean().item()
            rate = (s + 1) / (time.perf_counter() - t0)
            print(f"step {step0 + s + 1} loss {recent:.4f} {rate:.2f} steps/s ETA {(a.steps - s - 1) / rate:.0f} s",
                  file=sys.stderr, flush=True)
    if rank == 0:
        os.makedirs(a.out, exist_ok=True)
        for f in ["generator.json", "decoder.safetensors"] + (["autoencoder.safetensors"] if "latent" in manifest else []):
            if os.path.abspath(a.run) != os.path.abspath(a.out):
                shutil.copyfile(os.path.join(a.run, f), os.path.join(a.out, f))
        steps_total = step0 + a.steps                       # optimizer updates (of batch world·--batch)
        save_model(trainer.ema_model(), config, steps_total, os.path.join(a.out, "model.safetensors"),
                   extra={"continued_by": f"Scripts/diffusion_torch.py train (torch {torch.__version__}, {world} process(es), "
                                          f"{a.steps} steps of batch {world}×{batch} from step {step0})"})
        tail = torch.stack(losses[-50:]).mean().item()
        print(json.dumps({"out": a.out, "from_step": step0, "steps": a.steps, "processes": world, "final_loss": tail,
                          "seconds": time.perf_counter() - t0}))
    if world > 1:
        torch.distributed.destroy_process_group()


def cmd_autoencode(a):
    """The autoencoder's posterior of the images x [N, inChannels, H, W] of a safetensors file and the
    decoding of its latents z [N, latentChannels, h, w] (or, without z, of the posterior means);
    writes `mean`, `logvar` and `decoded`."""
    torch.set_num_threads(a.threads)
    ae, _, _ = load_autoencoder(a.model)
    with safe_open(a.inputs, framework="pt") as f:
        x = f.get_tensor("x").float()
        z = f.get_tensor("z").float() if "z" in f.keys() else None
    with torch.no_grad():
        mean, logvar = ae.encode(x)
        decoded = ae.decode(mean if z is None else z)
    out = {"mean": mean.contiguous(), "logvar": logvar.contiguous(), "decoded": decoded.contiguous()}
    save_file(out, a.output)
    print(json.dumps({"output": a.output, "latent": list(mean.shape), "decoded": list(decoded.shape), "torch": torch.__version__}))


def cmd_bench_train(a):
    """Times whole training steps (forward + backward + clip + Adam + EMA) of a config at batch B on
    random data; prints JSON with the median milliseconds."""
    torch.set_num_threads(a.threads)
    if a.config:
        with open(a.config) as fh:
            config = json.load(fh)
    else:   # TrainDiffusionJob.defaultConfig(channels: 24, classes: 6)
        config = {"model": {"inChannels": 24, "baseChannels": 64, "channelMultipliers": [1, 2, 2], "resBlocksPerLevel": 1,
                            "attentionResolutions": [4], "attentionHeads": 4, "groups": 8, "classCount": 6},
                  "schedule": {"cosine": {"maxBeta": 0.999, "s": 0.008}}, "timesteps": 1000, "prediction": "v",
                  "batchSize": 32, "learningRate": 5e-4, "warmupSteps": 200, "totalSteps": 6_000, "labelDropout": 0.1}
    torch.manual_seed(0)
    model = UNet(config["model"]).train()
    c = config["model"]["inChannels"]
    g = torch.Generator().manual_seed(0)
    images = torch.randn(max(64, a.batch), c, a.size, a.size, generator=g)
    classes = max(1, config["model"].get("classCount", 0))
    labels = torch.randint(0, classes, (images.shape[0],), generator=g)
    trainer = Trainer(model, config, images, labels, "cpu", g)
    times = []
    for i in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        trainer.train_step(a.batch).item()
        if i >= a.warmup:
            times.append((time.perf_counter() - t0) * 1e3)
    print(json.dumps({"peer": f"torch {torch.__version__}", "threads": a.threads, "batch": a.batch, "size": a.size,
                      "parameters": sum(p.numel() for p in model.parameters()), "ms": float(np.median(times)), "samples": times}))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("predict", help="U-Net (guided) prediction for inputs in a safetensors file")
    p.add_argument("model"); p.add_argument("inputs"); p.add_argument("-o", "--output", required=True)
    p.add_argument("--guidance", type=float, default=1.0); p.add_argument("--threads", type=int, default=2)
    m = sub.add_parser("make-fixture", help="write the interop fixture of Tests/GeneratorsTests")
    m.add_argument("out"); m.add_argument("--seed", type=int, default=0)
    s = sub.add_parser("sample", help="sample planes from a RUN")
    s.add_argument("run"); s.add_argument("--out", required=True); s.add_argument("-n", type=int, default=16)
    s.add_argument("--category"); s.add_argument("--steps", type=int, help="default: 50 with ddim, 100 with ddpm (as octoplane generate)"); s.add_argument("--guidance", type=float, default=2.0)
    s.add_argument("--sampler", choices=["ddim", "ddpm"], default="ddim", help="DDIM (default) or ancestral DDPM")
    s.add_argument("--eta", type=float, default=0.0, help="DDIM's η")
    s.add_argument("--seed", type=int, default=0); s.add_argument("--device", default="cpu"); s.add_argument("--threads", type=int, default=2)
    t = sub.add_parser("train", help="continue training a RUN on a triplane folder")
    t.add_argument("run"); t.add_argument("data"); t.add_argument("--out", required=True)
    t.add_argument("--steps", type=int, required=True); t.add_argument("--batch", type=int, help="per process (default: the config's)")
    t.add_argument("--lr", type=float, help="peak learning rate (default: the config's)")
    t.add_argument("--warmup", type=int, default=50, help="warmup steps of the fresh Adam")
    t.add_argument("--seed", type=int, default=0); t.add_argument("--device", default="cpu")
    t.add_argument("--threads", type=int, default=2); t.add_argument("--log-every", type=int, default=50)
    e = sub.add_parser("autoencode", help="autoencoder posterior and decoding for inputs in a safetensors file")
    e.add_argument("model", help="autoencoder.safetensors (or its training checkpoint, or a latent RUN)")
    e.add_argument("inputs"); e.add_argument("-o", "--output", required=True); e.add_argument("--threads", type=int, default=2)
    b = sub.add_parser("bench-train", help="time training steps")
    b.add_argument("--config", help="training config JSON (default: TrainDiffusionJob.defaultConfig(channels: 24, classes: 6))")
    b.add_argument("--batch", type=int, default=32); b.add_argument("--size", type=int, default=32)
    b.add_argument("--threads", type=int, default=2); b.add_argument("--steps", type=int, default=5); b.add_argument("--warmup", type=int, default=1)
    a = ap.parse_args()
    try:
        {"predict": cmd_predict, "make-fixture": cmd_make_fixture, "sample": cmd_sample, "train": cmd_train,
         "autoencode": cmd_autoencode, "bench-train": cmd_bench_train}[a.cmd](a)
    except OctoplaneError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
