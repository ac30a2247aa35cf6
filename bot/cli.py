"""The ``newsbrief`` command line."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bot.settings import Settings, load_settings

app = typer.Typer(
    help="News briefings: key actors and attributed claims, from articles and feeds.", no_args_is_help=True
)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class Format(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


class Lang(StrEnum):
    auto = "auto"
    fr = "fr"
    en = "en"


@app.callback()
def main(
    ctx: typer.Context,
    config: Annotated[Path | None, typer.Option(help="Settings file (default: ./newsbrief.toml).")] = None,
) -> None:
    ctx.obj = load_settings(config=config)


def _articles(inputs: list[str], *, lang: str | None, settings: Settings, failures: list[str]) -> Iterator:
    """Each input as an `Article`; inputs that cannot be read are reported on stderr and skipped."""
    from dataclasses import replace

    from briefings.loading import LoadError, article_from_bytes, load_path

    for item in inputs:
        try:
            if item == "-":
                article = article_from_bytes(sys.stdin.buffer.read(), source="-")
            elif item.startswith(("http://", "https://")):
                article = _fetch_article(item, settings=settings)
            else:
                article = load_path(Path(item.removeprefix("file://")), source=item)
        except LoadError as exc:
            failures.append(item)
            err.print(f"error: {exc}", markup=False)
            continue
        yield replace(article, lang=lang) if lang else article


def _fetch_article(url: str, *, settings: Settings):
    """Download an article page through the guarded fetcher (no private networks unless allowed)."""
    from briefings.loading import LoadError, article_from_bytes

    try:
        from bot.sources.fetch import fetch_page
    except ImportError:  # pragma: no cover - the fetching layer ships with the feeds issue
        raise LoadError(f"{url}: fetching URLs is not available in this build") from None
    page = fetch_page(url, allow_private_networks=getattr(settings, "allow_private_networks", False))
    if page.error:
        raise LoadError(page.error)
    return article_from_bytes(page.body, source=url, content_type=page.content_type, url=page.url)


@app.command()
def brief(
    ctx: typer.Context,
    inputs: Annotated[list[str], typer.Argument(help="Article files, directories, URLs, or - for stdin.")],
    format: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.text,
    lang: Annotated[Lang, typer.Option("--lang", help="Article language.")] = Lang.auto,
    max_bullets: Annotated[
        int | None, typer.Option("--max-bullets", min=1, help="Bullets per briefing.")
    ] = None,
) -> None:
    """Brief articles: key actors and who said what. JSON output is one object per line."""
    from briefings.engine import BriefingError, LocalEngine
    from briefings.loading import expand_inputs
    from briefings.render import as_json, as_markdown, as_text

    settings: Settings = ctx.obj
    render = {Format.text: as_text, Format.markdown: as_markdown, Format.json: as_json}[format]
    engine = LocalEngine(pipelines=settings.pipelines)
    failures: list[str] = []
    items = expand_inputs(inputs)
    articles = _articles(
        items, lang=None if lang is Lang.auto else lang.value, settings=settings, failures=failures
    )
    results = engine.brief_many(articles, max_bullets=max_bullets or settings.max_bullets)
    first = True
    with _progress(total=len(items)) as advance:
        for result in results:
            advance()
            if isinstance(result, BriefingError):
                failures.append(str(result))
                err.print(f"error: {result}", markup=False)
                continue
            if format is not Format.json and not first:
                typer.echo("")
            typer.echo(render(result))
            first = False
    raise typer.Exit(1 if failures else 0)


class _progress:
    """A rich progress bar on stderr when it is a terminal and there are many inputs; else nothing."""

    def __init__(self, *, total: int) -> None:
        self.total = total
        self.bar = None

    def __enter__(self):
        if self.total > 5 and err.is_terminal:
            from rich.progress import Progress

            self.bar = Progress(console=err, transient=True)
            self.bar.start()
            task = self.bar.add_task("briefing", total=self.total)
            return lambda: self.bar.advance(task)
        return lambda: None

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


if __name__ == "__main__":  # pragma: no cover
    app()
