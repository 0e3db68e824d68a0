"""The README's main command: the seed case, found by basewatch itself, with its evidence."""

from __future__ import annotations

import re


def test_demo_finds_the_seed_case(demo_run):
    _, text = demo_run  # the demo's printed lines, run once per session (conftest.py)
    # the resumption after about six months
    m = re.search(r"resumed on (\d+ October 2025) after (\d+) days without one", text)
    assert m, text
    assert m.group(1) == "24 October 2025" and 170 <= int(m.group(2)) <= 210
    # three An-124-100 flights into Khmeimim between 24 and 29 October
    assert re.search(
        r"3 ANTONOV An-124-100 Ruslan flights into OSLK between 24 and 29 October", text
    )
    # the Il-62M: Libya → Latakia → the Moscow region on 26 October
    route = [line for line in text.splitlines() if line.startswith("• route: RA-86496")]
    assert route, text
    assert (
        "(HL59), Cyrenaica, Libya" in route[0]
        and "Khmeimim Air Base (OSLK), Latakia, Syria" in route[0]
    )
    assert "arrived 26 Oct 2025" in route[0] and "left 26 Oct" in route[0]
    assert route[0].endswith("Chkalovsky Air Base (UUMU), Moscow region, Russia [observed]")
    # every finding is followed by its evidence
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("• "):
            assert lines[i + 1].strip().startswith("evidence: flight "), line
    # the timeline sets the flights against the news: the 15 October meeting in Moscow before
    # the resumption, the 28 October defence ministers' meeting after it, with their sources
    tl = lines[
        lines.index("Timeline (changes, movements of the watched aircraft, news linked to them):") :
    ]
    meeting = next(
        i
        for i, x in enumerate(tl)
        if "2025-10-15" in x and "meeting: Ahmed al-Sharaa, Vladimir Putin in Moscow" in x
    )
    resumed = next(
        i for i, x in enumerate(tl) if "change" in x and "resumed on 24 October 2025" in x
    )
    ministers = next(
        i
        for i, x in enumerate(tl)
        if "2025-10-28" in x and "Andrei Belousov, Murhaf Abu Qasra" in x
    )
    assert meeting < resumed < ministers
    assert "reported by" in tl[meeting] and "Open Skies Notebook" in tl[ministers]


def test_every_hint_the_demo_prints_works_when_pasted(demo_store, tmp_path, monkeypatch):
    import shlex

    from click.testing import CliRunner

    from basewatch.cli import cli

    db, text = demo_store
    lines = text.splitlines()
    assert lines[0].startswith("store: ") and "kept after the demo" in lines[0]
    hints = lines[lines.index("Go on from here (the store stays where it is):") + 1 :]
    assert len(hints) >= 4
    monkeypatch.chdir(tmp_path)  # the hints write their files into the current folder
    for hint in hints:
        args = shlex.split(hint.strip())
        assert args[0] == "basewatch"
        args = [str(db) if a.endswith("demo.duckdb") else a for a in args[1:]]  # the copy
        out = CliRunner().invoke(cli, args)
        assert out.exit_code == 0, (hint, out.output)
        if "-o" in args:
            assert (tmp_path / args[args.index("-o") + 1]).stat().st_size > 1000, hint
        else:
            assert "RA-8" in out.stdout, (hint, out.stdout)  # rows of the case, not a blank table
