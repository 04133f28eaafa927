#!/usr/bin/env bash
# Prints the swiftc flags that build hot code for this CPU: Haswell-level (AVX2 + FMA + F16C)
# where the processor has it. The default x86-64 target has no FMA, which makes
# SIMD.addProduct a libm call. Used by the demo and the benchmarks, never by Package.swift.
if [[ "$(uname -m)" == "x86_64" ]] && grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then
  echo "-Xswiftc -target-cpu -Xswiftc haswell"
fi
