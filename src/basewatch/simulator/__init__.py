"""Scenario simulator: synthetic air traffic with known truth, in every input format.

    import basewatch as bw
    report = bw.simulate("khmeimim-2025", "sim/", format="trace_full")

scenario.py (TOML → dataclasses) → traffic.py (flights) → profiles.py (where each aircraft is)
→ observe.py (what the receivers got: coverage.py, faults.py) → writers.py (file formats,
modes_encode.py for raw Mode S) and truth.py (what really happened). run.py ties them.
"""
