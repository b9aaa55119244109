"""Motor insurers a driver can name in the details (the 交强险 carriers most drivers hold).

Codes are the ones partners use in the exchange (``SETTLEMENT_INSURER_ENDPOINTS``); names
are the companies' registered Chinese names and their usual English names.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Insurer:
    code: str
    name_zh: str
    name_en: str


INSURERS: tuple[Insurer, ...] = (
    Insurer("PICC", "中国人民财产保险股份有限公司", "PICC Property and Casualty"),
    Insurer("PING_AN", "中国平安财产保险股份有限公司", "Ping An Property & Casualty"),
    Insurer("CPIC", "中国太平洋财产保险股份有限公司", "China Pacific Property Insurance"),
    Insurer("CHINALIFE", "中国人寿财产保险股份有限公司", "China Life Property & Casualty"),
    Insurer("CCIC", "中华联合财产保险股份有限公司", "China Continent Property & Casualty"),
    Insurer("DADI", "中国大地财产保险股份有限公司", "China Dadi Property & Casualty"),
    Insurer("SUNSHINE", "阳光财产保险股份有限公司", "Sunshine Property & Casualty"),
    Insurer("TAIPING", "太平财产保险有限公司", "Taiping General Insurance"),
    Insurer("TIANAN", "天安财产保险股份有限公司", "Tianan Property Insurance"),
    Insurer("YONGAN", "永安财产保险股份有限公司", "Yongan Property Insurance"),
)
