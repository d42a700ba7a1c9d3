"""`make bench`: the app under gunicorn in production mode, driven by wrk on loopback.

For SQLite (always) and PostgreSQL (when DATABASE_URL names one) it:
  1. makes a fresh database, migrates it (loading the content) and collects static files;
  2. seeds a person with two years of history (300 sessions, about 6,000 sets) and a person with
     ten sessions (bench/seed.py);
  3. starts gunicorn with hamstrings/gunicorn.conf.py, DEBUG off, on 127.0.0.1 only;
  4. logs in over HTTP like a browser, then runs wrk (a separate process) against each endpoint
     at each concurrency for a fixed time, with bench/wrk.lua making the requests;
  5. prints requests per second and p50/p99 latency, each against the do-nothing view (GET) or
     the one-row insert (POST), plus queries per page and the player page's weight in Chromium.

Nothing leaves the machine: every request goes to 127.0.0.1. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
LUA = ROOT / "bench" / "wrk.lua"
SEED = ROOT / "bench" / "seed.py"
HOST = "127.0.0.1"


@dataclass
class Target:
    """One row of the table: what wrk requests and what it is compared with."""

    name: str
    path: str
    method: str = "GET"
    htmx: bool = False
    body: str | None = None
    slots: bool = False  # log-a-set: a fresh unlogged set and client_token per request
    baseline: str | None = None
    cookie: str | None = None  # another person's session (history with 10 sessions)
    only_first_level: bool = False
    anonymous: bool = False  # no cookie at all: no session or user is loaded


@dataclass
class Result:
    target: Target
    connections: int
    rps: float
    p50_ms: float
    p99_ms: float
    ok: int
    failed: dict[str, int]
    raw: dict = field(repr=False)


# --- the server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def production_env(database_url: str, port: int, workdir: Path, workers: int | None) -> dict:
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": HOST,
        # Plain http on loopback; in production the TLS proxy is in front.
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": database_url,
        "BENCH_BARE_VIEW": "1",
        "DJANGO_LOG_LEVEL": "WARNING",
        "GUNICORN_BIND": f"{HOST}:{port}",
        "GUNICORN_ACCESS_LOG": str(workdir / "access.log"),
        "PYTHONUNBUFFERED": "1",
    }
    if workers:
        env["WEB_CONCURRENCY"] = str(workers)
    return env


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def seed(env: dict, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, str(SEED), *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def start_gunicorn(env: dict, workdir: Path) -> subprocess.Popen:
    log = open(workdir / "gunicorn.log", "w")  # noqa: SIM115 - closed with the process
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "hamstrings.wsgi", "--config", "hamstrings/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    port = int(env["GUNICORN_BIND"].rsplit(":", 1)[1])
    for _ in range(100):
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited: see {workdir / 'gunicorn.log'}")
        try:
            if request(port, "GET", "/healthz")[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.1)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 10 s")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# --- HTTP from Python, like a browser ----------------------------------------------------------


def request(
    port: int,
    method: str,
    path: str,
    headers: dict | None = None,
    body: str | None = None,
) -> tuple[int, dict[str, str], bytes, list[str]]:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        cookies = response.headers.get_all("Set-Cookie") or []
        return response.status, dict(response.getheaders()), data, cookies
    finally:
        conn.close()


def cookie_value(set_cookies: list[str], name: str) -> str | None:
    for line in set_cookies:
        match = re.match(rf"{name}=([^;]*)", line)
        if match:
            return match.group(1)
    return None


def log_in(port: int, username: str, password: str) -> tuple[str, str]:
    """The real log-in form: returns the session cookie and the CSRF secret to send back."""
    status, _, page, cookies = request(port, "GET", "/accounts/login/")
    assert status == 200, f"login page answered {status}"
    csrf = cookie_value(cookies, "csrftoken")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    body = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
    status, headers, _, cookies = request(
        port,
        "POST",
        "/accounts/login/",
        {
            "Cookie": f"csrftoken={csrf}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body,
    )
    session = cookie_value(cookies, "sessionid")
    if status != 302 or not session:
        raise SystemExit(f"logging in failed: {status} {headers}")
    return session, csrf


# --- wrk ---------------------------------------------------------------------------------------


def run_wrk(
    port: int,
    target: Target,
    connections: int,
    duration: int,
    threads: int,
    cookie: str,
    csrf: str,
    slots_file: Path | None,
) -> Result:
    env = {
        **os.environ,
        "BENCH_METHOD": target.method,
        "BENCH_PATH": target.path,
        "BENCH_COOKIE": cookie,
        "BENCH_CSRF": csrf,
        "BENCH_HTMX": "1" if target.htmx else "0",
        "BENCH_THREADS": str(threads),
        "BENCH_SEED": str(secrets.randbelow(10**6)),
    }
    if target.body is not None:
        env["BENCH_BODY"] = target.body
    if slots_file is not None:
        env["BENCH_SLOTS"] = str(slots_file)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        f"http://{HOST}:{port}{target.path}",
    ]
    out = subprocess.run(
        command, env=env, capture_output=True, text=True, check=True, timeout=duration + 60
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("BENCH_RESULT="))
    raw = json.loads(line.removeprefix("BENCH_RESULT="))
    statuses = {int(k): v for k, v in raw["statuses"].items()}
    ok = sum(n for status, n in statuses.items() if status < 400)
    failed = {str(status): n for status, n in statuses.items() if status >= 400}
    for kind in ("connect_errors", "read_errors", "write_errors", "timeouts", "exhausted"):
        if raw[kind]:
            failed[kind] = raw[kind]
    seconds = raw["duration_us"] / 1e6
    return Result(
        target=target,
        connections=connections,
        rps=ok / seconds,
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        ok=ok,
        failed=failed,
        raw=raw,
    )


# --- the player page's weight, as a browser loads it -------------------------------------------


def page_weight(port: int, path: str, session: str) -> dict | None:
    """Bytes over the wire (compressed bodies plus headers) for a first visit, in Chromium."""
    chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not Path(chromium).exists():
        return None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context()
        context.add_cookies(
            [{"name": "sessionid", "value": session, "url": f"http://{HOST}:{port}"}]
        )
        page = context.new_page()
        responses = []
        # On the context, not the page: the service worker's own downloads count too.
        context.on("requestfinished", lambda r: responses.append(r))
        page.goto(f"http://{HOST}:{port}{path}", wait_until="networkidle")
        # Everything a first visit fetches includes what the service worker caches on install.
        page.evaluate("navigator.serviceWorker ? navigator.serviceWorker.ready.then(() => 1) : 0")
        page.wait_for_timeout(1000)
        files = []
        for r in responses:
            sizes = r.sizes()
            response = r.response()
            files.append(
                {
                    "url": urlsplit(r.url).path,
                    "bytes": sizes["responseBodySize"] + sizes["responseHeadersSize"],
                    "encoding": (response.headers.get("content-encoding") if response else None),
                }
            )
        browser.close()
    return {"total": sum(f["bytes"] for f in files), "files": files}


# --- one database ------------------------------------------------------------------------------


def targets(main: dict, small_cookie: str) -> list[Target]:
    session = main["open_session"]
    return [
        Target("bare view, no cookie (the ceiling)", "/bench/bare", anonymous=True),
        # With the person's cookies, like every page below: it loads their session and user.
        Target("bare view (GET, does nothing)", "/bench/bare"),
        Target("bare insert (POST, one row)", "/bench/insert", method="POST", body=""),
        Target("dashboard", "/dashboard/", baseline="bare view (GET, does nothing)"),
        Target(
            "player page",
            f"/sessions/{session}/",
            baseline="bare view (GET, does nothing)",
        ),
        Target("plan page", "/plan/", baseline="bare view (GET, does nothing)"),
        Target(
            "log a set (htmx POST)",
            "/sessions/0/sets/",
            method="POST",
            htmx=True,
            slots=True,
            baseline="bare insert (POST, one row)",
        ),
        Target("history, 300 sessions", "/history/", baseline="bare view (GET, does nothing)"),
        Target(
            "history, 10 sessions",
            "/history/",
            baseline="bare view (GET, does nothing)",
            cookie=small_cookie,
            only_first_level=True,
        ),
    ]


def bench_database(label: str, database_url: str, args, workdir: Path) -> dict:
    port = free_port()
    env = production_env(database_url, port, workdir, args.workers)
    print(f"\n== {label}: migrate, collectstatic, seed", flush=True)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    seeded = seed(env, "history")
    print(
        f"   {seeded['sessions']} sessions, {seeded['sets']} sets seeded in {seeded['seconds']} s",
        flush=True,
    )
    queries = seed(env, "queries")

    server = start_gunicorn(env, workdir)
    try:
        session, csrf = log_in(port, seeded["main"]["username"], seeded["main"]["password"])
        cookie = f"sessionid={session}; csrftoken={csrf}"
        results: list[Result] = []
        skipped: dict[str, str] = {}
        for target in targets(seeded["main"], seeded["small"]["cookie"]):
            target_cookie = (
                f"sessionid={target.cookie}; csrftoken={csrf}" if target.cookie else cookie
            )
            if target.anonymous:
                target_cookie = ""
            if not target.slots:
                status = warm_up(port, target, target_cookie, csrf)
                if status >= 400:
                    skipped[target.name] = f"answers {status}"
                    continue
            for connections in args.connections:
                if target.only_first_level and connections != args.connections[0]:
                    continue
                slots_file = None
                if target.slots:
                    slots_file = prepare_slots(env, workdir, results, connections, args.duration)
                    if slots_file is None:
                        skipped[target.name] = "bare insert failed, no rate to size the run"
                        break
                    status = warm_up_slot(port, slots_file, csrf)
                    if status >= 400:
                        skipped[target.name] = f"answers {status}"
                        break
                result = run_wrk(
                    port,
                    target,
                    connections,
                    args.duration,
                    args.threads,
                    target_cookie,
                    csrf,
                    slots_file,
                )
                results.append(result)
                print(
                    f"   {target.name:32} c={connections:<3} {result.rps:8.0f} req/s  "
                    f"p50 {result.p50_ms:6.1f} ms  p99 {result.p99_ms:6.1f} ms"
                    + (f"  FAILED {result.failed}" if result.failed else ""),
                    flush=True,
                )
        weight = None
        if not args.no_browser and "player page" not in skipped:
            weight = page_weight(port, f"/sessions/{seeded['main']['open_session']}/", session)
    finally:
        stop(server)
    return {
        "label": label,
        "results": results,
        "skipped": skipped,
        "queries": queries,
        "weight": weight,
        "seeded": seeded,
    }


def warm_up(port: int, target: Target, cookie: str, csrf: str) -> int:
    """A few requests first, so every worker has its templates loaded; returns the status."""
    headers = {"Accept-Encoding": "br, gzip"}
    if cookie:
        headers["Cookie"] = cookie
    if target.method == "POST":
        headers |= {"X-CSRFToken": csrf, "Content-Type": "application/x-www-form-urlencoded"}
    if target.htmx:
        headers["HX-Request"] = "true"
    status = 0
    for _ in range(8):
        status = request(port, target.method, target.path, headers, target.body)[0]
    return status


def warm_up_slot(port: int, slots_file: Path, csrf: str) -> int:
    """Log one set of the last person in the file by hand: checks the POST really works."""
    text = slots_file.read_text().strip().splitlines()
    path, session, body = re.match(r'\{"([^"]+)","([^"]+)","([^"]+)"\},', text[-2]).groups()
    body += f"&client_token={secrets.token_hex(16)}"
    status, *_ = request(
        port,
        "POST",
        path,
        {
            "Cookie": f"sessionid={session}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
            "HX-Request": "true",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body,
    )
    # That slot is used now: drop it from the file so wrk does not post it again.
    slots_file.write_text("\n".join(text[:-2] + text[-1:]) + "\n")
    return status


def prepare_slots(
    env: dict, workdir: Path, results: list[Result], connections: int, duration: int
) -> Path | None:
    """Enough people mid-session that every POST of the run logs a new set."""
    insert = next(
        (
            r
            for r in results
            if r.target.name.startswith("bare insert") and r.connections == connections
        ),
        None,
    )
    if insert is None or insert.ok == 0:
        return None
    # At most the bare insert's rate; twice over for safety, about 20 sets a person.
    people = int(insert.rps * duration * 2 / 20) + 50
    path = workdir / f"slots-{connections}.lua"
    made = seed(env, "loggers", str(people), str(path))
    print(f"   ({made['people']} people mid-session, {made['slots']} sets to log)", flush=True)
    return path


# --- databases ---------------------------------------------------------------------------------


def postgres_bench_url(url: str) -> tuple[str, str, str]:
    """A throwaway database next to the one named, so the benchmark never touches real data."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "postgres"
    bench_name = f"{name}_bench"
    return urlunsplit(parts._replace(path=f"/{bench_name}")), bench_name, url


def recreate_postgres(admin_url: str, name: str, drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


# --- the report --------------------------------------------------------------------------------


def command_line() -> str:
    """How this run was started, with any PostgreSQL password left out."""
    url = os.environ.get("DATABASE_URL", "")
    prefix = ""
    if url:
        parts = urlsplit(url)
        host = parts.hostname or ""
        safe = parts._replace(netloc=f"{parts.username or ''}@{host}:{parts.port or ''}")
        prefix = f"DATABASE_URL={urlunsplit(safe)} "
    return prefix + shlex.join(["python", *sys.argv])


def report(run: dict, args) -> str:
    by_name = {(r.target.name, r.connections): r for r in run["results"]}
    lines = [
        f"### {run['label']}",
        "",
        "| endpoint | clients | req/s | p50 ms | p99 ms | vs baseline | failed |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in run["results"]:
        ratio = ""
        if r.target.baseline:
            base = by_name.get((r.target.baseline, r.connections))
            if base and base.rps:
                ratio = f"{r.rps / base.rps:.2f}"
        failed = ", ".join(f"{k}: {v}" for k, v in r.failed.items()) or ""
        lines.append(
            f"| {r.target.name} | {r.connections} | {r.rps:,.0f} | {r.p50_ms:.1f} | "
            f"{r.p99_ms:.1f} | {ratio} | {failed} |"
        )
    for name, why in run["skipped"].items():
        lines.append(f"| {name} | | | | | | not measured: {why} |")

    lines += ["", "| page (in-process) | status | queries | median ms | HTML bytes |"]
    lines += ["|---|---:|---:|---:|---:|"]
    for name, q in run["queries"].items():
        lines.append(f"| {name} | {q['status']} | {q['queries']} | {q['ms']} | {q['bytes']:,} |")

    weight = run["weight"]
    if weight:
        lines += [
            "",
            f"Player page, first load in Chromium: {weight['total'] / 1024:.1f} KB transferred "
            f"in {len(weight['files'])} responses (compressed bodies plus headers).",
            "",
            "| file | bytes | encoding |",
            "|---|---:|---|",
        ]
        lines += [
            f"| {f['url']} | {f['bytes']:,} | {f['encoding'] or ''} |" for f in weight["files"]
        ]
    lines += ["", *targets_met(run, args)]
    return "\n".join(lines)


def targets_met(run: dict, args) -> list[str]:
    """Every target of docs/performance.md, each said to be met or not, from this run alone."""
    first = args.connections[0]
    by_name = {(r.target.name, r.connections): r for r in run["results"]}

    def at(name: str) -> Result | None:
        return by_name.get((name, first))

    out = [f"Targets (at {first} clients, against the rows of the same run):"]

    def verdict(label: str, ok: bool | None, shown: str) -> None:
        word = "not measured" if ok is None else ("met" if ok else "NOT met")
        out.append(f"- {label}: {shown}: {word}")

    bare, insert = at("bare view (GET, does nothing)"), at("bare insert (POST, one row)")
    log = at("log a set (htmx POST)")
    if log and insert and insert.rps:
        ratio = log.rps / insert.rps
        verdict("log a set, req/s", ratio >= 0.5, f"{ratio:.2f} of the bare insert (>= 0.50)")
        allowed = 2 * insert.p99_ms
        verdict(
            "log a set, p99",
            log.p99_ms <= allowed,
            f"{log.p99_ms:.1f} ms against the bare insert's {insert.p99_ms:.1f} ms (<= 2x)",
        )
    else:
        verdict("log a set", None, "no run")
    q = run["queries"]
    posted = q.get("log a set (same exercise next)")
    if posted and posted["status"] == 200:
        verdict("log a set, queries", posted["queries"] <= 6, f"{posted['queries']} (<= 6)")
        verdict(
            "log a set, answer",
            posted["bytes"] <= 3 * 1024,
            f"{posted['bytes']:,} bytes, {posted['gzip_bytes']:,} gzipped (<= 3 KB before "
            f"compression)",
        )
    for page in ("player page", "dashboard", "plan page"):
        row = at(page)
        ok = None if not (row and bare and bare.rps) else row.rps / bare.rps >= 0.35
        shown = f"{row.rps / bare.rps:.2f} of the bare view (>= 0.35)" if ok is not None else ""
        verdict(page, ok, shown)
    big, small = at("history, 300 sessions"), at("history, 10 sessions")
    if big and bare and bare.rps:
        ratio = big.rps / bare.rps
        verdict("history at 300 sessions", ratio >= 0.25, f"{ratio:.2f} of the bare view (>= 0.25)")
    else:
        verdict("history at 300 sessions", None, "")
    if big and small and small.rps:
        change = abs(big.rps - small.rps) / small.rps
        verdict(
            "history, 10 against 300 sessions, req/s",
            change <= 0.2,
            f"{small.rps:,.0f} and {big.rps:,.0f} req/s, {change:.0%} apart (within 20%)",
        )
    points = [q.get(f"history, {n} sessions") for n in (10, 100, 300)]
    if all(p and p["status"] == 200 for p in points):
        same = len({p["queries"] for p in points}) == 1
        shown = ", ".join(f"{p['queries']} queries / {p['ms']} ms" for p in points)
        verdict("history at 10, 100, 300 sessions, queries", same, f"{shown} (the same)")
    weight = run["weight"]
    if weight:
        kb = weight["total"] / 1024
        verdict("player page first load", kb < 60, f"{kb:.1f} KB (< 60 KB)")
    else:
        verdict("player page first load", None, "no browser")
    return out


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split()[:2]
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}; {platform.platform()}; "
        f"Python {platform.python_version()}; {' '.join(wrk)}"
    )


def load_average() -> str:
    """Other work on the machine skews every number: shown next to the results."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", default="16,64", help="comma-separated client counts")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="gunicorn sync workers (default 2, as in the issue's reference numbers; "
        "0 for the config's default of two per core)",
    )
    parser.add_argument("--only", choices=["sqlite", "postgres"], help="one database only")
    parser.add_argument("--no-browser", action="store_true", help="skip the page-weight check")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 if any endpoint was skipped or answered an error (a smoke test for CI)",
    )
    args = parser.parse_args()
    args.connections = [int(c) for c in args.connections.split(",")]
    if not 1 <= args.duration <= 120:
        parser.error("--duration must be between 1 and 120 seconds")

    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")

    workdir = Path(tempfile.mkdtemp(prefix="hamstrings-bench-"))
    print(f"Machine: {machine()}")
    print(f"Command: {command_line()}")
    print(f"Load average before: {load_average()}")
    print(f"Work folder: {workdir}")
    runs = []
    try:
        if args.only != "postgres":
            url = f"sqlite:///{workdir / 'bench.sqlite3'}"
            runs.append(bench_database("SQLite", url, args, workdir))
        given = os.environ.get("DATABASE_URL", "")
        if args.only != "sqlite" and given.startswith(("postgres://", "postgresql://")):
            url, name, admin = postgres_bench_url(given)
            recreate_postgres(admin, name)
            try:
                runs.append(bench_database("PostgreSQL", url, args, workdir))
            finally:
                recreate_postgres(admin, name, drop_only=True)
        elif args.only == "postgres":
            raise SystemExit("--only postgres needs DATABASE_URL=postgres://...")
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    workers = args.workers or os.environ.get("WEB_CONCURRENCY") or "two per core (config default)"
    print(
        f"\n## Results\n\nMachine: {machine()}\n\nCommand: `{command_line()}`\n\n"
        f"gunicorn sync workers: {workers}; "
        f"wrk -t{args.threads}, {args.duration} s per run; load average after: {load_average()}\n"
    )
    for run in runs:
        print(report(run, args))
        print()
    broken = [
        f"{run['label']}: {name} {why}" for run in runs for name, why in run["skipped"].items()
    ] + [
        f"{run['label']}: {r.target.name} at {r.connections}: {r.failed}"
        for run in runs
        for r in run["results"]
        if r.failed
    ]
    if args.strict and broken:
        raise SystemExit("bench --strict: " + "; ".join(broken))


if __name__ == "__main__":
    main()
