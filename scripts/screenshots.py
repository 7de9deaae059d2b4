"""Screenshots of the chat page for the README (docs/*.png), in headless Chromium.

    python scripts/screenshots.py http://127.0.0.1:7860/ "Your question" docs/

Asks the question and prints how tall the reply is and where its answer sits in the chat box,
opens the first source in the viewer (docs/chat.png), then opens the Index tab and asks to remove
the newest briefing without confirming it (docs/manage.png). Nothing is removed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1400, "height": 900}


def main(url: str, question: str, out: Path) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport=VIEWPORT)
        page.goto(url, wait_until="load")
        box = page.get_by_role("textbox").first
        box.wait_for(timeout=120_000)
        box.fill(question)
        box.press("Enter")
        page.locator(".bot-row").last.wait_for(timeout=120_000)
        page.wait_for_timeout(800)  # the scroll to the new reply
        print(placement(page))
        page.get_by_role("radio").first.click()
        expect(page.locator("#viewer blockquote")).to_be_in_viewport(timeout=60_000)
        page.evaluate("window.scrollTo(0, 0)")  # the reply's top, with the viewer beside it
        page.wait_for_timeout(500)
        page.screenshot(path=str(out / "chat.png"))
        page.get_by_role("tab", name="Index").click()
        page.get_by_label("Briefing", exact=True).click()
        page.get_by_role("option").first.click()
        page.get_by_role("button", name="Remove…").click()
        expect(page.get_by_text("from the corpus folder and the index?")).to_be_visible()
        page.screenshot(path=str(out / "manage.png"))
        browser.close()


def placement(page) -> str:
    """The last reply's height and its answer label's distance from the chat box's top, in px."""
    reply = page.locator(".bot-row").last.bounding_box()
    chat = page.locator("#chat").bounding_box()
    label = page.locator(".bot-row").last.locator("strong", has_text="Answer:").first.bounding_box()
    where = f"answer label {label['y'] - chat['y']:.0f} px below its top" if label else "no answer label"
    return f"reply {reply['height']:.0f} px tall in a {chat['height']:.0f} px chat box; {where}"


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], Path(sys.argv[3]))
