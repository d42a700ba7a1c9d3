"""Run code in a fresh Python with production settings: what runs with DJANGO_DEBUG unset.

Settings are read once at start-up, so what depends on DEBUG being off is checked in a child
process with the environment a real deployment would have.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOST = "hamstrings.example"


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "hamstrings.settings",
        # No DJANGO_DEBUG: production is what the settings give when nothing says otherwise.
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
    }
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "manage.py", *args], env)


def evaluate(env: dict[str, str], code: str) -> object:
    """Run `code` after django.setup(); it assigns `result`, which comes back through JSON."""
    script = "import django, json\ndjango.setup()\n" + textwrap.dedent(code)
    script += "\nprint('RESULT=' + json.dumps(result, default=str))\n"
    completed = run([sys.executable, "-c", script], env)
    if completed.returncode != 0:
        raise AssertionError(completed.stderr)
    line = next(x for x in completed.stdout.splitlines() if x.startswith("RESULT="))
    return json.loads(line.removeprefix("RESULT="))
