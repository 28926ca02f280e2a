/* The book's own script; it loads nothing and nothing loads it but the book's pages.
 *
 * 1. A citation's ¶ link (a.pinpoint) quotes the paragraphs it pinpoints in a popover: on hover,
 *    on keyboard focus (Tab then reaches the ¶ links inside it, Escape closes it) and on a first
 *    tap (a second tap, or a ¶ link inside, follows). The text is in the link's data-passage,
 *    written at build time (tools/extensions/briefing_reading.py). Without the script the link
 *    still leads to the highlighted passage.
 * 2. "Cite this page" gets a copy button for each BibTeX entry; where the clipboard is refused,
 *    the entry is selected for the reader to copy.
 */
(function () {
  "use strict";

  var open = null;         // {link, box}: the popover shown, if any
  var pointer = "";        // how the reader last acted: "mouse", "touch", "pen" or "key"
  var tapFound = false;    // whether the link tapped already showed its popover
  var quietFocus = false;  // focus given back to a link on Escape does not reopen it
  var hideTimer = 0;
  var count = 0;

  function firstParagraph(link) {
    var match = (link.getAttribute("href") || "").match(/-p(\d+)$/);
    return match ? parseInt(match[1], 10) : 0;
  }

  function build(link) {
    var first = firstParagraph(link);
    var label = link.getAttribute("data-source") + ", " + link.textContent;
    var box = document.createElement("span");
    box.className = "pinpoint-popover";
    box.id = "pinpoint-popover-" + (++count);
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", "The passage: " + label);
    var head = document.createElement("span");
    head.className = "pinpoint-popover-source";
    head.textContent = label;
    box.appendChild(head);
    link.getAttribute("data-passage").split("\n").forEach(function (text, i) {
      var row = document.createElement("span");
      row.className = "pinpoint-popover-paragraph";
      var to = document.createElement("a");
      to.className = "pinpoint-popover-link";
      to.href = link.getAttribute("href").replace(/-p\d+$/, "-p" + (first + i));
      to.textContent = "¶" + (first + i);
      var quote = document.createElement("span");
      quote.className = "pinpoint-popover-text";
      quote.textContent = text;
      row.appendChild(to);
      row.appendChild(document.createTextNode(" "));
      row.appendChild(quote);
      box.appendChild(row);
    });
    box.addEventListener("mouseenter", function () { clearTimeout(hideTimer); });
    box.addEventListener("mouseleave", laterHide);
    return box;
  }

  function place() {
    if (!open) return;
    var box = open.box, r = open.link.getBoundingClientRect();
    var vw = document.documentElement.clientWidth, vh = window.innerHeight;
    var left = Math.min(Math.max(8, r.left), Math.max(8, vw - box.offsetWidth - 8));
    var top = r.bottom + 4;
    if (top + box.offsetHeight > vh - 8 && r.top - box.offsetHeight - 4 >= 8) {
      top = r.top - box.offsetHeight - 4;
    }
    box.style.left = left + "px";
    box.style.top = top + "px";
  }

  function show(link) {
    clearTimeout(hideTimer);
    if (open && open.link === link) return;
    close(false);
    var box = build(link);
    // Right after the link, so that Tab goes from the link to the ¶ links in the popover.
    link.parentNode.insertBefore(box, link.nextSibling);
    open = {link: link, box: box};
    link.setAttribute("aria-expanded", "true");
    link.setAttribute("aria-controls", box.id);
    place();
  }

  function close(refocus) {
    clearTimeout(hideTimer);
    if (!open) return;
    var link = open.link, inside = open.box.contains(document.activeElement);
    open.box.remove();
    open = null;
    link.setAttribute("aria-expanded", "false");
    link.removeAttribute("aria-controls");
    if (refocus && inside) {
      quietFocus = true;
      link.focus();
      quietFocus = false;
    }
  }

  function laterHide() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(function () {
      if (open && !open.box.contains(document.activeElement) && document.activeElement !== open.link) close(false);
    }, 300);
  }

  function within(node) {
    return open && (open.link.contains(node) || open.box.contains(node));
  }

  function enhance(link) {
    // The popover says what the title said; aria-label keeps the source beside the ¶ number.
    link.removeAttribute("title");
    link.setAttribute("aria-label", link.getAttribute("data-source") + ", " + link.textContent);
    link.setAttribute("aria-expanded", "false");
    link.addEventListener("mouseenter", function () { if (pointer !== "touch") show(link); });
    link.addEventListener("mouseleave", laterHide);
    link.addEventListener("focus", function () { if (!quietFocus) show(link); });
    link.addEventListener("click", function (event) {
      if (pointer === "touch" && !tapFound) {
        event.preventDefault();
        show(link);
        tapFound = true;
      }
    });
  }

  document.addEventListener("pointerdown", function (event) {
    pointer = event.pointerType || "mouse";
    var link = event.target.closest && event.target.closest("a.pinpoint[data-passage]");
    tapFound = Boolean(link && open && open.link === link);
    if (open && !within(event.target)) close(false);
  }, true);
  document.addEventListener("keydown", function (event) {
    pointer = "key";
    if (event.key === "Escape" && open) {
      close(true);
    }
  });
  document.addEventListener("focusin", function (event) {
    if (open && !within(event.target)) close(false);
  });
  window.addEventListener("scroll", place, {passive: true});
  window.addEventListener("resize", place);

  document.querySelectorAll("a.pinpoint[data-passage]").forEach(enhance);

  document.querySelectorAll(".cite-this-page pre.cite-bibtex").forEach(function (pre) {
    var block = pre.closest(".cite-block");
    var heading = block && block.querySelector(".cite-heading");
    var bar = document.createElement("p");
    bar.className = "cite-copy";
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = "Copy BibTeX";
    button.setAttribute("aria-label", "Copy BibTeX: " + (heading ? heading.textContent : "this page"));
    var status = document.createElement("span");
    status.className = "cite-copy-status";
    status.setAttribute("role", "status");
    bar.appendChild(button);
    bar.appendChild(status);
    pre.parentNode.insertBefore(bar, pre.nextSibling);

    function selectEntry() {
      var range = document.createRange();
      range.selectNodeContents(pre);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
      status.textContent = copied ? "Copied." : "Selected: press Ctrl+C (⌘C on a Mac) to copy.";
    }

    button.addEventListener("click", function () {
      status.textContent = "";
      var text = pre.textContent;
      try {
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(text).then(function () { status.textContent = "Copied."; }, selectEntry);
          return;
        }
      } catch (e) { /* a clipboard that throws is a refused one */ }
      selectEntry();
    });
  });
})();
