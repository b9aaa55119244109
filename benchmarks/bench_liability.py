"""Throughput of the liability engine over the worked examples, on one core.

Run from the project root::

    python benchmarks/bench_liability.py [--seconds 3]

Prints decisions per second for three loops over the same documents, in the same run:

* baseline — ``parse_facts`` only (validating the JSON-decoded document);
* decide — ``decide`` on already parsed facts (gate + catalogue + payout);
* end to end — ``parse_facts`` then ``decide`` then ``to_json_dict``.

Each loop runs for a bounded time (``--seconds``, default 3) and the best of three rounds is
kept, so a noisy neighbour makes the figure lower, never higher.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from settlement.domain.facts import parse_facts
from settlement.domain.liability import decide

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "tests" / "data" / "liability-examples.jsonl"


def _rate(step: Callable[[Any], object], items: list[Any], seconds: float) -> float:
    best = 0.0
    for _ in range(3):
        done, start = 0, time.perf_counter()
        deadline = start + seconds / 3
        while time.perf_counter() < deadline:
            for item in items:
                step(item)
            done += len(items)
        best = max(best, done / (time.perf_counter() - start))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per measurement")
    seconds = parser.parse_args().seconds
    with EXAMPLES.open(encoding="utf-8") as handle:
        documents = [json.loads(line)["facts"] for line in handle if line.strip()]
    parsed = [parse_facts(d) for d in documents]

    baseline = _rate(parse_facts, documents, seconds)
    engine = _rate(decide, parsed, seconds)
    end_to_end = _rate(lambda d: decide(parse_facts(d)).to_json_dict(), documents, seconds)

    print(f"examples: {len(documents)}  python {sys.version.split()[0]}  one core")
    print(f"baseline parse_facts           {baseline:>10,.0f} docs/s")
    print(f"decide (parsed facts)          {engine:>10,.0f} decisions/s")
    print(f"parse + decide + to_json_dict  {end_to_end:>10,.0f} decisions/s")
    print(f"ratio decide / parse           {engine / baseline:>10.2f}")
    print(f"ratio end-to-end / parse       {end_to_end / baseline:>10.2f}")
    print()
    print("| loop | per second |")
    print("|---|---|")
    print(f"| parse the facts document (baseline) | {baseline:,.0f} |")
    print(f"| `decide` on parsed facts | {engine:,.0f} ({engine / baseline:.2f} of the baseline) |")
    print(f"| parse + decide + JSON | {end_to_end:,.0f} |")


if __name__ == "__main__":
    main()
