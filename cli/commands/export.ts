/** `rlec-dns export`: the clusters' records as Route 53 holds them, as BIND zone-file lines. */

import { readCluster } from '../../lib/registry/route53.js';
import { type Command, targetClusters } from '../command.js';
import { EXIT } from '../failure.js';
import { printJson } from '../output.js';
import { ownedClusters } from '../status-view.js';
import { toZoneFileRecords, zoneFileLines } from '../zone-file.js';

export const exportCommand: Command = {
  spec: {
    name: 'export',
    summary: "Print the clusters' records in Route 53 as BIND zone-file lines (name TTL IN TYPE value).",
    usage: 'rlec-dns export [--cluster NAME] [options]',
    details: [
      'Without --cluster: every cluster this deployment owns in Route 53. Everything Route 53 holds at or below a cluster name is printed, as it is, whoever wrote it. Reads Route 53 only; changes nothing.',
    ],
    options: {},
  },
  async run(ctx) {
    const clusters = await targetClusters(ctx, ownedClusters);
    const exported = [];
    for (const cluster of clusters) {
      const zone = await ctx.deps.zones.zoneFor(cluster);
      exported.push({ cluster, zone, records: await readCluster(ctx.deps.route53, zone.id, cluster) });
    }
    if (ctx.options.json) {
      printJson(ctx.io, {
        clusters: exported.map((e) => ({
          cluster: e.cluster,
          zone: { id: e.zone.id, name: e.zone.name },
          records: toZoneFileRecords(e.records),
        })),
      });
      return EXIT.ok;
    }
    for (const e of exported) {
      ctx.io.out(`; ${e.cluster} in hosted zone ${e.zone.name} (${e.zone.id})`);
      const lines = zoneFileLines(e.records);
      for (const line of lines.length === 0 ? ['; no records'] : lines) ctx.io.out(line);
    }
    return EXIT.ok;
  },
};
