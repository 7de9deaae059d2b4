"""Benchmarks and evaluation (in the checkout, not installed): each module runs as
`python bench/NAME.py` or `python -m qa bench NAME`; evaluate.py and evaluate_answers.py hold the
evaluation-set loading and scoring they share (also `python -m qa eval`)."""
