"""Attribution: to whom an article attributes what it reports.

"according to Bloomberg", "as reported by Reuters", "an anonymous source close to the Kremlin",
"TASS reported", "citing officials". When the article reports directly, the source is the outlet.
"""

from __future__ import annotations

import re

# news outlets and agencies this field's reports cite; "X reported" with X here is a source
MEDIA = {
    "bloomberg",
    "reuters",
    "ap",
    "associated press",
    "afp",
    "agence france-presse",
    "tass",
    "ria novosti",
    "ria",
    "interfax",
    "sana",
    "cnn",
    "bbc",
    "al jazeera",
    "al arabiya",
    "kommersant",
    "izvestia",
    "vedomosti",
    "rbc",
    "the new york times",
    "new york times",
    "the washington post",
    "washington post",
    "the wall street journal",
    "wall street journal",
    "financial times",
    "the financial times",
    "the guardian",
    "the economist",
    "politico",
    "axios",
    "anadolu",
    "middle east eye",
    "the times",
    "le monde",
    "der spiegel",
    "flightradar24",
    "itamilradar",
}
MEDIA_WORDS = re.compile(
    r"\b(newspaper|agency|outlet|channel|broadcaster|daily|website|magazine|media|tv|radio|television|"
    r"portal|blog|monitor|tracker)\b",
    re.I,
)
_NP = r"(?P<src>(?:an?|the|several|two|three|unnamed|anonymous)?\s*[^,.;:()\"\u201c\u201d]+?)"
_END = r"(?=\s*(?:[,.;:)]|$|\s+(?:that|on|which|who|and said|as)\b))"

PATTERNS = [
    re.compile(r"\baccording to " + _NP + _END, re.I),
    re.compile(
        r"\b(?:as )?(?:reported|first reported|cited|quoted|carried) by " + _NP + _END, re.I
    ),
    re.compile(r"\b(?:confirmed|told|denied) by " + _NP + _END, re.I),
    re.compile(r"\bas (?:per|announced by|stated by|said by|confirmed by) " + _NP + _END, re.I),
    re.compile(r"\b(?:citing|quoting) " + _NP + _END, re.I),
    re.compile(
        r"\b(?P<src>[A-Z][\w.&'\- ]{1,40}?) (?:has |had )?(?:reported|reports|wrote|said|says|"
        r"claimed|claims|revealed|noted|announced)\b"
    ),
    re.compile(
        r"\b(?P<src>(?:an?|one|two|three|several)\s+(?:\w+\s+){0,3}?sources?"
        r"(?:\s+(?:close to|familiar with|in|at|within|from)\s+[^,.;]+?)?)"
        r"\s+(?:said|told|say|says|confirmed|reported)\b",
        re.I,
    ),
    # "..., flight-tracking data show": the data are the source
    re.compile(
        r"\b(?P<src>(?:(?:flight|ship)[- ]tracking|tracking|radar|AIS|satellite)\s+"
        r"(?:data|records|images|imagery|photos))\s+(?:show|showed|shows|indicate|indicated|"
        r"indicates|suggest|suggested|suggests)\b",
        re.I,
    ),
]
_ANON = re.compile(r"\b(source|sources|official|officials|person|people|diplomat)s?\b", re.I)


def is_media(name: str) -> bool:
    low = re.sub(r"^the\s+", "", name.strip().casefold())
    return low in MEDIA or ("the " + low) in MEDIA or bool(MEDIA_WORDS.search(low))


def find_source(sentence: str) -> str | None:
    """The attribution written in a sentence, as written ("Bloomberg", "an anonymous source
    close to the Kremlin"); None when the sentence names none."""
    best = None
    for rx in PATTERNS:
        for m in rx.finditer(sentence):
            src = m.group("src").strip()
            described = MEDIA_WORDS.search(sentence[max(0, m.start() - 24) : m.start()])
            if rx is PATTERNS[5] and not (is_media(src) or described):
                continue  # "Vela has said" counts only for a news organisation
            src = proper_name(src)
            src = re.sub(r"\s+(?:on|in)\s+\w+day$", "", src)
            if " by " in src:  # "flight-tracking data reviewed by Sahara Watch"
                src = src.rsplit(" by ", 1)[1]
            if not src or len(src.split()) > 12:
                continue
            if best is None or m.start() < best[0]:
                best = (m.start(), src)
    return best[1] if best else None


# "the news agency Vela", "Russian news agency RIA Novosti", "the Izvestia daily": the name
_DESCRIBED = re.compile(
    r"^(?:the\s+)?(?:[\w'-]+\s+){0,3}?(?:state\s+)?(?:news\s+agency|agency|broadcaster|channel|"
    r"newspaper|daily|news\s+site|website|site|outlet|monitoring\s+group|group|account|blog|"
    r"project|tracker)\s+(?=[A-Z])"
)
_DESCRIBED_AFTER = re.compile(
    r"^(?:the\s+)?(?P<name>[A-Z][\w.&'-]*(?:\s+[A-Z][\w.&'-]*)*)\s+(?:news\s+agency|agency|daily|"
    r"channel|newspaper|broadcaster|website)$"
)


def proper_name(source: str) -> str:
    """A source named by its proper name without its description ('news agency Vela' → 'Vela',
    'the Interfax news agency' → 'Interfax'); descriptions without a name stay as written."""
    s = source.strip()
    m = _DESCRIBED_AFTER.match(s)
    if m:
        return m.group("name")
    rest = _DESCRIBED.sub("", s, count=1)
    return rest if rest != s and rest[:1].isupper() else s


_CREDITED_LATER = re.compile(
    r"^(?:This|That|It|The report|The news)\s+(?:was|has been|had been)\s+(?:also\s+|first\s+|"
    r"later\s+|earlier\s+)?(?:reported|confirmed|announced|carried|stated)\s+by\s+"
    r"(?P<src>[^,.;]+?)\s*[.!]?$",
    re.I,
)
_CONTINUES = re.compile(
    r"^(?:in particular|additionally|also|in addition|moreover|furthermore|further|"
    r"reportedly|it also|they also)\b|\breportedly\b|\b(?:has|have|had) also\b|,? the agency added\b",
    re.I,
)


def credited_later(sentence: str) -> str | None:
    """'This was reported by Nordwire.' → 'Nordwire' (a credit for the sentence before)."""
    m = _CREDITED_LATER.match(sentence.strip())
    return proper_name(m.group("src")) if m else None


def continues_attribution(sentence: str) -> bool:
    """A sentence that goes on with the previous sentence's attribution: 'In particular, ...',
    '..., reportedly', '... has also ...'."""
    return bool(_CONTINUES.search(sentence.strip()))


def is_anonymous(source: str) -> bool:
    return bool(_ANON.search(source)) and not is_media(source)
