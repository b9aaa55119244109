"""The ``liability`` subcommand handler."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

from settlement.cli.liability import register, run
from tests.unit.domain.factsdocs import doc, load_examples


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def test_prints_the_determination_and_exits_0(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    example = load_examples()[0]
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(example["facts"]), encoding="utf-8")
    args = _parse(["liability", str(path)])
    assert args.handler(args) == 0
    out = capsys.readouterr().out
    assert "全部责任" in out  # ensure_ascii=False keeps Chinese readable
    assert json.loads(out)["liability"] == example["expected"]["liability"]


def test_reads_stdin_with_dash() -> None:
    out = io.StringIO()
    code = run(_parse(["liability", "-"]), stdin=io.StringIO(json.dumps(doc())), stdout=out)
    assert code == 0
    assert json.loads(out.getvalue())["route"] == "online_police_determination"


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps(doc({"manoeuvre": "moonwalk"})), "vehicles.A.manoeuvre"),
        (json.dumps({"vehicles": {"A": {}}}), "vehicles.B"),
    ],
)
def test_bad_input_exits_2_naming_the_problem(tmp_path: Path, content: str, needle: str) -> None:
    path = tmp_path / "facts.json"
    path.write_text(content, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert run(_parse(["liability", str(path)]), stdout=out, stderr=err) == 2
    assert needle in err.getvalue()
    assert out.getvalue() == ""


def test_missing_file_exits_2(tmp_path: Path) -> None:
    err = io.StringIO()
    assert run(_parse(["liability", str(tmp_path / "nope.json")]), stderr=err) == 2
    assert "cannot read" in err.getvalue()
