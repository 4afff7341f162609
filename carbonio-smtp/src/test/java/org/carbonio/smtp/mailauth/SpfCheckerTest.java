package org.carbonio.smtp.mailauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.stream.Stream;
import org.carbonio.smtp.internal.mailauth.SpfMacro;
import org.carbonio.smtp.internal.mailauth.SpfSyntaxException;
import org.carbonio.smtp.mailauth.SpfResult.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.quicktheories.generators.SourceDSL;

/**
 * Cases after the RFC 7208 test suite (open-spf rfc7208-tests.yml), encoded as zone + query →
 * expected result. Zone lines: "TXT name value", "A name ip...", "MX name pref host", "PTR ip
 * name", "FAIL name".
 */
class SpfCheckerTest {

  static MapDns zone(String... lines) {
    MapDns dns = new MapDns();
    for (String line : lines) {
      String[] p = line.split(" ", 3);
      switch (p[0]) {
        case "TXT" -> dns.txt(p[1], p[2]);
        case "A" -> dns.a(p[1], p[2].split(" "));
        case "MX" -> {
          String[] q = p[2].split(" ");
          dns.mx(p[1], Integer.parseInt(q[0]), q[1]);
        }
        case "PTR" -> dns.ptr(p[1], p[2]);
        case "FAIL" -> dns.fail(p[1]);
        default -> throw new IllegalArgumentException(line);
      }
    }
    return dns;
  }

  static SpfResult check(MapDns dns, String ip, String mailFrom, String helo) {
    try {
      return SpfChecker.builder(dns)
          .receivingHost("mx.example.org")
          .build()
          .check(InetAddress.getByName(ip), mailFrom, helo);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(ip, e);
    }
  }

  static Arguments c(String name, String ip, String from, Result expected, String... zone) {
    return Arguments.of(name, ip, from, expected, zone);
  }

  static Stream<Arguments> suite() {
    String many = "v=spf1 a a a a a a a a a a a -all";
    return Stream.of(
        // initial processing (§4.3)
        c(
            "toolonglabel",
            "1.2.3.5",
            "x@A123456789012345678901234567890123456789012345678901234567890123.example.com",
            Result.NONE),
        c("emptylabel", "1.2.3.5", "x@A.B..example.com", Result.NONE),
        c("domain-literal", "1.2.3.5", "x@[1.2.3.5]", Result.NONE),
        c("no-record", "1.2.3.5", "x@example.com", Result.NONE, "TXT example.com hello"),
        c("not-spf1", "1.2.3.5", "x@example.com", Result.NONE, "TXT example.com v=spf10"),
        // record lookup (§4.4, §4.5)
        c(
            "two-records",
            "1.2.3.5",
            "x@example.com",
            Result.PERMERROR,
            "TXT example.com v=spf1 +all",
            "TXT example.com v=spf1 -all"),
        c("txt-servfail", "1.2.3.5", "x@example.com", Result.TEMPERROR, "FAIL example.com"),
        c(
            "case-insensitive-version",
            "1.2.3.5",
            "x@example.com",
            Result.PASS,
            "TXT example.com V=SPF1 +all"),
        // record evaluation (§4.6, §6)
        c(
            "unknown-mechanism",
            "1.2.3.5",
            "x@example.com",
            Result.PERMERROR,
            "TXT example.com v=spf1 bogus:foo -all"),
        c(
            "unknown-modifier-ignored",
            "1.2.3.4",
            "x@example.com",
            Result.PASS,
            "TXT example.com v=spf1 moo.cow-far_out=man:dog/cat ip4:1.2.3.4 -all"),
        c(
            "empty-modifier-name",
            "1.2.3.4",
            "x@example.com",
            Result.PERMERROR,
            "TXT example.com v=spf1 =all"),
        c(
            "redirect-twice",
            "1.2.3.4",
            "x@example.com",
            Result.PERMERROR,
            "TXT example.com v=spf1 redirect=a.example.com redirect=b.example.com"),
        c(
            "redirect-to-none",
            "1.2.3.4",
            "x@example.com",
            Result.PERMERROR,
            "TXT example.com v=spf1 redirect=none.example.com",
            "TXT none.example.com hi"),
        c(
            "redirect-pass",
            "1.2.3.4",
            "x@example.com",
            Result.PASS,
            "TXT example.com v=spf1 redirect=b.example.com",
            "TXT b.example.com v=spf1 ip4:1.2.3.4 -all"),
        c(
            "redirect-ignored-after-all",
            "1.2.3.4",
            "x@example.com",
            Result.FAIL,
            "TXT example.com v=spf1 -all redirect=b.example.com",
            "TXT b.example.com v=spf1 +all"),
        c(
            "default-neutral",
            "1.2.3.4",
            "x@example.com",
            Result.NEUTRAL,
            "TXT example.com v=spf1 ip4:9.9.9.9"),
        // all (§5.1)
        c("all-fail", "1.2.3.4", "x@example.com", Result.FAIL, "TXT example.com v=spf1 -all"),
        c(
            "all-softfail",
            "1.2.3.4",
            "x@example.com",
            Result.SOFTFAIL,
            "TXT example.com v=spf1 ~all"),
        c("all-neutral", "1.2.3.4", "x@example.com", Result.NEUTRAL, "TXT example.com v=spf1 ?all"),
        c(
            "all-arg",
            "1.2.3.4",
            "x@example.com",
            Result.PERMERROR,
            "TXT example.com v=spf1 -all:foo"),
        // ip4 / ip6 (§5.6)
        c(
            "ip4-cidr",
            "1.2.3.200",
            "x@example.com",
            Result.PASS,
            "TXT example.com v=spf1 ip4:1.2.3.0/24 -all"),
        c(
            "ip4-outside",
            "1.2.4.1",
            "x@example.com",
            Result.FAIL,
            "TXT example.com v=spf1 ip4:1.2.3.0/24 -all"),
        c(
            "ip4-cidr-33",
            "1.2.3.4",
            "x@example.com",
            Result.PERMERROR,
            "TXT example.com v=spf1 ip4:1.2.3.4/33 -all"),
        c(
            "ip4-cidr-leading-zero",
            "1.2.3.4",
            "x@example.com",
            Result.PERMERROR,
            "TXT example.com v=spf1 ip4:1.2.3.4/032 -all"),
        c(
            "ip4-short",
            "1.2.3.4",
            "x@example.com",
            Result.PERMERROR,
            "TXT example.com v=spf1 ip4:1.2.3 -all"),
        c(
            "ip4-cidr-0",
            "9.9.9.9",
            "x@example.com",
            Result.PASS,
            "TXT example.com v=spf1 ip4:1.2.3.4/0 -all"),
        c(
            "ip4-v6-client",
            "2001:db8::1",
            "x@example.com",
            Result.FAIL,
            "TXT example.com v=spf1 ip4:0.0.0.0/0 -all"),
        c(
            "ip6-cidr",
            "2001:db8::cb01",
            "x@example.com",
            Result.PASS,
            "TXT example.com v=spf1 ip6:2001:db8::/32 -all"),
        c(
            "ip6-cidr-129",
            "2001:db8::1",
            "x@example.com",
            Result.PERMERROR,
            "TXT example.com v=spf1 ip6:2001:db8::/129 -all"),
        c(
            "ip6-v4-client",
            "1.2.3.4",
            "x@example.com",
            Result.FAIL,
            "TXT example.com v=spf1 ip6:::/0 -all"),
        // a (§5.3)
        c(
            "a-pass",
            "1.2.3.4",
            "x@example.com",
            Result.PASS,
            "TXT example.com v=spf1 a -all",
            "A example.com 1.2.3.4"),
        c(
            "a-cidr",
            "1.2.3.99",
            "x@example.com",
            Result.PASS,
            "TXT example.com v=spf1 a/24 -all",
            "A example.com 1.2.3.4"),
        c(
            "a-dual-cidr-v6",
            "2001:db8::99",
            "x@example.com",
            Result.PASS,
            "TXT example.com v=spf1 a/24//64 -all",
            "A example.com 2001:db8::1"),
        c(
            "a-only-v6-record",
            "1.2.3.4",
            "x@example.com",
            Result.FAIL,
            "TXT example.com v=spf1 a:v6.example.com -all",
            "A v6.example.com 2001:db8::1"),
        c(
            "a-numeric-toplabel",
            "1.2.3.4",
            "x@example.com",
            Result.PERMERROR,
            "TXT example.com v=spf1 a:111.222.33.44 -all"),
        c(
            "a-dash-toplabel",
            "1.2.3.4",
            "x@example.com",
            Result.PERMERROR,
            "TXT example.com v=spf1 a:foo.example.- -all"),
        c(
            "a-colon-domain",
            "1.2.3.4",
            "x@example.com",
            Result.PASS,
            "TXT example.com v=spf1 a:foo:bar/baz.example.com -all",
            "A foo:bar/baz.example.com 1.2.3.4"),
        c(
            "a-servfail",
            "1.2.3.4",
            "x@example.com",
            Result.TEMPERROR,
            "TXT example.com v=spf1 a:down.example.com -all",
            "FAIL down.example.com"),
        c(
            "a-cidr6-0",
            "1.2.3.4",
            "x@example.com",
            Result.FAIL,
            "TXT example.com v=spf1 a//0 -all",
            "A example.com 1.2.3.5"),
        // mx (§5.4)
        c(
            "mx-pass",
            "1.2.3.4",
            "x@example.com",
            Result.PASS,
            "TXT example.com v=spf1 mx -all",
            "MX example.com 10 mail.example.com",
            "A mail.example.com 1.2.3.4"),
        c(
            "mx-no-match",
            "1.2.3.5",
            "x@example.com",
            Result.FAIL,
            "TXT example.com v=spf1 mx -all",
            "MX example.com 10 mail.example.com",
            "A mail.example.com 1.2.3.4"),
        c(
            "mx-cidr-33",
            "1.2.3.4",
            "x@example.com",
            Result.PERMERROR,
            "TXT example.com v=spf1 mx:example.com/33 -all"),
        c(
            "mx-servfail",
            "1.2.3.4",
            "x@example.com",
            Result.TEMPERROR,
            "TXT example.com v=spf1 mx:down.example.com -all",
            "FAIL down.example.com"),
        c(
            "mx-more-than-10",
            "1.2.3.4",
            "x@example.com",
            Result.PERMERROR,
            "TXT example.com v=spf1 mx:many.example.com -all",
            "MX many.example.com 1 m1.example.com",
            "MX many.example.com 2 m2.example.com",
            "MX many.example.com 3 m3.example.com",
            "MX many.example.com 4 m4.example.com",
            "MX many.example.com 5 m5.example.com",
            "MX many.example.com 6 m6.example.com",
            "MX many.example.com 7 m7.example.com",
            "MX many.example.com 8 m8.example.com",
            "MX many.example.com 9 m9.example.com",
            "MX many.example.com 10 m10.example.com",
            "MX many.example.com 11 m11.example.com"),
        // include (§5.2)
        c(
            "include-pass",
            "1.2.3.4",
            "x@example.com",
            Result.PASS,
            "TXT example.com v=spf1 include:i.example.com -all",
            "TXT i.example.com v=spf1 ip4:1.2.3.4 -all"),
        c(
            "include-fail-no-match",
            "1.2.3.4",
            "x@example.com",
            Result.SOFTFAIL,
            "TXT example.com v=spf1 include:i.example.com ~all",
            "TXT i.example.com v=spf1 -all"),
        c(
            "include-none",
            "1.2.3.4",
            "x@example.com",
            Result.PERMERROR,
            "TXT example.com v=spf1 include:i.example.com -all",
            "TXT i.example.com nothing"),
        c(
            "include-temperror",
            "1.2.3.4",
            "x@example.com",
            Result.TEMPERROR,
            "TXT example.com v=spf1 include:i.example.com -all",
            "FAIL i.example.com"),
        c(
            "include-syntax-error",
            "1.2.3.4",
            "x@example.com",
            Result.PERMERROR,
            "TXT example.com v=spf1 include:i.example.com -all",
            "TXT i.example.com v=spf1 ip4:300.1.1.1 -all"),
        c(
            "include-empty",
            "1.2.3.4",
            "x@example.com",
            Result.PERMERROR,
            "TXT example.com v=spf1 include: -all"),
        // ptr (§5.5)
        c(
            "ptr-pass",
            "1.2.3.4",
            "x@example.com",
            Result.PASS,
            "TXT example.com v=spf1 ptr -all",
            "PTR 1.2.3.4 mail.example.com",
            "A mail.example.com 1.2.3.4"),
        c(
            "ptr-not-validated",
            "1.2.3.4",
            "x@example.com",
            Result.FAIL,
            "TXT example.com v=spf1 ptr -all",
            "PTR 1.2.3.4 mail.example.com",
            "A mail.example.com 1.2.3.9"),
        c(
            "ptr-other-domain",
            "1.2.3.4",
            "x@example.com",
            Result.FAIL,
            "TXT example.com v=spf1 ptr -all",
            "PTR 1.2.3.4 mail.example.net",
            "A mail.example.net 1.2.3.4"),
        // exists (§5.7) and macros (§7)
        c(
            "exists-pass",
            "1.2.3.4",
            "x@example.com",
            Result.PASS,
            "TXT example.com v=spf1 exists:%{i}.spf.example.com -all",
            "A 1.2.3.4.spf.example.com 127.0.0.2"),
        c(
            "exists-fail",
            "1.2.3.5",
            "x@example.com",
            Result.FAIL,
            "TXT example.com v=spf1 exists:%{i}.spf.example.com -all",
            "A 1.2.3.4.spf.example.com 127.0.0.2"),
        c(
            "macro-local-part",
            "1.2.3.5",
            "philip-gladstone-test@example.com",
            Result.PASS,
            "TXT example.com v=spf1 exists:%{l1r-}.u.example.com -all",
            "A philip.u.example.com 127.0.0.2"),
        c(
            "macro-bad-letter",
            "1.2.3.5",
            "x@example.com",
            Result.PERMERROR,
            "TXT example.com v=spf1 exists:%{x}.example.com -all"),
        c(
            "macro-explain-letter-outside-exp",
            "1.2.3.5",
            "x@example.com",
            Result.PERMERROR,
            "TXT example.com v=spf1 exists:%{c}.example.com -all"),
        c(
            "macro-percent-at-end",
            "1.2.3.5",
            "x@example.com",
            Result.PERMERROR,
            "TXT example.com v=spf1 a:foo.example.com%"),
        // limits (§4.6.4)
        c(
            "lookups-10-ok",
            "1.2.3.9",
            "x@example.com",
            Result.FAIL,
            "TXT example.com v=spf1 a a a a a a a a a a -all",
            "A example.com 1.2.3.4"),
        c(
            "lookups-11",
            "1.2.3.9",
            "x@example.com",
            Result.PERMERROR,
            "TXT example.com " + many,
            "A example.com 1.2.3.4"),
        c(
            "include-loop",
            "1.2.3.9",
            "x@example.com",
            Result.PERMERROR,
            "TXT example.com v=spf1 include:example.com -all"),
        c(
            "void-2-ok",
            "1.2.3.9",
            "x@example.com",
            Result.FAIL,
            "TXT example.com v=spf1 a:n1.example.com a:n2.example.com -all"),
        c(
            "void-3",
            "1.2.3.9",
            "x@example.com",
            Result.PERMERROR,
            "TXT example.com v=spf1 a:n1.example.com a:n2.example.com exists:n3.example.com -all"),
        // HELO identity (§2.3, §2.4)
        c(
            "helo-when-null-sender",
            "1.2.3.4",
            "",
            Result.PASS,
            "TXT mail.example.com v=spf1 a -all",
            "A mail.example.com 1.2.3.4"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("suite")
  void checkShouldGiveSuiteResultWhenZoneAsListed(
      String name, String ip, String from, Result expected, String[] zone) {
    SpfResult r = check(zone(zone), ip, from, "mail.example.com");
    assertThat(r.result()).as(name + " " + r.explanation()).isEqualTo(expected);
  }

  @Test
  void checkShouldUseHeloIdentityWhenMailFromIsNull() {
    SpfResult r =
        check(zone("TXT mail.example.com v=spf1 -all"), "1.2.3.4", null, "mail.example.com");
    assertThat(r)
        .isEqualTo(new SpfResult(Result.FAIL, "mail.example.com", null, SpfResult.Identity.HELO));
    assertThat(check(zone(), "1.2.3.4", null, "A2345678").result()).isEqualTo(Result.NONE);
  }

  @Test
  void checkShouldExpandExplanationWhenFail() {
    MapDns dns =
        zone(
            "TXT example.com v=spf1 -all exp=exp.example.com",
            "TXT exp.example.com %{s} is not one of %{d}'s designated mail servers (%{c} via %{r}).");
    SpfResult r = check(dns, "192.0.2.3", "strong-bad@example.com", "h");
    assertThat(r.result()).isEqualTo(Result.FAIL);
    assertThat(r.explanation())
        .isEqualTo(
            "strong-bad@example.com is not one of example.com's designated mail servers (192.0.2.3 via mx.example.org).");
  }

  @Test
  void checkShouldUsePostmasterWhenNoLocalPart() {
    MapDns dns =
        zone("TXT example.net v=spf1 -all exp=exp.example.net", "TXT exp.example.net %{l}");
    SpfResult r = check(dns, "1.2.3.4", "@example.net", "h");
    assertThat(r.explanation()).isEqualTo("postmaster");
  }

  @Test
  void checkShouldIgnoreExplanationWhenExpBroken() {
    MapDns dns = zone("TXT example.com v=spf1 -all exp=exp.example.com", "TXT exp.example.com %{x");
    assertThat(check(dns, "1.2.3.4", "a@example.com", "h"))
        .extracting(SpfResult::result, SpfResult::explanation)
        .containsExactly(Result.FAIL, null);
  }

  @Test
  void expandShouldMatchRfcExamplesWhenSenderIsStrongBad() throws Exception {
    // RFC 7208 §7.4
    InetAddress v4 = InetAddress.getByName("192.0.2.3");
    InetAddress v6 = InetAddress.getByName("2001:db8::cb01");
    String[][] cases = {
      {"%{s}", "strong-bad@email.example.com"},
      {"%{o}", "email.example.com"},
      {"%{d}", "email.example.com"},
      {"%{d4}", "email.example.com"},
      {"%{d3}", "email.example.com"},
      {"%{d2}", "example.com"},
      {"%{d1}", "com"},
      {"%{dr}", "com.example.email"},
      {"%{d2r}", "example.email"},
      {"%{l}", "strong-bad"},
      {"%{l-}", "strong.bad"},
      {"%{lr}", "strong-bad"},
      {"%{lr-}", "bad.strong"},
      {"%{l1r-}", "strong"},
      {"%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"},
      {"%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"},
      {"%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"},
      {"%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"},
      {"%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"},
      {"%%%_%-", "% %20"},
      {"%{L}", "strong-bad"},
    };
    for (String[] c : cases) {
      assertThat(SpfMacro.expand(c[0], false, ctx(v4))).as(c[0]).isEqualTo(c[1]);
    }
    assertThat(SpfMacro.expand("%{ir}.%{v}._spf.%{d2}", false, ctx(v6)))
        .isEqualTo(
            "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com");
    assertThatThrownBy(() -> SpfMacro.expand("%{l0}", false, ctx(v4)))
        .isInstanceOf(SpfSyntaxException.class);
    assertThat(SpfMacro.expand("%{S}", false, l -> "a b@c")).isEqualTo("a%20b%40c");
  }

  private static SpfMacro.Context ctx(InetAddress ip) {
    return letter ->
        switch (letter) {
          case 's' -> "strong-bad@email.example.com";
          case 'l' -> "strong-bad";
          case 'o', 'd' -> "email.example.com";
          case 'i' -> SpfMacro.ipForMacro(ip);
          case 'v' -> ip.getAddress().length == 4 ? "in-addr" : "ip6";
          default -> "";
        };
  }

  private static final List<String> MACRO_BITS =
      List.of(
          "%",
          "{", "}", "%{", "%%", "%_", "%-", "l", "d", "i", "r", "1", "0", "99", ".", "-", "+", ",",
          "/", "_", "=", "x", " ", "\u00e9", "\t", "S", "c", "t", "ir", "%{d2r}");

  private static Gen<String> macroish() {
    return SourceDSL.lists()
        .of(Generate.pick(MACRO_BITS))
        .ofSizeBetween(0, 12)
        .map(l -> String.join("", l));
  }

  @Test
  void expandShouldNeverThrowUnexpectedlyWhenInputIsArbitrary() {
    qt().forAll(macroish(), SourceDSL.booleans().all())
        .checkAssert(
            (s, explain) -> {
              try {
                String out = SpfMacro.expand(s, explain, l -> "a.b-c.d");
                assertThat(out).isNotNull();
              } catch (SpfSyntaxException e) {
                assertThat(e.getMessage()).isNotBlank();
              }
            });
    qt().forAll(SourceDSL.strings().allPossible().ofLengthBetween(0, 30))
        .checkAssert(
            s -> {
              try {
                SpfMacro.expand(s, true, l -> "x");
              } catch (SpfSyntaxException e) {
                assertThat(e).hasMessageContaining("");
              }
            });
  }

  private static final List<String> TERMS =
      List.of(
          "a",
          "mx",
          "ptr",
          "-all",
          "~all",
          "?all",
          "+all",
          "include:i.example.com",
          "exists:%{i}.e.example.com",
          "ip4:1.2.3.0/24",
          "ip6:2001:db8::/32",
          "a:n.example.com",
          "redirect=r.example.com",
          "exp=x.example.com",
          "a/33",
          "mx//64",
          "%{",
          "foo=bar",
          "bogus:x");

  @Test
  void checkShouldBeDeterministicAndNeverThrowWhenRecordIsArbitrary() {
    Gen<String> record =
        SourceDSL.lists()
            .of(Generate.pick(TERMS))
            .ofSizeBetween(0, 8)
            .map(l -> "v=spf1 " + String.join(" ", l));
    qt().forAll(record, Generate.pick(List.of("1.2.3.4", "1.2.3.9", "2001:db8::1")))
        .checkAssert(
            (rec, ip) -> {
              MapDns dns =
                  zone(
                      "TXT example.com " + rec,
                      "A example.com 1.2.3.4",
                      "MX example.com 5 example.com",
                      "TXT i.example.com v=spf1 " + rec.substring(7),
                      "TXT r.example.com v=spf1 ip6:2001:db8::/32 ~all",
                      "TXT x.example.com no %{i}",
                      "PTR 1.2.3.4 example.com",
                      "A 1.2.3.4.e.example.com 127.0.0.2");
              SpfResult first = check(dns, ip, "u@example.com", "h.example.com");
              SpfResult second = check(dns, ip, "u@example.com", "h.example.com");
              assertThat(second).isEqualTo(first);
            });
  }
}
