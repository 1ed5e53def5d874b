"""``breachdesk serve``: the web workbench and the public portal (uvicorn)."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Any

import typer

from breachdesk.cli.output import console, emit_json, err_console
from breachdesk.cli.state import state_of
from breachdesk.errors import UserInputError


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8000,
    tls_cert: Annotated[
        Path | None, typer.Option("--tls-cert", help="PEM certificate: serve HTTPS.")
    ] = None,
    tls_key: Annotated[
        Path | None, typer.Option("--tls-key", help="PEM private key of --tls-cert.")
    ] = None,
    portal_port: Annotated[
        int | None,
        typer.Option(
            "--portal-port",
            min=1,
            max=65535,
            help="Also serve the portal alone on this port, at the paths notices print.",
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help="Processes serving the workbench (about one per core).",
        ),
    ] = 1,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print the addresses as JSON before serving.")
    ] = False,
) -> None:
    """Serve the workbench (login) and the portal (/portal) until interrupted."""
    if (tls_cert is None) != (tls_key is None):
        raise UserInputError("give both --tls-cert and --tls-key, or neither")
    for path in (tls_cert, tls_key):
        if path is not None and not path.is_file():
            raise UserInputError(f"{path}: no such file")
    if workers > 1 and portal_port is not None:
        raise UserInputError("--portal-port needs --workers 1 (serve the portal on its own)")
    import asyncio

    import uvicorn

    from breachdesk.web import create_app, list_users
    from breachdesk.web.app import portal_app

    workspace = state_of(ctx).workspace()
    app = create_app(workspace)
    scheme = "https" if tls_cert else "http"
    shown = f"[{host}]" if ":" in host else host
    base = f"{scheme}://{shown}:{port}"
    info: dict[str, object] = {
        "workbench": f"{base}/",
        "portal": f"{base}/portal/verify",
        "tls": bool(tls_cert),
    }
    if portal_port is not None:
        info["portal_alone"] = f"{scheme}://{shown}:{portal_port}/verify"
    if json_out:
        emit_json(info)
    else:
        console.print(f"Workbench: {info['workbench']}", soft_wrap=True)
        console.print(f"Portal: {info['portal']}", soft_wrap=True)
        if portal_port is not None:
            console.print(f"Portal alone: {info['portal_alone']}", soft_wrap=True)
        if not list_users(workspace.store):
            err_console.print(
                "note: no accounts yet; 'breachdesk user add NAME --role admin' adds one"
            )
        if not _loopback(host) and tls_cert is None:
            err_console.print(
                "warning: serving on a non-loopback address without TLS; "
                "put it behind HTTPS (--tls-cert/--tls-key or a reverse proxy)"
            )
    options: dict[str, Any] = {
        "ssl_certfile": str(tls_cert) if tls_cert else None,
        "ssl_keyfile": str(tls_key) if tls_key else None,
        "server_header": False,
        # Browsers and load tools keep idle connections longer than uvicorn's 5 s.
        "timeout_keep_alive": 30,
        "log_level": "warning" if json_out else "info",
    }
    if workers > 1:
        from breachdesk.web.serving import serve_workers

        root = workspace.root
        workspace.close()  # each worker opens its own
        serve_workers(root, host=host, port=port, workers=workers, **options)
        return
    from breachdesk.web.serving import listen

    # Bound here, so a taken port is one clear error line before anything is served.
    apps = [(app, port)] + ([(portal_app(workspace), portal_port)] if portal_port else [])
    sockets = [listen(host, number) for _, number in apps]
    servers = [uvicorn.Server(uvicorn.Config(served, **options)) for served, _ in apps]

    async def run_all() -> None:
        await asyncio.gather(*(s.serve(sockets=[k]) for s, k in zip(servers, sockets, strict=True)))

    asyncio.run(run_all())


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
