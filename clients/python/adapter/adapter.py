"""A cdpconform adapter (docs/adapters.md) for clients/python/cdp.py, the
small asyncio client on Debian's python3-websockets.

Each task is written the way a user of such a client writes it in a
script: the commands in order, an event handler or two, no timeouts of its
own.  What the client does under a fault is what gets judged;
conformance/baselines/python-websockets.json records the cases it is known
to fail.
"""

import asyncio
import base64
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import cdp  # noqa: E402  (clients/python/cdp.py)

OUT = os.environ.get("CDP_OUT", ".")
TASK = os.environ.get("CDP_TASK", "")
RECORD = 0.1    # seconds between start and stop
CONSOLE = 1.0   # seconds to collect console profiles for


def write(name, data):
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(os.path.join(OUT, name), mode) as f:
        f.write(data)


async def trace(browser, name, stream=False, gzip=False):
    """Records a trace on the browser connection; returns dataLossOccurred."""
    params = {}
    if stream:
        params["transferMode"] = "ReturnAsStream"
        if gzip:
            params["streamCompression"] = "gzip"
    else:
        params["transferMode"] = "ReportEvents"
    events = []

    def collect(p):
        events.extend(p["value"])

    browser.on("Tracing.dataCollected", collect)
    await browser.send("Tracing.start", params)
    await asyncio.sleep(RECORD)
    complete = browser.wait_for("Tracing.tracingComplete")
    await browser.send("Tracing.end")
    done = await complete
    browser.off("Tracing.dataCollected", collect)

    if not stream:
        write(name, json.dumps({"traceEvents": events}))
        return done["dataLossOccurred"]
    handle = done["stream"]
    chunks = []
    while True:
        r = await browser.send("IO.read", {"handle": handle})
        if r.get("base64Encoded"):
            chunks.append(base64.b64decode(r["data"]))
        else:
            chunks.append(r["data"].encode())
        if r["eof"]:
            break
    await browser.send("IO.close", {"handle": handle})
    write(name, b"".join(chunks))
    return done["dataLossOccurred"]


async def page_session(browser):
    targets = await browser.send("Target.getTargets")
    pages = [t for t in targets["targetInfos"] if t["type"] == "page"]
    if not pages:
        raise RuntimeError("no page target")
    return await browser.attach(pages[0]["targetId"])


async def profile(browser):
    page = await page_session(browser)
    await page.send("Profiler.enable")
    await page.send("Profiler.start")
    await asyncio.sleep(RECORD)
    result = await page.send("Profiler.stop")
    write("profile.cpuprofile", json.dumps(result["profile"]))


async def console_profile(browser):
    page = await page_session(browser)
    profiles = []
    page.on("Profiler.consoleProfileFinished", profiles.append)
    await page.send("Profiler.enable")
    await asyncio.sleep(CONSOLE)
    write("profiles.json", json.dumps(profiles))


async def coverage(browser):
    page = await page_session(browser)
    await page.send("Profiler.enable")
    await page.send("Profiler.startPreciseCoverage", {"callCount": True, "detailed": True})
    await asyncio.sleep(RECORD)
    result = await page.send("Profiler.takePreciseCoverage")
    await page.send("Profiler.stopPreciseCoverage")
    write("coverage.json", json.dumps(result["result"]))


async def run(state):
    async with await cdp.connect(os.environ["CDP_WS"]) as browser:
        if TASK == "trace-events":
            state["dataLoss"] = await trace(browser, "trace.json")
        elif TASK == "trace-stream":
            state["dataLoss"] = await trace(browser, "trace.json", stream=True)
        elif TASK == "trace-gzip":
            state["dataLoss"] = await trace(browser, "trace.json", stream=True, gzip=True)
        elif TASK == "trace-twice":
            try:
                state["dataLoss"] = await trace(browser, "trace.json")
            except Exception as e:
                state["first"] = str(e)
            loss = await trace(browser, "trace-2.json")
            state["dataLoss"] = state["dataLoss"] or loss
        elif TASK == "profile":
            await profile(browser)
        elif TASK == "console-profile":
            await console_profile(browser)
        elif TASK == "coverage":
            await coverage(browser)
        else:
            raise RuntimeError(f"unknown task {TASK}")


def main():
    state = {"dataLoss": False, "first": None}
    error = None
    try:
        asyncio.run(run(state))
    except Exception as e:
        error = f"{type(e).__name__}: {e}"
    write("result.json", json.dumps({
        "ok": error is None,
        "error": error or state["first"],
        "dataLoss": state["dataLoss"],
    }))
    if error:
        print(f"adapter: {error}", file=sys.stderr)
    return 1 if error else 0


if __name__ == "__main__":
    sys.exit(main())
