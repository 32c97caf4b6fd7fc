"""``newsworker``: the worker, offline processing, and Kafka tooling.

    newsworker worker                      run the Faust worker (settings from NEWSWORKER_* variables)
    newsworker process --input F --output F  same pipeline over JSON Lines, one output line per input line
    newsworker topics                      create the raw and output topics
    newsworker produce FILE [--topic T]    publish a JSON Lines file
    newsworker demo                        everything on the embedded broker, with a summary
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import sys
import tempfile
import time
from collections import Counter

import orjson

from .settings import Settings, SettingsError, unknown_variables

log = logging.getLogger("newsworker")


def _open_input(path: str):
    """The input stream; ``OSError`` with the path when it cannot be read."""
    return sys.stdin.buffer if path == "-" else open(path, "rb")


def _open_output(path: str):
    """(stream, temporary path or None): a file is written beside its destination under a temporary name
    and renamed at the end, so that a failed run never leaves a truncated or emptied output."""
    if path == "-":
        return sys.stdout.buffer, None
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    umask = os.umask(0)
    os.umask(umask)
    os.fchmod(fd, 0o666 & ~umask)  # the permissions open() would have given (mkstemp makes 0600)
    return os.fdopen(fd, "wb"), tmp


def _process_lines(pipeline, inp, out, name: str | None, progress_every: int) -> Counter:
    from .core.ratelog import RateLimitedLog
    from .core.records import Source

    dead_letters = RateLimitedLog(log)
    counts: Counter = Counter()
    started = time.monotonic()
    for n, line in enumerate(inp, start=1):
        # Only the line's own terminator goes: "...\r\r\n" keeps its "\r\r" (the payload is the original bytes).
        payload = line[:-1] if line.endswith(b"\n") else line
        source = Source(line=n, name=name)
        try:
            outcome = pipeline.process(payload, source)
            record = orjson.dumps(outcome.value)
        except Exception as exc:  # a bug must cost one line, never the rest of the file
            outcome = pipeline.internal_error(payload, source, exc)
            record = orjson.dumps(outcome.value)
        out.write(record + b"\n")
        counts[outcome.kind] += 1
        if outcome.kind == "deadletter":
            counts["deadletter:" + outcome.value["error"]["reason"]] += 1
            dead_letters.log(logging.WARNING, outcome.value["error"]["reason"], "line %d: dead letter %s: %s", n,
                             outcome.value["error"]["reason"], outcome.value["error"]["message"][:200])
        if n % progress_every == 0:
            rate = n / max(1e-9, time.monotonic() - started)
            print(f"processed {n} lines ({rate:.1f}/s): {_summary(counts)}", file=sys.stderr, flush=True)
    dead_letters.flush()
    return counts


def _summary(counts: Counter) -> dict:
    return {k: v for k, v in counts.items() if ":" not in k} | {
        "deadletter reasons": {k.split(":", 1)[1]: v for k, v in counts.items() if k.startswith("deadletter:")}}


def cmd_process(args, settings: Settings) -> int:
    from .core.pipeline import Pipeline

    try:
        inp = _open_input(args.input)
    except OSError as exc:
        print(f"newsworker process: cannot read the input {args.input!r}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    try:
        out, tmp = _open_output(args.output)
    except OSError as exc:
        print(f"newsworker process: cannot write the output {args.output!r}: {exc.strerror or exc}", file=sys.stderr)
        if inp is not sys.stdin.buffer:
            inp.close()
        return 2
    pipeline = Pipeline.from_settings(settings)
    started = time.monotonic()
    done = False
    try:
        counts = _process_lines(pipeline, inp, out, None if args.input == "-" else args.input, args.progress_every)
        out.flush()
        done = True
    except KeyboardInterrupt:
        print("newsworker process: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        print(f"newsworker process: {exc}", file=sys.stderr)
        return 1
    finally:
        pipeline.close()
        if inp is not sys.stdin.buffer:
            inp.close()
        if tmp is not None:
            out.close()
            if done:
                os.replace(tmp, args.output)
            else:
                os.unlink(tmp)
    total = sum(v for k, v in counts.items() if ":" not in k)
    print(f"processed {total} lines in {time.monotonic() - started:.1f} s: {_summary(counts)}", file=sys.stderr)
    return 0


def cmd_topics(args, settings: Settings) -> int:
    from .tools.broker_wait import wait_for_broker
    from .tools.kafka_tools import create_topics

    wait_for_broker(settings)
    create_topics(settings)
    return 0


def cmd_produce(args, settings: Settings) -> int:
    from .tools.broker_wait import wait_for_broker
    from .tools.kafka_tools import produce_file

    wait_for_broker(settings)
    produce_file(settings, args.file, args.topic)
    return 0


def cmd_worker(args, settings: Settings) -> int:
    from .core import fingerprint
    from .stream.app import create_app, worker
    from .tools.broker_wait import wait_for_broker

    if settings.store == "rocksdb://" and importlib.util.find_spec("rocksdict") is None:
        raise SettingsError("NEWSWORKER_STORE=rocksdb:// needs the rocksdb extra: pip install 'newsworker[rocksdb]'")
    path = fingerprint.use_extension(settings.sketch_accel)
    log.info("newsworker settings: %s", settings.public())
    log.info("fingerprint: %s (NEWSWORKER_SKETCH_ACCEL=%s)", path, settings.sketch_accel)
    wait_for_broker(settings)
    worker(create_app(settings), settings).execute_from_commandline()
    return 0


def cmd_demo(args, settings: Settings) -> int:
    from .tools.demo import run_demo

    return run_demo(settings, sample=args.sample, keep_running=args.keep_running)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="newsworker", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("process", help="run the pipeline over a JSON Lines file")
    p.add_argument("--input", "-i", required=True, help="JSON Lines file, or - for stdin")
    p.add_argument("--output", "-o", required=True, help="JSON Lines file, or - for stdout")
    p.add_argument("--progress-every", type=int, default=100, help="report progress every N lines (stderr)")
    p.set_defaults(func=cmd_process)
    sub.add_parser("topics", help="create the raw and output topics").set_defaults(func=cmd_topics)
    p = sub.add_parser("produce", help="publish a JSON Lines file to a raw topic")
    p.add_argument("file", help="JSON Lines file, or - for stdin")
    p.add_argument("--topic", help="topic (default: the first of NEWSWORKER_RAW_TOPICS)")
    p.set_defaults(func=cmd_produce)
    sub.add_parser("worker", help="run the Faust worker").set_defaults(func=cmd_worker)
    p = sub.add_parser("demo", help="run everything on the embedded broker and print a summary")
    p.add_argument("--sample", help="JSON Lines file to feed (default: the bundled sample)")
    p.add_argument("--keep-running", action="store_true", help="leave the worker running after the summary")
    p.set_defaults(func=cmd_demo)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("kafka").setLevel(logging.WARNING)  # kafka-python logs every connection at INFO
    from .tools.broker_wait import BrokerUnavailable

    for name in unknown_variables(os.environ):
        print(f"newsworker: warning: {name} is not a setting (misspelt?); ignored", file=sys.stderr)
    try:
        return args.func(args, Settings.from_env())
    except SettingsError as exc:
        print(f"newsworker: bad setting: {exc}", file=sys.stderr)
        return 2
    except BrokerUnavailable as exc:
        print(f"newsworker: {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
