"""Measure extraction: precision/recall against the hand-labelled gold, other layouts, pure rules, linking."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexing import measure_rules as rules
from indexing.loaders import load_bytes, load_document
from indexing.measures import Measure, extract_measures, link_measures, title_key
from tests.fixtures import status_reports as fx

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
GOLD = ROOT / "evals" / "measures-gold.jsonl"
REPORT_2019 = "000_5f06fb9d6daa8801.txt"
BOARD_2023 = "001_66690341c0f364d0.txt"
GOLD_FIELDS = tuple(
    "source page plan area number title status_text status_score status reason text".split()  # noqa: SIM905
)


@pytest.fixture(scope="module")
def extracted() -> list[Measure]:
    return [m for path in sorted(CORPUS.glob("*.txt")) for m in extract_measures(load_document(path))]


@pytest.fixture(scope="module")
def gold() -> list[dict[str, object]]:
    return [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]


def match(gold: list[dict[str, object]], found: list[Measure]) -> list[tuple[dict[str, object], Measure]]:
    """Pair gold and extracted records one to one on (source, normalised title), same plan first."""
    free = list(found)
    pairs = []
    for g in gold:
        same = [m for m in free if (m.source, m.key) == (g["source"], title_key(str(g["title"])))]
        same.sort(key=lambda m: (m.plan != g["plan"], not agrees(g, m)))
        if same:
            free.remove(same[0])
            pairs.append((g, same[0]))
    return pairs


def agrees(g: dict[str, object], m: Measure) -> bool:
    return (m.status, m.status_score, m.reason) == (g["status"], g["status_score"], g["reason"])


def test_gold_records_have_exactly_the_register_fields(gold: list[dict[str, object]]) -> None:
    assert len(gold) == 61
    for g in gold:
        assert tuple(g) == GOLD_FIELDS
        assert g["status"] in rules.STATUSES
        assert g["reason"] is None or g["reason"] in rules.REASONS


def test_precision_and_recall_against_gold(gold: list[dict[str, object]], extracted: list[Measure]) -> None:
    pairs = match(gold, extracted)
    correct = sum(agrees(g, m) for g, m in pairs)
    precision, recall = correct / len(extracted), correct / len(gold)
    print(f"\nmeasures: gold={len(gold)} extracted={len(extracted)} correct={correct}", end=" ")
    print(f"P={precision:.3f} R={recall:.3f}")
    wrong = [(g["title"], (g["status"], g["status_score"], g["reason"]), (m.status, m.status_score, m.reason))
             for g, m in pairs if not agrees(g, m)]  # fmt: skip
    assert precision >= 0.95, wrong
    assert recall >= 0.95, wrong


def test_plan_area_number_and_status_text_agree_with_gold(
    gold: list[dict[str, object]], extracted: list[Measure]
) -> None:
    pairs = match(gold, extracted)
    for name in ("plan", "area", "number", "status_text"):
        same = sum(getattr(m, name) == g[name] for g, m in pairs)
        assert same / len(gold) >= 0.95, name


def test_2019_report_has_its_32_measures_with_the_documents_scores(extracted: list[Measure]) -> None:
    found = [m for m in extracted if m.source == REPORT_2019]
    assert len(found) == 32
    assert {m.plan for m in found} == {"Handlingsplan 2019"}
    assert [m.status_score for m in found] == [
        None, 3, None, None, 3, 3, 3,  # Utdanning: three rows leave the score cell empty
        0, 2, 2, 1,
        5, 1, 5, 1,
        0, 4, 0,
        3, 5, 0,
        1, 2, 2,
        2, 3, 3, 0, 2, 0, 0, 0,
    ]  # fmt: skip
    numbers = "3 3 4 4 4 6 8 13 10 12 12 16 17 19 21 22 23 24 26 27 28 30 31 32 34 35 36 37 39 40 41 42"
    assert [m.number for m in found] == numbers.split()
    areas = [m.area for m in found]
    assert areas.count("Utdanning") == 7 and areas.count("Organisasjon") == 8
    assert areas.count("Tverrfaglig samhandling") == 3


def test_2023_status_table_has_its_14_measures_with_status(extracted: list[Measure]) -> None:
    found = [m for m in extracted if m.source == BOARD_2023 and m.plan == "Årsplan 2023"]
    assert len(found) == 14
    assert [m.status for m in found] == [
        "in_progress", "delayed", "in_progress", "in_progress", "delayed",
        "completed", "postponed", "in_progress", "delayed", "in_progress",
        "delayed", "postponed", "completed",
        "in_progress",
    ]  # fmt: skip
    assert [m.area for m in found].count("Forskning") == 5
    simulation = next(m for m in found if m.title.startswith("Samle simuleringsaktiviteten"))
    assert (simulation.status_text, simulation.reason) == ("Utsatt: pga økonomi", "budget")
    assert "01.01.2023 – 31.12.2023" in simulation.text


def test_2024_proposals_are_planned_and_continued_ones_keep_their_status(extracted: list[Measure]) -> None:
    found = [m for m in extracted if m.plan == "Forslag til tiltak 2024"]
    assert len(found) == 15
    new = [m for m in found if m.status_text is None]
    assert [m.status for m in new] == ["planned"] * 4
    delayed = next(m for m in found if m.title.startswith("Reetablere"))
    assert (delayed.status_text, delayed.status) == ("Forsinket: må videreføres", "delayed")


def test_documents_without_status_tables_give_no_measures(extracted: list[Measure]) -> None:
    assert {m.source for m in extracted} == {REPORT_2019, BOARD_2023}


@pytest.mark.parametrize("build", fx.BUILDERS)
def test_other_layouts_give_the_right_measures(build: object, tmp_path: Path) -> None:
    path = build(tmp_path)  # type: ignore[operator]
    found = extract_measures(load_document(path))
    assert [(m.title, m.status, m.reason) for m in found] == fx.EXPECTED[path.name]
    assert {m.plan for m in found} == {fx.EXPECTED_PLANS[path.name]}
    assert all(m.source == path.name and m.text for m in found)


def test_layout_details_page_area_number(tmp_path: Path) -> None:
    pdf, docx, pptx, md, txt, scored, english = fx.build_all(tmp_path)
    assert {(m.page, m.area) for m in extract_measures(load_document(pdf))} == {(1, "Utdanning")}
    by_title = {m.title: m for m in extract_measures(load_document(docx))}
    assert by_title["Styrke rådgivning for EU-søknader"].area == "Forskning"
    assert by_title["Åpne nytt læringssenter"].area == "Utdanning og læringsmiljø"
    assert by_title["Åpne nytt læringssenter"].status_text == "Satt på vent"
    slides = extract_measures(load_document(pptx))
    assert [(m.page, m.number, m.area) for m in slides][:2] == [
        (2, "1", "Organisation"),
        (2, "2", "Research"),
    ]
    assert [m.area for m in extract_measures(load_document(md))] == ["Utdanning"] * 2 + ["Forskning"] * 2
    assert {m.area for m in extract_measures(load_document(txt))} == {"Formidling"}
    numbered = extract_measures(load_document(scored))
    assert [(m.number, m.status_score, m.area) for m in numbered] == [
        ("5", 2, "Forskning"),
        ("6", 0, "Forskning"),
        ("7", 3, "Forskning"),
    ]
    assert numbered[0].status_text == "Under arbeid, oppstart 2023"
    assert extract_measures(load_document(english))[0].status_text == "Delayed"


def test_extraction_is_pure_and_ids_are_stable() -> None:
    doc = load_document(CORPUS / BOARD_2023)
    first, second = extract_measures(doc), extract_measures(doc)
    assert first == second
    assert len({m.id for m in first}) == len(first)


def test_prose_numbered_lists_and_goal_lists_are_not_measures() -> None:
    text = (
        "Strategi 2025\n\nResultatmål:\n• Rekruttering: Våre studieprogram foretrekkes av studenter.\n"
        "• Merkevareprofil: Alle våre etablerte studieprogram har en tydelig profil.\n\n"
        "1. Grunnutdanning\n2. Etter- og videreutdanning\n\nVi skal øke antall tiltak som er gjennomført.\n"
    )
    assert extract_measures(load_bytes(text.encode(), "strategi.txt")) == []


def test_numbered_text_table_with_inline_status_and_legend() -> None:
    text = (
        "Tiltaksplan 2021 – status\n\nNr Tiltak Status 0= ikke startet 1= igangsatt 2= fullført\n"
        "1 Etablere karrieresenter for ph.d.-kandidater\nUnder arbeid, avventer vedtak i styret. 1\n"
        "2 Kartlegge arealbehov Fullført 2\n"
    )
    found = extract_measures(load_bytes(text.encode(), "tiltaksplan.txt"))
    assert [(m.number, m.title, m.status_score, m.status, m.reason) for m in found] == [
        ("1", "Etablere karrieresenter for ph.d.-kandidater", 1, "postponed", "awaiting_decision"),
        ("2", "Kartlegge arealbehov", 2, "completed", None),
    ]
    assert {m.plan for m in found} == {"Tiltaksplan 2021"}


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Ikke igangsatt.", "not_started"),
        ("Ikke gjennomført på fakultetsnivå.", "not_started"),
        ("not started yet", "not_started"),
        ("Under planlegging", "planned"),
        ("Planlagt videreført", "planned"),
        ("Under arbeid. Pilot 2020.", "in_progress"),
        ("Samarbeidet pågår uten endring", "in_progress"),
        ("Tiltak igangsatt", "in_progress"),
        ("in progress", "in_progress"),
        ("Under arbeid: noe forsinket", "delayed"),
        ("Delayed by two months", "delayed"),
        ("Utsatt: pga økonomi", "postponed"),
        ("Under planlegging men satt på vent pga manglende finansiering.", "postponed"),
        ("Avventer nye TSO", "postponed"),
        ("On hold", "postponed"),
        ("✓ Gjennomført", "completed"),
        ("Fullført: Klinisk forskningsenhet.", "completed"),
        ("DRIV er etablert og i drift.", "completed"),
        ("Completed in May", "completed"),
        ("Rapportert", "reported"),
        ("Delvis gjennomført ved etablering av CAG", "in_progress"),
        ("V.1.0 publisert: behov for videreutvikling", "in_progress"),
        ("Utsatt: igangsettes når ny TSO er etablert", "postponed"),
        ("Koordinator for internasjonalisering.", None),
        ("", None),
    ],
)
def test_status_vocabulary(text: str, status: str | None) -> None:
    assert rules.normalise_status(text) == status


LEGEND = rules.parse_legend(
    "0= ikke igangsatt 1= tiltaksplan vedtatt 2= tiltak igangsatt 3= under gjennomføring 4= gjennomført 5= rapportert"
)


@pytest.mark.parametrize(
    ("text", "score", "status"),
    [
        ("Er etablert.", 5, "reported"),
        ("Guttedag gjennomført i Gjøvik.", 4, "completed"),
        ("Lederutviklingskurs er i planleggingsfase.", 2, "in_progress"),
        ("Avhenger av ressurser ved sentral IT – ikke ferdigstilt.", 1, "planned"),
        ("Ikke gjennomført.", 0, "not_started"),
        ("Under planlegging men satt på vent.", 1, "postponed"),
        ("Ferdig, men forsinket.", 4, "completed"),
    ],
)
def test_score_maps_through_the_legend_and_text_adds_delay(text: str, score: int, status: str) -> None:
    assert LEGEND[5] == "rapportert" and len(LEGEND) == 6
    assert rules.normalise_status(text, score, LEGEND) == status


def test_comment_qualifies_an_unfinished_status() -> None:
    assert rules.normalise_status("Under arbeid", comment="Forsinket pga kapasitet") == "delayed"
    assert rules.normalise_status("Gjennomført", comment="Forsinket levering") == "completed"
    assert rules.normalise_status(None, comment="Pågår") == "in_progress"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Utsatt: pga økonomi", "budget"),
        ("satt på vent pga manglende finansiering", "budget"),
        ("igangsette utredning hvis økonomisk handlingsrom", "budget"),
        ("Budsjettsituasjonen har begrenset tiltaket.", "budget"),
        ("Delayed: lack of funding", "budget"),
        ("Avhenger av ressurser ved sentral IT", "capacity"),
        ("Forsinket pga kapasitet i HR", "capacity"),
        ("Avventer nye TSO", "awaiting_decision"),
        ("igangsettes når ny TSO er etablert", "awaiting_decision"),
        ("Awaiting decision from the board", "awaiting_decision"),
        ("Utsatt pga korona", "pandemic"),
        ("Postponed due to the pandemic", "pandemic"),
        ("Læringsressurser utarbeidet i 2023", None),
        ("Under arbeid", None),
    ],
)
def test_reason_vocabulary(text: str, reason: str | None) -> None:
    assert rules.normalise_reason(text) == reason


def test_reason_other_only_for_a_stated_cause_on_a_stopped_measure() -> None:
    assert rules.normalise_reason("Utsatt pga omorganisering", "postponed") == "other"
    assert rules.normalise_reason("Gjennomført pga god innsats", "completed") is None


@pytest.mark.parametrize(
    ("text", "plan"),
    [
        ("Handlingsplan for 2019 – Oversikt", "Handlingsplan 2019"),
        ("Handlingsplan for MH-fakultetet, status 2019", "Handlingsplan 2019"),
        ("Tiltak fra årsplan 2023", "Årsplan 2023"),
        ("Forslag på tiltak for 2024", "Forslag til tiltak 2024"),
        ("Forslag til nye tiltak i 2024", "Forslag til tiltak 2024"),
        ("Tiltaksplan 2019 – 2021", "Tiltaksplan 2019–2021"),
        ("Action plan 2024 – status report", "Action plan 2024"),
        ("Handlingsplan utformes i 2020.", None),
        ("Strategi 2018–2025", None),
    ],
)
def test_plan_names(text: str, plan: str | None) -> None:
    assert rules.plan_name(text) == plan


def _measure(title: str, plan: str, source: str = "a.txt", status: str = "planned") -> Measure:
    return Measure(source, None, plan, None, None, title, status, None, status, None, title)


def test_link_measures_joins_the_same_measure_across_plans_and_years() -> None:
    early = _measure("Øke rekrutteringen til delte stillinger mellom helsetjeneste og fakultetet", "Årsplan 2023")
    later = _measure(
        "Øke rekrutteringen til delte stillinger mellom helsetjenesten og fakultetet (videreføres)",
        "Forslag til tiltak 2024",
    )
    third = _measure("Øke rekruttering til delt stilling mellom helsetjeneste og fakultet", "Årsplan 2025", "b.txt")
    other = _measure("Øke antall kombinerte stillinger med helsetjenestene", "Forslag til tiltak 2024")
    series = link_measures([later, other, third, early])
    assert series[early.id] == series[later.id] == series[third.id] == early.id
    assert series[other.id] == other.id


def test_link_measures_never_joins_two_rows_of_the_same_plan() -> None:
    a = _measure("Tilby kurs i formidling for ansatte", "Handlingsplan 2019")
    b = _measure("Tilby kurs i formidling for ansatte og studenter", "Handlingsplan 2019")
    c = _measure("Tilby kurs i formidling for ansatte og studenter", "Handlingsplan 2020")
    series = link_measures([a, b, c])
    assert series[a.id] != series[b.id]
    assert series[b.id] == series[c.id] == b.id


def test_link_measures_on_the_corpus_links_each_2024_continuation_to_its_2023_row(
    extracted: list[Measure],
) -> None:
    series = link_measures(extracted)
    continued = [m for m in extracted if m.plan == "Forslag til tiltak 2024" and m.status_text]
    for m in continued:
        linked = [o for o in extracted if series[o.id] == series[m.id] and o.id != m.id]
        assert [o.plan for o in linked] == ["Årsplan 2023"], m.title
    multi = {s for s in series.values() if list(series.values()).count(s) > 1}
    assert len(multi) == 11


def test_title_key_and_measure_identity() -> None:
    assert title_key("Planlegge årlig «guttedag» for å rekruttere") == "planlegge årlig guttedag for å rekruttere"
    m = _measure("Etablere X", "Årsplan 2024")
    assert m.key == "etablere x" and m.year == 2024 and len(m.id) == 32
    assert _measure("Etablere X", "Årsplan 2024").id == m.id
    assert _measure("Etablere X", "Årsplan 2025").id != m.id
