"""Training batches prepared by forked worker processes, for machines where one background
thread cannot keep up with the model (a GPU: the thread managed 0.55 h of audio per second).

The workers are forked once per epoch and read the trainer, its cached features and the
normalisation statistics from the parent's memory (copy-on-write, nothing pickled but batch
indices in and numpy arrays out). At most `depth` batches per worker are in flight, so a slow
consumer never piles up prepared batches. Workers never touch torch.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from multiprocessing import get_context
from typing import Any

import numpy as np
import torch

from asr.feature_cache import _one_thread_per_worker

# (trainer, split, stats) for the forked workers; set just before the pool forks.
_SHARED: tuple[Any, Any, Any] | None = None


def batch_tensors(arrays: tuple[list[np.ndarray], list[list[int]]]) -> tuple[torch.Tensor, ...]:
    """Padded inputs, their lengths, the flat targets and their lengths (CTC's four tensors)."""
    inputs, targets = arrays
    lengths = torch.tensor([len(x) for x in inputs])
    padded = torch.zeros(len(inputs), int(lengths.max()), inputs[0].shape[1])
    for row, x in enumerate(inputs):
        padded[row, : len(x)] = torch.from_numpy(np.ascontiguousarray(x))
    target_lengths = torch.tensor([len(t) for t in targets])
    flat_targets = torch.tensor([token for t in targets for token in t], dtype=torch.long)
    return padded, lengths, flat_targets, target_lengths


def _collate_job(job: tuple[list[int], list[int]]) -> tuple[list[np.ndarray], list[list[int]]]:
    assert _SHARED is not None
    trainer, split, stats = _SHARED
    batch, seed = job
    return trainer.collate_arrays(split, batch, stats, np.random.default_rng(seed))


def collate_in_processes(
    trainer, split, stats, jobs: list[tuple[list[int], list[int]]], workers: int, depth: int = 2
) -> Iterator[tuple[torch.Tensor, ...]]:
    """`trainer.collate` of each (batch, seed) job, in order, computed by `workers` processes."""
    global _SHARED
    _SHARED = (trainer, split, stats)
    try:
        with get_context("fork").Pool(workers, initializer=_one_thread_per_worker) as pool:
            _SHARED = None  # the workers have their copy
            remaining = iter(jobs)
            pending = deque(
                pool.apply_async(_collate_job, (job,))
                for _, job in zip(range(workers * depth), remaining)
            )
            while pending:
                arrays = pending.popleft().get()
                following = next(remaining, None)
                if following is not None:
                    pending.append(pool.apply_async(_collate_job, (following,)))
                yield batch_tensors(arrays)
    finally:
        _SHARED = None
