"""The acoustic model: input projection → stacked unidirectional LSTM → linear → log-softmax.

The recurrent state `(h, c)` is an explicit input and output, so the same module trains on whole
utterances and runs chunk by chunk (carrying the state) after export.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class ModelConfig:
    input_dim: int = 240
    proj_dim: int = 256
    hidden_size: int = 256
    num_layers: int = 3
    dropout: float = 0.1
    vocab_size: int = 29

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ModelConfig:
        return cls(**{key: data[key] for key in cls.__dataclass_fields__ if key in data})


class LstmCtcModel(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        self.config = config
        self.input_proj = nn.Sequential(
            nn.Linear(config.input_dim, config.proj_dim), nn.LayerNorm(config.proj_dim), nn.ReLU()
        )
        self.lstm = nn.LSTM(
            config.proj_dim,
            config.hidden_size,
            num_layers=config.num_layers,
            dropout=config.dropout if config.num_layers > 1 else 0.0,
            batch_first=True,
        )
        self.output_dropout = nn.Dropout(config.dropout)
        self.classifier = nn.Linear(config.hidden_size, config.vocab_size)
        self._init_forget_gates()

    def _init_forget_gates(self) -> None:
        """Forget-gate bias 1 (Jozefowicz et al. 2015): the cells keep their memory from the
        start, which shortens CTC's all-blank plateau on sentence-long utterances."""
        size = self.config.hidden_size
        with torch.no_grad():
            for name, bias in self.lstm.named_parameters():
                if name.startswith("bias_"):
                    bias[size : 2 * size] = 0.5  # ih + hh biases sum to 1

    def init_state(
        self, batch: int, device: torch.device | str = "cpu"
    ) -> tuple[torch.Tensor, ...]:
        shape = (self.config.num_layers, batch, self.config.hidden_size)
        return torch.zeros(shape, device=device), torch.zeros(shape, device=device)

    def forward(
        self, features: torch.Tensor, h: torch.Tensor, c: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """`features [B, T, F]`, `h, c [L, B, H]` → `log_probs [B, T, V]`, next `h`, next `c`."""
        hidden, (h_out, c_out) = self.lstm(self.input_proj(features), (h, c))
        logits = self.classifier(self.output_dropout(hidden))
        return torch.log_softmax(logits, dim=-1), h_out, c_out

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())
