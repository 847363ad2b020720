/** `rlec-dns export`: the clusters' records as Route 53 holds them, as BIND zone-file lines, one section per zone. */

import { readCluster } from '../../lib/registry/route53.js';
import type { HostedZone } from '../../lib/registry/zones.js';
import { type Command, targetClusters } from '../command.js';
import { EXIT } from '../failure.js';
import { printJson } from '../output.js';
import { ownedClusters } from '../status-view.js';
import { toZoneFileRecords, zoneFileLines } from '../zone-file.js';

const zoneJson = (zone: HostedZone) => ({ id: zone.id, name: zone.name, private: zone.private });

export const exportCommand: Command = {
  spec: {
    name: 'export',
    summary: "Print the clusters' records in Route 53 as BIND zone-file lines (name TTL IN TYPE value).",
    usage: 'rlec-dns export [--cluster NAME] [options]',
    details: [
      'Without --cluster: every cluster this deployment owns in Route 53. Everything Route 53 holds at or below a cluster name is printed, as it is, whoever wrote it (A and AAAA glue alike). Reads Route 53 only; changes nothing.',
      'A cluster published in more than one zone (ZONE_TYPE=both: a public and a private zone; or same-named private zones) has one section per zone, each headed by a `;` comment naming the zone and whether it is public or private.',
    ],
    options: {},
  },
  async run(ctx) {
    const clusters = await targetClusters(ctx, ownedClusters);
    const exported = [];
    for (const cluster of clusters) {
      const zones = [];
      for (const zone of await ctx.deps.zones.zonesFor(cluster)) {
        zones.push({ zone, records: await readCluster(ctx.deps.route53, zone.id, cluster) });
      }
      exported.push({ cluster, zones });
    }
    if (ctx.options.json) {
      // `zone` and `records` are the first zone's (the only one unless ZONE_TYPE=both); `zones` has every one.
      printJson(ctx.io, {
        clusters: exported.map((e) => ({
          cluster: e.cluster,
          ...(e.zones[0] === undefined ? {} : { zone: { id: e.zones[0].zone.id, name: e.zones[0].zone.name } }),
          records: toZoneFileRecords(e.zones[0]?.records ?? []),
          zones: e.zones.map((z) => ({ zone: zoneJson(z.zone), records: toZoneFileRecords(z.records) })),
        })),
      });
      return EXIT.ok;
    }
    for (const e of exported) {
      const split = e.zones.length > 1;
      for (const { zone, records } of e.zones) {
        const kind = split ? ` ${zone.private ? 'private' : 'public'}` : '';
        ctx.io.out(`; ${e.cluster} in${kind} hosted zone ${zone.name} (${zone.id})`);
        const lines = zoneFileLines(records);
        for (const line of lines.length === 0 ? ['; no records'] : lines) ctx.io.out(line);
      }
    }
    return EXIT.ok;
  },
};
