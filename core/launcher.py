"""`make run`: the web server with a real Celery worker and beat beside it, stopped together;
`make stop`: stops what `make run` started, from another terminal, embedded servers included.

Usage: python -m core.launcher [ADDRESS:PORT]  serve (embedded servers only where no URL is set)
       python -m core.launcher stop            stop the launcher, its processes and the servers
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from core import embedded

RUN_FILE = embedded.VAR_DIR / "run.json"


def service_env(environ: dict[str, str]) -> dict[str, str]:
    """The environment of the three processes: an embedded server starts only for a service
    whose URL is not set (never `setdefault(..., start())`, which starts it anyway)."""
    env = dict(environ)
    if not env.get("DATABASE_URL"):
        # The app's role, never the owner's: the served app may not rewrite the ledger.
        env["DATABASE_URL"] = embedded.app_url(embedded.postgres_url())
    if not env.get("REDIS_URL"):
        env["REDIS_URL"] = embedded.redis_url()
    return env


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped) counts as gone.
    with contextlib.suppress(OSError):
        if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return False
    return True


def _ours(pid: int) -> bool:
    """Is this pid still one of our processes (and not a stranger that reused the number)?"""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return _alive(pid)
    return any(mark in cmdline for mark in ("core.launcher", "manage.py", "celery"))


def serve(address: str = "127.0.0.1:8000") -> int:
    env = service_env(dict(os.environ))
    python = sys.executable
    commands = {
        "web": [python, "manage.py", "runserver", "--noreload", address],
        "worker": [
            python, "-m", "celery", "-A", "stockpile", "worker", "--beat",
            "--loglevel", "INFO", "--concurrency", "2",
            "--schedule", str(embedded.VAR_DIR / "celerybeat-schedule"),
        ],
    }  # fmt: skip
    # Each in a session of its own, so that whatever it forks (Celery's pool and beat) can be
    # stopped with it as one group, even if the process itself dies first.
    processes = {
        name: subprocess.Popen(command, env=env, start_new_session=True)
        for name, command in commands.items()
    }
    RUN_FILE.parent.mkdir(parents=True, exist_ok=True)
    RUN_FILE.write_text(
        json.dumps({"launcher": os.getpid(), **{n: p.pid for n, p in processes.items()}})
    )
    print(f"Stockpile is serving on http://{address}/ (Ctrl-C or `make stop` stops it)")

    stopping = False

    def stop(*_args):
        nonlocal stopping
        stopping = True
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(process.poll() is None for process in processes.values()):
            time.sleep(0.5)
    except KeyboardInterrupt:
        stopping = True
    stop()
    for process in processes.values():
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        _kill_group(process.pid)  # a pool child or beat its parent left behind
    with contextlib.suppress(FileNotFoundError):
        RUN_FILE.unlink()
    clean = (0, -signal.SIGTERM, -signal.SIGINT)
    failed = [name for name, process in processes.items() if process.returncode not in clean]
    if failed or not stopping:
        print(f"Stockpile stopped: {', '.join(failed) or 'a process'} exited", file=sys.stderr)
        return 1
    return 0


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def stop_all(timeout: float = 30) -> None:
    """Stop the launcher (which stops the web server, worker and beat), anything of ours it left
    behind, then the embedded servers. Their data stays under var/."""
    try:
        pids = json.loads(RUN_FILE.read_text())
    except (FileNotFoundError, ValueError):
        pids = {}
    launcher = pids.pop("launcher", None)
    stopped = []
    if launcher and _alive(launcher) and _ours(launcher):
        stopped.append("the web server, worker and beat")
        os.kill(launcher, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(launcher) and time.monotonic() < deadline:
            time.sleep(0.2)
    for pid in pids.values():  # only if the launcher itself was killed
        if _alive(pid) and _ours(pid):
            stopped.append(f"process {pid}")
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 20
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.2)
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        # Linux reuses no pid still naming a live group, so a group left here is ours.
        if not _alive(pid):
            _kill_group(pid)
    with contextlib.suppress(FileNotFoundError):
        RUN_FILE.unlink()
    stopped += embedded.stop()
    print("Stopped: " + (", ".join(stopped) or "nothing was running") + ". Data stays in var/.")


if __name__ == "__main__":
    if sys.argv[1:2] == ["stop"]:
        stop_all()
        sys.exit(0)
    sys.exit(serve(*sys.argv[1:2]))
