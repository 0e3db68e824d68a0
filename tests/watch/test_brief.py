"""The brief: no sentence without evidence, evidence that resolves to stored rows, hostile
article text escaped in the HTML page. `demo_store` is in conftest.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from click.testing import CliRunner

from basewatch import api
from basewatch.cli import cli
from basewatch.fuse.brief import Brief, Note
from basewatch.store import open_store


def test_every_sentence_cites_rows_that_exist(demo_store):
    db, _ = demo_store
    b = json.loads(api.brief(db, watch="oslk-russian-state", format="json"))
    sentences = [s for p in b["paragraphs"] for s in p]
    assert len(sentences) >= 6
    notes = {n["n"]: n for n in b["notes"]}
    with open_store(db, read_only=True) as store:
        for s in sentences:
            assert s["notes"], s["text"]
            for n in s["notes"]:
                for ref in notes[n]["refs"]:
                    kind, _, key = ref.partition(":")
                    if kind == "flight":
                        # the id the brief prints finds its flight through the API and the CLI
                        assert list(api.flights(db, flight_id=key)["flight_id"]) == [key]
                        out = CliRunner().invoke(
                            cli, ["flights", "--db", str(db), "--flight", key, "--format", "csv"]
                        )
                        assert out.exit_code == 0 and out.output.count(key) == 1, out.output
                    elif kind == "news":
                        assert (
                            store.scalar(
                                "SELECT count(*) FROM news_events WHERE event_id = ?", [key]
                            )
                            == 1
                        )
                        assert notes[n]["url"].startswith("https://") and notes[n]["quote"]
                    else:
                        assert kind == "change"


def test_brief_states_the_seed_findings(demo_store):
    db, demo_text = demo_store
    md = api.brief(db, watch="oslk-russian-state")
    assert (
        "resumed on 24 October 2025 after 198 days (about six and a half months) without one (observed in flight data)"
        in md
    )
    assert "Three ANTONOV An-124-100 Ruslan flights arrived between 24 and 29 October 2025" in md
    assert (
        "came from Al Khadim Air Base (HL59), Cyrenaica, Libya (inferred), landed at OSLK on 26 October 2025 and left the same day for Chkalovsky Air Base (UUMU), Moscow region"
        in md
    )
    assert (
        "On 15 October 2025, 9 days before the resumption, Ahmed al-Sharaa and Vladimir Putin met in Moscow; reported by 6 sources"
        in md
    )
    assert (
        "On 28 October 2025, 4 days after the resumption, Andrei Belousov and Murhaf Abu Qasra met in Moscow; reported by 5 sources"
        in md
    )
    # one article tells both meetings in one sentence: each keeps its own people and day
    body = md.split("\n[^1]:")[0]
    assert "Vladimir Putin" not in body.split("Andrei Belousov")[1].split(".")[0]
    assert "Ahmed al-Sharaa, Andrei Belousov" not in body
    # reported speech is told as such, never put in quotation marks
    assert "Ahmed al-Sharaa said that Syria would respect the agreements" in md
    assert "and that he would respect the agreements Russia had concluded" in md
    assert "“he would respect" not in body
    # the news of the flights set against the flight data; outlets citing Bloomberg count once
    assert (
        "The news told of An-124-100 flights at OSLK between 24 and 29 October 2025, "
        "reported by 2 sources (Bloomberg, via Aerospace Brief; Open Skies Notebook); the flight "
        "data show 3 such arrivals: RA-82010 on 24 October, RA-82035 on 26 October and RA-82010 "
        "on 29 October." in md
    )
    assert (
        "The news told of Il-62M flights at OSLK on 26 October 2025, reported by 2 sources "
        "(an anonymous source close to the Kremlin, via Aerospace Brief; Bloomberg, via "
        "Aerospace Brief); the flight data show 1 such arrival: RA-86496 on 26 October." in md
    )
    # news of flights at Khmeimim says nothing about Chkalovsky or Al Khadim
    assert "The news told of" not in api.brief(db, watch="hl59-russian-state")
    # ... and of Chkalovsky only the Il-62M's onward leg to the Moscow region on the 26th
    told = [
        line
        for line in api.brief(db, watch="uumu-transports").splitlines()
        if line.startswith("The news told of")
    ]
    assert all(t.startswith("The news told of Il-62M flights at UUMU on 26 October") for t in told)
    # one sentence per speaker and day, each wording with the outlets that give it; words
    # the articles do not date are told as undated, never on the day they were published
    assert body.count("(6 days before the resumption), Asaad al-Shibani said") == 1
    assert (
        "On 28 October 2025 (4 days after the resumption), Andrei Belousov said “contacts"
        in body  # told him at the meeting of the 28th: the meeting's day
    )
    assert "On 29 October 2025 (5 days after the resumption), Andrei Belousov said" not in body
    assert "unnamed parties" not in md  # an event without its parties named is not told
    assert md in demo_text  # the demo prints the same brief


def test_html_escapes_article_text():
    b = Brief(title="Base <b>X</b>")
    s = b.say(
        "A <script>alert(1)</script> claim.",
        [
            Note(
                "<img src=x onerror=alert(1)>",
                ["news:1"],
                "https://e.example/?a=<x>",
                "<script>bad()</script>",
            )
        ],
    )
    b.paragraphs.append([s])
    page = b.html()
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "Base &lt;b&gt;X&lt;/b&gt;" in page
    assert b.say("no evidence", []) is None


def test_hostile_article_is_escaped_in_the_html_brief(demo_store, tmp_path):
    db, _ = demo_store
    hostile = tmp_path / "hostile.md"
    hostile.write_text(
        '+++\nurl = "https://hostile.example/a"\noutlet = "Hostile <b>Wire</b>"\n'
        'published = "2025-10-27T08:00:00+00:00"\n+++\n\n'
        "Russian Defence Minister Andrei Belousov said on October 26 that "
        '"<script>alert(1)</script> flights to Khmeimim will continue <img src=x onerror=alert(2)>", '
        "according to Hostile Wire.\n"
    )
    api.news_add([hostile], db=db)
    api.watch(db, names=["oslk-russian-state"])
    page = api.brief(db, watch="oslk-russian-state", format="html")
    assert "hostile.example" in page  # the article made it into the brief
    assert "<script>" not in page and "<img" not in page and "onerror=alert(2)>" not in page
    assert "&lt;script&gt;" in page
    assert page.count("<svg") >= 2  # the map and the chart, inline
    assert "<link" not in page and "src=" not in page.replace("src=x", "")  # nothing fetched


def test_pair_of_countries_timeline_and_csv_lists(demo_store):
    from click.testing import CliRunner

    from basewatch.cli import cli

    db, _ = demo_store
    tl = api.timeline(db, countries="ru,sy")
    titles = list(tl["title"])
    meeting = next(
        i for i, t in enumerate(titles) if "meeting: Ahmed al-Sharaa, Vladimir Putin in Moscow" in t
    )
    resumed = next(i for i, t in enumerate(titles) if "resumed on 24 October 2025" in t)
    assert meeting < resumed
    runner = CliRunner()
    out = runner.invoke(cli, ["changes", "--db", str(db), "--format", "csv"])
    assert out.exit_code == 0 and '"event_ids"' in out.output.splitlines()[0]
    out = runner.invoke(cli, ["timeline", "--db", str(db), "--countries", "Russia"])
    assert out.exit_code == 2 and "two ISO codes" in out.output


def test_brief_tells_every_change_in_its_window(tmp_path):
    from basewatch.fuse.brief import build_brief
    from basewatch.stages.changes import detect_changes

    from .test_changes import WATCH, _store

    moves = [(d, "152fa2") for d in range(0, 60, 3)] + [(245.5, "1540c2")]
    with _store(tmp_path / "s.duckdb", moves, 300) as store:
        detect_changes(store, WATCH)
        b = build_brief(store, WATCH)
        text = [" ".join(s.text for s in p) for p in b.paragraphs]
        assert len(text) == 2, text  # the resumption (which tells the gap) and the stop
        assert (
            "resumed on 3 September 2025 after 188 days (about six months) without one" in text[0]
        )
        assert text[1].startswith(
            "No movement of Russian state aircraft at Khmeimim Air Base (OSLK)"
        )
        assert "since 3 September 2025" in text[1]
        # the flights the changes name are not stored here: the change itself is the evidence
        assert all(n.refs[0].startswith("change:") for n in b.notes)
        later = build_brief(store, WATCH, since=datetime(2025, 9, 4, tzinfo=UTC))
        assert [len(p) for p in later.paragraphs] == [1]  # only the stop lies in the window
        early = build_brief(store, WATCH, until=datetime(2025, 1, 20, tzinfo=UTC))
        assert early.paragraphs == [] and "No change was found in this window" in early.markdown()


def test_date_spans_read_naturally():
    from basewatch.fuse.brief import _span

    d = lambda m, day: datetime(2025, m, day, 10, tzinfo=UTC)  # noqa: E731
    assert _span(d(10, 26), d(10, 26)) == "on 26 October 2025"
    assert _span(d(10, 24), d(10, 29)) == "between 24 and 29 October 2025"
    assert _span(d(10, 30), d(11, 2)) == "between 30 October and 2 November 2025"
    assert _span(d(12, 30), datetime(2026, 1, 2, tzinfo=UTC)) == (
        "between 30 December 2025 and 2 January 2026"
    )


def test_attribution_counts_origins_and_keeps_speech_apart():
    from basewatch.fuse.timeline import attribution, said

    srcs = ["Bloomberg", "Bloomberg", "Open Skies Notebook", "Asaad al-Shibani"]
    outs = ["Capitals Daily", "Aerospace Brief", "Open Skies Notebook", "Northern Wire"]
    assert attribution(srcs, outs) == (
        "reported by Bloomberg (via Aerospace Brief, Capitals Daily), Open Skies Notebook; "
        "according to Asaad al-Shibani (in Northern Wire)"
    )
    s = 'Zakharova said the talks were "in the context of possible reformatting."'
    assert said("Maria Zakharova", "in the context of possible reformatting.", s) == (
        "Maria Zakharova said “in the context of possible reformatting”"
    )
    s = "The future of the bases was not settled, al-Shibani said."
    assert said("Asaad al-Shibani", "The future of the bases was not settled", s) == (
        "Asaad al-Shibani said that the future of the bases was not settled"
    )
