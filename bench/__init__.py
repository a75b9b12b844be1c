"""`make bench`: collection benchmarks (numbers and ratios in one run, never pass/fail)."""
