// The directory through the real server: searched by name (case and accents ignored), paged so
// no member is crowded out, and telling whether a member can be called now only when that member
// chose to show it.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FAST_BCRYPT, json, signUp, withCookie, type TestMember } from '../accounts/helpers.js';
import { jsonOf, startTestServer, type TestServer } from '../helpers/server.js';
import { waitUntil } from '../helpers/wait.js';
import { openSignalClient, type SignalTestClient } from '../helpers/ws.js';
import { DIRECTORY_PAGE_SIZE } from '../../server/calls/call-service.js';
import { DIRECTORY_SEARCH_MAX_CODE_POINTS } from '../../server/contract/api.js';

let server: TestServer;
const clients: SignalTestClient[] = [];

type Listed = { id: string; firstName: string; lastName: string; reachable: boolean | null };
const directoryOf = async (member: TestMember, query = ''): Promise<{ members: Listed[]; nextOffset: number | null }> => {
  const response = await server.fetch(`/api/members${query}`, withCookie(member.cookie));
  assert.is(response.status, 200, `GET /api/members${query}`);
  return jsonOf(response);
};
const names = (members: Listed[]) => members.map((member) => `${member.firstName} ${member.lastName}`);

const directory = suite('the member directory');
directory.before.each(async () => {
  server = await startTestServer({ env: FAST_BCRYPT, signaling: true });
});
directory.after.each(async () => {
  for (const client of clients.splice(0)) client.ws.terminate();
  await server.close();
});

directory('finds members by any part of their names, ignoring case and accents, every word counting', async () => {
  const me = await signUp(server, { firstName: 'Ada', lastName: 'Lovelace' });
  await signUp(server, { firstName: 'Éloïse', lastName: 'Dupré' });
  await signUp(server, { firstName: 'Eloi', lastName: 'Martin' });
  await signUp(server, { firstName: 'Zoé', lastName: '100%_Durand' });
  assert.equal(names((await directoryOf(me, '?q=eloi')).members), ['Éloïse Dupré', 'Eloi Martin']);
  assert.equal(names((await directoryOf(me, `?q=${encodeURIComponent('ÉLOÏSE dupre')}`)).members), ['Éloïse Dupré']);
  assert.equal(names((await directoryOf(me, '?q=%25_')).members), ['Zoé 100%_Durand'], 'the wildcards typed are plain characters');
  assert.equal(names((await directoryOf(me, '?q=lovelace')).members), [], 'never oneself');
  assert.equal(names((await directoryOf(me, '?q=nobody')).members), []);
  const tooLong = await server.fetch(`/api/members?q=${'a'.repeat(DIRECTORY_SEARCH_MAX_CODE_POINTS + 1)}`, withCookie(me.cookie));
  assert.is(tooLong.status, 400);
  assert.is((await jsonOf(tooLong)).error.code, 'invalid_query');
  assert.is((await server.fetch('/api/members?offset=-1', withCookie(me.cookie))).status, 400);
  assert.is((await server.fetch('/api/members')).status, 401);
});

directory('pages every member by last name, so the last one is reached and found by search', async () => {
  const me = await signUp(server, { firstName: 'Ada', lastName: 'Aaa' });
  const count = DIRECTORY_PAGE_SIZE + 3;
  for (let i = 0; i < count; i += 1) await signUp(server, { firstName: 'Member', lastName: `N${String(i).padStart(3, '0')}` });
  const first = await directoryOf(me);
  assert.is(first.members.length, DIRECTORY_PAGE_SIZE);
  assert.is(first.nextOffset, DIRECTORY_PAGE_SIZE);
  assert.is(first.members[0]?.lastName, 'N000');
  const second = await directoryOf(me, `?offset=${first.nextOffset}`);
  assert.equal(
    second.members.map((member) => member.lastName),
    ['N050', 'N051', 'N052'],
  );
  assert.is(second.nextOffset, null);
  assert.equal(names((await directoryOf(me, '?q=n052')).members), ['Member N052']);
});

directory('tells whether a member can be called now only when that member shows it, and exports the choice', async () => {
  const me = await signUp(server);
  const ada = await signUp(server, { firstName: 'Ada', lastName: 'Lovelace' });
  const reachability = async () => (await directoryOf(me, '?q=lovelace')).members[0]?.reachable;
  const device = await openSignalClient(server.wsUrl, { name: 'ada', headers: { Origin: server.origin, Cookie: ada.cookie } });
  clients.push(device);
  assert.is(await reachability(), null, 'off by default, even while her page is open');
  const adaSelf = await jsonOf(await server.fetch('/api/me', withCookie(ada.cookie)));
  assert.is(adaSelf.callLink.showPresence, false);

  const turnedOn = await server.fetch('/api/me/call-link', json({ showPresence: true }, ada.cookie, 'PATCH'));
  assert.is(turnedOn.status, 200);
  assert.is((await jsonOf(turnedOn)).showPresence, true);
  assert.is(await reachability(), true);
  device.ws.close();
  await waitUntil(async () => (await reachability()) === false, 'her closed page to count as away', 5000);

  const exported = await jsonOf(await server.fetch('/api/me/export', withCookie(ada.cookie)));
  assert.is(exported.data.callLink[0].show_presence, 1);
  await server.fetch('/api/me/call-link', json({ showPresence: false }, ada.cookie, 'PATCH'));
  assert.is(await reachability(), null);
  assert.is((await server.fetch('/api/me/call-link', json({ showPresence: 'yes' }, ada.cookie, 'PATCH'))).status, 400);
});

directory.run();
