package org.carbonio.server.cli;

import java.net.URI;
import java.nio.file.Path;
import org.carbonio.server.StoreBackends;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Where the store lives (PostgreSQL metadata, S3 blobs, or the embedded default), shared by {@code
 * run} and {@code store check} so that both open the same store.
 */
final class StoreOptions {
  @Option(
      names = "--store-postgres-url",
      description =
          "Keep mail metadata in PostgreSQL (jdbc:postgresql://HOST:PORT/DB) instead of"
              + " DIR/store/metadata.db.")
  String postgresUrl;

  @Option(
      names = "--store-postgres-user",
      defaultValue = "carbonio",
      description = "PostgreSQL user (default: ${DEFAULT-VALUE}).")
  String postgresUser;

  @Option(
      names = "--store-postgres-password-file",
      description = "File holding the PostgreSQL password.")
  Path postgresPasswordFile;

  @Option(
      names = "--store-s3-endpoint",
      description = "Keep message blobs in S3 at this endpoint instead of DIR/store/blobs.")
  URI s3Endpoint;

  @Option(
      names = "--store-s3-region",
      defaultValue = "us-east-1",
      description = "S3 signing region (default: ${DEFAULT-VALUE}).")
  String s3Region;

  @Option(names = "--store-s3-bucket", description = "S3 bucket (must exist).")
  String s3Bucket;

  @Option(
      names = "--store-s3-prefix",
      defaultValue = "",
      description = "Prefix of every object key (default: none).")
  String s3Prefix;

  @Option(names = "--store-s3-access-key", description = "S3 access key id.")
  String s3AccessKey;

  @Option(names = "--store-s3-secret-key-file", description = "File holding the S3 secret key.")
  Path s3SecretKeyFile;

  /** The store options as a {@link StoreBackends}; a half-given backend is a usage error. */
  StoreBackends backends(CommandSpec spec) {
    StoreBackends store = StoreBackends.EMBEDDED;
    if (postgresUrl != null || postgresPasswordFile != null) {
      if (postgresUrl == null || postgresPasswordFile == null) {
        throw new ParameterException(
            spec.commandLine(),
            "--store-postgres-url and --store-postgres-password-file go together");
      }
      store =
          store.withPostgres(
              new StoreBackends.Postgres(postgresUrl, postgresUser, postgresPasswordFile));
    }
    if (s3Endpoint != null || s3Bucket != null || s3AccessKey != null || s3SecretKeyFile != null) {
      if (s3Endpoint == null
          || s3Bucket == null
          || s3AccessKey == null
          || s3SecretKeyFile == null) {
        throw new ParameterException(
            spec.commandLine(),
            "S3 needs --store-s3-endpoint, --store-s3-bucket, --store-s3-access-key and"
                + " --store-s3-secret-key-file");
      }
      store =
          store.withS3(
              new StoreBackends.S3(
                  s3Endpoint, s3Region, s3Bucket, s3Prefix, s3AccessKey, s3SecretKeyFile));
    }
    return store;
  }
}
