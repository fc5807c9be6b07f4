/* vshop single-page app: routes on location.pathname, fetches JSON, renders cards.
 * Lists load page by page as the #more sentinel scrolls into view (IntersectionObserver, with a
 * scroll-event fallback). When a list is exhausted #more gets data-done="1".
 * Text is always set through textContent (no HTML parsing of data). */
(function () {
  "use strict";
  var app = document.getElementById("app");

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  // Transient server faults (5xx, truncated JSON) are retried a few times.
  function getJSON(url, attempt) {
    attempt = attempt || 0;
    return fetch(url, { credentials: "same-origin" }).then(function (resp) {
      return resp.text().then(function (body) {
        var data;
        try { data = JSON.parse(body); } catch (e) { data = null; }
        if ((resp.status >= 500 || data === null) && attempt < 4) {
          return new Promise(function (ok) { setTimeout(ok, 300 * (attempt + 1)); })
            .then(function () { return getJSON(url, attempt + 1); });
        }
        return { status: resp.status, data: data };
      });
    });
  }

  function card(item) {
    var c = el("div", { "class": "card", "data-item-id": item.item_id });
    var a = el("a", { "class": "item-link", href: "/item/" + item.item_id });
    if (item.images && item.images.length) {
      a.appendChild(el("img", { src: item.images[0].url, alt: item.images[0].alt, loading: "lazy" }));
    }
    a.appendChild(el("div", { "class": "title" }, item.title));
    a.appendChild(el("div", { "class": "price" }, item.price_text));
    a.appendChild(el("div", { "class": "sales" }, "已售 " + item.sales + " 件"));
    c.appendChild(a);
    return c;
  }

  function licence(lic) {
    var box = el("div", { "class": "licence" });
    if (!lic) { return null; }
    var fields = [["企业名称", lic.company], ["统一社会信用代码", lic.uscc],
                  ["住所", lic.address], ["经营范围", lic.scope]];
    if (lic.shown_as === "image") {
      var alt = ["营业执照"];
      fields.forEach(function (f) { if (f[1]) { alt.push(f[0] + "：" + f[1]); } });
      box.appendChild(el("img", { "class": "licence-img", src: "/img/licence.jpg", alt: alt.join(" ") }));
      return box;
    }
    var dl = el("dl");
    fields.forEach(function (f) {
      if (f[1]) { dl.appendChild(el("dt", null, f[0])); dl.appendChild(el("dd", null, f[1])); }
    });
    box.appendChild(dl);
    return box;
  }

  // Infinite scroll: load(page) resolves to true while more pages exist.
  function infinite(load) {
    var more = el("div", { id: "more" }, "加载更多…");
    app.appendChild(more);
    var page = 1, busy = false, done = false, observer = null;
    function finish() {
      done = true;
      more.textContent = "没有更多了";
      more.setAttribute("data-done", "1");
      if (observer) { observer.disconnect(); }
      window.removeEventListener("scroll", onScroll);
    }
    function next() {
      if (busy || done) { return; }
      busy = true;
      load(page).then(function (hasMore) {
        busy = false;
        page += 1;
        if (!hasMore) { finish(); return; }
        // Still visible after rendering (short page): keep loading.
        var rect = more.getBoundingClientRect();
        if (rect.top < window.innerHeight + 200) { next(); }
      }, function () { busy = false; more.textContent = "加载失败，下拉重试"; });
    }
    function onScroll() {
      var rect = more.getBoundingClientRect();
      if (rect.top < window.innerHeight + 200) { next(); }
    }
    if ("IntersectionObserver" in window) {
      observer = new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) { next(); }
      }, { rootMargin: "200px" });
      observer.observe(more);
    }
    window.addEventListener("scroll", onScroll, { passive: true });
    next();
  }

  function directory() {
    document.title = "店铺 - V小店";
    app.textContent = "";
    app.appendChild(el("h1", null, "热门店铺"));
    var list = el("ul", { "class": "shops" });
    app.appendChild(list);
    infinite(function (page) {
      return getJSON("/api/shops?page=" + page).then(function (r) {
        if (!r.data || r.data.code !== 0) { return false; }
        r.data.data.shops.forEach(function (s) {
          var li = el("li");
          li.appendChild(el("a", { "class": "shop-link", href: "/shop/" + s.shop_id }, s.name));
          list.appendChild(li);
        });
        return r.data.data.has_more;
      });
    });
  }

  function shop(shopId) {
    app.textContent = "";
    var header = el("div", { "class": "shop", "data-shop-id": shopId });
    var cards = el("div", { "class": "cards" });
    app.appendChild(header);
    app.appendChild(cards);
    infinite(function (page) {
      return getJSON("/api/feed?shop_id=" + encodeURIComponent(shopId) + "&page=" + page)
        .then(function (r) {
          if (!r.data || r.data.code !== 0) {
            if (page === 1) { header.appendChild(el("h1", { "class": "error" }, "店铺不存在")); }
            return false;
          }
          var d = r.data.data;
          if (page === 1) {
            document.title = d.shop.name + " - V小店";
            header.appendChild(el("h1", { "class": "shop-name" }, d.shop.name));
            var stats = el("p");
            stats.appendChild(document.createTextNode("粉丝 "));
            stats.appendChild(el("span", { "class": "followers" }, d.shop.followers));
            stats.appendChild(document.createTextNode(" · 评分 "));
            stats.appendChild(el("span", { "class": "rating" }, d.shop.rating.toFixed(1)));
            header.appendChild(stats);
            var lic = licence(d.shop.licence);
            if (lic) { header.appendChild(lic); }
          }
          d.items.forEach(function (item) { cards.appendChild(card(item)); });
          return d.has_more;
        });
    });
  }

  function item(itemId) {
    app.textContent = "";
    getJSON("/api/item?item_id=" + encodeURIComponent(itemId)).then(function (r) {
      var box = el("div", { "class": "item-detail", "data-item-id": itemId });
      if (!r.data || r.data.code !== 0) {
        box.appendChild(el("div", { "class": "delisted" },
          r.data && r.data.error === "item delisted" ? "该商品已下架" : "商品不存在"));
        app.appendChild(box);
        return;
      }
      var d = r.data.data;
      document.title = d.title + " - V小店";
      (d.images || []).forEach(function (img) {
        box.appendChild(el("img", { src: img.url, alt: img.alt }));
      });
      box.appendChild(el("h1", { "class": "item-title" }, d.title));
      box.appendChild(el("span", { "class": "price" }, d.price_text));
      box.appendChild(el("span", { "class": "sales" }, "已售 " + d.sales + " 件"));
      box.appendChild(el("span", { "class": "category", "data-category": d.category }, d.category_name));
      var desc = el("div", { "class": "item-desc" });
      String(d.desc).split("\n").forEach(function (line) {
        if (line.trim()) { desc.appendChild(el("p", null, line)); }
      });
      box.appendChild(desc);
      box.appendChild(el("a", { "class": "shop-link", href: "/shop/" + d.shop_id }, d.shop_name || "进入店铺"));
      app.appendChild(box);
    });
  }

  var path = location.pathname.replace(/\/+$/, "");
  var m;
  if ((m = path.match(/^\/shop\/(\d+)$/))) { shop(m[1]); }
  else if ((m = path.match(/^\/item\/(\d+)$/))) { item(m[1]); }
  else { directory(); }
})();
