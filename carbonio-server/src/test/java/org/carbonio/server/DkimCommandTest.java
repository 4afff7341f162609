package org.carbonio.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.carbonio.server.OperatorMtaExtension.ALICE;
import static org.carbonio.server.OperatorMtaExtension.BOB;
import static org.carbonio.server.OperatorMtaExtension.DOMAIN;
import static org.carbonio.server.OperatorMtaExtension.DORA;
import static org.carbonio.server.OperatorMtaExtension.HUGO;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.carbonio.directory.DkimKey;
import org.carbonio.server.OperatorMtaExtension.Outcome;
import org.carbonio.server.internal.AdminApi;
import org.carbonio.smtp.dns.DnsjavaResolver;
import org.carbonio.smtp.mailauth.DkimResult;
import org.carbonio.smtp.mailauth.DkimVerifier;
import org.carbonio.store.Mailbox;
import org.carbonio.store.MessageInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code carbonio prov dkim-*} against a running server: keys generated in the server, their TXT
 * records published in a private DNS server, and mail submitted on port 587 signed with the active
 * key and verified by {@link DkimVerifier} through that DNS server.
 */
class DkimCommandTest {

  @RegisterExtension final OperatorMtaExtension mta = new OperatorMtaExtension();

  private JsonNode json(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("--json"));
    all.addAll(List.of(args));
    return AdminApi.json().readTree(mta.ok("prov", all.toArray(String[]::new)).out());
  }

  /** The TXT value's tags: {@code v=DKIM1; k=rsa; p=...} (RFC 6376 §3.6.1). */
  private static Map<String, String> tags(String txt) {
    Map<String, String> tags = new LinkedHashMap<>();
    for (String tag : txt.split(";")) {
      int eq = tag.indexOf('=');
      tags.put(tag.substring(0, eq).strip(), tag.substring(eq + 1).strip());
    }
    return tags;
  }

  /** Publishes a generated key's record in the test DNS. */
  private void publish(JsonNode key) {
    mta.dns()
        .txt(key.path("record").path("name").asText(), key.path("record").path("value").asText());
  }

  /** Submits a message from alice to bob and returns it as stored in bob's INBOX. */
  private byte[] sendToBob(String subject) throws Exception {
    String bob = mta.server().directory().findAccount(BOB).orElseThrow().id();
    Mailbox box = mta.server().store().mailbox(bob);
    int before = box.snapshot("INBOX").messages().size();
    mta.submit(ALICE, BOB, subject, "Signed, I hope.\n");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> box.snapshot("INBOX").messages().size() > before);
    MessageInfo last = box.snapshot("INBOX").messages().getLast();
    return box.read("INBOX", last.uid());
  }

  private List<DkimResult> verify(byte[] message) throws Exception {
    DkimVerifier verifier =
        DkimVerifier.builder(DnsjavaResolver.of(List.of(mta.dnsAddress()), Duration.ofSeconds(5)))
            .build();
    return verifier.verify(new ByteArrayInputStream(message));
  }

  @Test
  void submittedMailShouldBeSignedWithNewSelectorWhenKeyIsGeneratedAndActivated() throws Exception {
    String n = System.lineSeparator();
    assertThat(mta.ok("prov", "dkim-list", DOMAIN).out())
        .isEqualTo("no DKIM keys for " + DOMAIN + n);
    assertThat(verify(sendToBob("before any key"))).isEmpty();

    // the first key: default (date) selector, activated at once
    Outcome first = mta.ok("prov", "dkim-generate", DOMAIN, "--activate");
    assertThat(first.out())
        .containsPattern(
            "^generated DKIM key s\\d{8} \\(rsa-sha256\\) for example\\.org: active\\R")
        .containsPattern(
            "(?m)^  s\\d{8}\\._domainkey\\.example\\.org\\. IN TXT \"v=DKIM1; k=rsa; p=[^\"]{237}\""
                + " \"[^\"]+\"$")
        .doesNotContain("dkim-activate");
    JsonNode keys = json("dkim-list", DOMAIN).path("keys");
    assertThat(keys).hasSize(1);
    JsonNode old = keys.get(0);
    String oldSelector = old.path("selector").asText();
    assertThat(oldSelector).matches("s\\d{8}");
    assertThat(old.path("state").asText()).isEqualTo("ACTIVE");
    publish(old);

    byte[] signedOld = sendToBob("signed with the first key");
    List<DkimResult> results = verify(signedOld);
    assertThat(results).hasSize(1);
    assertThat(results.get(0).selector()).isEqualTo(oldSelector);
    assertThat(results.get(0).result()).isEqualTo(DkimResult.Result.PASS);

    // rotation: a new key waits published-next, then takes over
    JsonNode next = json("dkim-generate", DOMAIN);
    String selector = next.path("selector").asText();
    assertThat(selector).isEqualTo(oldSelector + "-2"); // same day: unique suffix
    assertThat(next.path("state").asText()).isEqualTo("PUBLISHED_NEXT");
    assertThat(next.path("algorithm").asText()).isEqualTo("rsa-sha256");
    assertThat(next.path("record").path("name").asText())
        .isEqualTo(selector + "._domainkey.example.org");
    assertThat(next.toString()).doesNotContain("PRIVATE").doesNotContainIgnoringCase("private");
    Map<String, String> tags = tags(next.path("record").path("value").asText());
    assertThat(tags).containsEntry("v", "DKIM1").containsEntry("k", "rsa");
    RSAPublicKey publicKey =
        (RSAPublicKey)
            KeyFactory.getInstance("RSA")
                .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(tags.get("p"))));
    assertThat(publicKey.getModulus().bitLength()).isEqualTo(2048);
    assertThat(mta.server().directory().activeDkimKey(DOMAIN).orElseThrow().selector())
        .isEqualTo(oldSelector);
    publish(next);

    assertThat(mta.ok("prov", "dkim-list", DOMAIN).out())
        .containsPattern("(?m)^" + oldSelector + " rsa-sha256 active created \\S+Z$")
        .containsPattern("(?m)^" + selector + " rsa-sha256 published-next created \\S+Z$");

    assertThat(mta.ok("prov", "dkim-activate", DOMAIN, selector).out())
        .isEqualTo(
            "activated DKIM key "
                + selector
                + " of example.org"
                + n
                + "retired: "
                + oldSelector
                + " (keep the records published a few days, then dkim-remove)"
                + n);

    byte[] signedNew = sendToBob("signed with the new key");
    String text = new String(signedNew, StandardCharsets.UTF_8);
    assertThat(text)
        .containsPattern("DKIM-Signature:[^\\n]*(\\r\\n[ \\t][^\\n]*)*\\bs=" + selector);
    results = verify(signedNew);
    assertThat(results).hasSize(1);
    assertThat(results.get(0).domain()).isEqualTo(DOMAIN);
    assertThat(results.get(0).selector()).isEqualTo(selector);
    assertThat(results.get(0).result()).isEqualTo(DkimResult.Result.PASS);

    // a tampered copy fails: the chain checks the body, not just the presence of a signature
    byte[] tampered =
        text.replace("Signed, I hope.", "Signed, I hope!").getBytes(StandardCharsets.UTF_8);
    assertThat(verify(tampered).get(0).result()).isEqualTo(DkimResult.Result.FAIL);

    // the retired key still verifies mail in transit while its record stays published
    assertThat(verify(signedOld).get(0).result()).isEqualTo(DkimResult.Result.PASS);
    assertThat(mta.ok("prov", "dkim-remove", DOMAIN, oldSelector).out())
        .isEqualTo("removed DKIM key " + oldSelector + " of example.org" + n);
    assertThat(json("dkim-list", DOMAIN).path("keys").findValuesAsText("selector"))
        .containsExactly(selector);
  }

  @Test
  void ed25519KeyShouldSignAndVerifyWhenGeneratedWithAlgorithmOption() throws Exception {
    JsonNode key =
        json("dkim-generate", DOMAIN, "--algorithm", "ed25519", "--selector", "ed1", "--activate");
    assertThat(key.path("selector").asText()).isEqualTo("ed1");
    assertThat(key.path("algorithm").asText()).isEqualTo("ed25519-sha256");
    Map<String, String> tags = tags(key.path("record").path("value").asText());
    assertThat(tags).containsEntry("v", "DKIM1").containsEntry("k", "ed25519");
    assertThat(Base64.getDecoder().decode(tags.get("p"))).hasSize(32); // RFC 8463 §4.2
    publish(key);
    List<DkimResult> results = verify(sendToBob("ed25519"));
    assertThat(results).hasSize(1);
    assertThat(results.get(0).selector()).isEqualTo("ed1");
    assertThat(results.get(0).result()).isEqualTo(DkimResult.Result.PASS);
  }

  @Test
  void dkimCommandsShouldRefuseWhenInputOrRightsAreWrong() throws Exception {
    mta.ok("prov", "dkim-generate", DOMAIN, "--selector", "one", "--activate");

    Outcome secondActive = mta.run("prov", "dkim-generate", DOMAIN, "--activate");
    assertThat(secondActive.exitCode()).isEqualTo(1);
    assertThat(secondActive.err()).contains("already signs with one");
    Outcome taken = mta.run("prov", "dkim-generate", DOMAIN, "--selector", "one");
    assertThat(taken.exitCode()).isEqualTo(1);
    Outcome algorithm = mta.run("prov", "dkim-generate", DOMAIN, "--algorithm", "dsa");
    assertThat(algorithm.exitCode()).isEqualTo(1);
    assertThat(algorithm.err()).contains("unknown algorithm: dsa");
    Outcome selector = mta.run("prov", "dkim-generate", DOMAIN, "--selector", "bad_selector");
    assertThat(selector.exitCode()).isEqualTo(1);
    assertThat(selector.err()).contains("selector");
    Outcome unknown = mta.run("prov", "dkim-list", "nowhere.example");
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.err()).contains("no such domain: nowhere.example");
    assertThat(mta.run("prov", "dkim-generate", "nowhere.example").exitCode()).isEqualTo(1);
    assertThat(mta.run("prov", "dkim-activate", DOMAIN, "missing").exitCode()).isEqualTo(1);
    assertThat(mta.run("prov", "dkim-remove", DOMAIN, "missing").exitCode()).isEqualTo(1);
    assertThat(mta.server().directory().dkimKeys(DOMAIN)).hasSize(1);

    // a domain admin manages its own domain's keys only; a help desk none
    String file = mta.passwordFile().toString();
    String[] asDora = {"--admin", DORA, "--admin-password-file", file};
    JsonNode doras =
        AdminApi.json()
            .readTree(
                mta.ok(
                        "prov",
                        concat(asDora, "--json", "dkim-generate", DOMAIN, "--selector", "two"))
                    .out());
    assertThat(doras.path("state").asText()).isEqualTo("PUBLISHED_NEXT");
    mta.ok("prov", concat(asDora, "dkim-activate", DOMAIN, "two"));
    assertThat(mta.server().directory().activeDkimKey(DOMAIN).map(DkimKey::selector))
        .contains("two");
    assertThat(mta.run("prov", concat(asDora, "dkim-list", "other.org")).exitCode()).isEqualTo(5);
    assertThat(mta.run("prov", concat(asDora, "dkim-generate", "other.org")).exitCode())
        .isEqualTo(5);
    String[] asHugo = {"--admin", HUGO, "--admin-password-file", file};
    for (String[] command :
        new String[][] {
          {"dkim-list", DOMAIN},
          {"dkim-generate", DOMAIN},
          {"dkim-activate", DOMAIN, "one"},
          {"dkim-remove", DOMAIN, "one"}
        }) {
      Outcome o = mta.run("prov", concat(asHugo, command));
      assertThat(o.exitCode()).as(command[0]).isEqualTo(5);
    }
    assertThat(mta.server().directory().dkimKeys("other.org")).isEmpty();
    assertThat(mta.server().directory().dkimKeys(DOMAIN)).hasSize(2);

    Outcome removeActive = mta.ok("prov", "dkim-remove", DOMAIN, "two");
    assertThat(removeActive.out()).contains("warning: it was the active key");
    assertThat(mta.server().directory().activeDkimKey(DOMAIN)).isEmpty();
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = new String[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
