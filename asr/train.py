"""`asr train`: LSTM-CTC training on NeMo manifests, single process or DDP under torchrun."""

from __future__ import annotations

import math
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from rich.progress import TextColumn

from asr.background import in_background
from asr.batch_loader import batch_tensors, collate_in_processes
from asr.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
from asr.ctc.decoding import greedy_decode
from asr.feature_augment import perturb_features, spec_augment
from asr.feature_cache import CachedFeatures, Variant, build_cache
from asr.features import (
    FeatureConfig,
    FeatureStats,
    StatsAccumulator,
    normalise_utterance,
    stack_frames,
)
from asr.manifest import ManifestEntry, read_manifest
from asr.model import LstmCtcModel, ModelConfig
from asr.phonemes import PHONEME_SYMBOLS
from asr.progress import console, progress_bar
from asr.tokens import DEFAULT_SYMBOLS, Vocabulary
from asr.train_config import TrainConfig
from asr.wer import cer, wer
from export.onnx_weights import load_any

LOG_EVERY_STEPS = 100  # a log line this often when stderr is not a terminal


@dataclass
class Split:
    """Utterances usable for training or evaluation, with cached features per variant."""

    entries: list[ManifestEntry]
    targets: list[list[int]]
    variants: list[CachedFeatures]
    index: list[int]  # positions in the caches of the usable entries

    def __len__(self) -> int:
        return len(self.index)

    def frames(self, i: int) -> int:
        return self.variants[0].length(self.index[i])


class Trainer:
    def __init__(self, config: TrainConfig, out_dir: Path, cache_dir: Path | None = None):
        self.config = config
        self.out_dir = Path(out_dir)
        self.cache_dir = Path(cache_dir) if cache_dir else self.out_dir / "cache"
        self.features = FeatureConfig(
            stack=config.stack,
            stride=config.stride,
            dither=config.dither,
            mean_prior_frames=config.mean_prior_frames,
        )
        self.vocab = Vocabulary(PHONEME_SYMBOLS if config.units == "phonemes" else DEFAULT_SYMBOLS)
        self.rank, self.world = _init_distributed()
        self.device = torch.device(
            f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}" if torch.cuda.is_available() else "cpu"
        )
        if config.threads:
            torch.set_num_threads(config.threads)

    # ---- data ------------------------------------------------------------------------------
    def log(self, message: str) -> None:
        if self.rank == 0:
            console.print(message)

    def _read(self, manifest: Path) -> list[ManifestEntry]:
        entries, skipped = read_manifest(
            manifest, on_skip=lambda s: self.log(f"[yellow]skip[/] {s}")
        )
        if skipped:
            self.log(f"{manifest}: skipped {len(skipped)} bad line(s), kept {len(entries)}")
        if not entries:
            raise SystemExit(f"{manifest}: no usable utterances")
        return entries

    def load_split(self, manifest: Path, variants: list[Variant], label: str) -> Split:
        entries = self._read(manifest)
        caches = []
        for variant in variants:
            # Rank 0 computes the cache; the others wait and then read it.
            if self.rank != 0:
                _barrier()
            caches.append(
                build_cache(
                    entries,
                    self.features,
                    variant,
                    self.cache_dir,
                    self.config.seed,
                    self.config.workers,
                    label,
                    on_error=lambda e: self.log(f"[yellow]skip[/] {e}"),
                )
            )
            if self.rank == 0:
                _barrier()
        targets = [self.vocab.encode(e.text) for e in entries]
        usable = []
        for i, target in enumerate(targets):
            if not all(c.valid[i] for c in caches):
                continue
            steps = min(_stacked_length(c.length(i), self.features) for c in caches)
            if steps < _ctc_min_steps(target):
                self.log(f"[yellow]skip[/] {entries[i].audio_path}: too short for its text")
                continue
            usable.append(i)
        dropped = len(entries) - len(usable)
        self.log(
            f"{label}: {len(usable)} utterances" + (f" ({dropped} skipped)" if dropped else "")
        )
        return Split(entries, targets, caches, usable)

    def compute_stats(self, split: Split) -> FeatureStats:
        accumulator = StatsAccumulator(self.features.n_mels)
        clean = split.variants[0]
        for i in split.index:
            accumulator.add(clean[i])
        return accumulator.stats()

    # ---- batches ---------------------------------------------------------------------------
    def make_batches(
        self, split: Split, rng: np.random.Generator, shuffle: bool = True
    ) -> list[list[int]]:
        """Length-bucketed batches (similar lengths together, little padding), in random order,
        or shortest first when `shuffle` is off (SortaGrad)."""
        lengths = np.array([split.frames(i) for i in range(len(split))], dtype=np.float64)
        order = np.argsort(lengths * rng.uniform(0.9, 1.1, size=len(lengths)), kind="stable")
        frame_budget = (
            self.config.batch_seconds * self.features.sample_rate / self.features.hop_length
        )
        batches, current, longest = [], [], 0.0
        for i in order:
            longest_if_added = max(longest, lengths[i])
            if current and (
                longest_if_added * (len(current) + 1) > frame_budget
                or len(current) >= self.config.max_batch_size
            ):
                batches.append(current)
                current, longest_if_added = [], lengths[i]
            current.append(int(i))
            longest = longest_if_added
        if current:
            batches.append(current)
        if shuffle:
            rng.shuffle(batches)
        return batches

    def collate(
        self, split: Split, batch: list[int], stats: FeatureStats, rng: np.random.Generator | None
    ) -> tuple[torch.Tensor, ...]:
        return batch_tensors(self.collate_arrays(split, batch, stats, rng))

    def collate_arrays(
        self, split: Split, batch: list[int], stats: FeatureStats, rng: np.random.Generator | None
    ) -> tuple[list[np.ndarray], list[list[int]]]:
        """Model inputs and targets of one batch, augmented when `rng` is given (numpy only:
        it also runs in forked loader processes)."""
        inputs, targets = [], []
        for i in batch:
            variant = split.variants[rng.integers(len(split.variants)) if rng else 0]
            feats = variant[split.index[i]]
            if rng is not None:
                feats = perturb_features(feats, self.config, self.features, rng)
            feats = normalise_utterance(feats, self.features, stats)
            if rng is not None:
                feats = spec_augment(feats, self.config, rng)
            inputs.append(stack_frames(feats, self.features.stack, self.features.stride))
            targets.append(split.targets[split.index[i]])
        return inputs, targets

    def prepared_batches(
        self, split: Split, stats: FeatureStats, batches: list[list[int]], epoch: int
    ) -> Iterator[tuple[torch.Tensor, ...]]:
        """The augmented batches of one epoch, in order, prepared ahead of the model step: by
        one background thread, or by `loader_workers` processes (a GPU outruns one thread).
        Each batch draws from its own generator, so both ways give the same batches."""
        seeds = [[self.config.seed, epoch, self.rank, i] for i in range(len(batches))]
        if self.config.loader_workers > 0:
            return collate_in_processes(
                self, split, stats, list(zip(batches, seeds)), self.config.loader_workers
            )
        return in_background(
            self.collate(split, batch, stats, np.random.default_rng(seed))
            for batch, seed in zip(batches, seeds)
        )

    # ---- evaluation ------------------------------------------------------------------------
    @torch.no_grad()
    def evaluate(self, model: LstmCtcModel, split: Split, stats: FeatureStats) -> dict:
        model.eval()
        references, hypotheses = [], []
        order = sorted(range(len(split)), key=split.frames)
        for start in range(0, len(order), 32):
            batch = order[start : start + 32]
            padded, lengths, _, _ = self.collate(split, batch, stats, rng=None)
            log_probs, _, _ = model(
                padded.to(self.device), *model.init_state(len(batch), self.device)
            )
            log_probs = log_probs.cpu().numpy()
            for row, i in enumerate(batch):
                tokens = greedy_decode(log_probs[row, : lengths[row]])
                hypotheses.append(self.vocab.decode(tokens.ids))
                references.append(split.entries[split.index[i]].text)
        written = self.vocab.written
        return {
            "wer": wer(references, hypotheses, written),
            "cer": cer(references, hypotheses, written),
            "utts": len(references),
            "examples": list(zip(references, hypotheses))[:3],
        }

    def _init_checkpoint(self, init: Path | None) -> dict | None:
        """The checkpoint a new run starts from (fine-tuning), checked against this run."""
        if init is None:
            return None
        init, start = load_any(init)
        # Dither and the causal mean normalisation are choices of this run (the weights adapt
        # to them in a fine-tune), the rest of the feature settings must match the weights.
        theirs = FeatureConfig.from_dict(start["feature_config"])
        prior = self.features.mean_prior_frames
        if not self.features.same_features_as(replace(theirs, mean_prior_frames=prior)):
            raise SystemExit(
                f"{init}: its features (stack/stride, mel settings) differ from this run's config"
            )
        if theirs.dither != self.features.dither:
            self.log(f"dither {theirs.dither:g} -> {self.features.dither:g} for this run")
        if theirs.mean_prior_frames != prior:
            self.log(f"mean_prior_frames {theirs.mean_prior_frames:g} -> {prior:g} for this run")
        if list(start["vocabulary"]) != self.vocab.to_list():
            if Vocabulary(start["vocabulary"]).written == self.vocab.written:
                raise SystemExit(f"{init}: its vocabulary differs from this version's")
            # Characters -> phonemes (or back): the encoder is kept, the output layer is new.
            self.log(f"{init}: new output layer for {self.config.units} ({len(self.vocab)} units)")
            start = {
                **start,
                "model_config": {**start["model_config"], "vocab_size": len(self.vocab)},
                "model_state": {
                    k: v for k, v in start["model_state"].items() if not k.startswith("classifier.")
                },
            }
        # The file really used ("default" resolved), and what it was trained on, for the record.
        return {**start, "init_source": str(Path(init).resolve())}

    # ---- the loop ----------------------------------------------------------------------------
    def run(
        self,
        train_manifest: Path,
        dev_manifest: Path,
        resume: bool = False,
        test_manifest: Path | None = None,
        init: Path | None = None,
    ) -> dict:
        """Train until max epochs, patience, target WER or time budget; best.pt and last.pt in
        the run folder; the test set scored with the best model at the end."""
        config = self.config
        run_started = time.time()
        variants = _variants(config)
        # Checkpoints first: a bad --init or --resume fails before minutes of feature caching.
        state = self._resume_state() if resume else None
        start = None if state else self._init_checkpoint(init)
        train = self.load_split(train_manifest, variants, "train")
        dev = self.load_split(dev_manifest, [Variant()], "dev")
        stats_source = state or start
        stats = (
            FeatureStats.from_dict(stats_source["feature_stats"])
            if stats_source
            else self.compute_stats(train)
        )
        session = self._new_session(train, stats, start, state)
        session.data_summary = self._data_summary(train_manifest, dev_manifest, train, variants)
        if start:
            session.data_summary["init"] = start["init_source"]
            session.data_summary["init_epoch"] = start.get("epoch")
            if start.get("data_summary"):
                session.data_summary["init_data"] = start["data_summary"]
        progress = session.progress
        first_epoch = progress.epoch

        def out_of_time() -> bool:
            # No epoch starts past the budget (the one running finishes); at least one runs.
            return (
                config.max_minutes > 0
                and progress.epoch > first_epoch
                and time.time() - run_started >= config.max_minutes * 60
            )

        while (
            progress.epoch < config.max_epochs
            and progress.bad_epochs < config.patience
            and not (progress.best_wer <= config.target_wer)
            and not out_of_time()
        ):
            started = time.time()
            train_loss = self.train_one_epoch(session)
            dev_result, improved = self.validate(session, dev, train_loss, started)
            if self.rank == 0:
                self.save_checkpoint(session, dev_result, improved)
        if out_of_time() and progress.epoch < config.max_epochs:
            self.log(
                f"time budget of {config.max_minutes:g} min reached after {progress.epoch} epochs"
            )
        if progress.bad_epochs >= config.patience:
            self.log(f"early stop: no dev improvement in {config.patience} epochs")
        result = {
            "best_dev_wer": progress.best_wer,
            "epochs": progress.epoch,
            "history": progress.history,
        }
        if test_manifest and self.rank == 0:
            result["test"] = self._test(session, test_manifest)
        if self.world > 1:
            dist.destroy_process_group()
        return result

    def _resume_state(self) -> Checkpoint | None:
        """The checkpoint `--resume` continues from (None: start a new run), checked."""
        last_path = self.out_dir / "last.pt"
        if not last_path.is_file():
            self.log(f"[yellow]no checkpoint at {last_path}: starting a new run")
            return None
        state = load_checkpoint(last_path)
        if "optimizer_state" not in state:
            raise SystemExit(
                f"{last_path}: holds no training state (an `asr average` result?); "
                "start a new run from it with --init instead of --resume"
            )
        if FeatureConfig.from_dict(state["feature_config"]) != self.features:
            raise SystemExit(
                f"{last_path}: its feature settings differ from this run's config; "
                "resume with the config the run started with"
            )
        return state

    def _new_session(
        self, train: Split, stats: FeatureStats, start: dict | None, state: Checkpoint | None
    ) -> _Session:
        """Model, optimiser and schedule: new, fine-tuned from `start`, or resumed."""
        config = self.config
        model_config = ModelConfig(
            input_dim=self.features.feature_dim,
            proj_dim=config.proj_dim,
            hidden_size=config.hidden_size,
            num_layers=config.num_layers,
            dropout=config.dropout,
            vocab_size=len(self.vocab),
        )
        if start:
            # Fine-tuning keeps the shape of the model it starts from; dropout is this run's.
            shape = ModelConfig.from_dict(start["model_config"])
            model_config = replace(shape, dropout=config.dropout)
        torch.manual_seed(config.seed)
        model = LstmCtcModel(model_config).to(self.device)
        optimizer = torch.optim.AdamW(
            model.parameters(), lr=config.lr, weight_decay=config.weight_decay
        )
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, partial(_lr_factor, config))
        progress = _Progress()
        if start:
            weights = {k: v.float() for k, v in start["model_state"].items()}
            # All of them, but the output layer when _init_checkpoint dropped it for new units.
            missing, unexpected = model.load_state_dict(weights, strict=False)
            new_head = "classifier.weight" not in weights
            allowed = {"classifier.weight", "classifier.bias"} if new_head else set()
            if unexpected or set(missing) - allowed:
                names = ", ".join(sorted({*missing, *unexpected} - allowed))
                raise SystemExit(
                    f"{start['init_source']}: weights that do not fit this model ({names})"
                )
            self.log(
                f"initialised from {start['init_source']} "
                f"(epoch {start.get('epoch', '?')} of its run)"
            )
        if state:
            model.load_state_dict(state["model_state"])
            optimizer.load_state_dict(state["optimizer_state"])
            scheduler.load_state_dict(state["scheduler_state"])
            progress = _Progress(
                epoch=state["epoch"],
                step=state["step"],
                best_wer=state["best_wer"],
                best_score=state.get("best_score", float("inf")),
                bad_epochs=state["bad_epochs"],
                history=list(state["history"]),
            )
            self.log(
                f"resumed {self.out_dir / 'last.pt'} at epoch {progress.epoch} "
                f"(best dev WER {progress.best_wer:.2%})"
            )
        trainable = model
        if self.world > 1:
            trainable = torch.nn.parallel.DistributedDataParallel(model)
        self.log(f"model: {model.num_parameters():,} parameters, {model_config}")
        return _Session(
            model, trainable, model_config, optimizer, scheduler, train, stats, progress
        )

    def _data_summary(
        self, train_manifest: Path, dev_manifest: Path, train: Split, variants: list[Variant]
    ) -> dict:
        return {
            "train_manifest": str(train_manifest),
            "dev_manifest": str(Path(dev_manifest).resolve()),
            "train_utterances": len(train),
            "train_hours": round(sum(train.entries[i].duration for i in train.index) / 3600, 3),
            "variants": [v.name for v in variants],
        }

    def train_one_epoch(self, session: _Session) -> float:
        """One pass over this rank's batches; the mean training loss per utterance."""
        config, progress, model = self.config, session.progress, session.model
        rng = np.random.default_rng(config.seed * 7919 + progress.epoch)
        torch.manual_seed(config.seed * 7919 + progress.epoch)
        # SortaGrad (Amodei et al. 2016): shortest utterances first in the first epoch(s),
        # which gets CTC off its all-blank plateau much sooner on sentence-long data.
        batches = self.make_batches(
            session.train, rng, shuffle=progress.epoch >= config.sortagrad_epochs
        )
        per_rank = len(batches) // self.world
        batches = batches[self.rank :: self.world][:per_rank]  # interleaved: same lengths
        model.train()
        total_loss, total_frames, started = 0.0, 0, time.time()
        with progress_bar(
            TextColumn(
                "loss {task.fields[loss]:.3f} lr {task.fields[lr]:.2e} "
                "{task.fields[speed]:.1f} audio-h/s"
            ),
            transient=True,
        ) as bar:
            task = bar.add_task(
                f"epoch {progress.epoch + 1}", total=len(batches), loss=0.0, lr=0.0, speed=0.0
            )
            prepared = self.prepared_batches(session.train, session.stats, batches, progress.epoch)
            for batch, tensors in zip(batches, prepared):
                loss = self.compute_loss(session, tensors)
                session.optimizer.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), config.clip_norm)
                session.optimizer.step()
                session.scheduler.step()
                progress.step += 1
                total_loss += loss.item() * len(batch)
                total_frames += int(tensors[1].sum()) * self.features.stride
                hours = total_frames * self.features.hop_length / self.features.sample_rate / 3600
                speed = hours * self.world / max(1e-6, time.time() - started)
                lr = session.scheduler.get_last_lr()[0]
                bar.update(task, advance=1, loss=loss.item(), lr=lr, speed=speed)
                if bar.disable and progress.step % LOG_EVERY_STEPS == 0:
                    # A log file (nohup, CI) gets a line now and then instead of a bar.
                    self.log(
                        f"  step {progress.step}: loss {loss.item():.3f} lr {lr:.2e} "
                        f"{speed:.2f} audio-h/s"
                    )
        progress.epoch += 1
        return total_loss / max(1, sum(len(b) for b in batches))

    def compute_loss(self, session: _Session, tensors: tuple[torch.Tensor, ...]) -> torch.Tensor:
        """The CTC loss of one prepared batch (padded inputs, lengths, flat targets, target
        lengths), the forward pass under the configured precision; a subclass may add terms."""
        padded, lengths, targets, target_lengths = tensors
        initial = session.model.init_state(len(padded), self.device)
        with self._autocast():
            log_probs, _, _ = session.trainable(padded.to(self.device), *initial)
        return torch.nn.functional.ctc_loss(
            log_probs.float().transpose(0, 1),
            targets,
            lengths,
            target_lengths,
            blank=self.vocab.blank,
            zero_infinity=True,
        )

    def _autocast(self) -> torch.autocast:
        """bfloat16 autocast for the forward pass when `precision` asks for it."""
        return torch.autocast(
            self.device.type, dtype=torch.bfloat16, enabled=self.config.precision == "bf16"
        )

    def validate(
        self, session: _Session, dev: Split, train_loss: float, started: float
    ) -> tuple[dict, bool]:
        """Score the epoch on dev, record it, and say whether it is the best so far."""
        progress = session.progress
        dev_result = self.evaluate(session.model, dev, session.stats)
        # Select on the mean of WER and CER: WER alone hovers near 100 % for epochs while a
        # model learns its first letters, and would keep an early, worse checkpoint.
        score = (dev_result["wer"] + dev_result["cer"]) / 2
        improved = score < progress.best_score
        if improved:
            progress.best_score, progress.best_wer = score, dev_result["wer"]
        progress.bad_epochs = 0 if improved else progress.bad_epochs + 1
        progress.history.append(
            {
                "epoch": progress.epoch,
                "train_loss": train_loss,
                "dev_wer": dev_result["wer"],
                "dev_cer": dev_result["cer"],
                "seconds": time.time() - started,
            }
        )
        self.log(
            f"epoch {progress.epoch}: loss {train_loss:.4f}  dev WER {dev_result['wer']:.2%} "
            f"CER {dev_result['cer']:.2%}  ({time.time() - started:.1f}s)"
            + ("  [green]best" if improved else "")
        )
        return dev_result, improved

    def save_checkpoint(self, session: _Session, dev_result: dict, improved: bool) -> None:
        """last.pt always, best.pt when the epoch improved, epoch_NNN.pt with keep_epochs."""
        progress = session.progress
        checkpoint: Checkpoint = {
            "model_state": session.model.state_dict(),
            "model_config": session.model_config.to_dict(),
            "feature_config": self.features.to_dict(),
            "feature_stats": session.stats.to_dict(),
            "vocabulary": self.vocab.to_list(),
            "train_config": self.config.to_dict(),
            "dev_wer": dev_result["wer"],
            "dev_cer": dev_result["cer"],
            "epoch": progress.epoch,
            "step": progress.step,
            "best_wer": progress.best_wer,
            "best_score": progress.best_score,
            "bad_epochs": progress.bad_epochs,
            "optimizer_state": session.optimizer.state_dict(),
            "scheduler_state": session.scheduler.state_dict(),
            "history": progress.history,
            "data_summary": session.data_summary,
        }
        save_checkpoint(self.out_dir / "last.pt", checkpoint)
        if self.config.keep_epochs:
            # To compare epochs on other sets afterwards (best.pt is chosen on dev only).
            save_checkpoint(self.out_dir / f"epoch_{progress.epoch:03d}.pt", checkpoint)
        if improved:
            save_checkpoint(self.out_dir / "best.pt", checkpoint)

    def _test(self, session: _Session, test_manifest: Path) -> dict:
        """The best checkpoint's score on the test set."""
        best = load_checkpoint(self.out_dir / "best.pt")
        session.model.load_state_dict(best["model_state"])
        test = self.load_split(test_manifest, [Variant()], "test")
        result = self.evaluate(session.model, test, session.stats)
        self.log(
            f"test ({test_manifest}): WER {result['wer']:.2%} "
            f"CER {result['cer']:.2%} on {result['utts']} utterances"
        )
        return result


@dataclass
class _Progress:
    """Where a run stands; saved in every checkpoint, restored by `--resume`."""

    epoch: int = 0
    step: int = 0
    best_wer: float = float("inf")
    best_score: float = float("inf")
    bad_epochs: int = 0
    history: list[dict] = field(default_factory=list)


@dataclass
class _Session:
    """One run's model, optimiser, data and progress, shared by the loop's steps."""

    model: LstmCtcModel
    trainable: torch.nn.Module  # the model, or its DistributedDataParallel wrapper
    model_config: ModelConfig
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler
    train: Split
    stats: FeatureStats
    progress: _Progress
    data_summary: dict = field(default_factory=dict)


def _variants(config: TrainConfig) -> list[Variant]:
    """The clean variant first (statistics and evaluation use it), then the augmented ones."""
    lead = {"lead_padding": config.lead_padding, "lead_probability": config.lead_probability}
    base = [Variant(**lead)]
    base += [Variant(speed=s, **lead) for s in config.speeds if s != 1.0]
    base += [Variant(pitch=p, **lead) for p in config.pitches if p != 1.0]
    noisy = [replace(v, noise=True) for v in base] if config.noise else []
    return base + noisy


def _lr_factor(config: TrainConfig, step: int) -> float:
    warmup = min(1.0, (step + 1) / max(1, config.warmup_steps))
    decay = min(1.0, math.sqrt(max(1, config.decay_start_steps) / (step + 1)))
    return warmup * decay * _cooldown_factor(config, step)


def _cooldown_factor(config: TrainConfig, step: int) -> float:
    if config.cooldown_steps <= 0 or step < config.cooldown_start_step:
        return 1.0
    done = (step - config.cooldown_start_step) / config.cooldown_steps
    return max(config.cooldown_floor, 1.0 - (1.0 - config.cooldown_floor) * done)


def _stacked_length(frames: int, config: FeatureConfig) -> int:
    return 0 if frames < config.stack else 1 + (frames - config.stack) // config.stride


def _ctc_min_steps(target: list[int]) -> int:
    """CTC needs a step per token plus a blank between repeated tokens."""
    repeats = sum(1 for a, b in zip(target, target[1:]) if a == b)
    return len(target) + repeats


def _init_distributed() -> tuple[int, int]:
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return 0, 1
    if not dist.is_initialized():
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    return dist.get_rank(), dist.get_world_size()


def _barrier() -> None:
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
