package org.carbonio.mime;

import static java.util.Objects.requireNonNull;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the dates of mail headers (Date, Resent-Date, and the part after the last {@code ;} of a
 * Received field) leniently. Thread-safe (stateless).
 *
 * {@snippet :
 * Optional<OffsetDateTime> d = MailDates.parse("Fri, 21 Nov 1997 09:55:06 -0600");
 * }
 */
public final class MailDates {

  /** Input beyond this many chars is ignored: {@value} */
  public static final int MAX_LENGTH = 1_000;

  private static final Pattern ISO =
      Pattern.compile(
          "(\\d{4})-(\\d{2})-(\\d{2})(?:[t ](\\d{2}):(\\d{2})(?::(\\d{2})(?:[.,]\\d{1,9})?)?"
              + " ?(z|[+-]\\d{2}(?::?\\d{2})?)?)?");

  private static final Pattern TIME =
      Pattern.compile("(\\d{1,2})[:.](\\d{1,2})(?:[:.](\\d{1,2})(?:[.,]\\d{1,9})?)?(am|pm)?");

  private static final Pattern NUMERIC_ZONE =
      Pattern.compile("(?:gmt|utc|ut)?(\\+-|[+-])(\\d{1,4})");

  private static final Pattern HOURS_ZONE =
      Pattern.compile("(?:gmt|utc|ut)(\\+|-)(\\d{1,2})(?::(\\d{2}))?");

  private static final Pattern SLASH_DATE = Pattern.compile("(\\d{4})/(\\d{1,2})/(\\d{1,2})");

  private static final Pattern DASH_DATE = Pattern.compile("(\\d{1,2})-([a-z]{3,9})-(\\d{2,4})");

  private static final Pattern COLON = Pattern.compile("\\s*:\\s*");

  private static final Pattern BLANKS = Pattern.compile("[\\s,]+");

  private static final List<String> MONTHS =
      List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec");

  // RFC 5322 §4.3 obs-zone, and names real mail uses; hours (and minutes) east of UTC
  private static final Map<String, Integer> ZONES =
      Map.ofEntries(
          Map.entry("ut", 0),
          Map.entry("utc", 0),
          Map.entry("gmt", 0),
          Map.entry("z", 0),
          Map.entry("est", -500),
          Map.entry("edt", -400),
          Map.entry("cst", -600),
          Map.entry("cdt", -500),
          Map.entry("mst", -700),
          Map.entry("mdt", -600),
          Map.entry("pst", -800),
          Map.entry("pdt", -700),
          Map.entry("akst", -900),
          Map.entry("akdt", -800),
          Map.entry("hst", -1000),
          Map.entry("ast", -400),
          Map.entry("adt", -300),
          Map.entry("nst", -330),
          Map.entry("ndt", -230),
          Map.entry("wet", 0),
          Map.entry("west", 100),
          Map.entry("bst", 100),
          Map.entry("cet", 100),
          Map.entry("cest", 200),
          Map.entry("met", 100),
          Map.entry("mest", 200),
          Map.entry("eet", 200),
          Map.entry("eest", 300),
          Map.entry("msk", 300),
          Map.entry("jst", 900),
          Map.entry("kst", 900),
          Map.entry("hkt", 800),
          Map.entry("sgt", 800),
          Map.entry("aest", 1000),
          Map.entry("aedt", 1100),
          Map.entry("nzst", 1200),
          Map.entry("nzdt", 1300));

  // Windows zone names: "Eastern Daylight Time", "US Mountain Standard Time"
  private static final Map<String, Integer> REGIONS =
      Map.of("eastern", -500, "central", -600, "mountain", -700, "pacific", -800);

  private MailDates() {}

  /**
   * Parses a date. Never throws; empty when no date can be read. Accepts RFC 5322 §3.3 {@code
   * date-time} and:
   *
   * <ul>
   *   <li>RFC 5322 §4.3 obsolete zones: {@code UT}, {@code GMT}, US zones ({@code EST} … {@code
   *       PDT}), and military letters, which (§4.3) count as {@code -0000}; also common names
   *       ({@code CET}, {@code CEST}, {@code BST}, {@code JST}, …), Windows names ({@code Eastern
   *       Daylight Time}), {@code GMT+1}, {@code UTC+05:30}, {@code +-0500} (as {@code -0500}),
   *       three-digit offsets ({@code -600}) and an unsigned four-digit one after the time; an
   *       offset out of range ({@code -1900}, seen in spam) counts as missing;
   *   <li>a missing zone, or one in a comment only ({@code 12:00:00 (PST)}): the comment is read,
   *       else the time is taken as {@code -0000}, returned as UTC (RFC 5322 §3.3: "no information
   *       about the local time zone"), since {@link OffsetDateTime} has no {@code -0000};
   *   <li>a missing or wrong day of the week (it is ignored), full month and day names, any case;
   *   <li>two- and three-digit years (RFC 5322 §4.3: 00-49 are 2000-2049, 50-99 and three digits
   *       add 1900);
   *   <li>missing seconds, one-digit fields, {@code .} instead of {@code :}, fractions of a second
   *       (dropped), {@code AM}/{@code PM}, a second of 60 (read as 59);
   *   <li>ISO 8601 ({@code 2006-01-02T15:04:05Z}, {@code 2006-01-02 15:04:05+01:00}, a date alone
   *       is midnight UTC), {@code 2002/09/14}, {@code 12-Jan-2002};
   *   <li>ctime/asctime ({@code Mon Jan 2 15:04:05 2006}, UTC);
   *   <li>comments and trailing text after the zone (ignored), extra whitespace and commas.
   * </ul>
   *
   * A time is required except for the ISO 8601 date alone. At most {@link #MAX_LENGTH} chars are
   * read.
   */
  public static Optional<OffsetDateTime> parse(String value) {
    requireNonNull(value, "value");
    String s = value.length() > MAX_LENGTH ? value.substring(0, MAX_LENGTH) : value;
    s = s.strip().toLowerCase(Locale.ROOT);
    try {
      Matcher iso = ISO.matcher(s);
      if (iso.matches()) {
        return Optional.of(iso(iso));
      }
      return Optional.ofNullable(new Fields().read(s));
    } catch (DateTimeException | NumberFormatException e) {
      return Optional.empty(); // a field out of range: Feb 30, hour 25, offset +19:00
    }
  }

  private static OffsetDateTime iso(Matcher m) {
    LocalDate d = LocalDate.of(num(m.group(1)), num(m.group(2)), num(m.group(3)));
    if (m.group(4) == null) {
      return d.atStartOfDay().atOffset(ZoneOffset.UTC);
    }
    int sec = m.group(6) == null ? 0 : Math.min(num(m.group(6)), 59);
    LocalTime t = LocalTime.of(num(m.group(4)), num(m.group(5)), sec);
    String z = m.group(7);
    ZoneOffset off =
        z == null || z.equals("z") ? ZoneOffset.UTC : ZoneOffset.of(z.length() == 3 ? z : fix(z));
    return OffsetDateTime.of(d, t, off);
  }

  private static String fix(String z) {
    return z.indexOf(':') >= 0 ? z : z.substring(0, 3) + ":" + z.substring(3);
  }

  private static int num(String s) {
    return Integer.parseInt(s);
  }

  /** The fields found so far; each is set once, later candidates are ignored. */
  private static final class Fields {
    int day = -1;
    int month = -1;
    int year = -1;
    LocalTime time;
    ZoneOffset zone;
    String region; // "eastern" of "Eastern Daylight Time"

    OffsetDateTime read(String s) {
      List<String> comments = new ArrayList<>();
      for (String tok : tokens(s, comments)) {
        token(tok);
      }
      for (int k = 0; k < comments.size() && zone == null; k++) {
        zone(comments.get(k).strip());
      }
      if (day < 0 || month < 0 || year < 0 || time == null) {
        return null;
      }
      return OffsetDateTime.of(
          LocalDate.of(year, month, day), time, zone == null ? ZoneOffset.UTC : zone);
    }

    /**
     * Splits on whitespace and commas; comments (nested) go to {@code comments}; blanks around
     * {@code :} are dropped (RFC 5322 §4.3 allows CFWS there: {@code 09 (x) : 55}).
     */
    private static List<String> tokens(String s, List<String> comments) {
      StringBuilder text = new StringBuilder();
      StringBuilder comment = new StringBuilder();
      int depth = 0;
      for (int k = 0; k < s.length(); k++) {
        char c = s.charAt(k);
        if (c == '(') {
          depth++;
        } else if (c == ')' && depth > 0) {
          if (--depth == 0) {
            comments.add(comment.toString());
            comment.setLength(0);
          }
        } else if (depth > 0) {
          comment.append(c);
        } else {
          text.append(c);
        }
      }
      List<String> out = new ArrayList<>();
      for (String tok : BLANKS.split(COLON.matcher(text).replaceAll(":"))) {
        if (!tok.isEmpty()) {
          out.add(tok);
        }
      }
      return out;
    }

    private void token(String tok) {
      Matcher m;
      if (Character.isDigit(tok.charAt(0)) && (m = TIME.matcher(tok)).matches()) {
        if (time == null) {
          int h = num(m.group(1));
          int sec = m.group(3) == null ? 0 : Math.min(num(m.group(3)), 59);
          time = LocalTime.of(ampm(h, m.group(4)), num(m.group(2)), sec);
        }
      } else if ((m = SLASH_DATE.matcher(tok)).matches()
          || (m = DASH_DATE.matcher(tok)).matches()) {
        boolean slash = tok.indexOf('/') > 0;
        setYear(m.group(slash ? 1 : 3));
        if (month < 0) {
          month = slash ? num(m.group(2)) : month(m.group(2));
        }
        if (day < 0) {
          day = num(m.group(slash ? 3 : 1));
        }
      } else if (allDigits(tok)) {
        number(tok);
      } else if (tok.equals("am") || tok.equals("pm")) {
        if (time != null && time.getHour() <= 12) {
          time = time.withHour(ampm(time.getHour(), tok));
        }
      } else if (month < 0 && month(tok) > 0) {
        month = month(tok);
      } else if (time != null) {
        zone(tok);
      }
    }

    private static int ampm(int h, String marker) {
      if (marker == null || h > 12) {
        return h;
      }
      return marker.equals("pm") ? (h % 12) + 12 : h % 12;
    }

    private void number(String tok) {
      if (tok.length() > 5) {
        return;
      }
      int v = num(tok);
      if (time != null && year >= 0 && zone == null && tok.length() == 4) {
        zone = offset(v); // "22:23:35 0000": the sign is missing
      } else if (day < 0 && tok.length() <= 2 && v >= 1 && v <= 31 && year < 0) {
        day = v;
      } else if (year < 0 && tok.length() <= 4) {
        setYear(tok);
      }
    }

    private void setYear(String tok) {
      if (year >= 0) {
        return;
      }
      int v = num(tok);
      // RFC 5322 §4.3 obs-year
      year = tok.length() == 2 ? (v < 50 ? 2000 + v : 1900 + v) : tok.length() == 3 ? 1900 + v : v;
    }

    private void zone(String tok) {
      if (zone != null) {
        return;
      }
      Matcher m;
      Integer named = ZONES.get(tok);
      if (named != null) {
        zone = offset(named);
      } else if (tok.length() == 1 && tok.charAt(0) >= 'a' && tok.charAt(0) <= 'z') {
        zone = ZoneOffset.UTC; // RFC 5322 §4.3: military zones count as -0000
      } else if ((m = HOURS_ZONE.matcher(tok)).matches()) {
        int h = num(m.group(2));
        int mm = m.group(3) == null ? 0 : num(m.group(3));
        zone =
            ZoneOffset.ofHoursMinutes(
                m.group(1).equals("-") ? -h : h, m.group(1).equals("-") ? -mm : mm);
      } else if ((m = NUMERIC_ZONE.matcher(tok)).matches()) {
        String digits = m.group(2);
        int v = num(digits);
        if (digits.length() == 3 && v % 100 >= 60) {
          v *= 10; // "+070": the last digit lost
        } else if (digits.length() <= 2) {
          v *= 100; // "+1": hours
        }
        zone = offset(m.group(1).equals("+") ? v : -v);
      } else if (REGIONS.containsKey(tok)) {
        region = tok;
      } else if (region != null && (tok.equals("standard") || tok.equals("daylight"))) {
        zone = offset(REGIONS.get(region) + (tok.equals("daylight") ? 100 : 0));
      }
    }

    /** The offset of +hhmm, or null when out of range (then the zone counts as missing). */
    private static ZoneOffset offset(int hhmm) {
      int h = hhmm / 100;
      int m = hhmm % 100;
      return Math.abs(m) >= 60 || Math.abs(h) > 17 ? null : ZoneOffset.ofHoursMinutes(h, m);
    }

    private static int month(String tok) {
      if (tok.length() < 3 || !Character.isLetter(tok.charAt(0))) {
        return -1;
      }
      int k = MONTHS.indexOf(tok.substring(0, 3));
      if (k < 0) {
        return -1;
      }
      String full =
          List.of(
                  "january",
                  "february",
                  "march",
                  "april",
                  "may",
                  "june",
                  "july",
                  "august",
                  "september",
                  "october",
                  "november",
                  "december")
              .get(k);
      // "jan", "janu", "january", "sept"; not "mayday" nor "decimal"
      return full.startsWith(tok) || tok.equals("sept") || tok.equals(MONTHS.get(k) + ".")
          ? k + 1
          : -1;
    }

    private static boolean allDigits(String s) {
      for (int k = 0; k < s.length(); k++) {
        if (!Character.isDigit(s.charAt(k)) || s.charAt(k) > '9') {
          return false;
        }
      }
      return true;
    }
  }
}
