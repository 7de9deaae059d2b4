"""The real app in headless Chromium (Debian's package, driven by Playwright)."""

import os
import re
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


def test_answer_in_view_then_viewer_export_and_reload(page, tmp_path):
    ask(page, "What did Lavrov say?", "Lavrov")  # an earlier reply the chat must scroll past
    chat = ask(page, "Which countries committed troops?", "UK and France")
    answer = chat.locator("strong", has_text="Answer:")
    sync_api.expect(answer).to_be_in_viewport()  # the answer leads, in view without scrolling
    assert "UK Pressures Russia for Compromise in Ukraine Peace Talks, ¶" in chat.inner_text()
    assert chat.locator("strong", has_text="UK and France").count() >= 1  # highlighted sentence
    page.screenshot(path=str(tmp_path / "troops.png"))

    page.get_by_role("radio", name=re.compile(r"UK Pressures Russia .*, ¶3$")).click()
    cited = page.locator("#viewer blockquote")
    sync_api.expect(cited).to_contain_text("UK and France")
    sync_api.expect(cited).to_be_in_viewport()
    assert page.locator("#viewer").inner_text().count("¶") >= 7  # the whole briefing, numbered

    with page.expect_download() as download:  # one click: the file follows each reply
        page.get_by_role("button", name="Export as Markdown").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert "## Which countries committed troops?" in exported and "UK and France" in exported
    assert "[^2]: UK Pressures Russia for Compromise in Ukraine Peace Talks, ¶" in exported
    assert "file `uk-presses-russia-for-compromise.txt`" in exported

    page.reload(wait_until="load")
    page.locator(".bot-row", has_text="UK and France").last.wait_for(timeout=60_000)
    assert page.locator(".user-row", has_text="Which countries committed troops?").count() == 1


def test_clicking_an_example_asks_it(page):
    example = page.get_by_text(re.compile(r"^(What|When|Who|Where) .* UK Pressures Russia")).first
    question = example.inner_text().strip().removesuffix("...")  # a long example is shown cut short
    replies = page.locator(".bot-row").count()
    example.click()
    page.locator(".user-row", has_text=question).last.wait_for(timeout=60_000)
    sync_api.expect(page.locator(".bot-row")).to_have_count(replies + 1, timeout=60_000)
    assert page.get_by_role("textbox").first.input_value() == ""  # asked, not left in the box


def test_upload_then_remove_a_briefing(page, served, tmp_path):
    corpus = served[1]
    briefing = tmp_path / "glacier survey.md"
    briefing.write_text("# Glacier Survey\n\nThe Aletsch glacier lost 2.1 metres of ice in 2024.\n",
                        encoding="utf-8")
    page.get_by_role("tab", name="Index").click()
    page.get_by_role("button", name="Cancel build").click()  # nothing to cancel yet
    sync_api.expect(page.get_by_text("No build is running.")).to_be_visible()
    page.locator("input[type=file]").first.set_input_files(str(briefing))
    sync_api.expect(page.get_by_text("Added glacier survey.md")).to_be_visible(timeout=60_000)
    assert (corpus / "glacier survey.md").exists()

    page.get_by_label("Briefing", exact=True).click()
    page.get_by_role("option", name="Glacier Survey").click()
    page.get_by_role("button", name="Remove…").click()
    sync_api.expect(page.get_by_text("from the corpus folder and the index?")).to_be_visible()
    page.screenshot(path=str(tmp_path / "remove.png"))
    page.get_by_role("button", name="Yes, remove it").click()
    sync_api.expect(page.get_by_text("Removed glacier survey.md")).to_be_visible(timeout=60_000)
    assert not (corpus / "glacier survey.md").exists()
    sync_api.expect(page.get_by_text("1 removed")).to_be_visible()  # and gone from the index

    other = tmp_path / "tide tables.md"
    other.write_text("# Tide Tables\n\nHigh tide at Leith was 5.2 metres on Monday.\n", encoding="utf-8")
    page.locator("input[type=file]").first.set_input_files(str(other))
    sync_api.expect(page.get_by_text("Added tide tables.md")).to_be_visible(timeout=60_000)
    assert not (corpus / "glacier survey.md").exists()  # the removed briefing is not sent again


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
    ask(page, question, re.compile("Sources|Closest matches"))
    page.locator(".user-row", has_text=question).last.wait_for(timeout=60_000)  # shown as typed
    assert page.locator('img[src*="evil.example.com"]').count() == 0
    page.screenshot(path=str(tmp_path / "question.png"), full_page=True)
