import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RecordSet, SlottedMember } from '../../lib/plan/records.js';
import { claimOf, ownershipValues, parseOwnership, settleLegacy } from '../../lib/registry/ownership.js';
import { deploymentOf } from '../../tools/world/deployment.js';

const prodIreland = deploymentOf('rlec-dns-prod', { account: '111111111111', region: 'eu-west-1' }, [
  'rlec-dns-prod-legacy',
]);

const ownerRecordName = '_rlec-dns.mycluster.example.com.';

const nodeA: SlottedMember = { instanceId: 'i-0a1b2c3d4e5f60718', address: '10.0.1.17', slot: 1 };
const nodeB: SlottedMember = { instanceId: 'i-0f9e8d7c6b5a40312', address: '10.0.2.23', slot: 2 };
const nodeC: SlottedMember = { instanceId: 'i-0123456789abcdef0', address: '10.0.3.41', slot: 5 };

const txt = (values: readonly string[]): RecordSet => ({ name: ownerRecordName, type: 'TXT', ttl: 60, values });

describe('ownershipValues', () => {
  it('writes the heritage header with owner, account and Region first, then one quoted entry per member in slot order', () => {
    // Act
    const values = ownershipValues(prodIreland, [nodeC, nodeA, nodeB]);

    // Assess
    expect(values).toEqual([
      '"heritage=rlec-dns,owner=rlec-dns-prod,account=111111111111,region=eu-west-1"',
      '"ns1=i-0a1b2c3d4e5f60718"',
      '"ns2=i-0f9e8d7c6b5a40312"',
      '"ns5=i-0123456789abcdef0"',
    ]);
  });

  it('writes only the header when there are no members', () => {
    // Act
    const values = ownershipValues(prodIreland, []);

    // Assess
    expect(values).toEqual(['"heritage=rlec-dns,owner=rlec-dns-prod,account=111111111111,region=eu-west-1"']);
  });
});

describe('parseOwnership', () => {
  it('reads back the owner, account, Region and slots that ownershipValues wrote', () => {
    // Prepare
    const record = txt(ownershipValues(prodIreland, [nodeA, nodeB, nodeC]));

    // Act
    const ownership = parseOwnership(record);

    // Assess
    expect(ownership).toMatchObject({ owner: 'rlec-dns-prod', account: '111111111111', region: 'eu-west-1' });
    expect(ownership?.slots).toEqual(
      new Map([
        [nodeA.instanceId, 1],
        [nodeB.instanceId, 2],
        [nodeC.instanceId, 5],
      ]),
    );
  });

  it('round-trips any owner id and set of slotted members', () => {
    // Prepare
    const ownerIds = fc.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/);
    const instanceIds = fc.stringMatching(/^i-[0-9a-f]{8,17}$/);
    const members = fc.uniqueArray(fc.record({ instanceId: instanceIds, slot: fc.integer({ min: 1, max: 9999 }) }), {
      maxLength: 20,
      selector: (m) => m.instanceId,
    });
    const slottedMembers = members.map((list) =>
      // Slots must be unique too: keep the first member of each slot.
      [...new Map(list.map((m) => [m.slot, m])).values()].map((m) => ({ ...m, address: '10.0.0.1' })),
    );

    // Act & Assess
    fc.assert(
      fc.property(ownerIds, slottedMembers, (owner, list) => {
        const ownership = parseOwnership(txt(ownershipValues({ ...prodIreland, ownerId: owner }, list)));
        expect(ownership?.owner).toBe(owner);
        expect(ownership?.slots).toEqual(new Map(list.map((m) => [m.instanceId, m.slot])));
      }),
    );
  });

  it('reads values that Route 53 returns without quotes too', () => {
    // Prepare
    const record = txt(['heritage=rlec-dns,owner=rlec-dns', 'ns1=i-0a1b2c3d4e5f60718']);

    // Act
    const ownership = parseOwnership(record);

    // Assess
    expect(ownership).toMatchObject({ owner: 'rlec-dns', slots: new Map([['i-0a1b2c3d4e5f60718', 1]]) });
  });

  it('reads a header of the earlier form, which names no account or Region', () => {
    // Prepare
    const record = txt(['"heritage=rlec-dns,owner=rlec-dns-prod"', '"ns1=i-0a1b2c3d4e5f60718"']);

    // Act
    const ownership = parseOwnership(record);

    // Assess
    expect(ownership).toEqual({
      owner: 'rlec-dns-prod',
      account: undefined,
      region: undefined,
      slots: new Map([['i-0a1b2c3d4e5f60718', 1]]),
    });
  });

  it('finds the header wherever it sits among the values', () => {
    // Prepare
    const record = txt(['"ns1=i-0a1b2c3d4e5f60718"', '"heritage=rlec-dns,owner=rlec-dns"']);

    // Act
    const ownership = parseOwnership(record);

    // Assess
    expect(ownership).toMatchObject({ owner: 'rlec-dns', slots: new Map([['i-0a1b2c3d4e5f60718', 1]]) });
  });

  it('returns undefined for a TXT record of another heritage', () => {
    // Prepare
    const externalDnsRecord = txt(['"heritage=external-dns,external-dns/owner=default"', '"ns1=i-0a1b2c3d4e5f60718"']);

    // Act
    const ownership = parseOwnership(externalDnsRecord);

    // Assess
    expect(ownership).toBeUndefined();
  });

  it('returns undefined for a TXT record with no header at all', () => {
    // Prepare
    const record = txt(['"v=spf1 -all"']);

    // Act
    const ownership = parseOwnership(record);

    // Assess
    expect(ownership).toBeUndefined();
  });

  it('returns undefined for a record that is not TXT', () => {
    // Prepare
    const record: RecordSet = { ...txt(['"heritage=rlec-dns,owner=rlec-dns"']), type: 'SPF' };

    // Act
    const ownership = parseOwnership(record);

    // Assess
    expect(ownership).toBeUndefined();
  });

  it('keeps the first entry when a slot is listed twice', () => {
    // Prepare
    const record = txt([
      '"heritage=rlec-dns,owner=rlec-dns"',
      '"ns1=i-0a1b2c3d4e5f60718"',
      '"ns1=i-0f9e8d7c6b5a40312"',
    ]);

    // Act
    const ownership = parseOwnership(record);

    // Assess
    expect(ownership?.slots).toEqual(new Map([['i-0a1b2c3d4e5f60718', 1]]));
  });

  it('keeps the first entry when an instance is listed twice', () => {
    // Prepare
    const record = txt([
      '"heritage=rlec-dns,owner=rlec-dns"',
      '"ns2=i-0a1b2c3d4e5f60718"',
      '"ns1=i-0a1b2c3d4e5f60718"',
    ]);

    // Act
    const ownership = parseOwnership(record);

    // Assess
    expect(ownership?.slots).toEqual(new Map([['i-0a1b2c3d4e5f60718', 2]]));
  });

  it('ignores entries it cannot read, keeping the others', () => {
    // Prepare
    const junk = [
      '"hello"',
      '"ns0=i-0123456789abcdef0"', // slot zero
      '"ns01=i-0123456789abcdef0"', // leading zero
      '"ns10000=i-0123456789abcdef0"', // five digits
      '"ns3=not-an-instance"',
      '"ns3=I-0123456789ABCDEF0"', // upper case
      '"ns3 = i-0123456789abcdef0"', // spaces
      '"ns3=i-0123456789abcdef0,extra"',
      '',
    ];
    const record = txt(['"heritage=rlec-dns,owner=rlec-dns"', ...junk, '"ns2=i-0f9e8d7c6b5a40312"']);

    // Act
    const ownership = parseOwnership(record);

    // Assess
    expect(ownership).toMatchObject({ owner: 'rlec-dns', slots: new Map([['i-0f9e8d7c6b5a40312', 2]]) });
  });
});

describe('claimOf', () => {
  const ownershipOf = (header: string) => parseOwnership(txt([header, '"ns1=i-0a1b2c3d4e5f60718"']));

  it.each([
    {
      what: 'our owner, account and Region',
      header: 'owner=rlec-dns-prod,account=111111111111,region=eu-west-1',
      kind: 'ours',
    },
    {
      what: 'our owner in another Region',
      header: 'owner=rlec-dns-prod,account=111111111111,region=us-east-1',
      kind: 'elsewhere',
    },
    {
      what: 'our owner in another account',
      header: 'owner=rlec-dns-prod,account=222222222222,region=eu-west-1',
      kind: 'elsewhere',
    },
    {
      what: 'another owner in another Region',
      header: 'owner=team-b,account=111111111111,region=us-east-1',
      kind: 'elsewhere',
    },
    {
      what: 'another owner in our account and Region',
      header: 'owner=team-b,account=111111111111,region=eu-west-1',
      kind: 'foreign',
    },
    { what: 'the earlier form with our owner id', header: 'owner=rlec-dns-prod', kind: 'legacy' },
    { what: 'the earlier form with a legacy id of ours', header: 'owner=rlec-dns-prod-legacy', kind: 'legacy' },
    { what: 'the earlier form with another owner id', header: 'owner=team-b', kind: 'foreign' },
  ])('says $kind for $what', ({ header, kind }) => {
    // Act
    const claim = claimOf(ownershipOf(`"heritage=rlec-dns,${header}"`), prodIreland);

    // Assess
    expect(claim.kind).toBe(kind);
  });

  it('says foreign when there is no ownership record of rlec-dns', () => {
    // Act & Assess
    expect(claimOf(undefined, prodIreland).kind).toBe('foreign');
  });

  it('names the owner, account and Region of a cluster owned elsewhere', () => {
    // Act
    const claim = claimOf(
      ownershipOf('"heritage=rlec-dns,owner=x,account=222222222222,region=us-east-1"'),
      prodIreland,
    );

    // Assess
    expect(claim).toEqual({ kind: 'elsewhere', owner: 'x', account: '222222222222', region: 'us-east-1' });
  });
});

describe('settleLegacy', () => {
  const legacy = parseOwnership(txt(['"heritage=rlec-dns,owner=rlec-dns-prod"', '"ns1=i-0a1b2c3d4e5f60718"']));

  it('makes a record of the earlier form ours when our EC2 shows one of its instances', () => {
    // Act & Assess
    expect(settleLegacy(legacy as never, new Set(['i-0a1b2c3d4e5f60718']), false).kind).toBe('ours');
  });

  it('makes it ours when instances here carry the cluster tag', () => {
    // Act & Assess
    expect(settleLegacy(legacy as never, new Set(), true).kind).toBe('ours');
  });

  it('leaves it to a deployment we cannot see when none of its instances is ours', () => {
    // Act & Assess
    expect(settleLegacy(legacy as never, new Set(['i-0f9e8d7c6b5a40312']), false)).toEqual({
      kind: 'elsewhere',
      owner: 'rlec-dns-prod',
    });
  });
});
