"""A small asyncio client for the Chrome DevTools Protocol, on websockets.

The kind of module a Python user writes for a script that talks CDP: one
WebSocket, commands numbered from 1, a reader task that hands each reply to
the command waiting for it and each event to its handlers, and flat
sessions (Target.attachToTarget with flatten: true, then the sessionId on
every message).

    async with await cdp.connect(ws_url) as browser:
        version = await browser.send("Browser.getVersion")
        page = await browser.attach(target_id)
        await page.send("Profiler.enable")

It is written plainly, as such modules are: no timeouts, no retries, and
the reader simply stops when the socket goes away.  cdpconform judges it
as it is (clients/python/adapter/).
"""

import asyncio
import itertools
import json

import websockets


class CDPError(Exception):
    """An error reply: {"code": ..., "message": ...}."""

    def __init__(self, method, error):
        super().__init__(f"{method}: {error.get('message')} ({error.get('code')})")
        self.code = error.get("code")
        self.message = error.get("message")


class Connection:
    """One WebSocket to the browser (or a page) endpoint."""

    def __init__(self, ws):
        self.ws = ws
        self._ids = itertools.count(1)
        self._pending = {}      # id -> (method, future)
        self._handlers = {}     # (method, sessionId) -> [callback]
        self._reader = asyncio.create_task(self._read_loop())

    async def send(self, method, params=None, session_id=None):
        """Sends a command and returns its result (a dict), or raises CDPError."""
        msg_id = next(self._ids)
        msg = {"id": msg_id, "method": method, "params": params or {}}
        if session_id:
            msg["sessionId"] = session_id
        fut = asyncio.get_running_loop().create_future()
        self._pending[msg_id] = (method, fut)
        await self.ws.send(json.dumps(msg))
        return await fut

    def on(self, method, callback, session_id=None):
        """Calls callback(params) for every `method` event on that session."""
        self._handlers.setdefault((method, session_id), []).append(callback)

    def off(self, method, callback, session_id=None):
        self._handlers[(method, session_id)].remove(callback)

    def wait_for(self, method, session_id=None):
        """A future for the params of the next `method` event.  Get it before
        sending the command that makes the event come."""
        fut = asyncio.get_running_loop().create_future()

        def once(params):
            self.off(method, once, session_id)
            fut.set_result(params)

        self.on(method, once, session_id)
        return fut

    async def attach(self, target_id):
        """Attaches to a target with a flat session."""
        result = await self.send("Target.attachToTarget",
                                 {"targetId": target_id, "flatten": True})
        return Session(self, result["sessionId"])

    async def close(self):
        await self.ws.close()
        self._reader.cancel()

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.close()

    async def _read_loop(self):
        async for text in self.ws:
            msg = json.loads(text)
            if "id" in msg:
                method, fut = self._pending.pop(msg["id"])
                if "error" in msg:
                    fut.set_exception(CDPError(method, msg["error"]))
                else:
                    fut.set_result(msg.get("result", {}))
            else:
                key = (msg["method"], msg.get("sessionId"))
                for callback in list(self._handlers.get(key, [])):
                    callback(msg.get("params", {}))


class Session:
    """A flat session on a Connection: the same calls, with a sessionId."""

    def __init__(self, conn, session_id):
        self.conn = conn
        self.session_id = session_id

    async def send(self, method, params=None):
        return await self.conn.send(method, params, self.session_id)

    def on(self, method, callback):
        self.conn.on(method, callback, self.session_id)

    def off(self, method, callback):
        self.conn.off(method, callback, self.session_id)

    def wait_for(self, method):
        return self.conn.wait_for(method, self.session_id)


async def connect(ws_url):
    """Opens a Connection to a ws://.../devtools/... URL.  Trace chunks and
    profiles are bigger than websockets' 1 MiB default message size."""
    ws = await websockets.connect(ws_url, max_size=None)
    return Connection(ws)
