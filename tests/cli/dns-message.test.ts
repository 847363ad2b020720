/**
 * cli/dns/message.ts: what verify makes of the bytes dns-packet encodes and decodes. Answers are written out byte by
 * byte (compression included), so these tests do not lean on dns-packet's own encoder: canonical names, data in
 * presentation form, and broken answers refused, including the one dns-packet itself lets through.
 */
import { describe, expect, it } from 'vitest';
import { DnsFormatError, decodeMessage, encodeQuery } from '../../cli/dns/message.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+|#[^\n]*/g, ''), 'hex');

/**
 * The referral a parent zone's server sends for `c1.example.com. NS`: two NS records in authority and their glue in
 * additional, every name after the question compressed (pointers to offsets 12, 44 and 62).
 */
const referral = hex(`
  1234 8000 0001 0000 0002 0002                  # id, QR; 1 question, 0 answers, 2 authority, 2 additional
  02 6331 07 6578616d706c65 03 636f6d 00 0002 0001   # @12 c1.example.com. NS IN
  c00c 0002 0001 0000003c 0006 03 6e7331 c00c    # @32 c1.example.com. 60 NS ns1.(@12) - rdata @44
  c00c 0002 0001 0000003c 0006 03 6e7332 c00c    # @50 c1.example.com. 60 NS ns2.(@12) - rdata @62
  c02c 0001 0001 0000003c 0004 0a00000b          # @68 ns1.c1.example.com. 60 A 10.0.0.11
  c03e 0001 0001 0000003c 0004 0a00000c          # @84 ns2.c1.example.com. 60 A 10.0.0.12
`);

describe('DNS messages', () => {
  it('encodes a query without recursion, class IN, whether or not the name ends with a dot', () => {
    // Prepare, Act
    const query = encodeQuery(0xbeef, 'c1.example.com', 'SOA');
    const dotted = encodeQuery(0xbeef, 'c1.example.com.', 'SOA');
    // Assess
    expect(query.toString('hex')).toBe('beef00000001000000000000026331076578616d706c6503636f6d0000060001');
    expect(dotted).toEqual(query);
  });

  it('sets recursion desired only when asked, as a resolver is asked', () => {
    // Prepare, Act
    const recursive = encodeQuery(0xbeef, 'c1.example.com', 'A', true);
    // Assess
    expect(recursive.readUInt16BE(2)).toBe(0x0100);
  });

  it('refuses to encode a label longer than 63 bytes, or a type it cannot ask for', () => {
    // Prepare
    const long = `${'a'.repeat(64)}.example.com`;
    // Act, Assess
    expect(() => encodeQuery(1, long, 'A')).toThrow(`name too long for DNS: ${long}`);
    expect(() => encodeQuery(1, 'c1.example.com', 'SPF')).toThrow('unsupported query type SPF');
  });

  it('decodes a referral with compressed names into its sections', () => {
    // Prepare, Act
    const message = decodeMessage(referral);
    // Assess
    expect(message).toEqual({
      id: 0x1234,
      flags: { qr: true, aa: false, tc: false, rd: false, ra: false },
      rcode: 'NOERROR',
      questions: [{ name: 'c1.example.com.', type: 'NS' }],
      answers: [],
      authority: [
        { name: 'c1.example.com.', type: 'NS', ttl: 60, data: 'ns1.c1.example.com.' },
        { name: 'c1.example.com.', type: 'NS', ttl: 60, data: 'ns2.c1.example.com.' },
      ],
      additional: [
        { name: 'ns1.c1.example.com.', type: 'A', ttl: 60, data: '10.0.0.11' },
        { name: 'ns2.c1.example.com.', type: 'A', ttl: 60, data: '10.0.0.12' },
      ],
    });
  });

  it('decodes SOA and TXT data, flags and the response code', () => {
    // Prepare
    const message = hex(`
      0001 8603 0001 0002 0000 0000                     # QR AA TC (0x8600) RD clear, NXDOMAIN (3)
      02 6331 00 0006 0001                              # @12 c1. SOA IN
      c00c 0006 0001 0000003c 001a c00c 01 61 c00c 00000001 00000e10 00000258 00093a80 0000003c
      c00c 0010 0001 0000003c 0008 03 613d31 03 22 5c 62                            # "a=1" "\\"\\\\b"
    `);
    // Act
    const decoded = decodeMessage(message);
    // Assess
    expect(decoded.flags).toEqual({ qr: true, aa: true, tc: true, rd: false, ra: false });
    expect(decoded.rcode).toBe('NXDOMAIN');
    expect(decoded.answers.map((r) => r.data)).toEqual(['c1. a.c1. 1 3600 600 604800 60', '"a=1" "\\"\\\\b"']);
  });

  it('lower-cases names and shows bytes a terminal could act on as \\DDD', () => {
    // Prepare: NODE1.C1. A 10.0.0.11, and a TXT string holding ESC [ 2 J (clear the screen)
    const message = hex(`
      0001 8400 0001 0002 0000 0000
      05 4e4f444531 02 4331 00 0001 0001                # @12 NODE1.C1. A IN
      c00c 0001 0001 0000003c 0004 0a00000b
      c00c 0010 0001 0000003c 0005 04 1b5b324a
    `);
    // Act
    const decoded = decodeMessage(message);
    // Assess
    expect(decoded.questions).toEqual([{ name: 'node1.c1.', type: 'A' }]);
    expect(decoded.answers.map((r) => `${r.name} ${r.data}`)).toEqual(['node1.c1. 10.0.0.11', 'node1.c1. "\\027[2J"']);
  });

  it('refuses compression pointers that loop', () => {
    // Prepare: the question's name is a pointer to itself
    const looping = hex('0001 8000 0001 0000 0000 0000 c00c 0001 0001');
    // Act, Assess
    expect(() => decodeMessage(looping)).toThrow(new DnsFormatError('Cannot decode name (bad pointer)'));
  });

  it('refuses an answer cut short', () => {
    // Prepare
    const cut = referral.subarray(0, 75);
    // Act, Assess
    expect(() => decodeMessage(cut)).toThrow(DnsFormatError);
  });

  it('refuses an answer cut short inside its last record, which dns-packet decodes without complaint', () => {
    // Prepare: the last glue address loses its last two bytes
    const cut = referral.subarray(0, referral.length - 2);
    // Act, Assess
    expect(() => decodeMessage(cut)).toThrow(new DnsFormatError('truncated: its records need 100 bytes, it has 98'));
  });

  it('refuses a pointer past the end of the answer', () => {
    // Prepare
    const outside = hex('0001 8000 0001 0000 0000 0000 c0ff 0001 0001');
    // Act, Assess
    expect(() => decodeMessage(outside)).toThrow(/bad pointer/);
  });
});
