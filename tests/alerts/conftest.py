"""A real SMTP server on localhost (aiosmtpd) for the alert and digest tests, and mail settings pointing at it."""

import email
import email.policy
import socket
import threading

import pytest
from aiosmtpd.controller import Controller


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    """Keeps every message the server accepted, parsed. `before_accept(n)`, when set, is called with the
    number of the message being received (from 1) before it is accepted; returning an SMTP reply refuses it."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()
        self.before_accept = None
        self.received = 0

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received += 1
            number = self.received
        if self.before_accept is not None:
            refusal = self.before_accept(number)
            if refusal:
                return refusal
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    recorder.port = port
    yield recorder
    controller.stop()


@pytest.fixture
def smtp_mail(settings, smtp_server):
    """Django's mail framework sends to the local SMTP server (no TLS, no login), as EMAIL_HOST would make it."""
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": smtp_server.port, "use_tls": False, "timeout": 10},
        }
    }
    settings.SITE_URL = "https://tracker.example.org"
    return smtp_server
