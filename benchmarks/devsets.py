"""The development sets every quality benchmark reads, and a fresh index of a set's documents."""

import json
from pathlib import Path
from typing import Any

from assistant.assistant import Assistant
from assistant.config import ROOT, Settings

SHARED = ROOT.parent / "shared"
DATA = Path(__file__).parent / "data"
NEWS = [ROOT / "corpus"]
PIAF = [SHARED / "eval" / "piaf_dev" / "corpus"]
XQUAD = [SHARED / "eval" / "xquad_dev" / "corpus"]
SETS = [  # (name, questions, corpus folders)
    ("dev news (en/fr/it)", SHARED / "dev_questions.json", NEWS),
    ("crosslang news (7 languages)", DATA / "crosslang_news.json", NEWS),
    ("PIAF dev (fr)", SHARED / "eval" / "piaf_dev" / "questions.json", PIAF),
    ("crosslang PIAF (6 languages)", DATA / "crosslang_piaf.json", PIAF),
    ("XQuAD dev (de docs; en/es/ro/ru)", SHARED / "eval" / "xquad_dev" / "questions.json", XQUAD),
]


def items(questions: Path) -> list[dict[str, Any]]:
    return list(json.loads(questions.read_text(encoding="utf-8"))["items"])


def open_index(folders: list[Path], work: Path, **changes: Any) -> Assistant:
    """A fresh extractive Assistant over exactly these folders (re-used when `work` already holds it)."""
    name = "-".join(f"{k}{v}" for k, v in changes.items()) or "default"
    settings = Settings(index_dir=work / f"{folders[0].parent.name}-{name}", corpus_dir=work / "none",
                        llm="extractive", **changes)
    assistant = Assistant(settings)
    if not assistant.documents():
        assistant.ingest(folders)
    return assistant
