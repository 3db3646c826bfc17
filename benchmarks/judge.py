"""The built-in model as an answerability judge: does it tell answerable from unanswerable questions?

Not used by the assistant yet: this measures the candidate. The judge reads the answer prompt itself (the
same system message, passages and question as `llm.py` sends) with one line added, "Do the passages state
the answer to the question? Reply YES or NO.", and we read P(YES) from the first token's log-probabilities.
Built that way, llama.cpp can reuse the whole prompt's prefill for the answer that follows (the judge
would cost one generated token, not a second prompt). Printed per development set: ROC AUC of the judge
beside the signals the calibrators use, and the leave-one-set-out abstention table (benchmarks/
answerability.py) with the judge added as a fourth feature.
Run: `.venv/bin/python benchmarks/judge.py [--work DIR]` (about 10 minutes on 2 cores: 263 prompts).
"""

import argparse
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from assistant.answering.llm import ANSWER_HUMAN, ANSWER_SYSTEM, PROMPT_PASSAGES, _restated, language_name, quote
from assistant.assistant import Assistant
from assistant.config import ROOT, Settings
from assistant.text import reader_language
from benchmarks.answerability import FEATURES, Row, ceiling, collect, left_out
from benchmarks.devsets import SETS, items, open_index

JUDGE = "\nDo the passages state the answer to the question? Reply YES or NO."


def judge(server: object, assistant: Assistant, question: str) -> float:
    """P(YES) of the built-in model over the passages the answer prompt would hold (0 when there are none)."""
    import httpx

    evidence = assistant.passages(question)[: assistant.settings.citations]
    numbered = [(n, p) for n, p in enumerate(evidence, start=1) if not _restated(p, evidence)][:PROMPT_PASSAGES]
    if not numbered:
        return 0.0
    human = ANSWER_HUMAN.format(history="", passages=quote(numbered), question=question,
                                language=language_name(reader_language(question)))
    reply = httpx.post(f"{server.url}/chat/completions",  # type: ignore[attr-defined]
                       headers={"Authorization": f"Bearer {server.api_key}"},  # type: ignore[attr-defined]
                       json={"messages": [{"role": "system", "content": ANSWER_SYSTEM},
                                          {"role": "user", "content": human + JUDGE}],
                             "max_tokens": 1, "temperature": 0, "logprobs": True, "top_logprobs": 10}, timeout=300)
    reply.raise_for_status()
    top = reply.json()["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
    yes = sum(math.exp(t["logprob"]) for t in top if t["token"].strip().upper().startswith("YES"))
    no = sum(math.exp(t["logprob"]) for t in top if t["token"].strip().upper().startswith("NO"))
    return yes / (yes + no) if yes + no else 0.5


def auc(rows: list[Row], feature: str) -> float:
    from sklearn.metrics import roc_auc_score

    y = [r.answerable for r in rows]
    return float(roc_auc_score(y, [r.values[feature] for r in rows])) if 0 < sum(y) < len(y) else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work", type=Path, help="keep the indexes in this folder between runs")
    args = parser.parse_args()
    from assistant.answering.llm import local_server

    server = local_server(Settings(cache_dir=ROOT / "index" / "cache"))
    server.ensure_running()
    by_set: dict[str, list[Row]] = {}
    seconds: list[float] = []
    with tempfile.TemporaryDirectory(prefix="judge-") as tmp:
        for name, questions, folders in SETS:
            assistant = open_index(folders, args.work or Path(tmp))
            asked = items(questions)
            rows = collect(assistant, name, asked)
            for row, item in zip(rows, asked, strict=True):
                start = time.perf_counter()
                row.values["judge"] = judge(server, assistant, item["q"])
                seconds.append(time.perf_counter() - start)
            by_set[name] = rows
    print(f"judge: {len(seconds)} prompts, {statistics.median(seconds):.2f} s median each (whole prompt read)")
    print(f"\nROC AUC, answerable vs unanswerable  {'judge':>6} " + " ".join(f"{f:>8}" for f in FEATURES))
    for name, rows in by_set.items():
        print(f"  {name[:34]:<34} {auc(rows, 'judge'):>6.3f} " + " ".join(f"{auc(rows, f):>8.3f}" for f in FEATURES))
    print("\nabstention, each set scored by calibrators fitted on the other sets (leave one set out):")
    print(f"  {'signals':<30} " + " ".join(f"{n[:22]:>22}" for n in by_set))
    for names in (FEATURES, (*FEATURES, "judge"), ("coverage", "margin", "judge"), ("margin", "judge"), ("judge",)):
        cells = [f"FA {fa}/{a} NA {na}/{u}" for fa, a, na, u in left_out(by_set, names).values()]
        print(f"  {' + '.join(names):<30} " + " ".join(f"{c:>22}" for c in cells))
        cells = [f"NA {na}/{u}" for na, u in ceiling(by_set, names=names).values()]
        print(f"  {'  best threshold, FA <= 5%':<30} " + " ".join(f"{c:>22}" for c in cells))
    print("  FA: answerable questions abstained on; NA: unanswerable questions abstained on")
    rows = [r for rs in by_set.values() for r in rs]
    print(f"  (mean judge P(YES): answerable {np.mean([r.values['judge'] for r in rows if r.answerable]):.2f}, "
          f"unanswerable {np.mean([r.values['judge'] for r in rows if not r.answerable]):.2f})")


if __name__ == "__main__":
    main()
