"""The police reviewer console's use cases, split by responsibility.

* :mod:`settlement.services.staff_signin` — accounts, sign-in, sessions (:class:`StaffAuth`);
* :mod:`settlement.services.review_views` — the queue, search, history, the review page,
  photos, documents and reveals;
* :mod:`settlement.services.review_actions` — claiming, deciding, regrading, retakes, refusals;
* :mod:`settlement.services.review_access` — the jurisdiction check and audited actions they
  share (supervisors' release and reassignment use it too).

:class:`ReviewConsole` is the reviewer's side as the composition root wires it.
"""

from __future__ import annotations

from settlement.services.audit import RequestOrigin
from settlement.services.review_access import (
    SLA_TARGET,
    CaseAccess,
    DeterminationIssuer,
    engine_levels,
    may_see,
    staff_event,
    valid_reason,
)
from settlement.services.review_actions import GRADES, NOTE_MAX, ReviewActions
from settlement.services.review_views import (
    REVEALABLE,
    IssuedDocument,
    QueueItem,
    ReviewView,
    ReviewViews,
    StatementRow,
    WhyItem,
    masked_details,
    referral_reasons,
    statement_rows,
)
from settlement.services.staff_signin import StaffAuth, token_digest

__all__ = [
    "GRADES",
    "NOTE_MAX",
    "REVEALABLE",
    "SLA_TARGET",
    "CaseAccess",
    "DeterminationIssuer",
    "IssuedDocument",
    "QueueItem",
    "RequestOrigin",
    "ReviewConsole",
    "ReviewView",
    "StaffAuth",
    "StatementRow",
    "WhyItem",
    "engine_levels",
    "masked_details",
    "may_see",
    "referral_reasons",
    "staff_event",
    "statement_rows",
    "token_digest",
    "valid_reason",
]


class ReviewConsole(ReviewViews, ReviewActions):
    """The police reviewer's use cases: what they see and what they do."""
