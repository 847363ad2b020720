/**
 * DNS names as the loop writes them: a cluster name validated and normalised from a tag value, and the names of its
 * records (`<cluster>.`, `ns<N>.<cluster>.`, `_rlec-dns.<cluster>.`). Pure.
 */
import { InvalidClusterNameError } from '../platform/errors.js';

/** Longest name Route 53 accepts, without the trailing dot. */
const MAX_NAME = 253;
const MAX_LABEL = 63;
const LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** The label of the ownership record, below the cluster name: `_rlec-dns.<cluster>.` */
export const OWNER_LABEL = '_rlec-dns';

/**
 * The longest name we write under a cluster is the ownership record, so the cluster name must leave room for it.
 */
const MAX_CLUSTER = MAX_NAME - OWNER_LABEL.length - 1;

/**
 * Normalises a cluster name from a tag value: trims nothing (a space is an error, not a typo to hide), lower-cases,
 * drops one trailing dot, and checks RFC 1123 host-name syntax. Returns the name without the trailing dot.
 *
 * @example normaliseClusterName('MyCluster.Example.com.') // 'mycluster.example.com'
 * @throws InvalidClusterNameError, naming the value and what is wrong with it.
 */
export function normaliseClusterName(value: string): string {
  const fail = (reason: string): never => {
    throw new InvalidClusterNameError(value, reason);
  };
  if (value.length === 0) fail('it is empty');
  const name = (value.endsWith('.') ? value.slice(0, -1) : value).toLowerCase();
  if (name.length === 0) fail('it is only a dot');
  if (name.includes('*')) fail('wildcards are not allowed');
  if (/[^\x21-\x7e]/.test(name)) fail('it contains spaces, control or non-ASCII characters (use punycode, xn--)');
  if (name.length > MAX_CLUSTER) {
    fail(`it is ${name.length} characters long; at most ${MAX_CLUSTER} leave room for ${OWNER_LABEL}.<cluster>`);
  }
  const labels = name.split('.');
  if (labels.length < 2) fail('a cluster name needs at least two labels (name.zone)');
  for (const label of labels) {
    if (label.length === 0) fail('it has an empty label');
    if (label.length > MAX_LABEL) fail(`label "${label.slice(0, 20)}…" is longer than ${MAX_LABEL} characters`);
    if (!LABEL.test(label)) {
      fail(`label "${label}" must be letters, digits and inner hyphens only (RFC 1123)`);
    }
  }
  return name;
}

/** A DNS name as Route 53 returns it, in our canonical form: lower case, with its trailing dot. */
export const canonicalName = (name: string): string => {
  const lower = name.toLowerCase().replace(/\\052/g, '*');
  return lower.endsWith('.') ? lower : `${lower}.`;
};

/** `mycluster.example.com` → `mycluster.example.com.` */
export const fqdn = (cluster: string): string => `${cluster}.`;

/** The name of the glue record for slot `n`: `ns3.mycluster.example.com.` */
export const nsName = (cluster: string, n: number): string => `ns${n}.${cluster}.`;

/** The name of the ownership record: `_rlec-dns.mycluster.example.com.` */
export const ownerName = (cluster: string): string => `${OWNER_LABEL}.${cluster}.`;

/** The slot number of a glue name of this cluster, or undefined when the name is not one. */
export function slotOf(cluster: string, name: string): number | undefined {
  const suffix = `.${cluster}.`;
  if (!name.endsWith(suffix)) return undefined;
  const match = /^ns([1-9][0-9]{0,3})$/.exec(name.slice(0, -suffix.length));
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** True when `name` (canonical) is the cluster's name or lies below it. */
export const isWithin = (cluster: string, name: string): boolean =>
  name === `${cluster}.` || name.endsWith(`.${cluster}.`);
