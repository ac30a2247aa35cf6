"""The ``newsbrief`` command line."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bot.settings import Settings, SettingsError, load_settings

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
    try:
        ctx.obj = load_settings(config=config)
    except SettingsError as exc:  # one line naming the file or setting, never a traceback
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(2) from None


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
    page = fetch_page(url, allow_private_networks=settings.allow_private_networks)
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
    from bot.app import build_engine
    from briefings.engine import BriefingError
    from briefings.loading import expand_inputs
    from briefings.render import as_json, as_markdown, as_text

    settings: Settings = ctx.obj
    render = {Format.text: as_text, Format.markdown: as_markdown, Format.json: as_json}[format]
    engine = build_engine(settings)
    failures: list[str] = []
    items = expand_inputs(inputs)
    articles = _articles(
        items, lang=None if lang is Lang.auto else lang.value, settings=settings, failures=failures
    )
    results = engine.brief_many(articles, max_bullets=max_bullets)
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


feeds_app = typer.Typer(help="The feeds under watch.", no_args_is_help=True)
db_app = typer.Typer(help="The database.", no_args_is_help=True)
app.add_typer(feeds_app, name="feeds")
app.add_typer(db_app, name="db")


def _logging(*, verbose: bool = False) -> None:
    """One line per event on stderr, never a traceback."""
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    root = logging.getLogger("newsbrief")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    root.propagate = False


@app.command()
def run(
    ctx: typer.Context,
    once: Annotated[
        bool, typer.Option("--once", help="One cycle (poll, brief, deliver), then exit.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log each poll.")] = False,
) -> None:
    """Watch the feeds and deliver each new article's briefing once to every subscribed channel."""
    settings: Settings = ctx.obj
    if settings.briefing_workers > 1:  # the workers' pipelines load while the rest of the bot is imported
        from bot.workers import engine_options, start_forkserver

        start_forkserver(engine_options(settings))

    from bot.app import open_runtime, run_forever, run_once

    _logging(verbose=verbose)

    async def main() -> int:
        async with open_runtime(settings, listen=not once) as runtime:
            if not once:
                err.print(f"newsbrief instance {runtime.leases.holder} running", markup=False)
                await run_forever(runtime)
                return 0
            total = len(await runtime.repo.list_feeds(active_only=True))
            with _progress(total=total, label="polling") as advance:
                results = await run_once(runtime, on_result=lambda _: advance())
            briefed = sum(r.briefed for r in results)
            failed = [r for r in results if r.error]
            err.print(
                f"{len(results)} feed(s) polled, {briefed} new briefing(s), {len(failed)} failed",
                markup=False,
            )
            return 0

    raise typer.Exit(_guarded(main))


def _guarded(main) -> int:
    """Run an async command; an expected failure is one line on stderr, never a traceback."""
    import asyncio

    try:
        return asyncio.run(main())
    except KeyboardInterrupt:
        return 130
    except (OSError, ValueError, LookupError) as exc:
        err.print(f"error: {exc}", markup=False)
        return 1
    except Exception as exc:  # database unreachable, bad URL in settings, ...
        err.print(
            f"error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", markup=False
        )
        return 1


def _parse_channel(value: str) -> tuple[str, str, str | None]:
    platform, _, rest = value.partition(":")
    chat, _, thread = rest.partition(":")
    if not platform or not chat:
        raise typer.BadParameter("expected PLATFORM:CHAT[:THREAD], e.g. console:stdout or telegram:-1001234")
    return platform, chat, thread or None


@feeds_app.command("add")
def feeds_add(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="A feed URL, a site page announcing its feed, or a local file.")],
    channel: Annotated[
        str, typer.Option("--channel", help="Who receives its briefings: PLATFORM:CHAT[:THREAD].")
    ] = "console:stdout",
    every: Annotated[
        int | None,
        typer.Option("--every", min=1, help="Poll this feed every N minutes (default: the settings')."),
    ] = None,
) -> None:
    """Watch a feed (a page's own feed is found through <link rel="alternate">)."""
    from bot.poller import resolve_feed_url
    from bot.sources.fetch import Fetcher
    from bot.storage.db import repository

    settings: Settings = ctx.obj
    platform, chat, thread = _parse_channel(channel)

    async def main() -> int:
        async with Fetcher(allow_private_networks=settings.allow_private_networks) as fetcher:
            feed_url, title, error = await resolve_feed_url(fetcher, url, local=True)
        if error:
            err.print(f"error: {error}", markup=False)
            return 1
        async with repository(settings.database_url) as repo:
            feed = await repo.add_feed(feed_url, title=title)
            if every is not None:
                await repo.set_poll_interval(feed.id, every * 60)
            target = await repo.upsert_channel(platform, chat, thread=thread)
            await repo.subscribe(target.id, feed.id)
        typer.echo(f"{feed.id}\t{feed_url}\t{title or ''}")
        return 0

    raise typer.Exit(_guarded(main))


@feeds_app.command("list")
def feeds_list(ctx: typer.Context) -> None:
    """The feeds, with their state and last error."""
    from rich.table import Table

    from bot.storage.db import repository

    settings: Settings = ctx.obj

    async def main() -> int:
        async with repository(settings.database_url) as repo:
            feeds = await repo.list_feeds()
        out = Console(soft_wrap=True)
        if not out.is_terminal:  # scripts get one tab-separated line per feed
            for f in feeds:
                state = "active" if f.active else "deactivated"
                typer.echo(
                    f"{f.id}\t{state}\t{f.error_count}\t{f.url}\t{f.title or ''}\t{f.last_error or ''}"
                )
            return 0
        table = Table("id", "feed", "state", "errors", "last error", "next poll (UTC)")
        for f in feeds:
            table.add_row(
                str(f.id),
                f"{f.title or ''}\n{f.url}".strip(),
                "active" if f.active else "deactivated",
                str(f.error_count),
                f.last_error or "",
                f.next_poll_at.strftime("%Y-%m-%d %H:%M") if f.next_poll_at else "now",
            )
        out.print(table)
        return 0

    raise typer.Exit(_guarded(main))


@app.command()
def status(ctx: typer.Context) -> None:
    """The feeds (active, failing, deactivated), the deliveries (pending, sent, failed, dropped), the
    pending ones per platform with the oldest one's age, and the instances alive with their leases."""
    from bot.storage.db import repository

    settings: Settings = ctx.obj

    async def main() -> int:
        now = datetime.now(UTC)
        async with repository(settings.database_url) as repo:
            feeds = await repo.list_feeds()
            counts = await repo.delivery_counts()
            alive = await repo.instances(alive_since=now - timedelta(seconds=settings.lease_s))
            leases = await repo.leases(now=now)
            pending = await repo.pending_by_platform()
        failing = sum(1 for f in feeds if f.active and f.error_count)
        active = sum(1 for f in feeds if f.active)
        typer.echo(f"feeds: {active} active ({failing} failing), {len(feeds) - active} deactivated")
        typer.echo("deliveries: " + ", ".join(f"{n} {status}" for status, n in counts.items()))
        for platform, (n, oldest) in pending.items():
            age = f", oldest {_age(now - oldest)}" if oldest else ""
            typer.echo(f"pending on {platform}: {n}{age}")
        typer.echo(f"instances alive: {len(alive)}")
        for instance, host, pid, started, beat in alive:
            held = ", ".join(name for name, holder, _ in leases if holder == instance) or "no lease"
            typer.echo(
                f"  {instance} (host {host}, pid {pid}, up {_age(now - started)}, "
                f"seen {_age(now - beat)} ago): {held}"
            )
        return 0

    raise typer.Exit(_guarded(main))


def _age(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 120:
        return f"{seconds} s"
    return f"{seconds // 60} min" if seconds < 7200 else f"{seconds // 3600} h"


@feeds_app.command("remove")
def feeds_remove(ctx: typer.Context, feed: Annotated[str, typer.Argument(help="Feed id or URL.")]) -> None:
    """Stop watching a feed (its subscriptions go with it)."""
    from bot.storage.db import repository

    settings: Settings = ctx.obj

    async def main() -> int:
        async with repository(settings.database_url) as repo:
            row = await repo.get_feed(int(feed) if feed.isdigit() else feed)
            if row is None:
                err.print(f"error: {feed}: no such feed", markup=False)
                return 1
            await repo.remove_feed(row.id)
        typer.echo(f"removed {row.url}")
        return 0

    raise typer.Exit(_guarded(main))


@feeds_app.command("import")
def feeds_import(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="An OPML file.")],
    channel: Annotated[str, typer.Option("--channel", help="PLATFORM:CHAT[:THREAD].")] = "console:stdout",
) -> None:
    """Watch every feed of an OPML file."""
    from bot.sources.opml import parse_opml
    from bot.storage.db import repository

    settings: Settings = ctx.obj
    platform, chat, thread = _parse_channel(channel)

    async def main() -> int:
        refused: list[str] = []
        try:
            outlines = parse_opml(path.read_bytes(), source=str(path), refused=refused)
        except OSError as exc:
            err.print(f"error: {path}: {exc.strerror or exc}", markup=False)
            return 1
        for url in refused:  # a list made elsewhere: its entries are not the operator's own paths
            err.print(f"error: {path}: {url}: refused: only http and https feeds are imported", markup=False)
        async with repository(settings.database_url) as repo:
            target = await repo.upsert_channel(platform, chat, thread=thread)
            for outline in outlines:
                feed = await repo.add_feed(outline.url, title=outline.title)
                await repo.subscribe(target.id, feed.id)
        typer.echo(f"imported {len(outlines)} feed(s)")
        return 1 if refused else 0

    raise typer.Exit(_guarded(main))


@feeds_app.command("export")
def feeds_export(ctx: typer.Context) -> None:
    """Print the feeds as OPML 2.0."""
    from bot.sources.opml import OutlineFeed, to_opml
    from bot.storage.db import repository

    settings: Settings = ctx.obj

    async def main() -> int:
        async with repository(settings.database_url) as repo:
            feeds = await repo.list_feeds()
        typer.echo(to_opml(OutlineFeed(url=f.url, title=f.title) for f in feeds), nl=False)
        return 0

    raise typer.Exit(_guarded(main))


@app.command()
def digest(
    ctx: typer.Context,
    channel: Annotated[
        str, typer.Option("--channel", help="Whose digest: PLATFORM:CHAT[:THREAD].")
    ] = "console:stdout",
    since: Annotated[str, typer.Option("--since", help="How far back: 24h, 90m, 2d (default: 24h).")] = "24h",
    fmt: Annotated[Format, typer.Option("--format", help="text or json (the posts).")] = Format.text,
) -> None:
    """Print a channel's digest of the articles briefed since --since: a preview, nothing is sent."""
    import json
    from dataclasses import asdict
    from datetime import UTC, datetime

    from bot.chat import render_post
    from bot.digests import digest_posts
    from bot.storage.db import repository

    settings: Settings = ctx.obj
    platform, chat_id, thread = _parse_channel(channel)
    span = _duration(since)

    async def main() -> int:
        async with repository(settings.database_url, max_bullets=settings.max_bullets) as repo:
            target = await repo.get_channel(platform, chat_id, thread=thread)
            if target is None:
                err.print(f"error: no channel {channel} (see `newsbrief feeds list`)", markup=False)
                return 1
            now = datetime.now(UTC)
            posts = await digest_posts(repo, target, since=now - span, now=now)
        for post in posts:
            if fmt is Format.json:
                typer.echo(json.dumps(asdict(post), ensure_ascii=False))
            else:
                typer.echo("\n".join(render_post(post)) + "\n")
        return 0

    raise typer.Exit(_guarded(main))


@app.command()
def said(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(help='Who: "Sergueï Lavrov", Lavrov, Lawrow, a role an article linked to them.')
    ],
    since: Annotated[str, typer.Option("--since", help="How far back: 24h, 7d, 2w (default: 7d).")] = "7d",
    fmt: Annotated[Format, typer.Option("--format", help="text or json (one object).")] = Format.text,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the labels (default: en).")] = Lang.en,
) -> None:
    """What an actor said across every briefed article: one line per claim, newest first, with its sources."""
    import json
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from bot.chat import render_reply
    from bot.storage.db import repository
    from handlers.said import MAX_PERIOD, parse_period, render_answer, said_answer

    settings: Settings = ctx.obj
    period = parse_period(since)
    if period is None:
        raise typer.BadParameter(
            f"{since!r}: expected a period like 24h, 7d or 2w (at most {MAX_PERIOD.days} days)",
            param_hint="--since",
        )
    labels = "en" if lang is Lang.auto else lang.value

    async def main() -> int:
        async with repository(settings.database_url, max_bullets=settings.max_bullets) as repo:
            answer = await said_answer(repo, name, since=datetime.now(UTC) - period.span)
        if fmt is Format.json:
            typer.echo(json.dumps(answer.to_json(), ensure_ascii=False))
        else:
            typer.echo(render_reply(render_answer(answer, lang=labels, period=period, zone=ZoneInfo("UTC"))))
        return 0

    raise typer.Exit(_guarded(main))


def _duration(value: str):
    """``"24h"``, ``"90m"``, ``"2d"`` as a timedelta; anything else is a usage error."""
    import re
    from datetime import timedelta

    match = re.fullmatch(r"\s*(\d{1,5})\s*([mhd])\s*", value.lower())
    if not match or int(match[1]) == 0:
        raise typer.BadParameter(f"{value!r}: expected a duration like 24h, 90m or 2d", param_hint="--since")
    unit = {"m": "minutes", "h": "hours", "d": "days"}[match[2]]
    return timedelta(**{unit: int(match[1])})


@app.command()
def chat(ctx: typer.Context) -> None:
    """Talk to the bot in this terminal: type the chat commands (/help, /brief …, /subscribe …)."""
    from dataclasses import replace

    from bot.app import CONSOLE_CHAT, open_runtime
    from bot.chat import chat_session

    _logging()

    async def main() -> int:
        async with open_runtime(ctx.obj, adapters={}) as runtime:
            operator = replace(runtime.dispatcher.ctx, local_files=True)  # the operator at the keyboard
            await chat_session(
                operator, runtime.dispatcher.router, stdin=sys.stdin, stdout=sys.stdout, chat=CONSOLE_CHAT
            )
        return 0

    raise typer.Exit(_guarded(main))


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Create or migrate the database to the latest schema."""
    from bot.storage.db import default_database_url, upgrade_database

    settings: Settings = ctx.obj
    url = settings.database_url or default_database_url()

    async def main() -> int:
        revision = await upgrade_database(url)
        typer.echo(f"database at revision {revision}")
        return 0

    raise typer.Exit(_guarded(main))


class _progress:
    """A rich progress bar on stderr when it is a terminal and there are many inputs; else nothing."""

    def __init__(self, *, total: int, label: str = "briefing") -> None:
        self.total = total
        self.label = label
        self.bar = None

    def __enter__(self):
        if self.total > 5 and err.is_terminal:
            from rich.progress import Progress

            self.bar = Progress(console=err, transient=True)
            self.bar.start()
            task = self.bar.add_task(self.label, total=self.total)
            return lambda: self.bar.advance(task)
        return lambda: None

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


if __name__ == "__main__":  # pragma: no cover
    app()
