"""A lean HTTP/1.1 load generator for the benchmarks: concurrent clients in one thread.

The server under test shares this machine's two cores with its clients, so the
clients must cost as little as possible and must not delay one another: one
thread drives every client's socket with ``selectors`` (no GIL hand-offs
between client threads), requests are written as bytes, and a response is
parsed only as far as its status line, its headers and its body. Each request
opens a new connection (``Connection: close``), as the benchmarks ask.

A client is a generator: it yields a ``Request`` and receives the ``Response``
(with the time it took, from connecting to the last byte) until it returns.
"""

from __future__ import annotations

import selectors
import socket
import time
from collections.abc import Generator, Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # lower-case names; repeated ones joined with ", " (but Set-Cookie)
    body: bytes
    seconds: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def cookie(self) -> str | None:
        """The ``name=value`` of the cookie the response sets, if any."""
        value = self.headers.get("set-cookie")
        return value.split(";", 1)[0] if value else None


Client = Generator[Request, Response, None]


def run(address: tuple[str, int], clients: Iterable[Client], *, timeout: float = 30) -> None:
    """Drive every client until each has returned."""
    selector = selectors.DefaultSelector()
    pending = list(clients)
    for client in pending:
        _start(selector, address, client, next(client, None))
    while selector.get_map():
        events = selector.select(timeout)
        if not events:
            raise TimeoutError(f"no answer from {address} within {timeout} s")
        for key, mask in events:
            exchange: _Exchange = key.data
            if mask & selectors.EVENT_WRITE and exchange.outgoing:
                sent = key.fileobj.send(exchange.outgoing)
                exchange.outgoing = exchange.outgoing[sent:]
                if not exchange.outgoing:
                    selector.modify(key.fileobj, selectors.EVENT_READ, exchange)
                continue
            chunk = key.fileobj.recv(65536)
            if chunk:
                exchange.incoming.append(chunk)
                continue
            # The server closed the connection: the response is complete.
            finished = time.perf_counter()
            selector.unregister(key.fileobj)
            key.fileobj.close()
            response = _parse(b"".join(exchange.incoming), finished - exchange.started)
            try:
                following = exchange.client.send(response)
            except StopIteration:
                continue
            _start(selector, address, exchange.client, following)


def request_bytes(request: Request, host: str) -> bytes:
    lines = [f"{request.method} {request.path} HTTP/1.1", f"Host: {host}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in request.headers.items()]
    if request.body or request.method == "POST":
        lines.append(f"Content-Length: {len(request.body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + request.body


@dataclass
class _Exchange:
    client: Client
    outgoing: bytes
    started: float
    incoming: list[bytes] = field(default_factory=list)


def _start(
    selector: selectors.BaseSelector,
    address: tuple[str, int],
    client: Client,
    request: Request | None,
) -> None:
    if request is None:
        return
    started = time.perf_counter()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setblocking(False)
    sock.connect_ex(address)
    exchange = _Exchange(client, request_bytes(request, f"{address[0]}:{address[1]}"), started)
    selector.register(sock, selectors.EVENT_WRITE, exchange)


def _parse(raw: bytes, seconds: float) -> Response:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        value = value.strip()
        if name not in headers:
            headers[name] = value
        elif name != "set-cookie":  # one cookie (the session) is all the desk sets
            headers[name] = f"{headers[name]}, {value}"
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = _unchunk(body)
    return Response(status, headers, body, seconds)


def _unchunk(body: bytes) -> bytes:
    parts = []
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        parts.append(rest[:size])
        body = rest[size + 2 :]
    return b"".join(parts)
