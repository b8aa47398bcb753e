"""gunicorn settings for De-escalation Tracker: `gunicorn -c gunicorn.conf.py tracker.wsgi`.

Every value can be overridden on the command line or through GUNICORN_CMD_ARGS; the ones read
from the environment here are those a deployment usually changes.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Threads: sync workers answer "Connection: close" to every request, so a browser opens a new TCP
# connection for each page and asset. gthread workers keep connections alive and let a worker
# answer other requests while one waits on the database. Two processes per core, four threads each,
# suits the 2-core machine this was measured on (docs/performance.md).
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))

# Keep-alive: long enough for a browser to fetch the page's CSS, scripts and SVG over one connection.
keepalive = 5

# Each worker listens on its own socket (SO_REUSEPORT, gunicorn ≥ 23), so the kernel spreads new
# connections over the workers. On one shared socket, a gthread worker accepts whatever arrives while
# it has room (`worker_connections`, 1,000), however busy its threads are: 20 readers and 5 analysts
# kept alive split 848/194 between two workers on PostgreSQL, and one process under one GIL answered
# most requests (docs/performance.md, “Figures behind the code”). Linux only (elsewhere the flag is ignored and
# the socket shared). With the flag, a second server started by mistake on the same address and user
# shares its connections instead of failing to bind: give each server its own address.
reuse_port = True

# The slowest request left after this work is an admin form of a large case (a second or two);
# status-report PDFs are rendered by the background worker (`manage.py report_worker`), never in a
# request. 30 s still ends a stuck request; graceful_timeout lets requests under way finish on reload.
timeout = 30
graceful_timeout = 30

# Restart workers now and then so that a slow leak cannot grow without bound; jitter spreads restarts.
max_requests = 2000
max_requests_jitter = 200

# Load the application before forking: WeasyPrint and Django are imported once, shared copy-on-write.
preload_app = True

accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
