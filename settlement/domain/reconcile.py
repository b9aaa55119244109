"""Merge the two drivers' own statements into one facts document, and list what they dispute.

Each driver describes the accident from the phone. A *statement* is a JSON object:

.. code-block:: json

    {
      "party": "A",
      "vehicle":       { "...": "this driver's own vehicle, in the facts vocabulary" },
      "other_vehicle": { "manoeuvre": "...", "signal_faced": "...", "lane": "...",
                         "indicator": "...", "damage_location": "...", "position": "...",
                         "approach_from": "...", "load_shed": true },
      "location":      { "...": "the place, in the facts vocabulary" },
      "flags":         { "...": "scene flags, in the facts vocabulary" }
    }

Only ``party`` and ``vehicle`` are required. ``other_vehicle`` is this driver's view of the
other car and is read only for :data:`VIEWABLE_FIELDS` (a driver cannot vouch for the other's
licence or insurance). All values are validated with the facts parser, and an error names the
field as ``statements.<party>.<section>.<key>``.

Merging (:func:`reconcile`):
    * a vehicle's facts come from its own driver; where the other driver's view differs, that
      is a conflict and the owner's value stays (a signal the owner calls green becomes
      ``claimed_green``: stated, not established). A fact only the other driver states is
      adopted and listed as uncorroborated;
    * location keys both state and disagree on are dropped (not stated) and listed;
    * scene flags: a ``true`` from either driver wins, because injuries or damage to public
      property must never be reasoned away; a disagreement is still listed;
    * damage locations are checked against the manoeuvres (§2.5, 条例第86条, 程序规定第21条);
    * any conflict or misfit sets ``flags.dispute_on_facts``, so the engine routes the case to
      online police determination instead of guessing (程序规定第20条).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from settlement.domain.facts import (
    PartyLabel,
    other_party,
    parse_facts,
    parse_flags,
    parse_location,
    parse_vehicle,
)
from settlement.domain.rules.evaluate import Misfit, collision_part_misfits
from settlement.errors import InvalidInput

VIEWABLE_FIELDS: tuple[str, ...] = (
    "manoeuvre",
    "signal_faced",
    "lane",
    "indicator",
    "damage_location",
    "position",
    "approach_from",
    "load_shed",
)


@dataclass(frozen=True, slots=True)
class Conflict:
    """One fact the two drivers state differently (``None``: that driver did not say)."""

    field: str
    a_said: object
    b_said: object


@dataclass(frozen=True, slots=True)
class Uncorroborated:
    """A fact taken from one driver only, about the other driver's vehicle."""

    field: str
    stated_by: PartyLabel


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """The merged document and what the drivers disagree on.

    Attributes:
        document: a facts document (plain JSON-shaped dict) ready for ``parse_facts``.
        conflicts: every field stated differently by A and B.
        misfits: damage locations that do not fit the manoeuvres stated.
        uncorroborated: facts adopted from one side only.
        disputed: ``document["flags"]["dispute_on_facts"]``.
    """

    document: dict[str, Any]
    conflicts: tuple[Conflict, ...]
    misfits: tuple[Misfit, ...]
    uncorroborated: tuple[Uncorroborated, ...]
    disputed: bool


def _section(statement: Mapping[str, object], key: str, prefix: str) -> dict[str, Any]:
    value = statement.get(key, {})
    if not isinstance(value, Mapping):
        raise InvalidInput(f"{prefix}.{key}: must be an object", field=f"{prefix}.{key}")
    return dict(cast(Mapping[str, Any], value))


def _validated(statement: object, label: PartyLabel) -> dict[str, dict[str, Any]]:
    prefix = f"statements.{label}"
    if not isinstance(statement, Mapping):
        raise InvalidInput(f"{prefix}: must be an object", field=prefix)
    stmt = cast(Mapping[str, object], statement)
    if stmt.get("party") != label:
        raise InvalidInput(f"{prefix}.party: must be {label!r}", field=f"{prefix}.party")
    if "vehicle" not in stmt:
        raise InvalidInput(f"{prefix}.vehicle: is required", field=f"{prefix}.vehicle")
    sections = {key: _section(stmt, key, prefix)
                for key in ("vehicle", "other_vehicle", "location", "flags")}
    parse_vehicle(sections["vehicle"], label, f"{prefix}.vehicle")
    view = {k: v for k, v in sections["other_vehicle"].items() if k in VIEWABLE_FIELDS}
    parse_vehicle(view, other_party(label), f"{prefix}.other_vehicle")
    sections["other_vehicle"] = view
    parse_location(sections["location"], f"{prefix}.location")
    parse_flags(sections["flags"], f"{prefix}.flags")
    return sections


def reconcile(statement_a: object, statement_b: object) -> Reconciliation:
    """Merge A's and B's statements into one facts document.

    Args:
        statement_a: driver A's statement (decoded JSON), ``party`` must be ``"A"``.
        statement_b: driver B's statement, ``party`` must be ``"B"``.

    Returns:
        The merged document with every conflict, misfit and one-sided fact listed.

    Raises:
        InvalidInput: a statement is malformed; ``details["field"]`` names the field.
    """
    stmts = {"A": _validated(statement_a, "A"), "B": _validated(statement_b, "B")}
    conflicts: list[Conflict] = []
    uncorroborated: list[Uncorroborated] = []

    vehicles: dict[str, dict[str, Any]] = {}
    for owner in ("A", "B"):
        witness = other_party(owner)
        merged = dict(stmts[owner]["vehicle"])
        view = stmts[witness]["other_vehicle"]
        for key in VIEWABLE_FIELDS:
            own, seen = merged.get(key), view.get(key)
            if seen is None:
                continue
            field = f"vehicles.{owner}.{key}"
            if own is None:
                merged[key] = seen
                uncorroborated.append(Uncorroborated(field, witness))
            elif own != seen:
                a_said, b_said = (own, seen) if owner == "A" else (seen, own)
                conflicts.append(Conflict(field, a_said, b_said))
                if key == "signal_faced" and own == "green":
                    merged[key] = "claimed_green"
        vehicles[owner] = merged

    location: dict[str, Any] = {}
    loc_a, loc_b = stmts["A"]["location"], stmts["B"]["location"]
    for key in sorted(set(loc_a) | set(loc_b)):
        a_val, b_val = loc_a.get(key), loc_b.get(key)
        if a_val is not None and b_val is not None and a_val != b_val:
            conflicts.append(Conflict(f"location.{key}", a_val, b_val))
            continue  # never pick a side: the key stays unstated
        location[key] = a_val if a_val is not None else b_val

    flags: dict[str, Any] = {}
    flags_a, flags_b = stmts["A"]["flags"], stmts["B"]["flags"]
    for key in sorted(set(flags_a) | set(flags_b)):
        a_val, b_val = flags_a.get(key), flags_b.get(key)
        if a_val is not None and b_val is not None and a_val != b_val:
            conflicts.append(Conflict(f"flags.{key}", a_val, b_val))
        flags[key] = True if True in (a_val, b_val) else (a_val if a_val is not None else b_val)

    document: dict[str, Any] = {"location": location, "flags": flags, "vehicles": vehicles}
    misfits = collision_part_misfits(parse_facts(document))
    disputed = bool(flags.get("dispute_on_facts")) or bool(conflicts) or bool(misfits)
    flags["dispute_on_facts"] = disputed
    return Reconciliation(document, tuple(conflicts), misfits, tuple(uncorroborated), disputed)
