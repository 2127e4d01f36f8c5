// Progressive enhancement of the web chat: the same form, posted with fetch, so the
// transcript grows in place. Without this file the page works with plain form posts.
(function () {
  "use strict";
  const form = document.getElementById("answer");
  const transcript = document.getElementById("transcript");
  if (!form || !window.fetch || !window.FormData) return;

  function bubble(text, mine) {
    const p = document.createElement("p");
    p.className = "bubble " + (mine ? "mine" : "theirs");
    p.textContent = text; // never innerHTML: complainants' and staff's words are text
    transcript.appendChild(p);
    p.scrollIntoView({ block: "end" });
  }

  // The group's accessible name, copied from the server-rendered group it replaces.
  let groupLabel = "";

  // A switch button (an adjustment): pressed or not, in words and style as the page does.
  function button(c, selectedLabel) {
    const b = document.createElement("button");
    b.type = "submit"; b.name = "choice"; b.value = c.id;
    if (c.pressed === true || c.pressed === false) {
      b.setAttribute("aria-pressed", c.pressed ? "true" : "false");
    }
    if (c.pressed === true) {
      b.className = "selected";
      const tick = document.createElement("span");
      tick.setAttribute("aria-hidden", "true");
      tick.textContent = "\u2713 ";
      b.appendChild(tick);
    }
    b.appendChild(document.createTextNode(c.label));
    if (c.pressed === true) {
      const words = document.createElement("span");
      words.className = "visually-hidden";
      words.textContent = " (" + selectedLabel + ")";
      b.appendChild(words);
    }
    return b;
  }

  function choices(list, label, selectedLabel) {
    let group = form.querySelector(".choices");
    if (label) groupLabel = label; // in the language chosen since the page loaded
    if (group) {
      groupLabel = group.getAttribute("aria-label") || groupLabel;
      group.remove();
    }
    if (!list.length) return;
    group = document.createElement("div");
    group.className = "choices";
    group.setAttribute("role", "group");
    if (groupLabel) group.setAttribute("aria-label", groupLabel);
    list.forEach(function (c) { group.appendChild(button(c, selectedLabel)); });
    form.insertBefore(group, form.querySelector("label[for=text]"));
  }

  // The page's own words follow a change of language without a reload.
  function words(labels) {
    if (!labels) return;
    const set = function (selector, text) {
      const node = document.querySelector(selector);
      if (node && text) node.textContent = text;
    };
    set("button.send", labels.send);
    set(".file .file-words", labels.file);
    set("#text-label", labels.answer);
    set("h1", labels.title);
    if (labels.title) document.title = labels.title;
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    const data = new FormData(form);
    if (event.submitter && event.submitter.name === "choice") {
      data.set("choice", event.submitter.value);
    }
    const buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    try {
      const response = await fetch(form.action, {
        method: "POST", body: data, headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.status === 503) {
        // Not saved (the server's disk is full): say so, and leave the form as it is.
        const unsaved = await response.json();
        if (!unsaved.unsaved) throw new Error("503");
        bubble(unsaved.message, false);
        return;
      }
      if (!response.ok) throw new Error(String(response.status));
      const reply = await response.json();
      reply.messages.forEach(function (m) { bubble(m.text, m.mine); });
      choices(reply.choices, reply.choices_label, reply.selected_label);
      form.dataset.step = reply.step;
      document.documentElement.lang = reply.lang === "en_Easy" ? "en" : reply.lang;
      document.documentElement.dir = reply.dir;
      words(reply.labels);
      form.reset();
      form.querySelector("[name=nonce]").value = reply.nonce;
      seen(reply.seen);
      document.getElementById("text").focus();
    } catch (error) {
      form.submit(); // fall back to a plain post: nothing typed is lost
    } finally {
      form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
    }
  });

  // Messages count as delivered once this page says it showed them: tell the server now,
  // and keep the ids in the form too, so a plain post after a failed fetch confirms them.
  function seen(ids) {
    form.querySelector("[name=seen]").value = ids || "";
    if (ids) poll();
  }

  async function poll() {
    try {
      const field = form.querySelector("[name=seen]");
      const query = field.value ? "?seen=" + encodeURIComponent(field.value) : "";
      const response = await fetch("/chat/poll" + query, { credentials: "same-origin" });
      const body = await response.json();
      field.value = body.seen || "";
      body.messages.forEach(function (text) { bubble(text, false); });
      if (body.seen) poll();
    } catch (error) { /* offline for a moment: try again at the next tick */ }
  }

  if (form.querySelector("[name=seen]").value) poll();
  setInterval(poll, 15000);
})();
