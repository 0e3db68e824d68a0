"""The TimeBank runner (eval/news/timebank.py) reads TimeML from a local path and scores the
date resolver's full days; nothing is fetched. The TimeML here is written for this test."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

RUNNER = Path(__file__).resolve().parents[2] / "eval" / "news" / "timebank.py"

DOC = """<?xml version="1.0" ?>
<TimeML>
<DOCID>bw_test_1</DOCID>
<DCT><TIMEX3 tid="t0" type="DATE" value="2025-10-30" temporalFunction="false" functionInDocument="CREATION_TIME">October 30, 2025</TIMEX3></DCT>
<TEXT>
The ministers met in Moscow on <TIMEX3 tid="t1" type="DATE" value="2025-10-28">Tuesday</TIMEX3>. Three transport flights landed at the base on <TIMEX3 tid="t2" type="DATE" value="2025-10-26">October 26</TIMEX3>.

The talks will resume <TIMEX3 tid="t3" type="DATE" value="2025-11">next month</TIMEX3>, officials said <TIMEX3 tid="t4" type="DATE" value="2025-10-29">yesterday</TIMEX3>. A spokesman spoke of the "<TIMEX3 tid="t5" type="DATE" value="2025-10-20">Monday before last</TIMEX3>" meeting.
</TEXT>
</TimeML>
"""


def _runner():
    spec = importlib.util.spec_from_file_location("basewatch_timebank", RUNNER)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def test_timeml_is_read_with_its_creation_day_and_full_days():
    tb = _runner()
    dct, text, gold = tb.read_timeml_text(DOC)
    assert dct.isoformat() == "2025-10-30"
    assert [text[s:e] for s, e, _ in gold][:2] == ["Tuesday", "October 26"]
    assert [v for _, _, v in gold] == [
        "2025-10-28",
        "2025-10-26",
        "2025-11",
        "2025-10-29",
        "2025-10-20",
    ]


def test_runner_scores_a_folder_and_counts_unreadable_files(tmp_path, capsys):
    tb = _runner()
    (tmp_path / "a.tml").write_text(DOC)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "broken.tml").write_text("<TimeML><TEXT>no end")
    details: list = []
    r = tb.score(tmp_path, details)
    assert r["files"] == 2 and r["unreadable"] == 1
    assert r["gold_days"] == 4  # "next month" is not one day
    assert r["found"] >= 3 and 0 <= r["right"] <= r["found"]
    assert r["right"] >= 3  # Tuesday, October 26, yesterday resolve against the creation day
    assert r["day_accuracy"] == round(r["right"] / 4, 4)
    assert any("unreadable" in d for d in details)
    assert tb.main([str(tmp_path / "missing")]) == 2
    assert tb.main([str(tmp_path), "--errors", "5"]) == 0
    assert "day_accuracy" in capsys.readouterr().out
