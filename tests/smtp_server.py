"""A local SMTP server for the tests: ``aiosmtpd`` on 127.0.0.1, on a free port, recording each message.

The stdlib ``smtpd`` module is gone since Python 3.12. ``smtp_server`` yields ``(port, received)``; each
delivered message is appended to ``received`` as ``(recipients, data)``, like the former ``smtpd`` recorder:
the recipients as given to RCPT TO, the DATA content decoded as UTF-8 with LF line endings and no final
line break (dot-stuffing removed).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller

Received = list[tuple[list[str], str]]


class _Recorder:
    def __init__(self) -> None:
        self.received: Received = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd hook
        content: bytes = envelope.content  # every line ends with CRLF, dot-stuffing already removed
        if content.endswith(b"\r\n"):
            content = content[:-2]
        self.received.append((list(envelope.rcpt_tos), content.replace(b"\r\n", b"\n").decode()))
        return "250 OK"


class _EphemeralPortController(Controller):
    """``Controller`` with ``port=0``: learns the bound port before its start-up self-connection."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, Received]]:
    """A local SMTP server on 127.0.0.1 (``aiosmtpd``, ephemeral port) recording each message."""
    recorder = _Recorder()
    # server_hostname: no getfqdn() lookup; no SMTPUTF8 (as smtpd's default), plain bytes DATA.
    controller = _EphemeralPortController(
        recorder, hostname="127.0.0.1", port=0, server_hostname="localhost", enable_SMTPUTF8=False
    )
    controller.start()
    try:
        yield controller.port, recorder.received
    finally:
        controller.stop()
