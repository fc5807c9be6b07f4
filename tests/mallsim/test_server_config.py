"""SimConfig: defaults in one place, clear validation errors, the faults master switch."""
from __future__ import annotations

import pickle

import pytest

from mallsim.config import FAULT_RATES, SimConfig, no_faults


def test_defaults() -> None:
    cfg = SimConfig()
    assert (cfg.host, cfg.port, cfg.seed, cfg.merchants, cfg.day) == ("127.0.0.1", 8800, 7, 2000, 0)
    assert cfg.faults_enabled and cfg.api_rate == 200.0
    assert all(0 < getattr(cfg, name) <= 0.2 for name in FAULT_RATES)
    assert cfg.stall_seconds >= 30 and cfg.huge_page_bytes == 8 * 1024 * 1024
    assert pickle.loads(pickle.dumps(cfg)) == cfg  # crosses the process boundary


@pytest.mark.parametrize("changes, message", [
    ({"port": 70000}, "port"),
    ({"port": -1}, "port"),
    ({"merchants": 0}, "merchants"),
    ({"day": -1}, "day"),
    ({"error_rate": -0.1}, "error_rate"),
    ({"slow_rate": 1.5}, "slow_rate"),
    ({"slow_min": 2.0, "slow_max": 1.0}, "slow_min"),
    ({"stall_seconds": -1}, "stall_seconds"),
    ({"huge_page_bytes": -1}, "huge_page_bytes"),
    ({"api_rate": 0}, "api_rate"),
    ({"api_rate": -5}, "api_rate"),
    ({"api_burst": 0.5}, "api_burst"),
    ({"host": ""}, "host"),
])
def test_validation_names_the_bad_knob(changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SimConfig(**changes)


def test_faults_switch_zeroes_every_rate() -> None:
    on = SimConfig(**{name: 1.0 for name in FAULT_RATES})
    off = on.with_(faults_enabled=False)
    assert all(on.effective(name) == 1.0 for name in FAULT_RATES)
    assert all(off.effective(name) == 0.0 for name in FAULT_RATES)
    assert no_faults(port=0).effective("error_rate") == 0.0
    with pytest.raises(KeyError):
        on.effective("port")


def test_bucket_size_defaults_to_one_second_of_rate() -> None:
    assert SimConfig(api_rate=50).bucket_size == 50
    assert SimConfig(api_rate=0.5).bucket_size == 1
    assert SimConfig(api_rate=50, api_burst=3).bucket_size == 3
