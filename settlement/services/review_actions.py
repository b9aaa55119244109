"""What the reviewer does: take a case, decide it (checked against the rule, previewed, then
issued), correct a damage grade, ask for retakes or refuse quick handling."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from settlement.domain.agreement import determination_content
from settlement.domain.case import Case, ReconsiderationOutcome
from settlement.domain.determination import Decision, check_decision, determination_record
from settlement.domain.evidence import PhotoSlot
from settlement.domain.jurisdiction import issuing_authority
from settlement.domain.staff import Role, StaffSession
from settlement.errors import InvalidInput, NotPermitted
from settlement.services.audit import RequestOrigin
from settlement.services.liability import assess_party_loss, region_for
from settlement.services.review_access import (
    ReviewBase,
    content_hash,
    engine_levels,
    valid_reason,
)
from settlement.services.unit_of_work import CaseChange, PendingDocument

NOTE_MAX = 1000
GRADES = ("G0", "G1", "G2", "G3", "G4")


class ReviewActions(ReviewBase):
    """The reviewer's actions; each is audited in the transaction that commits it."""

    async def claim(
        self, staff: StaffSession, case_id: str, version: int, origin: RequestOrigin
    ) -> Case:
        """Take a queued case; ``version`` is the one the reviewer saw in the queue.

        Raises:
            ConcurrentUpdate: the case changed since (for instance someone claimed it).
            PreconditionFailed: another reviewer holds it. IllegalTransition: not queued.
        """
        return await self._access.act(
            staff, case_id, origin, "case.claim", {},
            lambda case, now: case.claim_review(staff.username, now), expected_version=version,
        )  # fmt: skip

    def _decision(self, form: Mapping[str, str]) -> tuple[Decision, str, str]:
        decision = check_decision(
            form.get("rule", "")[:40], form.get("level_A", ""), form.get("level_B", ""),
            form.get("basis_statute", "")[:40], form.get("basis_article", "")[:40],
        )  # fmt: skip
        note = form.get("note", "").strip()
        if len(note) > NOTE_MAX:
            raise InvalidInput(f"The note is longer than {NOTE_MAX} characters.", field="note")
        return decision, note, valid_reason(form.get("reason", ""))

    async def preview_determination(
        self, staff: StaffSession, case_id: str, form: Mapping[str, str], origin: RequestOrigin
    ) -> tuple[Case, dict[str, Any]]:
        """Check a decision and show what the 事故认定书 will say, without issuing it.

        Raises:
            DecisionRefused: the levels do not fit the rule, or the rule is not one to apply.
            InvalidInput: a bad note or reason. PreconditionFailed: not the case's reviewer.
        """
        case = await self._visible(staff, case_id, origin, "case.determine")
        decision, note, reason = self._decision(form)
        case.require_reviewer(staff.username)
        officer = await self._officer(staff, case)
        record = determination_record(decision, note, reason, staff.username, self._clock.now(),
                                      officer)  # fmt: skip
        return case, determination_content(case, record, officer["authority"])

    async def _officer(self, staff: StaffSession, case: Case) -> dict[str, str]:
        """Who issues the document: the officer's name and badge, and the issuing unit."""
        account = await self._staff.get(staff.username) if self._staff is not None else None
        return {
            "name": (account.display_name if account else "") or staff.username,
            "badge_number": account.badge_number if account else "",
            "authority": issuing_authority(case.jurisdiction, self._authorities),
        }

    async def determine(
        self, staff: StaffSession, case_id: str, form: Mapping[str, str], origin: RequestOrigin
    ) -> Case:
        """Decide liability and issue the 事故认定书 (an HTML document with a SHA-256 hash).

        ``form`` holds ``level_A``, ``level_B``, ``rule`` (a catalogue id or ``other``),
        ``basis_statute`` and ``basis_article`` (for ``other``), ``note`` and ``reason``.

        Raises:
            DecisionRefused: levels not a valid pair (程序规定第60条) or not what the rule
                gives, a routing or unknown rule, ``other`` without a legal basis.
            InvalidInput: a bad note or reason.
        """
        decision, note, reason = self._decision(form)
        levels = dict(decision.levels)

        async def change(case: Case, now: datetime) -> CaseChange:
            officer = await self._officer(staff, case)
            record = determination_record(decision, note, reason, staff.username, now, officer)
            document: dict[str, Any]
            issued: list[PendingDocument] = []
            if self._documents is not None:
                # The PDF is stored in the transaction that records the determination.
                rendered, pdf = await self._documents.prepare_determination(
                    case, record, officer["authority"]
                )
                document, issued = {"format": "pdf", **rendered}, [pdf]
            else:
                content = determination_content(case, record, officer["authority"])
                document = {"format": "html", "number": case.id,
                            "sha256": content_hash(content), "content": content}  # fmt: skip
            determined = case.determine(staff.username, levels, decision.rule_id, note, reason,
                                        document, now, extra=record)  # fmt: skip
            return CaseChange(determined, documents=issued)

        details = {"level_A": levels["A"], "level_B": levels["B"], "rule": decision.rule_id,
                   "reason": reason}  # fmt: skip
        return await self._access.act(staff, case_id, origin, "case.determine", details, change,
                                      annotate=_overrules_engine)  # fmt: skip

    async def regrade(
        self, staff: StaffSession, case_id: str, party: str, grade: str, reason: str,
        origin: RequestOrigin,
    ) -> Case:
        """Correct the damage grade of one vehicle; its loss is priced again from it.

        Raises:
            InvalidInput: unknown party or grade, no damage location stated, bad reason.
        """
        why = valid_reason(reason)
        if grade not in GRADES or party not in ("A", "B"):
            raise InvalidInput("Choose a party and a damage grade G0–G4.", field="grade")

        def change(case: Case, now: datetime) -> Case:
            statement = case.parties[party].statement if party in case.parties else None
            if statement is None or not statement.own_vehicle.get("damage_location"):
                raise InvalidInput("This vehicle's damage location is not stated.",
                                   field="grade")  # fmt: skip
            loss = assess_party_loss(
                statement.own_vehicle, region_for(case.jurisdiction), grade  # type: ignore[arg-type]
            )
            loss["source"] = "reviewer"
            return case.correct_loss(staff.username, party, loss, why, now)

        return await self._access.act(
            staff, case_id, origin, "case.regrade",
            {"party": party, "grade": grade, "reason": why}, change,
        )  # fmt: skip

    async def request_retake(
        self, staff: StaffSession, case_id: str, reason: str, slots: Sequence[str],
        origin: RequestOrigin,
    ) -> Case:
        """Ask the parties to retake or add photos; the case goes back to collecting."""
        why = valid_reason(reason)
        known = {s.value for s in PhotoSlot}
        wanted = [s for s in slots if s in known][: len(known)]
        if not wanted:
            raise InvalidInput("Choose at least one photo to retake or add.", field="slots")
        return await self._access.act(
            staff, case_id, origin, "case.request_retake",
            {"reason": why, "slots": ",".join(wanted)},
            lambda case, now: case.request_retake(staff.username, why, wanted, now),
        )  # fmt: skip

    async def conclude_reconsideration(
        self, staff: StaffSession, case_id: str, outcome: str, reason: str,
        origin: RequestOrigin,
    ) -> Case:
        """The 复核结论 on the parties' requests: ``upheld`` keeps the determination;
        ``redetermine`` revokes it, sends the case back to the police queue and withdraws its
        claims from the insurers (in the same transaction); the new determination files
        claims with its own shares and amounts.

        The 复核 belongs to the authority above the one that decided: supervisors only.

        Raises:
            NotPermitted: not a supervisor. InvalidInput: unknown outcome or bad reason.
            PreconditionFailed: no pending request, or a claim has been paid.
            IllegalTransition: the case is in mediation or closed.
        """
        if not staff.role.includes(Role.SUPERVISOR):
            raise NotPermitted("A reconsideration is concluded by a supervisor.")
        why = valid_reason(reason)
        try:
            conclusion = ReconsiderationOutcome(outcome)
        except ValueError:
            raise InvalidInput("Choose to uphold the determination or to determine again.",
                               field="outcome") from None  # fmt: skip
        return await self._access.act(
            staff, case_id, origin, "case.reconsideration",
            {"conclusion": conclusion.value, "reason": why},
            lambda case, now: case.conclude_reconsideration(staff.username, conclusion, why, now),
        )  # fmt: skip

    async def refuse(
        self, staff: StaffSession, case_id: str, reason: str, origin: RequestOrigin
    ) -> Case:
        """Refuse quick handling; the police handle it on the scene (ON_SCENE)."""
        why = valid_reason(reason)
        return await self._access.act(
            staff, case_id, origin, "case.refuse", {"reason": why},
            lambda case, now: case.refuse_quick_handling(staff.username, why, now),
        )  # fmt: skip


def _overrules(levels: Mapping[str, str], proposal: Mapping[str, Any] | None) -> bool | None:
    """True when the reviewer decided otherwise than the engine; None without a proposal."""
    engine = engine_levels(proposal)
    if engine is None:
        return None
    return any(engine.get(label) != level for label, level in levels.items())


def _overrules_engine(before: Case, after: Case) -> Mapping[str, object]:
    levels = after.determination["levels"] if after.determination else {}
    return {"overrules_engine": _overrules(levels, before.proposal)}
