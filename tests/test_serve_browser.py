"""formcheck serve in a real browser (Debian's Chromium driven by Playwright): the coach logs
in and adds athletes, an athlete opens their link in a phone-sized window, uploads a clip
through the page, waits for the report, opens it and sees the history plot; another
athlete's link cannot see those sets; the pages ask for nothing beyond the server.

``FORMCHECK_SCREENSHOTS=DIR`` also saves the screenshots docs/SERVE.md shows."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="formcheck[serve] is not installed")
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
from serving import (  # noqa: E402
    PASSWORD,
    ServerProcess,
    add_coach,
    free_port,
    short_clip,
)

pytestmark = [pytest.mark.server, pytest.mark.browser, pytest.mark.model, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def _shot(page, name: str, db: str) -> None:  # type: ignore[no-untyped-def]
    folder = os.environ.get("FORMCHECK_SCREENSHOTS")
    if folder and not db:  # one set of screenshots: SQLite's
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_coach_and_athletes_in_a_real_browser(tmp_path: Path, db_url: str) -> None:
    clip = short_clip(
        REPO / "sample_videos" / "glute_bridge_right.mp4", tmp_path / "my set.mp4", 7.0, 480
    )
    data = tmp_path / "data"
    add_coach(data, db_url)
    server = ServerProcess(data, db_url, free_port(), workers=1).start()
    requests: list[str] = []
    try:
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            desk = browser.new_context(**DESKTOP)
            phone = browser.new_context(**PHONE)
            for ctx in (desk, phone):
                ctx.on("request", lambda r: requests.append(r.url))
            coach = desk.new_page()
            coach.goto(f"{server.url}/")
            assert coach.url.endswith("/login")
            coach.fill("input[name=username]", "coach")
            coach.fill("input[name=password]", PASSWORD)
            coach.click("button[type=submit]")
            coach.wait_for_url(f"{server.url}/")
            links = {}
            for name in ("Ann", "Bob"):
                coach.goto(f"{server.url}/")
                coach.fill("input[name=name]", name)
                coach.click("text=Add")
                coach.wait_for_selector("#athlete-link")
                links[name] = coach.input_value("#athlete-link")

            ann = phone.new_page()
            ann.goto(links["Ann"])
            ann.set_input_files("input[name=clip]", str(clip))
            ann.fill("input[name=load_kg]", "40")
            ann.fill("input[name=set_number]", "1")
            ann.fill("textarea[name=note]", "felt <good> & strong")
            ann.click("#upload button[type=submit]")
            ann.wait_for_selector("text=Uploaded", timeout=30_000)
            _shot(ann, "athlete-uploaded-phone", db_url)
            ann.wait_for_selector("tr[data-status=done]", timeout=180_000)  # the page follows
            ann.click("tr[data-status=done] a")
            ann.wait_for_selector("#report-link")
            with ann.expect_navigation():
                ann.click("#report-link")
            ann.wait_for_selector("#fc-canvas, canvas", timeout=30_000)
            assert "report.html" in ann.url
            _shot(ann, "athlete-report-phone", db_url)
            ann.goto(links["Ann"])
            assert ann.locator("#history svg.chart").count() >= 3
            assert "felt <good> & strong" in ann.inner_text("table.sets")
            _shot(ann, "athlete-history-phone", db_url)
            set_href = ann.get_attribute("tr[data-status=done] a", "href")

            bob = phone.new_page()
            bob.goto(links["Bob"])
            assert "felt" not in bob.content() and bob.locator("tr[data-set]").count() == 0
            bob_set = links["Bob"] + "/sets/" + str(set_href).rsplit("/", 1)[1]
            r = bob.goto(bob_set)
            assert r is not None and r.status == 404
            r = bob.goto(bob_set + "/files/report.html")
            assert r is not None and r.status == 404

            coach.goto(f"{server.url}/")
            assert coach.locator("tr[data-status=done]").count() == 1
            _shot(coach, "coach-dashboard", db_url)
            coach.click('table.sets a:text-is("Ann")')
            coach.wait_for_selector("#history svg.chart")
            _shot(coach, "coach-athlete", db_url)
            browser.close()
    finally:
        server.stop()
    foreign = [u for u in requests if not u.startswith((server.url, "data:", "blob:"))]
    assert not foreign, f"the pages asked beyond the server: {foreign}"
