"""Text cleaning: hyphenation, soft wraps, bullets, headings, numbers and the match normalisation."""

from __future__ import annotations

import pytest

from indexing.cleaning import clean_text, normalise, normalise_for_match, strip_bullet


def lines(text: str) -> list[str]:
    return [line for line in clean_text(text).split("\n") if line.strip()]


# --- hyphenation -------------------------------------------------------------------------------------


def test_word_broken_across_lines_is_rejoined() -> None:
    out = clean_text("Utvikle en innovasjonskompe-\ntansepakke for vitenskapelige ansatte")
    assert "innovasjonskompetansepakke for vitenskapelige ansatte" in out
    assert "kompe-" not in out


def test_broken_word_with_trailing_space_before_the_break_is_rejoined() -> None:
    assert "forskningsinfrastruktur" in clean_text("Evaluere forsknings- \ninfrastruktur og kjernefasiliteter")


@pytest.mark.parametrize(
    "text",
    [
        "Plan for grunnutdanning og etter- og videreutdanning",
        "Plan for grunnutdanning og etter-\nog videreutdanning",
        "Plan for grunnutdanning og etter- \nog videreutdanning",
    ],
)
def test_suspended_hyphen_before_og_is_kept(text: str) -> None:
    out = clean_text(text)
    assert "etter- og videreutdanning" in out
    assert "etterog" not in out


def test_suspended_hyphen_before_eller_is_kept() -> None:
    assert "forsknings- eller utdanningsmiljø" in clean_text("et forsknings-\neller utdanningsmiljø")


def test_hyphen_before_a_capitalised_line_is_not_joined() -> None:
    out = clean_text("Samarbeid med HMN-\nSt. Olavs hospital")
    assert "HMNSt" not in out and "HMN-St" not in out.replace(" ", "")


# --- soft wraps --------------------------------------------------------------------------------------


def test_soft_wrapped_sentence_is_joined_into_one_line() -> None:
    out = lines("Fakultetet skal utvikle\nnye tilbud for studenter\nog ansatte i hele regionen.")
    assert out == ["Fakultetet skal utvikle nye tilbud for studenter og ansatte i hele regionen."]


def test_wrap_after_a_comma_or_connector_is_joined() -> None:
    assert lines("Forskning, utdanning,\nInnovasjon og formidling") == [
        "Forskning, utdanning, Innovasjon og formidling"
    ]
    assert lines("Samarbeid med\nSt. Olavs hospital") == ["Samarbeid med St. Olavs hospital"]


def test_separate_sentences_and_blocks_are_not_joined() -> None:
    out = clean_text("Første avsnitt slutter her.\nNeste setning starter her.\n\nNytt avsnitt.")
    blocks = out.split("\n\n")
    assert blocks == ["Første avsnitt slutter her.\nNeste setning starter her.", "Nytt avsnitt."]


def test_blank_lines_inside_whitespace_only_runs_collapse_to_one_block_break() -> None:
    out = clean_text("Første.\n   \n\t\n\n\nAndre.")
    assert out == "Første.\n\nAndre."


# --- bullets -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("glyph", ["\ufffd", "✓", "•", "➢", "▪", "–", "●", "►", "-"])
def test_bullet_glyph_becomes_a_list_item(glyph: str) -> None:
    assert lines(f"{glyph} Etablere et felles simuleringssenter") == ["- Etablere et felles simuleringssenter"]


def test_bullet_list_keeps_one_item_per_line() -> None:
    text = "Tiltakene er\n\ufffd Første punkt\n✓ Andre punkt\n• Tredje punkt\n➢ Fjerde punkt\n▪ Femte\n– Sjette"
    out = lines(text)
    assert out[1:] == [
        "- Første punkt",
        "- Andre punkt",
        "- Tredje punkt",
        "- Fjerde punkt",
        "- Femte",
        "- Sjette",
    ]


def test_bullet_item_wrapped_onto_the_next_line_is_one_item() -> None:
    assert lines("• Skaffe til veie tilstrekkelig antall praksisplasser\nav god kvalitet") == [
        "- Skaffe til veie tilstrekkelig antall praksisplasser av god kvalitet"
    ]


def test_dash_inside_a_sentence_is_not_a_bullet() -> None:
    assert lines("Måloppnåelse – 12 av 30 tiltak") == ["Måloppnåelse – 12 av 30 tiltak"]
    assert strip_bullet("–") == (False, "–")
    assert strip_bullet("-5 %") == (False, "-5 %")


def test_strip_bullet_returns_the_text_without_the_glyph() -> None:
    assert strip_bullet("  ➢  Styrke forskningen ") == (True, "Styrke forskningen")
    assert strip_bullet("Styrke forskningen") == (False, "Styrke forskningen")


# --- headings ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("heading", ["UTDANNING", "TVERRFAGLIG SAMHANDLING", "STRATEGI 2018–2025"])
def test_all_caps_line_becomes_a_heading(heading: str) -> None:
    out = lines(f"{heading}\nFakultetet skal styrke arbeidet.")
    assert out == [f"# {heading}", "Fakultetet skal styrke arbeidet."]


def test_short_label_ending_in_a_colon_becomes_a_heading() -> None:
    assert lines("Tema:\n\n• Økonomistatus")[0] == "# Tema:"


@pytest.mark.parametrize("line", ["MH-KIN 3 423", "HMS", "IØT 2 1", "HP 30"])
def test_codes_and_short_acronyms_are_not_headings(line: str) -> None:
    assert not any(out.startswith("#") for out in lines(f"{line}\n\nNoe tekst her."))


def test_long_upper_case_sentence_is_not_a_heading() -> None:
    text = (
        "DETTE ER EN SVÆRT LANG LINJE MED STORE BOKSTAVER SOM ER EN HEL SETNING OG IKKE EN OVERSKRIFT I DET HELE TATT"
    )
    assert not clean_text(text).startswith("#")


# --- numbers and characters --------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["1 283 147", "948 855", "12 500 000"])
def test_numbers_with_space_thousands_separators_stay_intact(number: str) -> None:
    assert f"Budsjettet er {number} kroner." in clean_text(f"Budsjettet er {number} kroner.")


def test_non_breaking_and_thin_spaces_in_numbers_become_plain_spaces() -> None:
    assert "1 283 147 kroner" in clean_text("1\u00a0283\u202f147 kroner")


def test_normalise_handles_line_endings_form_feeds_tabs_and_control_characters() -> None:
    assert normalise("a\r\nb\rc\x0cd\te\u200bf\ufeffg\x07") == "a\nb\nc\n\nd efg"


def test_decomposed_letters_are_composed() -> None:
    assert clean_text("A\u030arsplan for la\u030an") == "Årsplan for lån"


def test_table_rows_and_headings_pass_through_untouched() -> None:
    text = "# Status\n| Tiltak | Status |\n| Nytt kurs | Gjennomført |"
    assert clean_text(text) == text


# --- normalise_for_match -----------------------------------------------------------------------------


def test_normalise_for_match_collapses_case_whitespace_bullets_and_table_markers() -> None:
    assert normalise_for_match("  Innovasjons-\n  kompetanse •  Hei\n| A | B |") == "innovasjonskompetanse hei a b"


def test_normalise_for_match_makes_raw_and_cleaned_renderings_equal() -> None:
    raw = "Utvikle en innovasjonskompe-\ntansepakke\nfor vitenskapelige\n\n• ansatte"
    assert normalise_for_match(clean_text(raw)).replace("- ", "") == normalise_for_match(raw)


@pytest.mark.parametrize("raw", ["etter-\nog videreutdanning", "implementere mottaks- \nog innføringsprogram"])
def test_normalise_for_match_keeps_suspended_hyphen_before_og(raw: str) -> None:
    assert normalise_for_match(raw) == normalise_for_match(clean_text(raw))


@pytest.mark.parametrize(
    ("raw", "word"),
    [
        ("Omstillings-\n\nsamtaler", "Omstillingssamtaler"),
        ("Nevromedisin og bevegelses-\n\nvitenskap", "bevegelsesvitenskap"),
    ],
)
def test_word_broken_across_a_blank_line_is_rejoined(raw: str, word: str) -> None:
    assert word in clean_text(raw)


# --- slide text boxes: lines broken over blank lines ----------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "joined"),
    [
        (
            "Prøve ut og etablere en modell for\n\nkombinasjonsstillinger mellom studieprogram",
            "Prøve ut og etablere en modell for kombinasjonsstillinger mellom studieprogram",
        ),
        ("Helse for en bedre\n\nverden", "Helse for en bedre verden"),
        (
            "faste møter i praksisperioden –\n\nveiledning av veilederne.",
            "faste møter i praksisperioden – veiledning av veilederne.",
        ),
        (
            "• Minst fire publikasjonspoeng (i gjennomsnitt)\n\ni godkjente publikasjonskanaler",
            "- Minst fire publikasjonspoeng (i gjennomsnitt) i godkjente publikasjonskanaler",
        ),
    ],
)
def test_sentence_broken_over_a_blank_line_is_joined(raw: str, joined: str) -> None:
    assert joined in lines(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "Pilot veilederutdanning høst 2019.   3\n\nkompetanse og",  # a table cell, not the sentence above
        "Første avsnitt slutter her.\n\nog så en ny tanke",
        "• Punkt én\n\n• Punkt to",
        "Økonomi\n\nhttps://www.ntnu.no/mh/strategi",
        "Tema:\n\nøkonomistatus",
    ],
)
def test_separate_blocks_are_not_joined_over_a_blank_line(raw: str) -> None:
    assert len(lines(raw)) == 2


def test_a_new_text_frame_starts_a_new_block() -> None:
    out = clean_text("Nestleder: Gunnar Morken\n Allmøte ved MH-fakultetet\n\n4. desember")
    assert out.split("\n\n")[:2] == ["Nestleder: Gunnar Morken", "Allmøte ved MH-fakultetet"]


def test_a_new_text_frame_continues_only_a_sentence_cut_after_a_connector() -> None:
    assert lines("Den delen av bevilgingen fra\n Kunnskapsdepartementet som") == [
        "Den delen av bevilgingen fra Kunnskapsdepartementet som"
    ]
    assert len(lines("Studentrådet fordeler midler\n\n v/ FTV Studentrådet MH")) == 2


def test_long_or_comma_colon_lines_are_lead_ins_not_headings() -> None:
    assert lines("Mye skal avklares, blant annet:\n• Finansiering")[0] == "Mye skal avklares, blant annet:"
    assert lines("Eksempel på program:\n• Forskergruppelederprogrammet")[0] == "# Eksempel på program:"
