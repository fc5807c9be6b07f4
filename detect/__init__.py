"""Detection core: campaigns (YAML rule sets), built-in detectors and the streaming engine.

``detect.text`` folds text for matching, ``detect.campaign`` loads and validates campaign files,
``detect.engine.Detector`` scans listings and merchants, ``detect.registry`` keeps the shipped and
added campaigns. The retroactive engine (store/index queries) builds on ``Rule.anchors``.
"""
