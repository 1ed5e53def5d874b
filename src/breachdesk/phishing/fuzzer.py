"""dnstwist's ``Fuzzer``, imported without its side effect on the whole process.

dnstwist calls ``socket.setdefaulttimeout(12)`` when imported, which makes every later
socket in the process (PySpark's py4j gateway, database drivers) fail on any wait over 12 s.
Importing it here restores the previous default; the rest of Breachdesk imports it from here.
"""

from __future__ import annotations

import socket

_default_timeout = socket.getdefaulttimeout()
try:
    from dnstwist import Fuzzer
finally:
    socket.setdefaulttimeout(_default_timeout)

__all__ = ["Fuzzer"]
