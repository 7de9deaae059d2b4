"""Saving uploaded briefings: safe names, no traversal, no overwrite, type and size limits."""

import pytest

from qa.ingest.uploads import (MAX_UPLOAD_BYTES, MAX_UPLOAD_CHARS, MAX_UPLOAD_PARAGRAPHS, UploadRejected,
                        safe_name, save_upload)


@pytest.mark.parametrize("name, expected", [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\..\\windows\\evil.md", "evil.md"),
    ("-rf .txt", "rf.txt"),
    (".hidden.md", "hidden.md"),
    ("résumé 2025.TXT", "résumé 2025.txt"),
    ("<script>.txt", "script.txt"),
    ("....txt", "briefing.txt"),
    ("O'Neil \"report\".txt", "O'Neil 'report'.txt"),
    ("O'Neil %22report%22.txt", "O'Neil 'report'.txt"),  # as a browser sends the quotes
    ("Trump’s plan (draft), v2 & notes.docx", "Trump’s plan (draft), v2 & notes.docx"),
    ("line%0Abreak\tand [glob]*.md", "line_break_and _glob.md"),
])
def test_safe_name(name, expected):
    assert safe_name(name) == expected


def test_save_upload_stays_inside_and_never_overwrites(tmp_path):
    corpus = tmp_path / "corpus"
    one, two = b"One\n\nThe first briefing.\n", b"Two\n\nThe second briefing.\n"
    first = save_upload(corpus, "../outside.txt", one)
    second = save_upload(corpus, "outside.txt", two)
    assert first == corpus.resolve() / "outside.txt" and first.read_bytes() == one
    assert second.name == "outside-1.txt" and second.read_bytes() == two
    assert not (tmp_path / "outside.txt").exists()


@pytest.mark.parametrize("name, size", [("tool.exe", 10), ("noextension", 10), ("big.txt", MAX_UPLOAD_BYTES + 1)])
def test_save_upload_rejects(tmp_path, name, size):
    with pytest.raises(UploadRejected):
        save_upload(tmp_path, name, b"x" * size)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("content, reason", [
    (b"", "empty"),
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" * 64, "binary"),
    (b"# Only a title\n", "no paragraphs"),
])
def test_an_unreadable_upload_is_not_saved_nor_replaces_a_briefing(tmp_path, content, reason):
    corpus = tmp_path / "corpus"
    kept = save_upload(corpus, "notes.txt", b"Harbour notes\n\nThe harbour reopened on Monday.\n")
    for replace in (False, True):
        with pytest.raises(UploadRejected, match=f"'notes.txt' was not added: .*{reason}"):
            save_upload(corpus, "notes.txt", content, replace=replace)
    assert [path.name for path in corpus.iterdir()] == ["notes.txt"]
    assert kept.read_bytes().startswith(b"Harbour notes")


@pytest.mark.parametrize("planted", ["an existing file", "a new file"])
def test_an_upload_never_writes_through_a_planted_link(tmp_path, planted):
    corpus, outside = tmp_path / "corpus", tmp_path / "outside.txt"
    save_upload(corpus, "notes.txt", b"Harbour notes\n\nThe harbour reopened on Monday.\n")
    if planted == "an existing file":
        outside.write_bytes(b"the server's own file")
    (corpus / ".notes.txt.uploading").symlink_to(outside)  # as anyone who may write the corpus could
    saved = save_upload(corpus, "notes.txt", b"Port notes\n\nThe port closed on Friday.\n", replace=True)
    assert saved == corpus.resolve() / "notes.txt" and not saved.is_symlink()
    assert saved.read_bytes().startswith(b"Port notes")
    assert (outside.read_bytes() == b"the server's own file") if planted == "an existing file" \
        else not outside.exists()
    assert sorted(path.name for path in corpus.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize("text, held", [
    ("Long\n\n" + "\n\n".join(f"Paragraph {n} of the report." for n in range(MAX_UPLOAD_PARAGRAPHS + 1)),
     f"{MAX_UPLOAD_PARAGRAPHS + 1:,} paragraphs"),
    ("Long\n\n" + " ".join(f"Ship {n:06d} left the port on Monday." for n in range(MAX_UPLOAD_CHARS // 30)),
     "paragraphs, 1,"),
])
def test_an_upload_with_more_text_than_one_may_hold_is_refused_with_its_reason(tmp_path, text, held):
    with pytest.raises(UploadRejected, match=r"'long.txt' was not added: its text \(") as refused:
        save_upload(tmp_path / "corpus", "long.txt", text.encode())
    assert held in str(refused.value) and "rebuild the index instead" in str(refused.value)
    assert "\n" not in str(refused.value)
    assert not (tmp_path / "corpus").exists()
