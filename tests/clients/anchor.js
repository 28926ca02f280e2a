// Anchors every quote of the claims register in its built source page, as an annotation client
// does: dom-anchor-text-quote (the quote anchoring Hypothesis's client grew from) over the
// page's body in jsdom, using only the target's top-level TextQuoteSelector; and the
// FragmentSelector's refinedBy quote within the element the fragment names (the W3C reading).
// Usage: node anchor.js REGISTER.jsonld HTML_DIR BASE  (BASE: the IRI the register's
// addresses start from, which stands for HTML_DIR). Prints one JSON line per target.
"use strict";
const fs = require("fs");
const path = require("path");
const { JSDOM } = require("jsdom");
const textQuote = require("dom-anchor-text-quote");

const [registerPath, htmlDir, base] = process.argv.slice(2);
const register = JSON.parse(fs.readFileSync(registerPath, "utf8"));
const pages = new Map();

function page(iri) {
  if (!iri.startsWith(base)) throw new Error(`${iri} is not under ${base}`);
  const file = path.join(htmlDir, iri.slice(base.length).split("#")[0]);
  if (!pages.has(file)) pages.set(file, new JSDOM(fs.readFileSync(file, "utf8")).window.document);
  return pages.get(file);
}

// Where each element's text lies in the text of the page's body (character offsets), found in
// one walk of the page's text nodes.
const spans = new Map();
function span(root, element) {
  if (root === element) return { start: 0, end: element.textContent.length };
  const document = root.ownerDocument;
  if (!spans.has(document)) {
    const offsets = new Map();
    const walker = document.createTreeWalker(root, 4 /* NodeFilter.SHOW_TEXT */);
    for (let node = walker.nextNode(), at = 0; node; node = walker.nextNode()) {
      offsets.set(node, at);
      at += node.data.length;
    }
    spans.set(document, offsets);
  }
  const first = document.createTreeWalker(element, 4).nextNode();
  const start = first ? spans.get(document).get(first) : 0;
  return { start, end: start + element.textContent.length };
}

// The quote's place as the client finds it: toTextPosition is the search of toRange (its
// conversion to a DOM Range fails on a quote that ends its root's text, which says nothing
// about where the quote was found).
function anchor(root, selector, element) {
  let found;
  try {
    found = textQuote.toTextPosition(root, selector);
  } catch (error) {
    return `error: ${error.message}`;
  }
  if (found === null) return "not found";
  const text = root.textContent.slice(found.start, found.end);
  if (text !== selector.exact) return `wrong text: “${text.slice(0, 60)}”`;
  const paragraph = span(root, element);
  if (found.start < paragraph.start || found.end > paragraph.end) return "outside the paragraph";
  return "ok";
}

for (const item of register.first.items) {
  for (const target of item.target) {
    const selectors = Array.isArray(target.selector) ? target.selector : [target.selector];
    const quote = selectors.find((s) => s.type === "TextQuoteSelector");
    const fragment = selectors.find((s) => s.type === "FragmentSelector");
    if (!fragment || !/-p\d+$/.test(fragment.value)) continue; // the publication facts: no quote
    const document = page(target.source);
    const element = document.getElementById(fragment.value);
    const result = { id: item.id, source: target.source, fragment: fragment.value, exact: quote ? quote.exact.slice(0, 60) : "" };
    if (!quote) {
      result.page = "no TextQuoteSelector among the target's selectors";
      result.refined = fragment.refinedBy && element ? anchor(element, fragment.refinedBy, element) : "no refinedBy";
    } else if (element === null) {
      result.page = result.refined = "no such element";
    } else {
      result.page = anchor(document.body, quote, element);
      result.refined = fragment.refinedBy ? anchor(element, fragment.refinedBy, element) : "no refinedBy";
    }
    process.stdout.write(JSON.stringify(result) + "\n");
  }
}
