"""The bare floor: the least code that answers a hot request with the bytes Agora answers.

Its own settings (no installed apps, one middleware, no DRF), one SQL statement per step, rows
straight to orjson. `make bench` serves it from its own gunicorn beside Agora's, and
tests/test_bench_floor.py checks that its bodies equal Agora's for the same request.
"""
