package org.carbonio.directory;

import com.unboundid.ldap.sdk.Attribute;
import com.unboundid.ldap.sdk.LDAPConnection;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Child process of {@link StormKillTest}: several threads create accounts through the API and
 * through LDAP (as the admin, clear-text passwords) until the process is killed, printing {@code
 * ACK <kind> <address>} after each change is acknowledged ({@code api}, {@code ldap}, or {@code
 * admin} when the API made the account an admin), {@code ERR <message>} on any failure.
 */
public final class StormKillChild {
  static final String ADMIN_PW = "storm-admin";
  static final int API_THREADS = 3;
  static final int LDAP_THREADS = 3;

  private StormKillChild() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    String round = args[1];
    EmbeddedDirectory d =
        EmbeddedDirectory.builder()
            .dataDir(Path.of(args[0]))
            .limits(Fixtures.FAST)
            .snapshotEvery(Integer.parseInt(args[2]), 1L << 30) // rotations during the storm
            .ldapListener(new InetSocketAddress(Fixtures.CLIENT, 0))
            .ldapAdminPassword(ADMIN_PW)
            .build();
    if (!d.isLocalDomain("example.com")) {
      d.createDomain("example.com");
    }
    int port = d.ldapAddress().orElseThrow().getPort();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < API_THREADS; t++) {
      String prefix = "api-r" + round + "-t" + t + "-";
      threads.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      for (int i = 0; ; i++) {
                        String address = prefix + i + "@example.com";
                        d.createAccount(address, "pw-" + address);
                        out.println("ACK api " + address);
                        if (i % 3 == 0) {
                          d.setAdmin(address, true);
                          out.println("ACK admin " + address);
                        }
                      }
                    } catch (Exception e) {
                      out.println("ERR " + e);
                    }
                  }));
    }
    for (int t = 0; t < LDAP_THREADS; t++) {
      String prefix = "ldap-r" + round + "-t" + t + "-";
      threads.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try (LDAPConnection c =
                        new LDAPConnection("127.0.0.1", port, "cn=admin,o=carbonio", ADMIN_PW)) {
                      for (int i = 0; ; i++) {
                        String local = prefix + i;
                        String address = local + "@example.com";
                        c.add(
                            "uid=" + local + ",ou=people,ou=example.com,ou=domains,o=carbonio",
                            new Attribute("objectClass", "inetOrgPerson", "carbonioAccount"),
                            new Attribute("uid", local),
                            new Attribute("cn", address),
                            new Attribute("sn", local),
                            new Attribute("mail", address),
                            new Attribute("carbonioId", UUID.randomUUID().toString()),
                            new Attribute("carbonioAccountStatus", "active"),
                            new Attribute("userPassword", "pw-" + address));
                        out.println("ACK ldap " + address);
                      }
                    } catch (Exception e) {
                      out.println("ERR " + e);
                    }
                  }));
    }
    for (Thread t : threads) {
      t.join();
    }
  }
}
