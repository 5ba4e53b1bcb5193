"""gunicorn's settings for Agora: `gunicorn -c ops/gunicorn.conf.py config.wsgi`.

Each value can be set from the environment, so one file serves every instance.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: each request holds one worker and one database connection. On 2 cores, 2 per
# instance; elsewhere about 2 per core, and as many PgBouncer clients (or PostgreSQL
# connections) per instance.
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = "sync"
# A request still running after this long has lost its worker: it is killed and restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
# Requests are logged by the app (or the proxy); "-" sends gunicorn's access log to stdout.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = os.environ.get("GUNICORN_PROC_NAME", "agora")
# gunicornc's socket: one per instance (the default path is one per user, which a second
# instance on the machine would take over); none unless asked for.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
# Whether a request came over HTTPS is Django's decision alone (DJANGO_TRUST_X_FORWARDED_PROTO,
# config/settings.py): gunicorn must not turn X-Forwarded-Proto into wsgi.url_scheme by itself.
secure_scheme_headers: dict[str, str] = {}
forwarded_allow_ips = ""

if os.environ.get("AGORA_TASK_LEDGER"):
    # the scale-out battery's record of the tasks the web publishes (ops/task_ledger.py)
    import ops.task_ledger  # noqa: F401
