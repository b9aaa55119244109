"""The 事故认定书 as issued, read back like a records office would: pdftotext gives the plates
and every party's data exactly, the rule with its text and article, the officer with the
badge number and the issuing unit; the font is embedded; the QR code decodes to an absolute
URL whose page (HTML for people, JSON for machines) shows what was issued."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from tornado.httpclient import AsyncHTTPClient

from tests.e2e.console.conftest import Browserless, Console, text, version_of

pytestmark = pytest.mark.e2e


def _tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        pytest.skip(f"{name} (poppler-utils) is not installed")
    return tool


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout  # noqa: S603


async def test_the_issued_determination_reads_back_exactly(console: Console, tmp_path: Path) -> None:
    zxing = pytest.importorskip("zxingcpp")
    from PIL import Image

    case = await console.seed(0)
    client = Browserless(console.base_url)
    await client.login("reviewer.ns")
    path = f"/console/cases/{case.id}"
    await client.request("POST", f"{path}/claim",
                         {"version": version_of(text(await client.request("GET", path)))})  # fmt: skip
    issued = await client.request("POST", f"{path}/determine", {
        "rule": "S01", "level_A": "全部责任", "level_B": "无责任",
        "reason": "甲车未与前车保持安全距离", "confirm": "1"})  # fmt: skip
    assert issued.code == 302
    pdf = (await client.request("GET", f"{path}/document.pdf")).body
    assert pdf.startswith(b"%PDF")
    file = tmp_path / "determination.pdf"
    (Path(__file__).resolve().parents[3] / "test-artifacts").mkdir(exist_ok=True)
    (Path(__file__).resolve().parents[3] / "test-artifacts" / "determination.pdf").write_bytes(pdf)
    file.write_bytes(pdf)

    words = _run(_tool("pdftotext"), "-layout", str(file), "-")
    flat = "".join(words.split())
    for party in case.parties.values():
        d = party.details
        assert d is not None
        for value in (d.name, d.plate, d.licence_number, d.phone, d.policy_number, d.licence_class):
            assert value in flat, value
    for required in ("中国人民财产保险股份有限公司", "中国太平洋财产保险股份有限公司",
                     "S01", "追尾：同车道追撞前车尾部", "未与前车保持足以采取紧急制动措施的安全距离",
                     "《中华人民共和国道路交通安全法》(2021年修正)第43条",
                     "《道路交通事故处理程序规定》(公安部令第146号)第20条",
                     "深圳市公安局交通警察支队南山大队", "李明", "警号031245", "复核",
                     "全部责任", "无责任", "甲车未与前车保持安全距离"):
        assert required in flat, required
    fonts = _run(_tool("pdffonts"), str(file))
    embedded = [line for line in fonts.splitlines() if "NotoSansSC-Documents" in line]
    assert embedded, fonts
    assert all(" yes yes " in line for line in embedded), fonts

    _run(_tool("pdftoppm"), "-r", "150", "-png", str(file), str(tmp_path / "page"))
    urls = [
        barcode.text
        for image in sorted(tmp_path.glob("page*.png"))
        for barcode in zxing.read_barcodes(Image.open(image))
    ]
    assert len(urls) == 1, urls
    url = urls[0]
    assert url.startswith(f"{console.base_url}/verify/"), url

    page = await AsyncHTTPClient().fetch(url, headers={"Accept": "text/html"})
    shown = page.body.decode()
    assert page.headers["Content-Type"].startswith("text/html")
    assert "道路交通事故认定书" in shown
    assert "全部责任" in shown
    assert case.id in shown
    assert "粤B***M9" in shown, "plates are masked on the public page"
    assert "440305198803152316" not in shown
    machine = await AsyncHTTPClient().fetch(url, headers={"Accept": "application/json"})
    answer = json.loads(machine.body)
    assert answer["issued"] is True
    assert answer["kind"] == "determination"
    assert [p["liability"] for p in answer["parties"]] == ["全部责任", "无责任"]
    unknown = await AsyncHTTPClient().fetch(f"{console.base_url}/verify/{'0' * 64}",
                                            raise_error=False)  # fmt: skip
    assert "未出具" in unknown.body.decode()
