"""Does parsing scale across threads? (The GIL is released while the engine works.)

Parses the same batch of messages with 1 thread and with N threads (default 8)
and prints messages per second for each and the speed-up. Run from the
repository's root after installing the wheel:

    python crates/concierge-py/bench/threads.py [--threads 8] [--messages 4000]

The speed-up is bounded by the machine's free cores, not by the thread
count; "cpu/wall" above 1 shows threads running on several cores at once,
which only happens because the GIL is released while the engine works.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import List, Tuple

import concierge

MESSAGES = [
    "I'd like to book a women's haircut tomorrow at 3pm",
    "do you have parking?",
    "can I move my appointment to next friday at 10:30am",
    "what are your opening hours on saturday",
    "cancel my colour appointment please",
    "my number is +1 415 555 0100",
    "how much is a men's haircut",
    "is there wifi",
]
NOW = dt.datetime.fromisoformat("2026-03-02T09:00:00-05:00")


def parse_all(engine: concierge.Engine, batch: List[str]) -> int:
    for text in batch:
        engine.parse(text, now=NOW)
    return len(batch)


def rate(engine: concierge.Engine, messages: int, threads: int) -> Tuple[float, float]:
    """Parses per second, and the process's CPU time over wall time (above 1: cores in parallel)."""
    texts = [MESSAGES[i % len(MESSAGES)] for i in range(messages)]
    batches = [texts[i::threads] for i in range(threads)]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        start, cpu = time.perf_counter(), time.process_time()
        done = sum(pool.map(lambda b: parse_all(engine, b), batches))
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return done / elapsed, cpu / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=3, help="best of this many runs")
    parser.add_argument("--bot", default=str(Path("examples") / "salon" / "bot.yaml"))
    args = parser.parse_args()
    engine = concierge.Engine.from_file(args.bot)
    rate(engine, 200, 1)  # warm up
    one, one_cpu = max(rate(engine, args.messages, 1) for _ in range(args.rounds))
    many, many_cpu = max(rate(engine, args.messages, args.threads) for _ in range(args.rounds))
    print(f"cpus: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}")
    print(f"1 thread:  {one:8.0f} parses/s  (cpu/wall {one_cpu:.2f})")
    print(f"{args.threads} threads: {many:8.0f} parses/s  (cpu/wall {many_cpu:.2f})")
    print(f"speed-up:  {many / one:8.2f}x")


if __name__ == "__main__":
    main()
