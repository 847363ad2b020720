/**
 * Reading environment variables, the one way every setting is read: blank counts as unset, values are trimmed, and a
 * bad value is a ConfigError that names the variable and what it must be.
 */
import { ConfigError } from './errors.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** The variable's trimmed value, or undefined when it is unset or blank. */
export const present = (env: Env, name: string): string | undefined => {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
};

/** A whole number from `min` to `max`, or `fallback` when unset. */
export function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = present(env, name);
  if (raw === undefined) return fallback;
  if (!/^[0-9]+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

/** A number above 0 and at most `max` (decimals when `decimals`), or `fallback` when unset. */
export function positive(env: Env, name: string, fallback: number, max: number, decimals: boolean): number {
  const raw = present(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  const pattern = decimals ? /^[0-9]+(\.[0-9]+)?$/ : /^[0-9]+$/;
  if (!pattern.test(raw) || !(value > 0) || value > max) {
    throw new ConfigError(`${name} must be a number above 0 and at most ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}
