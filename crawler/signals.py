"""shopwatch's own Scrapy signals (sent with ``crawler.signals``, like Scrapy's built-in ones)."""
from __future__ import annotations

#: "Make every buffered output durable now." Sent by a cluster worker's scheduler before it
#: acknowledges the requests whose items went through the pipelines: a pipeline that buffers
#: writes (store transaction, index batch, hit batch) writes and commits them in its handler, and
#: raises if it cannot — then nothing is acknowledged and the leases come back after their deadline.
outputs_commit = object()
