// The relay's peer deny-list, IPv4 and IPv6, including IPv4 addresses hidden in IPv6 forms.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createPeerFilter, embeddedIPv4 } from '../../server/turn/peer-policy.js';
import { relayPeerFilter } from '../../server/turn/relay.js';

const policy = suite('peer policy');
const filter = createPeerFilter();

const DENIED = [
  '127.0.0.1',
  '127.0.0.2',
  '127.255.255.254',
  '0.0.0.0',
  '0.1.2.3',
  '10.0.0.5',
  '100.64.0.1',
  '100.127.255.254',
  '169.254.169.254',
  '172.16.0.1',
  '172.31.255.255',
  '192.0.0.8',
  '192.0.2.1',
  '192.31.196.1',
  '192.52.193.1',
  '192.88.99.1',
  '192.168.1.1',
  '192.175.48.1',
  '198.18.0.1',
  '198.19.255.255',
  '198.51.100.7',
  '203.0.113.9',
  '224.0.0.1',
  '239.255.255.250',
  '240.0.0.1',
  '255.255.255.255',
  '::1',
  '::',
  '::ffff:127.0.0.1',
  '::ffff:0.0.0.0',
  '::127.0.0.1',
  '::ffff:10.0.0.1',
  '::ffff:7f00:1',
  '0:0:0:0:0:ffff:7f00:1',
  '::ffff:0:127.0.0.1',
  '64:ff9b::7f00:1',
  '64:ff9b::8.8.8.8',
  '64:ff9b:1::1',
  '100::1',
  '2001::1',
  '2001:db8::1',
  '2002:7f00:1::1',
  '2002:808:808::1',
  '2620:4f:8000::1',
  '3fff::1',
  '5f00::1',
  'fc00::1',
  'fd12:3456::1',
  'fe80::1',
  'fec0::1',
  'ff02::1',
  'not-an-address',
  '',
  'fe80::1%eth0',
];
const ALLOWED = ['8.8.8.8', '1.1.1.1', '100.63.255.255', '100.128.0.1', '172.32.0.1', '192.0.3.1', '2a00:1450:4007::1', '2606:4700::1111', '::ffff:8.8.8.8'];

policy('denies every reserved IPv4 and IPv6 peer, including IPv4-mapped and compatible forms', () => {
  for (const address of DENIED) assert.not.ok(filter(address), `${address} must be denied`);
});

policy('allows public unicast peers in both families', () => {
  for (const address of ALLOWED) assert.ok(filter(address), `${address} must be allowed`);
});

policy('finds the IPv4 address inside mapped, compatible, NAT64 and 6to4 forms', () => {
  assert.is(embeddedIPv4('::ffff:127.0.0.1'), '127.0.0.1');
  assert.is(embeddedIPv4('::7f00:1'), '127.0.0.1');
  assert.is(embeddedIPv4('64:ff9b::a00:1'), '10.0.0.1');
  assert.is(embeddedIPv4('2002:c0a8:101::'), '192.168.1.1');
  assert.is(embeddedIPv4('2a00:1450::1'), null);
});

policy('lets an explicit allow-list open loopback for tests, in every notation', () => {
  const testing = createPeerFilter({ allow: ['127.0.0.0/8'] });
  assert.ok(testing('127.0.0.1'));
  assert.ok(testing('::ffff:127.0.0.1'));
  assert.not.ok(testing('10.0.0.1'));
  assert.not.ok(testing('::1'));
});

policy('denies extra addresses such as the box public address', () => {
  const withOwn = createPeerFilter({ deny: ['8.8.4.4'] });
  assert.not.ok(withOwn('8.8.4.4'));
  assert.not.ok(withOwn('::ffff:8.8.4.4'));
  assert.ok(withOwn('8.8.8.8'));
});

policy('allows the relay own address only on relay ports', () => {
  const relayFilter = relayPeerFilter({
    host: '10.1.1.1',
    port: 3478,
    relayPortMin: 50000,
    relayPortMax: 50100,
    externalIp: '8.8.4.4',
    userQuota: 0,
    totalQuota: 0,
  });
  assert.ok(relayFilter('8.8.4.4', 50050), 'relay to relay through the public address');
  assert.ok(relayFilter('10.1.1.1', 50000), 'relay to relay through the local address');
  assert.ok(relayFilter('8.8.4.4', undefined), 'permissions are per address');
  assert.not.ok(relayFilter('8.8.4.4', 443), 'the box HTTPS port');
  assert.not.ok(relayFilter('8.8.4.4', 3478), 'the TURN port itself');
  assert.not.ok(relayFilter('10.1.1.1', 22), 'SSH on the local address');
  assert.not.ok(relayFilter('10.1.1.2', 50050), 'a neighbour on the private network');
});

policy('allows a public address on the interface (no NAT) only on relay ports, however it is written', () => {
  const onInterface = relayPeerFilter({ host: '8.8.4.4', port: 3478, relayPortMin: 50000, relayPortMax: 50100, externalIp: null, userQuota: 0, totalQuota: 0 });
  assert.ok(onInterface('8.8.4.4', 50050));
  assert.ok(onInterface('8.8.4.4', undefined));
  for (const spelling of ['8.8.4.4', '::ffff:8.8.4.4', '64:ff9b::808:404', '2002:808:404::1']) {
    assert.not.ok(onInterface(spelling, 22), `${spelling}:22`);
  }
  assert.ok(onInterface('8.8.8.8', 22), 'other public addresses stay reachable');
  const v6 = relayPeerFilter({
    host: '2001:4860:4860::8844',
    port: 3478,
    relayPortMin: 50000,
    relayPortMax: 50100,
    externalIp: null,
    userQuota: 0,
    totalQuota: 0,
  });
  assert.not.ok(v6('2001:4860:4860:0:0:0:0:8844', 443));
  assert.ok(v6('2001:4860:4860::8844', 50000));
});

policy.run();
