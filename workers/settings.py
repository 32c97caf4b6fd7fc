"""One settings object, read from ``NEWSWORKER_*`` environment variables (pydantic-settings).

Every knob of the worker lives here so that the README's settings table, the
Faust app, the CLI tools and the tests all read the same values. Types, closed
sets (``Literal``) and ranges are checked when the object is made, so every
command stops at start with the variable's name and the allowed values.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PREFIX = "NEWSWORKER_"
LogLevel = Literal["critical", "error", "warning", "info", "debug"]
Seconds = Annotated[float, Field(ge=0)]
Positive = Annotated[int, Field(ge=1)]


class SettingsError(ValueError):
    """A setting has a value that cannot be used."""


class Settings(BaseSettings):
    """``Settings()`` reads the environment; keyword arguments override it; ``replace`` makes a checked copy."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, frozen=True, extra="ignore", validate_default=True)

    # Kafka
    broker: Annotated[str, Field(min_length=1)] = "kafka://localhost:9092"
    app_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9._-]+$")] = "newsworker"
    raw_topics: Annotated[tuple[str, ...], NoDecode, Field(min_length=1)] = ("news.raw",)
    articles_topic: str = "news.articles"
    duplicates_topic: str = "news.duplicates"
    deadletter_topic: str = "news.deadletter"
    stories_topic: str = "news.stories"
    topic_partitions: Positive = 4
    topic_replication: Positive = 1
    topic_retention_hours: Positive = 168
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = "PLAIN"
    sasl_username: str = ""
    sasl_password: SecretStr = SecretStr("")
    ssl_cafile: str = ""
    # At start, how long to wait for the broker (one log line per attempt) before giving up.
    broker_wait_seconds: Seconds = 60.0
    # Consumer-group timings: short timeouts make rebalances quick on small clusters.
    session_timeout_seconds: Annotated[float, Field(gt=0)] = 30.0
    rebalance_timeout_seconds: Annotated[float, Field(gt=0)] = 20.0
    heartbeat_interval_seconds: Annotated[float, Field(gt=0)] = 3.0
    # Records per produced batch, in bytes. 1 sends one record per batch: needed on Tansu 0.6, which
    # reports end offsets from the last batch's base offset, so that Faust restores tables completely.
    producer_max_batch_bytes: Positive = 16384
    # Worker. The web server binds NEWSWORKER_WEB_HOST: all interfaces by default, because the kubelet's
    # probes and Prometheus reach the pod on its own IP; 127.0.0.1 keeps it on the machine.
    web_port: Annotated[int, Field(ge=1, le=65535)] = 6066
    web_host: Annotated[str, Field(min_length=1)] = "0.0.0.0"
    state_dir: Path = Path("./state")
    store: Literal["memory://", "rocksdb://"] = "memory://"  # rocksdb:// needs the rocksdb extra
    log_level: LogLevel = "info"
    # A stop (SIGTERM, SIGINT) that has not finished after this long ends the process: a broker that is
    # gone must not hold it. Below Kubernetes' terminationGracePeriodSeconds (60 in deploy/k8s).
    shutdown_timeout_seconds: Annotated[float, Field(gt=0)] = 30.0
    sketch_accel: bool = True  # the fingerprint's C extension when built; False: the numpy path
    # Processing limits: a message over these becomes a dead letter, never a stall.
    max_message_bytes: Positive = 5_000_000
    max_html_bytes: Positive = 3_000_000
    max_text_chars: Positive = 500_000
    article_timeout_seconds: Seconds = 10.0  # 0: in-process, no deadline (benchmarks)
    # Dedup
    dedup_window_days: Annotated[float, Field(gt=0)] = 7.0
    # containment of the shorter body in the longer (BENCHMARKS.md, Near-duplicates)
    dedup_threshold: Annotated[float, Field(gt=0, le=1)] = 0.7
    # Site templates learned from the stream; senders choose the sites, so the table is bounded.
    template_min_articles: Positive = 20
    template_line_ratio: Annotated[float, Field(gt=0, le=1)] = 0.3
    template_max_lines_per_site: Positive = 5000
    template_window_days: Annotated[float, Field(gt=0)] = 30.0  # sites not seen for this long are forgotten
    template_max_sites: Positive = 50_000

    @field_validator("raw_topics", mode="before")
    @classmethod
    def _csv(cls, value: Any) -> Any:
        return tuple(p.strip() for p in value.split(",") if p.strip()) if isinstance(value, str) else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        outputs = {self.articles_topic, self.duplicates_topic, self.deadletter_topic, self.stories_topic}
        if outputs & set(self.raw_topics):
            raise ValueError("NEWSWORKER_RAW_TOPICS names an output topic (NEWSWORKER_*_TOPIC): that would loop")
        if self.security_protocol.startswith("SASL") and not (self.sasl_username and self.sasl_password):
            raise ValueError(f"NEWSWORKER_SECURITY_PROTOCOL={self.security_protocol} needs NEWSWORKER_SASL_USERNAME "
                             "and NEWSWORKER_SASL_PASSWORD")
        if self.ssl_cafile and not Path(self.ssl_cafile).is_file():
            raise ValueError(f"NEWSWORKER_SSL_CAFILE={self.ssl_cafile!r}: no such file")
        return self

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        """The settings from the environment; a bad value raises SettingsError naming the variable."""
        try:
            return cls(**overrides)
        except ValidationError as exc:
            raise SettingsError(_explain(exc)) from None

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes``, checked like the environment (model_copy would not validate)."""
        try:
            return type(self).model_validate({**dict(self), **changes})
        except ValidationError as exc:
            raise SettingsError(_explain(exc)) from None

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
        for part in self.broker.replace(";", ",").split(","):
            server = part.strip().split("://", 1)[-1]
            if server:
                servers.append(server)
        return ",".join(servers)

    def kafka_python_security(self) -> dict[str, object]:
        """Keyword arguments for kafka-python clients (admin, producer)."""
        kwargs: dict[str, object] = {"security_protocol": self.security_protocol}
        if self.security_protocol.startswith("SASL"):
            kwargs.update(sasl_mechanism=self.sasl_mechanism, sasl_plain_username=self.sasl_username,
                          sasl_plain_password=self.sasl_password.get_secret_value())
        if self.security_protocol.endswith("SSL") and self.ssl_cafile:
            kwargs["ssl_cafile"] = self.ssl_cafile
        return kwargs

    def to_env(self) -> dict[str, str]:
        """The settings as NEWSWORKER_* variables, secret included (for a child process's environment only)."""
        env = {}
        for name, value in self:
            if isinstance(value, SecretStr):
                value = value.get_secret_value()
            env[f"{PREFIX}{name.upper()}"] = ",".join(value) if isinstance(value, tuple) else str(value)
        return env

    def public(self) -> dict[str, object]:
        """The settings as logged at start-up: the password masked (as in repr and str)."""
        return self.model_dump(mode="json")


# NEWSWORKER_* variables read by the tools around the worker, not settings of it.
TOOL_VARIABLES = {"NEWSWORKER_TEST_BROKER", "NEWSWORKER_SHARED_DIR", "NEWSWORKER_VENV", "NEWSWORKER_PYTHON"}


def unknown_variables(environ: Mapping[str, str]) -> list[str]:
    """NEWSWORKER_* names that are no setting: most likely misspelt (NEWSWORKER_WEB_PROT)."""
    fields = {PREFIX + name.upper() for name in Settings.model_fields}
    return sorted(n for n in environ if n.upper().startswith(PREFIX) and n.upper() not in fields | TOOL_VARIABLES)


def _explain(exc: ValidationError) -> str:
    """One line per bad value: the variable, what it was given, what it accepts."""
    lines = []
    for err in exc.errors(include_url=False):
        if not err["loc"]:  # a check across settings: the message names the variables
            lines.append(err["msg"].removeprefix("Value error, "))
            continue
        name = PREFIX + str(err["loc"][0]).upper()
        given = "***" if err["loc"][0] == "sasl_password" else repr(err["input"])
        lines.append(f"{name}={given}: {err['msg']}")
    return "; ".join(lines)
