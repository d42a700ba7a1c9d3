"""Gunicorn, as it runs in production and in `make serve` / `make bench`.

Every value can be changed from the environment, so one file serves a laptop and a fleet.
"""

import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


bind = os.environ.get("GUNICORN_BIND") or (
    f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
)

# Sync workers: every view is short and database-bound, and Django's sync stack is the fast
# path (ASGI with sync views measured about ten times slower on this app's kind of page).
# Two per core is a good start; the benchmark in docs/performance.md shows where it tops out.
worker_class = "sync"
workers = _int("WEB_CONCURRENCY", max(2, 2 * (os.cpu_count() or 1)))

# Load Django once in the master: a broken setting stops start-up before any worker forks,
# and workers share the imported code. Django opens no connection at import, so none is shared.
preload_app = True

# A request that takes longer than this is stuck, not slow: kill the worker and start another.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5
# Recycle workers now and then, staggered, so slow leaks in any library never add up.
max_requests = _int("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = max_requests // 10

# The heartbeat file in memory, not on a disk that may stall (containers, network volumes).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Logs to stdout/stderr for the process manager; the access log records the time taken (µs).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(D)sus "%(a)s"'

# Only the load balancer talks to gunicorn; its address goes here (FORWARDED_ALLOW_IPS).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Gunicorn 23+ opens a control socket at one fixed path per user; several instances on one
# machine (make serve next to make bench) would fight over it, and nothing here uses it.
control_socket_disable = True

# Requests are small forms; anything much bigger is not ours.
limit_request_line = 4094
limit_request_fields = 100
