// Select-to-cite on a source's page (analysts only): select a passage of the full text and the
// "Cite this passage" form appears with the selection's offsets in the source text; it opens the
// citation form with the quote, the paragraph and the occurrence filled in. Without this script,
// each paragraph's "Cite" link does the same for a whole paragraph.
(function () {
  "use strict";

  function paragraphText(node) {
    var element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    return element ? element.closest(".para-text") : null;
  }

  // Characters of the paragraph's text before (node, offset): the cite-number links are not text.
  function offsetIn(paragraph, node, offset) {
    var range = document.createRange();
    range.selectNodeContents(paragraph);
    range.setEnd(node, offset);
    var fragment = range.cloneContents();
    fragment.querySelectorAll(".cite-no").forEach(function (link) { link.remove(); });
    // Offsets count code points, as the server does (an emoji is one, not two UTF-16 units).
    return Array.from(fragment.textContent).length;
  }

  function selectionOffsets() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) return null;
    var range = selection.getRangeAt(0);
    var first = paragraphText(range.startContainer);
    var last = paragraphText(range.endContainer);
    if (!first || !last) return null;
    var start = Number(first.dataset.offset) + offsetIn(first, range.startContainer, range.startOffset);
    var end = Number(last.dataset.offset) + offsetIn(last, range.endContainer, range.endOffset);
    return end > start ? { start: start, end: end, text: selection.toString() } : null;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("cite-form");
    var text = document.getElementById("source-text");
    if (!form || !text) return;
    var status = form.querySelector(".cite-selection");

    function update() {
      var offsets = selectionOffsets();
      if (!offsets) return;
      form.elements.start.value = offsets.start;
      form.elements.end.value = offsets.end;
      var shown = offsets.text.replace(/\s+/g, " ").trim();
      status.textContent = "Selected: “" + (shown.length > 80 ? shown.slice(0, 77) + "…" : shown) + "”";
      form.hidden = false;
    }

    document.addEventListener("selectionchange", function () {
      // Keyboard selection (caret browsing) and mouse selection both end here.
      if (selectionOffsets()) update();
    });
    form.addEventListener("submit", function (event) {
      if (!form.elements.start.value) event.preventDefault();
    });

    // A link to a citation lands on its highlighted passage: mark it for the outline and focus it.
    function markTarget() {
      document.querySelectorAll("mark.is-target").forEach(function (m) { m.classList.remove("is-target"); });
      var id = decodeURIComponent(window.location.hash.slice(1));
      var target = id && document.getElementById(id);
      while (target && target.classList.contains("passage-anchor")) target = target.nextElementSibling;
      if (target && target.tagName === "MARK") target.classList.add("is-target");
    }
    window.addEventListener("hashchange", markTarget);
    markTarget();
  });
})();
