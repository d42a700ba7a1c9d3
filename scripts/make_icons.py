"""Draw the app icons from our own figure code: `.venv/bin/python scripts/make_icons.py`.

Writes static/icons/icon.svg and maskable.svg, and PNGs at 192 and 512 px through Chromium
(the browser already used by the tests), so no image comes from anywhere else.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hamstrings.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")  # a tool for this machine, not production

import django  # noqa: E402

django.setup()

from programs import figures  # noqa: E402

ICONS = ROOT / "static" / "icons"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
BACKGROUND = "#1f6f5c"
INK = "#ffffff"
# Lying on the back, one straight leg up: the position most of the program is built on.
POSE = {
    "base": "lying",
    "trunk": -90,
    "hip": 0,
    "knee": 0,
    "ankle": 30,
    "shoulder": -10,
    "left": {"hip": 88, "ankle": -15},
}


def _figure_markup() -> tuple[str, figures.Box]:
    figure = figures.build(figures.parse_pose(POSE))
    body = figures._body_svg(figure)  # the same drawing the pages show, minus the floor
    # A standalone file has no page stylesheet: turn the classes into plain attributes.
    body = (
        body.replace('<g class="fig-far">', '<g opacity="0.55">')
        .replace('<g class="fig-halo">', f'<g stroke="{BACKGROUND}" fill="{BACKGROUND}">')
        .replace('class="fig-eye"', f'fill="{BACKGROUND}"')
        .replace("<path ", '<path fill="none" ')
    )
    return body, figure.box()


def icon_svg(maskable: bool) -> str:
    body, (x0, y0, x1, y1) = _figure_markup()
    # Maskable icons may be cut to a circle: keep the drawing inside the middle 60 %.
    share = 0.58 if maskable else 0.74
    size = max(x1 - x0, y1 - y0) / share
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    view = f"{cx - size / 2:.1f} {-cy - size / 2:.1f} {size:.1f} {size:.1f}"
    radius = 0 if maskable else size * 0.18
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{view}" width="512" height="512">'
        f'<rect x="{cx - size / 2:.1f}" y="{-cy - size / 2:.1f}" width="{size:.1f}" '
        f'height="{size:.1f}" rx="{radius:.1f}" fill="{BACKGROUND}"/>'
        f'<g stroke="{INK}" fill="{INK}" stroke-linecap="round">{body}</g></svg>\n'
    )


def main() -> None:
    from playwright.sync_api import sync_playwright

    ICONS.mkdir(parents=True, exist_ok=True)
    files = {"icon.svg": icon_svg(False), "maskable.svg": icon_svg(True)}
    for name, text in files.items():
        (ICONS / name).write_text(text)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for svg, png, px in [
            ("icon.svg", "icon-192.png", 192),
            ("icon.svg", "icon-512.png", 512),
            ("maskable.svg", "maskable-512.png", 512),
        ]:
            page = browser.new_page(viewport={"width": px, "height": px})
            html = Path(tmp) / "icon.html"
            html.write_text(
                '<!doctype html><html><body style="margin:0;background:transparent">'
                f'<img src="{(ICONS / svg).as_uri()}" width="{px}" height="{px}"></body></html>'
            )
            page.goto(html.as_uri())
            page.screenshot(path=str(ICONS / png), omit_background=True)
            page.close()
        browser.close()
    print("wrote", ", ".join(sorted(p.name for p in ICONS.iterdir())))


if __name__ == "__main__":
    main()
