#!/usr/bin/env python3
"""Writes the safetensors fixture that Octoplane's tests read (Tests/TensorCoreTests/Fixtures/).

Made with Hugging Face's own `safetensors` package (through its torch front end, which handles
BF16), so the test checks interoperability with the reference writer, not with ourselves.
Values are simple closed forms, exactly representable in every dtype used, and repeated in
Tests/TensorCoreTests/SafetensorsTests.swift.

Usage: ~/.cache/octoplane/peers-venv/bin/python Scripts/make-safetensors-fixture.py [out.safetensors]
"""
import sys

import torch
from safetensors.torch import save_file

out = sys.argv[1] if len(sys.argv) > 1 else "Tests/TensorCoreTests/Fixtures/python-written.safetensors"
tensors = {
    "weight": (torch.arange(12, dtype=torch.float32) * 0.25 - 1.5).reshape(3, 4),
    "half": (torch.arange(6, dtype=torch.float32) * 0.5 - 1).to(torch.float16).reshape(2, 3),
    "bf16": torch.tensor([1.0, -2.0, 0.5, 3.75], dtype=torch.bfloat16),
    "double": torch.tensor([3.141592653589793, -1e-3], dtype=torch.float64),
    "steps": torch.tensor([1, -7, 123456], dtype=torch.int64),
    "scalar": torch.tensor(2.5, dtype=torch.float32),
    "empty": torch.zeros((0, 3), dtype=torch.float32),
}
save_file(tensors, out, metadata={"format": "pt", "producer": "make-safetensors-fixture.py"})
print(out)
