"""Serving the workbench from several processes on one listening socket.

One Python process handles about 450 dashboard requests a second (the GIL); with ``workers``
processes the parent binds the socket once and forks children that each open the workspace
and run uvicorn on the inherited socket, so the kernel spreads connections over them.
Everything shared lives in the store (sessions, login failures, the audit log); per-process
are only caches (the dashboard body, the watch list) and the one-scope-run-per-incident guard.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
from pathlib import Path
from types import FrameType
from typing import Any

import uvicorn

from breachdesk.errors import UserInputError


def serve_workers(root: Path, *, host: str, port: int, workers: int, **config: Any) -> None:
    """Run ``workers`` uvicorn processes of the workbench on ``host:port`` until signalled.

    ``config`` holds further ``uvicorn.Config`` options (TLS files, log level, keep-alive).
    SIGINT and SIGTERM to this process are passed on to the workers, which finish their
    requests and exit.
    """
    sock = listen(host, port)
    sock.set_inheritable(True)
    context = multiprocessing.get_context("fork")
    children = [
        context.Process(target=_worker, args=(root, sock, config), daemon=True)
        for _ in range(workers)
    ]

    def stop(signum: int, _frame: FrameType | None) -> None:
        for child in children:
            if child.is_alive() and child.pid is not None:
                child.terminate()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for child in children:
            child.start()
        for child in children:
            child.join()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sock.close()


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port``; UserInputError (one line) when it is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise UserInputError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(2048)
    return sock


def _worker(root: Path, sock: socket.socket, config: dict[str, Any]) -> None:
    # Each worker opens the workspace itself: nothing of the parent's store is shared.
    from breachdesk.web.app import create_app
    from breachdesk.workspace import open_workspace

    workspace = open_workspace(root)
    try:
        app = create_app(workspace)
        uvicorn.Server(uvicorn.Config(app, **config)).run(sockets=[sock])
    finally:
        workspace.close()
