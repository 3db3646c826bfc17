"""Retrieval quality: this project beside the plain LangChain recipe, on the same questions, in one run.

Reports hit@1 and hit@3 (a gold passage among the first k passages cited / retrieved) and the characters
of context each needs (what a reader or an LLM must read). Run: `make bench` or
`.venv/bin/python benchmarks/quality.py [QUESTIONS.json ...]`.
"""

import json
import sys
import tempfile
from pathlib import Path
from statistics import mean

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from assistant.assistant import Assistant
from assistant.config import ROOT, Settings
from benchmarks import recipe

DEFAULT_SETS = [ROOT.parent / "shared" / "dev_questions.json", ROOT / "tests" / "data" / "extra_questions.json"]


def main(paths: list[Path]) -> None:
    corpus = sorted((ROOT / "corpus").glob("*.txt"))
    baseline = recipe.build(corpus)
    with tempfile.TemporaryDirectory() as tmp:
        ours = Assistant(Settings(index_dir=Path(tmp), cache_dir=ROOT / "index" / "cache"))
        print(f"{'questions':<28} {'system':<26} {'hit@1':>6} {'hit@3':>6} {'ctx chars':>10} {'chars/passage':>14}")
        for path in paths:
            items = [i for i in json.loads(path.read_text(encoding="utf-8"))["items"] if not i.get("abstain")]
            rows = {"this project (citations)": [], f"recipe (top-{recipe.K})": []}
            for item in items:
                answer = ours.ask(item["q"])
                rows["this project (citations)"].append([c.text for c in answer.citations])
                rows[f"recipe (top-{recipe.K})"].append([d.page_content for d in baseline.invoke(item["q"])])
            for system, retrieved in rows.items():
                pairs = list(zip(items, retrieved, strict=True))
                hit1 = mean(any(g in t for t in r[:1] for g in i["gold"]) for i, r in pairs)
                hit3 = mean(any(g in t for t in r[:3] for g in i["gold"]) for i, r in pairs)
                ctx = mean(sum(len(t) for t in r) for r in retrieved)
                per = mean(len(t) for r in retrieved for t in r) if any(retrieved) else 0
                print(f"{path.name:<28} {system:<26} {hit1:>6.2f} {hit3:>6.2f} {ctx:>10.0f} {per:>14.0f}")


if __name__ == "__main__":
    main([Path(p) for p in sys.argv[1:]] or [p for p in DEFAULT_SETS if p.exists()])
