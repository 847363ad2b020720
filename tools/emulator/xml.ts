/**
 * Just enough XML for the AWS wire shapes the emulator touches (Route 53's REST-XML bodies).
 *
 * Why not a parser: those shapes never nest an element inside one of the same name, carry no CDATA, and we need to
 * re-emit fragments byte for byte (a ListResourceRecordSets page is rebuilt from moto's own `<ResourceRecordSet>`
 * fragments), which a DOM round trip would not give us.
 */

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Escapes text for use inside an element or a double-quoted attribute. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Decodes the five named entities and numeric character references. */
export function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(Number.parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(Number.parseInt(ref.slice(1), 10));
    return ENTITIES[ref] ?? whole;
  });
}

function elementPattern(tag: string): RegExp {
  // `(?:\s[^>]*?)?` admits attributes (xmlns) but not a longer tag name: `ResourceRecord` must not match
  // `<ResourceRecords>`. A self-closing element yields an empty body.
  return new RegExp(`<${tag}(?:\\s[^>]*?)?(?:/>|>([\\s\\S]*?)</${tag}>)`, 'g');
}

/** Raw inner XML of every `<tag>` element in `xml`, in document order. */
export function innerAll(xml: string, tag: string): string[] {
  return [...xml.matchAll(elementPattern(tag))].map((match) => match[1] ?? '');
}

/** Raw inner XML of the first `<tag>` element, or undefined when there is none. */
export function inner(xml: string, tag: string): string | undefined {
  const match = elementPattern(tag).exec(xml);
  return match ? (match[1] ?? '') : undefined;
}

/** Decoded text of the first `<tag>` element, or undefined when there is none. */
export function textOf(xml: string, tag: string): string | undefined {
  const raw = inner(xml, tag);
  return raw === undefined ? undefined : unescapeXml(raw);
}

/** `<tag>escaped text</tag>`. */
export function element(tag: string, text: string): string {
  return `<${tag}>${escapeXml(text)}</${tag}>`;
}
