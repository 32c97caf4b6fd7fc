"""The worker's web server: ``/metrics``, ``/healthz`` and ``/readyz``, nothing else.

Faust's own server (``web_enabled``) is off because its default views read the
tables and the cluster layout with no authentication. This one is a mode
Service handed to ``faust.Worker``: it starts with the worker, before table
recovery, so the probes answer (``/readyz`` with 503) while the worker recovers.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from aiohttp import web
from mode import Service
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

Readiness = Callable[[], tuple[bool, dict]]


class WebServer(Service):
    def __init__(self, host: str, port: int, readiness: Readiness, **kwargs):
        self.host, self.port, self.readiness = host, port, readiness
        self._runner: web.AppRunner | None = None
        super().__init__(**kwargs)

    def application(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/metrics", self.metrics)
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/readyz", self.readyz)
        return app

    async def metrics(self, request: web.Request) -> web.Response:
        return web.Response(body=generate_latest(), content_type=CONTENT_TYPE_LATEST.split(";")[0])

    async def healthz(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "alive"})

    async def readyz(self, request: web.Request) -> web.Response:
        ready, detail = self.readiness()
        return web.json_response({"status": "ready" if ready else "not ready", **detail},
                                 status=200 if ready else 503, dumps=json.dumps)

    async def on_start(self) -> None:
        self._runner = web.AppRunner(self.application(), access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self.log.info("serving /metrics, /healthz, /readyz on %s:%d", self.host, self.port)

    async def on_stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
