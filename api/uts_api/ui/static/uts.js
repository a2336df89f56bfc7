// The UI's only script: search-as-you-type over GET /v1/autocomplete (an ARIA combobox), and expand/collapse
// of the facet trees. Every page reads the same without it.
"use strict";

function autocomplete(input) {
  const list = document.createElement("ul");
  list.id = input.id + "-options";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Matching tags");
  list.hidden = true;
  input.parentElement.style.position = "relative";
  input.parentElement.appendChild(list);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);
  let controller = null;
  let active = -1;

  function close() {
    if (controller) controller.abort(); // an answer still on its way must not open the list again
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function select(index) {
    const options = list.querySelectorAll("[role=option]");
    options.forEach((o, i) => o.setAttribute("aria-selected", String(i === index)));
    active = index;
    if (index >= 0 && options[index]) {
      input.setAttribute("aria-activedescendant", options[index].id);
    }
  }

  input.addEventListener("input", async () => {
    const q = input.value.trim();
    const started = performance.now();
    if (controller) controller.abort();
    if (!q) { close(); return; }
    controller = new AbortController();
    let answer;
    try {
      const response = await fetch("/v1/autocomplete?limit=8&q=" + encodeURIComponent(q), { signal: controller.signal });
      if (!response.ok) { close(); return; }
      answer = await response.json();
    } catch (error) {
      return; // aborted by the next keystroke, or the server is away: the form still submits
    }
    if (document.activeElement !== input) return; // focus moved on while the answer came
    list.replaceChildren();
    input.removeAttribute("aria-activedescendant");
    answer.hits.forEach((hit, i) => {
      const li = document.createElement("li");
      li.id = list.id + "-" + i;
      li.setAttribute("role", "option");
      li.dataset.href = "/concepts/" + hit.id;
      li.textContent = hit.label + " ";
      const small = document.createElement("small");
      const language = hit.lang && hit.lang !== "en" ? hit.lang + " " : "";
      small.textContent = hit.matched !== hit.label ? "matched " + language + hit.scope + " label “" + hit.matched + "”" : hit.id;
      li.appendChild(small);
      li.addEventListener("mousedown", (event) => { event.preventDefault(); location.href = li.dataset.href; });
      list.appendChild(li);
    });
    list.hidden = answer.hits.length === 0;
    input.setAttribute("aria-expanded", String(!list.hidden));
    active = -1;
    // What the browser tests read: milliseconds from the keystroke to the options on screen.
    input.dataset.latencyMs = String(performance.now() - started);
    input.dataset.answeredFor = q;
  });

  input.addEventListener("keydown", (event) => {
    const options = list.querySelectorAll("[role=option]");
    if (event.key === "ArrowDown" && list.hidden && options.length > 0) {
      list.hidden = false; // reopen what Escape closed
      input.setAttribute("aria-expanded", "true");
    }
    if (list.hidden || options.length === 0) return;
    if (event.key === "ArrowDown") { event.preventDefault(); select((active + 1) % options.length); }
    else if (event.key === "ArrowUp") { event.preventDefault(); select((active - 1 + options.length) % options.length); }
    else if (event.key === "Escape") { close(); }
    else if (event.key === "Enter" && active >= 0) { event.preventDefault(); location.href = options[active].dataset.href; }
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
}

document.querySelectorAll("input[data-autocomplete]").forEach(autocomplete);

document.querySelectorAll("button[data-tree]").forEach((button) => {
  button.addEventListener("click", () => {
    const open = button.dataset.tree === "open";
    document.querySelectorAll("ul.tree details").forEach((d) => { d.open = open; });
  });
});
