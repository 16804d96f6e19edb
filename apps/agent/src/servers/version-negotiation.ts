/**
 * Which MCP era the agent negotiates with each server (AGENT_VERSION_NEGOTIATION): `auto` (the
 * default) asks `server/discover` first and falls back to the 2025 `initialize` handshake on a server
 * that predates 2026-07-28; `legacy` goes straight to `initialize`; a modern revision pins it, with no
 * fallback. The legacy SSE transport is 2024-11-05 and always negotiates legacy.
 */
import type { VersionNegotiationMode } from '@modelcontextprotocol/client';

/** A setting in the environment the agent cannot use: one sentence, exit 1. */
export class SettingError extends Error {
  override name = 'SettingError';
}

/** The modern revisions the SDK client (2.4.0) can pin: a pin reaches the server as given, so check it here. */
const PINNABLE_VERSIONS = ['2026-07-28'] as const;

export function parseVersionNegotiation(value: string | undefined): VersionNegotiationMode {
  if (value === undefined || value === 'auto') return 'auto';
  if (value === 'legacy') return 'legacy';
  if ((PINNABLE_VERSIONS as readonly string[]).includes(value)) return { pin: value };
  throw new SettingError(
    `AGENT_VERSION_NEGOTIATION must be auto (probe, fall back to 2025-11-25), legacy (2025-11-25 initialize only) or a protocol version to pin (${PINNABLE_VERSIONS.join(', ')}), not "${value}"`,
  );
}
