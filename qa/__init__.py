"""Briefing QA: cited answers from a folder of briefings.

    import qa
    qa.build_index("corpus", "index")
    for passage in qa.retrieve("Which countries committed troops?", k=3):
        print(passage.citation, passage.text)
    print(qa.answer("What did Lavrov say?").to_text())
"""

from .answer import Answer, AnswerSentence, answer
from .api import retrieve
from .build import build_index
from .errors import IndexBusy, IndexDamaged, IndexMismatch, IndexNotFound, QAError
from .types import BuildReport, Passage, SkippedFile

__all__ = [
    "Answer", "AnswerSentence", "answer", "BuildReport", "IndexBusy", "IndexDamaged", "IndexMismatch", "IndexNotFound", "Passage",
    "QAError", "SkippedFile", "build_index", "retrieve",
]
