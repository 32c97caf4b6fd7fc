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
import time
from collections import Counter

import orjson

from .settings import Settings, SettingsError, unknown_variables

log = logging.getLogger("newsworker")


def cmd_process(args, settings: Settings) -> int:
    from .core.pipeline import Pipeline
    from .core.records import Source

    pipeline = Pipeline.from_settings(settings)
    out = sys.stdout.buffer if args.output == "-" else open(args.output, "wb")
    inp = sys.stdin.buffer if args.input == "-" else open(args.input, "rb")
    name = None if args.input == "-" else args.input
    counts: Counter = Counter()
    started = time.monotonic()
    try:
        for n, line in enumerate(inp, start=1):
            line = line.rstrip(b"\r\n")
            outcome = pipeline.process(line, Source(line=n, name=name))
            out.write(orjson.dumps(outcome.value) + b"\n")
            counts[outcome.kind] += 1
            if n % args.progress_every == 0:
                rate = n / max(1e-9, time.monotonic() - started)
                print(f"processed {n} lines ({rate:.1f}/s): {dict(counts)}", file=sys.stderr, flush=True)
    finally:
        pipeline.close()
        if out is not sys.stdout.buffer:
            out.close()
        if inp is not sys.stdin.buffer:
            inp.close()
    total = sum(counts.values())
    print(f"processed {total} lines in {time.monotonic() - started:.1f} s: {dict(counts)}", file=sys.stderr)
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
