package org.carbonio.directory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.sdk.Entry;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ResultCode;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HashingPasswordEncoderTest {
  static final String BASE = "dc=example";
  static final String ADMIN = "cn=admin";
  static final String ADMIN_PW = "admin-pw";

  private final PasswordHasher hasher = new PasswordHasher(1_000, 10_000_000);
  private InMemoryDirectoryServer server;

  @BeforeEach
  void start() throws Exception {
    InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(BASE);
    config.addAdditionalBindCredentials(ADMIN, ADMIN_PW);
    config.setListenerConfigs(
        InMemoryListenerConfig.createLDAPConfig("ldap", InetAddress.getLoopbackAddress(), 0, null));
    HashingPasswordEncoder.install(config, hasher);
    server = new InMemoryDirectoryServer(config);
    server.add("dn: " + BASE, "objectClass: top", "objectClass: domain", "dc: example");
    server.startListening();
  }

  @AfterEach
  void stop() {
    server.shutDown(true);
  }

  private LDAPConnection connect() throws LDAPException {
    return new LDAPConnection("127.0.0.1", server.getListenPort());
  }

  private static String dn(String uid) {
    return "uid=" + uid + "," + BASE;
  }

  private static Entry person(String uid, String userPassword) {
    Entry e = new Entry(dn(uid));
    e.addAttribute("objectClass", "top", "person", "organizationalPerson", "inetOrgPerson");
    e.addAttribute("uid", uid);
    e.addAttribute("cn", uid);
    e.addAttribute("sn", uid);
    e.addAttribute("userPassword", userPassword);
    return e;
  }

  private String storedPassword(LDAPConnection admin, String uid) throws LDAPException {
    return admin.getEntry(dn(uid), "userPassword").getAttributeValue("userPassword");
  }

  private static ResultCode bind(LDAPConnection c, String uid, String password) {
    try {
      return c.bind(dn(uid), password).getResultCode();
    } catch (LDAPException e) {
      return e.getResultCode();
    }
  }

  @Test
  void addShouldStorePbkdf2WhenClientSendsClearPassword() throws Exception {
    try (LDAPConnection admin = connect()) {
      admin.bind(ADMIN, ADMIN_PW);
      admin.add(person("alice", "alice pässword"));
      String stored = storedPassword(admin, "alice");
      assertThat(stored).startsWith("{PBKDF2-SHA512}1000$").doesNotContain("alice");
      assertThat(hasher.verify(stored, "alice pässword")).isTrue();
      assertThat(bind(admin, "alice", "alice pässword")).isEqualTo(ResultCode.SUCCESS);
      assertThat(bind(admin, "alice", "alice password")).isEqualTo(ResultCode.INVALID_CREDENTIALS);

      // ldapmodify replace with a clear value is hashed too.
      admin.bind(ADMIN, ADMIN_PW);
      admin.modify(
          dn("alice"), new Modification(ModificationType.REPLACE, "userPassword", "new one"));
      assertThat(storedPassword(admin, "alice")).startsWith("{PBKDF2-SHA512}");
      assertThat(bind(admin, "alice", "new one")).isEqualTo(ResultCode.SUCCESS);
      assertThat(bind(admin, "alice", "alice pässword")).isEqualTo(ResultCode.INVALID_CREDENTIALS);
    }
  }

  @Test
  void bindShouldVerifyImportedHashesWhenStoredPreHashed() throws Exception {
    String[] imported = {
      PasswordHasher.salted("SSHA", "secret", new byte[] {1, 2, 3, 4}),
      PasswordHasher.salted("SSHA512", "secret", new byte[] {5, 6, 7, 8}),
      "{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=",
      "{CRYPT}abNANd1rDfiNc",
      "{crypt}$2a$04$abcdefghijklmnopqrstuu2r9OfJnfCsdneAXAGHnS4UpFFP8WIrW",
      "{CRYPT}" + org.apache.commons.codec.digest.Sha2Crypt.sha512Crypt(utf8("secret")),
      new PasswordHasher(2_000, 10_000_000).hash("secret"),
    };
    try (LDAPConnection admin = connect()) {
      admin.bind(ADMIN, ADMIN_PW);
      for (int i = 0; i < imported.length; i++) {
        admin.add(person("u" + i, imported[i]));
        assertThat(storedPassword(admin, "u" + i)).isEqualTo(imported[i]); // kept as given
      }
      for (int i = 0; i < imported.length; i++) {
        assertThat(bind(admin, "u" + i, "secret")).as(imported[i]).isEqualTo(ResultCode.SUCCESS);
        assertThat(bind(admin, "u" + i, "Secret"))
            .as(imported[i])
            .isEqualTo(ResultCode.INVALID_CREDENTIALS);
        assertThat(bind(admin, "u" + i, imported[i]))
            .as(imported[i])
            .isEqualTo(ResultCode.INVALID_CREDENTIALS);
      }
    }
  }

  @Test
  void addShouldFailWhenValueHasUnknownSchemeOrIsMalformed() throws Exception {
    try (LDAPConnection admin = connect()) {
      admin.bind(ADMIN, ADMIN_PW);
      for (String bad :
          new String[] {
            "{MD5}Xr4ilOzQ4PCOq3aQ0qbuaQ==", "{SSHA}!!", "{CRYPT}$9$x", "{Crypt}abNANd1rDfiNc", "{x"
          }) {
        assertThatThrownBy(() -> admin.add(person("bad", bad)))
            .as(bad)
            .isInstanceOfSatisfying(
                LDAPException.class,
                // The server reports the encoder's refusal as unwillingToPerform.
                e -> assertThat(e.getResultCode()).isEqualTo(ResultCode.UNWILLING_TO_PERFORM));
      }
    }
  }

  @Test
  void bindShouldNeverFailForRightPasswordWhenManyThreadsBindAtOnce() throws Exception {
    String[] users = {"alice", "bob", "carol", "dave", "erin", "frank"};
    try (LDAPConnection admin = connect()) {
      admin.bind(ADMIN, ADMIN_PW);
      admin.add(person("alice", "alice-pw")); // clear: hashed as PBKDF2 by the encoder
      admin.add(person("bob", PasswordHasher.salted("SSHA512", "bob-pw", utf8("saltsalt"))));
      admin.add(person("carol", PasswordHasher.salted("SSHA", "carol-pw", utf8("pepper"))));
      // libxcrypt through Perl's crypt()
      admin.add(
          person("dave", "{CRYPT}$2b$04$abcdefghijklmnopqrstuuiwAlnaZkFQ4w.jKLc5zppsaheunYMwi"));
      admin.add(
          person(
              "erin",
              "{CRYPT}$6$rounds=1000$pepper$X5ujEuoIZ/tbM//QI/dPDgueKh8TmUdsh.945Lvf00bo5H0G13jnyWG"
                  + "LvUKz8rkNpNmuoU31974SE66/H.rVb/"));
      admin.add(person("frank", "{CRYPT}$1$pepper$oWuhpNZRNiocErH3iNr3K1"));
    }
    int threads = 16;
    int rightPerThread = 125; // 2,000 right binds
    int wrongPerThread = 25; // 400 wrong binds
    AtomicInteger rightFailed = new AtomicInteger();
    AtomicInteger wrongSucceeded = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int seed = t;
        futures.add(
            pool.submit(
                () -> {
                  try (LDAPConnection c = connect()) {
                    for (int i = 0; i < rightPerThread + wrongPerThread; i++) {
                      String user = users[(seed + i) % users.length];
                      boolean wrong = i % 6 == 5;
                      ResultCode rc = bind(c, user, wrong ? user + "-PW" : user + "-pw");
                      if (wrong && rc != ResultCode.INVALID_CREDENTIALS) {
                        wrongSucceeded.incrementAndGet();
                      } else if (!wrong && rc != ResultCode.SUCCESS) {
                        rightFailed.incrementAndGet();
                      }
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get(5, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
    }
    assertThat(rightFailed).hasValue(0);
    assertThat(wrongSucceeded).hasValue(0);
  }

  @Test
  void extractClearPasswordShouldFailWhenAsked() {
    HashingPasswordEncoder e = new HashingPasswordEncoder(hasher);
    assertThat(e.getPrefix()).isEqualTo("{PBKDF2-SHA512}");
    assertThat(e.toString()).contains("primary");
    assertThatThrownBy(
            () ->
                e.extractClearPasswordFromEncodedPassword(
                    new com.unboundid.asn1.ASN1OctetString(hasher.hash("x")), null))
        .isInstanceOf(LDAPException.class);
    assertThat(HashingPasswordEncoder.secondaryEncoders(hasher))
        .extracting(p -> p.getPrefix())
        .startsWith("{pbkdf2-sha512}", "{SSHA}", "{ssha}")
        .endsWith("{");
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
