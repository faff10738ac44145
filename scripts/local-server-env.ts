// The settings of a Porthello process that a test suite or a benchmark starts on this machine:
// its own data directory, ports the system picks, cheap password hashing for members made in bulk,
// open sign-up (the members are made over HTTP), and none of the sign-up and ring throttles, which
// are not what such runs look at.

/** The process picks a free port, so the public origin it checks is a fixed placeholder. */
export const LOCAL_ORIGIN = 'http://127.0.0.1:1';

export function localServerEnv(dataDir: string): Record<string, string> {
  return {
    PORTHELLO_DATA_DIR: dataDir,
    PORTHELLO_PORT: '0',
    PORTHELLO_PUBLIC_URL: LOCAL_ORIGIN,
    PORTHELLO_TURN_PORT: '0',
    PORTHELLO_BCRYPT_COST: '4',
    PORTHELLO_SIGNUP: 'open',
    PORTHELLO_SIGNUPS_PER_ADDRESS_PER_HOUR: '100000',
    PORTHELLO_SIGNUPS_PER_HOUR: '100000',
    PORTHELLO_RING_COOLDOWN_S: '0',
  };
}
