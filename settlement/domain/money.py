"""Money as an exact value: Chinese yuan held as :class:`~decimal.Decimal`, rounded to the fen.

Every amount the domain computes (loss estimates, insurance payments) is a :class:`Money`, so a
float never enters a payout. Arithmetic keeps the currency and rounds half-up to 0.01 yuan (the
fen), the rounding insurers and courts print on Chinese settlement documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

FEN = Decimal("0.01")
_ONE = Decimal(1)  # compared as a Decimal: comparing with an int converts it on every call


def _to_fen(amount: Decimal) -> Decimal:
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True, order=True, init=False)
class Money:
    """An amount of CNY, always rounded to the fen.

    Construct with :meth:`of` (accepts ``int``, ``str`` or ``Decimal``; never ``float``).
    Instances compare and order by amount; adding or subtracting keeps the fen precision;
    multiplying by a ``Decimal`` ratio rounds the product half-up to the fen.
    """

    amount: Decimal
    currency: Literal["CNY"] = "CNY"

    def __init__(self, amount: Decimal, currency: Literal["CNY"] = "CNY") -> None:
        if not amount.is_finite():
            raise ValueError("money must be a finite amount")
        # Normalise once here so every instance holds exactly two decimal places (written
        # by hand rather than generated: payouts build many amounts).
        object.__setattr__(self, "amount", _to_fen(amount))
        object.__setattr__(self, "currency", currency)

    @classmethod
    def of(cls, value: int | str | Decimal) -> Money:
        """Money from an ``int``, a decimal string or a ``Decimal`` (floats are refused).

        Raises:
            TypeError: ``value`` is a float or a bool (their binary rounding would leak in).
        """
        if isinstance(value, bool | float):
            raise TypeError("use int, str or Decimal for money, not float or bool")
        return cls(Decimal(value))

    @classmethod
    def zero(cls) -> Money:
        """0.00 CNY (one shared instance: Money is immutable, and payouts ask for it often)."""
        return _ZERO

    @classmethod
    def exact(cls, amount: Decimal) -> Money:
        """Money for an amount already exact to the fen: a sum or difference of Money amounts.

        Skips re-rounding (payouts add many lines, and quantize dominated their cost); any
        other amount goes through ``Money(...)`` or :meth:`of`.
        """
        money = object.__new__(cls)
        object.__setattr__(money, "amount", amount)
        object.__setattr__(money, "currency", "CNY")
        return money

    def __add__(self, other: Money) -> Money:
        return Money.exact(self.amount + other.amount)

    def __sub__(self, other: Money) -> Money:
        return Money.exact(self.amount - other.amount)

    def times(self, ratio: Decimal) -> Money:
        """This amount multiplied by ``ratio``, rounded half-up to the fen."""
        if ratio == _ONE:
            return self  # 全部责任: the product is this amount, already exact to the fen
        return Money(self.amount * ratio)

    def share(self, numerator: Decimal, denominator: Decimal) -> Money:
        """``self × numerator ÷ denominator``, rounded once at the end (no double rounding)."""
        return Money(self.amount * numerator / denominator)

    def at_most(self, cap: Money) -> Money:
        """The smaller of this amount and ``cap``."""
        return self if self.amount <= cap.amount else cap

    def at_least_zero(self) -> Money:
        """This amount, or zero if it is negative."""
        return self if self.amount > 0 else Money.zero()

    @property
    def is_zero(self) -> bool:
        """True for 0.00."""
        return self.amount == 0

    def to_json(self) -> int | float:
        """A JSON number: an ``int`` for whole yuan, else a float of at most two decimals."""
        if self.amount == self.amount.to_integral_value():
            return int(self.amount)
        return float(self.amount)

    def __str__(self) -> str:
        return f"¥{self.amount:,.2f}"


_ZERO = Money(Decimal(0))


def total(amounts: list[Money] | tuple[Money, ...]) -> Money:
    """Sum of ``amounts`` (0.00 for none)."""
    # Sum the Decimals and wrap once: the same additions in the same order as chaining
    # ``+``, without a Money per partial sum.
    result = _ZERO.amount
    for money in amounts:
        result += money.amount
    return Money.exact(result)
