// The common name of the certificate a TLS listener on loopback offers to a new handshake.
import { connect } from 'node:tls';
import { withTimeout } from '../../helpers/wait.js';

export async function certificateSubjectAt(port: number): Promise<string> {
  const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
  try {
    await withTimeout(new Promise<void>((resolve) => socket.once('secureConnect', () => resolve())), 'the TLS handshake');
    return String(socket.getPeerCertificate().subject.CN);
  } finally {
    socket.destroy();
  }
}
