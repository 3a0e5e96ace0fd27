"""A plain LangChain RAG baseline (text splitter + Chroma) over the project's own E5 embedder."""

from __future__ import annotations

import contextlib
from pathlib import Path

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from indexing.embedding import E5Embedder

TEXT_SUFFIXES = (".txt", ".md")
CHUNK_SIZE = 800
CHUNK_OVERLAP = 100


class E5Embeddings(Embeddings):
    """LangChain Embeddings adapter around indexing.embedding.E5Embedder (same model, same prefixes)."""

    def __init__(self, embedder: E5Embedder) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages with the e5 'passage: ' prefix."""
        return self.embedder.embed_passages(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        """Embed one question with the e5 'query: ' prefix."""
        return self.embedder.embed_queries([text])[0].tolist()


def load_corpus(corpus: Path) -> list[Document]:
    """Read every text file of a corpus directory as one Document (metadata source = file name)."""
    files = sorted(p for p in corpus.iterdir() if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)
    return [
        Document(page_content=p.read_text(encoding="utf-8", errors="replace"), metadata={"source": p.name})
        for p in files
    ]


class Baseline:
    """RecursiveCharacterTextSplitter(800/100) chunks in a persistent, cosine-space Chroma collection."""

    def __init__(self, embeddings: Embeddings, persist_dir: Path) -> None:
        import chromadb
        from langchain_chroma import Chroma

        self.store = Chroma(
            collection_name="baseline",
            embedding_function=embeddings,
            persist_directory=str(persist_dir),
            client_settings=chromadb.Settings(anonymized_telemetry=False),
            collection_metadata={"hnsw:space": "cosine"},
        )
        self.chunks: list[Document] = []

    def ingest(self, corpus: Path) -> int:
        """Load, split and index the corpus; return the number of chunks."""
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
        self.chunks = splitter.split_documents(load_corpus(corpus))
        if self.chunks:
            self.store.add_documents(self.chunks)
        return len(self.chunks)

    def search(self, text: str, k: int = 5) -> list[Document]:
        """Return the k nearest chunks for a query text."""
        return self.store.similarity_search(text, k=k)


def release_chroma() -> None:
    """Drop chromadb's cached clients so their files can be removed."""
    with contextlib.suppress(Exception):
        from chromadb.api.shared_system_client import SharedSystemClient

        SharedSystemClient.clear_system_cache()
