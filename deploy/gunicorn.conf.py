"""gunicorn settings for the web process: ``gunicorn -c deploy/gunicorn.conf.py``.

Sized for the machine it starts on; every number can be overridden from the environment
(the systemd unit reads /etc/mentoring/env, see deploy/.env.example).

Why these numbers (measured with bench/load.py on a 2-core machine, see README.md):
- gthread workers: a request spends part of its time waiting on PostgreSQL and Redis,
  and argon2 (sign-in) releases the GIL, so a few threads per process keep the cores busy
  without a process (~120 MB) per concurrent request.
- workers = cores + 1, threads = 4: about 12 requests in flight on 2 cores, 12 database
  connections (CONN_MAX_AGE keeps them), well under PostgreSQL's default 100.
- timeout 30 s: a worker stuck longer is killed and replaced; no page of the app should
  come near it (sign-in ~50 ms of argon2, the heaviest dashboard < 1 s).
- graceful reload: ``systemctl reload mentoring-web`` (SIGHUP) starts new workers on the new
  code and lets the old ones finish their requests (graceful_timeout). preload_app stays
  off for that reason: with it, a reload would keep the old code.
- max_requests with jitter recycles each worker now and then, so a slow leak never grows.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


wsgi_app = "mentorship.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")

worker_class = "gthread"
workers = _int("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1)
threads = _int("GUNICORN_THREADS", 4)

timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# nginx keeps connections to us open between requests.
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
preload_app = False

# Behind nginx on the same host: trust its X-Forwarded-* headers, nobody else's.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Refuse absurd request lines and headers before Django sees them.
limit_request_line = 8190
limit_request_fields = 100

# Logs to stderr: journald keeps them (journalctl -u mentoring-web). The app's own lines are
# JSON (core/logs.py); this access log adds what only gunicorn sees (requests a killed
# worker never answered), with nginx's request id to join the two. The path is logged
# without its query string (%(U)s): a directory search is a name.
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
access_log_format = (
    'request_id=%({x-request-id}i)s remote=%({x-forwarded-for}i)s method=%(m)s path="%(U)s" '
    "status=%(s)s bytes=%(B)s duration_ms=%(M)s"
)

proc_name = "mentoring-web"
# Worker temp files in memory, not on a disk that may stall (gunicorn's heartbeat).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
