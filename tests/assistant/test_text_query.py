"""Language detection, tokens, compounds, glossary expansion and question analysis."""

from __future__ import annotations

import pytest

from assistant.query import analyse, intent_of, is_followup
from assistant.text import Vocabulary, content_words, detect_language, expand, index_terms, stem, unique, words

# --- detect_language ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "Hvor mange tiltak var igangsatt i 2019?",
        "Hvilke tiltak er forsinket på grunn av budsjett?",
        "Hva er visjonen til fakultetet?",
        "Hvem leder instituttet?",
        "Økonomi",
    ],
)
def test_norwegian_questions_are_nb(question: str) -> None:
    assert detect_language(question) == "nb"


@pytest.mark.parametrize(
    "question",
    [
        "How many measures were started in 2019?",
        "Which measures are delayed due to budget?",
        "What did NTNU spend on cafeteria renovations in 2021?",
        "Who leads the department?",
    ],
)
def test_english_questions_are_en(question: str) -> None:
    assert detect_language(question) == "en"


def test_language_of_bare_names_defaults_to_norwegian() -> None:
    assert detect_language("SHIC") == "nb"
    assert detect_language("") == "nb"


# --- words and content words -------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["1 283 147", "1.283.147", "1283147"])
def test_digit_groups_become_one_number(text: str) -> None:
    assert words(f"Totalt {text} kroner") == ["totalt", "1283147", "kroner"]


def test_separate_numbers_and_years_stay_separate() -> None:
    assert words("i 2019 og 2020, 12 av 30 tiltak") == ["i", "2019", "og", "2020", "12", "av", "30", "tiltak"]
    assert words("3.5 %") == ["3", "5"]


def test_words_are_lowercased_and_keep_norwegian_letters() -> None:
    assert words("Årsverk, ØKONOMI og Ærlighet!") == ["årsverk", "økonomi", "og", "ærlighet"]


def test_content_words_drop_stopwords_of_both_languages() -> None:
    assert content_words("Hvor mange tiltak var igangsatt i 2019?") == ["tiltak", "igangsatt", "2019"]
    assert content_words("Which of the measures were delayed?") == ["measures", "delayed"]


def test_stem_leaves_numbers_and_strips_norwegian_endings() -> None:
    assert stem("2019") == "2019"
    assert stem("tiltakene") == stem("tiltak")
    assert stem("budsjettet") == stem("budsjett")


# --- Vocabulary.split --------------------------------------------------------------------------------


@pytest.fixture
def vocab() -> Vocabulary:
    return Vocabulary(frozenset({"budsjett", "situasjonen", "innovasjon", "senter", "kompetanse", "pakke", "helse"}))


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("budsjettsituasjonen", ["budsjett", "situasjonen"]),
        ("innovasjonssenter", ["innovasjon", "senter"]),  # linking -s-
        ("kompetansepakke", ["kompetanse", "pakke"]),
        ("helsesenter", ["helse", "senter"]),
    ],
)
def test_compounds_split_into_known_words(vocab: Vocabulary, word: str, parts: list[str]) -> None:
    assert vocab.split(word) == parts


@pytest.mark.parametrize("word", ["budsjett", "lederutvikling", "123456789012", "ukjentordsammensetning"])
def test_short_numeric_or_unknown_words_do_not_split(vocab: Vocabulary, word: str) -> None:
    assert vocab.split(word) == []


def test_index_terms_add_compound_parts(vocab: Vocabulary) -> None:
    terms = index_terms("Budsjettsituasjonen er krevende", vocab)
    assert stem("budsjett") in terms and stem("situasjonen") in terms
    assert stem("budsjett") not in index_terms("Budsjettsituasjonen er krevende")


# --- expand (glossary) -------------------------------------------------------------------------------


def test_full_time_equivalent_expands_to_arsverk() -> None:
    expanded = dict(expand("How many full-time equivalents must be cut?"))
    assert "årsverk" in expanded["full time equivalent"]
    assert "kutt" in expanded["cut"]


def test_longest_glossary_phrase_wins_and_its_words_are_used_once() -> None:
    expanded = expand("How many square metres must be cut to save one full-time equivalent?")
    surfaces = [s for s, _ in expanded]
    assert "square metre" in surfaces and "kvadratmeter" in dict(expanded)["square metre"]
    assert "square" not in surfaces and "metres" not in surfaces
    assert "equivalent" not in surfaces


def test_words_outside_the_glossary_pass_through_untranslated() -> None:
    expanded = dict(expand("What about SHIC and DRIV?"))
    assert expanded["shic"] == [] and expanded["driv"] == []


def test_norwegian_question_words_are_kept_as_content() -> None:
    expanded = dict(expand("Hvilke tiltak er forsinket?"))
    assert "tiltak" in expanded and "forsinket" in expanded
    assert "hvilke" not in expanded


def test_budget_expands_to_norwegian_alternatives() -> None:
    expanded = dict(expand("Which measures are delayed due to budget?"))
    assert "budsjett" in expanded["budget"]
    assert "tiltak" in expanded["measure"]
    assert "forsinket" in expanded["delayed"]


def test_unique_keeps_first_occurrence_order() -> None:
    assert unique(["b", "a", "b", "c", "a"]) == ["b", "a", "c"]


# --- analyse -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("Hvor mange tiltak var igangsatt i 2019?", "count"),
        ("How many measures were started?", "count"),
        ("How much funding does a Clinical Academic Group receive?", "count"),
        ("Hvilke tiltak er forsinket på grunn av budsjett?", "list"),
        ("Which measures are delayed due to budget?", "list"),
        ("List the goals for research.", "list"),
        ("Hvem er målgruppene for NTNUs lederutvikling?", "list"),
        ("Hva er status for etableringen av SHIC?", "lookup"),
        ("When is the plan to be prepared?", "lookup"),
    ],
)
def test_intent(question: str, intent: str) -> None:
    assert intent_of(question) == intent
    assert analyse(question).intent == intent


@pytest.mark.parametrize(
    ("question", "history"),
    [
        ("Hvilke av dem ble utsatt?", "Hvilke tiltak i årsplanen 2023 gjelder innovasjon?"),
        ("Og i 2023?", "Hvilke tiltak er forsinket på grunn av budsjett?"),
        ("What about 2023?", "Which measures are delayed due to budget?"),
        ("Who evaluates them?", "Which Clinical Academic Groups were awarded in 2023?"),
    ],
)
def test_followup_folds_in_the_earlier_question(question: str, history: str) -> None:
    query = analyse(question, (history,))
    assert query.followup
    assert query.dense_text == f"{history} {question}"
    surfaces = {c.surface for c in query.concepts}
    assert {c.surface for c in analyse(history).concepts} <= surfaces
    earlier = [c for c in query.concepts if c.weight < 1.0]
    assert earlier and all(c.weight == pytest.approx(0.7) for c in earlier)


def test_followup_inherits_the_earlier_intent_and_language() -> None:
    query = analyse("Og i 2023?", ("Hvor mange tiltak var igangsatt i 2019?",))
    assert (query.followup, query.intent, query.lang) == (True, "count", "nb")
    english = analyse("And in 2023?", ("How many measures were started in 2019?",))
    assert (english.followup, english.intent, english.lang) == (True, "count", "en")


def test_self_contained_question_after_history_is_not_a_followup() -> None:
    query = analyse(
        "Hvor mange nyetableringer per år skal IØT bidra med?", ("Hvilke tiltak i årsplanen 2023 gjelder innovasjon?",)
    )
    assert not query.followup
    assert query.dense_text == query.question
    assert all(c.weight == 1.0 for c in query.concepts)


def test_no_history_means_no_followup() -> None:
    assert not is_followup("Hvilke av dem ble utsatt?", ())
    assert not analyse("Hvilke av dem ble utsatt?").followup


def test_english_concepts_carry_norwegian_stems() -> None:
    query = analyse("How many square metres must be cut to save one full-time equivalent?")
    assert stem("årsverk") in query.all_stems and stem("kvadratmeter") in query.all_stems
    translated = {c.surface for c in query.concepts if c.translated}
    assert {"full time equivalent", "square metre"} <= translated


def test_question_is_stripped_and_history_kept() -> None:
    query = analyse("  Hva med økonomien?  ", ("Første spørsmål?",))
    assert query.question == "Hva med økonomien?"
    assert query.history == ("Første spørsmål?",)
    assert query.followup  # "hva med" opens a follow-up


# --- language, frame words, translation, what is counted ---------------------------------------------


@pytest.mark.parametrize(
    "question", ["Which two-year master's programmes does IØT offer?", "What does MTIØT stand for?"]
)
def test_acronyms_with_norwegian_letters_do_not_make_english_norwegian(question: str) -> None:
    assert detect_language(question) == "en"


def test_frame_words_weigh_little() -> None:
    weights = {
        c.surface: c.weight for c in analyse("Hva heter instituttets senter for fremragende utdanning?").concepts
    }
    assert weights["heter"] < 0.5
    assert weights["senter"] == 1.0


def test_norwegian_words_of_the_documents_are_not_translated_as_english() -> None:
    vocab = Vocabulary(frozenset({"felles", "holdes", "opplæringsdagene"}))
    concepts = {c.surface: c for c in analyse("Når holdes de felles opplæringsdagene?", (), vocab).concepts}
    assert concepts["felles"].stems == {stem("felles")}


def test_english_question_gets_a_norwegian_rendering_for_dense_search() -> None:
    q = analyse("What are the steps in the project's process evaluation?")
    assert "prosjekt" in q.dense_nb.split() and "s" not in q.dense_nb.split()
    assert analyse("Hva er visjonen?").dense_nb == ""


def test_plural_first_word_of_a_glossary_phrase_is_found() -> None:
    assert "head of department" in [surface for surface, _ in expand("the programme for heads of department")]


@pytest.mark.parametrize(
    ("question", "inside", "outside"),
    [
        ("How many merited teacher awards did the faculty receive in 2023?", "tildeling", "2023"),
        ("Hvor mange simuleringssentre fikk fakultetet?", "simuleringssentr", "fakultet"),
        ("How many of the strategy's goals are followed up?", "mål", "følg"),
    ],
)
def test_a_count_question_counts_the_noun_phrase_after_how_many(question: str, inside: str, outside: str) -> None:
    counted = analyse(question).counted
    assert inside in counted and outside not in counted


def test_other_questions_count_nothing() -> None:
    assert analyse("Hva er visjonen til fakultetet?").counted == frozenset()
