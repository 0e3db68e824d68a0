"""One event told by several articles: merged by type, overlapping dates, parties and place,
with its sources counted by origin; undated statements stay undated."""

from __future__ import annotations

from basewatch.news.merge import Report, independent_sources, merge_reports, same_event


def _r(t, d0, d1=None, people=(), countries=(), place=None, **kw) -> Report:
    return Report(t, d0, d1 or d0, people, countries, place, **kw)


def test_same_meeting_in_other_words_and_precisions_is_one():
    day = _r("meeting", "2025-10-15", people=["Vladimir Putin", "Ahmed al-Sharaa"], place="Moscow")
    month = _r("meeting", "2025-10-01", "2025-10-14", people=["Putin"])  # "earlier in October"
    late = _r("meeting", "2025-10-01", "2025-10-31", people=["al-Sharaa"], place="Moscow")
    other_day = _r("meeting", "2025-10-28", people=["Andrei Belousov", "Murhaf Abu Qasra"])
    stories = merge_reports([late, other_day, day, month])
    assert sorted(len(s.reports) for s in stories) == [1, 1, 2]
    story = next(s for s in stories if day in s.reports)
    assert story.best is day  # the most precise date tells the story
    assert late in story.reports and month not in story.reports  # 1-14 Oct misses the 15th


def test_places_and_aircraft_that_disagree_keep_events_apart():
    a = _r("flight", "2025-10-26", countries=["RU"], place="OSLK", aircraft=["Il-62M"])
    b = _r(
        "flight", "2025-10-24", "2025-10-29", countries=["RU"], place="OSLK", aircraft=["An-124"]
    )
    c = _r("flight", "2025-10-26", countries=["RU"], place="UUMU", aircraft=["Il-62M"])
    d = _r("flight", "2025-10-26", countries=["RU"], aircraft=["Il-62M"])
    assert not same_event(a, b) and not same_event(a, c) and same_event(a, d)
    assert not same_event(a, _r("flight", "2025-10-26", countries=["US"], place="OSLK"))


def test_statements_merge_on_speaker_and_words_and_undated_ones_join_dated():
    dated = _r(
        "statement", "2025-10-18", speaker="Asaad al-Shibani",
        quote="the fate of the bases had not been resolved",
    )  # fmt: skip
    undated = _r(
        "statement", None, speaker="al-Shibani", quote="The fate of the bases has not been resolved"
    )
    other = _r("statement", "2025-10-18", speaker="Asaad al-Shibani", quote="talks went well")
    stories = merge_reports([undated, other, dated])
    assert sorted(len(s.reports) for s in stories) == [1, 2]
    assert next(s for s in stories if len(s.reports) == 2).best is dated


def test_sources_counted_by_origin():
    # an agency's copy republished by two outlets, and one outlet reporting on its own
    assert independent_sources(["Amber Press", "Amber Press", ""], ["A", "B", "Skywatch"]) == 2


def _article(path, url, outlet, published, body):
    path.write_text(
        f'+++\nurl = "{url}"\noutlet = "{outlet}"\npublished = "{published}"\n+++\n\n{body}\n'
    )
    return path


def test_timeline_merges_articles_and_keeps_undated_statements_undated(tmp_path):
    from basewatch.fuse.timeline import pair_timeline
    from basewatch.news.pipeline import add_news
    from basewatch.store import open_store

    wire = (
        "MOSCOW, Oct 15 (Amber Press) — Russian President Vladimir Putin met Syrian President "
        "Ahmed al-Sharaa in Moscow on Wednesday, the Kremlin said.\n\n"
        "This story was republished from Amber Press."
    )
    files = [
        _article(tmp_path / "a.md", "https://one.example/a", "One Post",
                 "2025-10-16T08:00:00+00:00", wire),
        _article(tmp_path / "b.md", "https://two.example/b", "Two Times",
                 "2025-10-16T09:00:00+00:00", wire),
        _article(tmp_path / "c.md", "https://three.example/c", "Three Daily",
                 "2025-10-20T09:00:00+00:00",
                 "Ahmed al-Sharaa held talks with Vladimir Putin in the Kremlin on 15 October.\n\n"
                 "Turkish Foreign Minister Hakan Fidan said the Khmeimim base would stay "
                 "Russian for now."),
    ]  # fmt: skip
    with open_store(tmp_path / "s.duckdb") as store:
        add_news([str(f) for f in files], store)
        tl = pair_timeline(store, "RU", "SY").to_pylist()
    meetings = [r for r in tl if r["subtype"] == "meeting"]
    assert len(meetings) == 1, [r["title"] for r in tl]
    m = meetings[0]
    assert len(m["urls"]) == 3 and m["ts"].date().isoformat() == "2025-10-15"
    from basewatch.news.merge import independent_sources

    assert independent_sources(m["sources"], m["outlets"]) == 2  # the agency once, Three Daily
    # a statement naming the watched base reaches its timeline, undated as the article gives it
    from datetime import UTC, datetime

    from basewatch.fuse.timeline import _news
    from basewatch.watches import Watch

    with open_store(tmp_path / "s.duckdb") as store:
        items = _news(
            store, Watch("w", "OSLK", countries=("RU",)),
            datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC),
        )  # fmt: skip
    said = [r for r in items if r["subtype"] == "statement"]
    assert len(said) == 1 and said[0]["date_precision"] == "unknown"
    assert said[0]["ts_end"] is None and "undated; reported 2025-10-20" in said[0]["title"]
    assert said[0]["link"] == "statement naming OSLK"


def test_a_visit_and_talks_of_the_same_people_on_one_day_are_one_encounter():
    talks = _r("negotiation", "2025-10-15", people=["Vladimir Putin", "Ahmed al-Sharaa"])
    met = _r("meeting", "2025-10-15", people=["Putin", "al-Sharaa"], place="Moscow")
    visit = _r("visit", "2025-10-15", people=["Ahmed al-Sharaa"], place="Moscow")
    (story,) = merge_reports([talks, met, visit])
    assert story.event_type == "meeting"
    assert len(merge_reports([talks, _r("call", "2025-10-15", people=["Putin"])])) == 2
