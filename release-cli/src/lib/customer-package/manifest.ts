// The customer package's format: MANIFEST.json lists every other file of the package with its
// size and SHA-256 and says what the package is for; MANIFEST.sig holds the vendor's Ed25519
// signature over the signing context followed by the manifest's bytes. The SDK configuration
// (config/license-client.json) points the license client at the packaged .lic and keyring.
export const MANIFEST = "MANIFEST.json";
export const SIGNATURE = "MANIFEST.sig";
export const PACKAGE_FORMAT = "license-release-package";
export const SIGNING_CONTEXT = "license-release/package-manifest/v1";

export interface ManifestFile {
  path: string;
  size: number;
  sha256: string;
}

export interface Manifest {
  format: typeof PACKAGE_FORMAT;
  version: 1;
  name: string;
  createdAt: string;
  product: { code: string; name: string } | null;
  customer: { id: string; name: string } | null;
  license: { id: string; file: string; kid: string; expiresAt: string; fingerprint: string | null } | null;
  sdkConfig: string;
  keyring: string;
  files: ManifestFile[];
}

export interface SdkConfig {
  product: string | null;
  server: { grpc?: string; rest?: string } | null;
  licenseKey: string | null;
  /** paths inside the package */
  licenseFile: string;
  publicKeys: string;
}
