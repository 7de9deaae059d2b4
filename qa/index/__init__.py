"""Index: documents become stored passages with their vectors, BM25 tokens and duplicate groups.

build.py brings the index up to date (workers.py reads files in worker processes); encoder.py and
onnx_backend.py embed; derive.py computes what is stored beside each passage's text; stores/ keeps
it (files or PostgreSQL behind one contract); catalog.py and status.py report what it holds.
"""
