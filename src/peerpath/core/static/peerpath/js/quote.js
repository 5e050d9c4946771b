// Comment on a passage by selecting it: a container marked [data-quote-source] offers a
// "Comment on this passage" button for the selected text, which fills the field named by
// data-quote-field and moves focus to the comment. Passages already discussed are highlighted.
(function () {
  "use strict";

  function normalise(text) {
    return text.replace(/\s+/g, " ").trim();
  }

  // Highlight each quote where it appears, even across bold or linked words.
  function rangeFor(source, quote) {
    var nodes = [];
    var text = "";
    var walker = document.createTreeWalker(source, NodeFilter.SHOW_TEXT);
    var node;
    while ((node = walker.nextNode())) {
      nodes.push({ node: node, start: text.length });
      text += node.data;
    }
    var flat = text.replace(/\s/g, " ");
    var at = flat.indexOf(quote);
    if (at === -1) return null;
    var range = document.createRange();
    var end = at + quote.length;
    for (var i = 0; i < nodes.length; i++) {
      var item = nodes[i];
      var last = item.start + item.node.data.length;
      if (at >= item.start && at <= last) range.setStart(item.node, at - item.start);
      if (end >= item.start && end <= last) { range.setEnd(item.node, end - item.start); break; }
    }
    return range;
  }

  function markQuotes(source) {
    if (!window.CSS || !CSS.highlights || typeof Highlight === "undefined") return;
    var quotes = [];
    try { quotes = JSON.parse(source.dataset.quotes || "[]"); } catch (e) { quotes = []; }
    var ranges = quotes.map(function (q) { return rangeFor(source, q); }).filter(Boolean);
    if (ranges.length) CSS.highlights.set("quoted", new Highlight(...ranges));
  }

  function setUp(source) {
    var field = document.getElementById(source.dataset.quoteField);
    var comment = document.getElementById(source.dataset.commentField);
    if (!field) return;
    markQuotes(source);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn--small quote-button";
    button.textContent = "Comment on this passage";
    button.hidden = true;
    document.body.appendChild(button);
    var chosen = "";

    function update() {
      var selection = window.getSelection();
      if (!selection || selection.isCollapsed || selection.rangeCount === 0) {
        button.hidden = true;
        return;
      }
      var range = selection.getRangeAt(0);
      if (!source.contains(range.commonAncestorContainer)) {
        button.hidden = true;
        return;
      }
      chosen = normalise(selection.toString()).slice(0, field.maxLength > 0 ? field.maxLength : 500);
      if (!chosen) { button.hidden = true; return; }
      var box = range.getBoundingClientRect();
      button.style.top = window.scrollY + box.bottom + 8 + "px";
      button.style.left = window.scrollX + Math.max(8, box.left) + "px";
      button.hidden = false;
    }

    document.addEventListener("selectionchange", function () { window.requestAnimationFrame(update); });
    button.addEventListener("mousedown", function (event) { event.preventDefault(); });
    button.addEventListener("click", function () {
      field.value = chosen;
      button.hidden = true;
      (comment || field).focus();
      (comment || field).scrollIntoView({ block: "center" });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-quote-source]").forEach(setUp);
  });
})();
