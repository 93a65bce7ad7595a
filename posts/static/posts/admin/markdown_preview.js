/*
 * Live preview of the markdown body, beside the textarea (posts/admin/forms.py MarkdownEditor).
 *
 * Typing pauses for DELAY_MS, then the body is POSTed (with the form's CSRF token) to the
 * admin's preview endpoint, which renders it with posts.rendering: the same sanitised HTML
 * the API serves. The HTML is parsed in an inert document (no scripts run, nothing loads)
 * and its nodes are moved into the preview.
 *
 * One render at a time: a change made while one is on its way waits for it, then the
 * latest text is sent, and the pause grows to the last render's time. Aborting a request
 * does not stop the server's render: a 2.7 MB body took 5 s to render, and each pause in
 * typing started another one, keeping several of the server's workers busy.
 *
 * Its ids (headings, footnotes) are prefixed, and so are the links to them: a heading
 * `# Header` has the id `header`, the admin page's own header bar's, whose styles it took.
 *
 * Images and media with a relative address (`![Cover](cover.svg)`, as in a Hugo bundle) belong to
 * the site, not to the admin: here they would load /admin/posts/post/6/change/cover.svg,
 * a full admin page whose "doesn't exist" message then showed on the editor's next page.
 * They are shown by their alt text, with the address kept in `data-site-src`.
 */
"use strict";
(function () {
  const DELAY_MS = 300;

  function csrfToken(form) {
    const input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  const ID_PREFIX = "preview-";

  function prefixIds(root) {
    root.querySelectorAll("[id]").forEach((node) => {
      node.id = ID_PREFIX + node.id;
    });
    root.querySelectorAll('a[href^="#"]').forEach((link) => {
      const target = link.getAttribute("href").slice(1);
      if (target) link.setAttribute("href", `#${ID_PREFIX}${target}`);
    });
  }

  // An absolute URL (any scheme), a protocol-relative or a root-relative one.
  const NOT_RELATIVE = /^\s*([a-z][a-z0-9+.-]*:|\/)/i;

  // Every element that loads an address by itself: images, and video, audio and their
  // tracks and posters (a relative `movie.mp4` loaded three admin pages in a row).
  const LOADING = "img, source, video, audio, track";

  function holdRelativeImages(root) {
    root.querySelectorAll(LOADING).forEach((node) => {
      for (const attribute of ["src", "srcset", "poster"]) {
        const value = node.getAttribute(attribute);
        if (value === null || NOT_RELATIVE.test(value)) continue;
        node.removeAttribute(attribute);
        node.setAttribute(`data-site-${attribute}`, value);
        node.title = `${value}: relative to the post's page on the site`;
      }
    });
  }

  function setUp(textarea) {
    const editor = textarea.closest(".md-editor");
    const output = editor.querySelector(".md-editor__output");
    const status = editor.querySelector(".md-editor__status");
    const form = textarea.form;
    const excerpt = form ? form.querySelector("[name=excerpt]") : null;
    let timer = null;
    let inFlight = false;
    let pending = false; // a change came while a render was on its way
    let lastRenderMs = 0;

    async function refresh() {
      if (inFlight) {
        pending = true;
        return;
      }
      inFlight = true;
      pending = false;
      const started = performance.now();
      const data = new FormData();
      data.append("body", textarea.value);
      data.append("excerpt", excerpt ? excerpt.value : "");
      status.textContent = "updating…";
      try {
        const response = await fetch(textarea.dataset.previewUrl, {
          method: "POST",
          body: data,
          headers: { "X-CSRFToken": csrfToken(form) },
          credentials: "same-origin",
        });
        if (!response.ok) throw new Error(`the server answered ${response.status}`);
        const rendered = await response.json();
        const doc = new DOMParser().parseFromString(rendered.html, "text/html");
        prefixIds(doc.body);
        holdRelativeImages(doc.body);
        output.replaceChildren(...doc.body.childNodes);
        status.textContent = rendered.reading_time
          ? `${rendered.reading_time} min read`
          : "empty";
        editor.dataset.previewState = "ready";
      } catch (error) {
        status.textContent = `preview unavailable: ${error.message}`;
        editor.dataset.previewState = "error";
      } finally {
        inFlight = false;
        lastRenderMs = performance.now() - started;
        if (pending) later();
      }
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(refresh, Math.max(DELAY_MS, lastRenderMs));
    }

    textarea.addEventListener("input", later);
    if (excerpt) excerpt.addEventListener("input", later);
    refresh();
  }

  function start() {
    document.querySelectorAll("textarea[data-preview-url]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
