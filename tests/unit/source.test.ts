import { DescribeInstancesCommand, type DescribeInstancesCommandInput, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../../lib/platform/config.js';
import type { HostedZone } from '../../lib/registry/zones.js';
import { groupMembers, type Instance, instancesByIds, taggedRunningInstances } from '../../lib/source/instances.js';
import { membersFor } from '../../lib/source/members.js';

type SourceConfig = Pick<Config, 'clusterTagKey' | 'addressType' | 'addressTypeTagKey'>;

const privateConfig: SourceConfig = {
  clusterTagKey: 'rlec:cluster',
  addressType: 'private',
  addressTypeTagKey: 'rlec:address-type',
};
const publicConfig: SourceConfig = { ...privateConfig, addressType: 'public' };

const cluster = 'mycluster.example.com';
const publicZone: HostedZone = { id: 'Z1EXAMPLE', name: 'example.com.', private: false };

/** Each cluster's members as its public zone publishes them. */
const published = (fleet: ReturnType<typeof groupMembers>) =>
  new Map([...fleet.clusters.keys()].map((c) => [c, membersFor(fleet, c, publicZone)]));

const ec2 = mockClient(EC2Client);

beforeEach(() => {
  ec2.reset();
});

const nodeA: Instance = {
  id: 'i-0a1b2c3d4e5f60718',
  state: 'running',
  tags: { Name: 'redis-a', 'rlec:cluster': cluster },
  privateIp: '10.0.1.17',
  publicIp: '203.0.113.17',
};
const nodeB: Instance = {
  id: 'i-0b1b2c3d4e5f60718',
  state: 'running',
  tags: { 'rlec:cluster': cluster },
  privateIp: '10.0.2.23',
  publicIp: '203.0.113.23',
};
const nodeC: Instance = {
  id: 'i-0c1b2c3d4e5f60718',
  state: 'running',
  tags: { 'rlec:cluster': cluster },
  privateIp: '10.0.3.41',
};
const untaggedNode: Instance = {
  id: 'i-0d1b2c3d4e5f60718',
  state: 'running',
  tags: { Name: 'web' },
  privateIp: '10.0.4.1',
};

describe('groupMembers', () => {
  it('makes a running, tagged instance with an address a member of its cluster', () => {
    // Act
    const fleet = groupMembers([nodeA], privateConfig);

    // Assess
    expect(published(fleet)).toEqual(new Map([[cluster, [{ instanceId: nodeA.id, address: '10.0.1.17' }]]]));
    expect(fleet.problems).toEqual([]);
  });

  it.each(['pending', 'stopping', 'stopped', 'shutting-down', 'terminated', 'unknown'])(
    'ignores a %s instance',
    (state) => {
      // Prepare
      const instance: Instance = { ...nodeA, state };

      // Act
      const fleet = groupMembers([instance], privateConfig);

      // Assess
      expect(fleet.clusters.size).toBe(0);
      expect(fleet.problems).toEqual([]);
    },
  );

  it('ignores an instance without the cluster tag', () => {
    // Act
    const fleet = groupMembers([untaggedNode], privateConfig);

    // Assess
    expect(fleet.clusters.size).toBe(0);
    expect(fleet.problems).toEqual([]);
  });

  it('reads the tag key from the configuration', () => {
    // Prepare
    const config: SourceConfig = { ...privateConfig, clusterTagKey: 'redis:cluster' };

    // Act
    const fleet = groupMembers([nodeA], config);

    // Assess
    expect(fleet.clusters.size).toBe(0);
  });

  it('reports an invalid cluster tag as a problem naming the instance and the value', () => {
    // Prepare
    const wildcardNode: Instance = { ...nodeA, tags: { 'rlec:cluster': '*.example.com' } };

    // Act
    const fleet = groupMembers([wildcardNode, nodeB], privateConfig);

    // Assess
    expect(fleet.problems).toEqual([
      {
        instanceId: nodeA.id,
        kind: 'invalid-cluster-tag',
        message: expect.stringContaining(`instance ${nodeA.id}: tag rlec:cluster="*.example.com" refused: wildcards`),
      },
    ]);
    expect(published(fleet)).toEqual(new Map([[cluster, [{ instanceId: nodeB.id, address: '10.0.2.23' }]]]));
  });

  it('reports an empty cluster tag as a problem', () => {
    // Prepare
    const emptyTagNode: Instance = { ...nodeA, tags: { 'rlec:cluster': '' } };

    // Act
    const fleet = groupMembers([emptyTagNode], privateConfig);

    // Assess
    expect(fleet.problems).toMatchObject([{ instanceId: nodeA.id, kind: 'invalid-cluster-tag' }]);
    expect(fleet.clusters.size).toBe(0);
  });

  it('publishes the public address when the configuration says public', () => {
    // Act
    const fleet = groupMembers([nodeA], publicConfig);

    // Assess
    expect(published(fleet).get(cluster)).toEqual([{ instanceId: nodeA.id, address: '203.0.113.17' }]);
  });

  it('publishes the public address of an instance whose own tag says public', () => {
    // Prepare
    const publicNode: Instance = { ...nodeB, tags: { ...nodeB.tags, 'rlec:address-type': 'public' } };

    // Act
    const fleet = groupMembers([nodeA, publicNode], privateConfig);

    // Assess
    expect(published(fleet).get(cluster)).toEqual([
      { instanceId: nodeA.id, address: '10.0.1.17' },
      { instanceId: nodeB.id, address: '203.0.113.23' },
    ]);
  });

  it('publishes the private address of an instance whose own tag says private, whatever the configuration', () => {
    // Prepare
    const privateNode: Instance = { ...nodeA, tags: { ...nodeA.tags, 'rlec:address-type': 'private' } };

    // Act
    const fleet = groupMembers([privateNode], publicConfig);

    // Assess
    expect(published(fleet).get(cluster)).toEqual([{ instanceId: nodeA.id, address: '10.0.1.17' }]);
  });

  it('reports an invalid address-type tag as a problem and does not publish the instance', () => {
    // Prepare
    const elasticNode: Instance = { ...nodeA, tags: { ...nodeA.tags, 'rlec:address-type': 'elastic' } };

    // Act
    const fleet = groupMembers([elasticNode, nodeB], privateConfig);

    // Assess
    expect(fleet.problems).toEqual([
      {
        instanceId: nodeA.id,
        kind: 'invalid-address-type',
        cluster,
        message: expect.stringContaining('tag rlec:address-type="elastic" refused'),
      },
    ]);
    expect(published(fleet).get(cluster)).toEqual([{ instanceId: nodeB.id, address: '10.0.2.23' }]);
  });

  it('reports a member without an address of the wanted kind as a problem naming its cluster', () => {
    // Act
    const fleet = groupMembers([nodeC], publicConfig);

    // Assess
    expect(fleet.problems).toEqual([
      {
        instanceId: nodeC.id,
        kind: 'no-address',
        cluster,
        message: `instance ${nodeC.id} of cluster ${cluster} is running but has no public address; not published`,
      },
    ]);
    expect(fleet.clusters.size).toBe(0);
  });

  it('treats an empty address as no address', () => {
    // Prepare
    const blankNode: Instance = { ...nodeA, privateIp: '' };

    // Act
    const fleet = groupMembers([blankNode], privateConfig);

    // Assess
    expect(fleet.problems).toMatchObject([{ instanceId: nodeA.id, kind: 'no-address', cluster }]);
  });

  it('lists members in instance-id order', () => {
    // Act
    const fleet = groupMembers([nodeC, nodeA, nodeB], privateConfig);

    // Assess
    expect(fleet.clusters.get(cluster)?.map((m) => m.instanceId)).toEqual([nodeA.id, nodeB.id, nodeC.id]);
  });

  it('puts tag values differing only by case or a trailing dot in one cluster', () => {
    // Prepare
    const upperNode: Instance = { ...nodeA, tags: { 'rlec:cluster': 'MyCluster.Example.COM' } };
    const dottedNode: Instance = { ...nodeB, tags: { 'rlec:cluster': 'mycluster.example.com.' } };

    // Act
    const fleet = groupMembers([dottedNode, upperNode, nodeC], privateConfig);

    // Assess
    expect([...fleet.clusters.keys()]).toEqual([cluster]);
    expect(fleet.clusters.get(cluster)).toHaveLength(3);
  });

  it('keeps different clusters apart', () => {
    // Prepare
    const otherNode: Instance = { ...nodeB, tags: { 'rlec:cluster': 'other.example.com' } };

    // Act
    const fleet = groupMembers([nodeA, otherNode], privateConfig);

    // Assess
    expect(published(fleet)).toEqual(
      new Map([
        [cluster, [{ instanceId: nodeA.id, address: '10.0.1.17' }]],
        ['other.example.com', [{ instanceId: nodeB.id, address: '10.0.2.23' }]],
      ]),
    );
  });
});

describe('instancesByIds', () => {
  const reservationOf = (ids: readonly string[]) => ({
    Instances: ids.map((id) => ({
      InstanceId: id,
      State: { Name: 'running' as const },
      PrivateIpAddress: '10.0.0.1',
      Tags: [{ Key: 'rlec:cluster', Value: cluster }],
    })),
  });

  /** The instance-id values a DescribeInstances call asked for. */
  const idsAsked = (input: DescribeInstancesCommandInput): string[] =>
    input.Filters?.find((f) => f.Name === 'instance-id')?.Values ?? [];

  const manyIds = (count: number): string[] =>
    Array.from({ length: count }, (_, i) => `i-${i.toString(16).padStart(17, '0')}`);

  it('asks with the instance-id filter, never with InstanceIds', async () => {
    // Prepare
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [reservationOf([nodeA.id])] });

    // Act
    await instancesByIds(new EC2Client({}), [nodeA.id, 'i-0deadbeefdeadbeef']);

    // Assess
    expect(ec2).toHaveReceivedCommandOnce(DescribeInstancesCommand);
    expect(ec2).toHaveReceivedCommandWith(DescribeInstancesCommand, {
      Filters: [{ Name: 'instance-id', Values: [nodeA.id, 'i-0deadbeefdeadbeef'] }],
    });
    const input = ec2.commandCalls(DescribeInstancesCommand)[0]?.args[0].input;
    expect(input).not.toHaveProperty('InstanceIds');
  });

  it('reads id, state, tags and addresses of what EC2 shows', async () => {
    // Prepare
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            {
              InstanceId: nodeA.id,
              State: { Name: 'running' },
              PrivateIpAddress: '10.0.1.17',
              PublicIpAddress: '203.0.113.17',
              Tags: [
                { Key: 'Name', Value: 'redis-a' },
                { Key: 'rlec:cluster', Value: cluster },
              ],
            },
          ],
        },
      ],
    });

    // Act
    const instances = await instancesByIds(new EC2Client({}), [nodeA.id]);

    // Assess
    expect(instances).toEqual([nodeA]);
  });

  it('asks once per id even when an id is repeated', async () => {
    // Prepare
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });

    // Act
    await instancesByIds(new EC2Client({}), [nodeA.id, nodeB.id, nodeA.id]);

    // Assess
    expect(ec2).toHaveReceivedCommandWith(DescribeInstancesCommand, {
      Filters: [{ Name: 'instance-id', Values: [nodeA.id, nodeB.id] }],
    });
  });

  it('makes no call for no ids', async () => {
    // Act
    const instances = await instancesByIds(new EC2Client({}), []);

    // Assess
    expect(instances).toEqual([]);
    expect(ec2).not.toHaveReceivedAnyCommand();
  });

  it('splits 450 ids into 3 calls of at most 200 filter values', async () => {
    // Prepare
    const ids = manyIds(450);
    ec2.on(DescribeInstancesCommand).callsFake((input: DescribeInstancesCommandInput) => ({
      Reservations: [reservationOf(idsAsked(input))],
    }));

    // Act
    const instances = await instancesByIds(new EC2Client({}), ids);

    // Assess
    const asked = ec2.commandCalls(DescribeInstancesCommand).map((call) => idsAsked(call.args[0].input));
    expect(asked.map((chunk) => chunk.length)).toEqual([200, 200, 50]);
    expect(asked.flat()).toEqual(ids);
    expect(instances.map((i) => i.id)).toEqual(ids);
  });

  it('follows NextToken through every page', async () => {
    // Prepare
    ec2
      .on(DescribeInstancesCommand)
      .resolvesOnce({ Reservations: [reservationOf([nodeA.id])], NextToken: 'page-2' })
      .resolvesOnce({ Reservations: [reservationOf([nodeB.id])] });

    // Act
    const instances = await instancesByIds(new EC2Client({}), [nodeA.id, nodeB.id]);

    // Assess
    expect(instances.map((i) => i.id)).toEqual([nodeA.id, nodeB.id]);
    expect(ec2).toHaveReceivedCommandTimes(DescribeInstancesCommand, 2);
    expect(ec2).toHaveReceivedNthCommandWith(DescribeInstancesCommand, 2, {
      NextToken: 'page-2',
      Filters: [{ Name: 'instance-id', Values: [nodeA.id, nodeB.id] }],
    });
  });
});

describe('taggedRunningInstances', () => {
  it('asks for running instances carrying the tag key', async () => {
    // Prepare
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });

    // Act
    await taggedRunningInstances(new EC2Client({}), 'rlec:cluster');

    // Assess
    expect(ec2).toHaveReceivedCommandWith(DescribeInstancesCommand, {
      Filters: [
        { Name: 'tag-key', Values: ['rlec:cluster'] },
        { Name: 'instance-state-name', Values: ['running'] },
      ],
    });
  });
});
