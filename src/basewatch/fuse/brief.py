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
from dataclasses import dataclass, field
from datetime import datetime

from ..report import place
from ..store import Store
from ..watches import Watch

WINDOW_DAYS = 30  # news this close to the resumption is told around it


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

    def cite(self, note: Note) -> int:
        self.notes.append(note)
        return len(self.notes)

    def say(self, text: str, notes: list[Note]) -> Sentence | None:
        """A sentence with its footnotes; none without evidence."""
        if not notes:
            return None
        return Sentence(text, [self.cite(n) for n in notes])

    def markdown(self) -> str:
        out = [f"# {self.title}", ""]
        for para in self.paragraphs:
            out.append(" ".join(f"{s.text}{''.join(f'[^{n}]' for n in s.notes)}" for s in para))
            out.append("")
        for i, n in enumerate(self.notes, 1):
            extra = f" <{n.url}>" if n.url else ""
            quote = f' — "{n.quote}"' if n.quote else ""
            out.append(f"[^{i}]: {n.text}{extra}{quote} ({', '.join(n.refs)})")
        return "\n".join(out) + "\n"

    def as_dict(self) -> dict:
        return {
            "title": self.title,
            "paragraphs": [
                [{"text": s.text, "notes": s.notes} for s in p] for p in self.paragraphs
            ],
            "notes": [
                {"n": i, "text": n.text, "refs": n.refs, "url": n.url, "quote": n.quote}
                for i, n in enumerate(self.notes, 1)
            ],
        }

    def flight_ids(self) -> list[int]:
        return [int(r[7:], 16) for n in self.notes for r in n.refs if r.startswith("flight:")]

    def html(self, chart_svg: str = "", map_svg: str = "", timeline: list[tuple] = ()) -> str:
        """One self-contained page: text with footnotes, map, chart and timeline (all article
        text escaped; nothing fetched, no scripts)."""
        e = html.escape
        body = [f"<h1>{e(self.title)}</h1>"]
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
                    e(s.text) + "".join(f'<sup><a href="#n{n}">{n}</a></sup>' for n in s.notes)
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


def _flight_note(store: Store, flight_id: int, how: str) -> Note:
    row = store.con.execute(
        """
        SELECT f.icao24, a.registration, f.origin, f.destination, f.takeoff_ts, f.landing_ts,
               f.first_seen, f.last_seen
        FROM flights f LEFT JOIN aircraft a USING (icao24) WHERE f.flight_id = ?
        """,
        [flight_id],
    ).fetchone()
    icao, reg, org, dst, t_off, t_on, first, last = row
    a = f"{org} {t_off:%d %b %H:%M}Z" if org and t_off else f"first seen {first:%d %b %H:%M}Z"
    b = f"{dst} {t_on:%d %b %H:%M}Z" if dst and t_on else f"last seen {last:%d %b %H:%M}Z"
    return Note(f"flight of {reg or icao}, {a} → {b} ({how})", [f"flight:{flight_id:016x}"])


def _news_notes(row) -> list[Note]:
    out = []
    for src, url, sentence, ref in zip(
        row.sources, row.urls, row.sentences, row.refs, strict=False
    ):
        out.append(Note(f"{src}", [ref], url or None, " ".join((sentence or "").split())))
    return out


def _sources_words(sources: list[str]) -> str:
    names = sorted(set(s for s in sources if s))
    if len(names) == 1:
        return f"reported by one source ({names[0]})"
    return f"reported by {len(names)} sources ({', '.join(names)})"


_VERBS = {
    "meeting": "met",
    "visit": "met on a visit",
    "negotiation": "held talks",
    "agreement": "reached an agreement",
}


def _names(row) -> list[str]:
    head = row.title.split(", reported by")[0].split(": ", 1)[-1]
    who = head.partition(" in ")[0]
    return [x.strip() for x in who.split(",") if x.strip() and x.strip() != "unnamed parties"]


def _happened(row) -> str:
    """'Ahmed al-Sharaa and Vladimir Putin met in Moscow' from a timeline news item's title."""
    head = row.title.split(", reported by")[0].split(": ", 1)[-1]
    who, _, where = head.partition(" in ")
    where = where.split(" (")[0]
    names = [x.strip() for x in who.split(",") if x.strip() and x.strip() != "unnamed parties"]
    if not names:
        subject = "unnamed parties"
    elif len(names) == 1:
        subject = names[0]
    else:
        subject = ", ".join(names[:-1]) + " and " + names[-1]
    return f"{subject} {_VERBS[row.subtype]}" + (f" in {where}" if where else "")


def _date(ts: datetime) -> str:
    return f"{ts.day} {ts:%B %Y}"


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
    res = con.execute(
        "SELECT change_id, start_ts, days, summary, event_ids, flight_ids FROM base_changes "
        "WHERE watch = ? AND kind = 'resumption' AND start_ts >= coalesce(?, start_ts) "
        "AND start_ts < coalesce(?, start_ts + INTERVAL 1 SECOND) ORDER BY start_ts DESC LIMIT 1",
        [watch.name, since, until],
    ).fetchone()
    if res is None:
        para = []
        for row in tl.itertuples():
            if row.kind == "change":
                s = brief.say(row.title, [Note("change", list(row.refs))])
                if s:
                    para.append(s)
        brief.paragraphs.append(para)
        return brief
    cid, when, days, _summary, eids, fids = res
    first = (
        con.execute(
            "SELECT event_type FROM airfield_events WHERE event_id = ?", [eids[0]]
        ).fetchone()[0]
        if eids
        else "landing"
    )
    how = "inferred" if "inferred" in first else "observed"
    lead = brief.say(
        f"Movements of {watch.describe()} at {place(watch.base)} resumed on {_date(when)} after "
        f"{days:.0f} days without one ({how} in flight data).",
        [Note("change: resumption", [f"change:{cid:016x}"])]
        + [_flight_note(store, f, how) for f in fids],
    )
    para = [lead]
    # the flights after the resumption, by type, with the routes through the base
    routes = con.execute(
        """
        SELECT r.registration, r.type_code, a.description, r.origin, r.origin_how, r.arrival_ts,
               r.arrival_how, r.departure_ts, r.destination, r.destination_how,
               r.arrival_flight_id, r.departure_flight_id
        FROM base_routes r LEFT JOIN aircraft a USING (icao24)
        WHERE r.watch = ? AND r.arrival_ts >= ? - INTERVAL 1 HOUR AND r.arrival_ts < ? + INTERVAL 14 DAY
        ORDER BY r.arrival_ts
        """,
        [watch.name, when, when],
    ).fetchall()
    by_type: dict[str, list] = {}
    for r in routes:
        by_type.setdefault(r[2] or r[1] or "aircraft", []).append(r)
    for name, rows in by_type.items():
        n = len(rows)
        regs = "; ".join(
            f"{r[0]} on {r[5].day} {r[5]:%B}" + (" (inferred)" if "inferred" in r[6] else "")
            for r in rows
        )
        word = {1: "One", 2: "Two", 3: "Three", 4: "Four"}.get(n, str(n))
        when_text = (
            f"on {_date(rows[0][5])}"
            if rows[0][5].date() == rows[-1][5].date()
            else f"between {rows[0][5].day} and {_date(rows[-1][5])}"
        )
        s = brief.say(
            f"{word} {name} flight{'s' if n > 1 else ''} arrived {when_text} ({regs}).",
            [_flight_note(store, r[10], r[6].replace("_", " ")) for r in rows],
        )
        para.append(s)
        for r in rows:
            if r[3] and r[8] and r[3] != watch.base and r[8] != watch.base and r[3] != r[8]:
                s = brief.say(
                    f"{r[0]} ({name}) came from {place(r[3])} ({r[4]}), landed at {watch.base} on "
                    f"{_date(r[5])} and left {'the same day' if r[7].date() == r[5].date() else f'on {_date(r[7])}'} "
                    f"for {place(r[8])} ({r[9]}).",
                    [_flight_note(store, r[10], r[4]), _flight_note(store, r[11], r[9])],
                )
                para.append(s)
    brief.paragraphs.append([s for s in para if s])
    # the news around it: before and after, with the interval and the sources
    news = tl[(tl["kind"] == "news")]
    near = news[(abs((news["ts"] - when).dt.total_seconds()) <= WINDOW_DAYS * 86400)]
    context, said = [], []
    # one sentence per encounter: the same people on the same day, however each article typed
    # it (meeting, visit, talks), told as the type and place most sources give, with all sources
    encounters: dict[tuple, list] = {}
    for row in near.itertuples():
        if row.subtype in ("meeting", "visit", "agreement", "negotiation"):
            names = frozenset(_names(row))
            if len(names) < 2:
                continue  # an event without its parties named is not told
            encounters.setdefault((row.ts.date(), names), []).append(row)
    for rows in encounters.values():
        best = max(rows, key=lambda r: (len(set(r.sources)), r.subtype == "meeting"))
        notes = [n for r in rows for n in _news_notes(r)]
        sources = [x for r in rows for x in r.sources]
        context.append((best.ts, _happened(best), sources, notes))
    for row in near.itertuples():
        if row.subtype == "statement":
            text = row.title.split(", reported by")[0]
            speaker, _, quote = text.removeprefix("statement by ").partition(": ")
            if speaker.startswith("an unnamed"):
                continue
            said.append((row.ts, f"{speaker} said {quote}", list(row.sources), _news_notes(row)))

    def rel(ts) -> str:
        delta = (when.date() - ts.date()).days
        return (
            f"{delta} days before the resumption" if delta > 0 else
            f"{-delta} days after the resumption" if delta < 0 else "the same day as the resumption"
        )  # fmt: skip

    context = [
        brief.say(f"On {_date(ts)}, {rel(ts)}, {text}; {_sources_words(src)}.", notes)
        for ts, text, src, notes in sorted(context, key=lambda x: x[0])
    ]
    said = [
        brief.say(f"On {_date(ts)} ({rel(ts)}), {text}; {_sources_words(src)}.", notes)
        for ts, text, src, notes in sorted(said, key=lambda x: x[0])
    ]
    if context:
        brief.paragraphs.append([s for s in context if s])
    if said:
        brief.paragraphs.append([s for s in said if s])
    return brief


def brief_json(b: Brief) -> str:
    return json.dumps(b.as_dict(), ensure_ascii=False, indent=2)
