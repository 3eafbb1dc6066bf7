"""`make run`: the web server with a real Celery worker and beat beside it, stopped together.

Usage: python -m core.launcher [ADDRESS:PORT]
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from core import embedded


def main(address: str = "127.0.0.1:8000") -> int:
    env = dict(os.environ)
    # Start the embedded services once, here, so the three processes share them.
    env.setdefault("DATABASE_URL", embedded.postgres_url())
    env.setdefault("REDIS_URL", embedded.redis_url())
    python = sys.executable
    commands = {
        "web": [python, "manage.py", "runserver", "--noreload", address],
        "worker": [
            python, "-m", "celery", "-A", "stockpile", "worker", "--beat",
            "--loglevel", "INFO", "--concurrency", "2",
            "--schedule", str(embedded.VAR_DIR / "celerybeat-schedule"),
        ],
    }  # fmt: skip
    processes = {name: subprocess.Popen(command, env=env) for name, command in commands.items()}
    print(f"Stockpile is serving on http://{address}/ (Ctrl-C stops the web server and jobs)")

    def stop(*_args):
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(process.poll() is None for process in processes.values()):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    stop()
    for process in processes.values():
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    failed = [name for name, process in processes.items() if process.returncode not in (0, -15)]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:2]))
