"""Money and carbon per finding: the arithmetic by hand, every conversion, the configuration.

Figures are recomputed here from data/measurements.csv and data/constants.csv with the csv
module, independently of ecolint's evidence layer.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ecolint.cli import main
from ecolint.evidence.cost import equivalents, tariff, volume
from ecolint.evidence.dataset import gpus, measurements
from ecolint.workload import WorkloadError, parse_workload

DATA = Path(__file__).resolve().parent.parent / "data"
MISTRAL_INT8 = (
    "from transformers import AutoModelForCausalLM, BitsAndBytesConfig\n"
    "cfg = BitsAndBytesConfig(load_in_8bit=True)\n"
    'model = AutoModelForCausalLM.from_pretrained("mistralai/Mistral-7B-Instruct-v0.3",'
    " quantization_config=cfg)\n"
)


def csv_row(line: int) -> dict[str, str]:
    with (DATA / "measurements.csv").open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            if reader.line_num == line:
                return row
    raise KeyError(line)


def constant(key: str) -> float:
    with (DATA / "constants.csv").open(newline="", encoding="utf-8") as handle:
        return next(float(row["value"]) for row in csv.DictReader(handle) if row["key"] == key)


def check_json(tmp_path: Path, *options: str) -> dict:  # type: ignore[type-arg]
    (tmp_path / "serve.py").write_text(MISTRAL_INT8, encoding="utf-8")
    result = CliRunner().invoke(
        main, ["check", str(tmp_path / "serve.py"), "--format", "json", *options]
    )
    assert result.exit_code == 1, result.output
    return json.loads(result.output)


def test_cost_of_a_finding_end_to_end_by_hand(tmp_path: Path) -> None:
    """ECO101 on Mistral-7B-Instruct-v0.3, RTX 4090D, 10,000 requests a day, region us."""
    document = check_json(tmp_path, "--requests-per-day", "10000")
    cost = document["findings"][0]["evidence"]["cost"]
    assert cost["rows"] == [26, 25]
    # The two same-session rows (pure_int8_metadata.json): INT8 default 7401, FP16 5661 J/1k.
    assert float(csv_row(26)["energy_j_per_1k_tok"]) == 7401
    assert float(csv_row(25)["energy_j_per_1k_tok"]) == 5661
    delta_j_per_1k = 7401 - 5661  # 1740 J per 1000 generated tokens
    # Tokens: 10,000 requests/day × 30 days × 256 generated tokens (protocol.max_new_tokens).
    assert constant("protocol.max_new_tokens") == 256
    tokens = 10_000 * 30 * 256  # 76,800,000 tokens a month
    # Energy: 1740 J/1k × 76,800 thousand tokens = 133,632,000 J; PUE 1.0 (a GeForce card,
    # pue.local_default); 1 kWh = 3,600,000 J.
    assert constant("pue.local_default") == 1.0
    kwh = delta_j_per_1k * tokens / 1000 * 1.0 / 3_600_000  # 37.12 kWh
    assert kwh == pytest.approx(37.12)
    # Money: 37.12 kWh × $0.12 (electricity_usd_per_kwh.us_average) = $4.4544.
    assert constant("electricity_usd_per_kwh.us_average") == 0.12
    usd = kwh * 0.12
    # Carbon: 37.12 kWh × 390 g (grid_gco2_per_kwh.us_average) = 14,476.8 g = 14.4768 kg.
    assert constant("grid_gco2_per_kwh.us_average") == 390
    kg = kwh * 390 / 1000
    # Equivalents (data/equivalents.csv, US EPA): 3.93e-4 t CO2E per mile ÷ 1.609344 km per
    # mile = 244.2 g per km; 1.24e-5 t CO2 per smartphone charge = 12.4 g.
    km = kg * 1000 / (393 / 1.609344)
    charges = kg * 1000 / 12.4
    month = cost["per_month"]
    assert cost["assumptions"]["tokens_per_month"] == tokens
    assert month["kwh"] == pytest.approx(kwh, abs=1e-3)
    assert month["usd"] == pytest.approx(usd, abs=0.01)
    assert month["kg_co2"] == pytest.approx(kg, abs=1e-3)
    assert month["km_driven"] == pytest.approx(km, abs=0.1)
    assert month["smartphone_charges"] == round(charges)
    assert document["summary"]["cost"]["per_month"]["kwh"] == pytest.approx(kwh, abs=1e-3)


def test_equivalence_factors_cite_their_public_source() -> None:
    with (DATA / "equivalents.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        assert row["source"] and row["quote"], row["key"]
    factors = equivalents()
    assert factors["epa.tco2e_per_mile_driven"].value == 3.93e-4
    assert "3.93 x 10-4" in factors["epa.tco2e_per_mile_driven"].quote
    assert factors["epa.tco2_per_smartphone_charge"].value == 1.24e-5
    assert factors["epa.tco2e_per_mile_driven"].source.startswith("https://www.epa.gov/")


def test_other_sessions_give_the_range(tmp_path: Path) -> None:
    """1,000,000 tokens a month: kWh = ΔJ per 1k tokens × 1000 / 3.6e6 for every session."""
    evidence = check_json(tmp_path, "--tokens-per-month", "1000000")["findings"][0]["evidence"]
    sessions = [[26, 25]] + [other["rows"] for other in evidence["other_sessions"]]
    deltas = [
        float(csv_row(quant)["energy_j_per_1k_tok"]) - float(csv_row(base)["energy_j_per_1k_tok"])
        for quant, base in sessions
    ]
    low, high = evidence["cost"]["range"]["kwh"]
    assert len(sessions) > 1
    assert low == pytest.approx(min(deltas) * 1000 / 3.6e6, abs=1e-3)
    assert high == pytest.approx(max(deltas) * 1000 / 3.6e6, abs=1e-3)


@pytest.mark.parametrize(
    ("table", "tokens", "key"),
    [
        ({"chinese_chars_per_month": 1_000_000}, 500_000, "nl_conversion.chinese_chars_per_token"),
        ({"text_gb_per_month": 1}, 250_000_000, "nl_conversion.english_tokens_per_gb_text"),
        (
            {"users_per_day": 10_000},
            10_000 * 5 * 30 * 256,
            "nl_conversion.requests_per_user_per_day",
        ),
        ({"requests_per_month": 1000, "generated_tokens": 100}, 100_000, None),
    ],
)
def test_natural_conversions_show_the_constant_they_use(
    table: dict[str, float], tokens: float, key: str | None
) -> None:
    found = volume(parse_workload(table))
    assert found is not None and found.tokens_per_month == tokens
    text = " ".join(step.render("en") for step in found.steps)
    if key:
        assert key in text
    assert any("字" in step.render("zh") or "token" in step.render("zh") for step in found.steps)


def test_hours_per_day_use_the_row_throughput() -> None:
    row = next(row for row in measurements() if row.line == 26)
    found = volume(parse_workload({"hours_per_day": 8}), row)
    assert found is not None
    assert found.tokens_per_month == 8 * 3600 * float(csv_row(26)["throughput_tok_s"]) * 30
    assert "row 26" in found.steps[0].render("en")


def test_region_pue_and_explicit_prices() -> None:
    rtx, a800 = gpus()["rtx4090d"], gpus()["a800"]
    china = tariff(parse_workload({"region": "china"}), a800)
    assert china.usd_per_kwh.value == constant("electricity_usd_per_kwh.china_industrial")
    assert china.gco2_per_kwh.value == constant("grid_gco2_per_kwh.china_average")
    assert china.pue.value == constant("pue.cloud_default")
    assert tariff(parse_workload({}), rtx).pue.value == constant("pue.local_default")
    france = tariff(parse_workload({"region": "france"}), rtx)
    assert france.usd_per_kwh is None and france.gco2_per_kwh.value == 56
    own = tariff(parse_workload({"usd_per_kwh": 0.3, "gco2_per_kwh": 100, "pue": 1.5}), rtx)
    assert (own.usd_per_kwh.value, own.gco2_per_kwh.value, own.pue.value) == (0.3, 100, 1.5)
    assert own.usd_per_kwh.source == "workload.usd_per_kwh"


def test_region_without_a_price_says_so(tmp_path: Path) -> None:
    cost = check_json(tmp_path, "--requests-per-day", "100", "--region", "norway")
    finding = cost["findings"][0]["evidence"]["cost"]
    assert finding["per_month"]["usd"] is None
    assert any("no electricity price" in note for note in finding["notes"])


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"requests_per_day": -5}, "'requests_per_day' must be a number ≥ 0"),
        ({"batch_size": 0}, "'batch_size' must be a whole number ≥ 1"),
        ({"region": "mars"}, "'region' must be one of us, eu, china, france, norway, india"),
        ({"pue": 0.5}, "'pue' must be a number ≥ 1 or one of cloud, local"),
        ({"requests_per_day": 1, "tokens_per_month": 2}, "give only one of"),
        ({"requests": 1}, "unknown key 'requests' (known keys: requests_per_month"),
        ({"hours_per_day": 25}, "'hours_per_day' must be at most 24"),
    ],
)
def test_bad_workload_values_name_the_key(table: dict[str, object], message: str) -> None:
    with pytest.raises(WorkloadError, match=None) as error:
        parse_workload(table)
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[tool.ecolint.workload]\nrequests_per_day = -1\n", "workload: 'requests_per_day'"),
        ("[tool.ecolint.workload]\nregion = 'moon'\n", "'region' must be one of"),
        ("[tool.ecolint]\nworkload = 3\n", "'workload' must be a table"),
        ("[tool.ecolint]\nlang = 'fr'\n", "'lang' must be one of en, zh"),
    ],
)
def test_bad_workload_config_exits_2(tmp_path: Path, toml: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(toml, encoding="utf-8")
    (tmp_path / "serve.py").write_text(MISTRAL_INT8, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(tmp_path / "serve.py")])
    assert result.exit_code == 2
    assert message in result.output


def test_negative_counts_on_the_command_line_exit_2(tmp_path: Path) -> None:
    (tmp_path / "serve.py").write_text(MISTRAL_INT8, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--requests-per-day", "-3"])
    assert result.exit_code == 2
    assert "--requests-per-day must be a number ≥ 0" in result.output


def test_configured_workload_and_text_summary(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.ecolint.workload]\nrequests_per_day = 10000\nregion = 'eu'\n", encoding="utf-8"
    )
    (tmp_path / "serve.py").write_text(MISTRAL_INT8, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(tmp_path / "serve.py")])
    assert "cost: 37.1 kWh, $8.17, 8.54 kg CO2 per month" in result.output
    assert "Monthly waste of 1 finding in 1 file: " in result.output
    assert "region eu: $0.22/kWh, 230 gCO2/kWh" in result.output


def test_without_a_workload_cost_is_null(tmp_path: Path) -> None:
    document = check_json(tmp_path)
    assert document["findings"][0]["evidence"]["cost"] is None
    assert document["summary"]["cost"] is None


def test_batch_findings_cost_the_batch_size_1_row_against_the_batched_one() -> None:
    notebook = DATA.parent / "examples" / "faq_eval.ipynb"
    result = CliRunner().invoke(
        main, ["check", str(notebook), "--format", "json", "--tokens-per-month", "1000000"]
    )
    findings = json.loads(result.output)["findings"]
    (batch,) = [finding for finding in findings if finding["code"] == "ECO202"]
    cost = batch["evidence"]["cost"]
    base, quant = cost["rows"]  # as written (batch size 1), then the fix
    assert csv_row(base)["batch_size"] == "1" and int(csv_row(quant)["batch_size"]) > 1
    waste = float(csv_row(base)["energy_j_per_1k_tok"]) - float(
        csv_row(quant)["energy_j_per_1k_tok"]
    )
    assert cost["delta_j_per_1k_tok"] == pytest.approx(waste) and waste > 0
    assert cost["per_month"]["kwh"] == pytest.approx(waste * 1000 / 3.6e6, abs=1e-3)


def test_markdown_summary_shows_monthly_and_yearly_cost(tmp_path: Path) -> None:
    (tmp_path / "serve.py").write_text(MISTRAL_INT8, encoding="utf-8")
    result = CliRunner().invoke(
        main,
        [
            "check",
            str(tmp_path / "serve.py"),
            "--format",
            "markdown",
            "--requests-per-day",
            "10000",
        ],
    )
    section = result.output.split("### Estimated yearly energy and cost", 1)[1]
    assert "**Per month** (1 finding in 1 file," in section and "37.1 kWh, $4.45" in section
    # 37.12 kWh × 12 months = 445.4 kWh; $4.4544 × 12 = $53.45.
    assert "**Per year** (× 12): 445 kWh, $53.45" in section
    assert "| per month |" in result.output
