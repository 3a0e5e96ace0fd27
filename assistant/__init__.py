"""Plan Assistant: answers questions about plan documents with cited passages."""

__version__ = "0.1.0"
