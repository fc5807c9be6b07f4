"""Every Scrapy and shopwatch setting key with its default, in one place.

Scrapy loads this module through scrapy.cfg (``scrapy crawl`` works as usual); the ``shopwatch``
CLI starts from it too and overrides a few keys from the command line or the environment
(see ``crawler.config``). shopwatch's own keys start with ``SHOPWATCH_``.
"""
from __future__ import annotations

from scrapy.settings import default_settings as _scrapy_defaults

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
# Also accepted as a JSON object or "suffix=address,..." string (-s on the command line).
SHOPWATCH_RESOLVE = {"mallsim.test": "127.0.0.1"}
# Scrapy 2.19 name of the setting (DNS_RESOLVER is deprecated); installed by CrawlerProcess.
TWISTED_DNS_RESOLVER = "crawler.resolver.MappedResolver"
# Default simulator port for the spiders' start URLs (spider argument -a port=N overrides it).
SHOPWATCH_MALLSIM_PORT = 8800

# --- politeness and robustness ----------------------------------------------------------------
ROBOTSTXT_OBEY = True
USER_AGENT = "shopwatch/0.1 (+market supervision crawler)"
CONCURRENT_REQUESTS = 32  # in flight per crawl; one process is CPU-bound near 260 pages/s anyway
CONCURRENT_REQUESTS_PER_DOMAIN = 16  # per host: each platform is one host
# Items/requests processed in parallel per response. Scrapy 2.19 starts this many asyncio tasks for
# EVERY response; the default 100 costs more CPU than our pipelines (a page yields <= 50 outputs).
CONCURRENT_ITEMS = 16
DOWNLOAD_DELAY = 0  # seconds between requests to one host (AutoThrottle raises it when slow)
AUTOTHROTTLE_ENABLED = True  # adapts per-host delay to latency: a slow server gets fewer requests
AUTOTHROTTLE_START_DELAY = 0.0  # seconds
AUTOTHROTTLE_MAX_DELAY = 10.0  # seconds: the most AutoThrottle ever waits between two requests
AUTOTHROTTLE_TARGET_CONCURRENCY = 16.0  # requests in flight per host AutoThrottle aims for
DOWNLOAD_TIMEOUT = 10  # seconds per attempt; a stalled response is cancelled, then retried
DOWNLOAD_MAXSIZE = 4 * 1024 * 1024  # bytes; larger responses are cancelled, counted too_large
DOWNLOAD_WARNSIZE = 1024 * 1024  # bytes; larger responses are logged
DNS_TIMEOUT = 10  # seconds for names outside SHOPWATCH_RESOLVE
RETRY_ENABLED = True
RETRY_TIMES = 4  # extra attempts after a 5xx/408/429 or network error (then: errors by reason)
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
SHOPWATCH_RETRY_BACKOFF_BASE = 0.5  # seconds before retry 1; doubles per attempt, jittered 50-100%
SHOPWATCH_RETRY_BACKOFF_MAX = 8.0  # seconds: cap of one backoff wait
SHOPWATCH_RETRY_AFTER_MAX = 60.0  # seconds: cap on an honoured Retry-After (host paused that long)
SHOPWATCH_RETRY_AFTER_TIMES = 10  # Retry-After waits per request, a budget apart from RETRY_TIMES
# Link-trap guard (crawler.middlewares.TrapGuardMiddleware): longest walk of same-template pages
# (template = host + path with digits collapsed + sorted query keys), then drop, count trap_dropped.
SHOPWATCH_TRAP_MAX_CHAIN = 1000  # pages in one same-template walk: 1000 directory pages = 50,000 shops
SHOPWATCH_TRAP_CALENDAR_MAX = 3  # pages in one walk over dates (?month=2025-03 -> 2025-04 ...), each way
DEPTH_LIMIT = 2000  # links from the start page; pagination adds one per page; traps: the guard above
REDIRECT_MAX_TIMES = 5  # hops; the simulator's longest chain is /go/{id} -> 302 -> 301 -> item
URLLENGTH_LIMIT = 2083  # characters; longer links are dropped by Scrapy
COOKIES_ENABLED = False
# Spiders retry truncated JSON themselves (scrapy's get_retry_request keeps meta["retry_times"]).
META_COPY_WARN_SKIP_KEYS = ["retry_times"]
# Fingerprint the canonical URL (crawler.urls.canonical_url): utm_*/spm/share_token/;jsessionid=
# variants of one page are fetched once per crawl.
REQUEST_FINGERPRINTER_CLASS = "crawler.fingerprint.CanonicalRequestFingerprinter"
SPIDER_MIDDLEWARES = {
    "crawler.middlewares.TrapGuardMiddleware": 950,  # next to the spider: sees each yielded link
}
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.ErrorStatsMiddleware": 10,  # outermost: sees final failures only
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    "crawler.middlewares.MiniappSigningMiddleware": 960,  # last before the network: fresh ts
    "evidence.middleware.WarcMiddleware": 990,  # WARC as sent/received (only when SHOPWATCH_WARC)
}
# Miniapp API credentials come from SHOPWATCH_MINIAPP_APP_KEY/SECRET (below).

# --- pipelines (each step switchable: set its value to None in ITEM_PIPELINES) ---------------
ITEM_PIPELINES: dict[str, int] = {
    "pipelines.validate.ValidatePipeline": 100,  # drop invalid items, shopwatch/dropped/<reason>
    "pipelines.normalize.NormalizePipeline": 200,  # canonical url/price, search_text, content_hash
    "pipelines.dedupe.DedupePipeline": 300,  # repeats within a crawl -> shopwatch/duplicates
    "pipelines.store.StorePipeline": 400,  # upsert + versions, a PageRecord per response
    "pipelines.detect.DetectPipeline": 450,  # enabled campaigns -> hits in the store
    "pipelines.index.IndexPipeline": 500,  # batched into the search index
}
SHOPWATCH_DETECT = True  # streaming campaign detection (pipelines.detect); False = off
SHOPWATCH_CAMPAIGNS: list[str] = []  # campaign ids to detect while crawling; [] = every enabled one
SHOPWATCH_HITS_BATCH = 200  # hits per store write
SHOPWATCH_DETECT_BATCH = 256  # listings scanned together (one vectorized fold; within HITS_BATCH_SECONDS)
SHOPWATCH_HITS_BATCH_SECONDS = 1.0  # seconds: longest a found hit waits before it is written
SHOPWATCH_PLATFORMS = None  # list of accepted platform names; None = any lowercase slug
SHOPWATCH_MAX_TITLE = 500  # characters; longer -> dropped as title_too_long
SHOPWATCH_MAX_DESCRIPTION = 20_000  # characters; also the bound on extra (JSON)
SHOPWATCH_MAX_IMAGES = 50  # images per listing; more -> dropped as too_many_images
SHOPWATCH_MAX_FIELD = 2_000  # other free-text fields (licence address/scope)
SHOPWATCH_DEFAULT_CURRENCY = "CNY"  # for a price shown without a currency ("298一条"); "" = none
SHOPWATCH_DEDUPE_MAX_KEYS = 20_000_000  # within-crawl dedupe memory bound (16-32 bytes/key)
SHOPWATCH_SEEN_AT = None  # ISO-8601 time to record as first/last seen; None = now (replays, tests)
SHOPWATCH_RECORD_PAGES = True  # a PageRecord per response in the store
SHOPWATCH_PAGE_BUFFER = 500  # page records per store write
SHOPWATCH_STORE_BATCH = 500  # writes per store transaction ...
SHOPWATCH_STORE_BATCH_SECONDS = 1.0  # ... or seconds, whichever comes first
SHOPWATCH_INDEX_BATCH = 500  # listings per index write ...
SHOPWATCH_INDEX_BATCH_SECONDS = 1.0  # ... or seconds
# Write index batches on the index's writer thread (crawler/writer.py), beside the crawl: True/False;
# None = per index: on for Elasticsearch (waits on a socket), off for FTS5 (its per-row GIL handoffs
# cost 1.8x the index CPU on the thread and gained no pages/s; docs/performance.md).
SHOPWATCH_INDEX_THREAD = None
SHOPWATCH_OUTAGE_WAIT = 60  # seconds a MongoDB/Elasticsearch flush keeps retrying a server that went away (env overrides)

# --- back ends (see crawler.config): unset = embedded SQLite store and FTS5 index -------------
SHOPWATCH_DATA_DIR = "data"  # env SHOPWATCH_DATA_DIR overrides; default files live here
SHOPWATCH_STORE = None  # env over setting; "sqlite:///rel/path.sqlite", "sqlite:////abs/path.sqlite"; mongodb:// next issue
SHOPWATCH_INDEX = None  # env over setting; "fts5:///rel/path.sqlite", "fts5:////abs/path.sqlite"; http(s):// next issue

# --- simulator credentials (public demo values shown on the simulator's /developer page) ------
SHOPWATCH_MINIAPP_APP_KEY = "sw-demo"
SHOPWATCH_MINIAPP_APP_SECRET = "mallsim-open-secret"

LOG_LEVEL = "INFO"

# --- browser for JavaScript pages (scrapy-playwright + Debian's Chromium; crawler.browser) ------
# Opt-in per request: only requests with meta["playwright"] = True go to the browser; every other
# request takes Scrapy's own HTTP/1.1 handler inside this one (other spiders never start a browser:
# the driver and Chromium start lazily on the first browser request).
DOWNLOAD_HANDLERS = {
    "http": "crawler.browser.BrowserDownloadHandler",
    "https": "crawler.browser.BrowserDownloadHandler",
}
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"  # scrapy-playwright needs it
PLAYWRIGHT_BROWSER_TYPE = "chromium"
# Chromium executable; None = env SHOPWATCH_BROWSER_PATH, /usr/bin/chromium, /usr/bin/chromium-browser,
# Playwright's own download. crawler.browser adds executable_path and --host-resolver-rules (built
# from SHOPWATCH_RESOLVE) to PLAYWRIGHT_LAUNCH_OPTIONS when the browser starts.
SHOPWATCH_BROWSER_PATH = None
PLAYWRIGHT_LAUNCH_OPTIONS = {
    "headless": True,
    "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run",
             "--blink-settings=imagesEnabled=false"],  # img src/alt stay in the DOM; no image requests
}
PLAYWRIGHT_MAX_CONTEXTS = 2  # browser contexts alive at once
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 4  # tabs per context: 2 cores render ~4 pages at once usefully
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 20_000  # milliseconds for page.goto
PLAYWRIGHT_ABORT_REQUEST = "crawler.browser.abort_request"  # no images, fonts, media
SHOPWATCH_BROWSER_MAX_SCROLLS = 200  # infinite-scroll steps per page (12 listings per step on vshop)
SHOPWATCH_BROWSER_PAGE_TIMEOUT = 60.0  # seconds per rendered page (render + scroll until exhausted)
SHOPWATCH_BROWSER_RECYCLE_PAGES = 200  # close and relaunch Chromium after this many pages; 0 = never
# Browser navigation errors (Playwright's Error, incl. its TimeoutError) are retried like network errors.
RETRY_EXCEPTIONS = [*_scrapy_defaults.RETRY_EXCEPTIONS, "playwright.async_api.Error"]

# --- evidence: WARC capture (evidence.middleware) and per-hit evidence (evidence.capture) -----
SHOPWATCH_WARC = False  # write every response (+ its request) to WARC; `shopwatch demo` turns it on
SHOPWATCH_WARC_DIR = None  # None = {SHOPWATCH_DATA_DIR}/warc; files go to <dir>/<job_id>/
SHOPWATCH_WARC_MAX_FILE_BYTES = 100 * 1024 * 1024  # rotate to a new .warc.gz once a file reaches this
SHOPWATCH_WARC_MAX_RECORD_BYTES = 8 * 1024 * 1024  # bodies larger than this are not archived (counted)
SHOPWATCH_WARC_MAX_JOB_BYTES = 20 * 1024**3  # a job stops archiving past this many bytes (counted)
SHOPWATCH_EVIDENCE_PAGE_TIMEOUT = 30.0  # seconds for one evidence visit (load + network idle)
SHOPWATCH_EVIDENCE_MAX_RESOURCES = 200  # responses of one visit archived; more are counted, not kept
SHOPWATCH_EVIDENCE_MAX_BYTES = 16 * 1024 * 1024  # bytes of responses archived per visit
SHOPWATCH_EVIDENCE_MAX_HEIGHT = 20_000  # CSS pixels: a taller page's screenshot is cut at this height
SHOPWATCH_EVIDENCE_VIEWPORT = (1280, 900)  # CSS pixels, the screenshot's width and first screen
SHOPWATCH_EVIDENCE_CONCURRENCY = 2  # evidence pages rendered at once
# Host suffix -> signer for evidence visits of APIs that demand a signature (crawler.signing).
SHOPWATCH_EVIDENCE_SIGNED_HOSTS = {"miniapp.mallsim.test": "miniapp"}

# --- operators: job records and the live progress line ----------------------------------------
EXTENSIONS = {
    "scrapy.extensions.telnet.TelnetConsole": None,
    "crawler.jobs.JobRecorder": 500,
    "crawler.progress.Progress": 510,
    "crawler.followup.FollowUp": 520,
    "crawler.gctune.GcThreshold": 530,
}
SHOPWATCH_JOBS_ENABLED = True
# After the lists are walked, re-fetch stored active listings this crawl did not see (how delisted
# items get marked); at most this many per crawl.
SHOPWATCH_FOLLOWUP = True
SHOPWATCH_FOLLOWUP_MAX = 1_000_000
SHOPWATCH_PROGRESS = False  # the CLI turns it on; plain `scrapy crawl` keeps Scrapy's log lines
SHOPWATCH_PROGRESS_INTERVAL = 2.0  # seconds
# Cyclic garbage collector thresholds (gen0, gen1, gen2) while crawlers run in this process
# (crawler/gctune.py); None = Python's default (700, 10, 10). A crawl allocates millions of short-lived
# containers: at 700 the collector took ~13% of a plain spider's CPU, at 10,000 ~2% (docs/performance.md).
SHOPWATCH_GC_THRESHOLD = (10_000, 10, 10)

# --- distributed crawling on Redis (crawler/cluster; `shopwatch jobs submit`, `shopwatch worker`) --
REDIS_URL = None  # env REDIS_URL over this; e.g. redis://127.0.0.1:6379/0 (run Redis with appendonly yes)
SHOPWATCH_CLUSTER_PREFIX = "shopwatch"  # env over setting; every key starts with it (crawler/cluster/keys.py)
SHOPWATCH_CLUSTER_LEASE_SECONDS = 60.0  # a leased request returns to the queue if not acknowledged by then
SHOPWATCH_CLUSTER_MAX_DELIVERIES = 3  # leases of one request (expired ones included) before it is dead-lettered
# Requests leased per Redis call (held locally until the engine takes them). Every call blocks the
# worker's reactor for a round trip to a Redis that shares the machine's cores with the workers:
# measured on 2 cores, 2 workers, 8 -> 32 took Redis from 0.13 to 0.09 CPU ms per page and the
# 2-worker speed-up from 1.64-1.77x to 1.88-1.99x. A killed worker's leases (at most this many
# per job) come back after SHOPWATCH_CLUSTER_LEASE_SECONDS.
SHOPWATCH_CLUSTER_PREFETCH = 32
SHOPWATCH_CLUSTER_ENQUEUE_BATCH = 200  # discovered requests sent per Redis call ...
SHOPWATCH_CLUSTER_ENQUEUE_SECONDS = 0.1  # ... or after this long (other workers wait for them)
SHOPWATCH_CLUSTER_COMMIT_SECONDS = 0.5  # enqueue discoveries, flush the store, then acknowledge: this often
SHOPWATCH_CLUSTER_POLL_MIN = 0.05  # seconds: first wait after an empty lease ...
SHOPWATCH_CLUSTER_POLL_MAX = 2.0  # ... doubling up to this: an idle worker makes <= 1 call per this
SHOPWATCH_CLUSTER_POLL_BUSY = 0.25  # seconds: longest wait while other workers hold leases (work may come)
SHOPWATCH_CLUSTER_HEARTBEAT = 2.0  # seconds between worker heartbeats (and job discovery)
SHOPWATCH_CLUSTER_WORKER_TTL = 10.0  # seconds without heartbeat after which a worker counts as gone
SHOPWATCH_CLUSTER_DEAD_MAX = 10_000  # dead letters kept per job (newest)
SHOPWATCH_CLUSTER_JOB_TTL = 7 * 24 * 3600  # seconds a finished job's meta, stats and dead letters stay
SHOPWATCH_CLUSTER_RETRY_SECONDS = 1.0  # after a Redis error, wait this long before the next call
# Dedupe: a scalable Bloom filter per job (crawler/cluster/bloom.py). Total false-drop rate bound
# (a new URL wrongly taken as seen), first slice capacity, growth factor of later slices.
SHOPWATCH_CLUSTER_DEDUPE_ERROR = 1e-7
SHOPWATCH_CLUSTER_DEDUPE_CAPACITY = 8192
SHOPWATCH_CLUSTER_DEDUPE_GROWTH = 2
# Per-domain politeness for every worker together (a job's --rate/--domain-concurrency or its
# profile's politeness override these); 0 = unlimited.
SHOPWATCH_CLUSTER_RATE = 0.0  # requests/s per domain (token bucket in Redis)
SHOPWATCH_CLUSTER_DOMAIN_CONCURRENCY = 0  # leased requests per domain at once
SHOPWATCH_CLUSTER_JOB = None  # set by the worker on each crawler: the job it serves
# Workers on one machine share the embedded SQLite file, whose open write batch holds its write
# lock (BEGIN IMMEDIATE) and blocks every other worker's reactor at its next write. A worker
# therefore commits each write at once (WAL + synchronous=NORMAL: a commit is a write(), no
# fsync; measured 2 workers 201 -> 252 pages/s against 100 writes per batch, 1 worker unchanged).
SHOPWATCH_CLUSTER_STORE_BATCH_SECONDS = 0.05
SHOPWATCH_CLUSTER_STORE_BATCH = 1  # writes per batch in a worker (not SHOPWATCH_STORE_BATCH)
# What `shopwatch worker` changes in each job's crawler (crawler/cluster/worker.py merges these in):
# the frontier in Redis, acknowledgements at the edges, Retry-After shared through Redis.
SHOPWATCH_CLUSTER_SCHEDULER = "crawler.cluster.scheduler.ClusterScheduler"
SHOPWATCH_CLUSTER_SPIDER_MIDDLEWARES = {"crawler.cluster.ack.AckSpiderMiddleware": 1}  # outermost
SHOPWATCH_CLUSTER_DOWNLOADER_MIDDLEWARES = {
    "crawler.cluster.ack.AckDownloaderMiddleware": 1,  # outermost: sees final failures only
    "crawler.middlewares.BackoffRetryMiddleware": None,
    "crawler.cluster.politeness.ClusterRetryMiddleware": 550,
}
