"""Loaded by a server started with PYTHONPATH=tests/netguard: every attempt to reach a non-loopback
address is refused and written to $NETGUARD_LOG, so a test can prove the server stayed offline."""

import ipaddress
import os
import socket

_LOG = os.environ.get("NETGUARD_LOG")
_connect = socket.socket.connect
_getaddrinfo = socket.getaddrinfo


def _loopback(host: object) -> bool:
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return host in ("localhost", None, "")


def _record(what: object) -> None:
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as f:
            f.write(f"{what}\n")


def _guarded_connect(self: socket.socket, address: object) -> object:
    if self.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple) and not _loopback(address[0]):
        _record(address)
        raise OSError(f"network disabled by the test: {address}")
    return _connect(self, address)


def _guarded_getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
    if not _loopback(host):
        _record(host)
        raise socket.gaierror(f"name resolution disabled by the test: {host}")
    return _getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]


if _LOG:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.getaddrinfo = _guarded_getaddrinfo  # type: ignore[assignment]
