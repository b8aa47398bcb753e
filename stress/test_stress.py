"""`make stress`: the role matrix, a concurrency run through gunicorn, and the fuzzing at a larger
bound, on the database the environment names (SQLite by default, PostgreSQL with DATABASE_URL).
Not part of `make test`: it takes minutes and prints figures rather than asserting speed.

Each test prints its figures ("STRESS …" lines) and fails on any server error, unauthorised write,
lost write or broken invariant.
"""

import datetime
import http.cookiejar
import json
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.urls import reverse

from measures.models import Assessment
from tests import documents, factories
from tests.helpers import broken_invariants, change_form_data, snapshot

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"
ANALYSTS = int(os.environ.get("STRESS_ANALYSTS", "20"))
ATTEMPTS = int(os.environ.get("STRESS_ATTEMPTS", "50"))
# The Pakistan–Iran case file grown this many times is loaded (load_case) while the analysts work.
LOAD_COPIES = int(os.environ.get("STRESS_LOAD_COPIES", "5"))
# gunicorn's worker timeout in the concurrency run, and how long an analyst's browser waits for an answer:
# longer, so that every request is answered by the server (a page, or its worker stopped) before the
# client gives up. A request left unanswered is counted, never lost with its thread.
SERVER_TIMEOUT = 120
CLIENT_TIMEOUT = SERVER_TIMEOUT + 30


def report(line):
    print(f"STRESS [{connection.vendor}] {line}", flush=True)


# ---- role matrix --------------------------------------------------------------------------------


@pytest.fixture
def world(transactional_db):
    case = factories.CaseFactory()
    event = factories.EventFactory(case=case)
    citation = factories.CitationFactory(case=case, event=event)
    measure = factories.MeasureFactory(case=case)
    evidence = factories.EvidenceFactory(measure=measure, citation=citation)
    assessment = factories.AssessmentFactory(measure=measure, citations=[citation])
    party = case.assessed_parties.first()
    return {
        "case": case,
        "event": event,
        "citation": citation,
        "measure": measure,
        "evidence": evidence,
        "assessment": assessment,
        "party": party,
        "source": citation.source,
    }


def _urls(w):
    """Every admin page of every model (list, add, change, delete, history) and every reading page."""
    urls = []
    for name in ["party", "case", "measure", "source", "event", "citation", "evidence", "assessment"]:
        obj = w[name]
        urls += [
            ("admin", name, "view", reverse(f"admin:measures_{name}_changelist")),
            ("admin", name, "add", reverse(f"admin:measures_{name}_add")),
            ("admin", name, "change", reverse(f"admin:measures_{name}_change", args=[obj.pk])),
            ("admin", name, "delete", reverse(f"admin:measures_{name}_delete", args=[obj.pk])),
            ("admin", name, "view", reverse(f"admin:measures_{name}_history", args=[obj.pk])),
        ]
    urls.append(("admin", "assessment", "add", reverse("admin:measures_measure_assess", args=[w["measure"].pk])))
    urls.append(("admin", "user", "change", reverse("admin:auth_user_changelist")))
    urls.append(("admin", "group", "change", reverse("admin:auth_group_changelist")))
    case = w["case"]
    urls.append(("site", "case", "view", reverse("measures:case_list")))
    for page in ["measures:dashboard", "measures:report", "measures:event_list", "measures:source_list"]:
        urls.append(("site", "case", "view", reverse(page, args=[case.slug])))
    urls.append(("site", "case", "view", reverse("measures:source_detail", args=[case.slug, w["source"].pk])))
    urls.append(("site", "case", "view", reverse("measures:measure_detail", args=[case.slug, w["measure"].number])))
    urls.append(("site", "case", "view", reverse("measures:event_detail", args=[case.slug, w["event"].pk])))
    return urls


def _post_data(admin_client, url):
    response = admin_client.get(url)
    if response.status_code != 200 or response.context is None or "adminform" not in response.context:
        return {"post": "yes"}
    return change_form_data(response, title="Changed by the matrix", name="Changed by the matrix")


def test_role_matrix(world):
    """Every role × every page × GET and POST: no page is read, and nothing is written, without permission."""
    roles = {  # the administrator last: its permitted deletes remove rows the others' cells use
        "anonymous": None,
        "no role (staff)": factories.UserFactory(username="m-norole"),
        "inactive analyst": factories.analyst(username="m-inactive", is_active=False),
        "reader": factories.reader(username="m-reader"),
        "analyst": factories.analyst(username="m-analyst"),
        "administrator": factories.administrator(username="m-admin"),
    }
    admin_client = Client()
    admin_client.force_login(roles["administrator"])
    cells = unauthorised_reads = unauthorised_writes = server_errors = 0
    offending = []
    case_list = reverse("measures:case_list")
    for _role, user in roles.items():
        for area, model, action, url in _urls(world):
            for method in ("GET", "POST"):
                client = Client(raise_request_exception=False)
                if user is not None:
                    client.force_login(user)
                actor = user if user is not None and user.is_active else AnonymousUser()
                app = "auth" if model in ("user", "group") else "measures"
                may_write = actor.has_perm(f"{app}.{action}_{model}") and action != "view"
                may_read = actor.is_authenticated and (
                    actor.has_perm(f"{app}.view_{model}") if area == "admin" else actor.has_perm("measures.view_case")
                )
                data = _post_data(admin_client, url) if method == "POST" else None
                before = snapshot()
                response = client.post(url, data) if method == "POST" else client.get(url)
                cells += 1
                server_errors += response.status_code >= 500
                # The case list answers everyone (it lists the cases one may read: published ones for a user
                # without a role); reading it is unauthorised only when it names the private case.
                listed = url != case_list or world["case"].name in response.content.decode(errors="replace")
                if method == "GET" and response.status_code == 200 and not may_read and listed:
                    unauthorised_reads += 1
                    offending.append(f"{_role} read {url}")
                if method == "POST" and snapshot() != before and not may_write:
                    unauthorised_writes += 1
                    offending.append(f"{_role} wrote {url}")
                if response.status_code >= 500:
                    offending.append(f"{_role} {method} {url}: {response.status_code}")
    report(
        f"role matrix: {len(roles)} roles × {len(_urls(world))} pages × 2 methods = {cells} cells; "
        f"unauthorised reads {unauthorised_reads}, unauthorised writes {unauthorised_writes}, "
        f"server errors {server_errors}" + (f" ({'; '.join(offending)})" if offending else "")
    )
    assert (unauthorised_reads, unauthorised_writes, server_errors) == (0, 0, 0)
    assert not broken_invariants()


# ---- concurrency through gunicorn ---------------------------------------------------------------


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_env():
    env = {**os.environ, "DEBUG": "true", "LOG_LEVEL": "WARNING", "LOGIN_THROTTLING": "false"}
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        env.pop("DATABASE_URL", None)
        env["SQLITE_NAME"] = str(settings["NAME"])  # absolute: BASE_DIR / it is it
    else:
        url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
        env["DATABASE_URL"] = urllib.parse.urlunsplit(url._replace(path="/" + settings["NAME"]))
    return env


class Analyst:
    """One analyst's browser: a cookie jar, the login form, the assess form."""

    def __init__(self, base, username):
        self.base, self.username = base, username
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        try:
            with self.opener.open(req, timeout=CLIENT_TIMEOUT) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")
        except OSError:  # no answer: refused, reset, or none within CLIENT_TIMEOUT
            return None, ""

    @staticmethod
    def field(html, name):
        match = re.search(rf'name="{name}" value="([^"]*)"', html)
        return match.group(1) if match else ""

    def login(self):
        status, html = self.request("/admin/login/")
        token = self.field(html, "csrfmiddlewaretoken")
        status, _ = self.request(
            "/admin/login/",
            {"csrfmiddlewaretoken": token, "username": self.username, "password": PASSWORD, "next": "/admin/"},
        )
        return status == 302


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def large_case_file(case_data, copies):
    """The Pakistan–Iran case file grown `copies` times (measures with their requirements, events,
    citations, assessments and commitments repeated under new numbers and keys, same parties and sources)
    under a new slug: a load that takes seconds, to run while the analysts work."""
    data = {key: value for key, value in case_data.items()}
    data["case"] = {**case_data["case"], "slug": "stress-large-case", "name": "Large case loaded during the run"}
    data["measures"], data["events"], data["citations"], data["assessments"] = [], [], [], []
    data["commitments"] = []
    for k in range(copies):
        number = {m["number"]: m["number"] + 100 * k for m in case_data["measures"]}
        data["measures"] += [
            {
                **m,
                "number": number[m["number"]],
                "slug": f"{m['slug']}-{k}",
                **({"requirement": f"{m['requirement']}-{k}"} if m.get("requirement") else {}),
            }
            for m in case_data["measures"]
        ]
        data["commitments"] += [
            {
                **c,
                "key": f"{c['key']}-{k}",
                "measure": number[c["measure"]],
                "stated_by": [f"{key}-{k}" for key in c.get("stated_by", [])],
                "outcomes": [
                    {**o, "citations": [f"{key}-{k}" for key in o.get("citations", [])]} for o in c.get("outcomes", [])
                ],
            }
            for c in case_data.get("commitments", [])
        ]
        data["events"] += [{**e, "key": f"{e['key']}-{k}"} for e in case_data["events"]]
        data["citations"] += [
            {
                **c,
                "key": f"{c['key']}-{k}",
                **({"event": f"{c['event']}-{k}"} if c.get("event") else {}),
                "evidence": [{**link, "measure": number[link["measure"]]} for link in c.get("evidence", [])],
            }
            for c in case_data["citations"]
        ]
        data["assessments"] += [
            {**a, "measure": number[a["measure"]], "citations": [f"{key}-{k}" for key in a.get("citations", [])]}
            for a in case_data["assessments"]
        ]
    return data


def test_concurrent_analysts_lose_nothing(transactional_db, tmp_path):
    """ANALYSTS analysts × ATTEMPTS assessments each, through gunicorn on loopback, while a large case
    file loads (load_case, in its own process): each attempt is stored or refused with a message; none
    is a server error; every stored one is in the database; the case loads whole."""
    case = factories.CaseFactory()
    parties = list(case.assessed_parties.all())
    measures = [factories.MeasureFactory(case=case) for _ in range(5)]
    citation = factories.CitationFactory(case=case)
    users = [factories.analyst(username=f"stress{i}") for i in range(ANALYSTS)]
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "tracker.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "4",
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--timeout",
            str(SERVER_TIMEOUT),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=_server_env(),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        tally = {"stored": 0, "refused": 0, "server errors": 0, "no answer": 0, "other": 0}
        lock = threading.Lock()
        today = datetime.date.today().isoformat()

        def work(user, seed):
            rng = random.Random(seed)
            browser = Analyst(base, user.username)
            if not browser.login():
                with lock:
                    tally["other"] += ATTEMPTS
                return
            for _ in range(ATTEMPTS):
                measure = rng.choice(measures)
                path = f"/admin/measures/measure/{measure.pk}/assess/"
                status, html = browser.request(path)
                if status is None:
                    outcome = "no answer"
                elif status >= 500:
                    outcome = "server errors"
                else:
                    party = rng.choice(parties).pk
                    data = {  # the multi-party assess form: one judgement, for one party here
                        "csrfmiddlewaretoken": browser.field(html, "csrfmiddlewaretoken"),
                        "seen": browser.field(html, "seen"),
                        f"level_{party}": rng.choice(["minimal", "intermediate", "full"]),
                        f"confidence_{party}": "medium",
                        f"corrects_{party}": "",
                        "effective_date": today,
                        "rationale": f"Stress run by {user.username}.",
                        "citations": [citation.pk],
                        "evidence_stance": "progress",
                    }
                    status, html = browser.request(path, data)
                    if status is None:
                        outcome = "no answer"
                    elif status == 302:
                        outcome = "stored"
                    elif status >= 500:
                        outcome = "server errors"
                    elif status == 200 and (
                        "While you were editing" in html or "errornote" in html or "errorlist" in html
                    ):
                        outcome = "refused"
                    else:
                        outcome = "other"
                with lock:
                    tally[outcome] += 1

        case_data = json.loads((ROOT / "fixtures" / "pakistan-iran-2024.json").read_text(encoding="utf-8"))
        large = large_case_file(case_data, LOAD_COPIES)
        large_path = tmp_path / "large-case.json"
        large_path.write_text(json.dumps(large), encoding="utf-8")
        threads = [threading.Thread(target=work, args=(user, i)) for i, user in enumerate(users)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        loader = subprocess.Popen(
            [sys.executable, "manage.py", "load_case", str(large_path)],
            cwd=ROOT,
            env=_server_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        load_output = loader.communicate(timeout=1800)[0]
        load_seconds = time.monotonic() - started
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    in_database = Assessment.objects.filter(recorded_by__in=users).count()
    lost = tally["stored"] - in_database
    loaded = Assessment.objects.filter(measure__case__slug=large["case"]["slug"]).count()
    report(
        f"load during the run: a case file of {len(large['measures'])} measures, {len(large['citations'])} "
        f"citations, {len(large['assessments'])} assessments loaded in {load_seconds:.0f} s "
        f"(exit {loader.returncode}; assessments in the database {loaded})"
    )
    assert loader.returncode == 0, load_output
    assert loaded == len(large["assessments"])
    report(
        f"concurrency: {ANALYSTS} analysts × {ATTEMPTS} assessments = {ANALYSTS * ATTEMPTS} attempts in "
        f"{elapsed:.0f} s through gunicorn: stored {tally['stored']}, refused with a message {tally['refused']}, "
        f"server errors {tally['server errors']}, no answer {tally['no answer']}, unexplained {tally['other']}, "
        f"lost {lost} (in the database: {in_database})"
    )
    assert sum(tally.values()) == ANALYSTS * ATTEMPTS  # every attempt counted, whatever happened to it
    assert tally["server errors"] == tally["no answer"] == tally["other"] == 0
    assert lost == 0 and in_database == tally["stored"]
    assert not broken_invariants()


# ---- the intake set: every file read within its budgets ------------------------------------------------


def _inflating_pdf(unpacked_bytes):
    """A PDF of one page whose content stream unpacks to `unpacked_bytes` (spaces, compressed piecewise, so
    that making it never holds them): the issue's 1.5 MB file that took 2.9 GB."""
    import zlib

    packer, piece = zlib.compressobj(9), b" " * 1_000_000
    stream = b"".join(packer.compress(piece) for _ in range(unpacked_bytes // len(piece))) + packer.flush()
    return documents.pdf_bytes(1, stream=stream)


def _inflating_word(unpacked_bytes):
    """A Word document whose document.xml is padded to unpack to `unpacked_bytes` (the issue's 0.5 MB file)."""
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(documents.word_document()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace(b"</w:body>", b" " * unpacked_bytes + b"</w:body>")
            package.writestr(info.filename, data)
    return out.getvalue()


def intake_set():
    """(name, bytes): ordinary documents of each type, and the issue's costly ones."""
    dense = " ".join(["Both sides agreed to return their ambassadors and to de-escalate."] * 12)
    return [
        ("news page.html", documents.news_page()),
        ("statement.pdf", documents.pdf_statement()),
        ("statement.docx", documents.word_document()),
        ("notes.txt", documents.text_file()),
        ("long page.html", b"<html><body>" + b"<p>Envoys return to their posts.</p>" * 120_000 + b"</body></html>"),
        ("150 MB of Word XML.docx", _inflating_word(150_000_000)),
        ("stream of 1.5 GB.pdf", _inflating_pdf(1_500_000_000)),
        ("stream of 45 MB.pdf", documents.pdf_bytes(1, padding=45_000_000)),
        ("300 dense pages.pdf", documents.pdf_bytes(300, text=dense)),
        ("200 dense pages.pdf", documents.pdf_bytes(200, text=dense)),
    ]


def test_every_file_of_the_intake_set_is_read_within_its_budgets(settings):
    """Each file through the sandbox the worker uses (measures.intake.sandbox): read, or refused naming a
    budget; never another error. The worst file's peak memory (the child's own, resident) stays under
    300 MB; a child stopped at its memory budget counts as that budget."""
    from measures.intake import IntakeError, sandbox

    worst = (0, "")
    for name, data in intake_set():
        started = time.monotonic()
        try:
            document = sandbox.extract_limited(data, name=name)
            outcome, peak = f"read, {len(document.text):,} characters", document.peak_bytes
        except IntakeError as refusal:
            budget = re.search(r"\(([A-Z_]+)\)", str(refusal))
            outcome = f"refused ({budget.group(1) if budget else str(refusal)[:80]})"
            peak = getattr(refusal, "peak_bytes", 0) or settings.SOURCE_EXTRACT_MAX_MEMORY
        seconds = time.monotonic() - started
        report(f"intake {name} ({len(data):,} bytes): {outcome}, peak {peak / 1e6:.0f} MB, {seconds:.1f} s")
        worst = max(worst, (peak, name))
    report(
        f"intake worst peak: {worst[0] / 1e6:.0f} MB ({worst[1]}); "
        f"budget {settings.SOURCE_EXTRACT_MAX_MEMORY / 1e6:.0f} MB"
    )
    assert worst[0] < 300_000_000


# ---- jobs that finish though their worker is killed ------------------------------------------------------


def test_no_reading_is_stuck_after_its_worker_is_killed(transactional_db, settings):
    """Documents queued for the tasks worker; the worker is killed (SIGKILL) while it reads; the jobs it
    held are reclaimed once their lease has passed (the clock moved on, not waited for), and a new worker
    finishes every one: none is left waiting or being read."""
    from datetime import timedelta

    from django.utils import timezone

    from measures.intake import jobs, staging
    from measures.models import ExtractionJob

    analysts = [factories.analyst(username=f"reader{i}") for i in range(3)]
    queued = []
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    readings = intake_set()
    for index, (name, data) in enumerate([*readings[:4], readings[7], readings[9]]):
        original = staging.Original(name=name, data=data, doc_type="")
        queued.append(jobs.request_extraction(original, user=analysts[index % 3]))
    worker = [sys.executable, "manage.py", "report_worker", "--no-startup-delay", "--no-reload"]
    first = subprocess.Popen(worker, cwd=ROOT, env=_server_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not ExtractionJob.objects.filter(status=ExtractionJob.Status.RUNNING).exists():
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)
    finally:
        first.kill()  # SIGKILL: no chance to finish or hand the job back
        first.wait()
    killed_during = ExtractionJob.objects.filter(status=ExtractionJob.Status.RUNNING).count()
    later = timezone.now() + timedelta(seconds=jobs.lease_seconds() + 1)
    for job in ExtractionJob.objects.filter(status=ExtractionJob.Status.RUNNING):
        jobs.reclaim_if_abandoned(job, now=later)
    subprocess.run([*worker, "--batch"], cwd=ROOT, env=_server_env(), check=True, capture_output=True, timeout=900)
    stuck = ExtractionJob.objects.exclude(status__in=(ExtractionJob.Status.DONE, ExtractionJob.Status.FAILED))
    done = ExtractionJob.objects.filter(status=ExtractionJob.Status.DONE).count()
    report(
        f"jobs: {len(queued)} readings queued, the worker killed while reading {killed_during}; after the lease a new "
        f"worker finished them: read {done}, refused {len(queued) - done - stuck.count()}, stuck {stuck.count()}"
    )
    assert killed_during >= 1 and stuck.count() == 0
