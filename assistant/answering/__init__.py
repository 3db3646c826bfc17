"""Answerers turn retrieved passages into a cited Answer: extractive (default) or an LLM."""
