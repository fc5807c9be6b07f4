"""Site profiles: a YAML file onboards a storefront with no Python (format: docs/profiles.md).

``load_profile(path)`` parses and VALIDATES a profile up front: unknown or missing keys, wrong
types, unknown page names, and every CSS/XPath/JSONPath/regex/template is compiled at load time.
Any problem raises ``ProfileError`` naming the file, the line (from PyYAML's node marks) and the
reason, so a typo is reported before a crawl starts, not as an empty result after it.

The loaded ``Profile`` is plain data; ``spiders.pages.profiled`` applies it to responses and
``spiders.profile`` is the generic spider that navigates with it.
"""
from __future__ import annotations

import dataclasses
import re
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from jsonpath_ng.ext import parse as jsonpath_parse
from parsel import Selector

from crawler.errors import UserError
from crawler.items import Listing, Merchant

PAGE_TYPES = ("html", "json")
AUTO_LISTING = ("jsonld", "microdata", "opengraph")
AUTO_MERCHANT = ("licence",)
FIELD_TYPES = ("text", "multiline", "int", "float", "decimal", "price", "url", "images", "raw")
SOURCES = ("css", "xpath", "jsonpath", "url_regex", "const", "template", "first")
SIGNERS = ("miniapp",)
MERCHANT_FIELDS = frozenset(f.name for f in dataclasses.fields(Merchant)) - {"platform", "content_hash", "first_seen",
                                                                            "last_seen", "job_id"}
LISTING_FIELDS = frozenset(f.name for f in dataclasses.fields(Listing)) - {"platform", "search_text", "content_hash",
                                                                          "first_seen", "last_seen", "version",
                                                                          "job_id", "extra"}


class ProfileError(UserError):
    """A profile that cannot be used: ``file:line: reason``."""

    def __init__(self, path: str | Path, line: int | None, reason: str) -> None:
        self.path = str(path)
        self.line = line
        self.reason = reason
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {reason}")


# --- YAML with line numbers ---------------------------------------------------------------------


class _Map(dict):  # type: ignore[type-arg]
    """A mapping that remembers where it and each of its keys/values were in the file."""

    line: int = 0
    key_lines: dict[str, int]
    value_lines: dict[str, int]


class _Seq(list):  # type: ignore[type-arg]
    line: int = 0
    item_lines: list[int]


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps node lines and rejects duplicate keys (PyYAML silently keeps the last)."""


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    out = _Map()
    out.line = node.start_mark.line + 1
    out.key_lines, out.value_lines = {}, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            raise ProfileError(loader.name, key_node.start_mark.line + 1, f"keys must be strings, got {key!r}")
        if key in out:
            raise ProfileError(loader.name, key_node.start_mark.line + 1, f"duplicate key {key!r}")
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
        out.value_lines[key] = value_node.start_mark.line + 1
    return out


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> _Seq:
    out = _Seq(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


# --- compiled profile -------------------------------------------------------------------------


@dataclass
class FieldSpec:
    """How to read one value: a source (css/xpath/jsonpath/url_regex/const/template/first) plus options."""

    source: str
    expr: Any  # selector text, regex, constant, template, or list[FieldSpec] for "first"
    compiled: Any = None  # jsonpath object / compiled regex
    regex: re.Pattern[str] | None = None  # post-filter: group 1 (or the whole match)
    type: str = "text"
    all: bool = False  # keep every value (list) instead of the first
    join: str | None = None  # join every value with this separator (implies all)
    value: Any = None  # constant returned when the selector matched anything
    default: Any = None
    line: int = 0


@dataclass
class LinkRule:
    """Links to follow from a page: where to find them, which to keep, what page type they are."""

    source: str  # css | xpath | jsonpath
    expr: str
    page: str
    compiled: Any = None
    allow: list[re.Pattern[str]] = field(default_factory=list)
    deny: list[re.Pattern[str]] = field(default_factory=list)
    url: str | None = None  # template with {value}
    params: dict[str, str] = field(default_factory=dict)  # query params set on the current URL
    line: int = 0


@dataclass
class DelistedSpec:
    status: list[int] = field(default_factory=list)
    marker: FieldSpec | None = None  # a selector whose match (or text) means "delisted"
    text: str | None = None  # ...when the marker's text contains this


@dataclass
class RecordSpec:
    kind: str  # "merchant" | "listing"
    fields: dict[str, FieldSpec]
    each: FieldSpec | None = None  # one record per node matched (posts on a timeline, items in JSON)
    auto: list[str] = field(default_factory=list)
    delisted: DelistedSpec | None = None
    line: int = 0


@dataclass
class PageSpec:
    name: str
    type: str = "html"
    links: list[LinkRule] = field(default_factory=list)
    merchant: RecordSpec | None = None
    listing: RecordSpec | None = None
    accept_status: list[int] = field(default_factory=list)  # non-2xx statuses given to extraction
    sign: str | None = None
    line: int = 0


@dataclass
class Politeness:
    concurrency: int | None = None  # concurrent requests per domain
    delay: float | None = None  # seconds between requests to one domain


@dataclass
class Profile:
    path: str
    name: str
    platform: str
    start_urls: list[str]
    start_page: str
    pages: dict[str, PageSpec]
    allowed_domains: list[str] = field(default_factory=list)
    max_pages: int | None = None
    politeness: Politeness = field(default_factory=Politeness)
    currency: str = "CNY"
    sign: str | None = None
    description: str | None = None

    def start_urls_for(self, port: int | str) -> list[str]:
        """Start URLs with ``{port}`` filled in (the simulator's port)."""
        return [u.replace("{port}", str(port)) for u in self.start_urls]


# --- validation ----------------------------------------------------------------------------------


class _Checker:
    """Walks the loaded YAML with its line numbers; every complaint names the line."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, line: int | None, reason: str) -> ProfileError:
        return ProfileError(self.path, line, reason)

    def mapping(self, value: Any, line: int, what: str, allowed: tuple[str, ...],
                required: tuple[str, ...] = ()) -> _Map:
        if not isinstance(value, _Map):
            raise self.fail(line, f"{what} must be a mapping, got {type(value).__name__}")
        for key in value:
            if key not in allowed:
                raise self.fail(value.key_lines[key], f"unknown key {key!r} in {what} (expected one of: {', '.join(allowed)})")
        for key in required:
            if key not in value:
                raise self.fail(line, f"missing required key {key!r} in {what}")
        return value

    def string(self, m: _Map, key: str, what: str) -> str:
        value = m[key]
        if not isinstance(value, str) or not value.strip():
            raise self.fail(m.value_lines[key], f"{what}.{key} must be a non-empty string")
        return value

    def string_list(self, m: _Map, key: str, what: str) -> list[str]:
        value = m[key]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(m.value_lines[key], f"{what}.{key} must be a string or a list of strings")
        return list(value)

    def int_list(self, m: _Map, key: str, what: str) -> list[int]:
        value = m[key]
        if isinstance(value, int):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, int) and 100 <= v <= 599 for v in value):
            raise self.fail(m.value_lines[key], f"{what}.{key} must be HTTP status codes (100-599)")
        return list(value)

    def number(self, m: _Map, key: str, what: str, minimum: float, integer: bool) -> Any:
        value = m[key]
        ok = isinstance(value, int) if integer else isinstance(value, (int, float))
        if isinstance(value, bool) or not ok or value < minimum:
            kind = "an integer" if integer else "a number"
            raise self.fail(m.value_lines[key], f"{what}.{key} must be {kind} >= {minimum}, got {value!r}")
        return value

    def regex(self, pattern: Any, line: int, what: str) -> re.Pattern[str]:
        if not isinstance(pattern, str):
            raise self.fail(line, f"{what} must be a regular expression string")
        try:
            return re.compile(pattern)
        except re.error as exc:
            raise self.fail(line, f"bad regular expression in {what}: {exc}") from None

    def selector(self, source: str, expr: Any, line: int, what: str, page_type: str) -> Any:
        """Compile a selector now, so a syntax error is a load error; returns the compiled form."""
        if not isinstance(expr, str) or not expr.strip():
            raise self.fail(line, f"{what}: {source} must be a non-empty string")
        if source in ("css", "xpath") and page_type == "json":
            raise self.fail(line, f"{what}: {source} selectors need an html page (this page is type: json); use jsonpath")
        if source == "jsonpath" and page_type == "html":
            raise self.fail(line, f"{what}: jsonpath needs a json page (set type: json on the page)")
        probe = Selector(text="<html><body></body></html>")
        try:
            if source == "css":
                probe.css(expr)
            elif source == "xpath":
                probe.xpath(expr)
            elif source == "jsonpath":
                return jsonpath_parse(expr)
        except Exception as exc:  # noqa: BLE001 - parsel/cssselect/lxml/jsonpath each raise their own
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise self.fail(line, f"bad {source} selector in {what} {expr!r}: {message}") from None
        return None

    def template(self, text: Any, line: int, what: str, names: set[str] | None = None) -> str:
        if not isinstance(text, str):
            raise self.fail(line, f"{what} must be a string template")
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
        except ValueError as exc:
            raise self.fail(line, f"bad template in {what} {text!r}: {exc}") from None
        if names is not None:
            for name in fields:
                if name not in names:
                    raise self.fail(line, f"unknown placeholder {{{name}}} in {what} (available: {', '.join(sorted(names))})")
        return text

    # --- pieces ----------------------------------------------------------------------------------

    def field_spec(self, raw: Any, line: int, what: str, page_type: str, known: set[str]) -> FieldSpec:
        if isinstance(raw, str):  # shorthand: css on html pages, jsonpath on json pages
            source = "jsonpath" if page_type == "json" else "css"
            return FieldSpec(source, raw, self.selector(source, raw, line, what, page_type), line=line)
        allowed = SOURCES + ("regex", "type", "all", "join", "value", "default")
        m = self.mapping(raw, line, what, allowed)
        sources = [s for s in SOURCES if s in m]
        if len(sources) != 1:
            raise self.fail(line, f"{what} needs exactly one of {', '.join(SOURCES)} (got {', '.join(sources) or 'none'})")
        source = sources[0]
        expr = m[source]
        spec = FieldSpec(source, expr, line=line)
        src_line = m.value_lines[source]
        if source in ("css", "xpath", "jsonpath"):
            spec.compiled = self.selector(source, expr, src_line, what, page_type)
        elif source == "url_regex":
            spec.compiled = self.regex(expr, src_line, f"{what}.url_regex")
        elif source == "template":
            self.template(expr, src_line, f"{what}.template", known | {"base", "url"})
        elif source == "first":
            if not isinstance(expr, list) or not expr:
                raise self.fail(src_line, f"{what}.first must be a non-empty list of field specs")
            spec.expr = [self.field_spec(item, expr.item_lines[i], f"{what}.first[{i}]", page_type, known)
                         for i, item in enumerate(expr)]
        if "regex" in m:
            spec.regex = self.regex(m["regex"], m.value_lines["regex"], f"{what}.regex")
        if "type" in m:
            if m["type"] not in FIELD_TYPES:
                raise self.fail(m.value_lines["type"], f"{what}.type must be one of {', '.join(FIELD_TYPES)}, got {m['type']!r}")
            spec.type = m["type"]
        if "all" in m:
            if not isinstance(m["all"], bool):
                raise self.fail(m.value_lines["all"], f"{what}.all must be true or false")
            spec.all = m["all"]
        if "join" in m:
            if not isinstance(m["join"], str):
                raise self.fail(m.value_lines["join"], f"{what}.join must be a string")
            spec.join, spec.all = m["join"], True
        spec.value = m.get("value")
        spec.default = m.get("default")
        return spec

    def link_rule(self, raw: Any, line: int, what: str, page_type: str) -> LinkRule:
        m = self.mapping(raw, line, what, ("css", "xpath", "jsonpath", "page", "allow", "deny", "url", "params"),
                         required=("page",))
        sources = [s for s in ("css", "xpath", "jsonpath") if s in m]
        if len(sources) != 1:
            raise self.fail(line, f"{what} needs exactly one of css, xpath, jsonpath")
        source = sources[0]
        rule = LinkRule(source, m[source], self.string(m, "page", what), line=line)
        rule.compiled = self.selector(source, m[source], m.value_lines[source], what, page_type)
        for key in ("allow", "deny"):
            if key in m:
                patterns = self.string_list(m, key, what)
                getattr(rule, key).extend(self.regex(p, m.value_lines[key], f"{what}.{key}") for p in patterns)
        if "url" in m:
            rule.url = self.template(m["url"], m.value_lines["url"], f"{what}.url", {"value"})
        if "params" in m:
            params = self.mapping(m["params"], m.value_lines["params"], f"{what}.params", tuple(m["params"] or ()))
            rule.params = {str(k): self.template(str(v), params.value_lines[k], f"{what}.params.{k}", {"value"})
                           for k, v in params.items()}
        return rule  # without url/params the selected values are the URLs (absolute or relative)

    def record(self, raw: Any, line: int, kind: str, page: str, page_type: str) -> RecordSpec:
        what = f"pages.{page}.{kind}"
        m = self.mapping(raw, line, what, ("fields", "each", "auto", "delisted"))
        record = RecordSpec(kind, {}, line=line)
        allowed_auto = AUTO_LISTING if kind == "listing" else AUTO_MERCHANT
        if "auto" in m:
            autos = self.string_list(m, "auto", what)
            for a in autos:
                if a not in allowed_auto:
                    raise self.fail(m.value_lines["auto"], f"{what}.auto: unknown extractor {a!r} (expected: {', '.join(allowed_auto)})")
            if page_type == "json":
                raise self.fail(m.value_lines["auto"], f"{what}.auto works on html pages only")
            record.auto = autos
        if "each" in m:
            record.each = self.field_spec(m["each"], m.value_lines["each"], f"{what}.each", page_type, set())
            if record.each.source not in ("css", "xpath", "jsonpath"):
                raise self.fail(m.value_lines["each"], f"{what}.each must be a css, xpath or jsonpath selector")
        allowed = LISTING_FIELDS if kind == "listing" else MERCHANT_FIELDS
        fields_raw = m.get("fields")
        if fields_raw is None and not record.auto:
            raise self.fail(line, f"{what} needs fields (or auto extraction)")
        if fields_raw is not None:
            fm = self.mapping(fields_raw, m.key_lines["fields"], f"{what}.fields", tuple(fields_raw or ()))
            known: set[str] = set()
            for name, spec in fm.items():
                extra = kind == "listing" and name.startswith("extra.") and len(name) > 6
                if name not in allowed and not extra:
                    raise self.fail(fm.key_lines[name], f"unknown {kind} field {name!r} (fields: {', '.join(sorted(allowed))})")
                record.fields[name] = self.field_spec(spec, fm.key_lines[name], f"{what}.fields.{name}", page_type, set(known))
                known.add(name.replace(".", "_"))
        key = "item_id" if kind == "listing" else "shop_id"
        if key not in record.fields:
            raise self.fail(line, f"{what} must define fields.{key} (the record's stable id)")
        if record.each is not None and kind == "listing" and "url" not in record.fields:
            raise self.fail(line, f"{what} uses each: give fields.url (one URL per record), e.g. a template")
        if "delisted" in m:
            if kind != "listing":
                raise self.fail(m.key_lines["delisted"], f"{what}: delisted applies to listings only")
            dm = self.mapping(m["delisted"], m.key_lines["delisted"], f"{what}.delisted", ("status", "css", "xpath", "text"))
            spec = DelistedSpec()
            if "status" in dm:
                spec.status = self.int_list(dm, "status", f"{what}.delisted")
            for source in ("css", "xpath"):
                if source in dm:
                    spec.marker = FieldSpec(source, dm[source], line=dm.value_lines[source])
                    self.selector(source, dm[source], dm.value_lines[source], f"{what}.delisted", page_type)
            if "text" in dm:
                spec.text = self.string(dm, "text", f"{what}.delisted")
            record.delisted = spec
        return record

    def page(self, name: str, raw: Any, line: int) -> PageSpec:
        what = f"pages.{name}"
        m = self.mapping(raw, line, what, ("type", "links", "merchant", "listing", "accept_status", "sign"))
        page = PageSpec(name, line=line)
        if "type" in m:
            if m["type"] not in PAGE_TYPES:
                raise self.fail(m.value_lines["type"], f"{what}.type must be html or json, got {m['type']!r}")
            page.type = m["type"]
        if "links" in m:
            links = m["links"]
            if not isinstance(links, _Seq):
                raise self.fail(m.value_lines["links"], f"{what}.links must be a list of link rules")
            page.links = [self.link_rule(r, links.item_lines[i], f"{what}.links[{i}]", page.type) for i, r in enumerate(links)]
        for kind in ("merchant", "listing"):
            if kind in m:
                setattr(page, kind, self.record(m[kind], m.key_lines[kind], kind, name, page.type))
        if "accept_status" in m:
            page.accept_status = self.int_list(m, "accept_status", what)
        if "sign" in m:
            if m["sign"] not in SIGNERS:
                raise self.fail(m.value_lines["sign"], f"{what}.sign must be one of {', '.join(SIGNERS)}")
            page.sign = m["sign"]
        if page.listing and page.listing.delisted:
            page.accept_status = sorted(set(page.accept_status) | set(page.listing.delisted.status))
        return page

    def profile(self, doc: Any) -> Profile:
        top = ("name", "platform", "description", "start_urls", "start_page", "allowed_domains", "max_pages",
               "politeness", "pages", "currency", "sign")
        m = self.mapping(doc, 1, "the profile", top, required=("name", "platform", "start_urls", "pages"))
        name = self.string(m, "name", "profile")
        platform = self.string(m, "platform", "profile")
        if not re.fullmatch(r"[a-z0-9_\-]+", platform):
            raise self.fail(m.value_lines["platform"], "platform must be lower-case letters, digits, '-' or '_'")
        start_urls = self.string_list(m, "start_urls", "profile")
        for i, url in enumerate(start_urls):
            probe = url.replace("{port}", "8800")
            if not re.match(r"https?://[^/\s]+", probe):
                line = m["start_urls"].item_lines[i] if isinstance(m["start_urls"], _Seq) else m.value_lines["start_urls"]
                raise self.fail(line, f"start URL must be absolute http(s), got {url!r}")
        pages_raw = self.mapping(m["pages"], m.key_lines["pages"], "pages", tuple(m["pages"] or ()) if isinstance(m["pages"], dict) else ())
        if not pages_raw:
            raise self.fail(m.value_lines["pages"], "pages must define at least one page type")
        pages = {n: self.page(n, raw, pages_raw.key_lines[n]) for n, raw in pages_raw.items()}
        for page in pages.values():
            for rule in page.links:
                if rule.page not in pages:
                    raise self.fail(rule.line, f"link rule points to unknown page {rule.page!r} (pages: {', '.join(pages)})")
        start_page = next(iter(pages))
        if "start_page" in m:
            start_page = self.string(m, "start_page", "profile")
            if start_page not in pages:
                raise self.fail(m.value_lines["start_page"], f"start_page {start_page!r} is not a page (pages: {', '.join(pages)})")
        profile = Profile(path=self.path, name=name, platform=platform, start_urls=start_urls, start_page=start_page,
                          pages=pages)
        if "description" in m:
            profile.description = str(m["description"])
        if "allowed_domains" in m:
            profile.allowed_domains = self.string_list(m, "allowed_domains", "profile")
        if "max_pages" in m:
            profile.max_pages = self.number(m, "max_pages", "profile", 1, integer=True)
        if "politeness" in m:
            pm = self.mapping(m["politeness"], m.key_lines["politeness"], "politeness", ("concurrency", "delay"))
            if "concurrency" in pm:
                profile.politeness.concurrency = self.number(pm, "concurrency", "politeness", 1, integer=True)
            if "delay" in pm:
                profile.politeness.delay = float(self.number(pm, "delay", "politeness", 0, integer=False))
        if "currency" in m:
            profile.currency = self.string(m, "currency", "profile")
        if "sign" in m:
            if m["sign"] not in SIGNERS:
                raise self.fail(m.value_lines["sign"], f"sign must be one of {', '.join(SIGNERS)}")
            profile.sign = m["sign"]
        return profile


def load_profile(path: str | Path) -> Profile:
    """Read and validate a profile file; raises ProfileError (file:line: reason) when it is wrong."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProfileError(path, None, f"cannot read the profile: {exc.strerror or exc}") from None
    return parse_profile(text, str(path))


def parse_profile(text: str, path: str = "<profile>") -> Profile:
    """Validate profile text (``path`` is only used in messages)."""
    loader = _Loader(text)
    loader.name = path
    try:
        doc = loader.get_single_data()
    except ProfileError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ProfileError(path, line, f"YAML syntax error: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise ProfileError(path, None, f"YAML error: {exc}") from None
    finally:
        loader.dispose()
    if doc is None:
        raise ProfileError(path, 1, "the profile is empty")
    return _Checker(path).profile(doc)
