"""Benchmarks: the engine side by side with baselines, against a sandbox in another process.

``python -m benchmarks`` (``make bench``) runs every ``bench_*.py`` module; the
protocol they follow is in ``benchmarks/harness.py``.
"""
