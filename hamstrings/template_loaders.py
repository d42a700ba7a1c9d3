"""Our templates without their indentation.

The templates are indented for people to read; the browser gains nothing from the spaces, and on
the player they were a fifth of every answer. No library does this at load time (django-compress
and friends minify static files, `{% spaceless %}` works on every render): this strips each line's
leading spaces and the blank lines of our HTML templates once, when a template is first read, so
rendering costs nothing more. A line break stays wherever there was one, so words and inline
elements stay apart exactly as before. Our templates hold no `<pre>` or literal `<textarea>`
text, where leading spaces would matter, and mail (plain text) is left as it is; both are
checked by tests/test_speed.py.
"""

from __future__ import annotations

import re

from django.template.loaders.filesystem import Loader as FilesystemLoader

_INDENT = re.compile(r"\n[ \t]*(?:\n[ \t]*)*")


def compact(text: str) -> str:
    """Every run of line breaks and indentation becomes one line break: still white space
    wherever there was white space, so HTML shows exactly as before."""
    return _INDENT.sub("\n", text)


def is_compacted(name: str) -> bool:
    # Mail is plain text, where blank lines are paragraphs.
    return name.endswith(".html") and "email" not in name


class CompactLoader(FilesystemLoader):
    def get_contents(self, origin) -> str:
        text = super().get_contents(origin)
        return compact(text) if is_compacted(origin.template_name or origin.name) else text
