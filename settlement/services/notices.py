"""Drivers' WeChat notices at each milestone of their case, through the outbox.

The case feed hands every changed case to :meth:`MilestoneNotices.on_change`; the notices
the case owes (:func:`settlement.domain.notices.due_notices`) are queued with their stable
key as request id, so each is queued once however often the case is read. WeChat sends a
message only if the driver accepted the template on a tap (otherwise 43101, final).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

from settlement.domain.case import Case
from settlement.domain.exchange import NewOutboxMessage, SubscriptionMessage
from settlement.domain.notices import DueNotice, Milestone, due_notices
from settlement.errors import AlreadyExists
from settlement.ports.claims import RecipientDirectory
from settlement.ports.identity import Clock
from settlement.ports.outbox import Outbox
from settlement.services.dispatcher import KIND_WECHAT_MESSAGE

log = logging.getLogger(__name__)

CASE_PAGE = "pages/follow/follow"


class MilestoneNotices:
    """Args:
    templates: subscription template id per milestone; a milestone without one is silent.
    miniprogram_state: ``developer``, ``trial`` or ``formal`` (where the message links).
    """

    def __init__(
        self,
        *,
        outbox: Outbox,
        recipients: RecipientDirectory,
        clock: Clock,
        templates: Mapping[Milestone, str],
        miniprogram_state: str = "formal",
    ) -> None:
        self._outbox = outbox
        self._recipients = recipients
        self._clock = clock
        self._templates = {m: t for m, t in templates.items() if t}
        self._state = miniprogram_state

    @property
    def templates(self) -> Mapping[Milestone, str]:
        return self._templates

    async def on_change(self, case: Case) -> int:
        """Queue the notices ``case`` owes and has not been queued before; how many."""
        queued = 0
        for notice in due_notices(case):
            template = self._templates.get(notice.milestone)
            party = case.parties.get(notice.party)
            if not template or party is None:
                continue
            openid = await self._recipients.openid_for(party.user_id)
            if not openid:
                continue
            message = SubscriptionMessage(
                request_id=notice.key,
                openid=openid,
                template_id=template,
                page=f"{CASE_PAGE}?id={case.id}",
                data=_data(case, notice, self._clock.now()),
                miniprogram_state=self._state,
            )
            try:
                await self._outbox.enqueue(
                    NewOutboxMessage(
                        kind=KIND_WECHAT_MESSAGE,
                        key=case.id,
                        payload=message.to_payload(),
                        request_id=notice.key,
                    )
                )
            except AlreadyExists:
                continue
            queued += 1
        return queued


def _data(case: Case, notice: DueNotice, now: datetime) -> dict[str, str]:
    # Template keywords: what happened, which case, when (no personal data in a notice).
    return {
        "thing1": notice.title,
        "character_string2": case.id,
        "time3": now.strftime("%Y-%m-%d %H:%M"),
    }
