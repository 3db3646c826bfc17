"""The project's own exceptions: library errors are turned into these in one place, edges print them."""


class AssistantError(Exception):
    """An expected failure, with a message that says what is wrong and what to do."""


class BadDocument(AssistantError):
    """A file that cannot be indexed (binary, empty, undecodable, too large, missing)."""


class BadQuestion(AssistantError):
    """A question that cannot be answered as asked (empty, too long)."""


class IndexCorrupt(AssistantError):
    """The index folder exists but cannot be read."""


class DiskFull(AssistantError):
    """The index's disk has no room for a write; the index is left as it was before it."""


class IndexInUse(AssistantError):
    """Another process is writing the embedded index."""


class ModelMissing(AssistantError):
    """The embedding model (or the package that ships it) is not installed."""


class LLMUnavailable(AssistantError):
    """The configured LLM server did not answer usably."""
