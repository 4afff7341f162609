package org.carbonio.smtp.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.Generate.booleans;
import static org.quicktheories.generators.Generate.enumValues;
import static org.quicktheories.generators.Generate.pick;
import static org.quicktheories.generators.SourceDSL.lists;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.carbonio.smtp.MessageContent;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

class ContentFilterTest {

  private static final MessageContent MESSAGE = Messages.of("Subject: hi\r\n\r\nhello\r\n");
  private static final VirusScanner CLEAN = c -> new VirusScanResult.Clean();
  private static final VirusScanner EICAR =
      c -> new VirusScanResult.Infected(List.of("Eicar-Test-Signature.UNOFFICIAL"));
  private static final VirusScanner CLAMD_DOWN =
      c -> {
        throw new ConnectException("Connection refused");
      };
  private static final SpamScanner HAM =
      c -> new SpamScanResult.Scored(false, 0.4, 5.0, List.of("NO_RELAYS"));
  private static final SpamScanner GTUBE =
      c -> new SpamScanResult.Scored(true, 1003.3, 5.0, List.of("GTUBE", "MISSING_DATE"));
  private static final SpamScanner SPAMD_TIMEOUT =
      c -> {
        throw new SocketTimeoutException("spamd did not answer within PT60S");
      };

  private static ContentFilter filter(VirusScanner v, SpamScanner s) {
    return ContentFilter.builder().virusScanner(v).spamScanner(s).build();
  }

  private static List<String> headerNames(RecipientVerdict r) {
    return r.headers().stream().map(FilterHeader::name).toList();
  }

  private static String header(RecipientVerdict r, String name) {
    return r.headers().stream()
        .filter(h -> h.name().equals(name))
        .map(FilterHeader::value)
        .findFirst()
        .orElse(null);
  }

  @Test
  void inspectShouldDeliverWithHeadersWhenCleanAndHam() {
    FilterVerdict v = filter(CLEAN, HAM).inspect(MESSAGE, List.of("bob@example.org"));
    RecipientVerdict r = v.recipients().get(0);
    assertThat(r.action()).isEqualTo(FilterAction.DELIVER);
    assertThat(r.reply()).isEqualTo(FilterReply.OK);
    assertThat(headerNames(r))
        .containsExactly(
            "X-Virus-Scanned", "X-Virus-Status", "X-Spam-Score", "X-Spam-Level", "X-Spam-Status");
    assertThat(header(r, "X-Virus-Status")).isEqualTo("Clean");
    assertThat(header(r, "X-Spam-Status")).isEqualTo("No, score=0.4 required=5.0 tests=NO_RELAYS");
    assertThat(header(r, "X-Spam-Level")).isEmpty();
    assertThat(v.messageReply()).isEmpty();
  }

  @Test
  void inspectShouldReject550WhenVirusFoundWithDefaultPolicy() {
    AtomicInteger spamChecks = new AtomicInteger();
    SpamScanner counting =
        c -> {
          spamChecks.incrementAndGet();
          return HAM.check(c);
        };
    FilterVerdict v =
        filter(EICAR, counting).inspect(MESSAGE, List.of("a@example.org", "b@example.org"));
    assertThat(v.recipients()).allMatch(r -> r.action() == FilterAction.REJECT);
    assertThat(v.messageReply())
        .hasValue(new FilterReply(550, "5.7.1", "Virus found: Eicar-Test-Signature.UNOFFICIAL"));
    assertThat(v.forSmtp()).isEqualTo(v);
    assertThat(spamChecks).hasValue(0); // nobody left to check for spam
    assertThat(v.spam()).isEqualTo(new SpamScanResult.NotScanned());
  }

  @Test
  void inspectShouldApplyEachDomainPolicyWhenRecipientsDiffer() {
    ContentFilter f =
        ContentFilter.builder()
            .virusScanner(EICAR)
            .spamScanner(HAM)
            .domainPolicy(
                "Quarantine.Example", FilterPolicy.DEFAULTS.withVirusAction(VirusAction.QUARANTINE))
            .domainPolicy("tag.example", FilterPolicy.DEFAULTS.withVirusAction(VirusAction.TAG))
            .build();
    FilterVerdict v =
        f.inspect(MESSAGE, List.of("a@reject.example", "b@quarantine.example", "c@TAG.example"));
    assertThat(v.recipients())
        .extracting(RecipientVerdict::action)
        .containsExactly(FilterAction.REJECT, FilterAction.QUARANTINE, FilterAction.DELIVER);
    assertThat(v.recipients().get(1).reason()).isEqualTo("virus Eicar-Test-Signature.UNOFFICIAL");
    assertThat(header(v.recipients().get(2), "X-Virus-Status"))
        .isEqualTo("Infected (Eicar-Test-Signature.UNOFFICIAL)");
    assertThat(v.uniform()).isFalse();

    // One SMTP reply: accepted, and the refused copy is held rather than bounced or lost.
    FilterVerdict smtp = v.forSmtp();
    assertThat(smtp.messageReply()).isEmpty();
    assertThat(smtp.recipient("a@reject.example").orElseThrow().action())
        .isEqualTo(FilterAction.QUARANTINE);
    assertThat(smtp.recipient("a@reject.example").orElseThrow().reason())
        .contains("550 5.7.1 Virus found");
  }

  @Test
  void inspectShouldTempfail451WhenClamdIsDownAndPolicyFailsClosed() {
    FilterVerdict v = filter(CLAMD_DOWN, HAM).inspect(MESSAGE, List.of("bob@example.org"));
    assertThat(v.virus()).isInstanceOf(VirusScanResult.Failed.class);
    assertThat(v.messageReply())
        .hasValue(new FilterReply(451, "4.7.1", "Virus scan unavailable, try again later"));
    assertThat(v.recipients().get(0).reason()).contains("Connection refused");
  }

  @Test
  void inspectShouldDeliverUnscannedWhenClamdIsDownAndPolicyFailsOpen() {
    ContentFilter f =
        ContentFilter.builder()
            .virusScanner(CLAMD_DOWN)
            .spamScanner(HAM)
            .defaultPolicy(FilterPolicy.DEFAULTS.withVirusFailMode(FailMode.FAIL_OPEN))
            .build();
    RecipientVerdict r = f.inspect(MESSAGE, List.of("bob@example.org")).recipients().get(0);
    assertThat(r.action()).isEqualTo(FilterAction.DELIVER);
    assertThat(header(r, "X-Virus-Status")).isEqualTo("Unscanned (scanner failed)");
    assertThat(header(r, "X-Virus-Scanned")).isNull();
  }

  @Test
  void inspectShouldDeliverUnscannedWhenSpamdTimesOutWithDefaultPolicy() {
    RecipientVerdict r =
        filter(CLEAN, SPAMD_TIMEOUT)
            .inspect(MESSAGE, List.of("bob@example.org"))
            .recipients()
            .get(0);
    assertThat(r.action()).isEqualTo(FilterAction.DELIVER);
    assertThat(header(r, "X-Spam-Status")).isEqualTo("Unscanned (scanner failed)");
  }

  @Test
  void inspectShouldTempfailWhenSpamdTimesOutAndPolicyFailsClosed() {
    ContentFilter f =
        ContentFilter.builder()
            .virusScanner(CLEAN)
            .spamScanner(SPAMD_TIMEOUT)
            .defaultPolicy(FilterPolicy.DEFAULTS.withSpamFailMode(FailMode.FAIL_CLOSED))
            .build();
    FilterVerdict v = f.inspect(MESSAGE, List.of("bob@example.org"));
    assertThat(v.messageReply()).hasValue(ContentFilter.SPAM_TEMPFAIL);
  }

  @Test
  void inspectShouldTagSpamWhenDefaultPolicy() {
    RecipientVerdict r =
        filter(CLEAN, GTUBE).inspect(MESSAGE, List.of("bob@example.org")).recipients().get(0);
    assertThat(r.action()).isEqualTo(FilterAction.DELIVER);
    assertThat(header(r, "X-Spam-Flag")).isEqualTo("YES");
    assertThat(header(r, "X-Spam-Score")).isEqualTo("1003.3");
    assertThat(header(r, "X-Spam-Level")).hasSize(50);
    assertThat(header(r, "X-Spam-Status"))
        .isEqualTo("Yes, score=1003.3 required=5.0 tests=GTUBE,MISSING_DATE");
  }

  @Test
  void inspectShouldFileAsJunkOrRejectWhenDomainPoliciesSaySo() {
    ContentFilter f =
        ContentFilter.builder()
            .virusScanner(CLEAN)
            .spamScanner(GTUBE)
            .domainPolicy("junk.example", FilterPolicy.DEFAULTS.withSpamAction(SpamAction.JUNK))
            .policyLookup(
                d ->
                    d.equals("strict.example")
                        ? FilterPolicy.DEFAULTS.withSpamRejectScore(15)
                        : null)
            .build();
    FilterVerdict v =
        f.inspect(MESSAGE, List.of("a@junk.example", "b@strict.example", "c@other.example"));
    assertThat(v.recipients())
        .extracting(RecipientVerdict::action)
        .containsExactly(FilterAction.JUNK, FilterAction.REJECT, FilterAction.DELIVER);
    assertThat(v.recipients().get(0).reason()).isEqualTo("spam score 1003.3");
    assertThat(v.recipients().get(1).reply()).isEqualTo(ContentFilter.SPAM_REJECT);
    assertThat(v.recipients().get(1).headers()).isEmpty();
  }

  @Test
  void inspectShouldUseThePolicyThresholdWhenSet() {
    SpamScanner six = c -> new SpamScanResult.Scored(true, 6.0, 5.0, List.of("X"));
    ContentFilter f =
        ContentFilter.builder()
            .spamScanner(six)
            .defaultPolicy(
                FilterPolicy.DEFAULTS.withSpamThreshold(8.0).withSpamAction(SpamAction.JUNK))
            .build();
    RecipientVerdict r = f.inspect(MESSAGE, List.of("bob@example.org")).recipients().get(0);
    assertThat(r.action()).isEqualTo(FilterAction.DELIVER);
    assertThat(header(r, "X-Spam-Flag")).isNull();
    assertThat(header(r, "X-Spam-Status")).startsWith("No, score=6.0 required=8.0");
    assertThat(headerNames(r)).doesNotContain("X-Virus-Status"); // no virus scanner
  }

  @Test
  void inspectShouldSkipOrRejectWhenMessageIsTooLargeToScan() {
    VirusScanner tooLarge = c -> new VirusScanResult.TooLarge(30_000_000, 26_214_400);
    SpamScanner spamTooLarge = c -> new SpamScanResult.TooLarge(30_000_000, 512_000);
    RecipientVerdict skipped =
        filter(tooLarge, spamTooLarge).inspect(MESSAGE, List.of("a@x.example")).recipients().get(0);
    assertThat(skipped.action()).isEqualTo(FilterAction.DELIVER);
    assertThat(header(skipped, "X-Virus-Status"))
        .isEqualTo("Unscanned (message larger than 26214400 bytes)");
    assertThat(header(skipped, "X-Spam-Status"))
        .isEqualTo("Unscanned (message larger than 512000 bytes)");

    ContentFilter strict =
        ContentFilter.builder()
            .virusScanner(tooLarge)
            .defaultPolicy(FilterPolicy.DEFAULTS.withVirusOversize(OversizeAction.REJECT))
            .build();
    assertThat(strict.inspect(MESSAGE, List.of("a@x.example")).messageReply())
        .hasValue(new FilterReply(552, "5.3.4", "Message too large to scan for viruses"));
  }

  @Test
  void toBuilderShouldKeepPoliciesWhenDerivingAVariant() {
    ContentFilter f =
        ContentFilter.builder()
            .virusScanner(EICAR)
            .domainPolicy("tag.example", FilterPolicy.DEFAULTS.withVirusAction(VirusAction.TAG))
            .build();
    ContentFilter g = f.toBuilder().virusScanner(CLEAN).build();
    assertThat(g.policy("TAG.example").virusAction()).isEqualTo(VirusAction.TAG);
    assertThat(g.policy("other.example")).isEqualTo(FilterPolicy.DEFAULTS);
    assertThat(g.inspect(MESSAGE, List.of("a@other.example")).virus())
        .isEqualTo(new VirusScanResult.Clean());
  }

  @Test
  void inspectShouldScanOnceWhenManyRecipients() {
    AtomicInteger scans = new AtomicInteger();
    AtomicInteger checks = new AtomicInteger();
    ContentFilter f =
        ContentFilter.builder()
            .virusScanner(
                c -> {
                  scans.incrementAndGet();
                  return new VirusScanResult.Clean();
                })
            .spamScanner(
                c -> {
                  checks.incrementAndGet();
                  return HAM.check(c);
                })
            .build();
    List<String> rcpts = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      rcpts.add("u" + i + "@d" + (i % 7) + ".example");
    }
    assertThat(f.inspect(MESSAGE, rcpts).recipients()).hasSize(50);
    assertThat(scans).hasValue(1);
    assertThat(checks).hasValue(1);
  }

  @Test
  void inspectShouldNotScanWhenNoPolicyAsks() {
    ContentFilter f =
        ContentFilter.builder()
            .virusScanner(CLAMD_DOWN)
            .spamScanner(SPAMD_TIMEOUT)
            .defaultPolicy(FilterPolicy.DEFAULTS.withScanVirus(false).withScanSpam(false))
            .build();
    FilterVerdict v = f.inspect(MESSAGE, List.of("a@x.example"));
    assertThat(v.virus()).isEqualTo(new VirusScanResult.NotScanned());
    assertThat(v.spam()).isEqualTo(new SpamScanResult.NotScanned());
    assertThat(v.recipients().get(0).headers()).isEmpty();
    assertThat(v.recipients().get(0).action()).isEqualTo(FilterAction.DELIVER);
  }

  @Test
  void inspectShouldTreatARuntimeExceptionAsAFailureWhenScannerIsBuggy() {
    VirusScanner buggy =
        c -> {
          throw new IllegalStateException("bug");
        };
    assertThat(filter(buggy, HAM).inspect(MESSAGE, List.of("a@x.example")).messageReply())
        .hasValue(ContentFilter.VIRUS_TEMPFAIL);
  }

  // ---- properties ----

  private static final Gen<FilterPolicy> POLICIES =
      booleans()
          .zip(
              enumValues(VirusAction.class),
              enumValues(FailMode.class),
              enumValues(OversizeAction.class),
              (sv, va, vf, vo) ->
                  FilterPolicy.DEFAULTS
                      .withScanVirus(sv)
                      .withVirusAction(va)
                      .withVirusFailMode(vf)
                      .withVirusOversize(vo))
          .zip(
              booleans(),
              enumValues(SpamAction.class),
              enumValues(FailMode.class),
              pick(List.of(Double.NaN, 3.0, 5.0, 10.0)),
              (p, ss, sa, sf, t) ->
                  p.withScanSpam(ss).withSpamAction(sa).withSpamFailMode(sf).withSpamThreshold(t))
          .zip(
              pick(List.of(Double.POSITIVE_INFINITY, 15.0, 2000.0)),
              (p, r) -> p.withSpamRejectScore(r));

  private static final Gen<VirusScanResult> VIRUS =
      pick(
          List.of(
              new VirusScanResult.Clean(),
              new VirusScanResult.Infected(List.of("V1")),
              new VirusScanResult.TooLarge(100, 50),
              new VirusScanResult.Failed("down")));

  private static final Gen<SpamScanResult> SPAM =
      pick(
          List.of(
              new SpamScanResult.Scored(false, 1.0, 5.0, List.of()),
              new SpamScanResult.Scored(true, 7.0, 5.0, List.of("X")),
              new SpamScanResult.Scored(true, 1003.3, 5.0, List.of("GTUBE")),
              new SpamScanResult.TooLarge(600_000, 512_000),
              new SpamScanResult.Failed("timeout")));

  private static ContentFilter fixed(VirusScanResult v, SpamScanResult s, FilterPolicy p) {
    return ContentFilter.builder()
        .virusScanner(c -> v)
        .spamScanner(c -> s)
        .defaultPolicy(p)
        .build();
  }

  @Test
  void inspectShouldHonourEachPolicyRuleWhenAnyPolicyAndScanResults() {
    qt().forAll(POLICIES, VIRUS, SPAM)
        .checkAssert(
            (p, virus, spam) -> {
              RecipientVerdict r =
                  fixed(virus, spam, p)
                      .inspect(MESSAGE, List.of("a@x.example"))
                      .recipients()
                      .get(0);
              FilterAction a = r.action();
              assertThat(a.accepted()).isEqualTo(r.reply().code() == 250);
              assertThat(r.headers().isEmpty())
                  .isEqualTo(!a.accepted() || (!p.scanVirus() && !p.scanSpam()));
              if (a.accepted()) {
                assertThat(headerNames(r).contains("X-Virus-Status")).isEqualTo(p.scanVirus());
                assertThat(headerNames(r).contains("X-Spam-Status")).isEqualTo(p.scanSpam());
              }
              boolean virusRefuses = false;
              if (p.scanVirus()) {
                if (virus instanceof VirusScanResult.Infected
                    && p.virusAction() == VirusAction.REJECT) {
                  assertThat(a).isEqualTo(FilterAction.REJECT);
                  assertThat(r.reply().text()).isEqualTo("Virus found: V1");
                  virusRefuses = true;
                }
                if (virus instanceof VirusScanResult.Infected
                    && p.virusAction() == VirusAction.QUARANTINE) {
                  assertThat(a)
                      .isIn(FilterAction.QUARANTINE, FilterAction.TEMPFAIL, FilterAction.REJECT);
                }
                if (virus instanceof VirusScanResult.Failed
                    && p.virusFailMode() == FailMode.FAIL_CLOSED) {
                  assertThat(a.accepted()).isFalse();
                  virusRefuses = true;
                }
              }
              if (p.scanSpam() && !virusRefuses) {
                if (spam instanceof SpamScanResult.Failed
                    && p.spamFailMode() == FailMode.FAIL_CLOSED) {
                  assertThat(a.accepted()).isFalse();
                }
                if (spam instanceof SpamScanResult.Scored s && s.score() >= p.spamRejectScore()) {
                  assertThat(a).isEqualTo(FilterAction.REJECT);
                }
                if (a == FilterAction.JUNK) {
                  assertThat(header(r, "X-Spam-Flag")).isEqualTo("YES");
                }
              }
              if (!p.scanSpam()) {
                assertThat(a).isNotEqualTo(FilterAction.JUNK);
              }
              if (!p.scanVirus() && !p.scanSpam()) {
                assertThat(a).isEqualTo(FilterAction.DELIVER);
              }
            });
  }

  @Test
  void forSmtpShouldGiveOneReplyForAllWhenAnyMixOfDomainPolicies() {
    qt().forAll(lists().of(POLICIES).ofSizeBetween(1, 6), VIRUS, SPAM)
        .checkAssert(
            (policies, virus, spam) -> {
              ContentFilter.Builder b =
                  ContentFilter.builder().virusScanner(c -> virus).spamScanner(c -> spam);
              List<String> rcpts = new ArrayList<>();
              for (int i = 0; i < policies.size(); i++) {
                b.domainPolicy("d" + i + ".example", policies.get(i));
                rcpts.add("u@d" + i + ".example");
              }
              FilterVerdict raw = b.build().inspect(MESSAGE, rcpts);
              FilterVerdict smtp = raw.forSmtp();
              assertThat(smtp.recipients())
                  .extracting(RecipientVerdict::recipient)
                  .containsExactlyElementsOf(rcpts);
              boolean allAccepted = smtp.recipients().stream().allMatch(r -> r.action().accepted());
              boolean allTempfail =
                  smtp.recipients().stream().allMatch(r -> r.action() == FilterAction.TEMPFAIL);
              boolean allRejected =
                  smtp.recipients().stream().allMatch(r -> r.action() == FilterAction.REJECT);
              assertThat(allAccepted || allTempfail || allRejected).isTrue();
              assertThat(smtp.messageReply().isPresent()).isEqualTo(!allAccepted);
              boolean anyTempfail =
                  raw.recipients().stream().anyMatch(r -> r.action() == FilterAction.TEMPFAIL);
              assertThat(allTempfail).isEqualTo(anyTempfail);
              // Unless the whole message is retried, nobody whose copy was accepted loses it.
              for (int i = 0; i < rcpts.size(); i++) {
                if (!anyTempfail && raw.recipients().get(i).action().accepted()) {
                  assertThat(smtp.recipients().get(i)).isEqualTo(raw.recipients().get(i));
                }
              }
            });
  }
}
