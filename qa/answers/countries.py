"""Country names as one key per country ("UK", "Britain" and "United Kingdom" are GBR), so a list
answer names each country once. Names come from pycountry, in reading order, with the short
forms news writes that pycountry lacks."""

from __future__ import annotations

import re
from functools import lru_cache

ALIASES = {
    "GBR": ["UK", "U.K.", "Britain", "Great Britain", "United Kingdom"],
    # The UK's nations play as countries in sport and are listed apart.
    "ENG": ["England"], "SCT": ["Scotland"], "WLS": ["Wales"], "NIR": ["Northern Ireland"],
    "USA": ["US", "U.S.", "USA", "U.S.A.", "America", "United States", "United States of America"],
    "RUS": ["Russia"], "KOR": ["South Korea", "Korea"], "PRK": ["North Korea"], "IRN": ["Iran"], "SYR": ["Syria"],
    "VNM": ["Vietnam"], "LAO": ["Laos"], "BOL": ["Bolivia"], "VEN": ["Venezuela"], "TZA": ["Tanzania"],
    "MDA": ["Moldova"], "CZE": ["Czech Republic", "Czechia"], "TWN": ["Taiwan"], "PSE": ["Palestine"],
    "VAT": ["Vatican"], "CIV": ["Ivory Coast"], "TUR": ["Turkey", "Türkiye"], "COD": ["DRC", "Congo"],
    "NLD": ["Netherlands", "Holland"], "ARE": ["UAE", "United Arab Emirates"], "BRN": ["Brunei"],
    "FSM": ["Micronesia"], "CPV": ["Cape Verde"], "SWZ": ["Swaziland", "Eswatini"],
    "MMR": ["Myanmar", "Burma"],
}


@lru_cache(maxsize=1)
def country_keys() -> dict[str, str]:
    """Country name as written -> ISO alpha-3 code."""
    import pycountry

    keys: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            name = getattr(country, attribute, None)
            if name:
                keys[in_reading_order(name)] = country.alpha_3
    for code, aliases in ALIASES.items():
        keys.update({alias: code for alias in aliases})
    return keys


def country_key(name: str) -> str | None:
    """The ISO code of a country name ("the UK" -> "GBR"), or None when `name` is no country."""
    name = re.sub(r"^the\s+", "", " ".join(name.split()), flags=re.IGNORECASE)
    return country_keys().get(name)


def in_reading_order(name: str) -> str:
    """pycountry's "Korea, Republic of" as written in text: "Republic of Korea"."""
    head, comma, tail = name.partition(", ")
    if not comma or not re.search(r"\b(of|the)$", tail, re.IGNORECASE):
        return name
    return f"{tail[0].upper()}{tail[1:]} {head}"
