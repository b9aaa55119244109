"""Run every benchmark once and rewrite the README's benchmark section from that run.

Each ``benchmarks/bench_*.py`` prints, after its own report, the markdown table rows of its
README figures (lines starting with ``|``). This script runs them one after the other (a
benchmark must not share the cores with another), takes those rows and replaces the text
between the README's benchmark markers with them, the date, the machine and the commands.

    python benchmarks/run_all.py            # all of them, README rewritten
    python benchmarks/run_all.py --only bench_liability --dry-run
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
START = "<!-- benchmarks:start (written by benchmarks/run_all.py; do not edit by hand) -->"
END = "<!-- benchmarks:end -->"
TIMEOUT_S = 1800
_SEPARATOR = re.compile(r"^\|(\s*:?-+:?\s*\|)+$")


@dataclass
class Result:
    script: str
    summary: str
    rows: list[str]
    seconds: float
    failed: str = ""


def summary_of(script: Path) -> str:
    """The first line of the benchmark's docstring: what it measures."""
    match = re.search(r'^"""(.+?)$', script.read_text(encoding="utf-8"), re.MULTILINE)
    return match.group(1).strip().rstrip(".") if match else script.stem


def table_rows(stdout: str) -> list[str]:
    """The markdown table a benchmark printed, given a header when it printed only rows."""
    rows = [line.rstrip() for line in stdout.splitlines() if line.startswith("|")]
    if rows and not (len(rows) > 1 and _SEPARATOR.match(rows[1])):
        rows = ["| measure | figure | against the baseline |", "|---|---|---|", *rows]
    return rows


def run(script: Path) -> Result:
    started = dt.datetime.now()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        done = subprocess.run(
            [sys.executable, str(script)], cwd=ROOT, env=env, capture_output=True, text=True,
            timeout=TIMEOUT_S, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return Result(script.name, summary_of(script), [], TIMEOUT_S, "timed out")
    seconds = (dt.datetime.now() - started).total_seconds()
    sys.stdout.write(done.stdout)
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        return Result(script.name, summary_of(script), [], seconds, f"exit {done.returncode}")
    return Result(script.name, summary_of(script), table_rows(done.stdout), seconds)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def section(results: list[Result], when: dt.datetime) -> str:
    lines = [
        START,
        f"Measured on {when:%Y-%m-%d %H:%M} UTC on {machine()}, by one run of "
        "`python benchmarks/run_all.py` (every benchmark in turn, each against its baseline in "
        "the same run; load generator, service and `mongod` share the machine).",
        "",
    ]
    for result in results:
        lines.append(f"`python benchmarks/{result.script}` — {result.summary}:")
        lines.append("")
        if result.failed:
            lines.append(f"*not measured in this run: {result.failed}*")
        else:
            lines.extend(result.rows or ["*printed no figures*"])
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def rewrite(readme: str, new_section: str) -> str:
    if START in readme and END in readme:
        before, rest = readme.split(START, 1)
        after = rest.split(END, 1)[1]
        return before + new_section + after
    heading = "## Benchmarks\n"
    if heading not in readme:
        return readme.rstrip() + "\n\n" + heading + "\n" + new_section + "\n"
    before, after = readme.split(heading, 1)
    following = re.search(r"^## ", after, re.MULTILINE)
    tail = after[following.start():] if following else ""
    return before + heading + "\n" + new_section + "\n\n" + tail


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[], help="run only these (stems)")
    parser.add_argument("--dry-run", action="store_true", help="print the section, keep README")
    args = parser.parse_args()
    scripts = sorted((ROOT / "benchmarks").glob("bench_*.py"))
    if args.only:
        scripts = [s for s in scripts if s.stem in set(args.only)]
    when = dt.datetime.now(dt.UTC)
    results = []
    for script in scripts:
        print(f"== {script.name}", flush=True)
        results.append(run(script))
    new_section = section(results, when)
    if args.dry_run:
        print(new_section)
    else:
        README.write_text(rewrite(README.read_text(encoding="utf-8"), new_section), encoding="utf-8")
        print(f"README.md benchmark section rewritten ({len(results)} benchmarks)")
    return 1 if any(r.failed for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
