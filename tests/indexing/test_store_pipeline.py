"""Store and pipeline with real models and real Chroma: incremental ingest, prune, failures, embedder guard."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np
import pytest

from assistant.cli import main
from assistant.config import Settings
from assistant.service import Assistant
from indexing.embedding import E5Embedder, make_embedder
from indexing.errors import NotFound, StoreMismatch
from indexing.store import Store
from tests.fixtures import status_reports as fx

pytestmark = pytest.mark.slow

CORPUS_SOURCES = {
    "000_5f06fb9d6daa8801.txt",
    "001_66690341c0f364d0.txt",
    "002_5744595c346fd1bd.txt",
    "003_19c0c3776e7843ca.txt",
    "004_f7f57ee937eabf22.txt",
}
ANIMALS = """# Årsplan for instituttet

Instituttet skal bygge et nytt akvarium for marinbiologi ved campus Gløshaugen.

Studentene får egne lesesaler i andre etasje.

# Forskning

- Søke om midler til et nasjonalt senter for havforskning
- Ansette to postdoktorer i fiskehelse
"""
CHANGED = ANIMALS.replace("et nytt akvarium for marinbiologi", "et nytt planetarium for astronomi")
HISTORY = """Historikk for fakultetet

Fakultetet ble opprettet i 2017 etter fusjonen mellom flere høgskoler og universitetet.

Dekanen leder fakultetsstyret og ledergruppen.
"""


class CountingEmbedder:
    """The real embedder, counting the passages it is asked to embed."""

    def __init__(self, inner: E5Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.passages = 0

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.passages += len(texts)
        return self.inner.embed_passages(texts)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.inner.embed_queries(texts)


@pytest.fixture(scope="module")
def e5() -> E5Embedder:
    return E5Embedder()


@pytest.fixture
def counting(e5: E5Embedder) -> CountingEmbedder:
    return CountingEmbedder(e5)


@pytest.fixture
def fresh(tmp_path: Path, counting: CountingEmbedder) -> Assistant:
    """An Assistant over an empty store in tmp_path, with the real e5 model."""
    return Assistant(Settings(store_dir=tmp_path / "store"), embedder=counting)  # type: ignore[arg-type]


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "arsplan.md").write_text(ANIMALS, encoding="utf-8")
    (folder / "historikk.txt").write_text(HISTORY, encoding="utf-8")
    return folder


def units(store: Store) -> int:
    return sum(len(c.units) for c in store.chunks())


def vector_ids(store: Store) -> set[str]:
    return set(store.collection().get()["ids"])


def unit_ids(store: Store) -> set[str]:
    return {u for c in store.chunks() for u in c.unit_ids()}


def cache_rows(store: Store) -> int:
    with store.connect() as conn:
        return conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]


def measure_rows(store: Store, source: str) -> int:
    with store.connect() as conn:
        return conn.execute("SELECT COUNT(*) FROM measures WHERE source = ?", (source,)).fetchone()[0]


def top_sources(assistant: Assistant, question: str, k: int = 5) -> list[str]:
    return [h.chunk.source for h in assistant.search(question)[1][:k]]


# --- incremental ingest ------------------------------------------------------------------------------


def test_first_ingest_indexes_every_unit_once(fresh: Assistant, counting: CountingEmbedder, docs: Path) -> None:
    report = fresh.ingest([docs])
    assert sorted(report.added) == ["arsplan.md", "historikk.txt"]
    assert not (report.updated or report.skipped or report.failed or report.removed)
    store = fresh.store
    assert report.chunks == len(store.chunks()) > 0
    assert counting.passages == units(store) == cache_rows(store)
    assert store.collection().count() == units(store)
    assert vector_ids(store) == unit_ids(store)
    assert store.stats() == {"documents": 2, "chunks": report.chunks, "embedder": E5Embedder.name}
    assert (store.originals_dir / "arsplan.md").read_text(encoding="utf-8") == ANIMALS
    doc = store.document("arsplan.md")
    assert (doc["title"], doc["kind"], doc["pages"]) == ("Årsplan for instituttet", "md", 1)


def test_second_ingest_skips_unchanged_files_without_embedding(
    fresh: Assistant, counting: CountingEmbedder, docs: Path
) -> None:
    fresh.ingest([docs])
    store = fresh.store
    embedded, generation, rows = counting.passages, store.generation(), cache_rows(store)
    ids = [c.id for c in store.chunks()]

    report = fresh.ingest([docs])
    assert sorted(report.skipped) == ["arsplan.md", "historikk.txt"]
    assert not (report.added or report.updated or report.failed) and report.chunks == 0
    assert counting.passages == embedded
    assert store.generation() == generation
    assert cache_rows(store) == rows
    assert [c.id for c in store.chunks()] == ids
    assert "skipped (unchanged): 2" in report.summary()


def test_changed_file_replaces_its_passages_and_reuses_cached_vectors(
    fresh: Assistant, counting: CountingEmbedder, docs: Path
) -> None:
    fresh.ingest([docs])
    store = fresh.store
    before_units = units(store)
    old_texts = {t for c in store.chunks() for t in c.unit_texts()}
    embedded = counting.passages

    (docs / "arsplan.md").write_text(CHANGED, encoding="utf-8")
    report = fresh.ingest([docs])
    assert report.updated == ["arsplan.md"] and report.skipped == ["historikk.txt"]

    texts = " ".join(c.text for c in store.chunks())
    assert "akvarium" not in texts and "planetarium for astronomi" in texts
    assert vector_ids(store) == unit_ids(store)  # no stale vectors of the old version
    assert store.collection().count() == units(store) == before_units
    new_texts = [t for c in store.chunks() if c.source == "arsplan.md" for t in c.unit_texts()]
    assert counting.passages - embedded == len(set(new_texts) - old_texts) == 1
    hits = fresh.search("Hvor skal instituttet bygge planetariet for astronomi?")[1]
    assert "planetarium" in hits[0].chunk.text
    assert not any("akvarium" in h.chunk.text for h in hits)


def test_uploaded_bytes_are_added_skipped_and_updated(fresh: Assistant) -> None:
    indexer = fresh.indexer
    status, n = indexer.ingest_bytes("opplastet.md", ANIMALS.encode())
    assert status == "added" and n > 0
    assert indexer.ingest_bytes("opplastet.md", ANIMALS.encode()) == ("skipped", 0)
    status, _ = indexer.ingest_bytes("opplastet.md", CHANGED.encode())
    assert status == "updated"
    assert fresh.store.document_sha("opplastet.md") == hashlib.sha256(CHANGED.encode()).hexdigest()
    assert fresh.store.document_sha("finnes-ikke.md") is None


def test_prune_removes_vanished_documents_with_their_vectors_and_register_rows(fresh: Assistant, docs: Path) -> None:
    fx.build_markdown(docs)
    fresh.ingest([docs])
    store = fresh.store
    gone = fx.MD_NAME
    assert measure_rows(store, gone) == 4
    assert store.collection().get(where={"source": gone})["ids"]

    (docs / gone).unlink()
    kept = fresh.ingest([docs])
    assert kept.removed == [] and gone in {d["source"] for d in store.documents()}  # no --prune: kept

    report = fresh.ingest([docs], prune=True)
    assert report.removed == [gone]
    assert {d["source"] for d in store.documents()} == {"arsplan.md", "historikk.txt"}
    assert not any(c.source == gone for c in store.chunks())
    assert store.collection().get(where={"source": gone})["ids"] == []
    assert vector_ids(store) == unit_ids(store)
    assert measure_rows(store, gone) == 0
    assert not (store.originals_dir / gone).exists()
    assert all(m.source != gone for m in fresh.measures())
    with pytest.raises(NotFound):
        store.document(gone)
    with pytest.raises(NotFound):
        store.delete_document(gone)


def test_missing_path_is_reported_not_raised(fresh: Assistant, docs: Path) -> None:
    report = fresh.ingest([docs / "arsplan.md", docs / "finnes-ikke.txt"])
    assert report.added == ["arsplan.md"]
    assert [(n, c) for n, c, _ in report.failed] == [("finnes-ikke.txt", "unreadable_document")]


# --- a batch with bad files --------------------------------------------------------------------------


def _bad_files(folder: Path) -> dict[str, str]:
    from fpdf import FPDF
    from pypdf import PdfReader, PdfWriter

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 7, "Hemmelig budsjett for 2025.")
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(bytes(pdf.output()))))
    writer.encrypt(user_password="hemmelig", owner_password="eier")
    buf = io.BytesIO()
    writer.write(buf)
    (folder / "laast.pdf").write_bytes(buf.getvalue())
    (folder / "skadet.pdf").write_bytes(b"%PDF-1.7\n" + b"\x00\x13garbage" * 50)
    (folder / "tom.txt").write_bytes(b"")
    (folder / "budsjett.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (folder / "skadet.docx").write_bytes(b"not a zip archive at all")
    return {
        "laast.pdf": "encrypted_document",
        "skadet.pdf": "corrupt_document",
        "tom.txt": "empty_document",
        "budsjett.xlsx": "unsupported_file_type",
        "skadet.docx": "corrupt_document",
    }


def test_batch_with_bad_files_reports_each_and_keeps_everything_searchable(
    assistant: Assistant, tmp_path: Path
) -> None:
    store = assistant.store
    before_chunks, before_units = len(store.chunks()), units(store)
    assert {d["source"] for d in store.documents()} == CORPUS_SOURCES
    assert "004_f7f57ee937eabf22.txt" in top_sources(assistant, "Hvem er målgruppene for NTNUs lederutvikling?")

    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "arsplan.md").write_text(ANIMALS, encoding="utf-8")
    expected = _bad_files(batch)
    report = assistant.ingest([batch])

    assert report.added == ["arsplan.md"]
    assert {name: code for name, code, _ in report.failed} == expected
    for name, _, reason in report.failed:
        assert reason.startswith(f"{name}:") and len(reason) > len(name) + 10
    summary = report.summary()
    assert all(f"FAILED {name}: " in summary for name in expected)
    as_json = report.to_json()
    assert {f["source"]: f["code"] for f in as_json["failed"]} == expected  # type: ignore[union-attr]

    assert len(store.chunks()) == before_chunks + report.chunks
    assert {d["source"] for d in store.documents()} == CORPUS_SOURCES | {"arsplan.md"}
    assert store.collection().count() == units(store) > before_units
    assert "004_f7f57ee937eabf22.txt" in top_sources(assistant, "Hvem er målgruppene for NTNUs lederutvikling?")
    assert top_sources(assistant, "Hvor skal instituttet bygge akvariet for marinbiologi?")[0] == "arsplan.md"
    assert not (store.originals_dir / "laast.pdf").exists()


def test_batch_of_only_bad_files_changes_nothing(assistant: Assistant, tmp_path: Path) -> None:
    store = assistant.store
    generation, chunks = store.generation(), len(store.chunks())
    batch = tmp_path / "bad"
    batch.mkdir()
    expected = _bad_files(batch)
    report = assistant.ingest([batch])
    assert len(report.failed) == len(expected) and report.documents == 0
    assert store.generation() == generation and len(store.chunks()) == chunks


# --- vectors and embedders ---------------------------------------------------------------------------


def test_corpus_store_has_one_vector_per_unit(shared_assistant: Assistant) -> None:
    store = shared_assistant.store
    assert store.built_with() == E5Embedder.name
    assert store.collection().count() == units(store)
    assert store.stats()["documents"] == 5


def test_store_refuses_a_different_embedder(tmp_path: Path, e5: E5Embedder, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "minilm-store"
    st = make_embedder("sentence-transformers")
    assert st.name == "sentence-transformers/all-MiniLM-L6-v2"
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "historikk.txt").write_text(HISTORY, encoding="utf-8")
    minilm = Assistant(Settings(store_dir=root, embedder="sentence-transformers"), embedder=st)
    report = minilm.ingest([folder])
    assert report.added == ["historikk.txt"]
    assert Store(root, st.name).built_with() == st.name
    assert minilm.store.collection().count() == units(minilm.store)
    vector = np.asarray(minilm.store.collection().get(include=["embeddings"])["embeddings"][0])
    assert vector.shape == (384,) and abs(float(np.linalg.norm(vector)) - 1.0) < 1e-3
    assert minilm.search("Når ble fakultetet opprettet?")[1][0].chunk.source == "historikk.txt"

    other = Assistant(Settings(store_dir=root), embedder=e5)
    with pytest.raises(StoreMismatch) as info:
        other.ingest([folder])
    assert st.name in info.value.message and E5Embedder.name in info.value.message
    assert info.value.code == "embedder_mismatch"
    with pytest.raises(StoreMismatch):
        Store(root, E5Embedder.name).check_embedder()
    with pytest.raises(StoreMismatch):
        Store(root, E5Embedder.name).collection()
    with pytest.raises(StoreMismatch):
        other.answer("Når ble fakultetet opprettet?")

    capsys.readouterr()
    code = main(["ingest", str(folder), "--store", str(root), "--quiet"])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: The store at ") and "PLAN_EMBEDDER" in err

    assert minilm.ingest([folder]).skipped == ["historikk.txt"]  # the store itself is untouched


def test_embedders_are_normalised_and_name_their_space(e5: E5Embedder) -> None:
    passages = e5.embed_passages(["Fakultetet kutter årsverk.", "Instituttet skal øke publiseringen."])
    query = e5.embed_queries(["Hvor mange årsverk kuttes?"])
    assert passages.shape == (2, 384) and query.shape == (1, 384)
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-3)
    assert float(passages[0] @ query[0]) > float(passages[1] @ query[0])
    assert e5.embed_passages([]).shape == (0, 384)


def test_unknown_embedder_setting_is_refused() -> None:
    from indexing.errors import PlanAssistantError

    with pytest.raises(PlanAssistantError, match="Unknown embedder"):
        make_embedder("word2vec")
