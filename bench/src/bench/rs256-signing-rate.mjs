// How many RS256-2048 signatures a second the process's core(s) make, signing exactly as the issuer
// does (node:crypto sign with a callback, on libuv's thread pool) with `inFlight` at once, as the
// /token load keeps that many requests open. Usage: node rs256-signing-rate.mjs <ms> <inFlight>;
// prints {"perSecond": N}.
import { generateKeyPairSync, sign } from 'node:crypto';

const [ms = '3000', inFlight = '32'] = process.argv.slice(2);
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const input = Buffer.from(`${'x'.repeat(64)}.${'y'.repeat(256)}`);

function signing(until) {
  return new Promise((resolve, reject) => {
    let count = 0;
    const next = () =>
      sign('sha256', input, privateKey, (error) => {
        if (error) return reject(error);
        count++;
        if (performance.now() < until) next();
        else resolve(count);
      });
    next();
  });
}

async function rate(durationMs) {
  const started = performance.now();
  const counts = await Promise.all(Array.from({ length: Number(inFlight) }, () => signing(started + durationMs)));
  return (counts.reduce((a, b) => a + b, 0) * 1000) / (performance.now() - started);
}

await rate(500); // warm-up: the thread pool started, the key prepared
process.stdout.write(JSON.stringify({ perSecond: Math.round(await rate(Number(ms))) }));
