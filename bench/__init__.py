"""Benchmarks of the event platform, each against a baseline measured in the same run: `python -m bench`.

Every benchmark starts from servers of its own (`libs.events.infra.start_infrastructure`), warms up, repeats its
measurement for a number of rounds and reports the median, next to a baseline measured the same way on the same
servers; results go to `bench/results/latest.json` and `bench/results/latest.md`.
"""
