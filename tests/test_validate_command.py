"""``volunteer-hub validate``: JSON shape, exit codes, truncated feeds reported item by item."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers import fpxml

ITEMS = [(f"v-{n}", f"Mission {n}") for n in range(5)]


def validate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "volunteer_hub.cli", "validate", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_clean_feed_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "ok.xml"
    path.write_text(fpxml(ITEMS))
    out = validate(str(path), "--json")
    result = json.loads(out.stdout)
    assert out.returncode == 0 and (result["format"], result["items"], result["valid"]) == ("fpxml", 5, 5)
    assert set(result) >= {"format", "items", "valid", "errors", "warnings"}


def test_item_errors_exit_1_with_lines(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text(fpxml(ITEMS).replace("<title>Mission 2</title>", "<title></title>"))
    out = validate(str(path), "--json")
    result = json.loads(out.stdout)
    assert out.returncode == 1 and result["valid"] == 4
    assert [(e["item"], e["field"]) for e in result["errors"]] == [("v-2", "title")]
    assert result["errors"][0]["line"] > 1


def test_truncated_feed_reports_what_was_read(tmp_path: Path) -> None:
    path = tmp_path / "cut.xml"
    text = fpxml(ITEMS)
    path.write_text(text[: text.index("<VolunteerOpportunity>", text.index("v-3")) - 1] + "<Volunt")
    out = validate(str(path), "--json")
    result = json.loads(out.stdout)
    assert out.returncode == 1 and result["items"] == result["valid"] >= 3
    assert result["errors"][-1]["field"] == "feed" and "malformed" in result["errors"][-1]["message"]


def test_unreadable_input_exits_2(tmp_path: Path) -> None:
    for content in (b"", b"\x89PNG\r\n\x1a\n\x00\x00", b"<FootprintFeed><Volunt"):
        path = tmp_path / "x.bin"
        path.write_bytes(content)
        out = validate(str(path))
        assert out.returncode == 2, (content, out.stdout, out.stderr)
    assert validate(str(tmp_path / "missing.xml")).returncode == 2


def test_moderation_findings_name_the_item_and_its_line(tmp_path: Path) -> None:
    """A paid job offer among volunteer missions: validate says what would be hidden, where."""
    long = "Help sort donations at the food bank and prepare parcels with the team, every Tuesday morning."
    paid = (
        "Contrat : CDI à temps plein, salaire de 1 900 € brut par mois. "
        "Vous préparez les colis et gérez le stock de la banque alimentaire."
    )
    text = fpxml(ITEMS[:3] + [("v-job", "Préparateur de commandes (H/F)")]).replace(
        "Help sort donations at the food bank.", long
    )
    job_at = text.index("<volunteerOpportunityID>v-job<")
    text = text[:job_at] + text[job_at:].replace(long, paid, 1)
    path = tmp_path / "paid.xml"
    path.write_text(text)
    job_line = text[: text.rindex("<VolunteerOpportunity>", 0, job_at)].count("\n") + 1

    out = validate(str(path), "--json")
    result = json.loads(out.stdout)
    assert out.returncode == 0 and result["valid"] == 4  # valid XML: moderation is not an error
    findings = {(m["item"], m["code"], m["action"]): m for m in result["moderation"]}
    assert set(findings) == {("v-job", "job-offer", "hide"), ("v-job", "paid-work", "flag")}
    assert {m["line"] for m in findings.values()} == {job_line} and job_line > 1
    assert "contract" in findings[("v-job", "job-offer", "hide")]["message"]

    lines = validate(str(path)).stdout.splitlines()
    assert any(
        line.strip().startswith(f"would be hidden: line {job_line}, item v-job, job-offer:") for line in lines
    ), lines
    assert any(line.strip().startswith(f"flagged: line {job_line}, item v-job, paid-work:") for line in lines)
