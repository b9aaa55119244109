"""The accident case aggregate: two parties, their details and statements, and its life cycle.

A case is one document with a ``version`` for optimistic concurrency. Every change goes
through a method here that checks the state machine, so illegal transitions are refused
in one place whatever the entry point.
"""

from __future__ import annotations

import enum
import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from settlement.domain.geo import GeoPoint
from settlement.domain.jurisdiction import jurisdiction_for
from settlement.errors import CaseNotFound, IllegalTransition, NotPermitted, PreconditionFailed


class CaseStatus(enum.StrEnum):
    """Where a case stands. The transition table below is the whole life cycle."""

    AWAITING_PARTY = "awaiting_party"  # opened; the other party has not joined yet
    COLLECTING = "collecting"  # both parties present; details and statements coming in
    STATEMENTS_COMPLETE = "statements_complete"  # both parties gave details and statement
    LIABILITY_PROPOSED = "liability_proposed"  # the engine proposed liability and payout
    AGREED = "agreed"  # both accepted and signed the agreement
    POLICE_REVIEW = "police_review"  # waiting for an online police determination
    DETERMINED = "determined"  # the police decided; the determination was issued
    ON_SCENE = "on_scene"  # refused quick handling; handled by police on the scene
    CLAIMED = "claimed"  # claims filed with the insurers
    MEDIATION = "mediation"  # dispute sent to court mediation
    CLOSED = "closed"  # paid out or otherwise finished
    WITHDRAWN = "withdrawn"  # the opener withdrew the case before it was settled


TRANSITIONS: Mapping[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.AWAITING_PARTY: frozenset({CaseStatus.COLLECTING, CaseStatus.WITHDRAWN}),
    CaseStatus.COLLECTING: frozenset(
        {
            CaseStatus.STATEMENTS_COMPLETE,
            CaseStatus.WITHDRAWN,
            CaseStatus.ON_SCENE,
            CaseStatus.POLICE_REVIEW,  # photos retaken at the reviewer's request
        }
    ),
    CaseStatus.STATEMENTS_COMPLETE: frozenset(
        {
            CaseStatus.COLLECTING,
            CaseStatus.LIABILITY_PROPOSED,
            CaseStatus.POLICE_REVIEW,
            CaseStatus.ON_SCENE,
            CaseStatus.WITHDRAWN,
        }
    ),
    CaseStatus.LIABILITY_PROPOSED: frozenset(
        {
            CaseStatus.AGREED,
            CaseStatus.POLICE_REVIEW,
            CaseStatus.ON_SCENE,
            CaseStatus.COLLECTING,
            CaseStatus.WITHDRAWN,
        }
    ),
    CaseStatus.AGREED: frozenset({CaseStatus.CLAIMED, CaseStatus.MEDIATION, CaseStatus.CLOSED}),
    CaseStatus.POLICE_REVIEW: frozenset(
        {CaseStatus.DETERMINED, CaseStatus.ON_SCENE, CaseStatus.COLLECTING}
    ),
    # A 复核 that orders a new determination sends a determined case back to the police;
    # its claims are withdrawn from the insurers.
    CaseStatus.DETERMINED: frozenset(
        {CaseStatus.CLAIMED, CaseStatus.MEDIATION, CaseStatus.CLOSED, CaseStatus.POLICE_REVIEW}
    ),
    CaseStatus.CLAIMED: frozenset(
        {CaseStatus.MEDIATION, CaseStatus.CLOSED, CaseStatus.POLICE_REVIEW}
    ),
    CaseStatus.MEDIATION: frozenset({CaseStatus.CLOSED}),
    CaseStatus.ON_SCENE: frozenset(),
    CaseStatus.CLOSED: frozenset(),
    CaseStatus.WITHDRAWN: frozenset(),
}

RECONSIDERATION_WINDOW = timedelta(days=3)
"""程序规定第七十一条: a 复核 is asked within three days of the determination being served."""


class ReconsiderationOutcome(enum.StrEnum):
    """The 复核结论 of the authority above the one that decided (程序规定, 复核): the
    determination stands, or it is revoked and the accident is determined again."""

    UPHELD = "upheld"  # 维持原道路交通事故认定
    REDETERMINE = "redetermine"  # 责令原办案单位重新调查、认定; the first one is revoked


CONCLUDED_REQUEST_STATUS = {
    ReconsiderationOutcome.UPHELD: "upheld",
    ReconsiderationOutcome.REDETERMINE: "redetermination_ordered",
}
"""What a party's 复核 request says once concluded (labelled as ``reconsideration_status``)."""

RECONSIDERABLE = frozenset({"determined", "claimed"})
"""Case statuses whose determination a 复核 can still revoke (not once in mediation or
closed: the money has been settled by other means)."""

PARTY_LABELS = ("A", "B")
"""The opener is party A, whoever joins is party B (the labels of the facts document)."""

# Before liability is proposed a party may still correct what it said.
_EDITABLE = frozenset(
    {CaseStatus.AWAITING_PARTY, CaseStatus.COLLECTING, CaseStatus.STATEMENTS_COMPLETE}
)


@dataclass(frozen=True, slots=True)
class AccidentScene:
    """What the opener reports about when and where it happened."""

    occurred_at: datetime
    address: str
    location: GeoPoint
    weather: str
    road_type: str
    description: str


@dataclass(frozen=True, slots=True)
class PartyDetails:
    """Identity, vehicle and insurance of one party (personal data: mask when shown)."""

    name: str
    id_number: str
    phone: str
    licence_number: str
    licence_class: str
    plate: str
    vehicle_type: str
    insurer_code: str
    policy_number: str


@dataclass(frozen=True, slots=True)
class Statement:
    """One party's own account, in the vocabulary of the accident facts document.

    ``own_vehicle`` holds this party's vehicle keys (manoeuvre, lane, signal_faced, …),
    ``other_vehicle`` what it says about the other vehicle, ``location`` and ``flags``
    its view of the scene. ``narrative`` is free text for the reviewer.
    """

    own_vehicle: Mapping[str, Any]
    other_vehicle: Mapping[str, Any]
    location: Mapping[str, Any]
    flags: Mapping[str, Any]
    narrative: str


@dataclass(frozen=True, slots=True)
class Party:
    label: str
    user_id: str
    joined_at: datetime
    details: PartyDetails | None = None
    statement: Statement | None = None

    @property
    def complete(self) -> bool:
        return self.details is not None and self.statement is not None


@dataclass(frozen=True, slots=True)
class Invitation:
    """A short single-use join code; only its digest is kept."""

    code_digest: str
    expires_at: datetime
    used: bool = False


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    status: CaseStatus
    scene: AccidentScene
    parties: Mapping[str, Party]
    created_at: datetime
    updated_at: datetime
    capture_nonce: str
    invitation: Invitation | None = None
    version: int = 0
    jurisdiction: str = ""
    """Police jurisdiction (administrative division code) that reviews this case."""
    proposal: Mapping[str, Any] | None = None
    """The liability engine's answer (facts, liability, rules, payout) once proposed."""
    agreement: Mapping[str, Any] | None = None
    """Acceptances and signatures of the parties, and the issued agreement's hash."""
    review: Mapping[str, Any] | None = None
    """Police review state: who claimed the case and when, requests to the parties."""
    determination: Mapping[str, Any] | None = None
    """The police determination (levels, rule, note, reviewer) and its document hash."""
    loss: Mapping[str, Any] | None = None
    """Loss assessment: the estimate and any insurer assessor's figure beside it."""
    exchange: Mapping[str, Any] = field(default_factory=dict)
    """Partner exchange state: claims per party, mediation."""

    # --- questions ---------------------------------------------------------------------

    def label_of(self, user_id: str) -> str | None:
        """The party label of ``user_id`` in this case, or None for a stranger."""
        for label, party in self.parties.items():
            if party.user_id == user_id:
                return label
        return None

    def seen_by(self, user_id: str) -> Case:
        """This case, if ``user_id`` is one of its parties.

        Raises:
            CaseNotFound: for strangers, worded like a missing case (no existence oracle).
        """
        if self.label_of(user_id) is None:
            raise CaseNotFound("No case with this id among your cases.", case_id=self.id)
        return self

    def require_party(self, user_id: str) -> str:
        label = self.label_of(user_id)
        if label is None:
            raise NotPermitted("Only the parties of a case may do this.")
        return label

    @property
    def statements_complete(self) -> bool:
        return len(self.parties) == 2 and all(p.complete for p in self.parties.values())

    def missing(self) -> list[str]:
        """What is still needed before liability can be proposed, as stable keys."""
        needed: list[str] = []
        if "B" not in self.parties:
            needed.append("party_B")
        for label in PARTY_LABELS:
            party = self.parties.get(label)
            if party is None:
                continue
            if party.details is None:
                needed.append(f"details_{label}")
            if party.statement is None:
                needed.append(f"statement_{label}")
        return needed

    # --- changes (each returns a new Case; the repository bumps the version) -----------

    def transition(self, target: CaseStatus, now: datetime) -> Case:
        if target not in TRANSITIONS[self.status]:
            raise IllegalTransition(
                f"A case that is {self.status.value} cannot become {target.value}.",
                status=self.status.value,
                target=target.value,
            )
        return replace(self, status=target, updated_at=now)

    def invite(self, code_digest: str, expires_at: datetime, now: datetime) -> Case:
        if self.status is not CaseStatus.AWAITING_PARTY:
            raise IllegalTransition(
                "The other party has already joined this case.", status=self.status.value
            )
        invitation = Invitation(code_digest=code_digest, expires_at=expires_at)
        return replace(self, invitation=invitation, updated_at=now)

    def join(self, user_id: str, now: datetime) -> Case:
        """Add ``user_id`` as party B. The caller has already checked the join code."""
        if self.label_of(user_id) is not None:
            raise PreconditionFailed(
                "You are already a party to this case; ask the other driver to join."
            )
        moved = self.transition(CaseStatus.COLLECTING, now)
        parties = dict(self.parties)
        parties["B"] = Party(label="B", user_id=user_id, joined_at=now)
        assert self.invitation is not None  # noqa: S101 - join is only reachable by a code
        used = replace(self.invitation, used=True)
        return replace(moved, parties=parties, invitation=used)

    def with_details(self, user_id: str, details: PartyDetails, now: datetime) -> Case:
        label = self.require_party(user_id)
        self._require_editable()
        party = replace(self.parties[label], details=details)
        return self._with_party(party, now)

    def with_statement(self, user_id: str, statement: Statement, now: datetime) -> Case:
        label = self.require_party(user_id)
        self._require_editable()
        party = replace(self.parties[label], statement=statement)
        return self._with_party(party, now)

    def withdraw(self, user_id: str, now: datetime) -> Case:
        if self.require_party(user_id) != "A":
            raise NotPermitted("Only the driver who opened the case can withdraw it.")
        return self.transition(CaseStatus.WITHDRAWN, now)

    # --- liability proposal and the signed agreement (自行协商协议书) --------------------

    def propose(self, proposal: Mapping[str, Any], target: CaseStatus, now: datetime) -> Case:
        """Record the engine's proposal and move to where it sends the case.

        ``target`` is LIABILITY_PROPOSED (self-negotiation), POLICE_REVIEW (disputed or
        主次, 程序规定第20条) or ON_SCENE (refused by the eligibility gate).
        """
        if self.status is not CaseStatus.STATEMENTS_COMPLETE:
            raise IllegalTransition(
                f"Liability can only be proposed once both statements are in; the case "
                f"is {self.status.value}.",
                status=self.status.value,
            )
        moved = self.transition(target, now)
        return replace(moved, proposal=dict(proposal), agreement={})

    def accept(self, user_id: str, now: datetime) -> Case:
        """The party accepts the proposed liability and payout (not yet a signature)."""
        label = self.require_party(user_id)
        self._require_proposed()
        agreement = dict(self.agreement or {})
        accepted = dict(agreement.get("accepted") or {})
        accepted.setdefault(label, now)
        agreement["accepted"] = accepted
        return replace(self, agreement=agreement, updated_at=now)

    def request_signature(
        self,
        user_id: str,
        confirmation_digest: str,
        terms_sha256: str,
        expires_at: datetime,
        now: datetime,
    ) -> Case:
        """Issue the party a one-time signing confirmation (only its digest is kept).

        A new request replaces the party's earlier one, so at most one is ever valid.
        """
        label = self.require_party(user_id)
        self._require_proposed()
        agreement = dict(self.agreement or {})
        if label not in (agreement.get("accepted") or {}):
            raise PreconditionFailed("Accept the proposal before asking to sign it.")
        if label in (agreement.get("signatures") or {}):
            raise PreconditionFailed("You have already signed this agreement.")
        requests = dict(agreement.get("signature_requests") or {})
        requests[label] = {
            "digest": confirmation_digest,
            "terms_sha256": terms_sha256,
            "expires_at": expires_at,
        }
        agreement["signature_requests"] = requests
        return replace(self, agreement=agreement, updated_at=now)

    def sign(
        self, user_id: str, confirmation_digest: str, terms_sha256: str, now: datetime
    ) -> Case:
        """Sign with a one-time confirmation; the second signature makes the case AGREED.

        The confirmation is consumed, so it cannot be replayed; it must be unexpired and
        issued for exactly these terms (``terms_sha256``), which must still be current.

        Raises:
            PreconditionFailed: no valid confirmation (unknown, wrong, expired, replayed, or
                issued for other terms). The case is left unchanged.
        """
        label = self.require_party(user_id)
        self._require_proposed()
        agreement = dict(self.agreement or {})
        request = (agreement.get("signature_requests") or {}).get(label)
        current = (self.proposal or {}).get("terms_sha256")
        valid = (
            isinstance(request, Mapping)
            and hmac.compare_digest(str(request.get("digest", "")), confirmation_digest)
            and isinstance(request.get("expires_at"), datetime)
            and now < request["expires_at"]
            and request.get("terms_sha256") == terms_sha256 == current
        )
        if not valid:
            raise PreconditionFailed(
                "This signing confirmation is not valid: it may be mistyped, expired, already "
                "used or issued for other terms. Ask for a new one.",
                reason="signature_confirmation_invalid",
            )
        requests = {k: v for k, v in agreement["signature_requests"].items() if k != label}
        signatures = dict(agreement.get("signatures") or {})
        signatures[label] = {"user_id": user_id, "signed_at": now, "terms_sha256": terms_sha256}
        agreement.update(signature_requests=requests, signatures=signatures)
        case = replace(self, agreement=agreement, updated_at=now)
        if all(lb in signatures for lb in self.parties) and len(self.parties) == 2:
            return case.transition(CaseStatus.AGREED, now)
        return case

    def with_agreement_document(self, document: Mapping[str, Any], now: datetime) -> Case:
        """Attach the issued 自行协商协议书 (its hashes, not its bytes) to an agreed case."""
        if self.status is not CaseStatus.AGREED:
            raise IllegalTransition(
                "Only an agreed case has an agreement document.", status=self.status.value
            )
        agreement = {**(self.agreement or {}), "document": dict(document)}
        return replace(self, agreement=agreement, updated_at=now)

    def decline(self, user_id: str, reason: str, now: datetime) -> Case:
        """A party rejects the proposal: the police decide online (程序规定第20条)."""
        label = self.require_party(user_id)
        self._require_proposed()
        moved = self.transition(CaseStatus.POLICE_REVIEW, now)
        agreement = {
            **(self.agreement or {}),
            "signature_requests": {},
            "declined": {"by": label, "at": now, "reason": reason},
        }
        return replace(moved, agreement=agreement)

    def refer_to_police(self, referral: Mapping[str, Any], now: datetime) -> Case:
        """Send a proposed case to the police instead of letting the parties sign it.

        Used when evidence found after the proposal (a photo copied from another case)
        rules out self-negotiation; ``referral`` says why and is kept with the proposal.
        Pending signing confirmations are withdrawn.
        """
        self._require_proposed()
        moved = self.transition(CaseStatus.POLICE_REVIEW, now)
        agreement = {**(self.agreement or {}), "signature_requests": {}}
        proposal = {**(self.proposal or {}), "referral": dict(referral)}
        return replace(moved, agreement=agreement, proposal=proposal)

    def _require_proposed(self) -> None:
        if self.status is not CaseStatus.LIABILITY_PROPOSED:
            raise IllegalTransition(
                f"A case that is {self.status.value} has no open liability proposal.",
                status=self.status.value,
            )

    # --- police review (the reviewer console) -------------------------------------------

    @property
    def queued_at(self) -> datetime:
        """When the case entered the police queue (its SLA clock starts there)."""
        review = self.review or {}
        queued = review.get("queued_at")
        return queued if isinstance(queued, datetime) else self.updated_at

    @property
    def claimed_by(self) -> str | None:
        claimed = (self.review or {}).get("claimed_by")
        return claimed if isinstance(claimed, str) and claimed else None

    def claim_review(self, reviewer: str, now: datetime) -> Case:
        """Take a queued case so that no other reviewer works on it at the same time.

        The repository's version check makes the claim atomic: of two reviewers who read
        the same version, only the first save wins.
        """
        self._require_police_review()
        holder = self.claimed_by
        if holder is not None and holder != reviewer:
            raise PreconditionFailed("Another reviewer has already taken this case.")
        review = {
            **(self.review or {}),
            "queued_at": self.queued_at,
            "claimed_by": reviewer,
            "claimed_at": (self.review or {}).get("claimed_at") if holder else now,
        }
        return replace(self, review=review, updated_at=now)

    def release_review(self, by: str, reason: str, now: datetime) -> Case:
        """A supervisor takes a case back from its reviewer: it waits in the queue again,
        keeping its place (the SLA clock is not restarted)."""
        return self._reassign(by, None, reason, now)

    def reassign_review(self, by: str, to: str, reason: str, now: datetime) -> Case:
        """A supervisor hands a claimed or waiting case to another reviewer."""
        return self._reassign(by, to, reason, now)

    def _reassign(self, by: str, to: str | None, reason: str, now: datetime) -> Case:
        self._require_police_review()
        holder = self.claimed_by
        if to is None and holder is None:
            raise PreconditionFailed("Nobody holds this case; there is nothing to release.")
        if to is not None and to == holder:
            raise PreconditionFailed("This reviewer already holds the case.")
        review = dict(self.review or {})
        history = list(review.get("assignments") or [])
        history.append({"action": "reassign" if to else "release", "by": by, "from": holder,
                        "to": to, "at": now, "reason": reason})  # fmt: skip
        review.update(queued_at=self.queued_at, claimed_by=to, claimed_at=now if to else None,
                      assignments=history)  # fmt: skip
        return replace(self, review=review, updated_at=now)

    def determine(
        self,
        reviewer: str,
        levels: Mapping[str, str],
        rule: str,
        note: str,
        reason: str,
        document: Mapping[str, Any],
        now: datetime,
        extra: Mapping[str, Any] | None = None,
    ) -> Case:
        """Record the police determination (事故认定) and close the review.

        ``extra`` keeps what the document printed besides the levels (the rule's title,
        text and legal basis, the officer).
        """
        self._require_claimed_by(reviewer)
        moved = self.transition(CaseStatus.DETERMINED, now)
        determination = {
            **(extra or {}),
            "levels": dict(levels),
            "rule": rule,
            "note": note,
            "reason": reason,
            "reviewer": reviewer,
            "decided_at": now,
            "document": dict(document),
        }
        review = {**(self.review or {}), "decided_at": now, "outcome": "determined"}
        return replace(moved, determination=determination, review=review)

    def request_reconsideration(self, user_id: str, reason: str, now: datetime) -> Case:
        """A party asks for a 复核 of the police determination.

        程序规定第七十一条: within three days of the determination being served (here: issued
        to both parties in the app, so served when decided), with a reason; the 复核 of one
        accident is heard once, so each party may ask once and a second request is refused.

        Raises:
            IllegalTransition: the case has no determination.
            PreconditionFailed: past the window, this party has already asked, or the 复核
                has been concluded.
        """
        label = self.require_party(user_id)
        determination = self.determination
        decided_at = (determination or {}).get("decided_at")
        if determination is None or not isinstance(decided_at, datetime):
            raise IllegalTransition(
                "Only a police determination can be reconsidered.", status=self.status.value
            )
        deadline = decided_at + RECONSIDERATION_WINDOW
        if now > deadline:
            raise PreconditionFailed(
                "The three days for asking a reconsideration (复核) have passed.",
                reason="reconsideration_window_closed",
                deadline=deadline.isoformat(),
            )
        if self.revoked_determinations or determination.get("reconsideration"):
            # Revoked or upheld, the conclusion has been given (an upheld determination
            # carries it): the other party cannot open a second 复核 afterwards.
            raise PreconditionFailed(
                "This accident's reconsideration (复核) has been heard; it is heard only once.",
                reason="reconsideration_already_heard",
            )
        requests = dict(determination.get("reconsideration_requests") or {})
        if label in requests:
            raise PreconditionFailed(
                "You have already asked for a reconsideration (复核) of this determination.",
                reason="reconsideration_already_requested",
            )
        requests[label] = {"at": now, "reason": reason, "status": "pending"}
        changed = {**determination, "reconsideration_requests": requests}
        return replace(self, determination=changed, updated_at=now)

    @property
    def revoked_determinations(self) -> list[Mapping[str, Any]]:
        """Determinations a 复核 revoked, oldest first (each with who revoked it and why)."""
        revoked = (self.review or {}).get("revoked_determinations") or []
        return [r for r in revoked if isinstance(r, Mapping)]

    @property
    def decision_round(self) -> int:
        """1 for the first decision that settles the case, 2 after a 复核 revoked it, …"""
        return 1 + len(self.revoked_determinations)

    def conclude_reconsideration(
        self, by: str, outcome: ReconsiderationOutcome, reason: str, now: datetime
    ) -> Case:
        """Record the 复核结论 on the parties' pending requests.

        UPHELD keeps the determination. REDETERMINE revokes it (kept, with who revoked it
        and why, under ``review.revoked_determinations``) and sends the case back to the
        police queue for a new determination; the claims filed on the revoked one are
        withdrawn by the caller in the same transaction.

        Raises:
            IllegalTransition: no determination, or the case is in mediation or closed.
            PreconditionFailed: no party asked for a 复核, or it has been concluded.
        """
        determination = self.determination
        if not determination or self.status.value not in RECONSIDERABLE:
            raise IllegalTransition(
                f"A case that is {self.status.value} has no determination a reconsideration "
                "can still change.",
                status=self.status.value,
            )
        requests = dict(determination.get("reconsideration_requests") or {})
        pending = [k for k, r in requests.items() if r.get("status", "pending") == "pending"]
        if not pending:
            raise PreconditionFailed(
                "No party has a pending reconsideration (复核) request on this case.",
                reason="no_pending_reconsideration",
            )
        status = CONCLUDED_REQUEST_STATUS[outcome]
        for label in pending:
            requests[label] = {**requests[label], "status": status, "concluded_at": now}
        conclusion = {"outcome": outcome.value, "by": by, "at": now, "reason": reason}
        concluded = {**determination, "reconsideration_requests": requests,
                     "reconsideration": conclusion}  # fmt: skip
        if outcome is ReconsiderationOutcome.UPHELD:
            return replace(self, determination=concluded, updated_at=now)
        moved = self.transition(CaseStatus.POLICE_REVIEW, now)
        review = dict(self.review or {})
        revoked = [*self.revoked_determinations, {**concluded, "revoked_at": now,
                                                  "revoked_by": by, "revoked_reason": reason}]
        review.update(revoked_determinations=revoked, queued_at=now, claimed_by=None,
                      claimed_at=None, decided_at=None, outcome=None)  # fmt: skip
        return replace(moved, determination=None, review=review)

    @property
    def reconsideration_pending(self) -> bool:
        """A party asked for a 复核 of the current determination and it is not concluded."""
        requests = (self.determination or {}).get("reconsideration_requests") or {}
        return any(isinstance(r, Mapping) and r.get("status", "pending") == "pending"
                   for r in requests.values())  # fmt: skip

    def check_payable(self) -> None:
        """Money may leave on this case's decision.

        A determination under 复核 may be revoked (程序规定第七十一条): a claim paid on it
        would leave money on a decision that no longer stands, so payment waits for the
        conclusion (a few days at most).

        Raises:
            PreconditionFailed: a 复核 of the determination is pending.
        """
        if self.reconsideration_pending:
            raise PreconditionFailed(
                "A party has asked for a reconsideration (复核) of the police determination; "
                "pay after the conclusion, which the claim's case will show.",
                reason="reconsideration_pending",
            )

    @property
    def reconsideration_deadline(self) -> datetime | None:
        """Until when a party may ask for a 复核 (程序规定第七十一条), or None."""
        decided_at = (self.determination or {}).get("decided_at")
        return decided_at + RECONSIDERATION_WINDOW if isinstance(decided_at, datetime) else None

    def correct_loss(
        self, reviewer: str, label: str, loss: Mapping[str, Any], reason: str, now: datetime
    ) -> Case:
        """The reviewer's correction of one vehicle's loss (the damage grade seen on the
        photos); it replaces the engine's estimate that claims are filed with."""
        self._require_claimed_by(reviewer)
        if label not in self.parties:
            raise PreconditionFailed("No such party in this case.")
        proposal = dict(self.proposal or {})
        losses = dict(proposal.get("loss") or {})
        losses[label] = {**loss, "corrected": {"by": reviewer, "at": now, "reason": reason}}
        proposal["loss"] = losses
        return replace(self, proposal=proposal, updated_at=now)

    def request_retake(
        self, reviewer: str, reason: str, slots: Sequence[str], now: datetime
    ) -> Case:
        """Send the case back to the parties to retake or add photos (the reason is recorded)."""
        self._require_claimed_by(reviewer)
        moved = self.transition(CaseStatus.COLLECTING, now)
        review = dict(self.review or {})
        requests = list(review.get("requests") or [])
        requests.append({"by": reviewer, "at": now, "reason": reason, "slots": list(slots)})
        review.update(requests=requests, claimed_by=None, claimed_at=None, queued_at=None)
        return replace(moved, review=review)

    def return_to_police(self, user_id: str, now: datetime) -> Case:
        """A party sends a case the reviewer asked photos for back to the police queue.

        Raises:
            IllegalTransition: the police did not send this case back for photos.
            PreconditionFailed: a statement is missing (a party corrected it meanwhile).
        """
        label = self.require_party(user_id)
        review = dict(self.review or {})
        if self.status is not CaseStatus.COLLECTING or not review.get("requests"):
            raise IllegalTransition(
                "Only a case the police sent back for photos can be returned to them.",
                status=self.status.value,
            )
        if not self.statements_complete:
            raise PreconditionFailed("Both parties' details and statements are needed first.")
        moved = self.transition(CaseStatus.POLICE_REVIEW, now)
        review.update(queued_at=now, returned={"by": label, "at": now})
        return replace(moved, review=review)

    def refuse_quick_handling(self, reviewer: str, reason: str, now: datetime) -> Case:
        """Refuse online handling: the police handle the accident on the scene."""
        self._require_claimed_by(reviewer)
        moved = self.transition(CaseStatus.ON_SCENE, now)
        review = {
            **(self.review or {}),
            "decided_at": now,
            "outcome": "refused",
            "refusal": {"by": reviewer, "at": now, "reason": reason},
        }
        return replace(moved, review=review)

    def _require_police_review(self) -> None:
        if self.status is not CaseStatus.POLICE_REVIEW:
            raise IllegalTransition(
                f"A case that is {self.status.value} is not waiting for a police review.",
                status=self.status.value,
            )

    def require_reviewer(self, reviewer: str) -> None:
        """Raise unless the case waits for police review and ``reviewer`` holds it."""
        self._require_claimed_by(reviewer)

    def _require_claimed_by(self, reviewer: str) -> None:
        self._require_police_review()
        if self.claimed_by != reviewer:
            raise PreconditionFailed("Take the case first; only its reviewer may decide it.")

    def _require_editable(self) -> None:
        if self.status not in _EDITABLE:
            raise IllegalTransition(
                f"Details and statements are fixed once a case is {self.status.value}.",
                status=self.status.value,
            )

    def _with_party(self, party: Party, now: datetime) -> Case:
        parties = dict(self.parties)
        parties[party.label] = party
        case = replace(self, parties=parties, updated_at=now)
        if case.status is CaseStatus.COLLECTING and case.statements_complete:
            return case.transition(CaseStatus.STATEMENTS_COMPLETE, now)
        if case.status is CaseStatus.STATEMENTS_COMPLETE and not case.statements_complete:
            return case.transition(CaseStatus.COLLECTING, now)
        return case


_PLATE = re.compile(r"[\u4e00-\u9fa5][A-Z][A-HJ-NP-Z0-9]{4}[A-HJ-NP-Z0-9挂学警港澳]{1,2}")


def is_plate(value: str) -> bool:
    """A mainland plate: province character, issuing letter, then 5 (or 6, new-energy)."""
    return _PLATE.fullmatch(value) is not None


def open_case(
    *, case_id: str, opener_id: str, scene: AccidentScene, capture_nonce: str, now: datetime
) -> Case:
    """A new case with the opener as party A, waiting for the other party."""
    opener = Party(label="A", user_id=opener_id, joined_at=now)
    return Case(
        jurisdiction=jurisdiction_for(scene.location.latitude, scene.location.longitude),
        id=case_id,
        status=CaseStatus.AWAITING_PARTY,
        scene=scene,
        parties={"A": opener},
        created_at=now,
        updated_at=now,
        capture_nonce=capture_nonce,
    )
