package org.carbonio.server.cli;

import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.carbonio.server.CarbonioServer;
import org.carbonio.server.Listener;
import org.carbonio.server.ServerConfig;
import org.carbonio.server.StoreBackends;
import org.carbonio.server.internal.TlsMaterial;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code carbonio run}: starts the single-node server and waits until it is stopped. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Start the server.")
final class RunCommand implements Callable<Integer> {

  @Option(
      names = "--data",
      defaultValue = "data",
      description = "Data directory (default: ${DEFAULT-VALUE}).")
  Path data;

  @Option(
      names = "--port-offset",
      defaultValue = "0",
      description = "Added to every base port (default: ${DEFAULT-VALUE}).")
  int portOffset;

  @Option(
      names = "--bind",
      defaultValue = "127.0.0.1",
      description = "Address of the mail listeners, SMTP and IMAP (default: ${DEFAULT-VALUE}).")
  InetAddress bind;

  @Option(
      names = "--admin-bind",
      defaultValue = "127.0.0.1",
      description =
          "Address of the admin listeners, HTTP admin API and LDAP (default: ${DEFAULT-VALUE}).")
  InetAddress adminBind;

  @Option(
      names = "--domain",
      defaultValue = ServerConfig.DEFAULT_DOMAIN,
      description = "Mail domain created on first start (default: ${DEFAULT-VALUE}).")
  String domain;

  @Option(names = "--hostname", description = "Server host name (default: the domain).")
  String hostname;

  @Option(names = "--tls-cert", description = "PEM certificate chain (default: self-signed).")
  Path tlsCertificate;

  @Option(names = "--tls-key", description = "PEM private key for --tls-cert.")
  Path tlsKey;

  @Spec CommandSpec spec;

  @Option(
      names = "--ephemeral-ports",
      description = "Bind port 0 everywhere; the chosen ports are printed (for tests).")
  boolean ephemeralPorts;

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
  StoreBackends storeBackends() {
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

  @Override
  public Integer call() throws Exception {
    ServerConfig config =
        new ServerConfig(
            data,
            bind,
            adminBind,
            portOffset,
            ephemeralPorts,
            domain,
            hostname == null ? domain : hostname,
            Optional.ofNullable(tlsCertificate),
            Optional.ofNullable(tlsKey),
            storeBackends());
    CarbonioServer server = CarbonioServer.start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "shutdown"));
    printBanner(System.out, server);
    stopped.await();
    return 0;
  }

  static void printBanner(PrintStream out, CarbonioServer server) {
    Path dataDir = server.config().dataDir().toAbsolutePath();
    for (Listener listener : server.listeners()) {
      out.println(listener.describe());
    }
    out.println(
        "login       "
            + server.adminAddress()
            + " with the password in "
            + dataDir.resolve("admin-password"));
    if (server.config().tlsCertificate().isEmpty()) {
      out.println("tls         self-signed certificate " + TlsMaterial.defaultCertificate(dataDir));
    }
    out.println(
        "accounts    ./carbonio prov --data "
            + server.config().dataDir()
            + " create-account ADDR PASSWORD");
    out.println("ready");
    out.flush();
  }
}
