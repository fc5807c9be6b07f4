"""Detection core: campaigns (YAML rule sets), built-in detectors and the streaming engine.

``detect.text`` folds text for matching, ``detect.campaign`` loads and validates campaign files,
``detect.engine.Detector`` scans listings and merchants, ``detect.registry`` keeps the shipped and
added campaigns. The retroactive engine (store/index queries) builds on ``Rule.anchors``.
"""
from detect import native as _native

# the compiled modules (detect.native) come first on the package path while their build is current
__path__ = _native.search_path(__path__)
