"""A free TCP port, for servers tests and benchmarks start as processes of their own."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port nobody listens on now (another process could still take it before we do)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
