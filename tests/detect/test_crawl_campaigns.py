"""SHOPWATCH_CAMPAIGNS naming a campaign that cannot run stops the crawl before it starts."""
from __future__ import annotations

from datetime import date

import pytest
from scrapy.utils.test import get_crawler

from crawler.cli import main
from crawler.errors import UserError
from detect.registry import CampaignRegistry
from pipelines.detect import DetectPipeline


def crawl(capsys, data, *settings):
    argv = ["--data-dir", str(data), "crawl", "weishop", "--port", "9", "--max-pages", "1"]
    for s in settings:
        argv += ["-s", s]
    code = main(argv)
    return code, capsys.readouterr().err


def test_unknown_campaign_is_an_error_naming_it(capsys, tmp_path):
    code, err = crawl(capsys, tmp_path / "data", "SHOPWATCH_CAMPAIGNS=tobacco,nope")
    assert code == 2
    assert err.startswith("shopwatch: SHOPWATCH_CAMPAIGNS: 'nope' is no campaign")
    assert "tobacco" in err.split("campaigns that can run:")[1]  # what the operator can choose
    assert not (tmp_path / "data" / "shopwatch.sqlite").exists()  # the crawl never started


def test_disabled_campaign_is_an_error_naming_it(capsys, tmp_path):
    CampaignRegistry(tmp_path / "data").disable("tobacco")
    code, err = crawl(capsys, tmp_path / "data", "SHOPWATCH_CAMPAIGNS=tobacco")
    assert code == 2
    assert "'tobacco' is disabled (shopwatch campaign enable tobacco)" in err
    assert not (tmp_path / "data" / "shopwatch.sqlite").exists()


def test_detection_off_needs_no_campaign_check(tmp_path):
    settings = {"SHOPWATCH_DATA_DIR": str(tmp_path), "SHOPWATCH_DETECT": False, "SHOPWATCH_CAMPAIGNS": ["nope"]}
    DetectPipeline.check_settings(get_crawler(settings_dict=settings).settings)  # no error


def test_pipeline_built_by_scrapy_refuses_too(tmp_path):
    """``scrapy crawl -s SHOPWATCH_CAMPAIGNS=nope`` (no shopwatch runner): the pipeline raises the
    error instead of NotConfigured, which Scrapy would take as "switch me off"."""
    crawler = get_crawler(settings_dict={"SHOPWATCH_DATA_DIR": str(tmp_path), "SHOPWATCH_CAMPAIGNS": "nope"})
    with pytest.raises(UserError, match="'nope' is no campaign"):
        DetectPipeline.from_crawler(crawler)


def test_select_keeps_only_the_named_campaigns(tmp_path):
    chosen = CampaignRegistry(tmp_path).select(["tobacco", " licence "], date.today())
    assert sorted(c.id for c in chosen) == ["licence", "tobacco"]
    assert len(CampaignRegistry(tmp_path).select([], date.today())) == 4
