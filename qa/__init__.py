"""Briefing QA: cited answers from a folder of briefings.

    import qa
    qa.build_index("corpus", "index")
    for passage in qa.retrieve("Which countries committed troops?", k=3):
        print(passage.citation, passage.text)
    print(qa.answer("What did Lavrov say?").to_text())
    qa.retrieve("ceasefire terms", since="2025-03-01", sources="*.pdf")  # filters
"""

from .answer import Answer, AnswerSentence, answer
from .short_answer import AnswerItem
from .api import retrieve
from .build import build_index
from .errors import (IndexBusy, IndexDamaged, IndexMismatch, IndexNotFound, IndexNotWritable,
                     QAError)
from .types import BuildReport, Occurrence, Passage, SkippedFile
from .typos import Correction

__all__ = [
    "Answer", "AnswerItem", "AnswerSentence", "BuildReport", "Correction", "IndexBusy", "IndexDamaged",
    "IndexMismatch", "IndexNotFound", "IndexNotWritable", "Occurrence", "Passage", "QAError",
    "SkippedFile", "answer", "build_index",
    "retrieve",
]
