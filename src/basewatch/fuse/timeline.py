"""One watch's timeline: its changes, the movements of its aircraft, and the news around them.

reads:   base_changes, base_routes, news_events, news_entities, articles
writes:  timeline

News events are linked to a watch by place (the base itself, or a place in the base's country),
or by actors (a country of the watch's aircraft or of the base among the event's actors, people
counted by the country the news gives them), and by time (within ``window_days`` of the watch's
changes). The same event reported by several articles is one item with all its sources, so a
brief can say whether one source or several report it. Items are ordered by time, each with the
days since the one before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyarrow as pa

from .. import schema
from ..airfields import load_reference
from ..news.merge import Report, merge_reports
from ..news.participants import place_keys
from ..stages.changes import KINDS as CHANGE_KINDS
from ..store import Store
from ..watches import Watch

MOVES = ("flight", "military_movement", "deployment", "withdrawal", "evacuation", "exercise")


@dataclass(frozen=True, slots=True)
class TimelineParams:
    window_days: float = 45.0  # news this close (before or after) to the watch's changes
    fallback_days: float = 90.0  # with no change: the last days of the data


def _day(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text).replace(tzinfo=UTC) if text else None


def _people_countries(store: Store) -> dict[str, str]:
    rows = store.con.execute(
        """
        SELECT canonical, mode(country) FROM news_entities
        WHERE label = 'person' AND country IS NOT NULL GROUP BY canonical
        """
    ).fetchall()
    return dict(rows)


def _span(store: Store, watch: Watch, params: TimelineParams) -> tuple[datetime, datetime] | None:
    """Around the watch's latest change (older ones have their own window), else the last days
    of the data."""
    latest, last_end = store.con.execute(
        f"SELECT max(start_ts), max(coalesce(end_ts, start_ts)) FROM base_changes "
        f"WHERE watch = ? AND kind IN {CHANGE_KINDS}",
        [watch.name],
    ).fetchone()
    pad = timedelta(days=params.window_days)
    if latest is not None:
        return latest - pad, last_end + pad
    end = store.con.execute(
        "SELECT max(day) FROM base_days WHERE base = ?", [watch.base]
    ).fetchone()[0]
    if end is None:
        return None
    end = datetime.combine(end, datetime.min.time(), UTC) + timedelta(days=1)
    return end - timedelta(days=params.fallback_days), end


def build_timeline(
    store: Store, watch: Watch, params: TimelineParams = TimelineParams()
) -> pa.Table:
    """Compute and store the watch's timeline; returns it."""
    con = store.con
    items: list[dict] = []
    span = _span(store, watch, params)
    if span is not None:
        lo, hi = span
        items += _changes(store, watch, lo, hi)
        items += _movements(store, watch, lo, hi)
        items += _news(store, watch, lo, hi)
    items.sort(key=lambda r: (r["ts"], {"news": 0, "change": 1, "movement": 2}[r["kind"]]))
    prev = None
    for it in items:
        it["days_after_prev"] = (it["ts"] - prev).total_seconds() / 86400 if prev else None
        prev = it["ts"]
    con.execute("DELETE FROM timeline WHERE watch = ?", [watch.name])
    table = (
        pa.Table.from_pylist(items, schema=schema.TIMELINE)
        if items
        else schema.empty(schema.TIMELINE)
    )
    if items:
        con.register("_tl", table)
        con.execute("INSERT INTO timeline SELECT * FROM _tl")
        con.unregister("_tl")
    return table


def _item(watch: Watch, ts, kind, subtype, title, refs, **kw) -> dict:
    return {
        "watch": watch.name,
        "base": watch.base,
        "ts": ts,
        "ts_end": kw.get("ts_end"),
        "kind": kind,
        "subtype": subtype,
        "title": title,
        "link": kw.get("link"),
        "refs": refs,
        "sources": kw.get("sources"),
        "urls": kw.get("urls"),
        "sentences": kw.get("sentences"),
        "outlets": kw.get("outlets"),
        "actors": kw.get("actors"),
        "place": kw.get("place"),
        "speaker": kw.get("speaker"),
        "quote": kw.get("quote"),
        "aircraft": kw.get("aircraft"),
        "date_precision": kw.get("date_precision"),
    }


def _changes(store: Store, watch: Watch, lo, hi) -> list[dict]:
    rows = store.con.execute(
        f"""
        SELECT change_id, kind, start_ts, summary, event_ids, flight_ids FROM base_changes
        WHERE watch = ? AND kind IN {CHANGE_KINDS} AND coalesce(end_ts, start_ts) >= ? AND start_ts <= ?
        """,
        [watch.name, lo, hi],
    ).fetchall()
    return [
        _item(watch, ts, "change", kind, summary,
              [f"change:{cid}", *(f"event:{e}" for e in eids), *(f"flight:{f}" for f in fids)])
        for cid, kind, ts, summary, eids, fids in rows
    ]  # fmt: skip


def _movements(store: Store, watch: Watch, lo, hi) -> list[dict]:
    rows = store.con.execute(
        """
        SELECT registration, type_code, origin, origin_how, arrival_ts, arrival_how,
               arrival_event_id, arrival_flight_id, departure_ts, departure_how, destination,
               destination_how, departure_event_id, departure_flight_id
        FROM base_routes WHERE watch = ? AND arrival_ts BETWEEN ? AND ? ORDER BY arrival_ts
        """,
        [watch.name, lo, hi],
    ).fetchall()
    out = []
    for reg, typ, org, org_how, a_ts, a_how, a_e, a_f, d_ts, d_how, dst, dst_how, d_e, d_f in rows:
        who = f"{reg or '?'} ({typ or 'type unknown'})"
        out.append(
            _item(watch, a_ts, "movement", a_how,
                  f"{who} {a_how.replace('_', ' ')} at {watch.base} from {org or 'an unknown origin'} ({org_how})",
                  [f"event:{a_e}", f"flight:{a_f}"])
        )  # fmt: skip
        if d_ts is not None:
            out.append(
                _item(watch, d_ts, "movement", d_how,
                      f"{who} {d_how.replace('_', ' ')} from {watch.base} to {dst or 'an unknown destination'} ({dst_how})",
                      [f"event:{d_e}", f"flight:{d_f}"])
            )  # fmt: skip
    return out


def _names_any(sentence: str | None, names: list[str]) -> bool:
    """Whether a sentence names one of these places (whole words, any case)."""
    low = (sentence or "").casefold()
    return any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", low) for n in names if len(n) > 2)


def _news(store: Store, watch: Watch, lo, hi, pair: tuple[str, str] | None = None) -> list[dict]:
    """News items for a watch (linked by place, actors, time) or, with ``pair``, for a pair of
    countries (both among the actors, or one the place's country and the other an actor)."""
    ref = load_reference()
    base_country = ref.airfield(watch.base).country if watch.base else ""
    wanted = {base_country, *(c.upper() for c in watch.countries)}
    people = _people_countries(store)
    base_names = place_keys(watch.base, ref) if watch.base else []
    rows = store.con.execute(
        """
        SELECT e.event_id, e.event_type, e.date_start, e.date_end, e.actors, e.place, e.place_icao,
               e.country, e.speaker, e.quote, e.source, e.sentence, a.url, a.outlet,
               e.date_precision, a.published_at,
               (SELECT list(DISTINCT n.canonical ORDER BY n.canonical) FROM news_entities n
                WHERE n.article_id = e.article_id AND n.label = 'aircraft_type'
                  AND n.char_start >= e.char_start
                  AND n.char_start < e.char_start + length(e.sentence)) AS aircraft
        FROM news_events e JOIN articles a USING (article_id)
        WHERE e.date_start IS NOT NULL
           OR (e.event_type = 'statement' AND a.published_at IS NOT NULL)
        """
    ).fetchall()
    reports: list[Report] = []
    for row in rows:
        (
            eid,
            typ,
            d0,
            d1,
            actors,
            place,
            icao,
            country,
            speaker,
            quote,
            source,
            sentence,
            url,
            outlet,
            precision,
            published,
            aircraft,
        ) = row
        # an undated statement is placed on the day it was published, and told as undated
        start = _day(d0) or published.astimezone(UTC)
        if not (lo <= start <= hi):
            continue
        actor_countries = {a for a in actors or () if len(a) == 2 and a.isupper()}
        actor_countries |= {people[a] for a in actors or () if a in people}
        if speaker in people:
            actor_countries.add(people[speaker])
        if pair is not None:
            a, b = pair
            both = {a, b} <= actor_countries
            placed = (country == a and b in actor_countries) or (
                country == b and a in actor_countries
            )
            if not (both or placed):
                continue
            link = f"{a}–{b}: " + (
                "both among the actors" if both else f"in {country}, with the other"
            )
        elif icao == watch.base:
            link = f"place: {watch.base}"
        elif country == base_country:
            link = f"place in {base_country}: {place}"
        elif actor_countries & wanted:
            link = "actors from " + ", ".join(sorted(actor_countries & wanted))
        elif typ == "statement" and _names_any(sentence, base_names):
            link = f"statement naming {watch.base}"
        else:
            continue
        named = sorted(a for a in actors or () if not (len(a) == 2 and a.isupper()))
        member = (eid, place, source or outlet, url, sentence, link, speaker, named, quote,
                  outlet, aircraft or [], actors or [], precision if d0 else "unknown", start)  # fmt: skip
        reports.append(
            Report(typ, d0, d1 or d0, named, sorted(actor_countries), icao or place or None,
                   speaker, quote, aircraft or (), member)
        )  # fmt: skip
    out = []
    # the same event told by several articles (overlapping dates, the same parties and place,
    # or the same speaker's words) is one item with all its sources
    for story in merge_reports(reports):
        best = story.best
        typ, d0, d1, speaker = story.event_type, best.date_start, best.date_end, best.speaker
        members = [r.payload for r in story.reports]
        quote = None
        eids = [m[0] for m in members]
        place = next((m[1] for m in members if m[1]), None)
        sources = sorted({m[2] for m in members if m[2]})
        named = members[0][7]
        if typ == "statement":
            quote = " ".join((members[0][8] or members[0][4] or "").split())
            title = f"statement: {said(speaker or 'an unnamed speaker', quote, members[0][4])}"
        else:
            who = ", ".join(named) if named else "unnamed parties"
            title = f"{typ.replace('_', ' ')}: {who}" + (f" in {place}" if place else "")
        if d1 and d1 != d0:
            title += f" ({d0} to {d1})"
        elif not d0:
            title += " (undated; reported " + members[0][13].strftime("%Y-%m-%d") + ")"
        srcs, outlets = [m[2] or "" for m in members], [m[9] or "" for m in members]
        if sources:
            title += ", " + attribution(srcs, outlets)
        out.append(
            _item(watch, _day(d0) or members[0][13], "news", typ, title, [f"news:{e}" for e in eids],
                  ts_end=_day(d1), link=members[0][5], sources=srcs,
                  urls=[m[3] or "" for m in members], sentences=[m[4] or "" for m in members],
                  outlets=outlets, actors=named or list(members[0][11]), place=place,
                  speaker=speaker or None, quote=quote if typ == "statement" else None,
                  aircraft=sorted({a for m in members for a in m[10]}),
                  date_precision=members[0][12] if d0 else "unknown")
        )  # fmt: skip
    return out


QUOTE_MARKS = "\"“”‘’'«»"
LOWER_FIRST = {"The", "A", "An", "It", "Its", "This", "That", "There", "These", "Those", "Their"}


def is_direct(quote: str, sentence: str | None) -> bool:
    """Whether the article gives these as the speaker's own words, in quotation marks."""
    i = (sentence or "").find(quote)
    return i > 0 and sentence[i - 1] in QUOTE_MARKS


def said(speaker: str, quote: str, sentence: str | None) -> str:
    """'X said “…”' for words quoted directly, 'X said that …' for reported speech: a paraphrase
    is never put in quotation marks."""
    return f"{speaker} said {wording(quote, sentence)}"


def wording(quote: str, sentence: str | None) -> str:
    """The words as a brief gives them: quoted directly, else as reported speech; a long quote
    is cut only at a sentence or clause boundary."""
    from ..news.quotes import shorten_quote

    quote = quote.strip().rstrip(" .")
    if is_direct(quote, sentence):
        return f"“{shorten_quote(quote)}”"
    quote = shorten_quote(quote)
    first, _, rest = quote.partition(" ")
    if first in LOWER_FIRST:
        quote = f"{first.lower()} {rest}"
    return quote if quote.startswith("that ") else f"that {quote}"


def origins(sources: list[str], outlets: list[str]) -> dict[str, list[str]]:
    """Each original source (whom the articles name, else their outlet) with the other outlets
    that carry it: three articles citing Bloomberg are one source, not three."""
    out: dict[str, list[str]] = {}
    for src, outlet in zip(sources, outlets, strict=False):
        if not src:
            continue
        via = out.setdefault(src, [])
        if outlet and outlet != src and outlet not in via:
            via.append(outlet)
    return {k: sorted(v) for k, v in sorted(out.items())}


def attribution(sources: list[str], outlets: list[str]) -> str:
    """'reported by Bloomberg (via Capitals Daily)', 'according to Asaad al-Shibani (in Eastern
    Med Monitor)': news outlets report, people and offices are quoted by an outlet."""
    from ..news.sources import is_media

    known = {o for o in outlets if o}
    reported, according = [], []
    for src, via in origins(sources, outlets).items():
        if src in known or is_media(src):
            reported.append(src + (f" (via {', '.join(via)})" if via else ""))
        else:
            according.append(src + (f" (in {', '.join(via)})" if via else ""))
    parts = []
    if reported:
        parts.append("reported by " + ", ".join(reported))
    if according:
        parts.append("according to " + ", ".join(according))
    return "; ".join(parts)


def pair_timeline(store: Store, a: str, b: str, since=None, until=None) -> pa.Table:
    """The timeline of a pair of countries (e.g. RU and SY): the news between them and the
    changes of every watch that has one country's aircraft at a base in the other, in order.
    Computed when asked (not stored)."""
    from ..watches import load_watches

    a, b = a.upper(), b.upper()
    ref = load_reference()
    lo = since or datetime(1900, 1, 1, tzinfo=UTC)
    hi = until or datetime(2200, 1, 1, tzinfo=UTC)
    pair_watch = Watch(name=f"{a}-{b}", base="", countries=(a, b))
    items = _news(store, pair_watch, lo, hi, pair=(a, b))
    for w in load_watches().values():
        home = ref.airfield(w.base).country
        if {home, *w.countries} >= {a, b} and home in (a, b):
            for it in _changes(store, w, lo, hi):
                it["title"] = f"[{w.name}] {it['title']}"
                items.append(it)
    items.sort(key=lambda r: (r["ts"], {"news": 0, "change": 1, "movement": 2}[r["kind"]]))
    prev = None
    for it in items:
        it["days_after_prev"] = (it["ts"] - prev).total_seconds() / 86400 if prev else None
        prev = it["ts"]
        it["base"] = it["base"] or ""
    return (
        pa.Table.from_pylist(items, schema=schema.TIMELINE)
        if items
        else schema.empty(schema.TIMELINE)
    )
