package org.carbonio.smtp.mailauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;

import java.util.List;
import org.carbonio.smtp.mailauth.DmarcResult.Result;
import org.junit.jupiter.api.Test;
import org.quicktheories.generators.SourceDSL;

class DmarcEvaluatorTest {
  static final SpfResult SPF_NONE =
      new SpfResult(SpfResult.Result.NONE, "", null, SpfResult.Identity.MAILFROM);

  static SpfResult spfPass(String domain) {
    return new SpfResult(SpfResult.Result.PASS, domain, null, SpfResult.Identity.MAILFROM);
  }

  static DkimResult dkim(DkimResult.Result r, String d) {
    return new DkimResult(r, d, "sel", "abcdefghijk", null);
  }

  static DmarcEvaluator evaluator(MapDns dns) {
    return DmarcEvaluator.builder(dns).build();
  }

  final MapDns dns =
      new MapDns()
          .txt("_dmarc.example.com", "v=DMARC1; p=reject; sp=quarantine; adkim=r; aspf=r")
          .txt("_dmarc.strict.example", "v=DMARC1; p=reject; adkim=s; aspf=s")
          .txt("_dmarc.half.example", "v=DMARC1; p=reject; pct=50")
          .txt("_dmarc.two.example", "v=DMARC1; p=reject", "v=DMARC1; p=none")
          .txt("_dmarc.nop.example", "v=DMARC1; adkim=r")
          .txt("_dmarc.rua.example", "v=DMARC1; rua=mailto:d@rua.example")
          .fail("_dmarc.down.example");

  @Test
  void evaluateShouldPassWhenDkimAlignedRelaxed() {
    DmarcResult r =
        evaluator(dns)
            .evaluate(
                "Alice <alice@mail.example.com>",
                SPF_NONE,
                List.of(dkim(DkimResult.Result.PASS, "example.com")));
    assertThat(r.result()).isEqualTo(Result.PASS);
    assertThat(r.dkimAligned()).isTrue();
    assertThat(r.disposition()).isEqualTo(Disposition.NONE);
    assertThat(r.domain()).isEqualTo("mail.example.com");
  }

  @Test
  void evaluateShouldPassWhenSpfAligned() {
    DmarcResult r =
        evaluator(dns).evaluate("a@example.com", spfPass("bounce.example.com"), List.of());
    assertThat(r.result()).isEqualTo(Result.PASS);
    assertThat(r.spfAligned()).isTrue();
  }

  @Test
  void evaluateShouldRejectWhenNothingAligned() {
    DmarcResult r =
        evaluator(dns)
            .evaluate(
                "a@example.com",
                spfPass("other.example"),
                List.of(
                    dkim(DkimResult.Result.PASS, "other.example"),
                    dkim(DkimResult.Result.FAIL, "example.com")));
    assertThat(r.result()).isEqualTo(Result.FAIL);
    assertThat(r.policy()).isEqualTo(Disposition.REJECT);
    assertThat(r.disposition()).isEqualTo(Disposition.REJECT);
  }

  @Test
  void evaluateShouldApplySubdomainPolicyWhenRecordFoundAtOrgDomain() {
    DmarcResult r = evaluator(dns).evaluate("a@sub.example.com", SPF_NONE, List.of());
    assertThat(r.result()).isEqualTo(Result.FAIL);
    assertThat(r.disposition()).isEqualTo(Disposition.QUARANTINE);
  }

  @Test
  void evaluateShouldFailWhenStrictAndOnlySubdomainAligned() {
    DmarcResult r =
        evaluator(dns)
            .evaluate(
                "a@strict.example",
                spfPass("mail.strict.example"),
                List.of(dkim(DkimResult.Result.PASS, "mail.strict.example")));
    assertThat(r.result()).isEqualTo(Result.FAIL);
    DmarcResult ok =
        evaluator(dns).evaluate("a@strict.example", spfPass("strict.example"), List.of());
    assertThat(ok.result()).isEqualTo(Result.PASS);
  }

  @Test
  void evaluateShouldUsePublicSuffixListWhenFindingOrgDomain() {
    assertThat(DmarcEvaluator.organizationalDomain("a.b.example.co.uk")).isEqualTo("example.co.uk");
    assertThat(DmarcEvaluator.organizationalDomain("mail.example.com")).isEqualTo("example.com");
    assertThat(DmarcEvaluator.organizationalDomain("x.y.example.test")).isEqualTo("example.test");
    assertThat(DmarcEvaluator.organizationalDomain("co.uk")).isEqualTo("co.uk");
    // example.co.uk and other.co.uk are different organizations
    MapDns d = new MapDns().txt("_dmarc.example.co.uk", "v=DMARC1; p=reject");
    DmarcResult r = evaluator(d).evaluate("a@example.co.uk", spfPass("other.co.uk"), List.of());
    assertThat(r.result()).isEqualTo(Result.FAIL);
  }

  @Test
  void evaluateShouldDowngradeWhenNotSampledByPct() {
    DmarcEvaluator never = DmarcEvaluator.builder(dns).random(() -> Long.MAX_VALUE).build();
    int quarantined = 0;
    int rejected = 0;
    DmarcEvaluator real = evaluator(dns);
    for (int i = 0; i < 400; i++) {
      Disposition d = real.evaluate("a@half.example", SPF_NONE, List.of()).disposition();
      if (d == Disposition.QUARANTINE) {
        quarantined++;
      } else if (d == Disposition.REJECT) {
        rejected++;
      }
    }
    assertThat(quarantined + rejected).isEqualTo(400);
    assertThat(quarantined).isBetween(100, 300);
    assertThat(never.evaluate("a@example.com", SPF_NONE, List.of()).disposition())
        .isEqualTo(Disposition.REJECT);
  }

  @Test
  void evaluateShouldGiveNoneWhenNoRecordOrSeveralRecords() {
    assertThat(evaluator(dns).evaluate("a@norecord.example", SPF_NONE, List.of()).result())
        .isEqualTo(Result.NONE);
    assertThat(evaluator(dns).evaluate("a@two.example", SPF_NONE, List.of()).result())
        .isEqualTo(Result.NONE);
  }

  @Test
  void evaluateShouldGiveErrorsWhenRecordBrokenOrDnsDown() {
    assertThat(evaluator(dns).evaluate("a@nop.example", SPF_NONE, List.of()).result())
        .isEqualTo(Result.PERMERROR);
    DmarcResult rua = evaluator(dns).evaluate("a@rua.example", SPF_NONE, List.of());
    assertThat(rua.result()).isEqualTo(Result.FAIL);
    assertThat(rua.disposition()).isEqualTo(Disposition.NONE);
    assertThat(evaluator(dns).evaluate("a@down.example", SPF_NONE, List.of()).result())
        .isEqualTo(Result.TEMPERROR);
  }

  @Test
  void evaluateShouldRejectWhenFromMissingOrInSeveralDomains() {
    DmarcResult none = evaluator(dns).evaluate(null, SPF_NONE, List.of());
    assertThat(none.result()).isEqualTo(Result.PERMERROR);
    assertThat(none.disposition()).isEqualTo(Disposition.REJECT);
    DmarcResult two = evaluator(dns).evaluate("a@example.com, b@example.org", SPF_NONE, List.of());
    assertThat(two.result()).isEqualTo(Result.PERMERROR);
    assertThat(two.disposition()).isEqualTo(Disposition.REJECT);
    DmarcResult same =
        evaluator(dns)
            .evaluate("\"X, Y\" <a@example.com>, b@Example.COM", spfPass("example.com"), List.of());
    assertThat(same.result()).isEqualTo(Result.PASS);
  }

  @Test
  void evaluateShouldNeverThrowWhenFromIsArbitrary() {
    DmarcEvaluator e = evaluator(dns);
    qt().forAll(SourceDSL.strings().allPossible().ofLengthBetween(0, 40))
        .checkAssert(s -> assertThat(e.evaluate(s, SPF_NONE, List.of())).isNotNull());
  }
}
