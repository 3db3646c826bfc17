"""The chat as a user meets it: `make run` to first answer, and streamed answers timed in a real browser.

Run: `make bench` or `.venv/bin/python benchmarks/ui_speed.py`. Needs Debian's chromium (`make install`).
- startup: `make run` on an existing default index, until the page's API returns an answer (median of STARTS).
- browser, warm: click 'Ask' -> first text of the answer in the page, and -> the complete answer (its
  Sources), measured in the page by a MutationObserver; median and p95 over the dev questions x ROUNDS.
Baseline in the same run: the plain LangChain recipe's retrieval alone, in-process (no UI at all).
"""

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from assistant.config import ROOT
from benchmarks import recipe
from benchmarks.timing import pct
from scripts.browser import chromium, free_port, served

STARTS = 3
ROUNDS = 3
TIMER_JS = """([n]) => {
  const chat = document.querySelector('#chat');
  const t = window.__t = {start: performance.now()};
  const obs = new MutationObserver(() => {
    const m = chat.querySelectorAll("[data-testid='bot']");
    if (m.length <= n) return;
    const text = m[m.length - 1].innerText.trim();
    if (text && !t.first) t.first = performance.now();
    if (/Sources|documents don't say|ne le disent pas|non lo dicono/.test(text) && !t.full) {
      t.full = performance.now(); obs.disconnect(); }
  });
  obs.observe(chat, {subtree: true, childList: true, characterData: true});
  document.querySelector('#send').click();
}"""


def main() -> None:
    items = json.loads((ROOT.parent / "shared" / "dev_questions.json").read_text(encoding="utf-8"))["items"]
    questions = [i["q"] for i in items]
    with served(["make", "-s", "run"], {}, free_port()):  # builds the default index if it is missing
        pass
    starts = []
    for _ in range(STARTS):
        with served(["make", "-s", "run"], {}, free_port()) as seconds:
            starts.append(seconds)
    first, full = [], []
    port = free_port()
    with served([sys.executable, "app.py"], {}, port), chromium() as browser:
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}")
        page.wait_for_selector("#question textarea")
        n = 0
        for _ in range(ROUNDS):
            for q in questions:
                page.fill("#question textarea", q)
                page.evaluate(TIMER_JS, [n])
                page.wait_for_function("() => window.__t.full", timeout=60_000)
                t = page.evaluate("() => window.__t")
                first.append(t["first"] - t["start"])
                full.append(t["full"] - t["start"])
                n += 1
                if n % len(questions) == 0:  # a fresh chat each round, so the page does not grow without end
                    page.reload()
                    page.wait_for_selector("#question textarea")
                    n = 0
    baseline = recipe.build(sorted((ROOT / "corpus").glob("*.txt")))
    base = []
    for q in questions * ROUNDS:
        start = time.perf_counter()
        baseline.invoke(q)
        base.append((time.perf_counter() - start) * 1000)
    print(f"`make run` (index built) until the page answers: median {statistics.median(starts):.1f} s, "
          f"max {max(starts):.1f} s over {STARTS} starts")
    print(f"{'warm, per question, in chromium (ms)':<44} {'median':>8} {'p95':>8}")
    for name, values in [("click -> first streamed text", first), ("click -> complete answer", full),
                         (f"recipe: retriever top-{recipe.K} only, no UI", base)]:
        print(f"{name:<44} {statistics.median(values):>8.1f} {pct(values, 0.95):>8.1f}")


if __name__ == "__main__":
    main()
