"""Training of the learned reader (qa.answers.reader), outside the installed package.

    python -m training.negatives   # hard negatives from this project's own retrieval (cached)
    python -m training.train       # fine-tune, checkpointing under ~/.cache/briefing-qa/training
    python -m training.evaluate    # EM / F1 / no-answer accuracy on each validation part
    python -m training.export      # int8 ONNX into qa/models/reader, checked against PyTorch

See training/README.md.
"""
