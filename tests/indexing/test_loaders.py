"""Loaders: real PDF (fpdf2 + pypdf), DOCX, PPTX, TXT and MD files; clear errors for bad files; metadata."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from indexing import errors
from indexing.loaders import discover, load_bytes, load_document, read_manifest
from tests.fixtures import status_reports as fx


def make_pdf(pages: list[str]) -> bytes:
    """A real PDF with one text page per entry (fpdf2, built-in Helvetica covers æøå)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 7, text)
    return bytes(pdf.output())


def make_docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("Årsplan 2024 for fakultetet", level=1)
    document.add_paragraph("Fakultetet skal styrke utdanningen i alle studieprogram.")
    document.add_paragraph("Første tiltak for studentene", style="List Bullet")
    document.add_paragraph("Andre tiltak for de ansatte", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    for (r, c), text in {(0, 0): "a", (0, 1): "b", (1, 0): "Nytt kurs", (1, 1): "Gjennomført"}.items():
        table.cell(r, c).text = text
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def make_pptx() -> bytes:
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    first = deck.slides.add_slide(deck.slide_layouts[1])
    first.shapes.title.text = "Mål for 2024"
    body = first.placeholders[1].text_frame
    body.text = "Hovedmålene er"
    for text in ("Styrke forskningen", "Bedre utdanning"):
        para = body.add_paragraph()
        para.text = text
        para.level = 1
    second = deck.slides.add_slide(deck.slide_layouts[5])
    second.shapes.title.text = "Status per tiltak"
    shape = second.shapes.add_table(2, 2, Inches(1), Inches(1.5), Inches(6), Inches(2))
    for (r, c), text in {(0, 0): "Tiltak", (0, 1): "Status", (1, 0): "Nytt kurs", (1, 1): "Gjennomført"}.items():
        shape.table.cell(r, c).text = text
    buf = io.BytesIO()
    deck.save(buf)
    return buf.getvalue()


def encrypt(pdf: bytes, user_password: str = "hemmelig") -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password=user_password, owner_password="eier")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


NORWEGIAN = "Økonomi og årsverk\n\nBudsjettet for 2024 er stramt, og fakultetet må spare på årsverk og kvadratmeter."


# --- each type loads ---------------------------------------------------------------------------------


def test_pdf_has_numbered_pages_with_their_own_text() -> None:
    data = make_pdf(
        ["Handlingsplan 2024\n\nFakultetet skal styrke utdanningen.", "Forskning og innovasjon på side to."]
    )
    doc = load_bytes(data, "plan.pdf")
    assert doc.kind == "pdf"
    assert [p.number for p in doc.pages] == [1, 2]
    assert "styrke utdanningen" in doc.pages[0].text and "side to" not in doc.pages[0].text
    assert "Forskning og innovasjon på side to." in doc.pages[1].text
    assert doc.title == "Handlingsplan 2024"
    assert len(doc.sha256) == 64


def test_pdf_page_without_text_is_dropped_but_numbering_is_kept() -> None:
    data = make_pdf(["Første side med tekst.", "", "Tredje side med tekst."])
    assert [p.number for p in load_bytes(data, "plan.pdf").pages] == [1, 3]


def test_real_pdf_table_fixture_loads_with_its_rows(tmp_path: Path) -> None:
    doc = load_document(fx.build_pdf(tmp_path))
    text = doc.pages[0].text
    assert [p.number for p in doc.pages] == [1]
    assert "Utvikle digitalt veiledningskurs" in text and "Gjennomført" in text


def test_docx_heading_paragraph_list_and_table() -> None:
    doc = load_bytes(make_docx(), "arsplan.docx")
    assert doc.kind == "docx"
    assert [p.number for p in doc.pages] == [None]
    rows = doc.pages[0].text.split("\n")
    assert "# Årsplan 2024 for fakultetet" in rows
    assert "Fakultetet skal styrke utdanningen i alle studieprogram." in rows
    assert "- Første tiltak for studentene" in rows and "- Andre tiltak for de ansatte" in rows
    assert "| a | b |" in rows and "| Nytt kurs | Gjennomført |" in rows
    assert doc.title == "Årsplan 2024 for fakultetet"


def test_docx_merged_cell_appears_once(tmp_path: Path) -> None:
    text = load_document(fx.build_docx(tmp_path)).pages[0].text
    assert "| Utdanning og læringsmiljø |" in text.split("\n")
    assert "| Åpne nytt læringssenter | Dekan | 01.08.2024 | Satt på vent | Pga budsjettsituasjonen |" in text


def test_pptx_title_bullets_table_and_slide_numbers() -> None:
    doc = load_bytes(make_pptx(), "mal.pptx")
    assert doc.kind == "pptx"
    assert [p.number for p in doc.pages] == [1, 2]
    first, second = (p.text.split("\n") for p in doc.pages)
    assert first[0] == "# Mål for 2024"
    assert "- Styrke forskningen" in first and "- Bedre utdanning" in first
    assert second[0] == "# Status per tiltak"
    assert "| Tiltak | Status |" in second and "| Nytt kurs | Gjennomført |" in second
    assert doc.title == "Mål for 2024"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_text_file_encodings_keep_norwegian_letters(encoding: str) -> None:
    doc = load_bytes(NORWEGIAN.encode(encoding), "notat.txt")
    assert doc.kind == "txt"
    assert [p.number for p in doc.pages] == [None]
    assert doc.pages[0].text == NORWEGIAN
    assert doc.title == "Økonomi og årsverk"
    assert "\ufeff" not in doc.pages[0].text


def test_markdown_headings_bullets_and_table_rows() -> None:
    text = "# Plan 2024\n\n## Mål\n\n* Første mål\n+ Andre mål\n- Tredje mål\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    doc = load_bytes(text.encode(), "plan.md")
    rows = [r for r in doc.pages[0].text.split("\n") if r]
    assert doc.kind == "md"
    assert rows[:2] == ["# Plan 2024", "# Mål"]
    assert rows[2:5] == ["- Første mål", "- Andre mål", "- Tredje mål"]
    assert "| a | b |" in rows and "| 1 | 2 |" in rows
    assert not any("---" in r for r in rows)
    assert doc.title == "Plan 2024"


# --- errors ------------------------------------------------------------------------------------------


def expect(exc: type[errors.DocumentError], code: str, data: bytes, name: str, **kw: int) -> str:
    with pytest.raises(exc) as info:
        load_bytes(data, name, **kw)
    assert info.value.code == code
    assert isinstance(info.value, errors.DocumentError)
    assert info.value.message.startswith(f"{name}:")
    return info.value.message


def test_unknown_type_is_unsupported() -> None:
    message = expect(errors.UnsupportedFileType, "unsupported_file_type", b"PK\x03\x04 data", "budsjett.xlsx")
    assert ".xlsx" in message and ".pdf" in message and ".docx" in message
    assert errors.UnsupportedFileType.status == 415


def test_file_without_extension_is_unsupported() -> None:
    assert "no extension" in expect(errors.UnsupportedFileType, "unsupported_file_type", b"text", "README")


@pytest.mark.parametrize("name", ["tom.txt", "tom.md", "tom.pdf", "tom.docx", "tom.pptx"])
@pytest.mark.parametrize("data", [b"", b"  \n\n\t "])
def test_empty_file_is_empty_document(name: str, data: bytes) -> None:
    assert "empty" in expect(errors.EmptyDocument, "empty_document", data, name)


def test_pdf_without_text_is_empty_document_and_mentions_ocr() -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 80, 40)
    message = expect(errors.EmptyDocument, "empty_document", bytes(pdf.output()), "skannet.pdf")
    assert "no extractable text" in message and "OCR" in message


def test_text_file_with_only_markup_is_empty_document() -> None:
    expect(errors.EmptyDocument, "empty_document", b"\n---\n|---|---|\n", "tom.md")


@pytest.mark.parametrize(
    "data",
    [
        make_pdf(["Handlingsplan 2024 med nok tekst til å fylle noen bytes."])[:400],
        b"%PDF-1.4\n" + b"garbage garbage garbage\n" * 20,
        b"this is not a pdf at all " * 20,
    ],
    ids=["truncated", "garbage-after-header", "not-a-pdf"],
)
def test_corrupt_pdf_is_corrupt_document(data: bytes) -> None:
    assert "damaged" in expect(errors.CorruptDocument, "corrupt_document", data, "skadet.pdf")


def test_encrypted_pdf_is_encrypted_document() -> None:
    data = encrypt(make_pdf(["Hemmelig handlingsplan."]))
    message = expect(errors.EncryptedDocument, "encrypted_document", data, "laast.pdf")
    assert "password" in message


def test_pdf_encrypted_with_an_empty_user_password_still_loads() -> None:
    doc = load_bytes(encrypt(make_pdf(["Åpen handlingsplan med eierpassord."]), user_password=""), "aapen.pdf")
    assert "Åpen handlingsplan" in doc.pages[0].text


@pytest.mark.parametrize(("name", "word"), [("skadet.docx", "Word"), ("skadet.pptx", "PowerPoint")])
def test_office_file_that_is_not_a_zip_is_corrupt_document(name: str, word: str) -> None:
    message = expect(errors.CorruptDocument, "corrupt_document", b"this is not a zip archive " * 10, name)
    assert word in message and "damaged" in message


def test_binary_junk_named_txt_is_corrupt_document() -> None:
    message = expect(errors.CorruptDocument, "corrupt_document", bytes(range(256)) * 8, "data.txt")
    assert "binary" in message


def test_text_in_no_known_encoding_is_corrupt_document() -> None:
    junk = bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D]) * 50  # bytes Windows-1252 leaves undefined, no NULs
    assert "UTF-8" in expect(errors.CorruptDocument, "corrupt_document", junk, "data.txt")


def test_too_large_file_is_refused_before_parsing() -> None:
    message = expect(errors.DocumentTooLarge, "document_too_large", b"x" * 5000, "stor.pdf", max_bytes=1000)
    assert "limit" in message
    assert errors.DocumentTooLarge.status == 413


def test_too_large_file_on_disk_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "stor.txt"
    path.write_text("Tekst. " * 1000, encoding="utf-8")
    with pytest.raises(errors.DocumentTooLarge):
        load_document(path, max_bytes=100)


def test_missing_file_is_a_document_error(tmp_path: Path) -> None:
    with pytest.raises(errors.DocumentError) as info:
        load_document(tmp_path / "borte.txt")
    assert "borte.txt" in info.value.message


# --- metadata and discovery --------------------------------------------------------------------------


def test_manifest_gives_title_and_date(tmp_path: Path) -> None:
    (tmp_path / "plan.txt").write_text("Første linje er ikke tittelen\n\nMer tekst.", encoding="utf-8")
    manifest = {"plan.txt": {"title": "Handlingsplan 2024", "date": "2024-01"}, "broken": "not an object"}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    doc = load_document(tmp_path / "plan.txt")
    assert (doc.title, doc.date) == ("Handlingsplan 2024", "2024-01")
    assert read_manifest(tmp_path) == {"plan.txt": manifest["plan.txt"]}


def test_bundled_corpus_titles_come_from_its_manifest() -> None:
    corpus = Path(__file__).resolve().parents[2] / "corpus"
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    for name, meta in manifest.items():
        doc = load_document(corpus / name)
        assert (doc.source, doc.title, doc.date) == (name, meta["title"], meta["date"])


def test_title_is_derived_without_manifest(tmp_path: Path) -> None:
    (tmp_path / "notat.txt").write_text("\n\nStrategi for instituttet\n\nLang tekst her.", encoding="utf-8")
    doc = load_document(tmp_path / "notat.txt")
    assert (doc.title, doc.date, doc.source) == ("Strategi for instituttet", None, "notat.txt")


def test_title_falls_back_to_the_file_name() -> None:
    assert load_bytes(b"- ja\n- ok\n", "svar-2024.md").title == "svar-2024"
    assert load_bytes(("Lang " * 40).encode(), "lang.txt").title == "lang"


def test_broken_manifest_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "plan.txt").write_text("Plan for 2024\n\nTekst.", encoding="utf-8")
    assert read_manifest(tmp_path) == {}
    assert load_document(tmp_path / "plan.txt").title == "Plan for 2024"


def test_discover_skips_manifest_and_dotfiles_and_recurses(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for rel in ("b.txt", "a.pdf", "manifest.json", ".DS_Store", ".~lock.a.docx#", "sub/c.md", "sub/.notes.txt"):
        (tmp_path / rel).write_text("x", encoding="utf-8")
    extra = tmp_path / "sub" / "c.md"
    found = discover([tmp_path, extra])
    names = [p.relative_to(tmp_path).as_posix() for p in found]
    assert names[:-1] == sorted(names[:-1])
    assert set(names[:-1]) == {"a.pdf", "b.txt", "sub/c.md"}
    assert names[-1] == "sub/c.md"  # an explicit file is kept as given


def test_discover_skips_files_in_hidden_directories(tmp_path: Path) -> None:
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "d.txt").write_text("x", encoding="utf-8")
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    assert [p.name for p in discover([tmp_path])] == ["a.txt"]
