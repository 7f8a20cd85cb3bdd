// masto 7.12.0 against a real `gazouille serve`: OAuth (authorization code + PKCE), then the client API.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { createOAuthAPIClient, createRestAPIClient } from 'masto';
import { PASSWORD } from '../helpers/server.js';
import { authorizeInBrowser, authorizeUrl, exchangeCode, pkce } from '../helpers/oauth.js';

const REDIRECT = 'http://127.0.0.1:1/callback';
const SCOPES = 'read write follow';

/** `shared()` gives { server, bobToken } once the entry file's before() has run. */
export function mastoSuite(shared) {
  describe('masto 7.12.0', { timeout: 60_000 }, () => {
    let server;
    let app;
    let alice; // masto client with alice's OAuth token
    let bob; // masto client with bob's admin-minted token
    let aliceId;
    let bobId;

    before(() => {
      server = shared().server;
      bob = createRestAPIClient({ url: server.url, accessToken: shared().bobToken });
    });

    test('registers an app with POST /api/v1/apps', async () => {
      const anonymous = createRestAPIClient({ url: server.url });
      app = await anonymous.v1.apps.create({ clientName: 'masto compat', redirectUris: REDIRECT, scopes: SCOPES, website: 'https://example.test' });
      assert.equal(app.name, 'masto compat');
      assert.ok(app.clientId, 'client_id');
      assert.ok(app.clientSecret, 'client_secret');
      assert.equal(app.redirectUri, REDIRECT);
    });

    test('authorization code with PKCE: sign-in form, consent, code, token', async () => {
      assert.ok(app, 'needs the app');
      const { verifier, challenge } = pkce();
      const state = 'st-' + Math.random().toString(36).slice(2);
      const { code, state: returned, consentHtml } = await authorizeInBrowser({
        base: server.url,
        authorizeUrl: authorizeUrl(server.url, { clientId: app.clientId, redirectUri: REDIRECT, scope: SCOPES, challenge, state }),
        login: 'alice', password: PASSWORD, redirectUri: REDIRECT,
      });
      assert.match(consentHtml, /masto compat/, 'the consent page names the app');
      assert.equal(returned, state, 'state comes back unchanged');

      // A wrong verifier must be refused: PKCE is really checked.
      const wrong = await exchangeCode(server.url, {
        clientId: app.clientId, clientSecret: app.clientSecret, code, redirectUri: REDIRECT, verifier: pkce().verifier,
      });
      assert.equal(wrong.status, 400, `a wrong code_verifier is refused (got ${wrong.status} ${JSON.stringify(wrong.json)})`);
      assert.equal(wrong.json.error, 'invalid_grant');

      // The refused attempt consumed that code (RFC 6749 §10.5); sign in again for a fresh one.
      const again = pkce();
      const second = await authorizeInBrowser({
        base: server.url,
        authorizeUrl: authorizeUrl(server.url, { clientId: app.clientId, redirectUri: REDIRECT, scope: SCOPES, challenge: again.challenge }),
        login: 'alice', password: PASSWORD, redirectUri: REDIRECT,
      });
      const token = await exchangeCode(server.url, {
        clientId: app.clientId, clientSecret: app.clientSecret, code: second.code, redirectUri: REDIRECT, verifier: again.verifier,
      });
      assert.equal(token.status, 200, JSON.stringify(token.json));
      assert.equal(token.json.token_type.toLowerCase(), 'bearer');
      assert.ok(token.json.access_token);
      assert.equal(typeof token.json.created_at, 'number', 'Mastodon tokens carry created_at');
      alice = createRestAPIClient({ url: server.url, accessToken: token.json.access_token });
    });

    test("masto's own token exchange (oauth.token.create, JSON body) works with PKCE", async () => {
      assert.ok(app, 'needs the app');
      const { verifier, challenge } = pkce();
      const { code } = await authorizeInBrowser({
        base: server.url,
        authorizeUrl: authorizeUrl(server.url, { clientId: app.clientId, redirectUri: REDIRECT, scope: SCOPES, challenge }),
        login: 'alice', password: PASSWORD, redirectUri: REDIRECT,
      });
      const oauth = createOAuthAPIClient({ url: server.url });
      // masto snake-cases the keys: codeVerifier is sent as code_verifier.
      let token;
      try {
        token = await oauth.token.create({
          grantType: 'authorization_code', clientId: app.clientId, clientSecret: app.clientSecret,
          redirectUri: REDIRECT, code, codeVerifier: verifier, scope: SCOPES,
        });
      } catch (e) {
        assert.fail(`oauth.token.create failed: ${e.statusCode} ${e.message}: ${e.description ?? ''}`);
      }
      assert.ok(token.accessToken);
      const me = await createRestAPIClient({ url: server.url, accessToken: token.accessToken }).v1.accounts.verifyCredentials();
      assert.equal(me.username, 'alice');
    });

    test('verify_credentials for the OAuth token and for an admin-minted token', async () => {
      assert.ok(alice, 'needs the OAuth token');
      const me = await alice.v1.accounts.verifyCredentials();
      assert.equal(me.username, 'alice');
      assert.equal(me.acct, 'alice');
      assert.equal(me.displayName, 'Alice Martin');
      assert.ok(me.source, 'verify_credentials carries source');
      aliceId = me.id;
      const b = await bob.v1.accounts.verifyCredentials();
      assert.equal(b.username, 'bob');
      bobId = b.id;
      assert.notEqual(aliceId, bobId);
      const app2 = await alice.v1.apps.verifyCredentials();
      assert.equal(app2.name, 'masto compat');
    });

    test('follow: bob follows alice, relationship says so, alice is told', async () => {
      assert.ok(aliceId && bobId);
      const rel = await bob.v1.accounts.$select(aliceId).follow();
      assert.equal(rel.id, aliceId);
      assert.equal(rel.following, true);
      const [again] = await bob.v1.accounts.relationships.fetch({ id: [aliceId] });
      assert.equal(again.following, true);
      const notes = await alice.v1.notifications.list({ types: ['follow'] });
      assert.ok(notes.some(n => n.type === 'follow' && n.account.id === bobId), 'alice gets a follow notification from bob');
    });

    test('each visibility maps to an audience, and the audience extension is kept', async () => {
      assert.ok(alice && bobId);
      const cases = [
        { params: { visibility: 'public' }, visibility: 'public', audience: 'company' },
        { params: { visibility: 'unlisted' }, visibility: 'unlisted', audience: 'company' },
        { params: { visibility: 'private' }, visibility: 'private', audience: 'followers' },
        { params: { visibility: 'direct' }, visibility: 'direct', audience: 'direct', mention: true },
        { params: { audience: 'team:design' }, visibility: 'private', audience: 'team:design' },
        { params: { audience: 'company' }, visibility: 'public', audience: 'company' },
      ];
      const made = [];
      for (const c of cases) {
        const text = `${c.mention ? '@bob ' : ''}visibility ${JSON.stringify(c.params)}`;
        const s = await alice.v1.statuses.create({ status: text, ...c.params });
        assert.equal(s.visibility, c.visibility, `${JSON.stringify(c.params)} → visibility`);
        assert.equal(s.audience, c.audience, `${JSON.stringify(c.params)} → audience`);
        assert.equal(s.account.id, aliceId);
        made.push({ ...c, s });
      }
      // What bob may read: he follows alice (followers ok), is mentioned (direct ok), is not in design (team: 404).
      for (const { params, s } of made) {
        const canRead = params.audience !== 'team:design';
        if (canRead) {
          const seen = await bob.v1.statuses.$select(s.id).fetch();
          assert.equal(seen.id, s.id);
        } else {
          await assert.rejects(bob.v1.statuses.$select(s.id).fetch(), e => e.statusCode === 404, 'a team post is 404 for outsiders');
        }
      }
      // Mastodon rejects unknown visibilities with 422.
      await assert.rejects(alice.v1.statuses.create({ status: 'nope', visibility: 'everyone' }), e => e.statusCode === 422);
    });

    test('home timeline: 30 posts paged 10 at a time through Link next, no duplicate, none missing', async () => {
      assert.ok(alice);
      const ids = new Set();
      for (let i = 0; i < 30; i++) {
        const s = await alice.v1.statuses.create({ status: `page post ${i}`, visibility: 'public' });
        ids.add(s.id);
      }
      const seen = [];
      let pages = 0;
      const trail = [];
      for await (const page of alice.v1.timelines.home.list({ limit: 10 })) {
        pages++;
        trail.push(`${page.length}:${page[0]?.id ?? '-'}..${page.at(-1)?.id ?? '-'}`);
        assert.ok(page.length <= 10, `a page holds at most 10 (got ${page.length})`);
        seen.push(...page.map(s => s.id));
        if (pages > 20) assert.fail(`the paginator does not end; pages: ${trail.join(' ')}`);
      }
      assert.equal(new Set(seen).size, seen.length, 'no status twice');
      for (const id of ids) assert.ok(seen.includes(id), `post ${id} is on some page`);
      const sorted = [...seen].sort((a, b) => (BigInt(b) > BigInt(a) ? 1 : BigInt(b) < BigInt(a) ? -1 : 0));
      assert.deepEqual(seen, sorted, 'newest first, ids decreasing');
      assert.ok(pages >= 4, `at least 4 pages of 10 for 36+ posts (got ${pages})`);

      // min_id pages forward from an id: the 5 posts just after it, and nothing older.
      const all = [...ids];
      const pivot = all[9];
      const forward = await alice.v1.timelines.home.list({ minId: pivot, limit: 5 });
      assert.equal(forward.length, 5);
      for (const s of forward) assert.ok(BigInt(s.id) > BigInt(pivot));
      assert.deepEqual(new Set(forward.map(s => s.id)), new Set(all.slice(10, 15)));
    });

    test('reply and context', async () => {
      assert.ok(alice && bob);
      const root = await alice.v1.statuses.create({ status: 'Thread root', visibility: 'public' });
      const reply = await bob.v1.statuses.create({ status: '@alice a reply', inReplyToId: root.id });
      assert.equal(reply.inReplyToId, root.id);
      assert.equal(reply.inReplyToAccountId, aliceId);
      assert.equal(reply.audience, 'company', 'a reply without audience takes its parent\'s');
      const nested = await alice.v1.statuses.create({ status: '@bob and back', inReplyToId: reply.id });
      const ctx = await bob.v1.statuses.$select(reply.id).context.fetch();
      assert.deepEqual(ctx.ancestors.map(s => s.id), [root.id]);
      assert.deepEqual(ctx.descendants.map(s => s.id), [nested.id]);
      const rootCtx = await alice.v1.statuses.$select(root.id).context.fetch();
      assert.deepEqual(rootCtx.ancestors, []);
      assert.deepEqual(rootCtx.descendants.map(s => s.id), [reply.id, nested.id]);
      const fetched = await alice.v1.statuses.$select(root.id).fetch();
      assert.equal(fetched.repliesCount, 1);
    });

    test('favourite, favourited_by, unfavourite', async () => {
      assert.ok(alice && bob);
      const post = await bob.v1.statuses.create({ status: 'Please like this', visibility: 'public' });
      const fav = await alice.v1.statuses.$select(post.id).favourite();
      assert.equal(fav.favourited, true);
      assert.equal(fav.favouritesCount, 1);
      const by = await bob.v1.statuses.$select(post.id).favouritedBy.list();
      assert.deepEqual(by.map(a => a.id), [aliceId]);
      const favs = await alice.v1.favourites.list();
      assert.ok(favs.some(s => s.id === post.id), 'in alice\'s favourites');
      const unfav = await alice.v1.statuses.$select(post.id).unfavourite();
      assert.equal(unfav.favourited, false);
      assert.equal(unfav.favouritesCount, 0);
      // Favourite again so that bob's notification is there for the next test.
      await alice.v1.statuses.$select(post.id).favourite();
    });

    test('notifications: bob sees the mention and the favourite from alice', async () => {
      assert.ok(bob && aliceId);
      const notes = [];
      for await (const page of bob.v1.notifications.list({ limit: 40 })) {
        notes.push(...page);
        if (notes.length > 200) break;
      }
      const types = new Set(notes.filter(n => n.account.id === aliceId).map(n => n.type));
      assert.ok(types.has('mention'), `a mention (got ${[...types]})`);
      assert.ok(types.has('favourite'), `a favourite (got ${[...types]})`);
      const fav = notes.find(n => n.type === 'favourite');
      assert.equal(fav.status?.account.id, bobId, 'the favourite notification carries bob\'s status');
      const onlyMentions = await bob.v1.notifications.list({ types: ['mention'] });
      assert.ok(onlyMentions.length > 0 && onlyMentions.every(n => n.type === 'mention'), 'types[] filters');
      const noMentions = await bob.v1.notifications.list({ excludeTypes: ['mention'] });
      assert.ok(noMentions.every(n => n.type !== 'mention'), 'exclude_types[] filters');
      const one = await bob.v1.notifications.$select(fav.id).fetch();
      assert.equal(one.id, fav.id);
    });

    test('edit and history', async () => {
      assert.ok(alice);
      const s = await alice.v1.statuses.create({ status: 'First version', visibility: 'public' });
      assert.equal(s.editedAt, null);
      const edited = await alice.v1.statuses.$select(s.id).update({ status: 'Second version', spoilerText: 'cw' });
      assert.equal(edited.id, s.id);
      assert.match(edited.content, /Second version/);
      assert.equal(edited.spoilerText, 'cw');
      assert.ok(edited.editedAt, 'edited_at is set');
      const source = await alice.v1.statuses.$select(s.id).source.fetch();
      assert.equal(source.text, 'Second version');
      const history = await alice.v1.statuses.$select(s.id).history.list();
      assert.equal(history.length, 2, 'the original and the edit');
      assert.match(history[0].content, /First version/);
      assert.match(history[1].content, /Second version/);
      assert.equal(history[1].spoilerText, 'cw');
      await assert.rejects(bob.v1.statuses.$select(s.id).update({ status: 'not mine' }), e => e.statusCode === 403 || e.statusCode === 404);
    });
  });
}
