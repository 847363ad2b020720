/**
 * Command-line options: the ones every command takes, each command's own, their help text, and parsing with
 * `node:util` parseArgs (strict: an unknown option or a stray word is a usage error, never silently ignored).
 */
import { parseArgs } from 'node:util';
import { PermanentError } from '../lib/platform/errors.js';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
  /** Shown in help after the option: `--cluster NAME`. */
  readonly placeholder?: string;
  readonly description: string;
}

export interface CommandSpec {
  readonly name: string;
  /** One line, for `rlec-dns --help`. */
  readonly summary: string;
  readonly usage: string;
  /** Paragraphs shown by `rlec-dns <command> --help`, after the usage line. */
  readonly details: readonly string[];
  readonly options: Readonly<Record<string, OptionSpec>>;
}

export const COMMON_OPTIONS = {
  cluster: { type: 'string', placeholder: 'NAME', description: 'only this cluster (its FQDN); default: every cluster' },
  region: { type: 'string', placeholder: 'REGION', description: 'AWS region of the instances (default: AWS_REGION)' },
  profile: { type: 'string', placeholder: 'NAME', description: 'AWS profile to use (default: AWS_PROFILE)' },
  owner: {
    type: 'string',
    placeholder: 'ID',
    description: "the deployment's owner id, as in the ownership record (default: OWNER_ID, else rlec-dns)",
  },
  'dns-role-arn': {
    type: 'string',
    placeholder: 'ARN',
    description: "a role in the zones' account for every Route 53 call (default: DNS_ROLE_ARN)",
  },
  'dns-role-external-id': {
    type: 'string',
    placeholder: 'ID',
    description: "the external id the role's trust policy asks for (default: DNS_ROLE_EXTERNAL_ID)",
  },
  json: { type: 'boolean', description: 'print JSON for scripts instead of tables' },
  debug: { type: 'boolean', description: 'log every step to stderr; print stack traces on errors' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
} as const satisfies Record<string, OptionSpec>;

export interface CommonOptions {
  readonly cluster?: string | undefined;
  readonly region?: string | undefined;
  readonly profile?: string | undefined;
  readonly owner?: string | undefined;
  /** The role Route 53 calls go through (zones in another account); EC2 and STS stay in the caller's account. */
  readonly dnsRoleArn?: string | undefined;
  readonly dnsRoleExternalId?: string | undefined;
  readonly json: boolean;
  readonly debug: boolean;
  readonly help: boolean;
}

export type Values = Readonly<Record<string, string | boolean | string[] | undefined>>;

/** The command line is wrong: the message says how, and the help says how to get it right. */
export class UsageError extends PermanentError {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
  }
}

const str = (values: Values, name: string): string | undefined => {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
};

/** Parses a command's arguments (those after the command's name). */
export function parseCommand(spec: CommandSpec, argv: readonly string[]): { common: CommonOptions; values: Values } {
  const options = { ...COMMON_OPTIONS, ...spec.options };
  let values: Values;
  try {
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError(usageMessage(error), spec.name);
  }
  const common: CommonOptions = {
    cluster: str(values, 'cluster'),
    region: str(values, 'region'),
    profile: str(values, 'profile'),
    owner: str(values, 'owner'),
    dnsRoleArn: str(values, 'dns-role-arn'),
    dnsRoleExternalId: str(values, 'dns-role-external-id'),
    json: values.json === true,
    debug: values.debug === true,
    help: values.help === true,
  };
  return { common, values };
}

/** Node's parseArgs messages are long; keep the part a user needs. */
function usageMessage(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const quoted = /'([^']*)'/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${quoted ?? message}`;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unexpected argument ${JSON.stringify(quoted ?? '')}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE')
    return message.replace(/^Option /, 'option ').split('. ')[0] ?? '';
  return message;
}

/** A whole-number option within bounds, or its default. */
export function integerOption(values: Values, name: string, bounds: { min: number; max: number; fallback: number }) {
  const raw = str(values, name);
  if (raw === undefined) return bounds.fallback;
  if (!/^[0-9]+$/.test(raw) || Number(raw) < bounds.min || Number(raw) > bounds.max) {
    throw new UsageError(`--${name} must be a whole number from ${bounds.min} to ${bounds.max}, got ${raw}`);
  }
  return Number(raw);
}

/** A string option given any number of times, comma-separated lists flattened. */
export const listOption = (values: Values, name: string): string[] => {
  const raw = values[name];
  const all = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
  return all
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
};

function optionLines(options: Readonly<Record<string, OptionSpec>>): string[] {
  const rows = Object.entries(options).map(([name, o]) => {
    const flag = `${o.short === undefined ? '    ' : `-${o.short}, `}--${name}${o.placeholder ? ` ${o.placeholder}` : ''}`;
    return [flag, o.description];
  });
  const width = Math.max(...rows.map(([flag]) => flag?.length ?? 0));
  return rows.map(([flag, text]) => `  ${(flag ?? '').padEnd(width)}  ${text}`);
}

/** `rlec-dns <command> --help`. */
export function helpText(spec: CommandSpec): string {
  const own = Object.keys(spec.options).length > 0 ? ['', 'Options:', ...optionLines(spec.options)] : [];
  return [
    `Usage: ${spec.usage}`,
    '',
    spec.summary,
    ...spec.details.flatMap((p) => ['', p]),
    ...own,
    '',
    'Common options:',
    ...optionLines(COMMON_OPTIONS),
    '',
    'AWS: the standard credential chain (environment, --profile, SSO, instance role); AWS_ENDPOINT_URL is honoured.',
    'Settings shared with the functions: OWNER_ID, CLUSTER_TAG_KEY, ADDRESS_TYPE, ADDRESS_TYPE_TAG_KEY, RECORD_TTL,',
    'HOSTED_ZONE_IDS, DNS_ROLE_ARN, DNS_ROLE_EXTERNAL_ID.',
  ].join('\n');
}
