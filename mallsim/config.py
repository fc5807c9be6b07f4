"""Every knob of the simulator server and its default, in one place.

``SimConfig`` is what ``shopwatch mallsim serve`` builds from its flags, what tests pass to
``start_background`` and what crosses the process boundary (it is a plain picklable dataclass).
Fault knobs are probabilities; ``faults_enabled=False`` turns every one of them off at once
(``effective(name)`` is what the server reads), so a faults-off server is byte-deterministic.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

#: Fault knobs that are probabilities in [0, 1] (see docs/mallsim.md, "Faults").
FAULT_RATES: tuple[str, ...] = (
    # transient: drawn per request from the fault RNG; a retry recovers
    "error_rate",  # 500/502/503/504
    "slow_rate",  # answer after slow_min..slow_max seconds
    "timeout_rate",  # stall for stall_seconds (longer than the crawler's DOWNLOAD_TIMEOUT)
    "truncated_json_rate",  # JSON APIs: 200 with the body cut in half
    # permanent: decided by a hash of the page or link, the same on every request
    "malformed_rate",  # HTML pages served with unclosed tags (lxml still extracts the data)
    "tracking_rate",  # list-page links carry utm_*/spm/share_token; extra "recommended" links
    "session_rate",  # list-page links carry ;jsessionid= or sid=
    "redirect_rate",  # list-page links go through /go/{id} -> 302 -> 301 -> item
    "robots_link_rate",  # list pages link to robots-disallowed /cart/ and /search
    "trap_rate",  # shops whose home links the endless event calendar
)


@dataclass(frozen=True)
class SimConfig:
    """Server settings: address, world, faults, API limits."""

    host: str = "127.0.0.1"
    port: int = 8800  # 0 = let the OS pick a free port (see SimHandle.port)
    seed: int = 7
    merchants: int = 2000
    day: int = 0  # initial value of the day clock (POST /day on the admin host changes it)

    faults_enabled: bool = True
    error_rate: float = 0.01
    slow_rate: float = 0.01
    timeout_rate: float = 0.002
    truncated_json_rate: float = 0.01
    malformed_rate: float = 0.02
    tracking_rate: float = 0.2
    session_rate: float = 0.05
    redirect_rate: float = 0.05
    robots_link_rate: float = 0.1
    trap_rate: float = 0.1
    slow_min: float = 0.5  # seconds
    slow_max: float = 2.0
    stall_seconds: float = 30.0  # timeout fault: stall this long (or until the client leaves)
    huge_page_bytes: int = 8 * 1024 * 1024  # the one oversized page per host; 0 = not linked

    api_rate: float = 200.0  # miniapp requests per second per app_key (token bucket)
    api_burst: float | None = None  # bucket size; None = one second's worth of api_rate

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise ValueError naming the first bad knob."""
        if not isinstance(self.host, str) or not self.host:
            raise ValueError("host must be a non-empty string")
        if not 0 <= int(self.port) <= 65535:
            raise ValueError(f"port must be in 0..65535, got {self.port}")
        if self.merchants < 1:
            raise ValueError(f"merchants must be >= 1, got {self.merchants}")
        if self.day < 0:
            raise ValueError(f"day must be >= 0, got {self.day}")
        for name in FAULT_RATES:
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be a probability in [0, 1], got {value}")
        if self.slow_min < 0 or self.slow_max < self.slow_min:
            raise ValueError(f"need 0 <= slow_min <= slow_max, got {self.slow_min}, {self.slow_max}")
        if self.stall_seconds < 0:
            raise ValueError(f"stall_seconds must be >= 0, got {self.stall_seconds}")
        if self.huge_page_bytes < 0:
            raise ValueError(f"huge_page_bytes must be >= 0, got {self.huge_page_bytes}")
        if not self.api_rate > 0:
            raise ValueError(f"api_rate must be > 0 requests/s, got {self.api_rate}")
        if self.api_burst is not None and self.api_burst < 1:
            raise ValueError(f"api_burst must be >= 1, got {self.api_burst}")

    def effective(self, name: str) -> float:
        """A fault rate as the server applies it: 0 when faults are disabled."""
        if name not in FAULT_RATES:
            raise KeyError(name)
        return float(getattr(self, name)) if self.faults_enabled else 0.0

    @property
    def bucket_size(self) -> float:
        return self.api_burst if self.api_burst is not None else max(1.0, self.api_rate)

    def with_(self, **changes: Any) -> "SimConfig":
        """A copy with some knobs changed (validated)."""
        return replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def knob_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


def no_faults(**changes: Any) -> SimConfig:
    """A faults-off config (deterministic bytes), for tests and benchmarks."""
    return SimConfig(faults_enabled=False, **changes)
