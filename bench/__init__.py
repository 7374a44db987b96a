"""Linli's benchmark suite (`make bench`): every figure next to a baseline built from the same
parts, measured in the same invocation with the same load generator, concurrency and payload.
Writes bench/results.json, bench/RESULTS.md and bench/latency.png."""
