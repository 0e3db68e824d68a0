"""Rewrite the README's table section from schema.py (tests/test_docs.py checks they agree)."""

from pathlib import Path

from basewatch import schema

README = Path(__file__).resolve().parents[1] / "README.md"

text = README.read_text()
head, rest = text.split("<!-- tables:start -->\n", 1)
_, tail = rest.split("<!-- tables:end -->", 1)
README.write_text(head + "<!-- tables:start -->\n" + schema.markdown().strip() + "\n<!-- tables:end -->" + tail)
