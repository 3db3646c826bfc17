"""A terminal progress bar for long work (first index build, ingest), shared by the CLI and the server."""

import sys
from typing import Any

from assistant.ingest import Progress


def progress_bar(label: str) -> Progress:
    """A callback for Assistant/ingest; draws on a terminal, stays silent in a pipe or a CI log."""
    bar: dict[str, Any] = {}

    def update(done: int, total: int, what: str) -> None:
        from tqdm import tqdm

        if "bar" not in bar:
            bar["bar"] = tqdm(total=total, desc=label, unit="file", file=sys.stderr, leave=False, disable=None)
        bar["bar"].n = done
        bar["bar"].set_postfix_str(what[:40])
        if done >= total:
            bar["bar"].close()

    return update
