package org.carbonio.smtp.internal.mailauth;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed SPF record (RFC 7208 §4.6, §12): its mechanisms in order and the redirect= and exp=
 * modifiers. Immutable.
 *
 * @param mechanisms the directives, left to right
 * @param redirect the redirect= domain-spec, or null
 * @param exp the exp= domain-spec, or null
 */
public record SpfRecord(List<Mechanism> mechanisms, String redirect, String exp) {

  /** Copies the list. */
  public SpfRecord {
    mechanisms = List.copyOf(mechanisms);
  }

  /**
   * One directive (RFC 7208 §5). Immutable.
   *
   * @param qualifier '+', '-', '~' or '?'
   * @param name all, include, a, mx, ptr, ip4, ip6 or exists
   * @param domainSpec the unexpanded domain-spec, or null
   * @param cidr4 the IPv4 prefix length (32 when absent)
   * @param cidr6 the IPv6 prefix length (128 when absent)
   * @param network the ip4/ip6 network, or null
   */
  public record Mechanism(
      char qualifier, String name, String domainSpec, int cidr4, int cidr6, InetAddress network) {}

  private static final Pattern MODIFIER = Pattern.compile("([A-Za-z][A-Za-z0-9_.-]*)=(.*)");
  private static final Pattern CIDR = Pattern.compile("^(.*?)(?:/(\\d+))?(?://(\\d+))?$");
  private static final Pattern IP4 =
      Pattern.compile(
          "(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})");

  /** True when {@code txt} is an SPF record: "v=spf1" then a space or the end (§4.5). */
  public static boolean isSpf(String txt) {
    return txt.regionMatches(true, 0, "v=spf1", 0, 6)
        && (txt.length() == 6 || txt.charAt(6) == ' ');
  }

  /** Parses a record that {@link #isSpf} accepted. */
  public static SpfRecord parse(String txt) throws SpfSyntaxException {
    List<Mechanism> mechanisms = new ArrayList<>();
    String redirect = null;
    String exp = null;
    for (String term : txt.substring(6).split(" ")) {
      if (term.isEmpty()) {
        continue;
      }
      Matcher mod = MODIFIER.matcher(term);
      if (mod.matches()) {
        String name = mod.group(1).toLowerCase(Locale.ROOT);
        String value = mod.group(2);
        switch (name) {
          case "redirect" -> {
            if (redirect != null) {
              throw new SpfSyntaxException("two redirect= modifiers"); // §6
            }
            redirect = domainSpec(value);
          }
          case "exp" -> {
            if (exp != null) {
              throw new SpfSyntaxException("two exp= modifiers");
            }
            exp = domainSpec(value);
          }
          default -> SpfMacro.validate(value, false); // unknown modifiers are ignored (§6)
        }
        continue;
      }
      mechanisms.add(mechanism(term));
    }
    return new SpfRecord(mechanisms, redirect, exp);
  }

  private static Mechanism mechanism(String term) throws SpfSyntaxException {
    char q = '+';
    String t = term;
    if ("+-~?".indexOf(t.charAt(0)) >= 0) {
      q = t.charAt(0);
      t = t.substring(1);
    }
    int sep = indexOfAny(t, ":/");
    String name = (sep < 0 ? t : t.substring(0, sep)).toLowerCase(Locale.ROOT);
    String rest = sep < 0 ? "" : t.substring(sep);
    switch (name) {
      case "all" -> {
        if (!rest.isEmpty()) {
          throw new SpfSyntaxException("all takes no argument: " + Names.shorten(term));
        }
        return new Mechanism(q, name, null, 32, 128, null);
      }
      case "include", "exists" -> {
        if (!rest.startsWith(":") || rest.length() == 1) {
          throw new SpfSyntaxException(name + " needs a domain: " + Names.shorten(term));
        }
        return new Mechanism(q, name, domainSpec(rest.substring(1)), 32, 128, null);
      }
      case "ptr" -> {
        String spec = null;
        if (!rest.isEmpty()) {
          if (!rest.startsWith(":") || rest.length() == 1) {
            throw new SpfSyntaxException("bad ptr: " + Names.shorten(term));
          }
          spec = domainSpec(rest.substring(1));
        }
        return new Mechanism(q, name, spec, 32, 128, null);
      }
      case "a", "mx" -> {
        Matcher m = CIDR.matcher(rest);
        if (!m.matches()) {
          throw new SpfSyntaxException("bad " + name + ": " + Names.shorten(term));
        }
        String spec = m.group(1);
        if (!spec.isEmpty()) {
          if (!spec.startsWith(":") || spec.length() == 1) {
            throw new SpfSyntaxException("bad " + name + ": " + Names.shorten(term));
          }
          spec = domainSpec(spec.substring(1));
        } else {
          spec = null;
        }
        return new Mechanism(q, name, spec, cidr(m.group(2), 32), cidr(m.group(3), 128), null);
      }
      case "ip4" -> {
        if (!rest.startsWith(":")) {
          throw new SpfSyntaxException("ip4 needs a network: " + Names.shorten(term));
        }
        String[] p = rest.substring(1).split("/", -1);
        if (p.length > 2 || !IP4.matcher(p[0]).matches()) {
          throw new SpfSyntaxException("bad ip4: " + Names.shorten(term));
        }
        for (String octet : p[0].split("\\.")) {
          if (Integer.parseInt(octet) > 255) {
            throw new SpfSyntaxException("bad ip4: " + Names.shorten(term));
          }
        }
        int len = p.length == 2 ? cidr(p[1], 32) : 32;
        return new Mechanism(q, name, null, len, 128, literal(p[0]));
      }
      case "ip6" -> {
        if (!rest.startsWith(":")) {
          throw new SpfSyntaxException("ip6 needs a network: " + Names.shorten(term));
        }
        String net = rest.substring(1);
        int slash = net.indexOf('/');
        int len = 128;
        if (slash >= 0) {
          len = cidr(net.substring(slash + 1), 128);
          net = net.substring(0, slash);
        }
        if (!net.matches("[0-9A-Fa-f:.]+") || !net.contains(":")) {
          throw new SpfSyntaxException("bad ip6: " + Names.shorten(term));
        }
        InetAddress a = literal(net);
        if (a instanceof java.net.Inet4Address) {
          throw new SpfSyntaxException("bad ip6: " + Names.shorten(term));
        }
        return new Mechanism(q, name, null, 32, len, a);
      }
      default -> throw new SpfSyntaxException("unknown mechanism: " + Names.shorten(term));
    }
  }

  private static InetAddress literal(String s) throws SpfSyntaxException {
    try {
      return InetAddress.getByName(s); // a literal: never a DNS lookup (checked above)
    } catch (UnknownHostException e) {
      throw new SpfSyntaxException("bad address: " + Names.shorten(s));
    }
  }

  private static int cidr(String digits, int max) throws SpfSyntaxException {
    if (digits == null) {
      return max;
    }
    if (!digits.matches("0|[1-9][0-9]{0,2}") || Integer.parseInt(digits) > max) {
      throw new SpfSyntaxException("bad prefix length /" + Names.shorten(digits));
    }
    return Integer.parseInt(digits);
  }

  private static int indexOfAny(String s, String chars) {
    for (int i = 0; i < s.length(); i++) {
      if (chars.indexOf(s.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }

  /** Checks a domain-spec: a valid macro-string ending in a macro or a top label (§7.1). */
  static String domainSpec(String spec) throws SpfSyntaxException {
    SpfMacro.validate(spec, false);
    if (spec.endsWith("}") || spec.endsWith("%%") || spec.endsWith("%_") || spec.endsWith("%-")) {
      return spec;
    }
    String s = spec.endsWith(".") ? spec.substring(0, spec.length() - 1) : spec;
    int dot = s.lastIndexOf('.');
    if (dot < 0) {
      throw new SpfSyntaxException("domain-spec without top label: " + Names.shorten(spec));
    }
    String top = s.substring(dot + 1);
    boolean ok =
        !top.isEmpty()
            && top.matches("[A-Za-z0-9-]+")
            && !top.startsWith("-")
            && !top.endsWith("-")
            && (top.matches(".*[A-Za-z].*") || top.contains("-"));
    if (!ok) {
      throw new SpfSyntaxException("bad top label in domain-spec: " + Names.shorten(spec));
    }
    return spec;
  }
}
