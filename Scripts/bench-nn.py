#!/usr/bin/env python3
"""Times Octoplane's neural core next to PyTorch (CPU) on the same workloads, in one run.

    ~/.cache/octoplane/peers-venv/bin/python Scripts/bench-nn.py [--threads 2] [--steps 10] [--no-build] [--json]

1. NFD triplane-fitting step: planes 3x32x128x128, 100k points, grid_sample (bilinear,
   align_corners=True, zeros) on the three planes, features summed, MLP 32-128-128-1 (ReLU), BCE with
   logits, backward, Adam step.
2. U-Net forward+backward: batch 8, 48x64x64, channels (64, 128, 128) -- the same architecture as
   `NN.UNet` (ADM-style res blocks with timestep scale/shift, avg-pool down, nearest up, one
   self-attention at the lowest level), MSE loss, no optimizer step. The script checks that both
   sides have the same parameter count.
3. matmul 256^3 and 1024^3: Octoplane's `matmul`, a raw cblas_sgemm call from Swift, and torch.mm.

Both sides use the same thread count (OCTOPLANE_THREADS for Octoplane, which also sets how many
threads its matrix products are split over, OpenBLAS itself running single-threaded, and the
threads of the raw cblas_sgemm baseline; torch.set_num_threads for PyTorch). Figures are medians of the timed steps; the ratio is
PyTorch's time over Octoplane's (> 1: Octoplane is faster).
Octoplane's side is `octoplane bench nn --json` from a release build made with Scripts/cpu-flags.sh.
The peers' virtualenv comes from Scripts/peers-venv.sh; it needs torch==2.13.0+cpu.
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def octoplane(args):
    if not args.no_build:
        flags = subprocess.run(["bash", os.path.join(ROOT, "Scripts/cpu-flags.sh")], capture_output=True, text=True).stdout.split()
        subprocess.run(["swift", "build", "-c", "release", "--scratch-path", ".build-native", "--product", "octoplane", *flags],
                       cwd=ROOT, check=True, stdout=sys.stderr)
    exe = os.path.join(ROOT, ".build-native/release/octoplane")
    env = dict(os.environ, OCTOPLANE_THREADS=str(args.threads))
    out = subprocess.run([exe, "bench", "nn", "--json", "--steps", str(args.steps), "--warmup", str(args.warmup)],
                         cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
    return {e["name"]: e for e in json.loads(out)["entries"]}


def torch_side(args):
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    def timed(body, steps=None):
        for _ in range(args.warmup):
            body()
        ts = []
        for _ in range(steps or args.steps):
            t0 = time.perf_counter()
            body()
            ts.append((time.perf_counter() - t0) * 1e3)
        return statistics.median(ts)

    res = {}

    # 1. NFD triplane step.
    c, r, n = 32, 128, 100_000
    planes = (torch.randn(3, c, r, r) * 1e-3).requires_grad_()
    mlp = nn.Sequential(nn.Linear(c, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 1))
    pts = torch.rand(n, 3) * 2 - 1
    occ = (torch.rand(n) < 0.5).float()
    # Planes (x,y), (y,z), (x,z): grid[..., 0] indexes W, grid[..., 1] indexes H.
    grid = torch.stack([pts[:, [0, 1]], pts[:, [1, 2]], pts[:, [0, 2]]]).unsqueeze(1)  # [3, 1, N, 2]
    opt = torch.optim.Adam([planes, *mlp.parameters()], lr=1e-3)

    def triplane_step():
        opt.zero_grad()
        feat = F.grid_sample(planes, grid, mode="bilinear", padding_mode="zeros", align_corners=True)  # [3, C, 1, N]
        feat = feat.sum(0).squeeze(1).t()  # [N, C]
        loss = F.binary_cross_entropy_with_logits(mlp(feat).squeeze(-1), occ)
        loss.backward()
        opt.step()

    res["triplane"] = timed(triplane_step)

    # 2. U-Net forward + backward (mirrors Sources/NN/UNet.swift).
    class ResBlock(nn.Module):
        def __init__(self, cin, cout, emb, groups=32):
            super().__init__()
            self.norm1 = nn.GroupNorm(min(groups, cin), cin)
            self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
            self.emb = nn.Linear(emb, 2 * cout)
            self.norm2 = nn.GroupNorm(min(groups, cout), cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
            self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else None

        def forward(self, x, emb):
            h = self.conv1(F.silu(self.norm1(x)))
            scale, shift = self.emb(F.silu(emb)).chunk(2, dim=1)
            h = self.norm2(h) * (1 + scale[:, :, None, None]) + shift[:, :, None, None]
            h = self.conv2(F.silu(h))
            return (self.skip(x) if self.skip is not None else x) + h

    class Attention(nn.Module):
        def __init__(self, ch, heads, groups=32):
            super().__init__()
            self.norm = nn.GroupNorm(min(groups, ch), ch)
            self.attn = nn.MultiheadAttention(ch, heads, batch_first=True)

        def forward(self, x):
            b, ch, h, w = x.shape
            t = self.norm(x).reshape(b, ch, h * w).transpose(1, 2)
            y, _ = self.attn(t, t, t, need_weights=False)
            return x + y.transpose(1, 2).reshape(b, ch, h, w)

    class UNet(nn.Module):
        def __init__(self, cin, chans, heads=4, groups=32):
            super().__init__()
            c0 = chans[0]
            self.c0, self.emb = c0, 4 * c0
            self.time_embed = nn.Sequential(nn.Linear(c0, self.emb), nn.SiLU(), nn.Linear(self.emb, self.emb))
            self.in_conv = nn.Conv2d(cin, c0, 3, padding=1)
            self.down = nn.ModuleList()
            prev = c0
            for ch in chans:
                self.down.append(ResBlock(prev, ch, self.emb, groups))
                prev = ch
            cl = chans[-1]
            self.mid = nn.ModuleList([ResBlock(cl, cl, self.emb, groups), Attention(cl, heads, groups), ResBlock(cl, cl, self.emb, groups)])
            self.up = nn.ModuleList()
            prev = cl
            for ch in reversed(chans):
                self.up.append(ResBlock(prev + ch, ch, self.emb, groups))
                prev = ch
            self.out_norm = nn.GroupNorm(min(groups, c0), c0)
            self.out_conv = nn.Conv2d(c0, cin, 3, padding=1)

        def forward(self, x, t):
            half = self.c0 // 2
            freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float64) / half)
            args_ = t.double()[:, None] * freqs[None]
            emb = self.time_embed(torch.cat([torch.cos(args_), torch.sin(args_)], dim=1).float())
            h = self.in_conv(x)
            skips = []
            for i, blk in enumerate(self.down):
                h = blk(h, emb)
                skips.append(h)
                if i + 1 < len(self.down):
                    h = F.avg_pool2d(h, 2)
            h = self.mid[2](self.mid[1](self.mid[0](h, emb)), emb)
            for i, blk in enumerate(self.up):
                h = blk(torch.cat([h, skips.pop()], dim=1), emb)
                if i + 1 < len(self.up):
                    h = F.interpolate(h, scale_factor=2, mode="nearest")
            return self.out_conv(F.silu(self.out_norm(h)))

    b, s, cin = 8, 64, 48
    net = UNet(cin, [64, 128, 128])
    x = torch.randn(b, cin, s, s)
    target = torch.randn(b, cin, s, s)
    t = torch.tensor([i * 100 + 17 for i in range(b)], dtype=torch.float32)

    def unet_step():
        net.zero_grad(set_to_none=True)
        F.mse_loss(net(x, t), target).backward()

    res["unet"] = timed(unet_step)
    res["unet_params"] = sum(p.numel() for p in net.parameters())

    # 3. torch.mm.
    for size in (256, 1024):
        a, bm = torch.randn(size, size), torch.randn(size, size)
        flop = 2 * size ** 3
        reps = max(3, min(50, int(2e10 / flop)))
        with torch.no_grad():
            ms = timed(lambda: torch.mm(a, bm), steps=reps)
        res[f"mm {size}"] = (ms, flop / ms / 1e6)
    res["torch"] = torch.__version__
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--no-build", action="store_true", help="use the existing .build-native release binary")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    ours = octoplane(args)
    peer = torch_side(args)
    if ours["unet"]["parameters"] != peer["unet_params"]:
        sys.exit(f"U-Net parameter counts differ: Octoplane {ours['unet']['parameters']}, PyTorch {peer['unet_params']}")
    rows = [
        ("NFD triplane step (3x32x128^2, 100k pts, MLP 32-128-128-1, BCE, Adam)", ours["triplane"]["ms"], peer["triplane"]),
        (f"U-Net fwd+bwd (batch 8, 48x64x64, channels (64,128,128), {peer['unet_params']:,} params)", ours["unet"]["ms"], peer["unet"]),
    ]
    if args.json:
        print(json.dumps({"threads": args.threads, "torch": peer["torch"], "octoplane": ours,
                          "pytorch": {k: v for k, v in peer.items() if k != "torch"}}, indent=2))
        return
    print(f"Neural core vs PyTorch {peer['torch']} (CPU), {args.threads} threads, median of {args.steps} steps\n")
    print("| workload | Octoplane | PyTorch | ratio (PyTorch / Octoplane time) |")
    print("|---|---:|---:|---:|")
    for name, o, p in rows:
        print(f"| {name} | {o:.0f} ms | {p:.0f} ms | {p / o:.2f}x |")
    for size in (256, 1024):
        m, raw = ours[f"matmul {size}"], ours[f"sgemm {size}"]
        pm = peer[f"mm {size}"]
        print(f"| matmul {size}^3: core `matmul` / raw `cblas_sgemm` / torch.mm | {m['gflops']:.0f} GFLOP/s | "
              f"{pm[1]:.0f} GFLOP/s (raw sgemm {raw['gflops']:.0f}) | core = {100 * m['gflops'] / raw['gflops']:.0f}% of raw sgemm |")


if __name__ == "__main__":
    main()
