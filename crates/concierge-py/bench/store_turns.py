"""How many turns per second with conversations in memory and in an SQLite store?

Each thread holds its own conversations and sends FAQ questions; with a
store every turn loads the conversation and appends its events and state
in one transaction (SQLite commits with synchronous=FULL). Run from the
repository's root after installing the wheel:

    python crates/concierge-py/bench/store_turns.py [--threads 4] [--turns 400]

Optionally `--postgres URL` measures a PostgreSQL store too (an ordinary
role: superusers are refused).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Optional

import concierge

BOT = Path("examples") / "salon" / "bot.yaml"
QUESTIONS = ["do you have parking?", "what are your opening hours?", "is there wifi", "hi"]
NOW = dt.datetime.fromisoformat("2026-03-02T09:00:00-05:00")


def turns_per_second(store: Optional[concierge.Store], threads: int, turns: int) -> float:
    engine = concierge.Engine.from_file(BOT, store=store)
    run = time.strftime("%H%M%S")

    def converse(worker: int) -> int:
        for i in range(turns // threads):
            # A new conversation every 8 turns keeps states small, as in real chats.
            engine.handle(f"{run}-{worker}-{i // 8}", QUESTIONS[i % len(QUESTIONS)], now=NOW)
        return turns // threads

    engine.handle(f"{run}-warm-up", "hi", now=NOW)
    with ThreadPoolExecutor(max_workers=threads) as pool:
        start = time.perf_counter()
        done = sum(pool.map(converse, range(threads)))
        return done / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--turns", type=int, default=400)
    parser.add_argument("--postgres", default="", help="also measure this PostgreSQL URL")
    args = parser.parse_args()
    print(f"cpus: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}, threads: {args.threads}")
    print(f"memory:   {turns_per_second(None, args.threads, args.turns):7.0f} turns/s")
    with tempfile.TemporaryDirectory() as directory:
        store = concierge.Store.sqlite(Path(directory) / "bench.db", tenant="bench")
        print(f"sqlite:   {turns_per_second(store, args.threads, args.turns):7.0f} turns/s")
    if args.postgres:
        store = concierge.Store.postgres(args.postgres, tenant="bench")
        print(f"postgres: {turns_per_second(store, args.threads, args.turns):7.0f} turns/s")


if __name__ == "__main__":
    main()
