"""Shared fixtures: the shipped campaigns loaded once, and a detector over them."""
from __future__ import annotations

from datetime import date

import pytest

from detect.engine import Detector
from detect.registry import shipped_campaigns

#: Fixed "today" so that patent-expiry and future-year checks do not drift with the clock.
TODAY = date(2025, 6, 1)


@pytest.fixture(scope="session")
def campaigns():
    return shipped_campaigns()


@pytest.fixture(scope="session")
def detector(campaigns):
    return Detector(campaigns, today=TODAY)


def families(detector, title="", description="", category="food", shop_name="", platform="weishop"):
    """The set of families the shipped campaigns report for one listing."""
    doc = {"title": title, "description": description, "category": category, "shop_name": shop_name,
           "platform": platform}
    return {m.family for m in detector.scan_listing(doc)}
