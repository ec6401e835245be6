/** Escaping text for HTML and SVG. */

/** Text safe inside HTML/SVG elements and attributes. */
export const escapeMarkup = (text: string): string =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;")
