"""A small corpus in every format, made by the tests themselves (HTML written, PDF and DOCX built)."""

from __future__ import annotations

import datetime
from pathlib import Path

import docx
from fpdf import FPDF

CEASEFIRE_HTML = """<!doctype html>
<html><head><title>Ceasefire talks resume | Daily Wire Service</title>
<meta property="og:title" content="Ceasefire talks resume">
<meta property="article:published_time" content="2025-03-12T09:00:00Z">
<meta property="og:site_name" content="Daily Wire Service">
<link rel="canonical" href="https://news.example.org/2025/03/ceasefire">
<script>document.title = 'script ran';</script></head>
<body>
<nav><a href="/">Home</a> <a href="/world">World news</a> <a href="/politics">Politics desk</a></nav>
<article><h1>Ceasefire talks resume</h1>
<p>Negotiators from both sides met in Geneva on Tuesday to resume ceasefire talks after a
two-week pause, officials said.</p>
<h2>What was agreed</h2>
<p>The delegations agreed on a prisoner exchange of 200 people and on the reopening of two
humanitarian corridors in the north.</p>
<p>A monitoring mission of 40 observers will be deployed along the contact line within ten days,
the mediators announced.</p>
</article>
<section class="comments"><h3>Comments</h3><p>Great article, totally agree with everything here!</p></section>
<footer>Copyright 2025 Daily Wire Service. All rights reserved.</footer>
</body></html>
"""

WIRE = ("The central bank raised its main interest rate by half a point to 5.5 percent on {day}, "
        "citing persistent inflation in food and energy prices{end}")

FRONT_MATTER_MD = """---
title: Port Strike Update
date: 2025-03-05
source: Harbour Gazette
url: https://harbour.example.com/strike
---
# Port Strike Update

Dock workers in Rotterdam extended their strike into a second week, halting container traffic.

Shipping lines diverted vessels to Antwerp and Hamburg while talks with employers continued.
"""

SANCTIONS_PAGES = [
    ["Sanctions Briefing",
     "The council agreed to extend the asset freeze on twelve banks for another six months, a "
     "decision several members described as overdue.",
     "Officials said the measures would be reviewed again in September, after the summer recess "
     "of the parliament and the next report of the monitors."],
    ["The export ban on dual-use goods was widened to cover drones and their spare parts, with "
     "exemptions for medical equipment.",
     "Customs agencies will share seizure data every month under the new arrangement."],
    ["Analysts expect the measures to cut revenue from oil exports by about a fifth within a "
     "year, according to the policy unit."],
]


def write_html(folder: Path) -> Path:
    path = folder / "ceasefire.html"
    path.write_text(CEASEFIRE_HTML, encoding="utf-8")
    return path


def write_pdf(folder: Path, name: str = "sanctions.pdf", pages=SANCTIONS_PAGES) -> Path:
    """A PDF with a running header and page numbers on every page, as real briefings have."""
    pdf = FPDF()
    pdf.set_title("Sanctions briefing (draft)")
    pdf.set_author("Policy Unit")
    pdf.set_creation_date(datetime.datetime(2025, 2, 20, tzinfo=datetime.timezone.utc))
    pdf.set_font("Helvetica", size=11)
    pdf.set_auto_page_break(False)
    for number, paragraphs in enumerate(pages, start=1):
        pdf.add_page()
        pdf.cell(0, 6, "Policy Unit - restricted", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)
        for text in paragraphs:
            pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(4)
        pdf.set_y(-20)
        pdf.cell(0, 6, f"Page {number} of {len(pages)}", align="C")
    path = folder / name
    pdf.output(str(path))
    return path


def write_scanned_pdf(folder: Path) -> Path:
    """A PDF whose page is only a picture (here: drawn shapes): no text layer."""
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")
    path = folder / "scanned.pdf"
    pdf.output(str(path))
    return path


def write_docx(folder: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("Grain Corridor Update", style="Title")
    document.add_heading("Background", level=1)
    document.add_paragraph("Ships carrying wheat left Odesa under the new corridor arrangement "
                           "for the third week in a row.")
    document.add_heading("Volumes", level=1)
    document.add_paragraph("Exports reached 4.2 million tonnes in February, the highest since the "
                           "corridor opened.")
    table = document.add_table(rows=2, cols=2)
    for row, cells in enumerate([("Port", "Tonnes"), ("Odesa", "2.1 million")]):
        for column, text in enumerate(cells):
            table.cell(row, column).text = text
    document.core_properties.author = "Ministry Desk"
    document.core_properties.title = "Grain update"
    document.core_properties.created = datetime.datetime(2025, 2, 28, 8, 30)
    path = folder / "grain-corridor.docx"
    document.save(str(path))
    return path


def write_format_corpus(folder: Path) -> Path:
    """One briefing in each format, three dated copies of a wire paragraph, and bad files."""
    folder.mkdir(parents=True, exist_ok=True)
    write_html(folder)
    write_pdf(folder)
    write_docx(folder)
    (folder / "port-strike.md").write_text(FRONT_MATTER_MD, encoding="utf-8")
    copies = {
        "2025-01-10-rates.txt": ("Rates Wire", WIRE.format(day="Thursday", end=".")),
        "2025-02-14-markets.txt": ("Markets Morning", WIRE.format(day="Thursday", end="!")),
        "2025-03-01-economy.txt": ("Economy Weekly", WIRE.format(day="Friday", end=".")),
    }
    for name, (title, paragraph) in copies.items():
        (folder / name).write_text(f"{title}\n\n{paragraph}\n\nOther news of {title} here today.\n",
                                   encoding="utf-8")
    write_scanned_pdf(folder)
    (folder / "damaged.docx").write_bytes(b"PK\x03\x04 this is not really a zip archive")
    (folder / "notes.rtf").write_text("{\\rtf1 not read}", encoding="utf-8")
    return folder
