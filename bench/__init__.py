"""Benchmarks: Agora's hot endpoints against naive DRF and a raw-SQL floor, in one run.

Run `make bench` (needs PostgreSQL and wrk). Timing lives here, never in the tests.
"""
