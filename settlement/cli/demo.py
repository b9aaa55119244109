"""``settlement demo``: fill a fresh installation with realistic cases and console accounts.

Cases go through the same use cases the mini-program drives (open, join, details,
statements, photos, liability proposal), so what the console shows is what real traffic
produces: disputed and declined cases in the police queue, flagged and reused photos,
a plate that recurs across accidents, and a few cases already decided.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import sys
import tempfile
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from settlement.config import Settings
from settlement.domain.case import Case
from settlement.domain.geo import GeoPoint
from settlement.errors import ConfigurationError, SettlementError
from settlement.services.container import Services

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed for the demo accounts only
DEMO_STAFF = (
    ("reviewer.ns", "reviewer", "440305", "李明"),
    ("reviewer.ft", "reviewer", "440304", "王刚"),
    ("supervisor.sz", "supervisor", "440305", "陈建国"),
    ("admin.sz", "admin", "*", "系统管理员"),
)
DEMO_BADGES = {"reviewer.ns": "031245", "reviewer.ft": "030871", "supervisor.sz": "030112"}

NANSHAN = {"latitude": 22.5405, "longitude": 113.9345}
FUTIAN = {"latitude": 22.5412, "longitude": 114.0560}
SLOTS = ("side_front", "side_rear", "collision_point", "own_plate", "other_plate")


def details(name: str, id_number: str, phone: str, plate: str, insurer: str) -> dict[str, str]:
    return {
        "name": name, "id_number": id_number, "phone": phone,
        "licence_number": id_number, "licence_class": "C1", "plate": plate,
        "vehicle_type": "small_car", "insurer_code": insurer,
        "policy_number": f"PDZA2026{id_number[-8:]}",
    }  # fmt: skip


def statement(manoeuvre: str, damage: str, other: str, narrative: str,
              dispute: bool = False) -> dict[str, Any]:  # fmt: skip
    return {
        "own_vehicle": {
            "type": "small_car", "driver_licence_valid": True, "jqx_insured": True,
            "movable": True, "manoeuvre": manoeuvre, "lane": "lane_2",
            "signal_faced": "red" if manoeuvre == "stopped_in_queue" else "green",
            "damage_location": damage,
        },
        "other_vehicle": {"manoeuvre": other},
        "location": {"road_type": "urban_road", "intersection": "signalized_approach",
                     "time": "day"},
        "flags": {"injuries": False, "dispute_on_facts": dispute},
        "narrative": narrative,
    }  # fmt: skip


@dataclass
class CaseSpec:
    """One demo accident: who, where, what each driver says, which photos, what happens."""

    address: str
    description: str
    location: dict[str, float]
    party_a: dict[str, str]
    party_b: dict[str, str]
    statement_a: dict[str, Any]
    statement_b: dict[str, Any]
    photo_seeds: Sequence[int] = (1, 2, 3)
    decline: bool = False
    minutes_ago: int = 20
    extra: dict[str, Any] = field(default_factory=dict)


def rear_end(a_says_b: str = "stopped_in_queue") -> tuple[dict[str, Any], dict[str, Any]]:
    return (
        statement("straight", "front", a_says_b, "我方直行，前车突然停车"),
        statement("stopped_in_queue", "rear", "straight", "我方排队等红灯，被后车追尾"),
    )


async def seed_case(services: Services, spec: CaseSpec, photo: Callable[[int], bytes],
                    workdir: Path, users: tuple[str, str] | None = None) -> Case:  # fmt: skip
    """Drive one accident through intake, photos and the liability engine.

    Args:
        services: the wired use cases.
        spec: the accident.
        photo: makes the JPEG bytes for a seed.
        workdir: where the uploads are spooled.
        users: the two drivers' user ids (random demo ids by default).

    Returns:
        The case as stored at the end (police_review when disputed or declined).
    """
    from settlement.services.case_photos import PhotoUpload

    a, b = users or (f"demo-{uuid.uuid4().hex[:10]}", f"demo-{uuid.uuid4().hex[:10]}")
    intake = services.intake
    occurred = _now(services) - timedelta(minutes=spec.minutes_ago + 15)
    case = await intake.open(a, {
        "occurred_at": occurred.isoformat(), "address": spec.address,
        "location": spec.location, "weather": "clear", "road_type": "urban_road",
        "description": spec.description,
    })  # fmt: skip
    invite = await intake.invite(a, case.id)
    await intake.join(b, {"code": invite.code})
    for user, party_details, said in ((a, spec.party_a, spec.statement_a),
                                      (b, spec.party_b, spec.statement_b)):  # fmt: skip
        await intake.submit_details(user, case.id, party_details)
        await intake.submit_statement(user, case.id, said)
    if services.photos is not None:
        for index, seed in enumerate(spec.photo_seeds):
            path = workdir / f"{case.id}-{index}.jpg"
            path.write_bytes(photo(seed))
            user = a if index % 2 == 0 else b
            await services.photos.upload(user, case.id, PhotoUpload(
                slot=SLOTS[index % len(SLOTS)], upload_id=uuid.uuid4().hex,
                captured_at=_now(services) - timedelta(minutes=spec.minutes_ago + 10),
                location=GeoPoint(spec.location["latitude"], spec.location["longitude"]),
                nonce=case.capture_nonce, content_type="image/jpeg",
            ), path)  # fmt: skip
    if services.liability is not None:
        await services.liability.propose(a, case.id)
        if spec.decline:
            await services.liability.decline(a, case.id, {"reason": "对责任划分有异议"})
    return await intake.get(a, case.id)


def _now(services: Services) -> datetime:
    return datetime.now(UTC)


def demo_specs() -> list[CaseSpec]:
    zhang = details("张伟", "440305198803152316", "13812345678", "粤B7K2M9", "PICC")
    li = details("李娜", "440304199207214428", "13987654321", "粤B3H8Q1", "CPIC")
    wang = details("王强", "44030619850630551X", "13600001111", "粤BD12345", "PING_AN")
    zhao = details("赵敏", "440307199512013326", "13722223333", "粤B9P6T2", "PICC")
    conflict_a, conflict_b = rear_end("reversing")
    rear_a, rear_b = rear_end()
    return [
        CaseSpec(
            "深圳市南山区深南大道与科技园路口",
            "等红灯时被后车追尾，双方对倒车说法不一",
            NANSHAN,
            zhang,
            li,
            conflict_a,
            conflict_b,
            (11, 12, 13, 14, 15, 16),
            minutes_ago=42,
        ),
        CaseSpec(
            "深圳市南山区南海大道与登良路交叉口",
            "后车追尾，一方不同意责任划分",
            NANSHAN,
            wang,
            zhao,
            rear_a,
            rear_b,
            (21, 22, 23),
            decline=True,
            minutes_ago=25,
        ),
        # Re-uses photo 11 of the first case (an exact copy) and the plate 粤B7K2M9.
        CaseSpec(
            "深圳市南山区后海大道与创业路口",
            "变道时发生刮擦，双方说法不一",
            NANSHAN,
            zhang,
            zhao,
            *rear_end("reversing"),
            photo_seeds=(11, 31, 32),
            minutes_ago=12,
        ),
        CaseSpec(
            "深圳市南山区科苑南路",
            "排队等候时被追尾",
            NANSHAN,
            li,
            wang,
            rear_a,
            rear_b,
            (41, 42, 43),
            decline=True,
            minutes_ago=8,
        ),
        CaseSpec(
            "深圳市福田区深南中路与华强北路口",
            "路口追尾，双方说法不一",
            FUTIAN,
            zhao,
            li,
            *rear_end("reversing"),
            photo_seeds=(51, 52, 53),
            minutes_ago=30,
        ),
        CaseSpec(
            "深圳市南山区桃园路",
            "追尾，已协商",
            NANSHAN,
            wang,
            li,
            rear_a,
            rear_b,
            (61, 62, 63),
            minutes_ago=90,
        ),
    ]


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``demo``; the handler is stored as ``handler`` in the parsed arguments."""
    parser = subparsers.add_parser(
        "demo", help="fill a fresh installation with demo cases and console accounts",
        description="Create demo console accounts and realistic cases, then print how to "
        "sign in. Uses the SETTLEMENT_* settings (embedded MongoDB by default).",
    )  # fmt: skip
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings | None = None,
        stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:  # fmt: skip
    """Handle ``demo``. Returns 0, or 2 when the settings or the data are unusable."""
    out, err = stdout or sys.stdout, stderr or sys.stderr
    try:
        config = settings or Settings.from_env()
        created = asyncio.run(fill(config))
    except (ConfigurationError, SettlementError) as exc:
        print(f"demo: {exc}", file=err)
        return 2
    print(f"demo: {created} cases created in database {config.mongo_db!r}.", file=out)
    print("Start the service with `settlement serve` and open "
          f"http://{config.bind_address}:{config.http_port}/console/login", file=out)  # fmt: skip
    if config.console_secure_cookies:
        print("(over plain http, set SETTLEMENT_CONSOLE_SECURE_COOKIES=false first)", file=out)
    for username, role, jurisdiction, _ in DEMO_STAFF:
        print(f"  {role:<10} {username:<14} jurisdiction {jurisdiction:<7} "
              f"password {DEMO_PASSWORD}", file=out)  # fmt: skip
    return 0


async def fill(settings: Settings) -> int:
    """Create the demo accounts (if missing) and cases; the number of cases created."""
    from settlement.bootstrap import open_runtime

    async with open_runtime(settings) as runtime:
        return len(await fill_services(runtime.services))


UserIds = Callable[[str], str]
"""A demo driver's name -> the user id the cases are opened with."""


async def fill_services(services: Services, user_id: UserIds | None = None) -> list[Case]:
    """Create the demo accounts (if missing) and cases through the wired use cases.

    Args:
        user_id: the user id of each named driver (the sandbox signs testers in as them);
            random demo ids by default.

    Returns:
        The cases as stored at the end; the last one is signed by both drivers.
    """
    from adapters.demo_scenes import scene_jpeg
    from settlement.errors import AlreadyExists
    from settlement.services.audit import RequestOrigin

    staff = services.staff_auth
    if staff is None or services.review is None:
        raise ConfigurationError("the console is not configured in this installation")
    for username, role, jurisdiction, name in DEMO_STAFF:
        with contextlib.suppress(AlreadyExists):
            await staff.create_account(username, role, jurisdiction, DEMO_PASSWORD, name,
                                       DEMO_BADGES.get(username, ""))  # fmt: skip
    cases = []
    # One picture per seed within a run: a spec that reuses a seed uploads the very same
    # bytes, an exact copy of another case's photo (the fraud gate sends it to a reviewer).
    photo = functools.cache(scene_jpeg)
    with tempfile.TemporaryDirectory() as tmp:
        for spec in demo_specs():
            users = None
            if user_id is not None:
                users = (user_id(spec.party_a["name"]), user_id(spec.party_b["name"]))
            cases.append(await seed_case(services, spec, photo, Path(tmp), users))
    # One decided case, overruling the engine, so the dashboard has something to show.
    origin = RequestOrigin("127.0.0.1", "demo")
    session, _ = await staff.login("reviewer.ns", DEMO_PASSWORD, origin)
    declined = [
        c
        for c in cases
        if c.status.value == "police_review"
        and c.proposal
        and c.proposal.get("liability", {}).get("A") == "全部责任"
    ]
    for case in declined[1:]:
        claimed = await services.review.claim(session, case.id, case.version, origin)
        await services.review.determine(session, claimed.id, {
            "level_A": "主要责任", "level_B": "次要责任", "rule": "other",
            "basis_statute": "道交法", "basis_article": "第43条",
            "note": "前车存在突然制动情形", "reason": "结合现场照片，前车制动过急",
        }, origin)  # fmt: skip
    # One case is taken and left undecided: supervisors see who holds it and may release or
    # reassign it from the dashboard.
    first = cases[0]
    if first.status.value == "police_review" and first.claimed_by is None:
        cases[0] = await services.review.claim(session, first.id, first.version, origin)
    # The last accident is settled by the drivers themselves: both accept and sign, which
    # files a claim with each insurer.
    cases[-1] = await sign_agreement(services, cases[-1])
    return cases


async def sign_agreement(services: Services, case: Case) -> Case:
    """Both parties accept the proposal and sign it with their one-time confirmations."""
    desk = services.liability
    if desk is None:
        return case
    users = [party.user_id for party in case.parties.values()]
    for user in users:
        await desk.accept(user, case.id)
    for user in users:
        ticket = await desk.request_signature(user, case.id)
        await desk.sign(user, case.id, {
            "confirmation": ticket.confirmation, "terms_sha256": ticket.terms_sha256,
        })  # fmt: skip
    return await services.intake.get(users[0], case.id)
