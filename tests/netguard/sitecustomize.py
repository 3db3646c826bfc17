"""The network guard: every attempt to reach a non-loopback address is refused and recorded.

In-process, tests install `guards(...)` with monkeypatch. A server started with PYTHONPATH=tests/netguard
and NETGUARD_LOG set loads this file as sitecustomize and writes each attempt there, so a test can prove
the running server stayed offline.
"""

import ipaddress
import os
import socket
from collections.abc import Callable
from typing import Any

_connect = socket.socket.connect
_getaddrinfo = socket.getaddrinfo


def loopback(host: object) -> bool:
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return host in ("localhost", None, "")


def guards(record: Callable[[object], None]) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """Replacements for socket.socket.connect and socket.getaddrinfo that refuse and record."""
    def connect(self: socket.socket, address: object) -> object:
        if self.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple) \
                and not loopback(address[0]):
            record(address)
            raise OSError(f"network disabled by the test: {address}")
        return _connect(self, address)  # type: ignore[arg-type]

    def getaddrinfo(host: object, *args: Any, **kwargs: Any) -> Any:
        if not loopback(host):
            record(host)
            raise socket.gaierror(f"name resolution disabled by the test: {host}")
        return _getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    return connect, getaddrinfo


def _append_to_log(what: object) -> None:
    with open(os.environ["NETGUARD_LOG"], "a", encoding="utf-8") as f:
        f.write(f"{what}\n")


if os.environ.get("NETGUARD_LOG"):
    socket.socket.connect, socket.getaddrinfo = guards(_append_to_log)  # type: ignore[method-assign,assignment]
