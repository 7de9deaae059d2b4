"""Ingest: files in the corpus folder become documents of numbered paragraphs.

formats/ reads each file type; documents.py makes paragraphs and metadata; changes.py finds what
changed since the index was built; textfiles.py decodes bytes and names files; dates.py reads
dates; uploads.py adds a file to the corpus folder safely.
"""
