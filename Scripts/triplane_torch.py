#!/usr/bin/env python3
"""Octoplane triplanes in plain PyTorch: load Octoplane's decoder (.safetensors) and planes (.npy),
evaluate the same points, fit planes with the same recipe (for the speed benchmark), and make the
interop fixture that Octoplane's tests read.

    python Scripts/triplane_torch.py eval DECODER.safetensors PLANES.npy POINTS.npy [-o LOGITS.npy]
    python Scripts/triplane_torch.py make-fixture OUT_DIR      # Tests/TriplanesTests/Fixtures
    python Scripts/triplane_torch.py bench-fit DECODER.safetensors SAMPLES.npy [--steps 600 --schedule cosine ...]

Layout (Octoplane's, = NFD's): planes float32 (3, C, R, R), planes (x,y), (y,z), (x,z); plane p is
read with grid_sample(align_corners=True, padding zeros) at grid[..., 0] = u, grid[..., 1] = v with
(u, v) = (x, y), (y, z), (x, z). Decoder tensors: fourier.B [F, K] (absent when K = 0) and
mlp.layers.<i>.weight/.bias; its configuration is the JSON in metadata 'octoplane.config'.
"""
import argparse
import json
import math
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors import safe_open
from safetensors.torch import save_file

AXES = [(0, 1), (1, 2), (0, 2)]


class TriplaneDecoder(nn.Module):
    """Octoplane's TriplaneDecoder as a plain nn.Module (state-dict keys = the safetensors names)."""

    def __init__(self, config):
        super().__init__()
        self.config = config
        c = config["channels"]
        width = 3 * c if config["aggregation"] == "concat" else c
        k = config["fourierFeatures"]
        if k > 0:
            self.register_buffer("fourier_B", torch.randn(width, k) * config["fourierScale"])
            width = 2 * k
        else:
            self.fourier_B = None
        sizes = [width] + list(config["hidden"]) + [1]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))

    @staticmethod
    def load(path):
        with safe_open(path, framework="pt") as f:
            meta = f.metadata() or {}
            if meta.get("octoplane.kind") != "octoplane-triplane-decoder":
                raise ValueError(f"{path}: not an Octoplane triplane decoder")
            d = TriplaneDecoder(json.loads(meta["octoplane.config"]))
            with torch.no_grad():
                if d.fourier_B is not None:
                    d.fourier_B.copy_(f.get_tensor("fourier.B"))
                for i, l in enumerate(d.layers):
                    l.weight.copy_(f.get_tensor(f"mlp.layers.{i}.weight"))
                    l.bias.copy_(f.get_tensor(f"mlp.layers.{i}.bias"))
        return d

    def save(self, path):
        t = {}
        if self.fourier_B is not None:
            t["fourier.B"] = self.fourier_B.contiguous()
        for i, l in enumerate(self.layers):
            t[f"mlp.layers.{i}.weight"] = l.weight.detach().contiguous()
            t[f"mlp.layers.{i}.bias"] = l.bias.detach().contiguous()
        save_file(t, path, metadata={"octoplane.kind": "octoplane-triplane-decoder", "octoplane.version": "1",
                                     "octoplane.config": json.dumps(self.config)})

    def features(self, planes, points):
        feats = []
        for p, (a, b) in enumerate(AXES):
            grid = torch.stack([points[:, a], points[:, b]], dim=-1).view(1, 1, -1, 2)
            f = F.grid_sample(planes[p:p + 1], grid, mode="bilinear", padding_mode="zeros", align_corners=True)
            feats.append(f.view(planes.shape[1], -1).t())
        agg = self.config["aggregation"]
        if agg == "sum":
            return feats[0] + feats[1] + feats[2]
        if agg == "concat":
            return torch.cat(feats, dim=-1)
        return feats[0] * feats[1] * feats[2]

    def forward(self, planes, points):
        h = self.features(planes, points)
        if self.fourier_B is not None:
            h = 2 * math.pi * (h @ self.fourier_B)
            h = torch.cat([torch.sin(h), torch.cos(h)], dim=-1)
        for i, l in enumerate(self.layers):
            h = l(h)
            if i + 1 < len(self.layers):
                h = torch.relu(h)
        return h.view(-1)


def cmd_eval(a):
    d = TriplaneDecoder.load(a.decoder)
    planes = torch.from_numpy(np.load(a.planes).astype(np.float32))
    pts = torch.from_numpy(np.load(a.points).astype(np.float32))
    with torch.no_grad():
        out = d(planes, pts).numpy()
    if a.output:
        np.save(a.output, out)
    print(json.dumps({"points": int(out.shape[0]), "mean": float(out.mean()), "min": float(out.min()), "max": float(out.max())}))


def cmd_make_fixture(a):
    """A decoder, planes and points made by PyTorch (fixed seed), and PyTorch's outputs for them,
    for every aggregation: Octoplane's test loads the files and must reproduce the outputs."""
    import os
    os.makedirs(a.out, exist_ok=True)
    torch.manual_seed(0)
    for agg in ["sum", "concat", "product"]:
        cfg = {"resolution": 8, "channels": 4, "aggregation": agg, "hidden": [16, 16],
               "fourierFeatures": 8 if agg != "product" else 0, "fourierScale": 1.0,
               "target": "occupancy", "udfClamp": 0.1}
        d = TriplaneDecoder(cfg)
        planes = torch.randn(3, 4, 8, 8) * 0.5
        pts = torch.rand(500, 3) * 2.2 - 1.1          # some points outside [-1, 1]: zero padding
        pts[:8] = torch.tensor([[-1, -1, -1], [1, 1, 1], [1, -1, 0.5], [0, 0, 0],
                                [-1, 1, 1], [0.999, -0.999, 0], [1.05, 0, 0], [0, 0, -1.2]])
        with torch.no_grad():
            out = d(planes, pts)
        d.save(f"{a.out}/decoder-{agg}.safetensors")
        np.save(f"{a.out}/planes-{agg}.npy", planes.numpy())
        np.save(f"{a.out}/points-{agg}.npy", pts.numpy())
        np.save(f"{a.out}/outputs-{agg}.npy", out.numpy())
    print(f"fixture written to {a.out} (torch {torch.__version__})")


def cmd_bench_fit(a):
    """NFD phase 2 with Octoplane's default recipe: Adam on the planes (decoder frozen; learning rate
    annealed by a cosine to 0 unless --schedule constant), BCE on
    `points` rows drawn uniformly from the samples per step + edr·MSE(f(u), f(u + N(0, 0.01²))) on
    `edr_points` uniform points; reports seconds per fit and the IoU of the planes on the samples'
    uniform half."""
    torch.set_num_threads(a.threads)
    d = TriplaneDecoder.load(a.decoder)
    for p in d.parameters():
        p.requires_grad_(False)
    s = np.load(a.samples).astype(np.float32)
    x = torch.from_numpy(s[:, :3]).contiguous()
    y = torch.from_numpy(s[:, 3]).contiguous()
    c, r = d.config["channels"], d.config["resolution"]
    times, ious = [], []
    for rep in range(a.repeats):
        g = torch.Generator().manual_seed(rep)
        planes = (torch.randn(3, c, r, r, generator=g) * 0.001).requires_grad_(True)
        opt = torch.optim.Adam([planes], lr=a.lr)
        t0 = time.perf_counter()
        for step in range(a.steps):
            idx = torch.randint(0, x.shape[0], (a.points,), generator=g)
            loss = F.binary_cross_entropy_with_logits(d(planes, x[idx]), y[idx])
            if a.edr > 0 and a.edr_points > 0:
                u = torch.rand(a.edr_points, 3, generator=g) * 2 - 1
                v = u + 0.01 * torch.randn(a.edr_points, 3, generator=g)
                both = d(planes, torch.cat([u, v]))
                loss = loss + a.edr * F.mse_loss(both[:a.edr_points], both[a.edr_points:])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if a.schedule == "cosine":  # Octoplane's default: lr · ½(1 + cos(π·step/steps))
                opt.param_groups[0]["lr"] = a.lr * 0.5 * (1 + math.cos(math.pi * step / a.steps))
            opt.step()
        times.append(time.perf_counter() - t0)
        with torch.no_grad():
            half = x.shape[0] // 2
            pred = d(planes, x[half:]) > 0
            truth = y[half:] > 0.5
            ious.append(float((pred & truth).sum()) / max(1.0, float((pred | truth).sum())))
    print(json.dumps({"peer": f"torch {torch.__version__}", "threads": a.threads, "steps": a.steps, "points": a.points,
                      "edr_points": a.edr_points, "seconds": times, "median_seconds": float(np.median(times)),
                      "iou_uniform_half": ious}))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("eval"); e.add_argument("decoder"); e.add_argument("planes"); e.add_argument("points"); e.add_argument("-o", "--output")
    m = sub.add_parser("make-fixture"); m.add_argument("out")
    b = sub.add_parser("bench-fit"); b.add_argument("decoder"); b.add_argument("samples")
    b.add_argument("--steps", type=int, default=600); b.add_argument("--points", type=int, default=8192)
    b.add_argument("--edr-points", type=int, default=2048); b.add_argument("--edr", type=float, default=0.6)
    b.add_argument("--lr", type=float, default=0.004); b.add_argument("--threads", type=int, default=2)
    b.add_argument("--repeats", type=int, default=3); b.add_argument("--schedule", choices=["cosine", "constant"], default="cosine")
    a = ap.parse_args()
    {"eval": cmd_eval, "make-fixture": cmd_make_fixture, "bench-fit": cmd_bench_fit}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
