"""Switch off every library's network use before those libraries are imported."""

import os

# huggingface_hub, transformers and Gradio read these once, at import: set them first.
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
    "DO_NOT_TRACK": "1",
}


def enforce_offline_environment() -> None:
    """Set the offline and no-telemetry flags (user values win) and keep loopback off any proxy."""
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)
    for key in ("NO_PROXY", "no_proxy"):
        current = os.environ.get(key, "")
        extra = [h for h in ("127.0.0.1", "localhost") if h not in current.split(",")]
        os.environ[key] = ",".join(filter(None, [current, *extra]))
