"""Handing messages to the SMTP server."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from types import TracebackType
from typing import Any


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    username: str
    password: str
    starttls: bool
    ssl: bool
    timeout: float

    @classmethod
    def from_config(cls, config: Any) -> SmtpSettings:
        return cls(
            host=config["SMTP_HOST"],
            port=int(config["SMTP_PORT"]),
            # Environment values are parsed as JSON: a numeric password arrives as int.
            username=str(config["SMTP_USERNAME"] or ""),
            password=str(config["SMTP_PASSWORD"] or ""),
            starttls=bool(config["SMTP_STARTTLS"]),
            ssl=bool(config["SMTP_SSL"]),
            timeout=float(config["SMTP_TIMEOUT"]),
        )


class Mailer:
    """One SMTP session for a delivery run.

    It connects for the first message and keeps the connection for the next.
    After a failed send the connection is dropped and the next message
    reconnects; when connecting itself fails, the rest of the run fails at
    once with that error rather than waiting for a dead server per message.
    """

    def __init__(self, settings: SmtpSettings) -> None:
        self._settings = settings
        self._smtp: smtplib.SMTP | None = None
        self._unreachable: str | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self._drop()

    def send(self, message: EmailMessage) -> None:
        """Return only once the server has accepted ``message``; raise otherwise."""
        if self._unreachable is not None:
            raise ConnectionError(self._unreachable)
        if self._smtp is None:
            try:
                self._smtp = self._connect()
            except OSError as error:  # smtplib's errors are OSErrors too
                self._unreachable = f"{type(error).__name__}: {error}"
                raise
        try:
            self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused:
            raise  # the session itself is fine for the next message
        except Exception:
            self._drop()
            raise

    def _connect(self) -> smtplib.SMTP:
        settings = self._settings
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if settings.ssl:
            smtp = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        try:
            if settings.starttls and not settings.ssl:
                smtp.starttls(context=context)
            if settings.username:
                smtp.login(settings.username, settings.password)
        except Exception:
            smtp.close()
            raise
        return smtp

    def _drop(self) -> None:
        if self._smtp is None:
            return
        try:
            self._smtp.quit()
        except OSError:
            self._smtp.close()
        self._smtp = None


def is_permanent(error: Exception) -> bool:
    """Whether retrying cannot help: the server refused the address for good (5xx)."""
    return isinstance(error, smtplib.SMTPRecipientsRefused) and all(
        code >= 500 for code, _text in error.recipients.values()
    )
