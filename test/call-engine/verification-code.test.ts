// The verification code (public/ts/lib/call/verification.ts) under Node: known fingerprints
// give a known code (the vector was computed apart, with Python's hashlib), both sides get the
// same code whichever fingerprint is theirs, any other certificate gives another code, and the
// fingerprints are read from getStats reports and from descriptions as the browsers write them.
// The commitment to a certificate has its known vector too (hashlib again), and the caller's
// check of it (CallVerifier) shows the code only for the certificate committed to, and only
// while it stays the one the call started with.
// The browser suites (call-verification, firefox-guest-calls, firefox-member-calls) check it over real DTLS, middles included.
import { webcrypto } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CallVerifier,
  commitmentOf,
  type Fingerprint,
  fingerprintOfDescription,
  fingerprintsOfStats,
  normalizeFingerprint,
  type StatsReport,
  verificationCode,
} from '../../public/ts/lib/call/verification.js';

const hexPairs = (bytes: number[]): string => bytes.map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
const ascending = Array.from({ length: 32 }, (_, i) => i);
const CALLER: Fingerprint = { algorithm: 'sha-256', value: hexPairs(ascending) };
const CALLEE: Fingerprint = { algorithm: 'sha-256', value: hexPairs(ascending.map((i) => 255 - i)) };
/** The caller's fingerprint with its last byte changed. */
const MIDDLE: Fingerprint = { algorithm: 'sha-256', value: hexPairs([...ascending.slice(0, 31), 0x20]) };
const subtle = webcrypto.subtle;

const code = suite('verification code');

code('known fingerprints give the known code, as six digits in two groups', async () => {
  assert.is(await verificationCode({ local: CALLER, remote: CALLEE }, subtle), '679 563');
  assert.is(await verificationCode({ local: MIDDLE, remote: CALLEE }, subtle), '820 603');
});

code('both sides get the same code: the order of the two fingerprints does not matter', async () => {
  const callerSees = await verificationCode({ local: CALLER, remote: CALLEE }, subtle);
  const calleeSees = await verificationCode({ local: CALLEE, remote: CALLER }, subtle);
  assert.is(callerSees, calleeSees);
});

code('a middle with its own certificate gives each side another code', async () => {
  const honest = await verificationCode({ local: CALLER, remote: CALLEE }, subtle);
  // The caller talks to the middle, the callee to the middle's other certificate.
  const callerSide = await verificationCode({ local: CALLER, remote: MIDDLE }, subtle);
  const calleeSide = await verificationCode({ local: CALLEE, remote: { ...MIDDLE, value: hexPairs([...ascending.slice(0, 31), 0x21]) } }, subtle);
  assert.is.not(callerSide, honest);
  assert.is.not(calleeSide, honest);
  assert.is.not(callerSide, calleeSide);
});

code('case and spacing of the fingerprint do not change the code; the algorithm does', async () => {
  const written = await verificationCode({ local: CALLER, remote: CALLEE }, subtle);
  const lowerCase = await verificationCode({ local: { algorithm: 'SHA-256 ', value: CALLER.value.toLowerCase() }, remote: CALLEE }, subtle);
  assert.is(lowerCase, written);
  const otherAlgorithm = await verificationCode({ local: { ...CALLER, algorithm: 'sha-384' }, remote: CALLEE }, subtle);
  assert.is.not(otherAlgorithm, written);
});

code('what is not a fingerprint is refused rather than hashed', async () => {
  for (const bad of [
    { algorithm: 'sha-256', value: '' },
    { algorithm: 'sha-256', value: 'zz:01' },
    { algorithm: 'sha-256', value: '0102' },
    { algorithm: 'sha 256', value: CALLER.value },
    { algorithm: '', value: CALLER.value },
  ]) {
    assert.is(normalizeFingerprint(bad), null, JSON.stringify(bad));
    const refused = await verificationCode({ local: bad, remote: CALLEE }, subtle).then(
      () => false,
      () => true,
    );
    assert.ok(refused, `no code from ${JSON.stringify(bad)}`);
  }
});

const reading = suite('reading the fingerprints');

// What Chromium writes (media level) and Firefox (session level), shortened.
const CHROMIUM_SDP = `v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=ice-ufrag:abcd\r\na=fingerprint:sha-256 ${CALLER.value}\r\na=setup:actpass\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=fingerprint:sha-256 ${CALLER.value}\r\n`;
const FIREFOX_SDP = `v=0\r\no=mozilla...THIS_IS_SDPARTA-153.0 1 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=fingerprint:sha-256 ${CALLEE.value}\r\na=group:BUNDLE 0 1\r\nm=audio 9 UDP/TLS/RTP/SAVPF 109\r\n`;

reading('a description gives its fingerprint, at media or session level', () => {
  assert.equal(fingerprintOfDescription(CHROMIUM_SDP), CALLER);
  assert.equal(fingerprintOfDescription(FIREFOX_SDP), CALLEE);
  assert.is(fingerprintOfDescription(undefined), null);
  assert.is(fingerprintOfDescription('v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n'), null);
  assert.is(fingerprintOfDescription('v=0\r\na=fingerprint:sha-256 not-hex\r\n'), null);
});

const statsOf = (reports: StatsReport[]) => {
  const byId = new Map(reports.map((report) => [report.id ?? '', report]));
  return fingerprintsOfStats(byId.values(), (id) => byId.get(id));
};

reading('getStats gives the connected transport’s own and remote certificates', () => {
  const fingerprints = statsOf([
    { type: 'transport', id: 'T0', dtlsState: 'connected', localCertificateId: 'CL', remoteCertificateId: 'CR', selectedCandidatePairId: 'P' },
    { type: 'certificate', id: 'CL', fingerprintAlgorithm: 'sha-256', fingerprint: CALLER.value },
    { type: 'certificate', id: 'CR', fingerprintAlgorithm: 'sha-256', fingerprint: CALLEE.value },
  ]);
  assert.equal(fingerprints, { local: CALLER, remote: CALLEE });
});

reading('no fingerprints before the handshake is done, nor without certificate reports', () => {
  assert.is(
    statsOf([
      { type: 'transport', id: 'T0', dtlsState: 'connecting', localCertificateId: 'CL', remoteCertificateId: 'CR' },
      { type: 'certificate', id: 'CL', fingerprintAlgorithm: 'sha-256', fingerprint: CALLER.value },
      { type: 'certificate', id: 'CR', fingerprintAlgorithm: 'sha-256', fingerprint: CALLEE.value },
    ]),
    null,
  );
  assert.is(statsOf([{ type: 'transport', id: 'T0', dtlsState: 'connected', localCertificateId: 'CL', remoteCertificateId: 'CR' }]), null);
  assert.is(statsOf([{ type: 'transport', id: 'T0', dtlsState: 'connected' }]), null);
});

const commitment = suite('the callee’s commitment');

/** Hex SHA-256 of "porthello-commitment-v1\nsha-256 FF:FE:…:E0", computed with Python's hashlib. */
const CALLEE_COMMITMENT = '6280073de9ab86046c9446d858299dcf1079fb7d15d85a12e5e3b424b686cb69';

commitment('a known fingerprint gives the known commitment, 64 lower-case hex digits, whatever its case', async () => {
  assert.is(await commitmentOf(CALLEE, subtle), CALLEE_COMMITMENT);
  assert.is(await commitmentOf({ algorithm: 'SHA-256', value: CALLEE.value.toLowerCase() }, subtle), CALLEE_COMMITMENT);
  assert.is(await commitmentOf(CALLER, subtle), 'acd0b1989495fb8317f840402172296431bdba75470b8a754b8efba03b700712');
  assert.is.not(await commitmentOf(MIDDLE, subtle), await commitmentOf(CALLER, subtle));
  const refused = await commitmentOf({ algorithm: 'sha-256', value: 'zz' }, subtle).then(
    () => false,
    () => true,
  );
  assert.ok(refused, 'no commitment to what is not a fingerprint');
});

commitment('the caller shows the code when the callee’s certificate is the one committed to', async () => {
  const verifier = new CallVerifier({ role: 'caller', calleeCommitment: CALLEE_COMMITMENT }, subtle);
  const verdict = await verifier.check({ local: CALLER, remote: CALLEE });
  assert.equal(verdict, { trusted: true, code: await verificationCode({ local: CALLER, remote: CALLEE }, subtle) });
});

commitment('a middle that forwards the callee’s commitment with a certificate of its own gets a warning, for good', async () => {
  const verifier = new CallVerifier({ role: 'caller', calleeCommitment: CALLEE_COMMITMENT }, subtle);
  assert.equal(await verifier.check({ local: CALLER, remote: MIDDLE }), { trusted: false, reason: 'commitment' });
  // Stepping aside afterwards does not clear it.
  assert.equal(await verifier.check({ local: CALLER, remote: CALLEE }), { trusted: false, reason: 'commitment' });
});

commitment('a caller that was sent no commitment shows no code', async () => {
  const verifier = new CallVerifier({ role: 'caller', calleeCommitment: null }, subtle);
  assert.equal(await verifier.check({ local: CALLER, remote: CALLEE }), { trusted: false, reason: 'commitment' });
});

commitment('either side warns when the other side’s certificate changes during the call', async () => {
  const callee = new CallVerifier({ role: 'callee' }, subtle);
  const first = await callee.check({ local: CALLEE, remote: CALLER });
  assert.ok(first.trusted);
  // The same certificate written otherwise is the same certificate.
  assert.equal(await callee.check({ local: CALLEE, remote: { algorithm: 'SHA-256', value: CALLER.value.toLowerCase() } }), first);
  assert.equal(await callee.check({ local: CALLEE, remote: MIDDLE }), { trusted: false, reason: 'changed' });
  assert.equal(await callee.check({ local: CALLEE, remote: CALLER }), { trusted: false, reason: 'changed' });
});

code.run();
reading.run();
commitment.run();
