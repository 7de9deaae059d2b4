"""Briefings as they come: each format's paragraphs, titles, metadata and page numbers."""

import pytest

import qa
from qa.index.build import read_corpus
from qa.ingest.dates import date_in_name, iso_date

from formats import write_format_corpus


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    corpus = write_format_corpus(tmp_path_factory.mktemp("formats") / "corpus")
    documents, skipped = read_corpus(corpus)
    return {d.source: d for d in documents}, {s.source: s.reason for s in skipped}


def texts(document):
    return [p.text for p in document.paragraphs]


def test_html_keeps_the_article_only_with_its_metadata(documents):
    page = documents[0]["ceasefire.html"]
    assert page.title == "Ceasefire talks resume"
    assert texts(page) == [
        "Negotiators from both sides met in Geneva on Tuesday to resume ceasefire talks after a "
        "two-week pause, officials said.",
        "The delegations agreed on a prisoner exchange of 200 people and on the reopening of two "
        "humanitarian corridors in the north.",
        "A monitoring mission of 40 observers will be deployed along the contact line within ten "
        "days, the mediators announced.",
    ]
    assert [p.heading for p in page.paragraphs] == ["", "What was agreed", "What was agreed"]
    assert (page.date, page.publisher, page.url) == (
        "2025-03-12", "Daily Wire Service", "https://news.example.org/2025/03/ceasefire")
    joined = " ".join(texts(page))
    for left_out in ("Home", "Politics desk", "Great article", "script ran", "All rights reserved"):
        assert left_out not in joined


def test_pdf_paragraphs_keep_their_pages_without_running_lines(documents):
    pdf = documents[0]["sanctions.pdf"]
    assert pdf.title == "Sanctions Briefing"  # the first heading, not the "(draft)" property
    assert [(p.number, p.page) for p in pdf.paragraphs] == [(1, 1), (2, 1), (3, 2), (4, 2), (5, 3)]
    assert pdf.paragraphs[2].text.startswith("The export ban on dual-use goods was widened")
    assert pdf.paragraphs[2].text.endswith("exemptions for medical equipment.")
    joined = " ".join(texts(pdf))
    assert "Policy Unit - restricted" not in joined and "Page 2 of 3" not in joined
    assert (pdf.date, pdf.publisher, pdf.url) == ("2025-02-20", "Policy Unit", None)


def test_docx_keeps_headings_tables_and_properties(documents):
    word = documents[0]["grain-corridor.docx"]
    assert word.title == "Grain Corridor Update"
    assert [(p.heading, p.text) for p in word.paragraphs] == [
        ("Background", "Ships carrying wheat left Odesa under the new corridor arrangement for the "
                       "third week in a row."),
        ("Volumes", "Exports reached 4.2 million tonnes in February, the highest since the corridor opened."),
        ("Volumes", "Port | Tonnes"),
        ("Volumes", "Odesa | 2.1 million"),
    ]
    assert (word.date, word.publisher) == ("2025-02-28", "Ministry Desk")


def test_markdown_front_matter_is_metadata_not_text(documents):
    md = documents[0]["port-strike.md"]
    assert md.title == "Port Strike Update"
    assert texts(md)[0].startswith("Dock workers in Rotterdam")
    assert len(md.paragraphs) == 2
    assert (md.date, md.publisher, md.url) == (
        "2025-03-05", "Harbour Gazette", "https://harbour.example.com/strike")


def test_date_in_file_name(documents):
    assert documents[0]["2025-02-14-markets.txt"].date == "2025-02-14"
    assert documents[0]["2025-02-14-markets.txt"].title == "Markets Morning"


def test_unreadable_and_unknown_files_are_skipped_with_a_reason(documents):
    skipped = documents[1]
    assert set(skipped) == {"scanned.pdf", "damaged.docx", "notes.rtf"}
    assert "no text layer" in skipped["scanned.pdf"]
    assert "not a readable Word file" in skipped["damaged.docx"]
    assert "unsupported file type .rtf" in skipped["notes.rtf"]


@pytest.mark.parametrize("value, expected", [
    ("2025-03-12", "2025-03-12"), ("2025-03-12T09:00:00Z", "2025-03-12"),
    ("D:20250220000000Z", "2025-02-20"), ("12 March 2025", "2025-03-12"),
    ("March 2025", "2025-03-01"), ("Policy Unit", None), ("", None), (None, None), ("2025-02-30", None),
])
def test_iso_date(value, expected):
    assert iso_date(value) == expected


@pytest.mark.parametrize("name, expected", [
    ("2025-03-12-ceasefire.pdf", "2025-03-12"), ("brief_2025_03_12.txt", "2025-03-12"),
    ("20250312 notes.md", "2025-03-12"), ("report-2025.txt", None), ("2025-13-01-x.txt", None),
    ("v12345678.txt", None),
])
def test_date_in_name(name, expected):
    assert date_in_name(name) == expected


def test_citations_name_the_pdf_page(tmp_path, fake_encoder):
    corpus = write_format_corpus(tmp_path / "corpus")
    qa.build_index(corpus, tmp_path / "index", progress=False)
    [passage] = qa.retrieve("dual-use goods drones export ban", k=1, index_dir=tmp_path / "index")
    assert passage.citation == "Sanctions Briefing, ¶3, p. 2"
    assert (passage.page, passage.date, passage.publisher) == (2, "2025-02-20", "Policy Unit")


@pytest.mark.parametrize("page, expected", [
    ("<html><head><title>Memo</title></head><body><h1>Memo</h1><p>Troops will deploy in May.</p>"
     "<p>Talks resume on Tuesday.</p></body></html>", ["Troops will deploy in May.", "Talks resume on Tuesday."]),
    ("<p>A fragment about grain exports from Odesa.</p><p>Second paragraph.</p><script>x = 1</script>",
     ["A fragment about grain exports from Odesa.", "Second paragraph."]),
])
def test_small_pages_and_fragments_keep_their_paragraphs(tmp_path, page, expected):
    (tmp_path / "memo.html").write_text(page, encoding="utf-8")
    [document], skipped = read_corpus(tmp_path)
    assert texts(document) == expected and not skipped


def test_a_reader_that_fails_unexpectedly_skips_only_that_file(tmp_path, monkeypatch):
    from qa.ingest import formats as readers

    def broken(raw):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setitem(readers.READERS, ".pdf", broken)
    (tmp_path / "odd.pdf").write_bytes(b"%PDF-1.7 ...")
    (tmp_path / "good.txt").write_text("Good\n\nA fine paragraph.", encoding="utf-8")
    documents, skipped = read_corpus(tmp_path)
    assert [d.source for d in documents] == ["good.txt"]
    assert skipped[0].source == "odd.pdf" and "RecursionError" in skipped[0].reason
