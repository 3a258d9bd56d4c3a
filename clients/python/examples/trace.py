"""Records a Chrome trace over CDP with clients/python/cdp.py and checks it:
an example of a Python script tested against cdpmock instead of Chrome.

    /usr/bin/python3 clients/python/examples/trace.py ws://127.0.0.1:PORT/devtools/browser/ID

Exit status 0 when the trace came whole, 1 when tracingComplete said data
was lost, 2 when the connection failed or timed out.
"""

import asyncio
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import cdp  # noqa: E402  (clients/python/cdp.py)


async def record_trace(ws_url, seconds=0.2):
    """Starts a trace, waits, ends it; returns (events, dataLossOccurred)."""
    async with await cdp.connect(ws_url) as browser:
        events = []
        browser.on("Tracing.dataCollected", lambda p: events.extend(p["value"]))
        complete = browser.wait_for("Tracing.tracingComplete")
        await browser.send("Tracing.start", {"transferMode": "ReportEvents"})
        await asyncio.sleep(seconds)
        await browser.send("Tracing.end")
        # Chrome may never send tracingComplete: never wait for it forever.
        done = await asyncio.wait_for(complete, timeout=10)
        return events, done.get("dataLossOccurred", False)


def main():
    try:
        events, lost = asyncio.run(record_trace(sys.argv[1]))
    except (OSError, asyncio.TimeoutError, cdp.CDPError) as e:
        print(f"trace failed: {e!r}", file=sys.stderr)
        return 2
    print(json.dumps({"events": len(events), "dataLossOccurred": lost}))
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
