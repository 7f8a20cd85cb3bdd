// Mastodon client libraries against a real `gazouille serve` on 127.0.0.1 (one server for every suite: it takes
// a while to start on a busy 2-core machine). Run with `node --test` in tests/compat after
// `dotnet build Gazouille.slnx -c Release`.
import { after, before } from 'node:test';
import { startStandardGazouille } from './helpers/server.js';
import { mastoSuite } from './suites/masto.js';
import { megalodonSuite } from './suites/megalodon.js';

let server;
let bobToken;
before(async () => {
  server = await startStandardGazouille();
  ({ bobToken } = server.extra);
}, { timeout: 120_000 });
after(async () => { await server?.stop(); });

const shared = () => {
  if (!server) throw new Error('the server did not start');
  return { server, bobToken };
};
mastoSuite(shared);
megalodonSuite(shared);
