// megalodon 10.3.0 against a real `gazouille serve`: OAuth (out-of-band code + PKCE), then the client API.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import generator from 'megalodon';
import { PASSWORD } from '../helpers/server.js';
import { authorizeInBrowser, exchangeCode, pkce } from '../helpers/oauth.js';

const OOB = 'urn:ietf:wg:oauth:2.0:oob';
const SCOPES = ['read', 'write', 'follow'];

/** megalodon answers { data, headers, status }; its errors are axios errors. */
const status = e => e?.response?.status;

/** `shared()` gives { server, bobToken } once the entry file's before() has run. */
export function megalodonSuite(shared) {
  describe('megalodon 10.3.0', { timeout: 60_000 }, () => {
    let server;
    let app;
    let alice; // megalodon client with alice's OAuth token
    let bob; // megalodon client with bob's admin-minted token
    let aliceId;
    let bobId;

    before(() => {
      server = shared().server;
      bob = generator('mastodon', server.url, shared().bobToken);
    });

    /** Opens the URL megalodon built (plus PKCE when given) in the scripted browser and returns the oob code. */
    async function signIn(url, challenge) {
      const u = new URL(url);
      if (challenge) {
        u.searchParams.set('code_challenge', challenge);
        u.searchParams.set('code_challenge_method', 'S256');
      }
      const { code } = await authorizeInBrowser({
        base: server.url, authorizeUrl: u.toString(), login: 'alice', password: PASSWORD, redirectUri: OOB,
      });
      return code;
    }

    test('createApp and generateAuthUrl', async () => {
      const client = generator('mastodon', server.url);
      app = await client.createApp('megalodon compat', { scopes: SCOPES, redirect_uris: OOB, website: 'https://example.test' });
      assert.equal(app.name, 'megalodon compat');
      assert.ok(app.client_id);
      assert.ok(app.client_secret);
      assert.equal(app.redirect_uri, OOB);
      const url = new URL(await client.generateAuthUrl(app.client_id, app.client_secret, { scope: SCOPES, redirect_uri: OOB }));
      assert.equal(url.origin, server.url);
      assert.equal(url.pathname, '/oauth/authorize');
      assert.equal(url.searchParams.get('client_id'), app.client_id);
      assert.equal(url.searchParams.get('response_type'), 'code');
    });

    test('out-of-band code with PKCE (code shown on the page), token by form post', async () => {
      assert.ok(app, 'needs the app');
      const client = generator('mastodon', server.url);
      const url = await client.generateAuthUrl(app.client_id, app.client_secret, { scope: SCOPES, redirect_uri: OOB });
      const { verifier, challenge } = pkce();
      const code = await signIn(url, challenge);
      assert.match(code, /^\S{10,}$/);
      const token = await exchangeCode(server.url, {
        clientId: app.client_id, clientSecret: app.client_secret, code, redirectUri: OOB, verifier,
      });
      assert.equal(token.status, 200, JSON.stringify(token.json));
      alice = generator('mastodon', server.url, token.json.access_token);
    });

    test("megalodon's own fetchAccessToken (JSON body, no PKCE) exchanges a code", async () => {
      assert.ok(app, 'needs the app');
      const client = generator('mastodon', server.url);
      const url = await client.generateAuthUrl(app.client_id, app.client_secret, { scope: SCOPES, redirect_uri: OOB });
      const code = await signIn(url);
      let token;
      try {
        token = await client.fetchAccessToken(app.client_id, app.client_secret, code, OOB);
      } catch (e) {
        assert.fail(`fetchAccessToken failed: ${status(e)} ${JSON.stringify(e?.response?.data)}`);
      }
      assert.ok(token.access_token);
      const me = await generator('mastodon', server.url, token.access_token).verifyAccountCredentials();
      assert.equal(me.data.username, 'alice');
    });

    test('verifyAccountCredentials', async () => {
      assert.ok(alice, 'needs the OAuth token');
      const me = await alice.verifyAccountCredentials();
      assert.equal(me.status, 200);
      assert.equal(me.data.username, 'alice');
      assert.equal(me.data.display_name, 'Alice Martin');
      aliceId = me.data.id;
      const b = await bob.verifyAccountCredentials();
      assert.equal(b.data.username, 'bob');
      bobId = b.data.id;
    });

    test('postStatus with each visibility', async () => {
      assert.ok(alice && bobId);
      for (const visibility of ['public', 'unlisted', 'private', 'direct']) {
        const text = visibility === 'direct' ? `@bob megalodon ${visibility}` : `megalodon ${visibility}`;
        const res = await alice.postStatus(text, { visibility });
        assert.equal(res.data.visibility, visibility, `visibility=${visibility} comes back`);
        assert.equal(res.data.account.id, aliceId);
        const got = await alice.getStatus(res.data.id);
        assert.equal(got.data.visibility, visibility);
        // Gazouille's audience travels along for the clients that know it (megalodon drops it; read the raw JSON).
        const raw = await alice.client.get(`/api/v1/statuses/${res.data.id}`);
        assert.equal(raw.data.audience, { public: 'company', unlisted: 'company', private: 'followers', direct: 'direct' }[visibility]);
      }
      // A team post: bob is not in design and must not see it.
      const team = await alice.client.post('/api/v1/statuses', { status: 'design only', audience: 'team:design' });
      assert.equal(team.data.audience, 'team:design');
      assert.equal(team.data.visibility, 'private');
      await assert.rejects(bob.getStatus(team.data.id), e => status(e) === 404);
    });

    test('home timeline: 30 posts paged with limit 10 and max_id, no duplicate, none missing', async () => {
      assert.ok(alice);
      const mine = [];
      for (let i = 0; i < 30; i++) mine.push((await alice.postStatus(`megalodon page ${i}`, { visibility: 'unlisted' })).data.id);
      const seen = [];
      let maxId;
      let link;
      for (let pages = 0; ; pages++) {
        if (pages > 30) assert.fail('paging does not end');
        const res = await alice.getHomeTimeline({ limit: 10, ...(maxId ? { max_id: maxId } : {}) });
        assert.ok(res.data.length <= 10);
        if (res.data.length === 0) {
          assert.equal(res.headers.link, undefined, 'no Link header on an empty page');
          break;
        }
        link = res.headers.link;
        maxId = res.data.at(-1).id;
        assert.ok(link?.includes(`max_id=${maxId}>; rel="next"`), `Link next points after the last item: ${link}`);
        seen.push(...res.data.map(s => s.id));
      }
      assert.equal(new Set(seen).size, seen.length, 'no status twice');
      for (const id of mine) assert.ok(seen.includes(id), `post ${id} is on some page`);
      // since_id: only what is newer, newest first.
      const newer = await alice.getHomeTimeline({ since_id: mine[27], limit: 10 });
      assert.deepEqual(newer.data.map(s => s.id), [mine[29], mine[28]]);
    });

    test('reply and context', async () => {
      assert.ok(alice && bob);
      const root = (await alice.postStatus('megalodon thread', { visibility: 'public' })).data;
      const reply = (await bob.postStatus('@alice megalodon reply', { in_reply_to_id: root.id })).data;
      assert.equal(reply.in_reply_to_id, root.id);
      assert.equal(reply.in_reply_to_account_id, aliceId);
      assert.equal(reply.visibility, 'public');
      const ctx = (await alice.getStatusContext(reply.id)).data;
      assert.deepEqual(ctx.ancestors.map(s => s.id), [root.id]);
      assert.deepEqual(ctx.descendants, []);
      const rootCtx = (await bob.getStatusContext(root.id)).data;
      assert.deepEqual(rootCtx.descendants.map(s => s.id), [reply.id]);
    });

    test('favouriteStatus and getStatusFavouritedBy', async () => {
      assert.ok(alice && bob);
      const post = (await alice.postStatus('megalodon like me', { visibility: 'public' })).data;
      const fav = (await bob.favouriteStatus(post.id)).data;
      assert.equal(fav.favourited, true);
      assert.equal(fav.favourites_count, 1);
      const by = (await alice.getStatusFavouritedBy(post.id)).data;
      assert.deepEqual(by.map(a => a.username), ['bob']);
      const favs = (await bob.getFavourites({ limit: 40 })).data;
      assert.ok(favs.some(s => s.id === post.id));
      const notes = (await alice.getNotifications({ limit: 40 })).data;
      const n = notes.find(x => x.type === 'favourite' && x.status?.id === post.id);
      assert.ok(n, 'alice is notified of the favourite');
      assert.equal(n.account.id, bobId);
    });

    test('notifications: follow and mention, exclude_types', async () => {
      assert.ok(alice && bob);
      const rel = (await alice.followAccount(bobId)).data;
      assert.equal(rel.following, true);
      const mention = (await alice.postStatus('@bob megalodon ping', { visibility: 'public' })).data;
      const notes = (await bob.getNotifications({ limit: 40 })).data;
      assert.ok(notes.some(n => n.type === 'follow' && n.account.id === aliceId), 'bob sees the follow');
      const m = notes.find(n => n.type === 'mention' && n.status?.id === mention.id);
      assert.ok(m, 'bob sees the mention');
      assert.equal(m.account.id, aliceId);
      const noFollows = (await bob.getNotifications({ limit: 40, exclude_types: ['follow'] })).data;
      assert.ok(noFollows.length > 0);
      assert.ok(noFollows.every(n => n.type !== 'follow'), 'exclude_types[] drops follows');
      const one = (await bob.getNotification(m.id)).data;
      assert.equal(one.id, m.id);
    });

    test('editStatus and history', async () => {
      assert.ok(alice);
      const post = (await alice.postStatus('megalodon before', { visibility: 'public' })).data;
      const edited = (await alice.editStatus(post.id, { status: 'megalodon after' })).data;
      assert.equal(edited.id, post.id);
      assert.match(edited.content, /megalodon after/);
      assert.ok(edited.edited_at);
      const source = (await alice.getStatusSource(post.id)).data;
      assert.equal(source.text, 'megalodon after');
      // megalodon has no history call; its HTTP client reads it.
      const history = (await alice.client.get(`/api/v1/statuses/${post.id}/history`)).data;
      assert.deepEqual(history.map(h => /megalodon (\w+)/.exec(h.content)?.[1]), ['before', 'after']);
      await assert.rejects(bob.editStatus(post.id, { status: 'hijack' }), e => [403, 404].includes(status(e)));
    });
  });
}
