"""The web page as a person uses it: ask, watch the answer stream, read sources, upload, switch language."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from assistant.feedback import FeedbackStore
from tests.browser.conftest import PHONE, Site, shot
from tests.fixtures.documents import FACT_NUMBER, FACT_QUESTION, FACT_TITLE, encrypt_pdf, make_pdf

pytestmark = pytest.mark.browser
QUESTION = "Hvilke tiltak er forsinket på grunn av budsjett?"
WATCH = """() => {
  window.__seen = [];
  new MutationObserver(() => {
    const busy = document.querySelector('.msg.bot[aria-busy="true"] .answer-text');
    if (busy) window.__seen.push(busy.textContent.length);
  }).observe(document.getElementById('log'), {childList: true, subtree: true, characterData: true});
}"""


def ask(page: Any, question: str) -> Any:
    """Type a question, send it with Enter and wait for the finished answer."""
    before = page.locator(".msg.bot").count()
    page.fill("#question", question)
    page.press("#question", "Enter")
    answer = page.locator(".msg.bot").nth(before)
    answer.and_(page.locator('[aria-busy="false"]')).wait_for()
    return answer


def test_answer_streams_in_and_a_citation_opens_its_passage(page: Any, site: Site) -> None:
    page.goto(site.url)
    assert page.evaluate("document.activeElement.id") == "question"
    shot(page, "desktop-welcome")
    page.evaluate(WATCH)
    answer = ask(page, QUESTION)
    seen = page.evaluate("window.__seen")
    assert len(set(seen)) >= 3 and seen == sorted(seen), seen
    assert page.evaluate("document.activeElement.id") == "question"
    chips = answer.locator(".chip")
    assert chips.count() >= 2 and answer.locator("button.cite").count() >= 2
    assert "Svar klart" in page.locator("#announcer").text_content()
    shot(page, "desktop-answer")

    title = chips.first.get_attribute("title")
    chips.first.click()
    page.locator("#sources .context mark").first.wait_for()
    assert page.evaluate("document.activeElement.id") == "sources-title"
    assert title in page.locator("#sources .detail h3").text_content()
    link = page.locator("#sources a.open-doc")
    assert link.get_attribute("href").startswith("/api/documents/") and link.get_attribute("target") == "_blank"
    shot(page, "desktop-sources")

    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.classList.contains('chip')")
    answer.locator("button.cite").nth(1).click()
    page.locator('#sources .source-item[aria-current="true"] .chip-n').filter(has_text="2").wait_for()


def test_uploaded_pdf_is_cited_and_bad_files_are_explained(page: Any, site: Site) -> None:
    page.goto(f"{site.url}/#documents")
    page.locator("#documents-table tbody tr").first.wait_for()
    rows_before = page.locator("#documents-table tbody tr").count()
    pdf = {"name": "kvasir-plan.pdf", "mimeType": "application/pdf", "buffer": make_pdf()}
    page.set_input_files("#files", files=[pdf])
    page.locator(".upload-item.ok", has_text="kvasir-plan.pdf: lagt til").wait_for()
    page.locator("#documents-table tbody tr", has_text=FACT_TITLE).wait_for()
    assert page.locator("#documents-table tbody tr").count() == rows_before + 1

    bad = [
        {"name": "program.exe", "mimeType": "application/octet-stream", "buffer": b"MZ\x90\x00"},
        {"name": "laast.pdf", "mimeType": "application/pdf", "buffer": encrypt_pdf(make_pdf())},
        {"name": "skadet.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 nothing here"},
    ]
    page.set_input_files("#files", files=bad)
    page.locator(".upload-item.error", has_text="skadet.pdf").wait_for()
    errors = page.locator(".upload-item.error").all_text_contents()
    assert any("program.exe: filtypen støttes ikke" in e for e in errors)
    assert any("laast.pdf: PDF-en er passordbeskyttet" in e for e in errors)
    assert any("skadet.pdf: filen er skadet" in e for e in errors)
    assert page.locator("#documents-table tbody tr").count() == rows_before + 1
    shot(page, "desktop-documents")

    page.click("#tab-chat")
    answer = ask(page, FACT_QUESTION)
    assert FACT_NUMBER in answer.locator(".answer-text").text_content()
    chip = answer.locator(".chip", has_text=FACT_TITLE).first
    chip.click()
    page.locator("#sources .context mark", has_text=FACT_NUMBER).wait_for()
    assert page.locator("#sources a.open-doc").get_attribute("href") == "/api/documents/kvasir-plan.pdf#page=2"
    shot(page, "desktop-uploaded-cited")


def test_english_switch_changes_every_label_and_is_remembered(page: Any, site: Site) -> None:
    page.goto(site.url)
    assert page.locator("#tab-chat").text_content() == "Spør"
    page.click("#lang")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("#tab-chat").text_content() == "Ask"
    assert page.locator(".welcome h1").text_content() == "Ask about the plans"
    assert page.get_attribute("#question", "placeholder") == "Ask a question about the plans …"
    ask(page, "Which measures are delayed because of the budget?")
    assert page.locator(".tools button").first.text_content().strip() == "Copy answer"
    page.reload()
    assert page.locator("#tab-measures").text_content() == "Measure register"
    assert page.locator("#lang").text_content() == "Norsk"
    shot(page, "desktop-english")


def test_phone_width(browser: Any, site: Site) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(site.url)
    shot(page, "phone-welcome")
    answer = ask(page, QUESTION)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.locator("#sources").bounding_box()["y"] >= PHONE["height"] - 1
    shot(page, "phone-answer")
    answer.locator(".chip").first.tap()
    page.locator("#sources .context mark").first.wait_for()
    page.wait_for_timeout(300)
    box = page.locator("#sources").bounding_box()
    assert box["y"] < PHONE["height"] * 0.5 and box["width"] == PHONE["width"]
    shot(page, "phone-sources")
    page.click("#close-sources")
    page.wait_for_timeout(300)
    assert page.evaluate("document.activeElement.classList.contains('chip')")
    page.click("#tab-measures")
    page.locator("#measure-table tbody tr").first.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "phone-measures")
    context.close()


def test_measure_register_is_a_filterable_table(page: Any, site: Site) -> None:
    page.goto(f"{site.url}/#measures")
    page.locator("#measure-table tbody tr").first.wait_for()
    total = page.locator("#measure-table tbody tr").count()
    assert total > 10 and f"av {total} tiltak" in page.locator("#measure-count").text_content()
    delayed = len(httpx.get(f"{site.url}/api/measures", params={"status": "delayed"}, timeout=30).json())
    assert 0 < delayed < total
    page.select_option("#measure-filters select[name=status]", "delayed")
    expect(page.locator("#measure-table tbody tr")).to_have_count(delayed)
    assert f"Viser {delayed} av {total} tiltak" in page.locator("#measure-count").text_content()
    badges = page.locator("#measure-table tbody .badge").all_text_contents()
    assert badges and set(badges) == {"Forsinket"}
    assert page.locator('.stat[aria-pressed="true"]').count() == 1
    shot(page, "desktop-measures")
    page.click("#measure-filters button[type=reset]")
    expect(page.locator("#measure-table tbody tr")).to_have_count(total)


def test_conversation_is_kept_follow_ups_send_history_and_new_chat_clears(page: Any, site: Site) -> None:
    page.goto(site.url)
    ask(page, QUESTION)
    page.reload()
    assert page.locator(".msg.user .bubble").text_content() == QUESTION
    with page.expect_request("**/api/chat") as sent:
        ask(page, "Og hvilke er utsatt?")
    assert json.loads(sent.value.post_data or "{}")["history"] == [QUESTION]
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#new-chat")
    page.locator(".welcome").wait_for()
    stored = json.loads(page.evaluate("localStorage.getItem('plan-assistant.conversation.v1')"))
    assert stored == {"turns": []} and page.evaluate("document.activeElement.id") == "question"


def test_feedback_and_copy(page: Any, site: Site) -> None:
    page.goto(site.url)
    answer = ask(page, QUESTION)
    answer.locator(".tools button", has_text="Kopier svar").click()
    answer.locator(".tool-status", has_text="Kopiert").wait_for()
    assert "Kilder:" in page.evaluate("navigator.clipboard.readText()")
    answer.locator('.thumb[data-rating="down"]').click()
    assert page.evaluate("document.activeElement.tagName") == "TEXTAREA"
    page.keyboard.type("Mangler tiltaket om simulering.")
    answer.locator(".feedback-form button[type=submit]").click()
    answer.locator(".thanks").wait_for()
    rows = FeedbackStore(site.settings.store_dir).all()
    assert [(r["rating"], r["comment"], r["question"]) for r in rows] == [
        ("down", "Mangler tiltaket om simulering.", QUESTION)
    ]
    assert rows[0]["citations"]
