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


DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.mark.parametrize(
    ("name", "rule", "basis", "payout_keys"),
    [
        ("facts-right-of-way-from-right.json", "S32", "实施条例第52条第(二)项",
         {"jqx_A_to_B": 2000, "commercial_A_to_B": 3400, "own_loss_uncovered": {"A": 2500}}),
        ("facts-shed-load.json", "S41", "道交法第48条",
         {"jqx_A_to_B": 2000, "A_pays_B_personally": 2200}),
    ],
)
def test_settlement_liability_decides_the_example_files(
    name: str, rule: str, basis: str, payout_keys: dict[str, object]
) -> None:
    import subprocess
    import sys

    completed = subprocess.run(  # noqa: S603 - our own interpreter and a repository file
        [sys.executable, "-m", "settlement", "liability", str(DATA / name)],
        capture_output=True, text=True, timeout=60, check=False,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert completed.returncode == 0, completed.stderr
    answer = json.loads(completed.stdout)
    assert answer["route"] == "self_negotiation"
    assert answer["liability"] == {"A": "全部责任", "B": "无责任"}
    assert [r["id"] for r in answer["rules"]] == [rule]
    assert answer["rules"][0]["legal_basis"] == [basis]
    assert answer["rules"][0]["explanation_zh"]
    assert answer["rules"][0]["explanation_en"]
    for key, value in payout_keys.items():
        assert answer["payout"][key] == value, key


def test_admit_decides_as_a_jurisdiction_that_admits_non_motor_parties() -> None:
    document = json.loads((DATA / "facts-shed-load.json").read_text(encoding="utf-8"))
    document["vehicles"]["B"]["type"] = "e_bike"
    refused, admitted = io.StringIO(), io.StringIO()
    assert run(_parse(["liability", "-"]), stdin=io.StringIO(json.dumps(document)),
               stdout=refused) == 0
    assert json.loads(refused.getvalue())["refusal_reasons"] == ["non_motor_party"]
    args = _parse(["liability", "--admit", "non_motor_party", "-"])
    assert run(args, stdin=io.StringIO(json.dumps(document)), stdout=admitted) == 0
    answer = json.loads(admitted.getvalue())
    assert answer["route"] == "online_police_determination"
    assert answer["police_only_reasons"] == ["non_motor_party"]
    assert answer["proposed_liability"] == {"A": "全部责任", "B": "无责任"}
