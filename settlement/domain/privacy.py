"""Masking of personal data where the reader does not need it (PIPL data minimisation)."""

from __future__ import annotations


def mask_middle(value: str, keep_start: int, keep_end: int, fill: str = "*") -> str:
    """Keep the first ``keep_start`` and last ``keep_end`` characters, mask the rest."""
    if len(value) <= keep_start + keep_end:
        return fill * len(value)
    hidden = len(value) - keep_start - keep_end
    return value[:keep_start] + fill * hidden + value[len(value) - keep_end :]


def mask_id_number(value: str) -> str:
    """Resident ID numbers show region prefix and check digits only: 110101********123X."""
    return mask_middle(value, 6, 4)


def mask_phone(value: str) -> str:
    """Mobile numbers keep the carrier prefix and last four digits: 138****5678."""
    return mask_middle(value, 3, 4)


def mask_name(value: str) -> str:
    """Chinese names keep the family name: 张*, 欧阳**."""
    if not value:
        return value
    return value[0] + "*" * (len(value) - 1)


def mask_plate(value: str) -> str:
    """Plates keep the province and issuing letter and the last two characters: 粤B***34."""
    return mask_middle(value, 2, 2)


def mask_document_number(value: str) -> str:
    """Licence and policy numbers keep the last four characters."""
    return mask_middle(value, 0, 4)
