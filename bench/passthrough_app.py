"""The reference for bench/stream.py: a Faust agent that forwards raw bytes unchanged.

Same broker, same Faust settings as the worker (workers.stream.app.faust_settings),
no processing: what Faust and the broker cost on their own. Started like the worker,
with Faust's public API (faust.Worker), at log level warning.
"""

from __future__ import annotations

import faust

from workers.settings import Settings
from workers.stream.app import faust_settings

settings = Settings.from_env()
app = faust.App(settings.app_id, **faust_settings(settings))
raw = app.topic(*settings.raw_topics)
out = app.topic(settings.articles_topic)


@app.agent(raw)
async def passthrough(stream):
    async for value in stream:
        await out.send(value=value)


if __name__ == "__main__":
    faust.Worker(app, loglevel="warning").execute_from_commandline()
