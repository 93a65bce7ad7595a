// A small reader site built only on the public read API, as a front end would be.
// Routes are real paths (/posts/<slug>/, /tags/<slug>/, ...) so links can be shared;
// the server answers each with this same page and this script renders it.
"use strict";

const API = "/api/v1";
const PAGE_SIZE = 10;
// Sparse fieldsets: a list needs far less than a post page.
const LIST_FIELDS = "slug,title,excerpt,published_at,reading_time,authors,categories,tags";

const app = () => document.getElementById("app");

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(path, params = {}) {
  const url = new URL(API + path, window.location.origin);
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(key, value);
  }
  // "no-cache" = revalidate every time: the browser sends its ETag and the API answers
  // 304 when nothing changed, so a post published a second ago shows up at once.
  const response = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-cache" });
  if (!response.ok) {
    let detail = response.statusText;
    try {
      const body = await response.json();
      detail = body.detail || JSON.stringify(body);
    } catch (_) {
      /* not JSON: keep the status text */
    }
    throw new ApiError(response.status, detail);
  }
  return response.json();
}

// Build elements from text only; HTML is inserted in one place (the sanitised body).
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const seg = (slug) => encodeURIComponent(slug);

function formatDate(iso) {
  if (!iso) return "";
  return new Date(iso).toLocaleDateString(undefined, {
    year: "numeric",
    month: "short",
    day: "numeric",
  });
}

function byline(post) {
  const parts = [];
  if (post.published_at) {
    parts.push(el("time", { datetime: post.published_at }, formatDate(post.published_at)));
  }
  if (post.authors && post.authors.length) {
    const links = [];
    post.authors.forEach((author, index) => {
      if (index) links.push(", ");
      links.push(el("a", { href: `/authors/${seg(author.slug)}/` }, author.name));
    });
    parts.push(el("span", { class: "authors" }, "by ", links));
  }
  if (post.reading_time) parts.push(el("span", {}, `${post.reading_time} min read`));
  const line = el("p", { class: "byline" });
  parts.forEach((part, index) => {
    if (index) line.append(" · ");
    line.append(part);
  });
  return line;
}

function taxonomy(post) {
  const chips = [];
  for (const category of post.categories || []) {
    chips.push(
      el("a", { class: "chip category", href: `/categories/${seg(category.slug)}/` }, category.name),
    );
  }
  for (const tag of post.tags || []) {
    chips.push(el("a", { class: "chip tag", href: `/tags/${seg(tag.slug)}/` }, `#${tag.name}`));
  }
  return chips.length ? el("p", { class: "chips" }, chips) : null;
}

function postCard(post) {
  return el(
    "article",
    { class: "card" },
    el("h2", {}, el("a", { href: `/posts/${seg(post.slug)}/` }, post.title)),
    byline(post),
    post.excerpt ? el("p", { class: "excerpt" }, post.excerpt) : null,
    taxonomy(post),
  );
}

function pageNumber(url) {
  if (!url) return null;
  return new URL(url, window.location.origin).searchParams.get("page") || "1";
}

function pager(data, page) {
  const here = new URL(window.location.href);
  const link = (target, label, rel) => {
    here.searchParams.set("page", target);
    return el("a", { href: here.pathname + here.search, rel }, label);
  };
  const previous = pageNumber(data.previous);
  const next = pageNumber(data.next);
  const pages = Math.max(1, Math.ceil(data.count / PAGE_SIZE));
  return el(
    "nav",
    { class: "pager", "aria-label": "Pages" },
    previous ? link(previous, "← Newer", "prev") : el("span"),
    el("span", { class: "page-of" }, `Page ${page} of ${pages}`),
    next ? link(next, "Older →", "next") : el("span"),
  );
}

async function renderList(heading, filters, intro) {
  const params = new URLSearchParams(window.location.search);
  const page = params.get("page") || "1";
  const data = await api("/posts/", {
    ...filters,
    page,
    page_size: PAGE_SIZE,
    fields: LIST_FIELDS,
  });
  const parts = [
    el("h1", {}, heading),
    intro,
    el("p", { class: "count" }, `${data.count} post${data.count === 1 ? "" : "s"}`),
    ...data.results.map(postCard),
    data.count ? pager(data, page) : el("p", {}, "Nothing here yet."),
  ];
  app().replaceChildren(...parts.filter(Boolean));
  document.title = heading;
}

async function renderPost(slug) {
  // A signed preview link from the admin (?preview=<token>) opens one unpublished post.
  const preview = new URLSearchParams(window.location.search).get("preview");
  const post = await api(`/posts/${seg(slug)}/`, { preview });
  const body = el("div", { class: "post-body" });
  // body_html is sanitised by the CMS (allow-list) before the API serves it.
  body.innerHTML = post.body_html;
  app().replaceChildren(
    el(
      "article",
      { class: "post" },
      post.status !== "published" ? el("p", { class: "preview-note" }, `Preview: ${post.status}`) : null,
      el("h1", {}, post.title),
      byline(post),
      taxonomy(post),
      post.feature_image ? el("img", { class: "feature", src: post.feature_image, alt: "" }) : null,
      body,
    ),
    el("p", {}, el("a", { href: "/" }, "← All posts")),
  );
  document.title = post.title;
}

async function renderTerm(kind, slug) {
  const term = await api(`/${kind}/${seg(slug)}/`);
  const filter = { authors: "author", categories: "category", tags: "tag" }[kind];
  const label = { authors: "Posts by", categories: "Category:", tags: "Tag:" }[kind];
  let about = null;
  if (term.bio_html || term.description_html) {
    about = el("div", { class: "about" });
    // Rendered and sanitised by the CMS, like post bodies.
    about.innerHTML = term.bio_html || term.description_html;
  }
  await renderList(`${label} ${term.name}`, { [filter]: term.slug }, about);
}

async function renderSearch() {
  const query = new URLSearchParams(window.location.search).get("q") || "";
  const box = document.querySelector(".search input");
  if (box) box.value = query;
  if (!query.trim()) {
    app().replaceChildren(el("h1", {}, "Search"), el("p", {}, "Type a word to search posts."));
    return;
  }
  await renderList(`Search: ${query}`, { search: query });
}

function route() {
  const path = decodeURI(window.location.pathname);
  let match;
  if (path === "/") return renderList("Latest posts", {});
  if (path === "/search/") return renderSearch();
  if ((match = path.match(/^\/posts\/([^/]+)\/$/))) return renderPost(match[1]);
  if ((match = path.match(/^\/(tags|categories|authors)\/([^/]+)\/$/))) {
    return renderTerm(match[1], match[2]);
  }
  throw new ApiError(404, "No such page.");
}

async function render() {
  try {
    await route();
  } catch (error) {
    const status = error instanceof ApiError ? error.status : 0;
    app().replaceChildren(
      el("h1", {}, status === 404 ? "Not found" : "Something went wrong"),
      el("p", { class: "error" }, error.message),
      el("p", {}, el("a", { href: "/" }, "← All posts")),
    );
  }
  window.scrollTo(0, 0);
}

// Same-origin links and the search form navigate without reloading the page.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a");
  if (!link || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const url = new URL(link.href, window.location.origin);
  if (url.origin !== window.location.origin) return;
  if (/^\/(api|admin|feeds|static)\//.test(url.pathname)) return;
  event.preventDefault();
  history.pushState(null, "", url.pathname + url.search);
  render();
});

document.addEventListener("submit", (event) => {
  const form = event.target.closest("form.search");
  if (!form) return;
  event.preventDefault();
  const query = new FormData(form).get("q");
  history.pushState(null, "", `/search/?q=${encodeURIComponent(query)}`);
  render();
});

window.addEventListener("popstate", render);
document.addEventListener("DOMContentLoaded", render);
