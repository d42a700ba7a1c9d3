"""docs/care-rules.md carries the table the code keeps (programs/care/table.py)."""

import re
from pathlib import Path

from programs.care import table
from programs.care.choices import CareState

DOC = Path(__file__).resolve().parents[3] / "docs" / "care-rules.md"


def test_the_document_carries_the_table_the_code_keeps():
    text = DOC.read_text(encoding="utf-8")
    found = re.search(
        r"<!-- care-rules-table:start -->\n(.*)<!-- care-rules-table:end -->", text, re.S
    )
    assert found, "docs/care-rules.md has lost its table markers"
    assert found.group(1) == table.render(), (
        "docs/care-rules.md and programs/care/table.py differ: run "
        "`.venv/bin/python scripts/care_rules_table.py --write`"
    )


def test_every_state_is_described_and_every_state_can_be_left():
    text = DOC.read_text(encoding="utf-8")
    for state in CareState:
        assert f"| {state.label} |" in text
        leaves = [r for r in table.RULES if state in r.before and r.after not in (None, state)]
        assert leaves, f"nothing leads out of {state.label}"


def test_every_row_names_what_happens_to_a_session_and_a_reason():
    for rule in table.RULES:
        assert rule.session and rule.reason and rule.when
        assert rule.source in ("", "000", "001", "002", "003", "004")
