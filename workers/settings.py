"""One settings object, read from ``NEWSWORKER_*`` environment variables.

Every knob of the worker lives here so that the README's settings table, the
Faust app, the CLI tools and the tests all read the same values.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path


class SettingsError(ValueError):
    """A setting has a value that cannot be used."""


def _csv(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    # Kafka
    broker: str = "kafka://localhost:9092"
    app_id: str = "newsworker"
    raw_topics: tuple[str, ...] = ("news.raw",)
    articles_topic: str = "news.articles"
    duplicates_topic: str = "news.duplicates"
    deadletter_topic: str = "news.deadletter"
    stories_topic: str = "news.stories"
    topic_partitions: int = 4
    topic_replication: int = 1
    topic_retention_hours: int = 168
    security_protocol: str = "PLAINTEXT"  # PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL
    sasl_mechanism: str = "PLAIN"  # PLAIN, SCRAM-SHA-256, SCRAM-SHA-512
    sasl_username: str = ""
    sasl_password: str = ""
    ssl_cafile: str = ""
    # Consumer-group timings: short timeouts make rebalances quick on small clusters.
    session_timeout_seconds: float = 30.0
    rebalance_timeout_seconds: float = 20.0
    heartbeat_interval_seconds: float = 3.0
    # Records per produced batch, in bytes. 1 sends one record per batch: needed on Tansu 0.6, which
    # reports end offsets from the last batch's base offset, so that Faust restores tables completely.
    producer_max_batch_bytes: int = 16384
    # Worker
    web_port: int = 6066
    web_host: str = "0.0.0.0"
    state_dir: Path = Path("./state")
    store: str = "memory://"  # or rocksdb:// (needs the rocksdb extra)
    log_level: str = "info"
    # Processing limits: a message over these becomes a dead letter, never a stall.
    max_message_bytes: int = 5_000_000
    max_html_bytes: int = 3_000_000
    max_text_chars: int = 500_000
    article_timeout_seconds: float = 10.0
    # Dedup
    dedup_window_days: float = 7.0
    dedup_threshold: float = 0.7  # containment of the shorter body in the longer (BENCHMARKS.md, Near-duplicates)
    # Site templates learned from the stream
    template_min_articles: int = 20
    template_line_ratio: float = 0.3
    template_max_lines_per_domain: int = 5000

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            name = f"NEWSWORKER_{f.name.upper()}"
            if name not in env:
                continue
            raw = env[name]
            try:
                values[f.name] = _convert(f.type, raw)
            except ValueError as exc:
                raise SettingsError(f"{name}={raw!r}: {exc}") from None
        settings = cls(**values)
        settings.validate()
        return settings

    def validate(self) -> None:
        if not self.raw_topics:
            raise SettingsError("NEWSWORKER_RAW_TOPICS must name at least one topic")
        if not 0.0 < self.dedup_threshold <= 1.0:
            raise SettingsError("NEWSWORKER_DEDUP_THRESHOLD must be in (0, 1]")
        if self.topic_partitions < 1:
            raise SettingsError("NEWSWORKER_TOPIC_PARTITIONS must be >= 1")
        outputs = [self.articles_topic, self.duplicates_topic, self.deadletter_topic, self.stories_topic]
        if set(outputs) & set(self.raw_topics):
            raise SettingsError("NEWSWORKER_RAW_TOPICS names an output topic (NEWSWORKER_*_TOPIC): that would loop")

    @property
    def max_record_bytes(self) -> int:
        """The largest record the worker writes or reads: an event or a dead letter may hold the
        message twice over (its text, and the original bytes) plus its fields. Sizes the producer's
        requests, the consumer's fetches and the topics' ``max.message.bytes``."""
        return max(2 * self.max_message_bytes + 1_000_000, 1_048_576)

    @property
    def bootstrap_servers(self) -> str:
        """``host:port[,host:port]`` for kafka-python, from the Faust-style URL."""
        servers = []
        for part in self.broker.split(";"):
            for server in part.split(","):
                server = server.strip()
                if "://" in server:
                    server = server.split("://", 1)[1]
                if server:
                    servers.append(server)
        return ",".join(servers)

    def kafka_python_security(self) -> dict[str, object]:
        """Keyword arguments for kafka-python clients (admin, producer)."""
        kwargs: dict[str, object] = {"security_protocol": self.security_protocol}
        if self.security_protocol.startswith("SASL"):
            kwargs.update(
                sasl_mechanism=self.sasl_mechanism,
                sasl_plain_username=self.sasl_username,
                sasl_plain_password=self.sasl_password,
            )
        if self.security_protocol.endswith("SSL") and self.ssl_cafile:
            kwargs["ssl_cafile"] = self.ssl_cafile
        return kwargs

    def to_env(self) -> dict[str, str]:
        """The settings as NEWSWORKER_* variables: ``Settings.from_env(s.to_env()) == s``."""
        env = {}
        for f in fields(self):
            value = getattr(self, f.name)
            env[f"NEWSWORKER_{f.name.upper()}"] = ",".join(value) if isinstance(value, tuple) else str(value)
        return env

    def public(self) -> dict[str, object]:
        """The settings as logged at start-up: secrets masked."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "sasl_password" and value:
                value = "***"
            out[f.name] = str(value) if isinstance(value, Path) else value
        return out


def _convert(type_name: object, raw: str) -> object:
    kind = type_name if isinstance(type_name, str) else getattr(type_name, "__name__", str(type_name))
    if kind.startswith("tuple"):
        return _csv(raw)
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    if kind == "Path":
        return Path(raw)
    if kind == "bool":
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    return raw

