"""The user documentation that lives in docs/, rendered for members who cannot open the
repository (the exports page's column reference, how detection works)."""

from __future__ import annotations

import re
from functools import lru_cache

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from markdown_it import MarkdownIt

# Page name -> file in docs/. Only these: the other docs are for the developers.
PAGES = {"exports": "exports.md", "detection": "detection.md", "matcher": "matcher.md"}
_LINK = re.compile(r'href="(?:docs/)?([a-z-]+)\.md(#[^"]*)?"')


@lru_cache(maxsize=len(PAGES))
def _rendered(page: str) -> tuple[str, str]:
    """(title, HTML) of the page; raw HTML in the Markdown is escaped, not passed through."""
    text = (settings.BASE_DIR / "docs" / PAGES[page]).read_text(encoding="utf-8")
    html = MarkdownIt("commonmark", {"html": False}).enable("table").render(text)

    def link(match: re.Match[str]) -> str:  # a link to another help page stays on the site
        name, anchor = match.group(1), match.group(2) or ""
        if name not in PAGES:
            return match.group(0)
        return f'href="{reverse("help_page", args=[name])}{anchor}"'

    title = next((line[2:] for line in text.splitlines() if line.startswith("# ")), page)
    return title, _LINK.sub(link, html)


@login_required
def help_page(request: HttpRequest, page: str) -> HttpResponse:
    if page not in PAGES:
        raise Http404("No such help page.")
    try:
        title, html = _rendered(page)
    except OSError as exc:  # an installation without docs/
        raise Http404("This installation has no documentation files.") from exc
    return render(request, "help/page.html", {"title": title, "html": html})
