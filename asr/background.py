"""Produce items on one background thread, a few ahead of the consumer."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")


def in_background(items: Iterator[T], depth: int = 4) -> Iterator[T]:
    """Yield `items` produced by one background thread, `depth` ahead of the consumer: batch
    preparation (numpy, which releases the GIL) overlaps the model step. One producer keeps the
    order, and so the random augmentation, exactly as a plain loop would."""
    done = object()
    ready: queue.Queue = queue.Queue(maxsize=depth)
    failure: list[BaseException] = []
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if stop.is_set():
                    return
                ready.put(item)
        except BaseException as error:  # re-raised in the consumer
            failure.append(error)
        finally:
            ready.put(done)

    worker = threading.Thread(target=produce, daemon=True)
    worker.start()
    try:
        while (item := ready.get()) is not done:
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # unblock a producer waiting on a full queue
            try:
                ready.get(timeout=0.1)
            except queue.Empty:
                pass
    if failure:
        raise failure[0]
