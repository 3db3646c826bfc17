"""The README's screenshot: a real answer with its first citation highlighted in the source viewer.

Run: `make screenshot` (serves the app on a free port with the default index, drives Debian's chromium).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from scripts.browser import ROOT, ask, chromium, free_port, served

OUT = ROOT / "docs" / "screenshot.png"


def main() -> None:
    port = free_port()
    with served([sys.executable, "app.py"], {}, port), chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"http://127.0.0.1:{port}")
        page.wait_for_selector("#question textarea")
        answer = ask(page, "What did Lavrov claim?", 0)
        answer.locator("a[href$='-1']").first.click()
        page.locator("#source-viewer mark").wait_for(timeout=30_000)
        page.wait_for_timeout(800)
        OUT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(OUT))
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
