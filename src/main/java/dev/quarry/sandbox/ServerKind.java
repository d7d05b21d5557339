package dev.quarry.sandbox;

/** The S3-compatible servers the sandbox can run. */
public enum ServerKind {
  /** Adobe S3Mock: persistent store on disk; no restores or archive-tier errors. */
  s3mock,
  /** moto_server: in memory; faithful Glacier semantics; KMS and Athena APIs. */
  moto
}
