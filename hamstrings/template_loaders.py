"""Our templates without their indentation.

The templates are indented for people to read; the browser gains nothing from the spaces, and on
the player they were a fifth of every answer. No library does this at load time (django-compress
and friends minify static files, `{% spaceless %}` works on every render): this strips each line's
leading spaces, the blank lines and the line breaks after lines of nothing but template tags,
once, when the template is first read, so rendering costs nothing more. Between two pieces of
text or markup a line break stays wherever there was one, so words and inline elements stay
apart exactly as before. Our templates hold no `<pre>` or literal `<textarea>` text, where leading
spaces would matter (a test checks it).
"""

from __future__ import annotations

import re

from django.template.loaders.filesystem import Loader as FilesystemLoader

_INDENT = re.compile(r"\n[ \t]*(?:\n[ \t]*)*")
# A line of nothing but template tags and comments loses its line break: no empty line is left.
_TAGS_ONLY = re.compile(r"^((?:\{%[^\n]*?%\}|\{#[^\n]*?#\})+)\n", re.M)


def compact(text: str) -> str:
    return _TAGS_ONLY.sub(r"\1", _INDENT.sub("\n", text))


class CompactLoader(FilesystemLoader):
    def get_contents(self, origin) -> str:
        return compact(super().get_contents(origin))
