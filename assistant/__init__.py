"""Local, offline question answering over news documents, with every claim cited."""

from assistant.offline import enforce_offline_environment

enforce_offline_environment()

__all__ = ["enforce_offline_environment"]
