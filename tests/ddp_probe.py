"""`asr train ARGS...` as one torchrun process that also records, for the DDP test, what it
did: its rank and world size, the batches of each epoch and the ones it trained on, and its
weights after the last epoch (in OUT/rank<RANK>.pt, RANK as torchrun numbered the process)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import torch

from asr.cli import main
from asr.train import Trainer

record: dict = {"epoch_batches": [], "trained_batches": 0}
real_init, real_make_batches, real_collate = Trainer.__init__, Trainer.make_batches, Trainer.collate
real_evaluate = Trainer.evaluate


def init(self, *args, **kwargs):
    real_init(self, *args, **kwargs)
    record["rank"], record["world"], record["out"] = self.rank, self.world, self.out_dir


def make_batches(self, *args, **kwargs):
    batches = real_make_batches(self, *args, **kwargs)
    record["epoch_batches"].append(len(batches))
    return batches


def collate(self, split, batch, stats, rng):
    if rng is not None:  # a training batch (evaluation collates without augmentation)
        record["trained_batches"] += 1
    return real_collate(self, split, batch, stats, rng)


def evaluate(self, model, split, stats):
    record["state"] = {name: tensor.clone() for name, tensor in model.state_dict().items()}
    return real_evaluate(self, model, split, stats)


Trainer.__init__, Trainer.make_batches = init, make_batches
Trainer.collate, Trainer.evaluate = collate, evaluate

if __name__ == "__main__":
    status = main(sys.argv[1:])
    out = Path(record["out"]) / f"rank{os.environ['RANK']}.pt"
    torch.save({k: v for k, v in record.items() if k != "out"}, out)
    sys.exit(status)
