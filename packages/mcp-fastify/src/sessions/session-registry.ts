/**
 * MCP sessions, bound to the principal that opened them. A session id is a random UUID and never a
 * credential: every request still authenticates, and a session id presented by another principal, or
 * one that was closed or expired, is "not found" (404), so ids cannot be probed across principals.
 *
 * In-process state; the interface is small so a shared store can replace it when servers scale out.
 */
import { randomUUID } from 'node:crypto';
import type { LoggingLevel } from '@modelcontextprotocol/server';
import type { MessageSink } from '../routing/message-sink.js';
import type { SseStream } from '../routing/sse-stream.js';
import type { InitializedClient } from './session-handshake.js';

export type SessionTransport = 'streamable-http' | 'sse';

export interface McpSession {
  readonly id: string;
  readonly transport: SessionTransport;
  readonly ownerId: string;
  readonly createdAt: number;
  lastSeenAt: number;
  /** Legacy SSE: the stream every response goes to. Streamable HTTP: the optional GET stream. */
  stream: { stream: SseStream; sink: MessageSink } | undefined;
  /** What the client said in its initialize (see session-handshake.ts). */
  client: InitializedClient | undefined;
  /** The level the client asked for with logging/setLevel; undefined sends every level. */
  logLevel: LoggingLevel | undefined;
}

export interface SessionLimits {
  /** Close sessions with no request and no open stream for this long (default 30 minutes). */
  idleTimeoutMs: number;
  /**
   * Most sessions one principal may hold (SESSION_MAX_PER_PRINCIPAL). Opening another closes its least
   * recently used rather than refusing: a client that loses track of its sessions (never sends
   * DELETE) keeps working, and one principal can never hold more than this share of `maxTotal`.
   */
  maxPerPrincipal: number;
  /** Most sessions in the process (SESSION_MAX_TOTAL); past it new sessions are refused (503). */
  maxTotal: number;
}

/** The process holds `maxTotal` sessions: answered 503 with Retry-After (RFC 9110 §10.2.3). */
export class SessionLimitError extends Error {
  override readonly name = 'SessionLimitError';
  constructor(
    message: string,
    /** When a slot may be free again: the next idle sweep. */
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

export class SessionRegistry {
  private readonly sessions = new Map<string, McpSession>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly sweepIntervalMs: number;

  constructor(
    private readonly limits: SessionLimits,
    private readonly onClose: (session: McpSession) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.sweepIntervalMs = Math.min(60_000, limits.idleTimeoutMs);
    this.sweeper = setInterval(() => this.sweepIdle(), this.sweepIntervalMs);
    this.sweeper.unref();
  }

  get size(): number {
    return this.sessions.size;
  }

  open(transport: SessionTransport, ownerId: string): McpSession {
    const owned = [...this.sessions.values()].filter((s) => s.ownerId === ownerId);
    if (owned.length >= this.limits.maxPerPrincipal) {
      const lru = owned.reduce((a, b) => (a.lastSeenAt <= b.lastSeenAt ? a : b));
      this.close(lru.id);
    }
    if (this.sessions.size >= this.limits.maxTotal) {
      throw new SessionLimitError('Too many open sessions on this server; try again later', Math.ceil(this.sweepIntervalMs / 1000));
    }
    const at = this.now();
    const session: McpSession = {
      id: randomUUID(),
      transport,
      ownerId,
      createdAt: at,
      lastSeenAt: at,
      stream: undefined,
      client: undefined,
      logLevel: undefined,
    };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The session with this id if `ownerId` opened it over `transport`; otherwise undefined. */
  find(id: string, ownerId: string, transport: SessionTransport): McpSession | undefined {
    const session = this.sessions.get(id);
    if (!session || session.ownerId !== ownerId || session.transport !== transport) return undefined;
    session.lastSeenAt = this.now();
    return session;
  }

  close(id: string): boolean {
    const session = this.sessions.get(id);
    if (!session) return false;
    this.sessions.delete(id);
    session.stream?.stream.close();
    this.onClose(session);
    return true;
  }

  closeAll(): void {
    clearInterval(this.sweeper);
    for (const id of [...this.sessions.keys()]) this.close(id);
  }

  sweepIdle(): void {
    const cutoff = this.now() - this.limits.idleTimeoutMs;
    for (const session of [...this.sessions.values()]) {
      // A session whose client holds a stream open is in use even without requests.
      if (!session.stream?.stream.open && session.lastSeenAt < cutoff) this.close(session.id);
    }
  }
}
