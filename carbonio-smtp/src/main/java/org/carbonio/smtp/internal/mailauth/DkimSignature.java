package org.carbonio.smtp.internal.mailauth;

import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A parsed DKIM-Signature (RFC 6376 §3.5), ARC-Message-Signature or ARC-Seal (RFC 8617 §4.1).
 * Immutable.
 */
public final class DkimSignature {
  /** Which header field this is. */
  public enum Kind {
    /** DKIM-Signature. */
    DKIM,
    /** ARC-Message-Signature. */
    AMS,
    /** ARC-Seal. */
    AS
  }

  private final HeaderField field;
  private final Map<String, String> tags;
  private final SigningAlgorithm algorithm;
  private final String domain;
  private final String selector;
  private final boolean headerRelaxed;
  private final boolean bodyRelaxed;
  private final List<String> signedHeaders;
  private final byte[] bodyHash;
  private final byte[] signature;
  private final long length;
  private final long timestamp;
  private final long expiry;
  private final String auid;
  private final int instance;

  private DkimSignature(HeaderField field, Kind kind) {
    this.field = field;
    this.tags = TagList.parse(field.value());
    if (kind == Kind.DKIM && !"1".equals(tags.get("v"))) {
      throw new IllegalArgumentException("v= is not 1");
    }
    String a = require("a");
    this.algorithm = SigningAlgorithm.of(a);
    if (algorithm == null) {
      throw new IllegalArgumentException("unknown algorithm a=" + Names.shorten(a));
    }
    this.domain = Names.domain(require("d"));
    this.selector = require("s").strip();
    if (domain.isEmpty() || selector.isEmpty()) {
      throw new IllegalArgumentException("empty d= or s=");
    }
    this.signature = base64(TagList.compact(require("b")), "b");
    if (kind == Kind.AS) {
      this.headerRelaxed = true; // RFC 8617 §4.1.3: the seal uses relaxed only
      this.bodyRelaxed = true;
      this.signedHeaders = List.of();
      this.bodyHash = new byte[0];
      if (tags.containsKey("h")) {
        throw new IllegalArgumentException("ARC-Seal with h=");
      }
    } else {
      String c = tags.getOrDefault("c", "simple/simple").strip().toLowerCase(Locale.ROOT);
      String[] cs = c.split("/", -1);
      if (cs.length > 2 || !canon(cs[0]) || (cs.length == 2 && !canon(cs[1]))) {
        throw new IllegalArgumentException("bad c=" + Names.shorten(c));
      }
      this.headerRelaxed = cs[0].equals("relaxed");
      this.bodyRelaxed = cs.length == 2 && cs[1].equals("relaxed");
      this.signedHeaders =
          Arrays.stream(require("h").split(":"))
              .map(String::strip)
              .filter(s -> !s.isEmpty())
              .toList();
      if (kind == Kind.DKIM && signedHeaders.stream().noneMatch(h -> h.equalsIgnoreCase("from"))) {
        throw new IllegalArgumentException("h= does not include From"); // RFC 6376 §5.4
      }
      if (kind == Kind.AMS
          && signedHeaders.stream().anyMatch(h -> h.equalsIgnoreCase("arc-seal"))) {
        throw new IllegalArgumentException("AMS signs ARC-Seal"); // RFC 8617 §4.1.2
      }
      this.bodyHash = base64(TagList.compact(require("bh")), "bh");
    }
    this.length = number(tags.get("l"), "l");
    this.timestamp = number(tags.get("t"), "t");
    this.expiry = number(tags.get("x"), "x");
    if (expiry >= 0 && timestamp >= 0 && expiry < timestamp) {
      throw new IllegalArgumentException("x= before t="); // RFC 6376 §3.5
    }
    if (kind == Kind.DKIM) {
      String q = tags.get("q");
      if (q != null && !q.strip().toLowerCase(Locale.ROOT).startsWith("dns/txt")) {
        throw new IllegalArgumentException("q= " + Names.shorten(q));
      }
      String i = tags.get("i");
      this.auid = i == null ? "@" + domain : i.strip();
      int at = auid.lastIndexOf('@');
      if (at < 0 || !Names.isSubdomain(auid.substring(at + 1), domain)) {
        throw new IllegalArgumentException("i= not in d= domain"); // RFC 6376 §3.5
      }
      this.instance = 0;
    } else {
      this.auid = null;
      long i = number(require("i"), "i");
      if (i < 1 || i > 50) {
        throw new IllegalArgumentException("i=" + i); // RFC 8617 §4.2.1
      }
      this.instance = (int) i;
    }
    if (kind == Kind.AS) {
      String cv = require("cv").strip().toLowerCase(Locale.ROOT);
      if (!cv.equals("none") && !cv.equals("pass") && !cv.equals("fail")) {
        throw new IllegalArgumentException("cv=" + Names.shorten(cv));
      }
    }
  }

  /** Parses one field; {@link IllegalArgumentException} says what is wrong with it. */
  public static DkimSignature parse(HeaderField field, Kind kind) {
    return new DkimSignature(field, kind);
  }

  private static boolean canon(String s) {
    return s.equals("simple") || s.equals("relaxed");
  }

  private String require(String tag) {
    String v = tags.get(tag);
    if (v == null) {
      throw new IllegalArgumentException("missing " + tag + "=");
    }
    return v;
  }

  private static byte[] base64(String v, String tag) {
    try {
      return Base64.getDecoder().decode(v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(tag + "= is not base64", e);
    }
  }

  private static long number(String v, String tag) {
    if (v == null) {
      return -1;
    }
    String s = v.strip();
    if (!s.matches("[0-9]{1,15}")) {
      throw new IllegalArgumentException(tag + "=" + Names.shorten(s));
    }
    return Long.parseLong(s);
  }

  /** The body spec to hash for this signature. */
  public BodySpec bodySpec() {
    return new BodySpec(bodyRelaxed, algorithm.digest(), length);
  }

  /** The header field. */
  public HeaderField field() {
    return field;
  }

  /** A tag's value or null. */
  public String tag(String name) {
    return tags.get(name);
  }

  /** a=. */
  public SigningAlgorithm algorithm() {
    return algorithm;
  }

  /** d=, lower case. */
  public String domain() {
    return domain;
  }

  /** s=. */
  public String selector() {
    return selector;
  }

  /** True for relaxed header canonicalization. */
  public boolean headerRelaxed() {
    return headerRelaxed;
  }

  /** h=. */
  public List<String> signedHeaders() {
    return signedHeaders;
  }

  /** bh=, a copy. */
  public byte[] bodyHash() {
    return bodyHash.clone();
  }

  /** b=, a copy. */
  public byte[] signature() {
    return signature.clone();
  }

  /** l= or -1. */
  public long length() {
    return length;
  }

  /** t= or -1. */
  public long timestamp() {
    return timestamp;
  }

  /** x= or -1. */
  public long expiry() {
    return expiry;
  }

  /** i= of a DKIM signature (defaults to "@" + d). */
  public String auid() {
    return auid;
  }

  /** i= of an ARC field. */
  public int instance() {
    return instance;
  }
}
