"""Ports for the partners we call: insurers, the court mediation platform, WeChat.

Every method is one remote call with a deadline. Implementations translate transport
failures into the error vocabulary of :mod:`settlement.errors`, which the outbox
dispatcher uses to decide between retrying and giving up:

* retry later: :class:`~settlement.errors.UpstreamUnavailable`,
  :class:`~settlement.errors.UpstreamTimeout`, :class:`~settlement.errors.UpstreamThrottled`;
* final: :class:`~settlement.errors.UpstreamRejected` and its subclasses
  (:class:`~settlement.errors.UpstreamAuthFailed`, :class:`~settlement.errors.RecipientRefused`),
  :class:`~settlement.errors.UpstreamNotFound`.

Mutating calls carry the caller's ``request_id`` unchanged, so a repeat after a lost
answer has no second effect at the partner.
"""

from __future__ import annotations

from typing import Protocol

from settlement.domain.exchange import (
    ClaimCancellation,
    ClaimFiling,
    DisputeFiling,
    DisputeReceipt,
    DisputeReport,
    FiledClaim,
    InsurerClaimReport,
    SubscriptionMessage,
)


class InsurerGateway(Protocol):
    """Claims filed with insurers; ``filing.insurer_code`` picks the insurer."""

    async def file_claim(self, filing: ClaimFiling) -> FiledClaim:
        """File a claim. A repeat with the same ``request_id`` returns the first answer.

        Raises:
            UpstreamUnavailable, UpstreamTimeout, UpstreamThrottled: try again later.
            UpstreamRejected: the insurer refused the claim (e.g. unknown policy).
            NotFound: no insurer is configured under ``filing.insurer_code``.
        """

    async def cancel_claim(self, cancellation: ClaimCancellation) -> InsurerClaimReport:
        """Withdraw a filed claim. Idempotent on ``request_id``."""

    async def claim_status(
        self, insurer_code: str, *, claim_id: str = "", claim_number: str = ""
    ) -> InsurerClaimReport:
        """The insurer's view of a claim, looked up by its number or else by our claim id.

        Raises:
            UpstreamNotFound: the insurer has no such claim.
        """


class MediationGateway(Protocol):
    """The court mediation platform (道交纠纷"网上数据一体化处理")."""

    async def submit_dispute(self, filing: DisputeFiling) -> DisputeReceipt:
        """Submit a dispute with its case file. Idempotent on ``request_id``."""

    async def dispute_status(self, *, dispute_id: str = "", case_id: str = "") -> DisputeReport:
        """Mediation and judicial-confirmation progress of one dispute.

        Raises:
            UpstreamNotFound: the platform has no such dispute.
        """


class Notifier(Protocol):
    """WeChat subscription messages (订阅消息)."""

    async def send(self, message: SubscriptionMessage) -> None:
        """Send one subscription message.

        Raises:
            RecipientRefused: WeChat 43101 (no subscription quota left); final.
            UpstreamRejected: other final WeChat errors (bad template, bad openid).
            UpstreamUnavailable, UpstreamThrottled: -1 / 45xxx; try again later.
        """
