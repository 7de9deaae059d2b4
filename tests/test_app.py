"""The web chat, launched in-process on a free port and used through gradio_client."""

import re

import pytest

gr_client = pytest.importorskip("gradio_client")


@pytest.fixture(scope="module")
def client(served):
    return gr_client.Client(served[0], verbose=False)


def test_troops_question_names_uk_and_france_with_citation(client):
    reply = client.predict("Which countries committed troops?", api_name="/chat")
    answer_line = reply.splitlines()[0]
    assert "UK and France" in answer_line and "[1]" in answer_line
    assert "¶" in reply and "uk-presses-russia-for-compromise.txt" in reply


def test_off_topic_question_gets_no_answer(client):
    reply = client.predict("What is the boiling point of tungsten?", api_name="/chat")
    assert "No briefing answers this question" in reply
    assert "Closest matches" in reply
    assert "closest match, not an answer" in reply and "relevance ●" not in reply


def test_empty_question_gets_a_message_not_a_crash(client):
    assert "empty" in client.predict("   ", api_name="/chat")
    assert "UK and France" in client.predict("Which countries committed troops?", api_name="/chat")


def test_payload_is_escaped_in_reply(client):
    reply = client.predict("What did the envoy's memo on grain corridors quote?", api_name="/chat")
    assert "&lt;img" in reply and "&lt;script&gt;" in reply
    assert "<img" not in reply and "<script" not in reply


def test_upload_then_rebuild_makes_briefing_findable(served, client, tmp_path):
    _, corpus = served
    upload = tmp_path / "arctic shipping.md"
    upload.write_text("# Arctic Shipping\n\nIcebreakers escorted 42 tankers through the "
                      "Northern Sea Route in August.\n", encoding="utf-8")
    result = client.predict([gr_client.handle_file(str(upload))], api_name="/upload")
    assert "Added arctic shipping.md" in result
    assert "1 added" in result
    assert (corpus / "arctic shipping.md").exists()
    reply = client.predict("How many tankers went through the Northern Sea Route?", api_name="/chat")
    assert re.search(r"\b42\b", reply.splitlines()[0])
    only_new = client.predict("How many tankers?", "", "", ["arctic shipping.md"], api_name="/chat")
    assert "42 tankers" in only_new  # a briefing added after the server started can be chosen


def test_upload_of_same_content_says_where_it_is_and_a_changed_file_may_replace(served, client, tmp_path):
    _, corpus = served
    same = tmp_path / "copy of troops.txt"
    same.write_bytes((corpus / "uk-presses-russia-for-compromise.txt").read_bytes())
    again = client.predict([gr_client.handle_file(str(same))], False, api_name="/upload")
    assert "already in the corpus as uk-presses-russia-for-compromise.txt" in again
    assert not (corpus / "copy of troops.txt").exists()

    changed = tmp_path / "ferries.txt"
    changed.write_text("Ferries\n\nThe ferry to Gozo runs every 45 minutes.\n", encoding="utf-8")
    client.predict([gr_client.handle_file(str(changed))], False, api_name="/upload")
    changed.write_text("Ferries\n\nThe ferry to Gozo runs every 30 minutes.\n", encoding="utf-8")
    kept = client.predict([gr_client.handle_file(str(changed))], False, api_name="/upload")
    assert "Added ferries-1.txt" in kept and "tick **Replace**" in kept  # never overwritten unasked
    (corpus / "ferries-1.txt").unlink()
    replaced = client.predict([gr_client.handle_file(str(changed))], True, api_name="/upload")
    assert "Added ferries.txt" in replaced and "1 updated" in replaced
    assert "30 minutes" in (corpus / "ferries.txt").read_text()
    assert not (corpus / "ferries-1.txt").exists()


def test_upload_rejects_other_types(served, client, tmp_path):
    bad = tmp_path / "tool.exe"
    bad.write_bytes(b"MZ")
    try:
        result = client.predict([gr_client.handle_file(str(bad))], api_name="/upload")
    except Exception as error:  # Gradio refuses the type before our code sees it
        result = str(error)
    assert "only .txt, .md" in result or "Invalid file type" in result or "415" in result
    assert not (served[1] / "tool.exe").exists()


def test_rebuild_reports_counts(client):
    assert "unchanged (0 embedded)" in client.predict(api_name="/rebuild")


def test_page_filters_narrow_the_search(client):
    question = "Which countries committed troops?"
    assert "No briefing matches these filters" in client.predict(question, "2030-01-01", "", [], api_name="/chat")
    only_envoy = client.predict(question, "", "", ["envoy-notes.txt"], api_name="/chat")
    assert "envoy-notes.txt" in only_envoy and "uk-presses-russia" not in only_envoy
    assert "in envoy-notes.txt" in only_envoy  # the reply says what was searched
    assert "is not a date" in client.predict(question, "March", "", [], api_name="/chat")


def test_question_filters_narrow_the_search(client):
    reply = client.predict("Which countries committed troops? in:envoy", api_name="/chat")
    assert "envoy-notes.txt" in reply and "uk-presses-russia" not in reply


def test_uploaded_pdf_is_cited_with_page_and_date(served, client, tmp_path):
    from formats import write_pdf

    pdf = write_pdf(tmp_path)
    added = client.predict([gr_client.handle_file(str(pdf))], api_name="/upload")
    assert "Added sanctions.pdf" in added and "5 added" in added
    reply = client.predict("Which goods did the export ban cover? in:sanctions", api_name="/chat")
    assert "Sanctions Briefing, ¶3, p. 2" in reply
    assert "2025-02-20" in reply and "Policy Unit" in reply
