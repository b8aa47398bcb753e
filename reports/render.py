"""The status report rendered: as an HTML page (render_report_html) and as a PDF through WeasyPrint
(render_report_pdf), with WeasyPrint's set-up kept here: the fonts, the report's stylesheet parsed once,
a URL fetcher that reads our static files only (a PDF never reaches the network), and warm_up_pdf(),
which the report worker calls at start so that the first PDF does not pay for the fonts and layout set-up.

The report itself is built in reports.build; the views that serve it are in reports.views.
"""

import contextlib
import functools
import gc
import logging
import mimetypes
import posixpath
import re
import ssl
import threading
import time
import unicodedata
from html import unescape
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from reading.caching.fragments import cached_fragment

# The origin WeasyPrint resolves the report's relative URLs against; nothing is ever fetched from it.
PDF_BASE_URL = "https://report.invalid/"
STYLESHEET = "css/report.css"
# WeasyPrint's accessible variant (write_pdf(pdf_variant=…), WeasyPrint ≥ 57): tagged, with /Lang and /Title.
PDF_VARIANT = "pdf/ua-1"

logger = logging.getLogger(__name__)


def render_report_html(report, *, request=None, standalone=False):
    """The report as an HTML document. `standalone` embeds the stylesheet, for a file written to disk
    (the served page links it instead, as the Content Security Policy requires)."""
    context = {"report": report, "standalone": standalone, "pdf": False}
    if request is not None and not standalone:
        # Each note links to its passage on the source's page: the sources' addresses are reversed
        # once each here, not once for each of a large case's thousand notes (docs/performance.md).
        context["source_urls"] = {
            entry.source.pk: reverse("measures:source_detail", args=[report.case.slug, entry.source.pk])
            for entry in report.bibliography
        }
        # The commitment calendar, drawn from the case's data and the report's dates alone: kept for this
        # data version and audience as the dashboard keeps its own (reading.caching.fragments.cached_fragment); a
        # long crisis's calendar is most of the page's rendering.
        parts = [report.as_of, report.since, report.known_on, report.link_query, settings.STALE_AFTER_DAYS]
        context["calendar_html"] = cached_fragment(
            request, "report-commitments", parts, functools.partial(_calendar_html, report)
        )
        # The progress chart likewise (drawn from the case's data up to as_of): computed only when not kept.
        context["progress_chart_html"] = cached_fragment(
            request, "report-progress", parts, functools.partial(_progress_chart_html, report)
        )
        context["progress_chart_kept"] = True
    if standalone:
        # Our own stylesheet, not user input: marked safe so that its quotes survive.
        context["stylesheet"] = mark_safe(_read_static(STYLESHEET).decode("utf-8"))
    return render_to_string("measures/report.html", context, request=request)


def _calendar_html(report):
    context = {"calendar": report.commitments, "case": report.case, "link_query": report.link_query}
    return render_to_string("measures/partials/commitment_calendar.html", context)


def _progress_chart_html(report):
    if report.progress_chart is None:
        return ""
    return render_to_string("measures/partials/progress_chart.html", {"chart": report.progress_chart})


class ReportTooLarge(Exception):
    """The PDF needed more memory than its budget (settings.REPORT_MAX_MEMORY_MIB); the message says so."""


@contextlib.contextmanager
def memory_budget(mib):
    """Within the block, this process may map at most `mib` MiB of address space more than it has
    mapped as the block starts (RLIMIT_AS, soft limit, restored after; never above the hard limit):
    an allocation beyond it raises MemoryError, answered here as ReportTooLarge naming the budget. The
    report worker makes each PDF within REPORT_MAX_MEMORY_MIB this way, so that one report cannot take
    the worker (or the machine) down. `mib` None or 0: no budget. Linux only (/proc/self/statm); elsewhere
    the block runs unbounded."""
    import resource

    try:
        with open("/proc/self/statm") as statm:
            mapped = int(statm.read().split()[0]) * resource.getpagesize()
    except OSError:
        mapped = None
    if not mib or mapped is None:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = mapped + mib * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    except MemoryError:
        raise ReportTooLarge(
            f"Making this PDF needed more than {mib} MiB of memory, the budget of one report "
            "(REPORT_MAX_MEMORY_MIB). Ask for a shorter period, or ask the administrator to raise the budget."
        ) from None
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def render_report_pdf(report, *, site_url=None):
    """The report as PDF bytes, from the same template; nothing is fetched beyond our static files.

    `site_url` (e.g. "https://tracker.example.org/") makes the PDF's links to event pages absolute.
    """
    from weasyprint import HTML  # Pango is loaded on import: only pay for it when making a PDF.

    base_url = site_url.rstrip("/") + "/" if site_url else PDF_BASE_URL
    html = pdf_html(render_to_string("measures/report.html", {"report": report, "standalone": False, "pdf": True}))
    document = HTML(string=html, base_url=base_url, url_fetcher=static_files_fetcher(base_url))
    # PDF/UA-1: a tagged PDF (structure tree, language, title) that screen readers can follow.
    return document.write_pdf(stylesheets=[pdf_stylesheet()], pdf_variant=PDF_VARIANT, font_config=font_config())


# A <bdi> around text alone, with no language or the report's own (English) and no direction but LTR.
_PLAIN_ISOLATE = re.compile(r'<bdi(?: lang="en(?:-[A-Za-z0-9]+)*")?(?: dir="(?:ltr|auto)")?>([^<]*)</bdi>')
# Bidirectional classes that an isolate keeps apart from the text around it: right-to-left letters,
# Arabic numbers, and the explicit embeddings, overrides and isolates.
_ISOLATED_CLASSES = frozenset({"R", "AL", "AN", "LRE", "LRO", "RLE", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"})


def _isolate_is_needed(text):
    """Whether a <bdi> around this text (unescaped) changes how it is laid out in a left-to-right line:
    only when it holds right-to-left or Arabic-number characters or explicit direction marks, or does not
    begin with a left-to-right letter (its first digits or punctuation would otherwise take their
    direction from the text before it)."""
    if not text or unicodedata.bidirectional(text[0]) != "L":
        return True
    return any(unicodedata.bidirectional(char) in _ISOLATED_CLASSES for char in text)


def pdf_html(html):
    """The report's HTML as WeasyPrint gets it: every <bdi> that changes nothing on paper taken out.

    The report isolates each passage, source label, title and name in a <bdi> (with its language and
    direction), so that a right-to-left name keeps the note numbers and punctuation around it in place.
    Around left-to-right text in the report's own language, an isolate changes neither the letters'
    order nor the font, but each one is an inline box that WeasyPrint styles, lays out and draws apart
    from the text around it, for a large share of a PDF's time (docs/performance.md, “Figures behind
    the code”). Those are dropped, their text kept as it is; an isolate with another language, a
    right-to-left direction, markup inside or right-to-left text stays. The served page keeps them all.
    """

    def replace(match):
        return match.group(0) if _isolate_is_needed(unescape(match.group(1))) else match.group(1)

    return _PLAIN_ISOLATE.sub(replace, html)


# The report's template and the partials it includes, compiled by warm_up_pdf().
REPORT_TEMPLATES = [
    "measures/report.html",
    "measures/partials/key_judgements.html",
    "measures/partials/progress_bar.html",
    "measures/partials/progress_chart.html",
    "measures/partials/events_timeline.html",
]
# What warm_up_pdf() lays out: a line in each of the report's faces (serif, serif italic and bold,
# sans, sans bold, the table's and the charts' sans), with the report's stylesheet.
WARM_UP_HTML = """<!doctype html><html lang="en"><body class="report report-pdf"><main>
<h2>Warming up</h2><p>Text <strong>bold</strong> <em>italic</em>.</p>
<p class="quote stance-progress">“A quoted passage”&#8239;[1] <span class="quote-meta">Progress</span></p>
<table><tr><th>Level</th><td class="level-cell level-full">Full (3)</td></tr></table>
<div class="footnotes"><p>1. [Source], 1 January 2024.</p></div>
<svg width="40" height="12" font-family="DejaVu Sans, sans-serif" font-size="9"><text y="9">1 Jan</text></svg>
</main></body></html>"""


def warm_up_pdf():
    """Load what every PDF needs before the first one is asked for: WeasyPrint and Pango (slow to
    import), this thread's font configuration, the parsed stylesheet, and the report's faces (by
    laying out a few lines in each). The report worker calls it when it starts, so that its first
    PDF does not pay for them (docs/performance.md, “Figures behind the code”). Then it freezes what
    is loaded out of the garbage collector's reach (gc.freeze), as a process does before its work.

    Returns the seconds it took, or None when WeasyPrint cannot be loaded (Pango missing): that is
    logged as a warning and left for the PDF jobs to report, as they would without a warm-up.
    """
    started = time.perf_counter()
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:
        logger.warning("WeasyPrint cannot be loaded, so PDF reports will fail: %s", exc)
        return None
    document = HTML(string=WARM_UP_HTML, base_url=PDF_BASE_URL, url_fetcher=static_files_fetcher())
    document.write_pdf(stylesheets=[pdf_stylesheet()], pdf_variant=PDF_VARIANT, font_config=font_config())
    for name in REPORT_TEMPLATES:  # compiled once by the cached template loader
        get_template(name)
    # What is loaded by now (Django, WeasyPrint, the fonts, the stylesheet, the templates) stays for the
    # process's life: frozen, the garbage collector no longer walks it again in each full collection
    # that a PDF's allocations set off (docs/performance.md, “Figures behind the code”).
    gc.freeze()
    return time.perf_counter() - started


_fonts = threading.local()


def font_config():
    """This thread's WeasyPrint FontConfiguration, made once and kept for every PDF it renders.

    WeasyPrint makes a new one for each document unless given one, and with it Pango loads the
    report's six DejaVu faces again, for every PDF (docs/performance.md, “Figures behind the code”).
    One per thread, because Pango's font map must not be shared between threads. The report
    declares no @font-face, so nothing in it depends on the document.
    """
    config = getattr(_fonts, "config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _fonts.config = FontConfiguration()
    return config


def pdf_stylesheet():
    """The report's stylesheet as WeasyPrint's CSS object, parsed once for each version of the file
    (parsing it was a part of every PDF: docs/performance.md, “Figures behind the code”)."""
    return _parse_stylesheet(_read_static(STYLESHEET))


@functools.lru_cache(maxsize=2)
def _parse_stylesheet(content):
    from weasyprint import CSS

    base_url = urljoin(PDF_BASE_URL, settings.STATIC_URL)
    return CSS(string=content.decode("utf-8"), base_url=base_url, url_fetcher=static_files_fetcher())


def _static_path(url, base_url):
    """The static file name a URL refers to, or None for anything that is not one of our static files."""
    static_url = urljoin(base_url, settings.STATIC_URL)
    if not url.startswith(static_url):
        return None
    name = unquote(urlsplit(url[len(static_url) :]).path)
    normalised = posixpath.normpath(name) if name else ""
    if not normalised or normalised.startswith(("..", "/")) or normalised != name:
        return None
    return normalised


def _read_static(name):
    found = finders.find(name)
    if found:
        with open(found, "rb") as file:
            return file.read()
    # Deployed: hashed names from ManifestStaticFilesStorage live only in STATIC_ROOT.
    if staticfiles_storage.exists(name):
        with staticfiles_storage.open(name) as file:
            return file.read()
    return None


@functools.cache
def _unused_ssl_context():
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


@functools.cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesFetcher(URLFetcher):
        """Serves the report's own static files and refuses every other URL."""

        def __init__(self, base_url, **kwargs):
            # URLFetcher builds an HTTPS handler, whose default SSL context loads the system's
            # certificates, for every PDF; this fetcher never opens a connection, so it gets an
            # empty context made once.
            kwargs.setdefault("ssl_context", _unused_ssl_context())
            super().__init__(**kwargs)
            self.base_url = base_url

        def fetch(self, url, headers=None):
            name = _static_path(url, self.base_url)
            body = _read_static(name) if name else None
            if body is None:
                raise ValueError(f"a report may only use our static files, not {url}")
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body, headers={"Content-Type": content_type})

    return StaticFilesFetcher


def static_files_fetcher(base_url=PDF_BASE_URL):
    """A WeasyPrint URL fetcher for our static files only, so that making a PDF never reaches the network."""
    return _fetcher_class()(base_url)
