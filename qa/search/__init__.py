"""Search: a question becomes ranked passages.

hybrid.py fuses dense and BM25 (lexical.py) candidates, narrowed by filters.py, collapsing
near-duplicates (duplicates.py), and re-ranked by the learned reader (rerank.py).
"""
