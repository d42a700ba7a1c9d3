"""Our templates without their indentation.

The templates are indented for people to read; the browser gains nothing from the spaces, and on
the player they were a fifth of every answer. No library does this at load time (django-compress
and friends minify static files, `{% spaceless %}` works on every render): this strips each line's
leading spaces and the blank lines once, when the template is first read, so rendering costs
nothing more. A line break is kept wherever there was one, so words and inline elements stay
apart exactly as before. Our templates hold no `<pre>` or literal `<textarea>` text, where leading
spaces would matter (a test checks it).
"""

from __future__ import annotations

import re

from django.template.loaders.filesystem import Loader as FilesystemLoader

_INDENT = re.compile(r"\n[ \t]*(?:\n[ \t]*)*")


def compact(text: str) -> str:
    return _INDENT.sub("\n", text)


class CompactLoader(FilesystemLoader):
    def get_contents(self, origin) -> str:
        return compact(super().get_contents(origin))
