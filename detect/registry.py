"""Which campaigns exist and which are enabled: the shipped ones (``campaigns/`` at the repository
root) plus those added by operators (copied into ``DATA_DIR/campaigns/``), and a small state file
recording disabled ids. Adding a file validates it first, so a broken file never gets in.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Iterable

from crawler.errors import UserError
from detect.campaign import Campaign, load_campaign

#: Shipped campaign files (legal basis in their comments): the repository's ``campaigns/``, or
#: ``SHOPWATCH_SHIPPED_CAMPAIGNS`` where the package is installed away from the checkout (the
#: Docker image sets it).
SHIPPED_DIR = Path(os.environ.get("SHOPWATCH_SHIPPED_CAMPAIGNS")
                   or Path(__file__).resolve().parents[1] / "campaigns")


def shipped_campaigns(directory: Path = SHIPPED_DIR) -> list[Campaign]:
    if not directory.is_dir():  # a wheel install without the checkout: say so, never run silently empty
        raise UserError(f"shipped campaigns not found at {directory}: set SHOPWATCH_SHIPPED_CAMPAIGNS "
                        f"to the repository's campaigns/ directory")
    return [load_campaign(p) for p in sorted(directory.glob("*.yaml"))]


class CampaignRegistry:
    def __init__(self, data_dir: str | Path, shipped_dir: Path = SHIPPED_DIR) -> None:
        self.shipped_dir = Path(shipped_dir)
        self.added_dir = Path(data_dir) / "campaigns"
        self.state_path = self.added_dir / "state.json"

    # --- state ------------------------------------------------------------------------------

    def _disabled(self) -> set[str]:
        try:
            data = json.loads(self.state_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return set()
        except (OSError, ValueError) as exc:
            raise UserError(f"{self.state_path}: unreadable campaign state ({exc}); fix or delete the file") from None
        return set(data.get("disabled", [])) if isinstance(data, dict) else set()

    def _write_state(self, disabled: set[str]) -> None:
        self.added_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.added_dir, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"disabled": sorted(disabled)}, out)
        os.replace(tmp, self.state_path)

    # --- queries ----------------------------------------------------------------------------

    def _load_all(self) -> dict[str, Campaign]:
        found: dict[str, Campaign] = {}
        if not self.shipped_dir.is_dir():
            shipped_campaigns(self.shipped_dir)  # raises, naming the directory
        for directory in (self.shipped_dir, self.added_dir):
            for path in sorted(directory.glob("*.yaml")) if directory.is_dir() else ():
                campaign = load_campaign(path)
                if campaign.id in found:
                    raise UserError(f"{path}: campaign id {campaign.id!r} is also defined in {found[campaign.id].source}")
                found[campaign.id] = campaign
        return found

    def list(self) -> list[Campaign]:
        """Every campaign, with ``enabled`` reflecting both the file and ``disable``."""
        disabled = self._disabled()
        return [_with_enabled(c, c.enabled and c.id not in disabled) for c in self._load_all().values()]

    def get(self, campaign_id: str) -> Campaign:
        for campaign in self.list():
            if campaign.id == campaign_id:
                return campaign
        known = ", ".join(c.id for c in self.list()) or "none"
        raise UserError(f"no campaign {campaign_id!r} (known: {known})")

    def enabled(self) -> list[Campaign]:
        return [c for c in self.list() if c.enabled]

    def select(self, wanted: Iterable[str], today: date, setting: str = "SHOPWATCH_CAMPAIGNS") -> list[Campaign]:
        """The enabled campaigns active on ``today``, or only the ``wanted`` ones of them. Why an
        error and not a quiet subset: a crawl told to watch a campaign that cannot run would
        report no hits and look clean. The message names every bad id and why it cannot run."""
        every = {c.id: c for c in self.list()}
        runnable = [c for c in every.values() if c.enabled and c.active_on(today)]
        ids = [w.strip() for w in wanted if w.strip()]
        if not ids:
            return runnable
        problems = []
        for bad in dict.fromkeys(ids):
            c = every.get(bad)
            if c is None:
                problems.append(f"{bad!r} is no campaign")
            elif not c.enabled:
                problems.append(f"{bad!r} is disabled (shopwatch campaign enable {bad})")
            elif not c.active_on(today):
                problems.append(f"{bad!r} is not active on {today.isoformat()} (its period)")
        if problems:
            known = ", ".join(c.id for c in runnable) or "none"
            raise UserError(f"{setting}: {'; '.join(problems)}; campaigns that can run: {known}")
        return [c for c in runnable if c.id in ids]

    def is_shipped(self, campaign: Campaign) -> bool:
        return campaign.source is not None and campaign.source.parent == self.shipped_dir

    # --- changes ----------------------------------------------------------------------------

    def add(self, path: str | Path) -> Campaign:
        """Validate ``path`` and copy it in; re-adding an added campaign's id replaces it."""
        campaign = load_campaign(path)
        existing = {c.id: c for c in self._load_all().values()}
        if campaign.id in existing and self.is_shipped(existing[campaign.id]):
            raise UserError(f"{path}: campaign id {campaign.id!r} is a shipped campaign; choose another id")
        self.added_dir.mkdir(parents=True, exist_ok=True)
        target = self.added_dir / f"{campaign.id}.yaml"
        old = existing.get(campaign.id)
        if old is not None and old.source is not None and old.source != target and old.source.exists():
            old.source.unlink()
        fd, tmp = tempfile.mkstemp(dir=self.added_dir, suffix=".tmp")
        os.close(fd)
        shutil.copyfile(path, tmp)
        os.replace(tmp, target)
        self.enable(campaign.id) if campaign.id in self._disabled() else None
        return _with_enabled(load_campaign(target), campaign.enabled)

    def disable(self, campaign_id: str) -> Campaign:
        campaign = self.get(campaign_id)
        self._write_state(self._disabled() | {campaign.id})
        return _with_enabled(campaign, False)

    def enable(self, campaign_id: str) -> Campaign:
        campaign = self.get(campaign_id)
        self._write_state(self._disabled() - {campaign.id})
        return self.get(campaign_id)


def _with_enabled(campaign: Campaign, enabled: bool) -> Campaign:
    from dataclasses import replace

    return campaign if campaign.enabled == enabled else replace(campaign, enabled=enabled)
