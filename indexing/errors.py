"""Domain errors raised while loading and indexing documents."""

from __future__ import annotations


class PlanAssistantError(Exception):
    """Base class: every error carries a stable code and a message that says what to do."""

    code = "error"
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DocumentError(PlanAssistantError):
    """A document could not be read; the rest of the batch and the index are unaffected."""

    code = "unreadable_document"
    status = 422


class UnsupportedFileType(DocumentError):
    """The file type is not one we can read."""

    code = "unsupported_file_type"
    status = 415


class EncryptedDocument(DocumentError):
    """The document is password protected."""

    code = "encrypted_document"


class CorruptDocument(DocumentError):
    """The file is damaged or not what its extension says."""

    code = "corrupt_document"


class EmptyDocument(DocumentError):
    """The document has no extractable text."""

    code = "empty_document"


class DocumentTooLarge(DocumentError):
    """The file exceeds the configured size limit."""

    code = "document_too_large"
    status = 413


class StoreMismatch(PlanAssistantError):
    """The store was built with a different embedder than the one configured."""

    code = "embedder_mismatch"
    status = 409


class NotFound(PlanAssistantError):
    """A requested document or passage does not exist."""

    code = "not_found"
    status = 404


class BadRequest(PlanAssistantError):
    """The request is malformed."""

    code = "bad_request"
    status = 400
