#!/usr/bin/env python
"""Serve the portal as `make run` does: the Django server, a Celery worker and celery beat.

Used after `make setup` (migrated database, units, demo data, first recompute). With no
CELERY_BROKER_URL the worker and the web process share kombu's filesystem broker under var/broker,
so the nightly recompute and the recomputes queued on approval run out of the box. Ctrl-C (or
SIGTERM) stops all three; if one of them dies, the others are stopped too.

    python scripts/run_portal.py [--host 127.0.0.1] [--port 8000] [--no-beat]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STOP_GRACE_SECONDS = 10


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DEBUG", "true")  # the embedded default; production sets SECRET_KEY and DEBUG=false
    env.setdefault("DJANGO_SETTINGS_MODULE", "povertyplan.settings")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def prepare_broker(env: dict[str, str]) -> str:
    """Create the filesystem broker's folders (kombu does not) and say which broker is used."""
    os.environ.update({k: v for k, v in env.items() if k in ("DEBUG", "DJANGO_SETTINGS_MODULE")})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    for folder in getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}).values():
        if isinstance(folder, str) and folder.startswith("/"):
            Path(folder).mkdir(parents=True, exist_ok=True)
    url = settings.CELERY_BROKER_URL
    return f"{url} ({settings.CELERY_BROKER_DIR})" if url.startswith("filesystem") else url.split("@")[-1]


def demo_logins(env: dict[str, str]) -> str:
    """The demo logins as create_demo_users prints them; nothing when that command does not exist."""
    from django.core.management import get_commands

    if "create_demo_users" not in get_commands():
        return ""
    done = subprocess.run(
        [sys.executable, "manage.py", "create_demo_users"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    return done.stdout.strip() if done.returncode == 0 else ""


def commands(host: str, port: int, beat: bool) -> dict[str, list[str]]:
    celery = [sys.executable, "-m", "celery", "-A", "povertyplan"]
    procs = {
        "web": [sys.executable, "manage.py", "runserver", f"{host}:{port}", "--noreload"],
        # Two processes, as in production (SQLite copes: WAL and immediate transactions, see the
        # settings); each is replaced once it grows past CELERY_WORKER_MAX_MEMORY_PER_CHILD.
        "worker": [*celery, "worker", "-c", "2", "-l", "info", "-n", "portal@%h", "--without-gossip"],
    }
    if beat:
        # The schedule lives in the database (django-celery-beat); no schedule file is written.
        procs["beat"] = [*celery, "beat", "-l", "info", "-S", "django_celery_beat.schedulers:DatabaseScheduler"]
    return procs


def stop(children: dict[str, subprocess.Popen]) -> None:
    """SIGTERM to each child (warm shutdown for Celery), then SIGKILL its process group if it lingers.

    Only the child itself gets SIGTERM: a Celery worker's master stops its pool processes in
    order, where a signal to the whole group kills them under it and leaves it waiting.
    """
    for proc in children.values():
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for name, proc in children.items():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"[run_portal] {name} did not stop in {STOP_GRACE_SECONDS}s; killing it", flush=True)
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--no-beat", action="store_true", help="start no scheduler (another host runs beat)")
    args = parser.parse_args(argv)

    env = child_env()
    broker = prepare_broker(env)
    logins = demo_logins(env)

    stopping = False

    def request_stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    children: dict[str, subprocess.Popen] = {}
    for name, command in commands(args.host, args.port, not args.no_beat).items():
        # Own session: Ctrl-C reaches only this script, which then stops the children in order.
        children[name] = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)

    print(f"\n[run_portal] http://{args.host}:{args.port}/  (Ctrl-C to stop)", flush=True)
    print(f"[run_portal] Celery broker: {broker}; worker and {'beat' if not args.no_beat else 'no beat'} started")
    if logins:
        print(f"[run_portal] Demo logins:\n{logins}", flush=True)

    status = 0
    while not stopping:
        for name, proc in children.items():
            if proc.poll() is not None:
                print(f"[run_portal] {name} exited with {proc.returncode}; stopping the others", flush=True)
                stopping, status = True, 1
                break
        else:
            time.sleep(0.5)
    print("[run_portal] stopping web, worker and beat…", flush=True)
    stop(children)
    return status


if __name__ == "__main__":
    sys.exit(main())
