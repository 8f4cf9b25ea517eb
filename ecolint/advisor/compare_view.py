"""How ``ecolint compare`` reads: the table (every number cell from the row in its last
column, each delta naming its baseline row), a bar chart of the deltas, the winner of each
dimension, the sessions legend and what could not be compared."""

from __future__ import annotations

from typing import Any

from ecolint.advisor import answer_parts
from ecolint.advisor.output import Bar, Block, Bullets, Chart, Heading, Para
from ecolint.advisor.precisions import label
from ecolint.i18n import t
from ecolint.text_table import Mood, Table

COSTED = ("monthly", "monthly_delta")


def blocks(data: dict[str, Any], lang: str) -> list[Block]:
    entries = data["precisions"]
    costed = data["workload"] is not None
    columns = [name for name in answer_parts.COMPARE_COLUMNS if costed or name not in COSTED]
    title = t(
        "compare.title",
        lang,
        model=data["measured_model"],
        gpu=data["measured_gpu"],
        batch=data["batch_size"],
    )
    headers = tuple(t(f"compare.col.{name}", lang) for name in columns)
    rows = tuple(tuple(_cells(entry, lang)[name] for name in columns) for entry in entries)
    found: list[Block] = [Heading(title), Table(headers, rows)]
    bars = tuple(
        Bar(
            f"{entry['label']} ({entry['session']})",
            100.0 + (entry["delta_pct"] or 0.0),
            answer_parts.signed_money(entry["monthly_vs_fp16"], lang, per_month=True),
            entry["mood"],
        )
        for entry in entries
        if entry["kind"] == "paired" or entry["row"] == entries[0]["row"]
    )
    found.append(Chart(t("compare.chart", lang), bars))
    found += [Heading(t("compare.winners", lang)), Bullets(_winner_lines(data, lang))]
    found += _session_blocks(data, lang)
    return found + answer_parts.footer(data, lang)


def _cells(entry: dict[str, Any], lang: str) -> dict[str, str | Mood]:
    if entry["kind"] == "baseline":
        delta = t("compare.baseline", lang)
    elif entry["kind"] == "unpaired":
        delta = t("compare.no_baseline", lang)
    else:
        delta = t("compare.delta", lang, delta=entry["delta_pct"], base=entry["baseline_row"])
    fits = entry["fits"]
    weights = f"{entry['weights_gb']:g}"
    if fits is False:
        weights += " " + t("compare.too_big", lang)
    return {
        "precision": entry["label"],
        "session": entry["session"],
        "throughput": answer_parts.plus_minus(entry["throughput_tok_s"], entry["throughput_std"]),
        "power": answer_parts.maybe(entry["power_w"]),
        "energy": answer_parts.plus_minus(
            entry["energy_j_per_1k_tok"], entry["energy_j_per_1k_tok_std"]
        ),
        "delta": delta,
        "tokens_per_joule": answer_parts.maybe(entry["tokens_per_joule"]),
        "weights": weights,
        "monthly": answer_parts.money_text(entry["monthly"], lang),
        "monthly_delta": answer_parts.signed_money(entry["monthly_vs_fp16"], lang),
        "mood": Mood(entry["mood"]),
        "confidence": entry["confidence"],
        "row": str(entry["row"]),
    }


def _winner_lines(data: dict[str, Any], lang: str) -> tuple[str, ...]:
    lines = []
    for dimension, winner in data["winners"].items():
        if winner is None:
            lines.append(t(f"compare.winner.{dimension}.none", lang))
            continue
        key = f"compare.winner.{dimension}"
        if dimension == "energy" and winner["baseline_row"] is None:
            key = "compare.winner.energy.baseline"
        text = t(
            key,
            lang,
            label=winner["label"],
            value=winner["value"],
            row=winner["row"],
            base=winner["baseline_row"] or winner["row"],
            session=winner["session"],
        )
        if winner["cross_session"]:
            text += " " + t(
                f"compare.cross_session.{dimension}",
                lang,
                sessions=", ".join(winner["sessions_compared"]),
            )
        lines.append(text)
    too_big = [entry for entry in data["precisions"] if entry["fits"] is False]
    for entry in too_big:
        lines.append(
            t(
                "compare.not_fitting",
                lang,
                label=entry["label"],
                row=entry["row"],
                weights=entry["weights_gb"],
                vram=data["vram_gb"],
                gpu=data["gpu"],
            )
        )
    return tuple(lines)


def _session_blocks(data: dict[str, Any], lang: str) -> list[Block]:
    sessions = data["sessions"]
    found: list[Block] = [Heading(t("compare.sessions", lang))]
    items = []
    for session in sessions:
        key = "compare.session" if session["baseline_row"] else "compare.session_no_fp16"
        items.append(
            t(
                key,
                lang,
                id=session["id"],
                source=session["source"],
                commit=session["commit"][:7],
                base=session["baseline_row"],
            )
        )
    found.append(Bullets(tuple(items)))
    if len(sessions) > 1:
        found.append(Para(t("compare.sessions_note", lang)))
    if data["other_sessions"]:
        others = tuple(
            t(
                "compare.other_session",
                lang,
                label=label(other["precision"], lang),
                delta=other["delta_pct"],
                row=other["rows"][0],
                base=other["rows"][1],
            )
            for other in data["other_sessions"]
        )
        found += [Heading(t("compare.other_sessions", lang)), Bullets(others)]
    if data["unpaired_rows"]:
        loose = tuple(
            t("compare.unpaired", lang, label=label(row["precision"], lang), row=row["row"])
            for row in data["unpaired_rows"]
        )
        found.append(Bullets(loose))
    return found
