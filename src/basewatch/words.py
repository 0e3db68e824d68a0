"""Words for counts and countries, so every sentence agrees with its numbers.

``count(1, "article")`` is "1 article", ``count(3, "article")`` "3 articles";
``adjective("RU")`` is "Russian". One place for these, used by every report and brief.
"""

from __future__ import annotations

from functools import lru_cache

# nouns whose plural is not noun + "s"
_PLURALS = {"aircraft": "aircraft", "gap": "gaps", "surge": "surges", "stop": "stops"}

# the adjective of the countries whose bases are watched and whose aircraft come and go there;
# another country is named as "aircraft of <country>" (see ``adjective``)
_ADJECTIVES = {
    "RU": "Russian", "SY": "Syrian", "LY": "Libyan", "BY": "Belarusian", "IR": "Iranian",
    "TR": "Turkish", "US": "American", "GB": "British", "FR": "French", "DE": "German",
    "IL": "Israeli", "UA": "Ukrainian", "CN": "Chinese", "EG": "Egyptian", "DZ": "Algerian",
    "SD": "Sudanese", "ML": "Malian", "CF": "Central African", "IQ": "Iraqi", "JO": "Jordanian",
    "LB": "Lebanese", "KZ": "Kazakh", "AM": "Armenian", "AZ": "Azerbaijani", "IT": "Italian",
    "GR": "Greek", "CY": "Cypriot", "SA": "Saudi", "AE": "Emirati", "QA": "Qatari",
}  # fmt: skip


def plural(n: int, noun: str) -> str:
    """The noun as a count of ``n`` takes it: 'flight', 'flights', 'aircraft'."""
    if n == 1:
        return noun
    if noun in _PLURALS:
        return _PLURALS[noun]
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def count(n: int, noun: str) -> str:
    """'1 article', '3 articles', '1,508,842 positions'."""
    return f"{n:,} {plural(n, noun)}"


def counts(items: dict[str, int]) -> str:
    """'1 drop, 3 gaps, 3 resumptions' from {kind: n}, in name order."""
    return ", ".join(count(v, k) for k, v in sorted(items.items()))


@lru_cache(maxsize=64)
def adjective(iso2: str) -> str | None:
    """'Russian' from 'RU'; None when the country has no listed adjective."""
    return _ADJECTIVES.get(iso2.upper())


@lru_cache(maxsize=64)
def country_name(iso2: str) -> str:
    """'Russia' from 'RU' (the address-block list's name), else the code itself."""
    from .identity.countries import load_blocks

    for b in load_blocks().blocks:
        if b.iso2 and b.iso2.upper() == iso2.upper():
            return b.country
    return iso2


def event_counts(by_type: dict[str, int]) -> str:
    """'2,501 landings, 361 landings (inferred), 2 go-arounds' from {event_type: n}."""
    out = []
    for kind, n in sorted(by_type.items()):
        noun, _, how = kind.partition("_")
        noun = {"low": "low pass", "go": "go-around", "touch": "touch-and-go"}.get(noun, noun)
        out.append(count(n, noun) + (" (inferred)" if how == "inferred" else ""))
    return ", ".join(out)
