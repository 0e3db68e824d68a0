"""The brief: a watch's story told in sentences, each carrying footnotes to its evidence.

reads:   base_changes, base_routes, timeline, airfield_events, flights, aircraft

Every sentence is built from rows and ends with the footnotes of the rows it rests on: flight
ids with their times for air activity, article addresses with the sentence quoted for news. The
words of certainty follow the evidence: "observed" or "inferred" for movements, "reported by one
source" or "by N sources" for news. A sentence without evidence is never written.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pandas as pd

from ..airfields import load_reference
from ..base_report import place
from ..geo import haversine_nm
from ..stages.changes import KINDS as CHANGE_KINDS
from ..store import Store
from ..watches import Watch
from ..words import count
from .timeline import origins, wording

WINDOW_DAYS = 30  # news this close to the resumption (else the latest change) is told around it


NOTHING = "No change was found in this window, so there is nothing to tell."
MD_SPECIAL = re.compile(r"([\\`*_\[\]<>])")  # what Markdown (and the HTML inside it) acts on
SAFE_URL = re.compile(r"https?://[^\s<>]+", re.IGNORECASE)


def md_text(text: str) -> str:
    """Text from rows (articles, outlets, watch titles) made inert in Markdown: no raw HTML,
    links or emphasis from an article reaches a viewer; the characters read the same."""
    return MD_SPECIAL.sub(r"\\\1", text)


@dataclass(slots=True)
class Note:
    text: str  # what the evidence is
    refs: list[str]  # ids: flight:…, event:…, change:…, news:…
    url: str | None = None
    quote: str | None = None


@dataclass(slots=True)
class Sentence:
    text: str
    notes: list[int]  # footnote numbers


@dataclass(slots=True)
class Brief:
    title: str
    paragraphs: list[list[Sentence]] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    empty: str = NOTHING  # what the brief says when it has no sentence
    warnings: list[str] = field(default_factory=list)  # stale tables, and how to refresh them

    def cite(self, note: Note) -> int:
        self.notes.append(note)
        return len(self.notes)

    def say(self, text: str, notes: list[Note | None]) -> Sentence | None:
        """A sentence with its footnotes; none without evidence."""
        notes = [n for n in notes if n is not None]
        if not notes:
            return None
        return Sentence(text, [self.cite(n) for n in notes])

    def markdown(self) -> str:
        m = md_text
        out = [f"# {m(self.title)}", ""]
        out += [f"> **Note:** {w}\n" for w in self.warnings]  # our own words, Markdown meant
        if not self.paragraphs:
            out += [f"_{m(self.empty)}_", ""]
        for para in self.paragraphs:
            out.append(" ".join(f"{m(s.text)}{''.join(f'[^{n}]' for n in s.notes)}" for s in para))
            out.append("")
        for i, n in enumerate(self.notes, 1):
            url = n.url and (f" <{n.url}>" if SAFE_URL.fullmatch(n.url) else f" {m(n.url)}")
            quote = f' — "{m(n.quote)}"' if n.quote else ""
            out.append(f"[^{i}]: {m(n.text)}{url or ''}{quote} ({', '.join(n.refs)})")
        return "\n".join(out) + "\n"

    def as_dict(self) -> dict:
        return {
            "title": self.title,
            "warnings": self.warnings,
            "paragraphs": [
                [{"text": s.text, "notes": s.notes} for s in p] for p in self.paragraphs
            ],
            "notes": [
                {"n": i, "text": n.text, "refs": n.refs, "url": n.url, "quote": n.quote}
                for i, n in enumerate(self.notes, 1)
            ],
        }

    def flight_ids(self) -> list[str]:
        return [r[7:] for n in self.notes for r in n.refs if r.startswith("flight:")]

    def html(self, chart_svg: str = "", map_svg: str = "", timeline: list[tuple] = ()) -> str:
        """One self-contained page: text with footnotes, map, chart and timeline (all article
        text escaped; nothing fetched, no scripts)."""
        e = html.escape
        body = [f"<h1>{e(self.title)}</h1>"]
        body += [f"<p class='note'><strong>Note:</strong> {e(w)}</p>" for w in self.warnings]
        if not self.paragraphs:
            body.append(f"<p><em>{e(self.empty)}</em></p>")
        if map_svg:
            body.append(
                f"<figure>{map_svg}<figcaption>Flights cited in the brief</figcaption></figure>"
            )
        if chart_svg:
            body.append(f"<figure>{chart_svg}</figure>")
        for para in self.paragraphs:
            body.append(
                "<p>"
                + " ".join(
                    e(s.text)
                    + "<sup>"
                    + ",".join(f'<a href="#n{n}">{n}</a>' for n in s.notes)
                    + "</sup>"
                    for s in para
                )
                + "</p>"
            )
        body.append("<ol class='notes'>")
        for i, n in enumerate(self.notes, 1):
            web = n.url and n.url.lower().startswith(("https://", "http://"))
            link = (
                f' <a href="{e(n.url)}">{e(n.url)}</a>'
                if web
                else (f" {e(n.url)}" if n.url else "")
            )
            quote = f" — <q>{e(n.quote)}</q>" if n.quote else ""
            body.append(
                f"<li id='n{i}'>{e(n.text)}{link}{quote} <small>{e(', '.join(n.refs))}</small></li>"
            )
        body.append("</ol>")
        if timeline:
            body.append(
                "<h2>Timeline</h2><table><tr><th>UTC</th><th>days after</th><th></th><th></th></tr>"
            )
            for ts, gap, kind, title in timeline:
                body.append(
                    f"<tr><td>{e(ts)}</td><td>{e(gap)}</td><td>{e(kind)}</td><td>{e(title)}</td></tr>"
                )
            body.append("</table>")
        return (
            "<!doctype html><html><head><meta charset='utf-8'>"
            # nothing runs and nothing is fetched, even if some text escaped its escaping
            "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
            "style-src 'unsafe-inline'; img-src data:\"><title>"
            + e(self.title)
            + "</title><style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
            "small{color:#666}</style></head><body>" + "".join(body) + "</body></html>\n"
        )


def _flight_note(store: Store, flight_id: str, how: str) -> Note | None:
    """The footnote of a stored flight; None when the flight is not (or no longer) stored."""
    row = store.con.execute(
        """
        SELECT f.icao24, a.registration, f.origin, f.destination, f.takeoff_ts, f.landing_ts,
               f.first_seen, f.last_seen
        FROM flights f LEFT JOIN aircraft a USING (icao24) WHERE f.flight_id = ?
        """,
        [flight_id],
    ).fetchone()
    if row is None:
        return None
    icao, reg, org, dst, t_off, t_on, first, last = row
    a = f"{org} {t_off:%d %b %H:%M}Z" if org and t_off else f"first seen {first:%d %b %H:%M}Z"
    b = f"{dst} {t_on:%d %b %H:%M}Z" if dst and t_on else f"last seen {last:%d %b %H:%M}Z"
    return Note(f"flight of {reg or icao}, {a} → {b} ({how})", [f"flight:{flight_id}"])


def _named(src: str) -> str:
    """A source told inside a sentence: a description keeps its article small ('an anonymous
    source close to the Kremlin'), a name stays as written ('The Moscow Times')."""
    first, _, rest = (src or "").partition(" ")
    if first in ("A", "An", "The") and rest[:1].islower():
        return first.lower() + " " + rest
    return src


def _news_notes(row) -> list[Note]:
    out = []
    for src, outlet, url, sentence, ref in zip(
        row.sources, row.outlets, row.urls, row.sentences, row.refs, strict=False
    ):
        who = outlet if not outlet or outlet == src else f"{outlet}, citing {_named(src)}"
        out.append(Note(who or src, [ref], url or None, " ".join((sentence or "").split())))
    return out


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _sources_words(sources: list[str], outlets: list[str]) -> str:
    """'reported by one source (Bloomberg, via Capitals Daily and Open Skies Notebook)': sources
    are counted by origin, so outlets repeating one report count once."""
    orig = origins(sources, outlets)
    n = len(orig)
    sep = "; " if any(orig.values()) else ", "
    items = sep.join(
        _named(src) + (f", via {_and(via)}" if via else "") for src, via in orig.items()
    )
    return f"reported by {'one source' if n == 1 else f'{n} sources'} ({items})"


_VERBS = {
    "meeting": "met",
    "visit": "met on a visit",
    "negotiation": "held talks",
    "agreement": "reached an agreement",
}


def _names(row) -> list[str]:
    """The people (or countries) a news item names as its parties."""
    return [a for a in (row.actors if row.actors is not None else ()) if a]


def _text(value) -> str | None:
    """A text cell of the timeline frame (missing values come back as NaN or None)."""
    return value if isinstance(value, str) and value else None


def _happened(row) -> str:
    """'Ahmed al-Sharaa and Vladimir Putin met in Moscow' from a timeline news item."""
    where = f" in {_text(row.place)}" if _text(row.place) else ""
    return f"{_and(_names(row))} {_VERBS[row.subtype]}{where}"


def _date(ts: datetime) -> str:
    return f"{ts.day} {ts:%B %Y}"


def _span(a: datetime, b: datetime) -> str:
    """'on 26 October 2025', 'between 24 and 29 October 2025', 'between 30 October and 2
    November 2025'."""
    if a.date() == b.date():
        return f"on {_date(a)}"
    if (a.year, a.month) == (b.year, b.month):
        return f"between {a.day} and {_date(b)}"
    if a.year == b.year:
        return f"between {a.day} {a:%B} and {_date(b)}"
    return f"between {_date(a)} and {_date(b)}"


def when(a: datetime, b: datetime, precision: str | None) -> str:
    """A news date told with the precision the article gave it: 'on 15 October 2025', 'in late
    October 2025', 'earlier in October 2025', 'in October 2025', 'in the week of 20 October
    2025', 'in 2025', or a span; never a day the article did not give."""
    import calendar

    if precision in (None, "", "day") or a.date() == b.date():
        return _span(a, b)
    last = calendar.monthrange(a.year, a.month)[1]
    one_month = (a.year, a.month) == (b.year, b.month)
    if precision == "month" and one_month:
        part = {(1, 10): "early ", (11, 20): "mid-", (21, last): "late ", (1, last): ""}
        word = part.get((a.day, b.day))
        if word is not None:
            return f"in {word}{a:%B %Y}"
        if a.day == 1:
            return f"earlier in {a:%B %Y}"  # "earlier this month": the 1st to the day before
    if precision == "week":
        return f"in the week of {_date(a)}"
    if precision == "year" and (a.month, a.day, b.month, b.day) == (1, 1, 12, 31):
        return f"in {a.year}"
    return _span(a, b)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _prec(row) -> str | None:
    return _text(getattr(row, "date_precision", None))


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.casefold())


WORDS = {1: "One", 2: "Two", 3: "Three", 4: "Four", 5: "Five", 6: "Six"}
LINKED = {"resumption", "surge"}  # changes told with the arrivals that follow them


def _changes(store: Store, watch: Watch, since, until) -> list[tuple]:
    """The watch's changes that fall in (or, for spans, overlap) the window."""
    return store.con.execute(
        f"""
        SELECT change_id, kind, start_ts, end_ts, days, summary, event_ids, flight_ids
        FROM base_changes WHERE watch = ? AND kind IN {CHANGE_KINDS}
          AND start_ts < coalesce(?, start_ts + INTERVAL 1 SECOND)
          -- a resumption is a moment; gaps, stops, surges and drops are spans (a stop goes on)
          AND CASE WHEN kind = 'resumption' THEN start_ts
                   ELSE coalesce(end_ts, 'infinity'::TIMESTAMPTZ) END >= coalesce(?, start_ts)
        ORDER BY start_ts
        """,
        [watch.name, until, since],
    ).fetchall()


def _months(days: float) -> str:
    """' (about six and a half months)' beside long spells, so a reader need not count."""
    halves = round(days / 30.44 * 2)
    if days < 60 or halves < 4:
        return ""
    word = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}
    whole = word.get(halves // 2, str(halves // 2))
    return f" (about {whole}{' and a half' if halves % 2 else ''} months)"


def _change_lead(brief: Brief, store: Store, watch: Watch, change: tuple) -> Sentence | None:
    cid, kind, when, _end, days, summary, eids, fids = change
    note = Note(f"change: {kind}", [f"change:{cid}"])
    if kind == "resumption":
        first = (
            store.con.execute(
                "SELECT event_type FROM airfield_events WHERE event_id = ?", [eids[0]]
            ).fetchone()[0]
            if eids
            else "landing"
        )
        how = "inferred" if "inferred" in first else "observed"
        text = (
            f"Movements of {watch.describe()} at {place(watch.base)} resumed on {_date(when)} "
            f"after {days:.0f} days{_months(days)} without one ({how} in flight data)."
        )
        return brief.say(text, [note] + [_flight_note(store, f, how) for f in fids])
    # gaps, stops, surges and drops: the change's own sentence, with up to 12 of its flights
    text = summary.replace(f" at {watch.base} ", f" at {place(watch.base)} ", 1)
    return brief.say(text, [note] + [_flight_note(store, f, "cited") for f in fids[:12]])


def _arrivals(brief: Brief, store: Store, watch: Watch, when, until) -> list[Sentence | None]:
    """The flights into the base after a change, by type, and each route through the base."""
    routes = store.con.execute(
        """
        SELECT coalesce(r.registration, r.icao24), r.type_code, a.description, r.origin,
               r.origin_how, r.arrival_ts, r.arrival_how, r.departure_ts, r.destination,
               r.destination_how, r.arrival_flight_id, r.departure_flight_id
        FROM base_routes r LEFT JOIN aircraft a USING (icao24)
        WHERE r.watch = ? AND r.arrival_ts >= ? - INTERVAL 1 HOUR AND r.arrival_ts < ?
        ORDER BY r.arrival_ts
        """,
        [watch.name, when, until],
    ).fetchall()
    by_type: dict[str, list] = {}
    for r in routes:
        by_type.setdefault(r[2] or r[1] or "aircraft", []).append(r)
    out: list[Sentence | None] = []
    for name, rows in by_type.items():
        through = [
            r
            for r in rows
            if r[3] and r[8] and r[3] != watch.base and r[8] != watch.base and r[3] != r[8]
        ]
        if len(rows) > 1 or not through:  # one flight with its route is told by the route
            n = len(rows)
            regs = "; ".join(
                f"{r[0]} on {r[5].day} {r[5]:%B}" + (" (inferred)" if "inferred" in r[6] else "")
                for r in rows
            )
            out.append(
                brief.say(
                    f"{WORDS.get(n, str(n))} {name} flight{'s' if n > 1 else ''} arrived "
                    f"{_span(rows[0][5], rows[-1][5])} ({regs}).",
                    [_flight_note(store, r[10], r[6].replace("_", " ")) for r in rows],
                )
            )
        for r in through:
            left = "the same day" if r[7].date() == r[5].date() else f"on {_date(r[7])}"
            out.append(
                brief.say(
                    f"{r[0]} ({name}) came from {place(r[3])} ({r[4]}), landed at {watch.base} "
                    f"on {_date(r[5])} and left {left} for {place(r[8])} ({r[9]}).",
                    [_flight_note(store, r[10], r[4]), _flight_note(store, r[11], r[9])],
                )
            )
    return out


NEAR_BASE_NM = 30.0  # a place this close to the base (Latakia for Khmeimim) names it


def _at_base(name: str | None, base: str) -> bool:
    """Whether a news item's place is the base: its code, or a listed place close to it."""
    if not name:
        return False
    if name.upper() == base:
        return True
    ref = load_reference()
    p = ref.places.get(name)
    if p is None or p.lat is None:
        return False
    af = ref.airfield(base)
    return float(haversine_nm(p.lat, p.lon, af.lat, af.lon)) <= NEAR_BASE_NM


def _news_of_flights(brief: Brief, store: Store, watch: Watch, rows) -> list:
    """News of flights at the base set against the flight data: the arrivals of the types the
    articles name on the days they give, or the plain statement that the data hold none. A
    report whose arrivals a wider report already matched adds its sources to that sentence."""
    items = []
    for row in rows:
        if not _at_base(_text(row.place), watch.base):
            continue  # flights told of elsewhere are not this base's
        types = [t for t in (row.aircraft if row.aircraft is not None else ()) if t]
        if any(re.search(r"\d", t) for t in types):  # "Ruslan" beside "An-124-100": one type
            types = [t for t in types if re.search(r"\d", t)]
        if not types:
            continue
        d0 = row.ts
        d1 = row.ts_end if row.ts_end is not None and not pd.isna(row.ts_end) else d0
        seen = store.con.execute(
            """
            SELECT r.arrival_flight_id, coalesce(r.registration, r.icao24),
                   coalesce(a.description, r.type_code),
                   r.type_code, r.arrival_ts, r.arrival_how
            FROM base_routes r LEFT JOIN aircraft a USING (icao24)
            WHERE r.watch = ? AND r.arrival_ts >= ? AND r.arrival_ts < ? + INTERVAL 1 DAY
            ORDER BY r.arrival_ts
            """,
            [watch.name, d0, d1],
        ).fetchall()
        wanted = {_norm(t) for t in types}
        match = [
            r for r in seen if any(w in _norm(r[2] or "") or w == _norm(r[3] or "") for w in wanted)
        ]
        items.append((d0, d1, types, match, [row]))
    items.sort(key=lambda it: (it[0] - it[1], it[0]))  # widest span first
    kept: list = []
    for it in items:
        ids = {r[0] for r in it[3]}
        home = next((k for k in kept if ids and ids <= {r[0] for r in k[3]}), None)
        if home is not None:
            home[4].extend(it[4])
        else:
            kept.append(it)
    out = []
    for d0, d1, types, match, group in kept:
        span = when(d0, d1, _prec(group[0]))
        srcs = [x for r in group for x in r.sources]
        outs = [x for r in group for x in r.outlets]
        told = f"The news told of {_and(types)} flights at {watch.base} {span}, {_sources_words(srcs, outs)}"
        notes = [n for r in group for n in _news_notes(r)]
        if match:
            regs = _and([f"{r[1]} on {r[4].day} {r[4]:%B}" for r in match])
            n = len(match)
            text = f"{told}; the flight data show {n} such arrival{'s' if n > 1 else ''}: {regs}."
            notes += [_flight_note(store, r[0], r[5].replace("_", " ")) for r in match]
        else:
            text = f"{told}; the flight data hold no arrival of that type at {watch.base} then."
        out.append((d0, brief.say(text, notes)))
    return out


QUIET_DAYS = 14  # without a window or a change, the movements of the data's last two weeks


def _without_change(brief: Brief, store: Store, watch: Watch, since, until) -> tuple | None:
    """A window without a change still tells its movements and routes (and the news, around
    its first arrival); a window in which the base was never observable says so. Returns the
    moment the news is told around and its name, or None when there is nothing to tell."""
    days, seen = store.con.execute(
        "SELECT count(*), count(*) FILTER (WHERE observable) FROM base_days WHERE base = ? "
        "AND day >= CAST(coalesce(?, '-infinity'::TIMESTAMPTZ) AS DATE) "
        "AND day < CAST(coalesce(?, 'infinity'::TIMESTAMPTZ) AS DATE)",
        [watch.base, since, until],
    ).fetchone()
    if not seen:
        brief.empty = (
            f"There is no coverage of {watch.base} in this window: the base was observable on "
            f"none of its {count(days, 'day')} in the data, so its movements cannot be told."
            if days
            else f"There is no flight data around {watch.base} in this window, so its "
            "movements cannot be told."
        )
        return None
    last = store.con.execute(
        "SELECT max(arrival_ts) FROM base_routes WHERE watch = ? AND arrival_ts < "
        "coalesce(?, 'infinity'::TIMESTAMPTZ)",
        [watch.name, until],
    ).fetchone()[0]
    start = since or (last - timedelta(days=QUIET_DAYS) if last else None)
    first = store.con.execute(
        "SELECT min(arrival_ts) FROM base_routes WHERE watch = ? AND arrival_ts >= ? "
        "AND arrival_ts < coalesce(?, 'infinity'::TIMESTAMPTZ)",
        [watch.name, start, until],
    ).fetchone()[0]
    brief.empty = (
        f"No change was found in this window and no arrival of {watch.describe()} was seen "
        f"at {watch.base}; the base was observable on {seen} of its {count(days, 'day')}."
    )
    if first is None:
        return (start, "the start of this window") if start else None
    stop = until or datetime.max.replace(tzinfo=first.tzinfo)
    para = [s for s in _arrivals(brief, store, watch, first, stop) if s]
    if para:
        brief.paragraphs.append(para)
    return first, "the first of these arrivals"


def build_brief(store: Store, watch: Watch, since=None, until=None) -> Brief:
    con = store.con
    brief = Brief(title=f"{place(watch.base)}: {watch.title}")
    tl = (
        con.execute("SELECT * FROM timeline WHERE watch = ? ORDER BY ts", [watch.name])
        .to_arrow_table()
        .to_pandas()
    )
    if since is not None:
        tl = tl[tl["ts"] >= since]
    if until is not None:
        tl = tl[tl["ts"] < until]
    changes = _changes(store, watch, since, until)
    # a gap is told by the resumption that ends it
    ends = {c[2] for c in changes if c[1] == "resumption"}
    told = [(c[2], c[3]) for c in changes if c[1] == "gap" and c[3] in ends]
    changes = [
        c
        for c in changes
        if not (c[1] == "gap" and c[3] in ends)
        and not (c[1] == "drop" and any(a <= c[2] < b for a, b in told))
    ]
    for i, ch in enumerate(changes):
        para = [_change_lead(brief, store, watch, ch)]
        if ch[1] in LINKED:
            nxt = changes[i + 1][2] if i + 1 < len(changes) else None
            stop = ch[2] + timedelta(days=14)
            para += _arrivals(brief, store, watch, ch[2], min(stop, nxt) if nxt else stop)
        brief.paragraphs.append([s for s in para if s])
    if changes:
        # the news around the latest resumption (else the latest change): before and after,
        # with the interval and the sources
        anchor = next((c for c in reversed(changes) if c[1] == "resumption"), changes[-1])
        when, word = anchor[2], {"gap": "the gap"}.get(anchor[1], f"the {anchor[1]}")
    else:
        quiet = _without_change(brief, store, watch, since, until)
        if quiet is None:
            return brief
        when, word = quiet

    def rel(ts) -> str:
        delta = (when.date() - ts.date()).days
        return (
            f"{delta} days before {word}" if delta > 0 else
            f"{-delta} days after {word}" if delta < 0 else f"the same day as {word}"
        )  # fmt: skip

    news = tl[(tl["kind"] == "news")]
    near = news[(abs((news["ts"] - when).dt.total_seconds()) <= WINDOW_DAYS * 86400)]
    # one sentence per encounter: the same people on the same day, however each article typed
    # it (meeting, visit, talks), told as the type and place most sources give, with all sources
    encounters: dict[tuple, list] = {}
    statements: dict[tuple, list] = {}
    for row in near.itertuples():
        if row.subtype in _VERBS:
            names = frozenset(_names(row))
            if len(names) < 2:
                continue  # an event without its parties named is not told
            encounters.setdefault((row.ts.date(), names), []).append(row)
        elif row.subtype == "statement" and row.speaker:
            # an undated statement is kept apart: its item's time is only when it was reported
            day = None if _prec(row) == "unknown" else row.ts.date()
            statements.setdefault((day, row.speaker), []).append(row)
    context = []
    for rows in encounters.values():
        best = max(
            rows, key=lambda r: (len(set(r.sources)), r.subtype == "meeting", bool(_text(r.place)))
        )
        notes = [n for r in rows for n in _news_notes(r)]
        srcs = [x for r in rows for x in r.sources]
        outs = [x for r in rows for x in r.outlets]
        d1 = best.ts_end if best.ts_end is not None and not pd.isna(best.ts_end) else None
        if _prec(best) in (None, "day") or d1 is None:
            text = f"On {_date(best.ts)}, {rel(best.ts)}, {_happened(best)}; "
        else:  # "in late October 2025", never a day the articles did not give
            text = f"{_cap(when(best.ts, d1, _prec(best)))}, {_happened(best)}; "
        text += f"{_sources_words(srcs, outs)}."
        context.append((best.ts, brief.say(text, notes)))
    flights_news = near[near["subtype"].isin(["flight", "military_movement"])]
    reports = _news_of_flights(brief, store, watch, list(flights_news.itertuples()))
    said = []
    # one sentence per speaker and day, each wording with the outlets that give it
    for (day, speaker), rows in statements.items():
        quotes = []
        for r in rows:
            outs = sorted({o or s for o, s in zip(r.outlets, r.sources, strict=False)})
            q = wording(r.quote, r.sentences[0] if len(r.sentences) else None)
            quotes.append(f"{q} ({', '.join(outs)})" if len(rows) > 1 else q)
        srcs = [x for r in rows for x in r.sources]
        outs = [x for r in rows for x in r.outlets]
        ts = rows[0].ts
        d1 = rows[0].ts_end
        if day is None:  # the articles give no date: never told as if said on publication day
            reported = sorted({r.ts.date() for r in rows})
            on = "In an undated statement reported " + (
                f"on {_date(ts)}"
                if len(reported) == 1
                else _span(min(r.ts for r in rows), max(r.ts for r in rows))
            )
        elif _prec(rows[0]) in (None, "day") or d1 is None or pd.isna(d1):
            on = f"On {_date(ts)} ({rel(ts)})"
        else:
            on = _cap(when(ts, d1, _prec(rows[0])))
        text = f"{on}, {speaker} said {_and(quotes)}; {_sources_words(srcs, outs)}."
        said.append((ts, brief.say(text, [n for r in rows for n in _news_notes(r)])))
    for group in (context, reports, said):
        sentences = [s for _, s in sorted(group, key=lambda x: x[0]) if s]
        if sentences:
            brief.paragraphs.append(sentences)
    return brief


def brief_json(b: Brief) -> str:
    return json.dumps(b.as_dict(), ensure_ascii=False, indent=2)
