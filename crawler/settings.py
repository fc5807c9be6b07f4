"""Every Scrapy and shopwatch setting key with its default, in one place.

Scrapy loads this module through scrapy.cfg (``scrapy crawl`` works as usual); the ``shopwatch``
CLI starts from it too and overrides a few keys from the command line or the environment
(see ``crawler.config``). shopwatch's own keys start with ``SHOPWATCH_``.
"""
from __future__ import annotations

BOT_NAME = "shopwatch"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# --- security -------------------------------------------------------------------------------
# Scrapy 2.19 enables a RemoteControl extension (a local server that can run code): never on.
REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False

# --- simulator host resolution ----------------------------------------------------------------
# "suffix=address" pairs: hosts ending in the suffix resolve to the address, everything else
# goes through the system resolver. The simulator's hosts are *.mallsim.test.
SHOPWATCH_RESOLVE = {"mallsim.test": "127.0.0.1"}
DNS_RESOLVER = "crawler.resolver.MappedResolver"

# --- politeness and robustness ----------------------------------------------------------------
ROBOTSTXT_OBEY = True
USER_AGENT = "shopwatch/0.1 (+market supervision crawler)"
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 16
DOWNLOAD_DELAY = 0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.0
AUTOTHROTTLE_MAX_DELAY = 10.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 16.0
DOWNLOAD_TIMEOUT = 10
DOWNLOAD_MAXSIZE = 4 * 1024 * 1024  # bytes; larger responses are cancelled and counted
DOWNLOAD_WARNSIZE = 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 4
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
DEPTH_LIMIT = 12
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"

# --- pipelines (each step switchable: set its value to None in ITEM_PIPELINES) ---------------
ITEM_PIPELINES: dict[str, int] = {}

# --- back ends (see crawler.config): unset = embedded SQLite store and FTS5 index -------------
SHOPWATCH_DATA_DIR = "data"
SHOPWATCH_STORE = None  # e.g. "sqlite:///data/shopwatch.sqlite" or "mongodb://..."
SHOPWATCH_INDEX = None  # e.g. "fts5:///data/index.sqlite" or "http://127.0.0.1:9201"

# --- simulator credentials (public demo values shown on the simulator's /developer page) ------
SHOPWATCH_MINIAPP_APP_KEY = "sw-demo"
SHOPWATCH_MINIAPP_APP_SECRET = "mallsim-open-secret"

LOG_LEVEL = "INFO"

# --- operators: job records and the live progress line ----------------------------------------
EXTENSIONS = {
    "scrapy.extensions.telnet.TelnetConsole": None,
    "crawler.jobs.JobRecorder": 500,
    "crawler.progress.Progress": 510,
}
SHOPWATCH_JOBS_ENABLED = True
SHOPWATCH_PROGRESS = False  # the CLI turns it on; plain `scrapy crawl` keeps Scrapy's log lines
SHOPWATCH_PROGRESS_INTERVAL = 2.0  # seconds
