package org.carbonio.directory.testkit;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A private OpenLDAP slapd ({@link SlapdServer}) for one test class: started before the first test
 * in a fresh temporary directory, stopped and deleted after the last.
 *
 * {@snippet :
 * class MySlapdTest {
 *   @RegisterExtension static SlapdExtension slapd = new SlapdExtension("dc=example,dc=org");
 *
 *   @Test
 *   void readsSuffix() throws Exception {
 *     try (LDAPConnection c = slapd.connection()) {
 *       assertThat(c.getEntry(slapd.suffix())).isNotNull();
 *     }
 *   }
 * }
 * }
 *
 * <p>If slapd is not installed the class fails with a message naming the missing binary: tests are
 * not skipped silently. Register it as a static field ({@code @RegisterExtension static}).
 *
 * <p>Thread-safe.
 */
public final class SlapdExtension implements BeforeAllCallback, AfterAllCallback {
  private final String suffix;
  private final UnaryOperator<SlapdServer.Builder> options;
  private volatile SlapdServer server;
  private volatile Path dir;

  /** A server for {@code o=carbonio}, the embedded directory's suffix. */
  public SlapdExtension() {
    this("o=carbonio");
  }

  /** A server for {@code suffix}, e.g. {@code dc=example,dc=org}. */
  public SlapdExtension(String suffix) {
    this(suffix, UnaryOperator.identity());
  }

  /**
   * A server for {@code suffix} with more options, e.g. {@code b -> b.schema(Path.of(
   * "/etc/ldap/schema/msuser.ldif"))}.
   */
  public SlapdExtension(String suffix, UnaryOperator<SlapdServer.Builder> options) {
    this.suffix = Objects.requireNonNull(suffix, "suffix");
    this.options = Objects.requireNonNull(options, "options");
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    dir = Files.createTempDirectory("carbonio-slapd-");
    try {
      server = options.apply(SlapdServer.builder(dir, suffix)).start();
    } catch (RuntimeException e) {
      SlapdServer.deleteTree(dir);
      throw e;
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    SlapdServer s = server;
    server = null;
    try {
      if (s != null) {
        s.stop();
      }
    } finally {
      SlapdServer.deleteTree(dir);
    }
  }

  /** The running server. */
  public SlapdServer server() {
    SlapdServer s = server;
    if (s == null) {
      throw new IllegalStateException(
          "SlapdExtension not started: register it with @RegisterExtension on a static field");
    }
    return s;
  }

  /** {@code ldap://127.0.0.1:<port>/}. */
  public String url() {
    return server().url();
  }

  /** The TCP port on 127.0.0.1. */
  public int port() {
    return server().port();
  }

  /** The naming context. */
  public String suffix() {
    return server().suffix();
  }

  /** {@code cn=admin,<suffix>}. */
  public String rootDn() {
    return server().rootDn();
  }

  /** The root DN's password. */
  public String rootPassword() {
    return server().rootPassword();
  }

  /** A new connection bound as the root DN; the caller closes it. */
  public LDAPConnection connection() throws LDAPException {
    return server().connection();
  }

  /** Adds the entries of an LDIF file with {@code /usr/bin/ldapadd}; see {@link SlapdServer}. */
  public String ldapAdd(Path ldif) {
    return server().ldapAdd(ldif);
  }
}
