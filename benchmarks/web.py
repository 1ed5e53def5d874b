"""Workbench latency under a bounded loopback load, per page.

Builds the demo workspace (or uses ``--workspace``), starts ``breachdesk serve`` in its own
process, logs ``--users`` accounts in (one session each) and, page by page, keeps ``--users``
requests in flight until ``--requests`` have completed. Prints one JSON line per page with
p50/p95/p99 and requests/s, then a summary line. The floor, measured in the same run, is a
static file from the same server (no session, no store). Target: dashboard p95 < 200 ms at
50 concurrent users.

    python benchmarks/web.py [--workspace DIR] [--users 50] [--requests 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import quantiles

import httpx

from breachdesk.demo.generate import GenerateOptions
from breachdesk.demo.run import run_demo
from breachdesk.web import add_user, generate_password, list_users, set_password
from breachdesk.workspace import open_workspace

ROLE = "responder"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _accounts(root: Path, count: int) -> dict[str, str]:
    """``count`` responder accounts (created once per workspace; passwords reset each run)."""
    workspace = open_workspace(root)
    try:
        existing = {u.name for u in list_users(workspace.store)}
        accounts = {}
        for n in range(count):
            name, password = f"bench-{n:03d}", generate_password()
            if name in existing:
                set_password(workspace.store, name, password, actor="benchmarks/web.py")
            else:
                add_user(workspace.store, name, ROLE, password, actor="benchmarks/web.py")
            accounts[name] = password
        return accounts
    finally:
        workspace.close()


async def _log_in(base: str, name: str, password: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=60, follow_redirects=False)
    form = await client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text)
    if token is None:
        raise SystemExit("login form has no csrf field")
    done = await client.post(
        "/login", data={"name": name, "password": password, "csrf": token[1], "next": "/"}
    )
    if done.status_code != 303 or "/login" in done.headers.get("location", ""):
        raise SystemExit(f"login of {name} failed: {done.status_code}")
    return client


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` and its worker processes (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return own + sum(_cpu_seconds(int(child)) for child in children)


def _own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _load(
    clients: list[httpx.AsyncClient], path: str, total: int, server: int
) -> dict[str, object]:
    latencies: list[float] = []
    errors = 0
    remaining = total

    async def user(client: httpx.AsyncClient) -> None:
        nonlocal remaining, errors
        while remaining > 0:
            remaining -= 1
            start = time.perf_counter()
            response = await client.get(path)
            latencies.append(time.perf_counter() - start)
            if response.status_code != 200:
                errors += 1

    began, server_cpu, client_cpu = time.perf_counter(), _cpu_seconds(server), _own_cpu_seconds()
    await asyncio.gather(*(user(c) for c in clients))
    elapsed = time.perf_counter() - began
    server_cpu = _cpu_seconds(server) - server_cpu
    client_cpu = _own_cpu_seconds() - client_cpu
    cuts = quantiles(latencies, n=100)
    return {
        "page": path,
        "users": len(clients),
        "requests": len(latencies),
        "errors": errors,
        "p50_ms": round(cuts[49] * 1000, 1),
        "p95_ms": round(cuts[94] * 1000, 1),
        "p99_ms": round(cuts[98] * 1000, 1),
        "requests_per_s": round(len(latencies) / elapsed, 1),
        # Where the time went: the server's CPU per request, and the load generator's own
        # (it shares the machine's cores with the server).
        "server_cpu_ms_per_request": round(server_cpu * 1000 / len(latencies), 2),
        "client_cpu_ms_per_request": round(client_cpu * 1000 / len(latencies), 2),
    }


async def _run(
    base: str, accounts: dict[str, str], pages: list[str], total: int, server: int
) -> list[dict]:
    clients = [await _log_in(base, n, p) for n, p in accounts.items()]
    try:
        for client in clients[:1]:  # warm the server's caches once
            for path in pages:
                await client.get(path)
        return [await _load(clients, path, total, server) for path in ["/static/app.css", *pages]]
    finally:
        for client in clients:
            await client.aclose()


def _pages(base: str, name: str, password: str) -> list[str]:
    async def find() -> list[str]:
        client = await _log_in(base, name, password)
        try:
            listing = (await client.get("/incidents")).text
        finally:
            await client.aclose()
        found = re.search(r'href="(/incidents/INC-[0-9-]+)"', listing)
        incident = [found[1]] if found else []
        return ["/", "/alerts", "/incidents", *incident, "/inventory", "/phishing"]

    return asyncio.run(find())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path, help="an existing demo workspace")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--requests", type=int, default=1000, help="per page")
    parser.add_argument("--workers", type=int, default=2, help="server processes (serve --workers)")
    args = parser.parse_args()

    scratch = None
    root = args.workspace
    if root is None:
        scratch = tempfile.TemporaryDirectory(prefix="breachdesk-web-bench-")
        root = Path(scratch.name) / "demo"
        run_demo(GenerateOptions(out=root, customers=5000, days=14, seed=7))
    accounts = _accounts(root, args.users)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = Path(tempfile.mkdtemp(prefix="breachdesk-web-bench-")) / "serve.log"
    command = [sys.executable, "-m", "breachdesk", "-w", str(root), "serve"]
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [*command, "--port", str(port), "--workers", str(args.workers)],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("breachdesk serve did not start") from None
                time.sleep(0.1)
        first, password = next(iter(accounts.items()))
        pages = _pages(base, first, password)
        results = asyncio.run(_run(base, accounts, pages, args.requests, server.pid))
    except BaseException:
        print(log.read_text(errors="replace")[-3000:], file=sys.stderr)
        raise
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(log.parent)
        if scratch is not None:
            scratch.cleanup()
    for line in results:
        print(json.dumps(line))
    dashboard = next(r for r in results if r["page"] == "/")
    print(
        json.dumps(
            {
                "summary": "web",
                "users": args.users,
                "server_workers": args.workers,
                "floor_p95_ms": results[0]["p95_ms"],
                "dashboard_p95_ms": dashboard["p95_ms"],
                "target_dashboard_p95_ms": 200,
                "target_met": dashboard["p95_ms"] < 200 and dashboard["errors"] == 0,
                "cores": os.cpu_count(),
            }
        )
    )


if __name__ == "__main__":
    main()
