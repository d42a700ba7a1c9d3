"""The summary as a PDF, drawn by WeasyPrint from the same HTML and stylesheets as the page."""

from __future__ import annotations

import re
from pathlib import Path

from django.contrib.staticfiles import finders

PAPER = {"a4": "A4", "letter": "letter"}


class PdfUnavailable(Exception):
    """WeasyPrint is there but the system's Pango is not (see the README)."""


def render(html: str, paper: str = "a4") -> bytes:
    try:
        from weasyprint import CSS, HTML
        from weasyprint.urls import URLFetcher
    except OSError as error:
        raise PdfUnavailable(str(error)) from error
    charts = Path(finders.find("css/chart-print.css")).read_text()
    # Inside each chart too: WeasyPrint draws an inline SVG with the SVG's own styles only.
    html = re.sub(r"(<svg\b[^>]*>)", lambda m: f"{m.group(1)}<style>{charts}</style>", html)
    stylesheets = [
        CSS(filename=finders.find("css/summary.css")),
        CSS(string=charts),
        CSS(string=f"@page {{ size: {PAPER.get(paper, 'A4')}; }}"),
    ]
    # Everything the document needs is inline or given here: no protocol is allowed, so no URL
    # in it (a note, say) can make the server reach the network or read a file.
    nothing = URLFetcher(allowed_protocols=())
    return HTML(string=html, url_fetcher=nothing).write_pdf(stylesheets=stylesheets)
