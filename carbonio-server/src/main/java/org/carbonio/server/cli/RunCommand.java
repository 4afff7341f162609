package org.carbonio.server.cli;

import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.carbonio.server.CarbonioServer;
import org.carbonio.server.Listener;
import org.carbonio.server.ServerConfig;
import org.carbonio.server.internal.TlsMaterial;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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

  @Mixin StoreOptions storeOptions;

  @Mixin DirectoryOptions directoryOptions;

  @Mixin MtaOptions mtaOptions;

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
            storeOptions.backends(spec),
            directoryOptions.backend(spec),
            mtaOptions.config(spec));
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
