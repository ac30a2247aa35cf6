"""`newsbrief brief` as a user runs it: its command line (in-process, `tests.cli`), real files, stdout and
stderr."""

import json
from pathlib import Path

from tests.cli import newsbrief

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
DATA = Path(__file__).parent / "data" / "articles"


def test_json_lines_one_object_per_input_and_errors_on_stderr(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "binary.bin").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "german.txt").write_text(
        "Die Regierung hat am Montag neue Steuern angekündigt, sagte der Minister."
    )
    inputs = [
        str(SEEDS / "2023-10-lavrov-pyongyang.fr.txt"),
        str(tmp_path / "empty.txt"),
        str(tmp_path / "missing.txt"),
        str(tmp_path / "binary.bin"),
        str(tmp_path / "german.txt"),
        str(DATA / "hostile-title.en.json"),
    ]
    result = newsbrief("brief", "--format", "json", *inputs)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    errors = result.stderr.splitlines()
    assert result.returncode == 1
    assert [o["source"] for o in lines] == [inputs[0], inputs[5]]
    assert [o["lang"] for o in lines] == ["fr", "en"]
    assert list(lines[0]) == ["source", "lang", "title", "actors", "claims", "bullets"]
    assert list(lines[0]["actors"][0]) == ["name", "kind", "aliases", "role", "mentions", "salience"]
    assert list(lines[0]["claims"][0]) == ["speaker", "speaker_role", "cue", "text", "kind", "evidence"]
    saliences = [a["salience"] for a in lines[0]["actors"]]
    assert saliences == sorted(saliences, reverse=True)
    assert errors == [
        f"error: {inputs[1]}: empty input",
        f"error: {inputs[2]}: no such file",
        f"error: {inputs[3]}: binary file, not an article",
        f"error: {inputs[4]}: language 'de' is not supported (available: en, fr)",
    ]
    assert "Traceback" not in result.stderr


def test_stdin_text_and_markdown_formats() -> None:
    text = (SEEDS / "2026-11-grain-export-deal.en.txt").read_text()
    plain = newsbrief("brief", "-", stdin=text)
    markdown = newsbrief("brief", "--format", "markdown", "--max-bullets", "3", "-", stdin=text)
    assert plain.returncode == 0
    assert plain.stdout.splitlines()[0] == "Grain exporters reach deal on Black Sea shipping insurance"
    assert plain.stdout.splitlines()[1].startswith("• ")
    assert markdown.stdout.splitlines()[0] == "### Grain exporters reach deal on Black Sea shipping insurance"
    assert len([ln for ln in markdown.stdout.splitlines() if ln.startswith("- ")]) == 3


def test_a_directory_is_briefed_file_by_file() -> None:
    result = newsbrief("brief", "--format", "json", str(SEEDS))
    sources = [json.loads(line)["source"] for line in result.stdout.splitlines()]
    assert result.returncode == 0
    assert sources == sorted(str(p) for p in SEEDS.glob("*.txt"))
