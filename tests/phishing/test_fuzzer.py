from __future__ import annotations

import importlib
import socket
import sys

import breachdesk.phishing.fuzzer


def test_importing_dnstwist_leaves_the_socket_default_timeout_alone() -> None:
    # dnstwist sets a 12 s default at import; PySpark's gateway then times out on long queries.
    sys.modules.pop("dnstwist", None)
    importlib.reload(breachdesk.phishing.fuzzer)
    assert socket.getdefaulttimeout() is None
