package org.carbonio.mime.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A short, readable summary of an iCalendar object (RFC 5545) read straight from its content lines:
 * per VEVENT, VTODO or VJOURNAL its SUMMARY, LOCATION, DTSTART, DTEND, ORGANIZER, the attendees' CN
 * (else their address) and DESCRIPTION. Tolerant: lines without a colon, unknown properties,
 * unbalanced BEGIN/END and bare LF line ends are accepted. Thread-safe (stateless).
 */
public final class CalendarText {

  private CalendarText() {}

  /** The summary of {@code ics}; empty when it holds no component with those properties. */
  public static String summary(String ics) {
    StringBuilder out = new StringBuilder();
    Component cur = null;
    int nested = 0; // VALARM, VTIMEZONE and others inside or outside a component
    for (String line : unfold(ics)) {
      ContentLine cl = ContentLine.parse(line);
      if (cl == null) {
        continue;
      }
      String v = cl.value.strip().toUpperCase(Locale.ROOT);
      if (cl.name.equals("BEGIN")) {
        if (cur == null && (v.equals("VEVENT") || v.equals("VTODO") || v.equals("VJOURNAL"))) {
          cur = new Component();
          nested = 0;
        } else if (cur != null) {
          nested++;
        }
        continue;
      }
      if (cl.name.equals("END")) {
        if (cur != null && nested > 0) {
          nested--;
        } else if (cur != null) {
          cur.appendTo(out);
          cur = null;
        }
        continue;
      }
      if (cur != null && nested == 0) {
        cur.add(cl);
      }
    }
    if (cur != null) {
      cur.appendTo(out); // a calendar cut short still tells what it had
    }
    return out.toString().strip();
  }

  /** RFC 5545 §3.1: a line break followed by one space or tab continues the line. */
  static List<String> unfold(String s) {
    List<String> lines = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    int n = s.length();
    int i = 0;
    while (i < n) {
      char c = s.charAt(i);
      if (c == '\r' || c == '\n') {
        int j = i + 1;
        if (c == '\r' && j < n && s.charAt(j) == '\n') {
          j++;
        }
        if (j < n && (s.charAt(j) == ' ' || s.charAt(j) == '\t')) {
          i = j + 1; // fold: drop the line break and the one blank
          continue;
        }
        lines.add(cur.toString());
        cur.setLength(0);
        i = j;
        continue;
      }
      cur.append(c);
      i++;
    }
    if (!cur.isEmpty()) {
      lines.add(cur.toString());
    }
    return lines;
  }

  /** RFC 5545 §3.3.11: {@code \\}, {@code \;}, {@code \,} and {@code \n} / {@code \N}. */
  static String unescape(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char d = s.charAt(++i);
        switch (d) {
          case 'n', 'N' -> sb.append('\n');
          case '\\', ';', ',', ':', '"' -> sb.append(d);
          default -> sb.append('\\').append(d);
        }
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /** RFC 5545 §3.1: name *(";" param) ":" value; quoted parameter values may hold ':' and ';'. */
  private record ContentLine(String name, List<String[]> params, String value) {

    static ContentLine parse(String line) {
      int n = line.length();
      int i = 0;
      while (i < n && line.charAt(i) != ';' && line.charAt(i) != ':') {
        i++;
      }
      if (i == n) {
        return null;
      }
      String name = line.substring(0, i).strip().toUpperCase(Locale.ROOT);
      List<String[]> params = new ArrayList<>();
      while (i < n && line.charAt(i) == ';') {
        i++;
        int eq = i;
        while (eq < n && "=;:".indexOf(line.charAt(eq)) < 0) {
          eq++;
        }
        String pname = line.substring(i, eq).strip().toUpperCase(Locale.ROOT);
        i = eq;
        StringBuilder pv = new StringBuilder();
        if (i < n && line.charAt(i) == '=') {
          i++;
          boolean quoted = false;
          while (i < n) {
            char c = line.charAt(i);
            if (c == '"') {
              quoted = !quoted;
            } else if (!quoted && (c == ';' || c == ':')) {
              break;
            } else {
              pv.append(c);
            }
            i++;
          }
        }
        params.add(new String[] {pname, pv.toString()});
      }
      String value = i < n ? line.substring(i + 1) : "";
      return new ContentLine(name, params, value);
    }

    String param(String name) {
      for (String[] p : params) {
        if (p[0].equals(name)) {
          return p[1];
        }
      }
      return null;
    }
  }

  private static final class Component {
    String summary;
    String location;
    String start;
    String end;
    String organizer;
    final List<String> attendees = new ArrayList<>();
    String description;

    void add(ContentLine cl) {
      switch (cl.name) {
        case "SUMMARY" -> summary = first(summary, unescape(cl.value));
        case "LOCATION" -> location = first(location, unescape(cl.value));
        case "DTSTART" -> start = first(start, time(cl));
        case "DTEND" -> end = first(end, time(cl));
        case "ORGANIZER" -> organizer = first(organizer, person(cl));
        case "ATTENDEE" -> {
          if (attendees.size() < 100) {
            attendees.add(person(cl));
          }
        }
        case "DESCRIPTION" -> description = first(description, unescape(cl.value));
        default -> {}
      }
    }

    private static String first(String old, String value) {
      return old != null ? old : value.strip();
    }

    private static String time(ContentLine cl) {
      String tz = cl.param("TZID");
      String v = cl.value.strip();
      return tz == null || tz.isBlank() ? v : v + " (" + tz.strip() + ")";
    }

    private static String person(ContentLine cl) {
      String cn = cl.param("CN");
      if (cn != null && !cn.isBlank()) {
        return cn.strip();
      }
      String v = cl.value.strip();
      return v.regionMatches(true, 0, "mailto:", 0, 7) ? v.substring(7) : v;
    }

    void appendTo(StringBuilder out) {
      if (!out.isEmpty()) {
        out.append('\n');
      }
      line(out, "Summary", summary);
      line(out, "Location", location);
      line(out, "Start", start);
      line(out, "End", end);
      line(out, "Organizer", organizer);
      line(out, "Attendees", attendees.isEmpty() ? null : String.join(", ", attendees));
      line(out, "Description", description);
    }

    private static void line(StringBuilder out, String label, String value) {
      if (value != null && !value.isBlank()) {
        out.append(label).append(": ").append(value.strip()).append('\n');
      }
    }
  }
}
