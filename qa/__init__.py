"""Briefing QA: cited answers from a folder of briefings.

    import qa
    qa.build_index("corpus", "index")
    for passage in qa.retrieve("Which countries committed troops?", k=3):
        print(passage.citation, passage.text)
    print(qa.answer("What did Lavrov say?").to_text())
    qa.retrieve("ceasefire terms", since="2025-03-01", sources="*.pdf")  # filters
"""

from qa.answers.answer import Answer, AnswerSentence, answer
from qa.answers.short_answer import AnswerItem
from qa.api import retrieve
from qa.index.build import build_index
from qa.errors import (IndexBusy, IndexDamaged, IndexMismatch, IndexNotFound, IndexNotWritable,
                     QAError)
from qa.types import BuildReport, Occurrence, Passage, SkippedFile
from qa.answers.typos import Correction

__all__ = [
    "Answer", "AnswerItem", "AnswerSentence", "BuildReport", "Correction", "IndexBusy", "IndexDamaged",
    "IndexMismatch", "IndexNotFound", "IndexNotWritable", "Occurrence", "Passage", "QAError",
    "SkippedFile", "answer", "build_index",
    "retrieve",
]
