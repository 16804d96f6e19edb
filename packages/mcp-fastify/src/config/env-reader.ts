/**
 * Reads settings from the environment and collects every problem before failing, so a newcomer fixes
 * their `.env` in one go instead of one error per restart.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\nSee .env.example for every variable.`);
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Blank means unset, for every variable: `docker compose` passes `${VAR:-}` as an empty string, and
 * `VAR=` in a shell or `.env` is how people clear a setting. This is the one place that rule lives;
 * `EnvReader.raw` and programs that read variables themselves (the agent) both go through it.
 */
export function isBlank(value: string | undefined): boolean {
  return value === undefined || value.trim() === '';
}

/** The environment without its blank entries. */
export function withoutBlankValues(env: Env): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => !isBlank(e[1])));
}

export class EnvReader {
  private readonly problems: string[] = [];

  constructor(readonly env: Env) {}

  /** A trimmed value, or undefined when unset or blank. */
  raw(name: string): string | undefined {
    const value = this.env[name];
    return isBlank(value) ? undefined : value?.trim();
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  int(name: string, fallback: number, range: { min: number; max: number }): number {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < range.min || value > range.max) {
      this.problem(`${name}="${text}" must be a whole number from ${range.min} to ${range.max}`);
      return fallback;
    }
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const text = this.raw(name)?.toLowerCase();
    if (text === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(text)) return true;
    if (['0', 'false', 'no', 'off'].includes(text)) return false;
    this.problem(`${name}="${text}" must be true or false`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    if ((allowed as readonly string[]).includes(text)) return text as T;
    this.problem(`${name}="${text}" must be one of: ${allowed.join(', ')}`);
    return fallback;
  }

  list(name: string, fallback: readonly string[]): readonly string[] {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    return text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }

  /** An absolute http(s) URL; plain http only for loopback hosts unless `allowHttp`. */
  url(name: string, fallback: string, options: { allowHttp?: boolean } = {}): string {
    const text = this.raw(name) ?? fallback;
    try {
      const url = new URL(text);
      const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
      if (url.protocol !== 'https:' && !(url.protocol === 'http:' && (loopback || options.allowHttp))) {
        this.problem(`${name}="${text}" must use https (plain http is allowed only for localhost)`);
      }
      return url.toString().replace(/\/$/, '');
    } catch {
      this.problem(`${name}="${text}" is not an absolute URL`);
      return fallback;
    }
  }

  /** Like `url`, but undefined when the variable is unset. */
  optionalUrl(name: string, options: { allowHttp?: boolean } = {}): string | undefined {
    return this.raw(name) === undefined ? undefined : this.url(name, '', options);
  }

  problem(message: string): void {
    this.problems.push(message);
  }

  /** Throws a ConfigError listing every problem found so far. */
  finish(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }
}
