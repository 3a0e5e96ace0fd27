"""Documents: list, upload (real PDFs), upload guards, download, delete; passages; the measure register."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.config import Settings
from assistant.uploads import InvalidName, safe_name
from tests.assistant.test_api import assert_error
from tests.fixtures.documents import FACT_NUMBER, FACT_QUESTION, FACT_TITLE, encrypt_pdf, make_pdf

PDF = "application/pdf"


def upload(client: TestClient, *files: tuple[str, bytes, str]) -> httpx.Response:
    return client.post("/api/documents", files=[("files", f) for f in files])


def snapshot(client: TestClient) -> tuple[list[dict[str, object]], dict[str, object]]:
    docs = client.get("/api/documents").json()["documents"]
    health = client.get("/healthz").json()
    return docs, {k: health[k] for k in ("documents", "chunks")}


@pytest.fixture
def small_client(settings: Settings) -> Iterator[TestClient]:
    """An app whose upload limit is 20 kB."""
    with TestClient(create_app(settings.model_copy(update={"max_upload_mb": 20_000 / 1024 / 1024}))) as c:
        yield c


def test_lists_documents_with_their_metadata(client: TestClient) -> None:
    body = client.get("/api/documents").json()
    assert len(body["documents"]) >= 5 and ".pdf" in body["accepted"] and body["max_upload_bytes"] > 0
    doc = body["documents"][0]
    assert {"source", "title", "date", "kind", "pages", "chunks", "url"} <= set(doc)
    assert doc["url"] == f"/api/documents/{doc['source']}"


def test_uploaded_pdf_is_indexed_cited_and_opened_at_its_page(client: TestClient, settings: Settings) -> None:
    data = make_pdf()
    response = upload(client, ("kvasir-plan.pdf", data, PDF))
    assert response.status_code == 200, response.text
    [result] = response.json()["results"]
    assert result["name"] == "kvasir-plan.pdf" and result["status"] == "added" and result["chunks"] >= 1
    assert result["error"] is None
    listed = {d["source"]: d for d in client.get("/api/documents").json()["documents"]}
    assert listed["kvasir-plan.pdf"]["kind"] == "pdf" and listed["kvasir-plan.pdf"]["pages"] == 2
    assert listed["kvasir-plan.pdf"]["title"] == FACT_TITLE

    answer = client.post("/api/ask", json={"question": FACT_QUESTION}).json()
    cited = [c for c in answer["citations"] if c["source"] == "kvasir-plan.pdf"]
    assert cited and any(FACT_NUMBER in c["text"] and c["page"] == 2 for c in cited), answer
    assert FACT_NUMBER in answer["answer"]

    passage = client.get(f"/api/passages/{cited[0]['passage_id']}", params={"quote": cited[0]["text"]}).json()
    assert passage["url"] == "/api/documents/kvasir-plan.pdf#page=2" and passage["page"] == 2

    original = client.get("/api/documents/kvasir-plan.pdf")
    assert original.status_code == 200 and original.content == data
    assert original.headers["content-type"] == PDF
    assert original.headers["content-disposition"].startswith("inline")
    assert (settings.store_dir / "documents" / "kvasir-plan.pdf").read_bytes() == data

    again = upload(client, ("kvasir-plan.pdf", data, PDF)).json()["results"][0]
    assert again["status"] == "skipped"


def test_several_files_get_per_file_results(client: TestClient) -> None:
    before, _ = snapshot(client)
    response = upload(
        client,
        ("notat.txt", "Referat fra ledermøtet om Kvasir-programmet og rekruttering.".encode(), "text/plain"),
        ("bilde.png", b"\x89PNG\r\n", "image/png"),
    )
    assert response.status_code == 200
    results = {r["name"]: r for r in response.json()["results"]}
    assert results["notat.txt"]["status"] == "added"
    assert results["bilde.png"]["status"] == "failed"
    assert results["bilde.png"]["error"]["code"] == "unsupported_file_type"
    assert response.json()["documents"] == len(before) + 1


def test_upload_needs_multipart_files(client: TestClient) -> None:
    assert_error(client.post("/api/documents", json={"files": []}), 400, "bad_request")
    only_text = b'--b\r\nContent-Disposition: form-data; name="note"\r\n\r\nhei\r\n--b--\r\n'
    headers = {"content-type": "multipart/form-data; boundary=b"}
    error = assert_error(client.post("/api/documents", content=only_text, headers=headers), 400, "bad_request")
    assert "files" in error["message"]
    assert_error(client.post("/api/documents", content=b"x", headers={**headers, "content-length": "many"}), 400)


def test_unknown_file_type_is_415(client: TestClient) -> None:
    error = assert_error(upload(client, ("program.exe", b"MZ\x90\x00", "application/octet-stream")), 415)
    assert error["code"] == "unsupported_file_type" and ".pdf" in error["message"]


def test_too_large_file_is_413_and_the_index_is_intact(small_client: TestClient) -> None:
    before = snapshot(small_client)
    big = make_pdf([["Stor fil " + "tekst " * 400] for _ in range(12)], compress=False)
    assert 20_000 < len(big) < 20_000 + 64 * 1024
    error = assert_error(upload(small_client, ("stor.pdf", big, PDF)), 413, "document_too_large")
    assert "stor.pdf is 43 kB; the limit is 20 kB per upload" in error["message"]
    assert snapshot(small_client) == before


def test_too_large_request_is_refused_by_content_length(small_client: TestClient) -> None:
    body = upload(small_client, ("enorm.txt", b"a" * 200_000, "text/plain"))
    assert_error(body, 413, "document_too_large")
    raw = small_client.post(
        "/api/documents",
        content=b"x" * 10,
        headers={"content-type": "multipart/form-data; boundary=b", "content-length": "900000"},
    )
    assert_error(raw, 413, "document_too_large")


def test_streamed_upload_without_length_is_cut_off(small_client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'--b\r\nContent-Disposition: form-data; name="files"; filename="x.txt"\r\n\r\n'
        for _ in range(100):
            yield b"y" * 4096

    response = small_client.post(
        "/api/documents", content=chunks(), headers={"content-type": "multipart/form-data; boundary=b"}
    )
    assert_error(response, 413, "document_too_large")


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("skadet.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\nthis is not a pdf at all\n%%EOF", "corrupt_document"),
        ("ikke-pdf.pdf", b"Dette er bare tekst med feil filendelse.", "corrupt_document"),
        ("tom.pdf", b"", "empty_document"),
        ("tom.txt", b"   \n  ", "empty_document"),
        ("ingen-tekst.pdf", make_pdf([[]]), "empty_document"),
        ("laast.pdf", encrypt_pdf(make_pdf()), "encrypted_document"),
        ("skadet.docx", b"PK\x03\x04 not really a zip", "corrupt_document"),
    ],
)
def test_unreadable_documents_are_422_with_the_reason(client: TestClient, name: str, data: bytes, code: str) -> None:
    before = snapshot(client)
    error = assert_error(upload(client, (name, data, "application/octet-stream")), 422, code)
    assert name in error["message"]
    assert snapshot(client) == before


def test_a_failed_update_keeps_the_indexed_version(client: TestClient) -> None:
    data = make_pdf()
    assert upload(client, ("plan.pdf", data, PDF)).status_code == 200
    before = snapshot(client)
    assert_error(upload(client, ("plan.pdf", b"%PDF-1.4 broken", PDF)), 422, "corrupt_document")
    assert snapshot(client) == before
    assert client.get("/api/documents/plan.pdf").content == data
    answer = client.post("/api/ask", json={"question": FACT_QUESTION}).json()
    assert any(c["source"] == "plan.pdf" for c in answer["citations"])


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("../../evil.txt", "evil.txt"),
        ("..\\..\\windows\\evil.txt", "evil.txt"),
        ("/etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\ola\\plan 2024.pdf", "plan 2024.pdf"),
        ("  .hidden.md", "hidden.md"),
        ("rap\x00port\x1f.txt", "rapport.txt"),
        ("evil\u202eFDP.txt", "evilFDP.txt"),
        ("a:b*c?.txt", "abc.txt"),
    ],
)
def test_safe_name_keeps_only_a_plain_base_name(raw: str, safe: str) -> None:
    assert safe_name(raw) == safe


@pytest.mark.parametrize("raw", ["", "..", ".", "../..", "/", "\\", "\x00\x01", "  ...  "])
def test_safe_name_refuses_empty_and_dot_names(raw: str) -> None:
    with pytest.raises(InvalidName):
        safe_name(raw)


def test_path_traversal_names_stay_inside_the_store(client: TestClient, settings: Settings, tmp_path: Path) -> None:
    text = b"Notat om Kvasir-programmet og stipendiater."
    response = upload(client, ("../../../utenfor.txt", text, "text/plain"))
    assert response.status_code == 200 and response.json()["results"][0]["name"] == "utenfor.txt"
    assert (settings.store_dir / "documents" / "utenfor.txt").is_file()
    assert not (settings.store_dir.parent / "utenfor.txt").exists() and not (tmp_path / "utenfor.txt").exists()
    assert_error(upload(client, ("..", text, "text/plain")), 400, "invalid_name")
    assert client.get("/api/documents/..%2F..%2Findex.sqlite").status_code == 404
    assert client.get("/api/documents/%2E%2E").status_code in (404, 405)


def test_delete_removes_the_document_everywhere(client: TestClient, settings: Settings) -> None:
    assert upload(client, ("kvasir.pdf", make_pdf(), PDF)).status_code == 200
    assert client.delete("/api/documents/kvasir.pdf").json() == {"removed": "kvasir.pdf"}
    assert "kvasir.pdf" not in {d["source"] for d in client.get("/api/documents").json()["documents"]}
    assert not (settings.store_dir / "documents" / "kvasir.pdf").exists()
    answer = client.post("/api/ask", json={"question": FACT_QUESTION}).json()
    assert all(c["source"] != "kvasir.pdf" for c in answer["citations"])
    assert_error(client.delete("/api/documents/kvasir.pdf"), 404, "not_found")
    assert_error(client.get("/api/documents/kvasir.pdf"), 404, "not_found")


def test_text_originals_open_inline_as_utf8(client: TestClient) -> None:
    source = client.get("/api/documents").json()["documents"][0]["source"]
    response = client.get(f"/api/documents/{source}")
    assert response.status_code == 200 and response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_passage_comes_with_its_context_and_the_quote_highlighted(client: TestClient) -> None:
    answer = client.post("/api/ask", json={"question": "Hva er status for likestilling og mangfold?"}).json()
    cited = next(c for c in answer["citations"] if c["passage_id"])
    body = client.get(f"/api/passages/{cited['passage_id']}", params={"quote": cited["text"]}).json()
    assert body["id"] == cited["passage_id"] and body["source"] == cited["source"] and body["title"]
    current = [b for b in body["context"] if b["current"]]
    assert len(current) == 1 and len(body["context"]) >= 2
    lit = [line["text"] for b in body["context"] for line in b["lines"] if line["highlight"]]
    quote = " ".join(cited["text"].split()).casefold()
    assert lit and all(" ".join(t.split()).casefold() in quote or quote in t.casefold() for t in lit)
    plain = client.get(f"/api/passages/{cited['passage_id']}", params={"context": 0}).json()
    assert len(plain["context"]) == 1 and not any(ln["highlight"] for ln in plain["context"][0]["lines"])
    assert_error(client.get(f"/api/passages/{cited['passage_id']}", params={"context": 9}), 422)


def test_a_quote_without_passage_id_is_found_in_its_document(client: TestClient) -> None:
    source = "000_5f06fb9d6daa8801.txt"
    body = client.get("/api/passages", params={"source": source, "quote": "igangsatt aktivitet på 19"}).json()
    assert body["source"] == source
    assert any(line["highlight"] for b in body["context"] for line in b["lines"])
    assert_error(client.get("/api/passages", params={"source": source, "quote": "zebra giraff"}), 404)
    assert_error(client.get("/api/passages", params={"source": "nei.txt", "quote": "x"}), 404)


def test_unknown_passage_is_404(client: TestClient) -> None:
    assert_error(client.get("/api/passages/doesnotexist"), 404, "not_found")


def test_measure_register_filters(client: TestClient) -> None:
    everything = client.get("/api/measures").json()
    assert isinstance(everything, list) and everything, "the corpus has measure tables"
    m = everything[0]
    fields = {"source", "page", "plan", "area", "number", "title", "status_text", "status", "reason", "text", "id"}
    assert fields <= set(m)
    delayed = client.get("/api/measures", params={"status": "delayed"}).json()
    assert delayed and all(x["status"] == "delayed" for x in delayed) and len(delayed) < len(everything)
    budget = client.get("/api/measures", params={"reason": "budget"}).json()
    assert all(x["reason"] == "budget" for x in budget)
    plan = everything[0]["plan"]
    in_plan = client.get("/api/measures", params={"plan": plan}).json()
    assert in_plan and all(plan.casefold() in (x["plan"] or "").casefold() for x in in_plan)
    word = m["title"].split()[0]
    assert m["id"] in {x["id"] for x in client.get("/api/measures", params={"q": word}).json()}
    if m.get("year"):
        assert all(x["year"] == m["year"] for x in client.get("/api/measures", params={"year": m["year"]}).json())
    assert client.get("/api/measures", params={"status": "no-such-status"}).json() == []
    assert_error(client.get("/api/measures", params={"year": "soon"}), 422, "invalid_request")
