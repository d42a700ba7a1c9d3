"""Print the care-rules table for docs/care-rules.md, or write it there with --write.

The table lives in programs/care/table.py; a test fails when the page and the code differ.
"""

import os
import re
import sys
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hamstrings.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
django.setup()

from programs.care import table  # noqa: E402

DOC = ROOT / "docs" / "care-rules.md"
MARKERS = re.compile(r"(<!-- care-rules-table:start -->\n).*(<!-- care-rules-table:end -->)", re.S)

if "--write" in sys.argv:
    text = MARKERS.sub(lambda m: m.group(1) + table.render() + m.group(2), DOC.read_text())
    DOC.write_text(text)
else:
    print(table.render(), end="")
