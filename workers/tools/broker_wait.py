"""At start, wait for the Kafka broker for up to NEWSWORKER_BROKER_WAIT_SECONDS, one log line per try.

One rule for ``worker``, ``topics`` and ``produce``: a broker that is still starting is waited for;
one that does not answer in time stops the command with a clear message, not a traceback.
"""

from __future__ import annotations

import logging
import time

from ..settings import Settings

log = logging.getLogger("newsworker")
RETRY_SECONDS = 5.0


class BrokerUnavailable(RuntimeError):
    pass


def broker_answers(s: Settings, timeout: float) -> None:
    """Raises if no broker of ``s.broker`` completes a metadata request (with TLS/SASL as set)."""
    from kafka import KafkaAdminClient

    ms = max(1000, int(timeout * 1000))
    admin = KafkaAdminClient(bootstrap_servers=s.bootstrap_servers, client_id=f"{s.app_id}-start",
                             request_timeout_ms=ms, bootstrap_timeout_ms=ms, **s.kafka_python_security())
    try:
        admin.list_topics()
    finally:
        admin.close()


def wait_for_broker(s: Settings, retry_seconds: float = RETRY_SECONDS) -> None:
    from kafka.errors import KafkaConfigurationError

    started = time.monotonic()
    kafka_log = logging.getLogger("kafka")
    level = kafka_log.level
    kafka_log.setLevel(logging.CRITICAL)  # kafka-python logs every refused connection; one line per try is ours
    give_up = started + s.broker_wait_seconds
    try:
        while True:
            attempt = time.monotonic()
            try:
                broker_answers(s, max(1.0, min(retry_seconds, give_up - attempt)))
                return
            except KafkaConfigurationError:
                raise  # our bug, not the broker's absence
            except Exception as exc:
                now = time.monotonic()
                if now + 1.0 > give_up:
                    raise BrokerUnavailable(
                        f"no Kafka broker answered at {s.bootstrap_servers} within {s.broker_wait_seconds:g} s "
                        f"(NEWSWORKER_BROKER, NEWSWORKER_BROKER_WAIT_SECONDS): {exc}") from None
                log.warning("waiting for the Kafka broker at %s (%.0f of %g s): %s", s.bootstrap_servers,
                            now - started, s.broker_wait_seconds, exc)
                time.sleep(max(0.0, min(attempt + retry_seconds, give_up - 1.0) - now))
    finally:
        kafka_log.setLevel(level)
