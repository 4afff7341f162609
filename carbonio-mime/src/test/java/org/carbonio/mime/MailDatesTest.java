package org.carbonio.mime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.strings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MailDatesTest {

  private static OffsetDateTime at(int y, int mo, int d, int h, int mi, int s, String offset) {
    return OffsetDateTime.of(y, mo, d, h, mi, s, 0, ZoneOffset.of(offset));
  }

  private static Optional<OffsetDateTime> parse(String s) {
    return MailDates.parse(s);
  }

  @Test
  void parseShouldReadDateWhenItFollowsRfc5322() {
    // RFC 5322 §A.1.1, §A.3
    assertThat(parse("Fri, 21 Nov 1997 09:55:06 -0600"))
        .contains(at(1997, 11, 21, 9, 55, 6, "-06:00"));
    assertThat(parse("Tue, 1 Jul 2003 10:52:37 +0200"))
        .contains(at(2003, 7, 1, 10, 52, 37, "+02:00"));
  }

  @Test
  void parseShouldMapZoneWhenItIsObsolete() {
    // RFC 5322 §4.3 obs-zone
    assertThat(parse("Thu, 13 Feb 1969 23:32:54 EST"))
        .contains(at(1969, 2, 13, 23, 32, 54, "-05:00"));
    assertThat(parse("Thu, 13 Feb 1969 23:32:54 PDT"))
        .contains(at(1969, 2, 13, 23, 32, 54, "-07:00"));
    assertThat(parse("Thu, 13 Feb 1969 23:32:54 CDT"))
        .contains(at(1969, 2, 13, 23, 32, 54, "-05:00"));
    assertThat(parse("Thu, 13 Feb 1969 23:32:54 MST"))
        .contains(at(1969, 2, 13, 23, 32, 54, "-07:00"));
    assertThat(parse("Thu, 13 Feb 1969 23:32:54 UT")).contains(at(1969, 2, 13, 23, 32, 54, "Z"));
    assertThat(parse("Thu, 13 Feb 1969 23:32:54 GMT")).contains(at(1969, 2, 13, 23, 32, 54, "Z"));
    // military letters are -0000 (§4.3)
    assertThat(parse("Thu, 13 Feb 1969 23:32:54 Q")).contains(at(1969, 2, 13, 23, 32, 54, "Z"));
    assertThat(parse("Thu, 13 Feb 1969 23:32:54 CEST"))
        .contains(at(1969, 2, 13, 23, 32, 54, "+02:00"));
  }

  @Test
  void parseShouldReadZoneWhenItIsWrittenOddly() {
    assertThat(parse("Fri, 20 Sep 2002 12:15:37 GMT+1"))
        .contains(at(2002, 9, 20, 12, 15, 37, "+01:00"));
    assertThat(parse("Fri, 20 Sep 2002 12:15:37 UTC+05:30"))
        .contains(at(2002, 9, 20, 12, 15, 37, "+05:30"));
    assertThat(parse("Tue, 24 Sep 2002 10:39:13 +-0500"))
        .contains(at(2002, 9, 24, 10, 39, 13, "-05:00"));
    assertThat(parse("Mon, 21 Aug 95 13:30:57 -600"))
        .contains(at(1995, 8, 21, 13, 30, 57, "-06:00"));
    assertThat(parse("Fri, 1 Nov 2019 10:21:39 +070"))
        .contains(at(2019, 11, 1, 10, 21, 39, "+07:00"));
    assertThat(parse("Fri, 02 Aug 2002 23:37:59 0530"))
        .contains(at(2002, 8, 2, 23, 37, 59, "+05:30"));
    assertThat(parse("Fri, 30 Aug 02 05:32:48 Eastern Daylight Time"))
        .contains(at(2002, 8, 30, 5, 32, 48, "-04:00"));
    assertThat(parse("Mon, 22 Jul 2002 12:37:15 US Mountain Standard Time"))
        .contains(at(2002, 7, 22, 12, 37, 15, "-07:00"));
  }

  @Test
  void parseShouldTakeZoneFromCommentWhenOnlyTheCommentHasIt() {
    assertThat(parse("Thu, 16 Jun 2016 00:41:19 (PST)"))
        .contains(at(2016, 6, 16, 0, 41, 19, "-08:00"));
    assertThat(parse("Wed, 20 Sep 1995 00:19:00 (EDT) -0400"))
        .contains(at(1995, 9, 20, 0, 19, 0, "-04:00"));
    assertThat(parse("Fri, 26 Nov 2004 19:41:44 -0800 (PST)"))
        .contains(at(2004, 11, 26, 19, 41, 44, "-08:00"));
  }

  @Test
  void parseShouldUseUtcWhenZoneIsMissing() {
    assertThat(parse("Thu, 10 Aug 2000 02:53:01")).contains(at(2000, 8, 10, 2, 53, 1, "Z"));
  }

  @Test
  void parseShouldIgnoreDayOfWeekWhenMissingOrWrong() {
    assertThat(parse("15 May 2001 17:31:22 -0400")).contains(at(2001, 5, 15, 17, 31, 22, "-04:00"));
    assertThat(parse("Sun, 15 May 2001 17:31:22 -0400"))
        .contains(at(2001, 5, 15, 17, 31, 22, "-04:00"));
    assertThat(parse("Tuesday, 15 May 2001 17:31:22 -0400"))
        .contains(at(2001, 5, 15, 17, 31, 22, "-04:00"));
  }

  @Test
  void parseShouldExpandYearWhenItHasTwoOrThreeDigits() {
    // RFC 5322 §4.3 obs-year
    assertThat(parse("Sat, 26 Oct 91 09:35:10 EDT"))
        .contains(at(1991, 10, 26, 9, 35, 10, "-04:00"));
    assertThat(parse("Sat, 26 Oct 01 09:35:10 +0000")).contains(at(2001, 10, 26, 9, 35, 10, "Z"));
    assertThat(parse("Sat, 26 Oct 49 09:35:10 +0000")).contains(at(2049, 10, 26, 9, 35, 10, "Z"));
    assertThat(parse("Sat, 26 Oct 50 09:35:10 +0000")).contains(at(1950, 10, 26, 9, 35, 10, "Z"));
    assertThat(parse("Sat, 26 Oct 102 09:35:10 +0000")).contains(at(2002, 10, 26, 9, 35, 10, "Z"));
  }

  @Test
  void parseShouldReadTimeWhenItIsShortOrDottedOrTwelveHour() {
    assertThat(parse("Wed, 11 Feb 98 11:51 CST")).contains(at(1998, 2, 11, 11, 51, 0, "-06:00"));
    assertThat(parse("Wed, 29 May 2002 16:54:6 +0300"))
        .contains(at(2002, 5, 29, 16, 54, 6, "+03:00"));
    assertThat(parse("Sat, 8 Jun 2002 1:5:13 +-0500")).contains(at(2002, 6, 8, 1, 5, 13, "-05:00"));
    assertThat(parse("Wed, 29 May 2002 16.54.06 +0300"))
        .contains(at(2002, 5, 29, 16, 54, 6, "+03:00"));
    assertThat(parse("Tue, 17 Jul 2012 22:23:35.882 0000"))
        .contains(at(2012, 7, 17, 22, 23, 35, "Z"));
    assertThat(parse("03 Jul 01 4:12:06 PM")).contains(at(2001, 7, 3, 16, 12, 6, "Z"));
    assertThat(parse("18 Feb 01 12:29:13 AM")).contains(at(2001, 2, 18, 0, 29, 13, "Z"));
    assertThat(parse("Wed 29 May 2019 06:09:22 PM EDT"))
        .contains(at(2019, 5, 29, 18, 9, 22, "-04:00"));
    assertThat(parse("Sat, 31 Dec 2016 23:59:60 +0000"))
        .contains(at(2016, 12, 31, 23, 59, 59, "Z"));
  }

  @Test
  void parseShouldReadDateWhenItIsIso8601() {
    assertThat(parse("2006-01-02T15:04:05Z")).contains(at(2006, 1, 2, 15, 4, 5, "Z"));
    assertThat(parse("2006-01-02T15:04:05.123+01:00")).contains(at(2006, 1, 2, 15, 4, 5, "+01:00"));
    assertThat(parse("2006-01-02 15:04:05 -0700")).contains(at(2006, 1, 2, 15, 4, 5, "-07:00"));
    assertThat(parse("2006-01-02T15:04")).contains(at(2006, 1, 2, 15, 4, 0, "Z"));
    assertThat(parse("2006-01-02")).contains(at(2006, 1, 2, 0, 0, 0, "Z"));
  }

  @Test
  void parseShouldReadDateWhenItIsCtime() {
    assertThat(parse("Mon Jan  2 15:04:05 2006")).contains(at(2006, 1, 2, 15, 4, 5, "Z"));
    assertThat(parse("Sat Sep 21 08:18:08 2002")).contains(at(2002, 9, 21, 8, 18, 8, "Z"));
    assertThat(parse("Mon Jan  2 15:04:05 MST 2006")).contains(at(2006, 1, 2, 15, 4, 5, "-07:00"));
  }

  @Test
  void parseShouldReadDateWhenNamesAreFullOrCaseOrSpacingDiffers() {
    assertThat(parse("Thursday, 13 February 1969 23:32:54 -0330"))
        .contains(at(1969, 2, 13, 23, 32, 54, "-03:30"));
    assertThat(parse("thu, 13 feb 1969 23:32:54 est"))
        .contains(at(1969, 2, 13, 23, 32, 54, "-05:00"));
    assertThat(
            parse(
                "  Thu,      13        Feb          1969      23:32    -0330 (Newfoundland Time)"))
        .contains(at(1969, 2, 13, 23, 32, 0, "-03:30"));
    assertThat(parse("Wed,29 May 2002 17:51:47 +0800"))
        .contains(at(2002, 5, 29, 17, 51, 47, "+08:00"));
    assertThat(parse("2002/09/14 Sat 02:29:32 CDT")).contains(at(2002, 9, 14, 2, 29, 32, "-05:00"));
    assertThat(parse("14-Sep-2002 02:29:32 +0000")).contains(at(2002, 9, 14, 2, 29, 32, "Z"));
    assertThat(parse("Sun, 1 Sept 2002 02:29:32 +0000")).contains(at(2002, 9, 1, 2, 29, 32, "Z"));
  }

  @Test
  void parseShouldIgnoreTextWhenItFollowsTheZone() {
    assertThat(parse("Fri, 19 Jul 2002 23:45:08 +0700    MAILTO_TO_SPAM_ADDR version=2.40"))
        .contains(at(2002, 7, 19, 23, 45, 8, "+07:00"));
    assertThat(parse("Wed, 4 Apr 2001 13:19:00 -0700 (PDT),Wed, 5 Apr 2001 13:19:00 -0800"))
        .contains(at(2001, 4, 4, 13, 19, 0, "-07:00"));
  }

  @Test
  void parseShouldReturnEmptyWhenDateIsInvalid() {
    assertThat(parse("")).isEmpty();
    assertThat(parse("Whenever")).isEmpty();
    assertThat(parse("<HR>")).isEmpty();
    assertThat(parse("Tue, 30 Feb 2010 10:00:00 +0000")).isEmpty();
    assertThat(parse("Wed, 15 Dec 2010    59:10 -0500")).isEmpty();
    assertThat(parse("Tue, 7 Apr 2026 10:00:t")).isEmpty();
    assertThat(parse("Thu Jan 01 00:00:10 +0000")).isEmpty(); // no year
    assertThat(parse("Fri, 21 Nov 1997 09:55:06 +2500")).contains(at(1997, 11, 21, 9, 55, 6, "Z"));
    assertThat(parse("Fri, 21 Nov 1997 09(comment):   55  :  06 -0600"))
        .contains(at(1997, 11, 21, 9, 55, 6, "-06:00")); // RFC 5322 §A.6.3
  }

  @Test
  void parseShouldNeverThrowWhenValueIsArbitrary() {
    qt().withExamples(1000)
        .forAll(strings().allPossible().ofLengthBetween(0, 80))
        .checkAssert(s -> assertThat(MailDates.parse(s)).isNotNull());
    String alphabet = "0123456789:.+-, ()abcdefgmnoprstuvyzJFMASOND/T";
    qt().withExamples(1000)
        .forAll(strings().betweenCodePoints(0, alphabet.length() - 1).ofLengthBetween(0, 40))
        .checkAssert(
            s -> {
              StringBuilder sb = new StringBuilder();
              s.codePoints().forEach(c -> sb.append(alphabet.charAt(c)));
              assertThat(MailDates.parse(sb.toString())).isNotNull();
            });
  }

  @Test
  void parseShouldReturnDateWhenItWasFormattedPerRfc5322() {
    DateTimeFormatter f = DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.ROOT);
    qt().withExamples(2000)
        .forAll(integers().between(0, 2_000_000_000), integers().between(-18 * 60 + 1, 18 * 60 - 1))
        .checkAssert(
            (sec, offMin) -> {
              OffsetDateTime d =
                  java.time.Instant.ofEpochSecond(sec * 2L)
                      .atOffset(ZoneOffset.ofTotalSeconds(offMin * 60));
              assertThat(MailDates.parse(f.format(d))).contains(d);
            });
  }

  @Test
  void parseShouldReadNearlyEveryDateWhenHeadersComeFromCorpus() throws IOException {
    int dates = 0;
    List<String> failed = new ArrayList<>();
    for (Path p : Corpus.files()) {
      byte[] b = Files.readAllBytes(p);
      ParsedMessage m = ParsedMessage.parse(b);
      String v = HeaderFields.first(b, m.root().header(), "Date").orElse(null);
      if (v == null) {
        continue;
      }
      dates++;
      if (MailDates.parse(v).isEmpty()) {
        failed.add(v);
      }
    }
    System.out.println("Date headers: " + dates + ", unreadable: " + failed.size() + " " + failed);
    assertThat(dates).isGreaterThan(4_000);
    assertThat(failed.size()).isLessThanOrEqualTo(dates / 100);
  }
}
