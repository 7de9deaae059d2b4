"""Reading briefings: paragraphs, titles, boilerplate, encodings, what gets skipped."""

import pytest

from qa.index.build import read_corpus
from qa.ingest.documents import split_document
from qa.ingest.textfiles import UnreadableFile, decode_text

from conftest import SAMPLE_CORPUS, write_corpus


def texts(paragraphs):
    return [p.text for p in paragraphs]


LEAD = ("Staff were told in an email on Wednesday that they must commit to long hours at high intensity or "
        "leave the company with three months of severance pay.")


@pytest.mark.parametrize("text, title, expected", [
    ("Short Title\n\nFirst para.\n\nSecond para.", "Short Title", ["First para.", "Second para."]),
    ("# Markdown Heading.\n\nBody text.", "Markdown Heading.", ["Body text."]),
    ("This first line ends with a full stop.\n\nThe body is longer than the title line above it.",
     "This first line ends with a full stop.", ["The body is longer than the title line above it."]),
    ("Elon Musk gives ultimatum to Twitter staff: Do 'extremely hardcore' work or leave...\n\nBody.",
     "fallback",
     ["Elon Musk gives ultimatum to Twitter staff: Do 'extremely hardcore' work or leave...", "Body."]),
    ("Is the ceasefire in Ukraine holding? Officials in Kyiv and Moscow are not so sure\n\nBody.",
     "fallback", ["Is the ceasefire in Ukraine holding? Officials in Kyiv and Moscow are not so sure", "Body."]),
    ("Elon Musk gives ultimatum to Twitter staff: Do 'extremely hardcore' work or leave...\n\n" + LEAD,
     "Elon Musk gives ultimatum to Twitter staff: Do 'extremely hardcore' work or leave...", [LEAD]),
    ("Is the ceasefire in Ukraine holding? Officials in Kyiv and Moscow are not so sure\n\n" + LEAD,
     "Is the ceasefire in Ukraine holding? Officials in Kyiv and Moscow are not so sure", [LEAD]),
    ("She found a $3 million lottery prize in her spam folder | CNN\n\nYour spam folder is not all junk.\n\n"
     + LEAD, "She found a $3 million lottery prize in her spam folder | CNN",
     ["Your spam folder is not all junk.", LEAD]),
    (" ".join(["word"] * 21) + ".\n\nBody.", "fallback", [" ".join(["word"] * 21) + ".", "Body."]),
    ("Only one short paragraph.", "fallback", ["Only one short paragraph."]),
    ("Title\n\nline one\njoined here.\n\n\n\nnext.", "Title", ["line one joined here.", "next."]),
    ("Title\n\nSame text.\n\nSame text.\n\nOther text.", "Title", ["Same text.", "Other text."]),
    ("Title\n\n...\n\n— ! —\n\nReal content.", "Title", ["Real content."]),
    ("Title\n\nContent here.\n\nLeave a Reply\n\nYour email address will not be published. Required fields are marked *\n\nBack To Top",
     "Title", ["Content here."]),
    ("Title\n\nSection\n\nSection\n\nUnder the section.", "Title", ["Under the section."]),
    ("Quiz\n\nshort line one\n\nshort line two", "Quiz", ["short line one", "short line two"]),
    ("---\nauthor: x\n---\n# Front Matter Doc\n\nBody.", "Front Matter Doc", ["Body."]),
    ("Title\r\n\r\nWindows line\r\nends.\r\n", "Title", ["Windows line ends."]),
])
def test_split_document(text, title, expected):
    got_title, paragraphs = split_document(text, fallback_title="fallback")
    assert got_title == title
    assert texts(paragraphs) == expected
    assert [p.number for p in paragraphs] == list(range(1, len(expected) + 1))


def test_section_heading_is_context_of_following_paragraphs():
    _, paragraphs = split_document("T\n\nThe Section\n\nOne.\n\nTwo.", "f")
    assert [p.heading for p in paragraphs] == ["The Section", "The Section"]


def test_overlong_block_is_split_at_sentence_ends():
    block = " ".join(f"Sentence number {i} is here." for i in range(2000))
    _, paragraphs = split_document("Title\n\n" + block, "f")
    assert len(paragraphs) > 1
    assert all(len(p.text) <= 3000 for p in paragraphs)
    assert " ".join(texts(paragraphs)) == block


def test_sample_briefing_keeps_content_and_drops_boilerplate():
    documents, skipped = read_corpus(SAMPLE_CORPUS)
    assert not skipped
    [document] = documents
    assert document.title == "UK Pressures Russia for Compromise in Ukraine Peace Talks"
    joined = " ".join(texts(document.paragraphs))
    assert "Leave a Reply" not in joined and "Back To Top" not in joined
    assert "Starmer Considers Trip" not in joined  # the repeated heading
    assert any("UK and France" in p.text for p in document.paragraphs)


@pytest.mark.parametrize("raw, expected", [
    ("héllo wörld".encode("utf-8"), "héllo wörld"),
    ("héllo wörld".encode("latin-1"), "héllo wörld"),
    ("héllo wörld".encode("utf-16"), "héllo wörld"),
    ("héllo".encode("utf-16-le"), "héllo"),
    ("\ufeffbom text".encode("utf-8"), "bom text"),
    ("“quotes” – dash".encode("cp1252"), "“quotes” – dash"),
])
def test_decode_text(raw, expected):
    assert decode_text(raw) == expected


@pytest.mark.parametrize("raw", [b"", b"   \n ", bytes(range(256)) * 10, b"\x00\x01\x02binary\x00" * 50])
def test_decode_rejects_empty_and_binary(raw):
    with pytest.raises(UnreadableFile):
        decode_text(raw)


def test_unreadable_files_are_skipped_and_named(tmp_path):
    corpus = write_corpus(tmp_path / "c", {"good.txt": "Good\n\nA fine paragraph."})
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(b"\x89PNG\x00\x00\x01" * 100)
    (corpus / "broken.pdf").write_bytes(b"%PDF")
    (corpus / "data.xyz").write_text("not a briefing format", encoding="utf-8")
    (corpus / "~$lock.docx").write_bytes(b"Word lock file")
    (corpus / "nested").mkdir()
    (corpus / "nested" / "deep.md").write_text("# Deep\n\nNested text.", encoding="utf-8")
    documents, skipped = read_corpus(corpus)
    assert [d.source for d in documents] == ["good.txt", "nested/deep.md"]
    reasons = {s.source: s.reason for s in skipped}
    assert set(reasons) == {"empty.txt", "binary.txt", "broken.pdf", "data.xyz"}
    assert "unsupported file type .xyz" in reasons["data.xyz"]
    assert "PDF" in reasons["broken.pdf"]


def test_links_outside_the_corpus_and_loops_are_not_followed(tmp_path):
    outside = write_corpus(tmp_path / "outside", {"secret.txt": "Secret\n\nDo not index."})
    corpus = write_corpus(tmp_path / "c", {"good.txt": "Good\n\nA fine paragraph."})
    (corpus / "link.txt").symlink_to(outside / "secret.txt")
    (corpus / "dirlink").symlink_to(outside)
    (corpus / "loop").symlink_to(corpus)
    documents, _ = read_corpus(corpus)
    assert [d.source for d in documents] == ["good.txt"]


@pytest.mark.parametrize("block, is_heading", [
    ("UK Urges Russia to Compromise for Peace in Ukraine", True),
    ("Starmer Considers Trip to the White House with Zelensky", True),
    ("Short lower line", True),
    ("The country has since announced a full lockdown amid rapidly increasing infection rates", False),
    ("A sentence that ends properly.", False),
])
def test_heading_detection(block, is_heading):
    _, paragraphs = split_document(f"Title\n\n{block}\n\nBody sentence here.", "f")
    assert (paragraphs[0].heading == block) is is_heading
