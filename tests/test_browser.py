"""The real app in headless Chromium (Debian's package, driven by Playwright)."""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.browser

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip("Chromium is not installed (scripts/install-chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def page(served):
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.dialogs = []
        page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(served[0], wait_until="load")
        page.get_by_role("textbox").first.wait_for(timeout=60_000)
        yield page
        browser.close()


def ask(page, question: str, expect: str):
    """Type and submit `question`; the bot's reply once it shows `expect`."""
    box = page.get_by_role("textbox").first
    box.fill(question)
    box.press("Enter")
    reply = page.locator(".bot-row", has_text=expect).last
    reply.wait_for(timeout=60_000)
    return reply


def test_question_shows_answer_and_citation(page, tmp_path):
    chat = ask(page, "Which countries committed troops?", "Sources")
    assert "UK and France" in chat.inner_text()
    assert "UK Pressures Russia for Compromise in Ukraine Peace Talks, ¶" in chat.inner_text()
    assert chat.locator("strong", has_text="UK and France").count() >= 1  # highlighted sentence
    page.screenshot(path=str(tmp_path / "troops.png"), full_page=True)


def test_payload_renders_as_text_and_runs_nothing(page, tmp_path):
    chat = ask(page, "What did the envoy's memo on grain corridors quote?", "grain corridors quoted")
    text = chat.inner_text()
    assert "<img src=x onerror=" in text and "<script>" in text
    assert page.locator('img[src="x"]').count() == 0
    assert page.locator(".bot script").count() == 0
    assert page.title() != "pwned" and not page.dialogs
    page.screenshot(path=str(tmp_path / "payload.png"), full_page=True)


def test_filters_panel_narrows_the_search(page, tmp_path):
    page.get_by_text("Filters: dates and briefings").click()
    since = page.get_by_placeholder("YYYY-MM-DD").first  # "From", then "To"
    since.fill("2030-01-01")
    try:
        ask(page, "Which countries committed troops?", "No briefing matches these filters")
        page.screenshot(path=str(tmp_path / "filters.png"), full_page=True)
    finally:
        since.fill("")


def test_question_is_shown_as_text(page, tmp_path):
    question = "![q](https://evil.example.com/q.png) # Which countries committed troops?"
    ask(page, question, "Sources")
    assert page.locator('img[src*="evil.example.com"]').count() == 0
    assert page.locator(".user-row", has_text=question).count() >= 1
    page.screenshot(path=str(tmp_path / "question.png"), full_page=True)
