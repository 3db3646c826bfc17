"""Entry point of the chat UI: `make run` (or `.venv/bin/python app.py`)."""

import logging

import assistant  # noqa: F401  (offline flags before any library loads)
from assistant.config import Settings
from assistant.ui import serve

if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    serve(Settings())
