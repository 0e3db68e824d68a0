from pathlib import Path

from basewatch import schema

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_tables_match_schema():
    text = README.read_text()
    block = text.split("<!-- tables:start -->\n", 1)[1].split("<!-- tables:end -->", 1)[0]
    assert block.strip() == schema.markdown().strip()
