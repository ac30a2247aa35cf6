"""Inputs become articles, or a one-line error that names them."""

from pathlib import Path

import pytest

from briefings.loading import LoadError, article_from_bytes, clean_text, expand_inputs, load_path, split_title

DATA = Path(__file__).parent / "data" / "articles"


def test_text_file_with_title_line() -> None:
    article = load_path(DATA / "syndicat.fr.txt")
    assert article.title == "Grève : le syndicat rejette la proposition"
    assert article.text.startswith("Le syndicat Force Ouvrière a rejeté")


def test_long_first_line_is_not_a_title() -> None:
    first = "Le ministre a annoncé lundi une réforme des retraites qui concernera des millions de salariés."
    title, body = split_title(first + "\n\nSuite du texte.")
    assert (title, body) == (None, first + "\n\nSuite du texte.")


def test_json_article() -> None:
    article = load_path(DATA / "hostile-title.en.json")
    assert article.title == "Mayor & council <script>alert(1)</script> *clash* over _budget_"
    assert article.url == "https://example.org/news/budget"


def test_html_article_keeps_the_body_and_drops_the_page() -> None:
    article = load_path(DATA / "page.en.html")
    assert article.title == "Port strike ends after two weeks"
    assert "Union leader Maria Santos said" in article.text
    assert "All rights reserved" not in article.text
    assert "Home" not in article.text


def test_boilerplate_lines_are_dropped_and_glued_sentences_split() -> None:
    raw = "First paragraph ends here.\n\nLes plus lus sur Bloomberg\n\n©2023 Bloomberg LP\n\nThe end.Another one."
    assert clean_text(raw) == "First paragraph ends here.\n\nThe end. Another one."


def test_latin1_text_is_decoded() -> None:
    article = article_from_bytes(
        "Le président a déclaré que l'été serait chaud.".encode("latin-1"), source="x"
    )
    assert article.text == "Le président a déclaré que l'été serait chaud."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty.txt: empty input"),
        (b"   \n\n  ", "empty.txt: empty input"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "empty.txt: binary file, not an article"),
        (
            b"{not json",
            "empty.txt: invalid JSON (Expecting property name enclosed in double quotes at line 1)",
        ),
        (b'{"title": "no text"}', 'empty.txt: JSON input needs an object with a non-empty "text"'),
    ],
)
def test_bad_bytes_give_one_line_errors(data: bytes, message: str) -> None:
    with pytest.raises(LoadError) as caught:
        article_from_bytes(data, source="empty.txt")
    assert str(caught.value) == message


def test_missing_and_huge_files(tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as f:
        f.truncate(6 * 1024 * 1024)
    with pytest.raises(LoadError) as missing:
        load_path(tmp_path / "nope.txt")
    with pytest.raises(LoadError) as too_big:
        load_path(huge)
    assert str(missing.value) == f"{tmp_path / 'nope.txt'}: no such file"
    assert str(too_big.value) == f"{huge}: larger than 5 MB, not an article"


def test_directories_expand_to_their_articles(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("b")
    (tmp_path / "a.json").write_text("{}")
    (tmp_path / ".hidden.txt").write_text("h")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    assert expand_inputs([str(tmp_path), "-"]) == [str(tmp_path / "a.json"), str(tmp_path / "b.txt"), "-"]
