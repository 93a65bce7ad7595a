/*
 * Suggestions of existing tags for taggit's comma-separated input
 * (posts/admin/forms.py TagSuggestWidget).
 *
 * The tag being typed is the text after the last comma outside double quotes. Existing tags containing it
 * (most used first) come from the admin's tag-suggestions endpoint; each datalist option
 * is the whole input with that last tag completed, so the browser's own completion list
 * works on an input holding several tags.
 */
"use strict";
(function () {
  const DELAY_MS = 200;

  function splitTags(value) {
    // The last entry starts after the last comma outside double quotes (a doubled quote
    // inside them turns the state twice): `"Hong Kong, Ch` is one entry being typed, whose
    // text is looked up without its quotes.
    let start = 0;
    let inQuotes = false;
    for (let index = 0; index < value.length; index += 1) {
      if (value[index] === '"') inQuotes = !inQuotes;
      else if (value[index] === "," && !inQuotes) start = index + 1;
    }
    let typing = value.slice(start).trim();
    if (typing.startsWith('"')) {
      typing = typing.slice(1).replace(/"$/, "").replaceAll('""', '"');
    }
    return { done: value.slice(0, start), typing };
  }

  function quoted(name) {
    // One tag per comma-separated entry (posts/tag_input.py): a name holding a comma or a
    // double quote is written in double quotes, its quotes doubled.
    return name.includes(",") || name.includes('"') ? `"${name.replaceAll('"', '""')}"` : name;
  }

  function setUp(input) {
    const list = document.getElementById(input.getAttribute("list"));
    let timer = null;
    let inFlight = null;

    async function suggest() {
      const { done, typing } = splitTags(input.value);
      if (!typing) {
        list.replaceChildren();
        return;
      }
      if (inFlight) inFlight.abort();
      inFlight = new AbortController();
      try {
        const url = `${input.dataset.suggestUrl}?q=${encodeURIComponent(typing)}`;
        const response = await fetch(url, { credentials: "same-origin", signal: inFlight.signal });
        if (!response.ok) return;
        const { tags } = await response.json();
        const prefix = done ? `${done.trimEnd()} ` : "";
        const already = new Set(done.split(",").map((name) => name.trim().toLowerCase()));
        list.replaceChildren(
          ...tags
            .filter((name) => !already.has(name.toLowerCase()))
            .map((name) => {
              const option = document.createElement("option");
              option.value = prefix + quoted(name);
              option.label = name;
              return option;
            }),
        );
      } catch (error) {
        if (error.name !== "AbortError") list.replaceChildren();
      }
    }

    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(suggest, DELAY_MS);
    });
  }

  function start() {
    document.querySelectorAll("input[data-suggest-url]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
