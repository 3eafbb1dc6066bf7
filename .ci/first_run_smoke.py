"""CI: what a newcomer does right after `make run` — the demo clerk signs in through the API and
posts a receipt, and the answer says it was posted. Standard library only.

Usage: python .ci/first_run_smoke.py [BASE_URL]
"""

import datetime
import json
import sys
import urllib.error
import urllib.request

BASE = (sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000").rstrip("/")
API = f"{BASE}/api/v1"


def call(method, path, body=None, token=None):
    request = urllib.request.Request(  # noqa: S310 (our own server, http)
        f"{API}/{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"}
        | ({"Authorization": f"Token {token}"} if token else {}),
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (our server)
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def main() -> int:
    status, answer = call(
        "POST", "auth/token/", {"username": "clerk", "password": "stockpile-demo"}
    )
    assert status in (200, 201), f"sign-in: {status} {answer}"
    token = answer["token"]
    status, stock = call("GET", "stock/", token=token)
    assert status == 200, f"stock: {status} {stock}"
    serviceable = [row for row in stock["results"] if row["condition"] in ("A", "B")]
    assert serviceable, f"the demo clerk sees no serviceable stock: {stock}"
    row = serviceable[0]
    receipt = {
        "reference": "FIRST-RUN-SMOKE",
        "occurred_on": datetime.date.today().isoformat(),
        "counterparty": "CI first-run smoke",
        "lines": [{"lot": row["lot"], "storehouse": row["storehouse"], "quantity": 1}],
    }
    status, posted = call("POST", "receipts/", receipt, token=token)
    assert status == 201, f"receipt: {status} {posted}"
    print(f"First run: the demo clerk posted receipt {posted.get('number', posted.get('id'))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
