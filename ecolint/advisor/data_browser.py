"""``ecolint data``: the measured rows behind every figure, their sources and commits, and the
contradictions PROVENANCE.md records for them."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ecolint.advisor import answer_parts
from ecolint.advisor.context import AdvisorError, Context
from ecolint.advisor.output import Answer, Block, Bullets, Heading, Para
from ecolint.advisor.precisions import normalise
from ecolint.evidence.contradictions import concerning
from ecolint.evidence.dataset import Row, data_version, measurements
from ecolint.evidence.gpus import resolve_gpu
from ecolint.i18n import t
from ecolint.text_table import Table

COLUMNS = ("row", "gpu", "model", "precision", "batch", "throughput", "power", "energy", "source")


def _row(row: Row) -> dict[str, Any]:
    return {
        "row": row.line,
        "gpu": row.gpu,
        "model_id": row.model_id,
        "params_b": row.params_b,
        "precision": row.precision,
        "batch_size": row.batch_size,
        **answer_parts.figures(row),
        "n_runs": row.n_runs,
        "stack": row.stack,
        "source": f"{row.source_repo}:{row.source_path}",
        "commit": row.source_commit,
        "note": row.note,
    }


def answer(
    context: Context, gpu_filter: str | None, model: str | None, precision: str | None
) -> Answer:
    lang = context.lang
    rows = list(measurements())
    if gpu_filter:
        key = resolve_gpu(gpu_filter).key
        rows = [row for row in rows if row.gpu == key]
    if model:
        rows = [row for row in rows if model.lower() in row.model_id.lower()]
    if precision:
        wanted = normalise(precision, lang)
        rows = [row for row in rows if row.precision == wanted]
    if not rows:
        raise AdvisorError(t("data.empty", lang))
    sources = Counter((row.source_repo, row.source_path, row.source_commit) for row in rows)
    data: dict[str, Any] = {
        "command": "data",
        "data_version": data_version(),
        "lang": lang,
        "filters": {"gpu": gpu_filter, "model": model, "precision": precision},
        "rows": [_row(row) for row in rows],
        "sources": [
            {"source": f"{repo}:{path}", "commit": commit, "rows": count}
            for (repo, path, commit), count in sources.items()
        ],
        "contradictions": [
            {"number": item.number, "title": item.title, "text": item.text, "rows": lines}
            for item, lines in concerning(rows)
        ],
    }
    return Answer(data, _blocks(data, lang))


def _blocks(data: dict[str, Any], lang: str) -> list[Block]:
    table = tuple(
        (
            str(row["row"]),
            row["gpu"],
            row["model_id"],
            row["precision"],
            answer_parts.maybe(row["batch_size"]),
            answer_parts.plus_minus(row["throughput_tok_s"], row["throughput_std"]),
            answer_parts.maybe(row["power_w"]),
            answer_parts.plus_minus(row["energy_j_per_1k_tok"], row["energy_j_per_1k_tok_std"]),
            row["source"].rsplit("/", 1)[-1],
        )
        for row in data["rows"]
    )
    blocks: list[Block] = [
        Heading(t("data.title", lang, count=len(data["rows"]), version=data["data_version"])),
        Table(tuple(t(f"data.col.{name}", lang) for name in COLUMNS), table),
        Heading(t("data.sources", lang)),
        Bullets(
            tuple(
                t(
                    "data.source",
                    lang,
                    source=s["source"],
                    commit=s["commit"] or "—",
                    rows=s["rows"],
                )
                for s in data["sources"]
            )
        ),
    ]
    if data["contradictions"]:
        items = tuple(
            t("data.contradiction", lang, text=item["text"], rows=_lines(item["rows"]))
            for item in data["contradictions"]
        )
        blocks += [Heading(t("data.contradictions", lang)), Bullets(items)]
    blocks.append(Para(t("data.provenance", lang)))
    return blocks


def _lines(lines: list[int]) -> str:
    shown = ", ".join(str(line) for line in lines[:12])
    return shown + (f", … (+{len(lines) - 12})" if len(lines) > 12 else "")
