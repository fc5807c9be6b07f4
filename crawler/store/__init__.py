"""Store back ends behind one small interface (``crawler.store.base.Store``).

Pick one with ``crawler.config.open_store``; import a back end directly only in its tests.
"""
from crawler.store.base import BackendError, Store, UpsertResult, iso_utc

__all__ = ["BackendError", "Store", "UpsertResult", "iso_utc"]
