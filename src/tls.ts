import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  certFile: string;
  keyFile: string;
  /** True when this call generated a new self-signed certificate. */
  generated: boolean;
}

/** Reads a PEM certificate chain and private key given on the command line. */
export function readTlsFiles(certFile: string, keyFile: string): TlsMaterial {
  return {
    cert: readFileSync(certFile),
    key: readFileSync(keyFile),
    certFile: resolve(certFile),
    keyFile: resolve(keyFile),
    generated: false,
  };
}

/**
 * A self-signed certificate for localhost, 127.0.0.1 and ::1, made once with the system's
 * `openssl` and kept in `dir` (reused on later starts, so clients can trust it once). openssl is
 * used rather than an npm package because it is already on every machine that has Node's TLS.
 * For local development only: nothing vouches for this certificate.
 */
export function selfSignedTls(dir: string): TlsMaterial {
  const certFile = resolve(join(dir, 'cert.pem'));
  const keyFile = resolve(join(dir, 'key.pem'));
  if (existsSync(certFile) && existsSync(keyFile)) return readTlsFiles(certFile, keyFile);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // prettier-ignore
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '825',
    '-keyout', keyFile, '-out', certFile, '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:0:0:0:0:0:0:0:1',
    '-addext', 'extendedKeyUsage=serverAuth',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  chmodSync(keyFile, 0o600);
  return { ...readTlsFiles(certFile, keyFile), generated: true };
}
