// Firefox behind a NAT, in the test network of nat-matrix.browser.test.ts: Firefox runs inside a
// client namespace of a home behind a port-restricted cone (the common home router), driven by
// puppeteer over WebDriver BiDi through test/helpers/netns-bridge.ts (the driver's WebSocket is
// on the browser's own loopback, inside the namespace). A Firefox member rings a Chromium member
// in another such home from the directory, then a Firefox guest rings the same member from the
// call link; each call is measured as in the matrix and the table printed. Needs what the matrix
// needs and /usr/bin/firefox-esr; otherwise every test reports itself skipped with the reason.
import { randomBytes } from 'node:crypto';
import { suite } from 'uvu';
import { fill, RECORD_PEER_CONNECTIONS } from '../helpers/call-pages.js';
import { FIREFOX_PATH, hasFirefox } from '../helpers/firefox.js';
import {
  callFromDirectory,
  hangUp,
  measureCall,
  NAT_CALL_WAIT_MS,
  openCallsPage,
  signUpFrom,
  signUpMember,
  type CallSide,
  type Party,
} from '../helpers/nat-calls.js';
import { assertCall, rowOf } from '../helpers/nat-cells.js';
import { LAB_ORIGIN, natLabUnavailableReason, startNatLab, type NatLab } from '../helpers/nat-lab.js';
import { formatMatrix, type MatrixRow } from '../helpers/nat-report.js';
import type { Client, HomeSpec } from '../helpers/netns.js';

const HOMES: readonly HomeSpec[] = [
  { name: 'fox', nat: 'restricted', clients: 1 },
  { name: 'rest', nat: 'restricted', clients: 1 },
];
const CELL = 'fox (Firefox) ↔ rest';

const skipReason = natLabUnavailableReason() ?? (hasFirefox ? null : `${FIREFOX_PATH} is missing (apt-get install -y firefox-esr)`);
const cell = suite('Firefox behind a NAT');
const test = skipReason === null ? cell : cell.skip;
if (skipReason !== null) console.log(`Firefox behind a NAT skipped: ${skipReason}`);

let lab: NatLab | null = null;
let callee: Party | null = null;
const rows: MatrixRow[] = [];

cell.before(async () => {
  if (skipReason === null) lab = await startNatLab(HOMES);
});

cell.after(async () => {
  if (rows.length > 0) console.log(`\n${formatMatrix(rows)}`);
  await callee?.context.close().catch(() => undefined);
  await lab?.close();
});

/** A Firefox page in the client's namespace, in a browser context of its own (its own cookies), recording its peer connections. */
async function firefoxSide(client: Client, name: string): Promise<CallSide & { close(): Promise<void> }> {
  const context = await (await (lab as NatLab).firefoxOf(client)).createBrowserContext();
  const page = await context.newPage();
  await page.evaluateOnNewDocument(RECORD_PEER_CONNECTIONS);
  page.setDefaultTimeout(NAT_CALL_WAIT_MS);
  page.setDefaultNavigationTimeout(NAT_CALL_WAIT_MS);
  return { page, name, close: () => context.close() };
}

test(`${CELL}: a Firefox member's call goes direct, with media both ways`, async () => {
  const network = (lab as NatLab).network;
  const [callerClient, calleeClient] = [network.client('fox'), network.client('rest')];
  const lastName = `Fox${randomBytes(3).toString('hex')}`;
  const caller = await firefoxSide(callerClient, `Member ${lastName}`);
  try {
    await signUpFrom(caller, LAB_ORIGIN, 'Member', lastName);
    callee = await signUpMember(await (lab as NatLab).browserOf(calleeClient), LAB_ORIGIN, 'Member', `Nat${randomBytes(3).toString('hex')}`);
    await Promise.all([openCallsPage(caller, LAB_ORIGIN), openCallsPage(callee, LAB_ORIGIN)]);
    const answering = callee;
    const result = await measureCall(caller, answering, () => callFromDirectory(caller, answering), 'direct');
    rows.push(rowOf(CELL, 'member', 'direct', result));
    await hangUp(caller, answering).catch(() => undefined);
    assertCall(result, 'direct', callerClient, calleeClient, false);
  } finally {
    await caller.close().catch(() => undefined);
  }
});

test(`${CELL}: a Firefox guest's call is relayed, with media both ways`, async () => {
  const network = (lab as NatLab).network;
  const [callerClient, calleeClient] = [network.client('fox'), network.client('rest')];
  if (callee === null) throw new Error('the member call did not get as far as signing the callee up');
  const answering = callee;
  const guest = await firefoxSide(callerClient, 'Guest');
  try {
    const link = await answering.page.inputValue('#call-link');
    const result = await measureCall(
      guest,
      answering,
      async () => {
        await guest.page.goto(link);
        await fill(guest.page, '#display-name', 'Guest');
        await guest.page.click('#guest-call');
      },
      'relayed',
    );
    rows.push(rowOf(CELL, 'guest', 'relayed', result));
    await hangUp(guest, answering).catch(() => undefined);
    assertCall(result, 'relayed', callerClient, calleeClient, true);
  } finally {
    await guest.close().catch(() => undefined);
  }
});

cell.run();
