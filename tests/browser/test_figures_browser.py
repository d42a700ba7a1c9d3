"""The figures in a real browser: drawn under the strict CSP, moving only when asked to (and
not at all for people who prefer less motion); and the service worker caching static files."""

from django.template import Context, Template
from django.urls import reverse

from programs.models import Exercise

MOTION = Template("{% load figures %}{% exercise_motion exercise %}")
# The figure's own keyframe animations: not the rest of the page's, and not the near-instant
# transitions app.css leaves on everything when reduced motion is asked for.
FIGURE_ANIMATIONS = (
    "document.getAnimations()"
    ".filter(a => a instanceof CSSAnimation && a.effect.target.closest('#motion'))"
)


def _visible_frames(page) -> list[str]:
    # Waits out any transition first (reduced motion leaves near-instant ones on everything).
    return page.evaluate(
        """async () => {
             const frames = [...document.querySelectorAll('#motion .pose-frame')];
             await Promise.all(document.getAnimations()
               .filter(a => a instanceof CSSTransition && frames.includes(a.effect.target))
               .map(a => a.finished));
             return frames.filter(g => getComputedStyle(g).opacity === '1')
               .map(g => g.getAttribute('class').split(' ').pop());
           }"""
    )


def _show_motion(page, slug: str) -> None:
    html = MOTION.render(Context({"exercise": Exercise.objects.get(slug=slug)}))
    # The page's own stylesheet animates it; the markup is what the player will include.
    page.evaluate(
        "html => { const d = document.createElement('div'); d.id = 'motion';"
        " d.innerHTML = html; document.querySelector('main').prepend(d); }",
        html,
    )


def test_every_step_shows_its_figure_on_the_exercise_page(page, live_server, screenshot):
    page.goto(reverse("programs-exercise", args=["doorway-hamstring-stretch"]))
    figures = page.get_by_role("img", name="Figure lying on the back")
    assert figures.count() == 5  # step 1 stands in the doorway
    assert page.get_by_role("img", name="Figure standing").count() == 1
    box = figures.first.bounding_box()
    assert box["width"] > 100 and box["height"] > 40
    # Drawn in the text colour's accent, not black: the stylesheet reached the SVG.
    colour = page.evaluate("getComputedStyle(document.querySelector('.fig line')).stroke")
    assert colour not in ("none", "rgb(0, 0, 0)")
    screenshot(page, "figures-doorway-phone")


def test_the_figure_moves_into_the_hold_and_stays_there(page, live_server):
    page.goto(reverse("programs-home"))
    _show_motion(page, "ninety-ninety-active-hamstring-stretch")
    assert _visible_frames(page) == ["pose-frame-0"]
    page.evaluate("document.querySelector('#motion .pose-motion').classList.add('is-holding')")
    assert page.evaluate(f"{FIGURE_ANIMATIONS}.length") == 6
    page.evaluate(f"{FIGURE_ANIMATIONS}.forEach(a => a.finish())")
    assert _visible_frames(page) == ["pose-frame-5"]


def test_repetitions_keep_moving_until_the_class_goes(page, live_server):
    page.goto(reverse("programs-home"))
    _show_motion(page, "glute-bridge")
    page.evaluate("document.querySelector('#motion').classList.add('is-repeating')")
    endless = page.evaluate(
        f"{FIGURE_ANIMATIONS}.map(a => a.effect.getComputedTiming().iterations === Infinity)"
    )
    assert endless == [True] * 6
    page.evaluate("document.querySelector('#motion').classList.remove('is-repeating')")
    assert page.evaluate(f"{FIGURE_ANIMATIONS}.length") == 0
    assert _visible_frames(page) == ["pose-frame-0"]


def test_with_reduced_motion_the_figure_jumps_to_the_position_without_moving(page, live_server):
    page.emulate_media(reduced_motion="reduce")
    page.goto(reverse("programs-home"))
    _show_motion(page, "ninety-ninety-active-hamstring-stretch")
    page.evaluate("document.querySelector('#motion').classList.add('is-holding')")
    assert page.evaluate(f"{FIGURE_ANIMATIONS}.length") == 0
    assert _visible_frames(page) == ["pose-frame-5"]


def test_the_service_worker_caches_static_files_but_not_pages(page, live_server):
    page.goto(reverse("programs-exercises"))
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == f"{live_server.url}/"
    page.reload()  # now under the worker's control
    cached = page.evaluate(
        """async () => {
             const names = await caches.keys();
             const cache = await caches.open(names.find(n => n.startsWith('static-')));
             return (await cache.keys()).map(r => new URL(r.url).pathname);
           }"""
    )
    assert "/static/css/app.css" in cached
    assert "/static/css/figures.css" in cached
    assert not [path for path in cached if not path.startswith("/static/")]
