// Every setting's name and default, in one table: the example env file, the doctor, the local
// service script and coturn's configuration all read it, and test/config.test.ts keeps
// config/porthello.env.example in step with it.

/** Every key the service reads, with its default as written in the example file. */
export const CONFIG_KEYS = {
  PORTHELLO_HOST: '127.0.0.1',
  PORTHELLO_PORT: '8080',
  PORTHELLO_DATA_DIR: './data',
  PORTHELLO_PUBLIC_URL: '',
  PORTHELLO_TLS_CERT: '',
  PORTHELLO_TLS_KEY: '',
  PORTHELLO_HTTP_REDIRECT_PORT: '0',
  PORTHELLO_ACME_CHALLENGE_DIR: '',
  PORTHELLO_TRUST_PROXY: 'false',
  PORTHELLO_LOG_LEVEL: 'info',
  PORTHELLO_BCRYPT_COST: '12',
  PORTHELLO_SESSION_IDLE_HOURS: '168',
  PORTHELLO_SESSION_MAX_DAYS: '30',
  PORTHELLO_SIGNUPS_PER_ADDRESS_PER_HOUR: '5',
  PORTHELLO_SIGNUPS_PER_HOUR: '50',
  PORTHELLO_RING_COOLDOWN_S: '30',
  PORTHELLO_CALL_LOG_REPEAT_MINUTES: '5',
  PORTHELLO_CALL_LOG_MAX_ENTRIES: '1000',
  PORTHELLO_TURN_PORT: '3478',
  PORTHELLO_TURN_HOST: '127.0.0.1',
  PORTHELLO_TURN_EXTERNAL_IP: '',
  PORTHELLO_TURN_RELAY_PORTS: '49152-49407',
  PORTHELLO_TURN_TLS_PORT: '5349',
  PORTHELLO_TURN_USER_QUOTA: '10',
  PORTHELLO_TURN_TOTAL_QUOTA: '200',
  PORTHELLO_TURN_ADDRESS_QUOTA: '20',
  PORTHELLO_TURN_CALL_RESERVE: '100',
  PORTHELLO_TURN_MAX_BYTES_PER_S: '1250000',
  PORTHELLO_TURN_ALLOWED_PEERS: '',
  PORTHELLO_TURN_URLS: '',
  PORTHELLO_TURN_SECRET: '',
  PORTHELLO_SMTP_URL: '',
  PORTHELLO_MAIL_FROM: '',
  PORTHELLO_ORGANISATION_NAME: '',
  PORTHELLO_ORGANISATION_CONTACT: '',
} as const;

export type ConfigKey = keyof typeof CONFIG_KEYS;
export type Env = Readonly<Record<string, string | undefined>>;
