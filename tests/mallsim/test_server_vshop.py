"""vshop: a data-free SPA shell, the JSON endpoints the script reads, and the script itself."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import lxml.html
import pytest

from mallsim.server import SimHandle
from mallsim.world import World

P = "vshop"


def get_json(sim: SimHandle, path: str) -> tuple[int, dict]:
    status, headers, body = sim.fetch(P, path)
    assert headers["content-type"].startswith("application/json")
    return status, json.loads(body)


def test_shell_is_identical_and_free_of_data(mallsim: SimHandle, small_world: World) -> None:
    m = small_world.merchant(P, 0)
    listing = small_world.active_listings(m)[0]
    bodies = {mallsim.fetch(P, path)[2] for path in ("/", f"/shop/{m.shop_id}", f"/item/{listing.item_id}")}
    assert len(bodies) == 1
    shell = bodies.pop().decode()
    doc = lxml.html.fromstring(shell)
    assert doc.cssselect("div#app") and doc.cssselect('script[src="/static/app.js"]')
    for merchant in small_world.merchants(P):
        assert merchant.name not in shell
        for x in small_world.active_listings(merchant):
            assert x.title not in shell and x.item_id not in shell
    assert mallsim.fetch(P, "/shop/abc")[0] == 404


def test_feed_pages_cover_active_listings(mallsim: SimHandle, small_world: World) -> None:
    for m in small_world.merchants(P):
        seen, page = [], 1
        while True:
            status, data = get_json(mallsim, f"/api/feed?shop_id={m.shop_id}&page={page}")
            assert status == 200 and data["code"] == 0
            assert data["data"]["shop"]["name"] == m.name
            assert len(data["data"]["items"]) <= 12
            seen += data["data"]["items"]
            if not data["data"]["has_more"]:
                break
            page += 1
        active = small_world.active_listings(m)
        assert [i["item_id"] for i in seen] == [x.item_id for x in active]
        assert [i["title"] for i in seen] == [x.title for x in active]
        assert [i["price_text"] for i in seen] == [f"¥{x.price:.2f}" for x in active]
    assert get_json(mallsim, "/api/feed?shop_id=100000&page=99")[0] == 404
    assert get_json(mallsim, "/api/feed?shop_id=nope")[0] == 404


def test_shops_and_item_endpoints(mallsim: SimHandle, small_world: World) -> None:
    status, data = get_json(mallsim, "/api/shops?page=1")
    assert [s["shop_id"] for s in data["data"]["shops"]] == [m.shop_id for m in small_world.merchants(P)]
    assert data["data"]["has_more"] is False
    m = small_world.merchant(P, 1)
    listing = small_world.active_listings(m)[0]
    status, data = get_json(mallsim, f"/api/item?item_id={listing.item_id}")
    assert status == 200 and data["data"]["title"] == listing.title
    assert data["data"]["shop_id"] == m.shop_id and data["data"]["shop_name"] == m.name
    assert data["data"]["desc"] == listing.description
    assert get_json(mallsim, "/api/item?item_id=100000999")[1] == {"code": 404, "error": "item not found"}


def test_app_js_renders_cards_with_infinite_scroll(mallsim: SimHandle) -> None:
    status, headers, body = mallsim.fetch(P, "/static/app.js")
    assert status == 200 and headers["content-type"].startswith("application/javascript")
    js = body.decode()
    for needle in ("IntersectionObserver", '"more"', "/api/feed?shop_id=", "/api/shops?page=",
                   "/api/item?item_id=", '"card"', "data-item-id", "textContent"):
        assert needle in js, needle
    assert "innerHTML" not in js


SCRIPT = Path(__file__).resolve().parents[2] / "mallsim" / "static" / "app.js"
needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="node not installed")

#: A minimal DOM so node can run app.js against the server (no browser on CI machines).
HARNESS = r"""
// Minimal DOM for running the vshop SPA in node: enough for app.js, no more.
const [origin, host, path, script] = process.argv.slice(2);
class Node_ {
  constructor(tag) { this.tag = tag; this.attrs = {}; this.children = []; this._text = null; }
  setAttribute(k, v) { this.attrs[k] = String(v); }
  getAttribute(k) { return this.attrs[k]; }
  appendChild(c) { this.children.push(c); return c; }
  set textContent(t) { this.children = []; this._text = String(t); }
  get textContent() { return this._text !== null ? this._text : this.children.map(c => c.textContent).join(""); }
  getBoundingClientRect() { return { top: 0 }; }
  toJSON() { return { tag: this.tag, attrs: this.attrs, text: this._text, children: this.children }; }
}
class Text_ { constructor(t) { this.t = t; } get textContent() { return this.t; } toJSON() { return { text: this.t }; } }
const app = new Node_("div"); app.attrs.id = "app";
global.document = {
  title: "", getElementById: (id) => (id === "app" ? app : null),
  createElement: (t) => new Node_(t), createTextNode: (t) => new Text_(t),
};
global.window = { innerHeight: 800, addEventListener() {}, removeEventListener() {}, IntersectionObserver: true };
global.location = { pathname: path };
global.IntersectionObserver = class { constructor(cb) { this.cb = cb; } observe() { setTimeout(() => this.cb([{ isIntersecting: true }]), 0); } disconnect() {} };
const http = require("http");
const target = new URL(origin);
// fetch() may not set Host, so requests go through node's http module with the platform's Host.
global.fetch = (url) => new Promise((resolve, reject) => {
  const req = http.get({ hostname: target.hostname, port: target.port, path: url, headers: { Host: host } }, (res) => {
    const chunks = [];
    res.on("data", (c) => chunks.push(c));
    res.on("end", () => { const body = Buffer.concat(chunks).toString("utf8");
      resolve({ status: res.statusCode, text: () => Promise.resolve(body) }); });
  });
  req.on("error", reject);
});
require(script);
// Print the rendered tree once the list is exhausted (#more data-done) or the page settled.
const find = (n, pred) => (pred(n) ? n : (n.children || []).map((c) => find(c, pred)).find(Boolean));
let waited = 0;
const poll = setInterval(() => {
  waited += 50;
  const more = find(app, (n) => n.attrs && n.attrs.id === "more");
  if ((more && more.attrs["data-done"]) || (!more && app.children.length) || waited > 10000) {
    clearInterval(poll);
    console.log(JSON.stringify({ title: document.title, app }));
  }
}, 50);
"""


@needs_node
def test_app_js_is_valid_javascript() -> None:
    subprocess.run(["node", "--check", str(SCRIPT)], check=True, timeout=30)


def run_spa(sim: SimHandle, path: str, tmp_path: Path) -> dict:
    harness = tmp_path / "harness.js"
    harness.write_text(HARNESS)
    out = subprocess.run(["node", str(harness), sim.address, sim.host_header(P), path, str(SCRIPT)],
                         capture_output=True, text=True, timeout=60, check=True)
    return json.loads(out.stdout)


def nodes(tree: dict, cls: str) -> list[dict]:
    found = [tree] if tree.get("attrs", {}).get("class") == cls else []
    for child in tree.get("children", []):
        found += nodes(child, cls)
    return found


def text(tree: dict) -> str:
    return tree.get("text") or "".join(text(c) for c in tree.get("children", []))


@needs_node
def test_spa_renders_every_card_by_scrolling(mallsim: SimHandle, small_world: World,
                                              tmp_path: Path) -> None:
    m = max(small_world.merchants(P), key=lambda x: len(small_world.active_listings(x)))
    active = small_world.active_listings(m)
    assert len(active) > 12  # more than one feed page: infinite scroll must load the rest
    out = run_spa(mallsim, f"/shop/{m.shop_id}", tmp_path)
    cards = nodes(out["app"], "card")
    assert [c["attrs"]["data-item-id"] for c in cards] == [x.item_id for x in active]
    assert [text(nodes(c, "title")[0]) for c in cards] == [x.title for x in active]
    assert text(nodes(out["app"], "shop-name")[0]) == m.name
    shops = nodes(run_spa(mallsim, "/", tmp_path)["app"], "shop-link")
    assert [s["attrs"]["href"] for s in shops] == [f"/shop/{x.shop_id}" for x in small_world.merchants(P)]
    item = nodes(run_spa(mallsim, f"/item/{active[0].item_id}", tmp_path)["app"], "item-title")
    assert text(item[0]) == active[0].title
