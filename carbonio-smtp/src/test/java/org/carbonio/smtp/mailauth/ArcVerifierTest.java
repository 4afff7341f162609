package org.carbonio.smtp.mailauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.carbonio.smtp.mailauth.ArcResult.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArcVerifierTest {
  @TempDir static Path dir;

  private static final java.util.Map<Integer, byte[]> CHAINS =
      new java.util.concurrent.ConcurrentHashMap<>();

  static final String TXT = DkimKeys.txtRecord(DkimTest.RSA.getPublic());

  /** The test key at every selector the chains use. */
  static MapDns keys() {
    MapDns dns = new MapDns().txt("sel._domainkey.lists.example.org", TXT);
    for (int i = 2; i <= 5; i++) {
      dns.txt("sel._domainkey.fwd" + i + ".example.net", TXT);
    }
    return dns;
  }

  static String str(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  ArcResult verify(byte[] msg) throws IOException {
    return ArcVerifier.builder(keys()).build().verify(new ByteArrayInputStream(msg));
  }

  byte[] chain(int sets) throws IOException {
    // dkimpy seals only with python3-authres installed (apt-get install python3-authres)
    assumeTrue(PyDkim.hasArc(), "python3-authres is not installed");
    byte[] cached = CHAINS.get(sets);
    if (cached != null) {
      return cached.clone();
    }
    byte[] made = seal(sets);
    CHAINS.put(sets, made);
    return made.clone();
  }

  private static byte[] seal(int sets) throws IOException {
    String key = DkimKeys.toPem(DkimTest.RSA.getPrivate());
    byte[] msg =
        DkimTest.bytes(
            "Authentication-Results: lists.example.org; dkim=pass header.d=example.com\r\n"
                + DkimTest.MESSAGE);
    msg = PyDkim.arcSign(dir, msg, key, "lists.example.org", "lists.example.org");
    for (int i = 2; i <= sets; i++) {
      msg =
          DkimTest.bytes(
              "Authentication-Results: fwd" + i + ".example.net; arc=pass\r\n" + str(msg));
      msg = PyDkim.arcSign(dir, msg, key, "fwd" + i + ".example.net", "fwd" + i + ".example.net");
    }
    return msg;
  }

  @Test
  void verifyShouldGiveNoneWhenNoArcSets() throws IOException {
    assertThat(verify(DkimTest.bytes(DkimTest.MESSAGE)).result()).isEqualTo(Result.NONE);
  }

  @Test
  void verifyShouldPassWhenChainSealedByDkimpy() throws IOException {
    byte[] one = chain(1);
    assertThat(PyDkim.arcVerify(dir, one, TXT)).isEqualTo("pass");
    ArcResult r = verify(one);
    assertThat(r.result()).as(r.reason()).isEqualTo(Result.PASS);
    assertThat(r.instances()).isEqualTo(1);
    assertThat(r.domain()).isEqualTo("lists.example.org");
    byte[] two = chain(2);
    ArcResult r2 = verify(two);
    assertThat(r2.result()).as(r2.reason()).isEqualTo(Result.PASS);
    assertThat(r2.instances()).isEqualTo(2);
  }

  @Test
  void verifyShouldFailWhenBodyTamperedAfterSealing() throws IOException {
    byte[] msg = DkimTest.bytes(str(chain(2)).replace("a test", "a jest"));
    ArcResult r = verify(msg);
    assertThat(r.result()).isEqualTo(Result.FAIL);
    assertThat(r.reason()).contains("ARC-Message-Signature i=2");
  }

  @Test
  void verifyShouldFailWhenSealTampered() throws IOException {
    // change the first instance's AAR: only the seals cover it once AMS 2 is the latest
    byte[] msg =
        DkimTest.bytes(
            str(chain(2))
                .replace("dkim=pass header.d=example.com", "dkim=pass header.d=example.net"));
    ArcResult r = verify(msg);
    assertThat(r.result()).isEqualTo(Result.FAIL);
  }

  @Test
  void verifyShouldFailWhenSetIncomplete() throws IOException {
    String s = str(chain(2));
    String noAar = s.replaceFirst("(?s)ARC-Authentication-Results: i=1;.*?\r\n(?=\\S)", "");
    assertThat(noAar).isNotEqualTo(s);
    assertThat(verify(DkimTest.bytes(noAar)))
        .extracting(ArcResult::result, ArcResult::reason)
        .containsExactly(Result.FAIL, "incomplete ARC sets");
  }

  @Test
  void verifyShouldFailWhenInstanceDuplicated() throws IOException {
    String s = str(chain(2)).replace("i=2;", "i=1;");
    assertThat(verify(DkimTest.bytes(s)).result()).isEqualTo(Result.FAIL);
  }
}
