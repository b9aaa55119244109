"""benchmarks/run_all.py: the README's benchmark section comes from the benchmarks' own rows."""

from __future__ import annotations

import datetime as dt

from benchmarks.run_all import END, START, Result, rewrite, section, table_rows


def test_rows_keep_the_benchmarks_header_or_get_a_generic_one() -> None:
    printed = "figures...\n| page | ms |\n|---|---|\n| queue | 6.0 |\nnot a row\n"
    assert table_rows(printed) == ["| page | ms |", "|---|---|", "| queue | 6.0 |"]
    bare = table_rows("| get-case | 900 req/s | 0.40 of bare |\n")
    assert bare[1] == "|---|---|---|"
    assert bare[2] == "| get-case | 900 req/s | 0.40 of bare |"
    assert table_rows("no table\n") == []


def test_section_replaces_only_the_text_between_the_markers() -> None:
    results = [
        Result("bench_a.py", "What A measures", ["| x | y |", "|---|---|", "| 1 | 2 |"], 1.0),
        Result("bench_b.py", "What B measures", [], 1.0, failed="exit 1"),
    ]
    new = section(results, dt.datetime(2026, 12, 2, 5, 0))
    assert "2026-12-02 05:00" in new
    assert "python benchmarks/run_all.py" in new
    assert "| 1 | 2 |" in new
    assert "*not measured in this run: exit 1*" in new
    readme = f"# T\n\n## Benchmarks\n\nHow to run.\n\n{START}\nold figures\n{END}\n\n## Next\n"
    rewritten = rewrite(readme, new)
    assert "old figures" not in rewritten
    assert rewritten.startswith("# T\n\n## Benchmarks\n\nHow to run.\n\n")
    assert rewritten.endswith("\n\n## Next\n")
    assert rewrite(rewritten, new) == rewritten


def test_a_readme_without_markers_gets_the_section_under_its_heading() -> None:
    readme = "# T\n\n## Benchmarks\n\nstale table\n\n## Deployment\nx\n"
    rewritten = rewrite(readme, f"{START}\nnew\n{END}")
    assert "stale table" not in rewritten
    assert rewritten.index(START) < rewritten.index("## Deployment")
