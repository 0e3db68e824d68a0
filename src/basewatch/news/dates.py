"""Time expressions in news text → dates and ranges, normalised against the right anchor.

Our own rules cover what wire and OSINT reports write ("on October 26", "from October 24 to 29",
"between 24 and 29 October", "mid-October", "last week", "on Wednesday", "three days ago");
dates without a year take the year that puts them nearest before the publication date. Durations
("a six-month break", "for three weeks") are recognised and never taken for dates. Expressions
relative to another event ("three days after the visit", "less than two weeks after the
meeting") are returned with the event they hang on, to be resolved against that event's date by
``events.py``, not against the publication date. An expression the rules do not know is not
guessed at: it gives no date.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {
    name: i
    for i, names in enumerate(
        [
            (),
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for name in names
}
WEEKDAYS = {
    d: i
    for i, d in enumerate(
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    )
}
NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "several": 3,
    "a few": 3,
    "few": 3,
}
UNIT_DAYS = {"day": 1, "week": 7, "fortnight": 14, "month": 30, "year": 365}

_M = r"(?P<{n}>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_D = r"(?P<{n}>[0-3]?\d)(?:st|nd|rd|th)?"
_Y = r"(?:,?\s+(?P<{n}>(?:19|20)\d\d))?"
_TO = r"\s*(?:to|and|until|till|through|-|\u2013|\u2014)\s*"
_NUM = r"(?P<num>\d+|a few|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|several|few)"
_UNIT = r"(?P<unit>day|week|fortnight|month|year)s?"


def _p(template: str, **names: str) -> str:
    out = template
    for key, name in names.items():
        out = out.replace("{" + key + "}", name)
    return out


def _rx(*parts: str) -> re.Pattern:
    return re.compile("".join(parts), re.I)


# order matters: longer, more specific forms first
PATTERNS: list[tuple[str, re.Pattern]] = [
    (
        "rel_event",  # three days after the visit; less than two weeks after the meeting
        _rx(
            r"\b(?P<mod>less than |more than |nearly |almost |about |some |just |only |within )?",
            _NUM,
            r"[\s-]+",
            _UNIT,
            r"\s+(?P<dir>after|before|later than|earlier than|since)\s+(?P<what>[^,.;]+)",
        ),
    ),
    (
        "range_md_md",  # from October 24 to November 2, between Oct 24 and 29
        _rx(
            r"\b(?:from|between)\s+",
            _M.format(n="m1"),
            r"\s+",
            _D.format(n="d1"),
            _TO,
            r"(?:",
            _M.format(n="m2"),
            r"\s+)?",
            _D.format(n="d2"),
            r"\b",
            _Y.format(n="y"),
        ),
    ),
    (
        "range_dm_dm",  # from 24 to 29 October, between 24 October and 2 November
        _rx(
            r"\b(?:from|between)\s+",
            _D.format(n="d1"),
            r"(?:\s+",
            _M.format(n="m1"),
            r")?",
            _TO,
            _D.format(n="d2"),
            r"\s+",
            _M.format(n="m2"),
            _Y.format(n="y"),
        ),
    ),
    (
        "range_md_d",  # October 24-29
        _rx(
            r"\b",
            _M.format(n="m1"),
            r"\s+",
            _D.format(n="d1"),
            r"\s*[-\u2013]\s*",
            _D.format(n="d2"),
            r"\b",
            _Y.format(n="y"),
        ),
    ),
    (
        "range_d_dm",  # 24-29 October
        _rx(
            r"\b",
            _D.format(n="d1"),
            r"\s*[-\u2013]\s*",
            _D.format(n="d2"),
            r"\s+",
            _M.format(n="m2"),
            _Y.format(n="y"),
        ),
    ),
    (
        "range_mm",  # between September and October, from March to May 2025
        _rx(
            r"\b(?:between|from)\s+",
            _M.format(n="m1"),
            r"\s+(?:and|to|until|through)\s+",
            _M.format(n="m2"),
            r"\b(?!\s+\d)",
            _Y.format(n="y"),
        ),
    ),
    (
        "half_year",  # in the first half of next year, the second half of 2025
        re.compile(
            r"\b(?:in\s+)?the\s+(?P<half>first|second)\s+half\s+of\s+"
            r"(?:(?P<which>this|next|last)\s+year|(?P<y>(?:19|20)\d\d))\b",
            re.I,
        ),
    ),
    (
        "end_period",  # at the end of the year / of this month
        re.compile(
            r"\b(?:at\s+|by\s+|before\s+)?the\s+(?P<edge>end|start|beginning)\s+of\s+"
            r"(?:the\s+|this\s+|next\s+|last\s+)?(?P<unit>year|month)\b",
            re.I,
        ),
    ),
    (
        "nth_day",  # on the second day of the visit
        re.compile(
            r"\b(?:on\s+)?the\s+(?P<nth>first|second|third|fourth|fifth|last)\s+day\s+of\s+"
            r"(?P<what>the\s+\w+(?:\s+\w+)?)?",
            re.I,
        ),
    ),
    (
        "part_month",  # mid-October, early November 2025, late October
        _rx(
            r"\b(?P<part>mid|early|late|the end of|the beginning of|the start of)[-\s]+",
            _M.format(n="m1"),
            r"\b",
            _Y.format(n="y"),
        ),
    ),
    ("iso", re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<mn>[01]\d)-(?P<d1>[0-3]\d)\b")),
    (
        "day_md",
        _rx(r"\b", _M.format(n="m1"), r"\s+", _D.format(n="d1"), r"\b(?!:)", _Y.format(n="y")),
    ),
    (
        "day_dm",
        _rx(r"\b", _D.format(n="d1"), r"\s+(?:of\s+)?", _M.format(n="m1"), r"\b", _Y.format(n="y")),
    ),
    (
        "part_now",  # earlier in October / later in October, said in October
        _rx(r"\b(?P<part>earlier|later) in\s+", _M.format(n="m1"), r"\b(?!\s+\d)"),
    ),
    (
        "month",  # in October, in October 2025, October 2025, last April
        _rx(
            r"\b(?:(?:(?:in|during|since|by|until|of|for|early|earlier|later)\s+"
            r"(?:this\s+|last\s+)?|(?P<last>last)\s+)",
            _M.format(n="m1"),
            r"\b",
            _Y.format(n="y"),
            r"|",
            _M.format(n="m2"),
            r"\s+(?P<y2>(?:19|20)\d\d)\b)",
        ),
    ),
    (
        "rel_prev",  # a day later, the next day, the same day: from the event told just before
        _rx(
            r"\b(?:(?P<num>\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten)\s+"
            r"(?P<unit>day|week)s?\s+(?P<dir>later|earlier)"
            r"|(?P<word>the next day|the following day|the same day|the day before|"
            r"the previous day|the next morning|the following morning|that day|that night|"
            r"that morning|that afternoon|that evening|later that day|"
            r"the same (?:morning|afternoon|evening|night)|within the hour|hours later))\b"
        ),
    ),
    (
        "weekend",
        re.compile(r"\b(?:over|at|during) the weekend\b", re.I),
    ),
    ("ago", _rx(r"\b", _NUM, r"\s+", _UNIT, r"\s+(?:ago|earlier|before)\b(?!\s+(?:the|his|her))")),
    (
        "rel_period",
        re.compile(
            r"\b(?P<which>last|this|next|past|previous|earlier this|later this)\s+"
            r"(?P<unit>week|month|year|weekend)\b",
            re.I,
        ),
    ),
    (
        "wd_range",  # on Tuesday and Wednesday, between Saturday and Monday
        re.compile(
            r"\b(?:on|from|between)\s+(?P<wd1>" + "|".join(WEEKDAYS) + r")\s+"
            r"(?:and|to|through|until)\s+(?P<wd2>" + "|".join(WEEKDAYS) + r")\b",
            re.I,
        ),
    ),
    (
        "weekday",
        re.compile(
            r"\b(?:(?P<which>last|this|next|on|since|by|from|until)\s+)?"
            r"(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?:'s)?\b",
            re.I,
        ),
    ),
    ("deictic", re.compile(r"\b(?P<word>yesterday|today|tomorrow|tonight|last night)\b", re.I)),
    ("year", re.compile(r"\b(?:in|since|during|by|of)\s+(?P<y>(?:19|20)\d\d)\b(?!-)", re.I)),
]

DURATION_RE = re.compile(
    r"\b(?:(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\d+)"
    r"[-\s](?:day|week|month|year)(?:s?[-\s]long)?(?=[-\s](?:break|pause|gap|hiatus|halt|lull|"
    r"absence|period|deployment|mission|stay|visit|trip|tour|campaign|ban|freeze|suspension|"
    r"moratorium|interval|window|rotation|operation|exercise|drill|stint|delay)s?\b)"
    r"|for\s+(?:about\s+|nearly\s+|almost\s+|more than\s+|over\s+)?"
    r"(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|\d+|several|a few)\s+"
    r"(?:day|week|month|year)s?\b)",
    re.I,
)

FUTURE_RE = re.compile(
    r"\b(will|shall|would|is to|are to|is due|are due|plans? to|planned|is expected|"
    r"are expected|scheduled|upcoming|next(?!\s+to\b))\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class TimeSpan:
    start: date
    end: date
    precision: str  # day, range, week, month, year

    def shift(self, days: int) -> TimeSpan:
        return TimeSpan(
            self.start + timedelta(days=days), self.end + timedelta(days=days), self.precision
        )


@dataclass(frozen=True, slots=True)
class TimeHit:
    """One time expression found in a text, with what it resolves to."""

    kind: str  # the pattern's name
    text: str
    start_char: int
    end_char: int
    span: TimeSpan | None = None  # None for expressions relative to an event
    relative_days: tuple[int, int] | None = None  # rel_event: offset range from the event
    anchor_text: str = ""  # rel_event: the words naming the event it hangs on


def parse_duration(text: str) -> timedelta | None:
    """'a six-month break' → about 182 days; 'for three weeks' → 21 days; else None."""
    m = re.search(
        r"\b(?P<num>\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
        r"several|a few)[-\s](?P<unit>day|week|fortnight|month|year)s?\b",
        text,
        re.I,
    )
    if not m:
        return None
    n = _number(m.group("num"))
    unit = m.group("unit").lower()
    if unit == "month":
        return timedelta(days=round(n * 365.25 / 12))
    if unit == "year":
        return timedelta(days=round(n * 365.25))
    return timedelta(days=n * UNIT_DAYS[unit])


def _number(word: str) -> int:
    word = word.lower().strip()
    return int(word) if word.isdigit() else NUMBERS.get(word, 1)


def _month(text: str | None) -> int | None:
    if not text:
        return None
    return MONTHS.get(text.lower().rstrip("."))


def _year_for(month: int, day: int, anchor: date, future: bool) -> int:
    """The year that puts month/day nearest the anchor: news tells of the recent past."""
    year = anchor.year
    try:
        candidate = date(year, month, day)
    except ValueError:
        return year
    if not future and candidate > anchor + timedelta(days=31):
        return year - 1
    if future and candidate < anchor - timedelta(days=31):
        return year + 1
    return year


def _safe(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _month_span(y: int, m: int) -> TimeSpan:
    return TimeSpan(date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1]), "month")


def find_times(text: str, anchor: date | None, future: bool | None = None) -> list[TimeHit]:
    """Every time expression in ``text`` (one sentence), resolved against ``anchor`` (the
    publication day, in the publication's own time zone). Overlapping matches: first wins."""
    fixed = future
    taken: list[tuple[int, int]] = [(m.start(), m.end()) for m in DURATION_RE.finditer(text)]
    hits: list[TimeHit] = []
    for kind, rx in PATTERNS:
        for m in rx.finditer(text):
            s, e = m.span()
            if any(s < te and ts < e for ts, te in taken):
                continue
            # future only when a marker stands shortly before the expression, in its clause
            near = text[max(0, s - 60) : s]
            fut = fixed if fixed is not None else bool(FUTURE_RE.search(near))
            hit = _resolve(kind, m, anchor, fut)
            if hit is not None:
                hits.append(hit)
                taken.append((s, e))
    hits.sort(key=lambda h: h.start_char)
    return _since_until_latest(text, hits)


_LATEST = re.compile(r",?\s+(?:most recently|the latest|the last)(?: one)?(?: on| in)?\s+$", re.I)


def _since_until_latest(text: str, hits: list[TimeHit]) -> list[TimeHit]:
    """'three times since 2 March, most recently on Friday': one range from the first day to
    the latest."""
    out: list[TimeHit] = []
    for h in hits:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.span is not None
            and h.span is not None
            and "since " in text[max(0, prev.start_char - 6) : prev.start_char + 6].lower()
            and _LATEST.search(text[prev.end_char : h.start_char] + " ")
            and h.span.end >= prev.span.start
        ):
            span = TimeSpan(prev.span.start, h.span.end, "range")
            out[-1] = TimeHit(
                "range", text[prev.start_char : h.end_char], prev.start_char, h.end_char, span
            )
            continue
        out.append(h)
    return out


def _resolve(kind: str, m: re.Match, anchor: date | None, future: bool) -> TimeHit | None:
    g = m.groupdict()
    text = m.group(0)

    def hit(span: TimeSpan | None, **kw) -> TimeHit:
        return TimeHit(kind, text, m.start(), m.end(), span, **kw)

    if kind == "rel_prev":
        if g.get("word"):
            w = g["word"].lower()
            off = {"the next day": 1, "the following day": 1, "the next morning": 1}.get(w, 0)
            off = -1 if w in ("the day before", "the previous day") else off
            off = 1 if w == "the following morning" else off
        else:
            off = _number(g["num"]) * UNIT_DAYS[g["unit"].lower()]
            off = -off if g["dir"].lower() == "earlier" else off
        return hit(None, relative_days=(off, off), anchor_text="")
    if kind == "weekend" and anchor is not None:
        sat = anchor - timedelta(days=(anchor.weekday() - 5) % 7 or 7)
        return hit(TimeSpan(sat, sat + timedelta(days=1), "range"))
    if kind == "nth_day":
        n = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "last": 0}.get(
            g["nth"].lower()
        )
        if n is None:
            return None
        return hit(None, relative_days=(n, n), anchor_text=g.get("what") or "")
    if kind == "range_mm" and anchor is not None:
        m1, m2 = _month(g["m1"]), _month(g["m2"])
        y = int(g["y"]) if g.get("y") else _year_for(m2, 1, anchor, future)
        y1 = y - 1 if m1 > m2 else y
        return hit(TimeSpan(date(y1, m1, 1), date(y, m2, calendar.monthrange(y, m2)[1]), "range"))
    if kind == "half_year" and anchor is not None:
        which = (g.get("which") or "").lower()
        y = int(g["y"]) if g.get("y") else anchor.year + {"next": 1, "last": -1}.get(which, 0)
        if g["half"].lower() == "first":
            return hit(TimeSpan(date(y, 1, 1), date(y, 6, 30), "range"))
        return hit(TimeSpan(date(y, 7, 1), date(y, 12, 31), "range"))
    if kind == "end_period" and anchor is not None:
        text_low = text.lower()
        step = 1 if "next" in text_low else -1 if "last" in text_low else 0
        if g["unit"].lower() == "year":
            y = anchor.year + step
            if g["edge"].lower() == "end":
                return hit(TimeSpan(date(y, 12, 21), date(y, 12, 31), "month"))
            return hit(TimeSpan(date(y, 1, 1), date(y, 1, 10), "month"))
        y, mo = anchor.year, anchor.month + step
        if mo < 1:
            y, mo = y - 1, 12
        elif mo > 12:
            y, mo = y + 1, 1
        last = calendar.monthrange(y, mo)[1]
        if g["edge"].lower() == "end":
            return hit(TimeSpan(date(y, mo, 21), date(y, mo, last), "month"))
        return hit(TimeSpan(date(y, mo, 1), date(y, mo, 10), "month"))
    if kind == "rel_event":
        n = _number(g["num"])
        days = n * UNIT_DAYS[g["unit"].lower()]
        mod = (g.get("mod") or "").strip().lower()
        sign = -1 if g["dir"].lower() in ("before", "earlier than") else 1
        lo, hi = (1, days) if mod in ("less than", "within") else (days, days)
        rng = (sign * lo, sign * hi) if sign > 0 else (sign * hi, sign * lo)
        return hit(None, relative_days=rng, anchor_text=g["what"].strip())
    if anchor is None and kind not in ("iso",):
        if kind in ("year",) or (g.get("y") and kind.startswith(("day", "range", "month"))):
            pass
        else:
            return None
    if kind.startswith("range"):
        m1 = _month(g.get("m1")) or _month(g.get("m2"))
        m2 = _month(g.get("m2")) or m1
        d1, d2 = int(g["d1"]), int(g["d2"])
        if not m1 or not (1 <= d1 <= 31 and 1 <= d2 <= 31):
            return None
        y = int(g["y"]) if g.get("y") else _year_for(m1, d1, anchor, future)
        start = _safe(y, m1, d1)
        end = _safe(y + (1 if m2 < m1 else 0), m2, d2)
        if not start or not end or end < start:
            return None
        return hit(TimeSpan(start, end, "range" if end > start else "day"))
    if kind == "part_month":
        mo = _month(g["m1"])
        y = int(g["y"]) if g.get("y") else _year_for(mo, 15, anchor, future)
        last = calendar.monthrange(y, mo)[1]
        part = g["part"].lower()
        if part == "mid":
            a, b = 11, 20
        elif part in ("early", "the beginning of", "the start of"):
            a, b = 1, 10
        else:
            a, b = 21, last
        return hit(TimeSpan(date(y, mo, a), date(y, mo, b), "month"))
    if kind == "iso":
        d = _safe(int(g["y"]), int(g["mn"]), int(g["d1"]))
        return hit(TimeSpan(d, d, "day")) if d else None
    if kind in ("day_md", "day_dm"):
        mo, d = _month(g["m1"]), int(g["d1"])
        if not mo or not 1 <= d <= 31:
            return None
        if g["m1"].lower() == "may" and not g.get("y") and kind == "day_dm":
            pass
        y = int(g["y"]) if g.get("y") else _year_for(mo, d, anchor, future)
        day = _safe(y, mo, d)
        return hit(TimeSpan(day, day, "day")) if day else None
    if kind == "part_now" and anchor is not None:
        mo = _month(g["m1"])
        if not mo:
            return None
        y = _year_for(mo, 1, anchor, future)
        span = _month_span(y, mo)
        if (y, mo) == (anchor.year, anchor.month):  # the month the article is written in
            if g["part"].lower() == "earlier" and anchor.day > 1:
                span = TimeSpan(span.start, anchor - timedelta(days=1), "month")
            elif g["part"].lower() == "later" and anchor < span.end:
                span = TimeSpan(anchor + timedelta(days=1), span.end, "month")
        return hit(span)
    if kind == "month":
        mo = _month(g.get("m1") or g.get("m2"))
        if not mo:
            return None
        if (g.get("m1") or "").lower() == "may" and not g.get("y"):
            return None  # "by May" is too often the verb
        ys = g.get("y") or g.get("y2")
        y = int(ys) if ys else _year_for(mo, 1, anchor, future)
        if g.get("last") and not ys and anchor is not None:
            y = anchor.year if mo < anchor.month else anchor.year - 1  # the latest one gone by
        return hit(_month_span(y, mo))
    if kind == "year":
        y = int(g["y"])
        return hit(TimeSpan(date(y, 1, 1), date(y, 12, 31), "year"))
    if kind == "deictic":
        w = g["word"].lower()
        off = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1, "last night": -1}[w]
        d = anchor + timedelta(days=off)
        return hit(TimeSpan(d, d, "day"))
    if kind == "wd_range" and anchor is not None:
        wd1, wd2 = WEEKDAYS[g["wd1"].lower()], WEEKDAYS[g["wd2"].lower()]
        length = (wd2 - wd1) % 7
        if future:
            start = anchor + timedelta(days=(wd1 - anchor.weekday()) % 7 or 7)
        else:  # the latest such span that has ended by the anchor day
            end = anchor - timedelta(days=(anchor.weekday() - wd2) % 7)
            start = end - timedelta(days=length)
        return hit(TimeSpan(start, start + timedelta(days=length), "range"))
    if kind == "weekday":
        wd = WEEKDAYS[g["wd"].lower()]
        which = (g.get("which") or "").lower()
        back = (anchor.weekday() - wd) % 7
        if which == "next" or (future and which != "last"):
            fwd = (wd - anchor.weekday()) % 7 or 7
            d = anchor + timedelta(days=fwd)
        elif which == "last":
            d = anchor - timedelta(days=back or 7)
        else:
            d = anchor - timedelta(days=back)
        return hit(TimeSpan(d, d, "day"))
    if kind == "ago":
        n = _number(g["num"])
        unit = g["unit"].lower()
        if unit == "day":
            d = anchor - timedelta(days=n)
            return hit(TimeSpan(d, d, "day"))
        if unit in ("week", "fortnight"):
            d = anchor - timedelta(days=n * UNIT_DAYS[unit])
            monday = d - timedelta(days=d.weekday())
            return hit(TimeSpan(monday, monday + timedelta(days=6), "week"))
        if unit == "month":
            y, mo = anchor.year, anchor.month - n
            while mo < 1:
                mo += 12
                y -= 1
            return hit(_month_span(y, mo))
        y = anchor.year - n
        return hit(TimeSpan(date(y, 1, 1), date(y, 12, 31), "year"))
    if kind == "rel_period":
        which, unit = g["which"].lower(), g["unit"].lower()
        step = {"last": -1, "past": -1, "previous": -1, "next": 1}.get(which, 0)
        if unit in ("week", "weekend"):
            monday = anchor - timedelta(days=anchor.weekday()) + timedelta(days=7 * step)
            if unit == "weekend":
                sat = monday + timedelta(days=5)
                if which == "this" and not future and anchor < sat:
                    sat -= timedelta(days=7)  # "landed three times this weekend": the one gone by
                return hit(TimeSpan(sat, sat + timedelta(days=1), "range"))
            if which == "earlier this" and anchor > monday:
                return hit(TimeSpan(monday, anchor - timedelta(days=1), "week"))
            if which == "later this" and anchor < monday + timedelta(days=6):
                return hit(TimeSpan(anchor + timedelta(days=1), monday + timedelta(days=6), "week"))
            return hit(TimeSpan(monday, monday + timedelta(days=6), "week"))
        if unit == "month" and which == "earlier this" and anchor.day > 1:
            first = anchor.replace(day=1)
            return hit(TimeSpan(first, anchor - timedelta(days=1), "month"))
        if unit == "month" and which == "later this":
            end = _month_span(anchor.year, anchor.month).end
            if anchor < end:
                return hit(TimeSpan(anchor + timedelta(days=1), end, "month"))
        if unit == "month":
            y, mo = anchor.year, anchor.month + step
            if mo < 1:
                y, mo = y - 1, 12
            elif mo > 12:
                y, mo = y + 1, 1
            return hit(_month_span(y, mo))
        y = anchor.year + step
        return hit(TimeSpan(date(y, 1, 1), date(y, 12, 31), "year"))
    return None
