"""Agora as production runs it, on this machine: gunicorn, two Celery workers and one beat, on
PostgreSQL and RabbitMQ, with production settings (DEBUG off, `check --deploy` clean).

    python -m ops.prodlike run               # `make prod`: one gunicorn, in the foreground;
                                             #   Ctrl-C stops everything
    python -m ops.prodlike scaleout start    # `make scaleout`: PgBouncer (transaction pooling),
                                             #   two gunicorn instances, two workers, one beat,
                                             #   in the background; returns once all are ready
    python -m ops.prodlike scaleout stop     # `make scaleout-stop`

The machine's services come from the environment: DATABASE_URL (PostgreSQL; the database is
created if missing), CELERY_BROKER_URL (RabbitMQ; a missing vhost is created with rabbitmqctl
when it is at hand), CACHE_URL (shared by the instances; default: a table in the database).
DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS are used when set; a key is generated once per run
directory otherwise. Nothing is installed: a missing PgBouncer is an error naming Debian's
package. See docs/operations.md.
"""

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import IO, Any
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/agora_prod"
DEFAULT_BROKER_URL = "amqp://guest:guest@127.0.0.1:5672/agora_prod"
# Shared by every instance (failed sign-in counts), with nothing but PostgreSQL.
DEFAULT_CACHE_URL = "dbcache://agora_cache"
# /health/ready when the app has it; the API root otherwise.
READY_PATHS = ("/health/ready", "/api/")
# Production redirects plain HTTP: the readiness probe (and the battery) speak as the
# TLS-terminating proxy would.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0


class StackError(Exception):
    """Something the stack needs is missing or wrong; the message says what to do."""


@dataclass
class Stack:
    run_dir: Path
    database_url: str
    broker_url: str
    host: str
    ports: list[int]
    pgbouncer_port: int | None = None
    ledger: bool = False
    probe_seconds: float = 0.0
    processes: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    @property
    def state_file(self) -> Path:
        return self.run_dir / "stack.json"

    @property
    def ledger_file(self) -> Path:
        return self.run_dir / "ledger.jsonl"


def say(message: str) -> None:
    print(f"[prodlike] {message}", flush=True)  # noqa: T201 - a command-line tool


# --- the machine's services ----------------------------------------------------------------


def check_database(url: str) -> None:
    """PostgreSQL answers, and the database exists (created if not)."""
    import psycopg

    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise StackError(f"DATABASE_URL must be PostgreSQL (postgres://...), not {parts.scheme}")
    name = unquote(parts.path.lstrip("/"))
    admin = url.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                say(f"creating database {name}")
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        raise StackError(
            f"PostgreSQL at {parts.hostname}:{parts.port} does not answer: {error}"
        ) from None


def check_broker(url: str) -> None:
    """RabbitMQ answers on this vhost; a missing vhost is made when rabbitmqctl is at hand."""
    from kombu import Connection

    parts = urlsplit(url)
    if parts.scheme not in ("amqp", "pyamqp"):
        raise StackError(f"CELERY_BROKER_URL must be RabbitMQ (amqp://...), not {parts.scheme}")
    vhost = unquote(parts.path[1:]) or "/"
    user = unquote(parts.username or "guest")
    rabbitmqctl = shutil.which("rabbitmqctl")
    if vhost != "/" and rabbitmqctl and parts.hostname in ("127.0.0.1", "localhost"):
        listed = subprocess.run(
            [rabbitmqctl, "list_vhosts", "-q"], capture_output=True, text=True, check=False
        )
        if listed.returncode == 0 and vhost not in listed.stdout.split():
            say(f"creating RabbitMQ vhost {vhost} for {user}")
            subprocess.run([rabbitmqctl, "add_vhost", vhost], check=True, capture_output=True)
            subprocess.run(
                [rabbitmqctl, "set_permissions", "-p", vhost, user, ".*", ".*", ".*"],
                check=True,
                capture_output=True,
            )
    try:
        with Connection(url, connect_timeout=5) as conn:
            conn.ensure_connection(max_retries=1)
    except Exception as error:
        raise StackError(
            f"RabbitMQ at {parts.hostname}:{parts.port}, vhost {vhost!r}, refuses us: {error}. "
            f"Create the vhost: rabbitmqctl add_vhost {vhost} && "
            f"rabbitmqctl set_permissions -p {vhost} {user} '.*' '.*' '.*'"
        ) from None


def pgbouncer_binary() -> str:
    found = shutil.which("pgbouncer") or shutil.which("pgbouncer", path="/usr/sbin:/usr/bin")
    if not found:
        raise StackError(
            "PgBouncer is not installed. Install Debian's package (PgBouncer 1.18): "
            "apt-get install pgbouncer"
        )
    return found


def port_is_free(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def check_ports(host: str, ports: list[int]) -> None:
    taken = [port for port in ports if not port_is_free(host, port)]
    if taken:
        raise StackError(
            f"port(s) {taken} on {host} are in use: stop what holds them, or choose others"
        )


# --- settings for every process --------------------------------------------------------------


def secret_key(run_dir: Path) -> str:
    if os.environ.get("DJANGO_SECRET_KEY"):
        return os.environ["DJANGO_SECRET_KEY"]
    stored = run_dir / "secret_key"
    if not stored.exists():
        stored.write_text(secrets.token_urlsafe(50))
        stored.chmod(0o600)
        say(f"DJANGO_SECRET_KEY is not set: generated one in {stored}")
    return stored.read_text().strip()


def app_env(stack: Stack, database_url: str, *, pooler: str = "") -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secret_key(stack.run_dir),
            "DJANGO_STATIC_ROOT": str(stack.run_dir / "static"),
            "DATABASE_URL": database_url,
            "DATABASE_POOLER": pooler,
            "PAYMENT_GATEWAY": "dummy",  # chosen: no real money on this machine (agora.W001)
            "CELERY_BROKER_URL": stack.broker_url,
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
    env.setdefault("CACHE_URL", DEFAULT_CACHE_URL)
    # Chosen here, not left to a default: the stack sits where a TLS-terminating proxy would
    # be, so X-Forwarded-Proto is trusted, and plain HTTP is redirected to HTTPS.
    env.setdefault("DJANGO_TRUST_X_FORWARDED_PROTO", "true")
    env.setdefault("DJANGO_SECURE_SSL_REDIRECT", "true")
    if stack.ledger:
        env["AGORA_TASK_LEDGER"] = str(stack.ledger_file)
        env["AGORA_BEAT_PROBE_SECONDS"] = str(stack.probe_seconds)
    return env


PREPARE = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
call_command("createcachetable", verbosity=0)
call_command("collectstatic", interactive=False, verbosity=0)
call_command("check", deploy=True, fail_level="WARNING")
"""


def prepare(env: dict[str, str]) -> None:
    """What every deployment does before its processes start: migrate, the cache's table,
    static files, and Django's deployment checks (a warning stops the start)."""
    say("migrate, createcachetable, collectstatic, check --deploy")
    result = subprocess.run([sys.executable, "-c", PREPARE], cwd=ROOT, env=env, check=False)
    if result.returncode:
        raise StackError("preparing the deployment failed (see above)")


# --- processes -------------------------------------------------------------------------------


def spawn(
    stack: Stack,
    name: str,
    argv: list[str],
    env: dict[str, str],
    *,
    background: bool,
    **popen: Any,
) -> subprocess.Popen[bytes]:
    output: IO[bytes] | None = None
    if background:
        output = open(stack.run_dir / f"{name}.log", "ab")  # noqa: SIM115 - the child keeps it
    process = subprocess.Popen(
        argv,
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=output,
        stderr=subprocess.STDOUT if background else None,
        # In the background each process leads its own group, so that `stop` ends it and its
        # children by its id; in the foreground they share the terminal's, and Ctrl-C reaches all.
        start_new_session=background,
        **popen,
    )
    if output:
        output.close()
    stack.processes.append((name, process))
    if background:
        # written as each process starts, so that `stop` finds them even if this start dies
        state = {"processes": [[n, p.pid] for n, p in stack.processes], "ports": stack.ports}
        stack.state_file.write_text(json.dumps(state))
    return process


def start_pgbouncer(stack: Stack, *, background: bool) -> str:
    """PgBouncer in front of the real server; returns the URL that goes through it."""
    assert stack.pgbouncer_port is not None
    binary = pgbouncer_binary()
    parts = urlsplit(stack.database_url)
    user = unquote(parts.username or "postgres")
    password = unquote(parts.password or "")
    home = stack.run_dir / "pgbouncer"
    as_root = os.geteuid() == 0
    if as_root:
        # PgBouncer runs as postgres (it refuses root), which may not reach a run directory in
        # a checkout under a private folder (a CI clone in a mktemp directory): its files live
        # in a folder of their own under the system's temporary directory instead
        home = Path(tempfile.gettempdir()) / f"agora-pgbouncer-{stack.pgbouncer_port}"
        shutil.rmtree(home, ignore_errors=True)
    home.mkdir(exist_ok=True)
    ini = Template((ROOT / "ops" / "pgbouncer.ini.template").read_text()).substitute(
        run_dir=home,
        server_host=parts.hostname or "127.0.0.1",
        server_port=parts.port or 5432,
        listen_port=stack.pgbouncer_port,
        auth_type="md5" if password else "trust",
        user=user,
        pool_size=os.environ.get("PGBOUNCER_POOL_SIZE", "10"),
    )
    (home / "pgbouncer.ini").write_text(ini)
    quoted = '"{}" "{}"\n'.format(user.replace('"', '""'), password.replace('"', '""'))
    (home / "userlist.txt").write_text(quoted)
    (home / "userlist.txt").chmod(0o600)
    popen: dict[str, Any] = {}
    if as_root:
        # PgBouncer refuses to run as root: it runs as the postgres user, which owns its files.
        popen = {"user": "postgres", "group": "postgres"}
        for path in (home, *home.iterdir()):
            shutil.chown(path, "postgres", "postgres")
    spawn(
        stack,
        "pgbouncer",
        [binary, str(home / "pgbouncer.ini")],
        dict(os.environ),
        background=background,
        **popen,
    )
    netloc = parts.netloc.rsplit("@", 1)
    credentials = netloc[0] + "@" if len(netloc) == 2 else ""
    url = parts._replace(netloc=f"{credentials}127.0.0.1:{stack.pgbouncer_port}").geturl()
    wait_for(lambda: pgbouncer_answers(url), f"PgBouncer on port {stack.pgbouncer_port}", stack)
    return url


def pgbouncer_answers(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=2, prepare_threshold=None) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.OperationalError:
        return False


def start_web(stack: Stack, env: dict[str, str], port: int, name: str, *, background: bool) -> None:
    web_env = env | {
        "GUNICORN_BIND": f"{stack.host}:{port}",
        "GUNICORN_PROC_NAME": f"agora-{name}",
        "GUNICORN_CONTROL_SOCKET": str(stack.run_dir / f"{name}.ctl"),
    }
    argv = [sys.executable, "-m", "gunicorn", "-c", "ops/gunicorn.conf.py", "config.wsgi"]
    spawn(stack, name, argv, web_env, background=background)


def start_workers(stack: Stack, env: dict[str, str], *, background: bool) -> list[str]:
    """Two workers on the one default queue; RabbitMQ hands each message to one of them."""
    names = []
    concurrency = os.environ.get("AGORA_WORKER_CONCURRENCY", "2")
    for number in (1, 2):
        node = f"worker{number}@{socket.gethostname()}"
        argv = [sys.executable, "-m", "celery", "-A", "config", "worker", "-n", node]
        argv += ["-c", concurrency, "-l", "info", "--without-gossip", "--without-mingle"]
        if stack.ledger:
            argv += ["-I", "ops.task_ledger"]
        spawn(stack, f"worker{number}", argv, env, background=background)
        names.append(node)
    return names


def start_beat(stack: Stack, env: dict[str, str], *, background: bool) -> None:
    """One beat for the whole deployment: each tick is sent once, whatever the workers."""
    argv = [sys.executable, "-m", "celery", "-A", "config", "beat", "-l", "info"]
    argv += ["-s", str(stack.run_dir / "celerybeat-schedule")]
    argv += ["--pidfile", str(stack.run_dir / "beat.pid")]
    if stack.ledger:
        argv += ["-S", "ops.task_ledger:LedgerScheduler"]
    spawn(stack, "beat", argv, env, background=background)


def web_ready(host: str, port: int) -> bool:
    import httpx

    for path in READY_PATHS:
        try:
            response = httpx.get(f"http://{host}:{port}{path}", headers=PROXY_HEADERS, timeout=2)
        except httpx.TransportError:
            return False
        if response.status_code != 404:
            return response.status_code == 200
    return False


def workers_ready(broker_url: str, names: list[str]) -> bool:
    from celery import Celery

    app = Celery(broker=broker_url)
    try:
        replies = app.control.ping(destination=names, timeout=1.0)
    except Exception:
        return False
    finally:
        app.close()
    return {name for reply in replies for name in reply} >= set(names)


def wait_for(ready: Any, what: str, stack: Stack) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not ready():
        for name, process in stack.processes:
            if process.poll() is not None:
                raise StackError(
                    f"{name} exited with {process.returncode} (see {log_hint(stack, name)})"
                )
        if time.monotonic() > deadline:
            raise StackError(f"{what} was not ready within {START_TIMEOUT:.0f} s")
        time.sleep(0.3)


def log_hint(stack: Stack, name: str) -> str:
    log = stack.run_dir / f"{name}.log"
    return str(log) if log.exists() else "its output above"


def start_all(stack: Stack, *, background: bool) -> None:
    check_database(stack.database_url)
    check_broker(stack.broker_url)
    ports = list(stack.ports) + ([stack.pgbouncer_port] if stack.pgbouncer_port else [])
    check_ports(stack.host, ports)
    if stack.pgbouncer_port:
        pgbouncer_binary()  # before anything starts
    prepare(app_env(stack, stack.database_url))
    stack.ledger_file.unlink(missing_ok=True)  # a ledger tells of one run of the stack
    database_url, pooler = stack.database_url, ""
    if stack.pgbouncer_port:
        database_url, pooler = start_pgbouncer(stack, background=background), "pgbouncer"
    env = app_env(stack, database_url, pooler=pooler)
    for number, port in enumerate(stack.ports, start=1):
        start_web(
            stack,
            env,
            port,
            f"web{number}" if len(stack.ports) > 1 else "web",
            background=background,
        )
    workers = start_workers(stack, env, background=background)
    start_beat(stack, env, background=background)
    for port in stack.ports:
        wait_for(lambda port=port: web_ready(stack.host, port), f"gunicorn on port {port}", stack)
    wait_for(lambda: workers_ready(stack.broker_url, workers), "the Celery workers", stack)


def stop_processes(processes: list[tuple[str, int]]) -> None:
    """SIGTERM each process (workers finish their task), newest first; SIGKILL what is still
    there after STOP_TIMEOUT."""
    for _, pid in reversed(processes):
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    for name, pid in reversed(processes):
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if _alive(pid):
            say(f"{name} (pid {pid}) did not stop: killing it")
            _signal(pid, signal.SIGKILL)


def _signal(pid: int, signum: int) -> None:
    """The process and, when it leads its own group (started in the background), its group."""
    with suppress(ProcessLookupError):
        if os.getpgid(pid) == pid:
            os.killpg(pid, signum)
        else:
            os.kill(pid, signum)


def _alive(pid: int) -> bool:
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)  # our child: reap it
        return reaped == 0
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return not Path(f"/proc/{pid}/stat").read_text().split(") ")[-1].startswith("Z")


# --- commands --------------------------------------------------------------------------------


def command_run(stack: Stack) -> int:
    """Foreground: everything stops on Ctrl-C (or SIGTERM), or when one process exits."""
    # Ctrl-C even where SIGINT came in ignored (a job started with `&`), and SIGTERM alike.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        start_all(stack, background=False)
        port = stack.ports[0]
        say(f"Agora (production settings) is serving on http://{stack.host}:{port}/ ")
        say("plain HTTP is redirected to HTTPS; a client (or proxy) sends X-Forwarded-Proto: https")
        say("two Celery workers and one beat are running; Ctrl-C stops everything")
        while True:
            for name, process in stack.processes:
                if process.poll() is not None:
                    say(f"{name} exited with {process.returncode}: stopping the rest")
                    return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        say("stopping")
        return 0
    except StackError as error:
        say(f"error: {error}")
        return 1
    finally:
        # Ctrl-C already reached them (same process group); SIGTERM is for the other exits.
        stop_processes([(name, process.pid) for name, process in stack.processes])


def command_scaleout_start(stack: Stack) -> int:
    if stack.state_file.exists():
        say(f"a stack is already recorded in {stack.state_file}: `make scaleout-stop` first")
        return 1
    try:
        start_all(stack, background=True)
    except (StackError, KeyboardInterrupt) as error:
        say(f"error: {error}")
        stop_processes([(name, process.pid) for name, process in stack.processes])
        stack.state_file.unlink(missing_ok=True)
        return 1
    ports = " and ".join(f"http://{stack.host}:{port}/" for port in stack.ports)
    say(f"serving on {ports} through PgBouncer on {stack.pgbouncer_port}")
    say(f"two workers and one beat; logs in {stack.run_dir}; stop: make scaleout-stop")
    return 0


def command_scaleout_stop(stack: Stack) -> int:
    if not stack.state_file.exists():
        say(f"no stack recorded in {stack.run_dir}")
        return 0
    state = json.loads(stack.state_file.read_text())
    stop_processes([(name, pid) for name, pid in state["processes"]])
    stack.state_file.unlink()
    say("stopped")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["run", "scaleout"])
    parser.add_argument("action", nargs="?", choices=["start", "stop"], default="start")
    parser.add_argument("--run-dir", type=Path, help="default: var/prod/<command>")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--ports", default=os.environ.get("SCALEOUT_PORTS", "8001,8002"))
    parser.add_argument(
        "--pgbouncer-port", type=int, default=int(os.environ.get("PGBOUNCER_PORT", "6432"))
    )
    parser.add_argument("--ledger", action="store_true", help="write ops/task_ledger.py's ledger")
    parser.add_argument("--probe-seconds", type=float, default=1.0, help="with --ledger")
    args = parser.parse_args(argv)
    run_dir = (args.run_dir or ROOT / "var" / "prod" / args.command).resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    scaleout = args.command == "scaleout"
    stack = Stack(
        run_dir=run_dir,
        database_url=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        broker_url=os.environ.get("CELERY_BROKER_URL") or DEFAULT_BROKER_URL,
        host=args.host,
        ports=[int(port) for port in args.ports.split(",")] if scaleout else [args.port],
        pgbouncer_port=args.pgbouncer_port if scaleout else None,
        ledger=args.ledger,
        probe_seconds=args.probe_seconds,
    )
    if not scaleout:
        return command_run(stack)
    if args.action == "stop":
        return command_scaleout_stop(stack)
    return command_scaleout_start(stack)


if __name__ == "__main__":
    sys.exit(main())
