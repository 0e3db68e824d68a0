"""The document around the sentences: headline, sub-headings, byline, dateline, photo captions
and boilerplate, told apart from the body so that none of them is glued into a sentence.

``read_layout`` returns the body: the article text with every non-body part taken out but its
line breaks (so paragraphs stay paragraphs, and no blank run of spaces reaches the parser), a map
from body offsets back to article offsets, and what those parts say about the whole article:

- the dateline ("TALLINN, May 14. /NORDWIRE/.", "MOSCOW (Reuters) —", "Damascus, 26 Oct (SANA)
  –"): its place, its day (the day the report's "on Wednesday" counts from) and its agency;
- the agency credited for the whole article (the dateline's, a byline's "By Ana Vell | Nordwire",
  or "This article was republished from Nordwire"): the source of everything the article reports
  without naming another source;
- the anchor day: the publication day, else the dateline's day, else a full date in a caption.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .sources import is_media

_MONTHS = {
    m: i
    for i, names in enumerate(
        (
            "jan january",
            "feb february",
            "mar march",
            "apr april",
            "may",
            "jun june",
            "jul july",
            "aug august",
            "sep sept september",
            "oct october",
            "nov november",
            "dec december",
        ),
        1,
    )
    for m in names.split()
}
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DAY = (
    rf"(?:(?P<mon1>{_MONTH})\s+(?P<d1>\d{{1,2}})|(?P<d2>\d{{1,2}})\s+(?P<mon2>{_MONTH}))"
    r"(?:,?\s+(?P<year>(?:19|20)\d\d))?"
)
_WEEKDAY = r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?"
# a city in capitals ("TALLINN", "PORT SUDAN", "N'DJAMENA"), or in title case when a day or an
# agency follows ("Moscow, 15 October (Nordwire) —"); then an optional country or region
_CITY_UP = r"[A-ZÀ-Þ][A-ZÀ-Þ.'\-]*(?: [A-ZÀ-Þ][A-ZÀ-Þ.'\-]*){0,3}"
_CITY_TITLE = r"[A-ZÀ-Þ][a-zß-ÿ'\-]+(?: [A-ZÀ-Þ][a-zß-ÿ'\-]+){0,2}"
_REGION = rf"(?!{_MONTH}\s*\d)[A-ZÀ-Þ][\w.'\-]+(?: [A-ZÀ-Þ][\w.'\-]+){{0,2}}"
_AGENCY = r"(?:\((?P<ag1>[^()\n]{2,40})\)|/(?P<ag2>[^/\n]{2,40})/)"
_DATELINE = re.compile(
    rf"^(?P<city>{_CITY_UP}|{_CITY_TITLE})(?:,\s*(?P<region>{_REGION}))?"
    rf"(?:,?\s+{_WEEKDAY}{_DAY})?"
    rf"(?P<tail>\.?\s*{_AGENCY}\s*(?:[\u2014\u2013-]+|[.:])?\s*|\s*[\u2014\u2013-]+\s+|\.\s+)"
)
_BYLINE = re.compile(
    r"^(?:By|BY|Written by|Words by|Reporting by)\s+(?P<who>[^\n]{2,120})$|"
    r"^(?P<who2>[A-Z][\w.'\-]+(?: [A-Z][\w.'\-]+){1,3})\s*(?:\||,|/)\s*(?P<ag>[^\n]{2,60})$"
)
_CREDIT = re.compile(
    r"\b(?:(?:this|the) (?:article|story|report|piece) (?:was|is) )?"
    r"(?:first |originally )?(?:re)?published (?:by|from|with permission of|in) "
    r"(?P<ag>[A-Z][\w.&'\- ]{1,40}?)(?:\s+(?:on|under|with)\b[^\n]*)?[.)]?$",
    re.I,
)
_CAPTION = re.compile(
    r"^(?:\[?(?:photo|image|picture|caption|file photo|pictured|video|illustration|graphic|"
    r"map|satellite image|screenshot)\b[^\n]{0,3}[:\u2014\u2013|-])"
    r"|(?:\((?:photo|image|picture|credit)[^)]*\)|\b(?:photo|image|credit)s?:\s*[^\n]{1,60}|"
    r"\u00a9[^\n]{1,60})\s*\]?$",
    re.I,
)
_BOILER = re.compile(
    r"^(?:read more|related|advertisement|share this|share on|subscribe|follow us|sign up|"
    r"copyright|all rights reserved|editing by|reporting by|additional reporting|"
    r"\(reporting by|tags?:|filed under|updated:?|published:?|last updated)\b",
    re.I,
)
_END_MARK = (".", "!", "?", '"', "\u201d", "'", "\u2019", ":", ";", ")")


@dataclass(frozen=True, slots=True)
class Dateline:
    place: str  # "Tallinn"
    day: date | None  # the report's day, when the dateline gives one and its year can be told
    agency: str | None  # "Nordwire" in "(Nordwire)" or "/NORDWIRE/"
    start: int  # where it begins in the text
    end: int  # where the body after it begins


@dataclass(frozen=True, slots=True)
class Layout:
    text: str  # the body: the article without its non-body parts (their line breaks kept)
    dateline: Dateline | None  # offsets in the article
    credit: str | None  # the agency credited for the whole article (not the outlet itself)
    anchor: date | None  # the day relative dates count from
    skipped: tuple[tuple[int, int, str], ...]  # (start, end, kind) in the article
    kept: tuple[int, ...] = ()  # article offset of each body character ((): the same)

    def original(self, i: int) -> int:
        """The article offset of a body offset."""
        if not self.kept:
            return i
        return self.kept[i] if i < len(self.kept) else self.kept[-1] + 1 + i - len(self.kept)

    def body_offset(self, i: int) -> int:
        """The body offset of an article offset (the next kept character)."""
        if not self.kept:
            return i
        import bisect

        return bisect.bisect_left(self.kept, i)


def _body(text: str, skipped: list[tuple[int, int, str]]) -> tuple[str, tuple[int, ...]]:
    drop = bytearray(len(text))
    for start, end, _ in skipped:
        for i in range(start, end):
            if text[i] != "\n":
                drop[i] = 1
    kept = tuple(i for i in range(len(text)) if not drop[i])
    return "".join(text[i] for i in kept), kept


def _day(m: re.Match, published: date | None) -> date | None:
    mon = (m.group("mon1") or m.group("mon2") or "").rstrip(".").casefold()
    month = _MONTHS.get(mon) or _MONTHS.get(mon[:3])
    day = int(m.group("d1") or m.group("d2") or 0)
    if not month or not day:
        return None
    if m.group("year"):
        years = [int(m.group("year"))]
    elif published is not None:  # the year that puts the day nearest the publication, not after
        years = [published.year, published.year - 1]
    else:
        return None
    for y in years:
        try:
            d = date(y, month, day)
        except ValueError:
            return None
        if published is None or m.group("year") or d <= published:
            return d
    return None


def _agency_name(raw: str | None, outlet: str | None) -> str | None:
    if not raw:
        return None
    name = raw.strip(" .,/")
    if name.isupper() and len(name) > 5:  # "/NORDWIRE/" → "Nordwire"; "TASS", "SANA" stay
        name = name.title()
    if outlet and name.casefold() == outlet.casefold():
        return None
    return name


def _is_person_byline(who: str) -> bool:
    """'Ana Vell', 'Ana Vell and Tom Rask': names of two to four capitalised words."""
    words = re.split(r"\s+(?:and|&)\s+|,\s*", who)
    return all(
        re.fullmatch(r"[A-Z][\w.'\-]+(?: [A-Z][\w.'\-]+){1,3}", w.strip()) for w in words if w
    )


def _byline_agency(line: str, outlet: str | None) -> tuple[bool, str | None]:
    """(is a byline, the agency it credits)."""
    m = _BYLINE.match(line.strip())
    if not m:
        return False, None
    if m.group("who2"):
        ag = m.group("ag").strip()
        ag = re.sub(r"\b(?:staff|correspondent|reporter|writer|in \w+)\b", "", ag, flags=re.I)
        ag = ag.strip(" ,|/")
        if not ag or len(ag.split()) > 5 or ag[:1].islower():
            return False, None
        return True, _agency_name(ag, outlet)
    who = m.group("who").strip()
    parts = re.split(r"\s*(\||/|\u2014|\u2013| - |,)\s*", who)
    seps, parts = parts[1::2], parts[0::2]
    if not parts or not _is_person_byline(parts[0]) or len(who.split()) > 16:
        return False, None
    for sep, part in zip(seps, parts[1:], strict=True):
        part = re.sub(r"\b(?:staff|correspondent|reporter|writer)\b", "", part, flags=re.I).strip()
        # "By Ana Vell | Pacific Desk", "By Abdi Farah, Horn Wire": what follows the author is
        # the desk or agency, unless it is a second author after a comma
        agency = sep != "," or not _is_person_byline(part) or _AGENCY_WORD.search(part)
        if part and part[:1].isupper() and agency or is_media(part):
            return True, _agency_name(part, outlet)
    return True, None


_AGENCY_WORD = re.compile(
    r"\b(?:wire|desk|news|press|agency|service|times|post|report|monitor|watch|review|daily|"
    r"herald|journal|network|media|bureau|dispatch|ledger|courier|gazette|tribune|radio|tv)$",
    re.I,
)


def _heading(line: str, title: str | None, first: bool) -> bool:
    """A headline or sub-heading: a short line that does not end as a sentence does."""
    s = line.strip()
    if s.startswith("#"):
        return True
    if title and s.casefold().strip(" .") == title.casefold().strip(" ."):
        return True
    words = s.split()
    if not words or s.endswith(_END_MARK):
        return False
    return len(words) <= (25 if first else 14)


def read_layout(
    text: str,
    published: date | None = None,
    outlet: str | None = None,
    title: str | None = None,
) -> Layout:
    """Tell the body of an article from the parts around it (see the module doc)."""
    skipped: list[tuple[int, int, str]] = []
    credit: str | None = None
    dateline: Dateline | None = None
    caption_day: date | None = None
    pos = 0
    body_seen = False
    lines = text.split("\n")
    for n, line in enumerate(lines):
        start, end = pos, pos + len(line)
        pos = end + 1
        s = line.strip()
        if not s:
            continue
        lead = start + len(line) - len(line.lstrip())
        kind = None
        is_byline, agency = _byline_agency(s, outlet)
        m_credit = _CREDIT.search(s) if len(s.split()) <= 20 else None
        if is_byline:
            kind = "byline"
            credit = credit or agency
        elif m_credit:
            kind = "credit"
            credit = credit or _agency_name(m_credit.group("ag"), outlet)
        elif _BOILER.match(s):
            kind = "boilerplate"
        elif _CAPTION.search(s):
            kind = "caption"
            md = re.search(_DAY, s)
            if md and md.group("year") and caption_day is None:
                caption_day = _day(md, None)
        elif _heading(s, title, not body_seen) and any(x.strip() for x in lines[n + 1 :]):
            kind = "heading"
        if kind:
            skipped.append((lead, end, kind))
            continue
        if not body_seen:
            body_seen = True
            dateline = _read_dateline(text, lead, end, published, outlet)
            if dateline is not None:
                skipped.append((dateline.start, dateline.end, "dateline"))
                credit = credit or dateline.agency
    out, kept = _body(text, skipped) if skipped else (text, ())
    anchor = published
    told = dateline.day if dateline else None
    if anchor is None:
        anchor = told or caption_day
    elif told is not None and 0 < (anchor - told).days <= 2:
        anchor = told  # filed a day before it was published: "on Wednesday" counts from the filing

    return Layout(out, dateline, credit, anchor, tuple(skipped), kept)


def _read_dateline(
    text: str, start: int, end: int, published: date | None, outlet: str | None
) -> Dateline | None:
    para = text[start:end]
    m = _DATELINE.match(para)
    if not m:
        return None
    city = m.group("city").strip()
    has_day = bool(m.group("d1") or m.group("d2"))
    agency_raw = m.group("ag1") or m.group("ag2")
    tail = m.group("tail").strip()
    upper = city.replace(" ", "").replace("'", "").replace("-", "").replace(".", "").isupper()
    if not upper and not (has_day or agency_raw):
        return None  # "Moscow — the capital ..." or "Moscow is ..." is body text
    if tail == "." and not has_day:
        return None  # "NATO." ends a sentence; "TALLINN, May 14." is a dateline
    if upper and len(city) < 3 and not agency_raw:
        return None
    if agency_raw and not re.fullmatch(r"[A-Z][\w.&'\- ]{1,39}", agency_raw.strip(" ./")):
        return None
    place = city.title() if upper else city
    day = _day(m, published) if has_day else None
    return Dateline(place, day, _agency_name(agency_raw, outlet), start, start + m.end())
