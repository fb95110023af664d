"""Schemathesis against the served OpenAPI document of a `doorpak serve --demo` of its own.

Starts `.build/debug/doorpak serve --demo` (fresh data dir, free port: the requests it makes
create data, which must not disturb the other browser tests), creates a personal access token
for the demo administrator through the account page, and runs schemathesis with the checks
`not_a_server_error` and `response_schema_conformance` over every operation. Examples are
limited and deterministic to keep the run short; requests are paced under the API's rate limit.
The full output goes to .ci-tmp/logs/schemathesis.log.

Needs no DOORPAK_URL; DOORPAK_BIN overrides the binary; SCHEMATHESIS_MAX_EXAMPLES the examples
per operation (default 10); SCHEMATHESIS_PHASES the phases (default `examples,fuzzing`, about
about 1–1.5 minutes; `examples,coverage,fuzzing` adds schemathesis' boundary-value phase, about 5 minutes).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from conftest import ADMIN, DEMO_PASSWORD, LOGS, ROOT

pytestmark = pytest.mark.flow

BIN = Path(os.environ.get("DOORPAK_BIN", str(ROOT / ".build" / "debug" / "doorpak")))
MAX_EXAMPLES = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    if not BIN.exists():
        pytest.fail(f"{BIN} is not built (swift build --product doorpak)", pytrace=False)
    data = tempfile.mkdtemp(prefix="doorpak-schemathesis-")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DOORPAK_DATA_DIR", "PORT", "HOST")}
    log = open(Path(data) / "server.log", "wb")
    process = subprocess.Popen([str(BIN), "serve", "--demo", "--port", str(port), "--data-dir", data],
                               stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        if process.poll() is not None:
            pytest.fail(f"doorpak exited: {(Path(data) / 'server.log').read_text()[-2000:]}", pytrace=False)
        try:
            with urllib.request.urlopen(base + "/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("doorpak did not answer /health within 120 s", pytrace=False)
        time.sleep(0.3)
    yield base, Path(data) / "server.log"
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()
    LOGS.mkdir(parents=True, exist_ok=True)
    shutil.copy(Path(data) / "server.log", LOGS / "schemathesis-server.log")
    shutil.rmtree(data, ignore_errors=True)


def personal_access_token(base: str) -> str:
    """Signs in as the demo administrator and creates a token on the account page, as a person would."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(base + "/login").read()
    csrf = next(c.value for c in jar if c.name == "dp_csrf")

    def post(path: str, fields: dict[str, str]) -> str:
        body = urllib.parse.urlencode({"_csrf": csrf, **fields}).encode()
        request = urllib.request.Request(base + path, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
        with opener.open(request) as response:
            return response.read().decode()

    post("/login", {"email": ADMIN, "password": DEMO_PASSWORD})
    page = post("/account/tokens", {"name": "schemathesis"})
    match = re.search(r"dpk_[A-Za-z0-9_-]{43}", page)
    assert match, "no token shown on the account page after creating one"
    return match.group(0)


def test_schemathesis_finds_no_server_errors_or_schema_violations(server):
    base, server_log = server
    token = personal_access_token(base)
    command = [
        str(Path(sys.executable).parent / "schemathesis"), "run", base + "/api/v1/openapi.json",
        "--url", base + "/api/v1",
        "-H", f"Authorization: Bearer {token}",
        "--checks", "not_a_server_error,response_schema_conformance",
        "--phases", os.environ.get("SCHEMATHESIS_PHASES", "examples,fuzzing"),
        "--max-examples", MAX_EXAMPLES,
        "--generation-deterministic",
        "--suppress-health-check", "all",
        # The API allows a token 600 requests a minute after a burst: stay under it.
        "--rate-limit", "9/s",
        "--request-timeout", "20",
        "--no-color",
    ]
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, timeout=900)
    LOGS.mkdir(parents=True, exist_ok=True)
    output = result.stdout + result.stderr
    (LOGS / "schemathesis.log").write_text(output.replace(token, "dpk_<token>"), encoding="utf-8")
    print(f"schemathesis: exit {result.returncode} after {time.monotonic() - started:.0f}s; last lines:\n"
          + "\n".join(output.replace(token, "dpk_<token>").splitlines()[-25:]))
    assert result.returncode == 0, ("schemathesis found problems (.ci-tmp/logs/schemathesis.log):\n"
                                    + output.replace(token, "dpk_<token>")[-6000:])
