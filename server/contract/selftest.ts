// What POST /api/self-test/ice-servers answers: relay credentials for the connection self-test
// (/test), one per side of the page's loop through the relay. Type-only; the browser imports it.

/** One RTCIceServer, as JSON: each of `urls` is one transport the relay offers (udp, tcp, tls). */
export type SelfTestIceServer = { urls: string[]; username: string; credential: string };

export type SelfTestIce = {
  /** The two sides of the loop: their allocations may reach each other, as one call's do. Empty
   *  when the service has no relay at all. */
  first: SelfTestIceServer[];
  second: SelfTestIceServer[];
  /** The credentials stop working after this many seconds. */
  expiresInS: number;
};
