#!/usr/bin/env python3
"""Holds N live-update clients (`GET /api/v1/live`, server-sent events) open against Lookout on
loopback, stages failed logins on the fake Authentik while they are connected, and checks that
every client receives the update. Standard library only; every wait is bounded.

Prints one JSON object on stdout; exits 1 on any error, early disconnect or missed update.
Used by scripts/load.sh; not part of CI.
"""

import argparse
import asyncio
import json
import statistics
import sys
import time
import urllib.request


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--lookout", required=True, help="host:port of Lookout (loopback)")
    p.add_argument("--fake", required=True, help="base URL of the fake Authentik (loopback)")
    p.add_argument("--clients", type=int, default=500)
    p.add_argument("--hold", type=float, default=60.0, help="seconds every client stays connected")
    p.add_argument("--stages", type=int, default=2, help="failed-login bursts staged while held")
    p.add_argument("--update-timeout", type=float, default=15.0)
    return p.parse_args()


class Client:
    def __init__(self, idx):
        self.idx = idx
        self.connected_at = None
        self.first_view_at = None
        self.views = 0
        self.keepalives = 0
        self.bytes = 0
        self.error = None
        self.closed_early = False
        self.markers_seen = {}  # marker -> monotonic time first seen


async def read_chunk(reader):
    """One chunk of a chunked body as bytes; b'' at the terminating chunk."""
    line = await reader.readline()
    if not line:
        raise ConnectionError("connection closed mid-stream")
    size = int(line.split(b";")[0].strip(), 16)
    if size == 0:
        return b""
    data = await reader.readexactly(size)
    await reader.readexactly(2)
    return data


async def run_client(c, host, port, markers, deadline):
    writer = None
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 10)
        writer.write(
            f"GET /api/v1/live HTTP/1.1\r\nHost: {host}:{port}\r\n"
            "Accept: text/event-stream\r\n\r\n".encode()
        )
        await writer.drain()
        status = await asyncio.wait_for(reader.readline(), 10)
        if b" 200 " not in status:
            raise RuntimeError(f"status {status!r}")
        chunked = False
        while True:
            h = await asyncio.wait_for(reader.readline(), 10)
            if h in (b"\r\n", b"\n", b""):
                break
            if h.lower().startswith(b"transfer-encoding:") and b"chunked" in h.lower():
                chunked = True
        c.connected_at = time.monotonic()
        buf = b""
        event, data = None, []
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            try:
                if chunked:
                    piece = await asyncio.wait_for(read_chunk(reader), left)
                else:
                    piece = await asyncio.wait_for(reader.read(65536), left)
            except asyncio.TimeoutError:
                return
            if not piece:
                c.closed_early = True
                return
            c.bytes += len(piece)
            buf += piece
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                line = line.rstrip(b"\r")
                if line == b"":
                    if event == "view" and data:
                        now = time.monotonic()
                        body = b"\n".join(data)
                        c.views += 1
                        if c.first_view_at is None:
                            json.loads(body)  # the first one must be valid JSON
                            c.first_view_at = now
                        for m in markers:
                            if m not in c.markers_seen and m.encode() in body:
                                c.markers_seen[m] = now
                    event, data = None, []
                elif line.startswith(b":"):
                    c.keepalives += 1
                elif line.startswith(b"event:"):
                    event = line[6:].strip().decode()
                elif line.startswith(b"data:"):
                    data.append(line[5:].lstrip(b" "))
    except Exception as e:  # noqa: BLE001 - every failure is counted
        c.error = f"{type(e).__name__}: {e}"
    finally:
        if writer is not None:
            writer.close()


def post_failed_login(fake, username, ip):
    body = json.dumps({"action": "login_failed", "username": username, "ip": ip}).encode()
    req = urllib.request.Request(
        fake.rstrip("/") + "/_fake/events",
        data=body,
        headers={"content-type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=5) as r:
        if r.status not in (200, 201, 204):
            raise RuntimeError(f"/_fake/events answered {r.status}")


async def main():
    a = parse_args()
    host, port = a.lookout.rsplit(":", 1)
    if host not in ("127.0.0.1", "localhost", "[::1]"):
        sys.exit("refusing a non-loopback address")
    port = int(port)
    t0 = time.monotonic()
    deadline = t0 + a.hold
    run_id = int(time.time())
    markers = [f"loadtest-{run_id}-{i}" for i in range(a.stages)]
    clients = [Client(i) for i in range(a.clients)]
    tasks = []
    # Connect in waves of 50 so the listen backlog never overflows.
    for i, c in enumerate(clients):
        tasks.append(asyncio.create_task(run_client(c, host, port, markers, deadline)))
        if i % 50 == 49:
            await asyncio.sleep(0.05)
    # Wait (bounded) until every client has its initial view.
    while time.monotonic() - t0 < 20:
        if all(c.first_view_at or c.error or c.closed_early for c in clients):
            break
        await asyncio.sleep(0.1)
    all_connected_after = time.monotonic() - t0
    initial = sum(1 for c in clients if c.first_view_at)

    # Stage bursts spread over the hold; each must reach every client within the timeout.
    staged = {}
    span = a.hold - a.update_timeout - all_connected_after - 1
    for i, m in enumerate(markers):
        at = all_connected_after + 1 + span * i / max(1, a.stages)
        await asyncio.sleep(max(0, t0 + at - time.monotonic()))
        staged[m] = time.monotonic()
        # Three failures from a documentation-range IP, user = the marker.
        for k in range(3):
            await asyncio.to_thread(post_failed_login, a.fake, m, f"203.0.113.{10 + i}")

    await asyncio.gather(*tasks)
    total = time.monotonic() - t0

    latencies = {m: [] for m in markers}
    missed = {m: 0 for m in markers}
    for c in clients:
        for m in markers:
            seen = c.markers_seen.get(m)
            if seen is None or seen - staged[m] > a.update_timeout:
                missed[m] += 1
            else:
                latencies[m].append(seen - staged[m])
    errors = [c.error for c in clients if c.error]
    early = sum(1 for c in clients if c.closed_early)
    lat_all = [x for v in latencies.values() for x in v]
    out = {
        "clients": a.clients,
        "held_s": round(total, 1),
        "connected_with_initial_view": initial,
        "all_initial_views_after_s": round(all_connected_after, 2),
        "errors": len(errors),
        "error_samples": errors[:5],
        "early_disconnects": early,
        "stages": a.stages,
        "missed_updates": sum(missed.values()),
        "update_latency_ms_median": round(statistics.median(lat_all) * 1000) if lat_all else None,
        "update_latency_ms_max": round(max(lat_all) * 1000) if lat_all else None,
        "views_received": sum(c.views for c in clients),
        "keepalives_received": sum(c.keepalives for c in clients),
        "mb_received": round(sum(c.bytes for c in clients) / 1e6, 1),
    }
    print(json.dumps(out))
    ok = (
        initial == a.clients
        and not errors
        and early == 0
        and out["missed_updates"] == 0
        and out["keepalives_received"] > 0
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
