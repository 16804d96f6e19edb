import { mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

// The agent's tests wait on a whole deployment answering (issuer process, three servers): polls get
// more than vitest's default second on a busy machine. A poll whose text never comes still fails,
// after this timeout; no test asserts speed.
export default mergeConfig(shared, { test: { expect: { poll: { timeout: 15_000 } } } });
