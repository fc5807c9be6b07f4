"""`shopwatch campaign ...` and `shopwatch detect` end to end through the CLI entry point."""
from __future__ import annotations

import json

from crawler.cli import main

CAMPAIGN = """\
id: liquor-618
name: 618 特供酒
rules:
  - id: tegong
    family: misleading_ad
    terms: [特供]
    fields: [title]
"""


def run(capsys, tmp_path, *argv):
    code = main(["--data-dir", str(tmp_path / "data"), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_add_list_show_disable_enable(capsys, tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(CAMPAIGN, encoding="utf-8")
    code, out, _ = run(capsys, tmp_path, "campaign", "add", str(path))
    assert code == 0 and "added campaign 'liquor-618'" in out
    code, out, _ = run(capsys, tmp_path, "campaign", "list")
    assert code == 0
    lines = {line.split()[0]: line for line in out.splitlines()}
    assert set(lines) == {"liquor-618", "tobacco", "fake-patent", "misleading-ad", "licence"}
    assert "added" in lines["liquor-618"] and "shipped" in lines["tobacco"]
    code, out, _ = run(capsys, tmp_path, "campaign", "show", "liquor-618", "--json")
    shown = json.loads(out)
    assert shown["rules"][0]["terms"] == ["特供"] and shown["enabled"] is True
    assert run(capsys, tmp_path, "campaign", "disable", "tobacco")[0] == 0
    _, out, _ = run(capsys, tmp_path, "campaign", "list", "--json")
    enabled = {json.loads(line)["id"]: json.loads(line)["enabled"] for line in out.splitlines()}
    assert enabled["tobacco"] is False and enabled["liquor-618"] is True
    assert run(capsys, tmp_path, "campaign", "enable", "tobacco")[0] == 0
    _, out, _ = run(capsys, tmp_path, "campaign", "show", "tobacco")
    assert "enabled" in out.splitlines()[0]


def test_bad_campaign_file_is_rejected_and_nothing_changes(capsys, tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(CAMPAIGN, encoding="utf-8")
    run(capsys, tmp_path, "campaign", "add", str(good))
    bad = tmp_path / "bad.yaml"
    bad.write_text(CAMPAIGN.replace("family: misleading_ad", "family: ads"), encoding="utf-8")
    code, _, err = run(capsys, tmp_path, "campaign", "add", str(bad))
    assert code == 2 and f"shopwatch: {bad}:5: family: unknown family 'ads'" in err
    _, out, _ = run(capsys, tmp_path, "campaign", "show", "liquor-618", "--json")
    assert json.loads(out)["rules"][0]["family"] == "misleading_ad"  # the added one is intact


def test_shipped_ids_cannot_be_replaced_and_unknown_ids_are_named(capsys, tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(CAMPAIGN.replace("id: liquor-618", "id: tobacco"), encoding="utf-8")
    code, _, err = run(capsys, tmp_path, "campaign", "add", str(path))
    assert code == 2 and "is a shipped campaign" in err
    code, _, err = run(capsys, tmp_path, "campaign", "show", "nope")
    assert code == 2 and "no campaign 'nope' (known:" in err


def test_detect_scans_good_lines_and_reports_broken_ones(capsys, tmp_path):
    listings = tmp_path / "listings.jsonl"
    lines = [
        {"id": "a1", "title": "軟中華 香菸 整條", "description": "", "category": "food", "shop_name": "x"},
        "{broken json",
        ["not", "an", "object"],
        {"title": "no id"},
        {"id": "a2", "title": "方太吸油烟机", "category": "appliances"},
        {"id": "a3", "title": "保温杯", "description": "国家专利产品", "extra": {"ignored": True}},
        {"id": "a4", "title": 12},
    ]
    listings.write_text("\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines)
                        + "\n", encoding="utf-8")
    hits = tmp_path / "hits.jsonl"
    code, _, err = run(capsys, tmp_path, "detect", "--input", str(listings), "--output", str(hits))
    assert code == 1  # some lines were skipped; the rest were scanned
    assert f"{listings}:2: not valid JSON" in err
    assert f"{listings}:3: expected a JSON object" in err
    assert f"{listings}:4: no 'id'" in err
    assert f"{listings}:7: title must be text" in err
    assert "3 listings scanned, 4 lines skipped" in err
    rows = [json.loads(line) for line in hits.read_text(encoding="utf-8").splitlines()]
    assert {r["id"] for r in rows} == {"a1", "a3"}
    for r in rows:
        assert list(r)[:8] == ["id", "family", "rule", "campaign", "field", "matched", "start", "end"]
    a1 = [r for r in rows if r["id"] == "a1" and r["rule"] == "tobacco-products"]
    assert a1 and a1[0]["matched"] == "香菸" and lines[0]["title"][a1[0]["start"]:a1[0]["end"]] == "香菸"
    assert {r["family"] for r in rows if r["id"] == "a3"} == {"fake_patent"}


def test_detect_with_one_campaign_and_bad_arguments(capsys, tmp_path):
    listings = tmp_path / "l.jsonl"
    listings.write_text(json.dumps({"id": "1", "title": "香烟 全网最低价"}, ensure_ascii=False) + "\n", encoding="utf-8")
    hits = tmp_path / "h.jsonl"
    code, _, _ = run(capsys, tmp_path, "detect", "--input", str(listings), "--output", str(hits),
                     "--campaign", "misleading-ad")
    assert code == 0
    assert {json.loads(x)["family"] for x in hits.read_text(encoding="utf-8").splitlines()} == {"misleading_ad"}
    code, _, err = run(capsys, tmp_path, "detect", "--input", str(tmp_path / "nope.jsonl"), "--output", str(hits))
    assert code == 2 and "cannot read the input" in err
    code, _, err = run(capsys, tmp_path, "detect", "--input", str(listings), "--output", str(hits), "--campaign", "zzz")
    assert code == 2 and "no campaign 'zzz'" in err


def test_missing_shipped_campaigns_are_an_error_naming_the_directory(tmp_path) -> None:
    import pytest

    from crawler.errors import UserError
    from detect.registry import CampaignRegistry

    with pytest.raises(UserError, match="SHOPWATCH_SHIPPED_CAMPAIGNS"):
        CampaignRegistry(tmp_path, shipped_dir=tmp_path / "nowhere").list()
