"""Answers: ranked passages become a cited answer.

answer.py composes it; reader/ is the learned span reader; short_answer.py and sentences.py shape
the short answer, list items and sentences; confidence.py decides whether to decline;
follow_ups.py, typos.py, spelling.py and countries.py read the question and merge names.
"""
