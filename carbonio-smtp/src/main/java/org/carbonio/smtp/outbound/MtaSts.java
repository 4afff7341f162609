package org.carbonio.smtp.outbound;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.carbonio.smtp.dns.DnsException;
import org.carbonio.smtp.dns.DnsResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Discovers, fetches and caches MTA-STS policies (RFC 8461 §3, §5). Thread-safe.
 *
 * <p>The policy host {@code mta-sts.<domain>} is resolved through the {@link DnsResolver} (so tests
 * can point it at 127.0.0.1) and fetched with a minimal HTTP/1.1 GET over TLS whose certificate
 * must be valid for that name (RFC 8461 §3.3); redirects are not followed, the body is limited to
 * {@value #MAX_BODY} octets.
 */
final class MtaSts {

  static final int MAX_BODY = 64 * 1024;
  private static final int MAX_CACHED = 1000;
  private static final Logger log = LoggerFactory.getLogger(MtaSts.class);

  private final DnsResolver dns;
  private final SSLContext trust;
  private final int port;
  private final Duration timeout;
  private final Clock clock;
  private final Map<String, Cached> cache =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
          return size() > MAX_CACHED;
        }
      };

  private record Cached(MtaStsPolicy policy, String id, Instant expires) {}

  MtaSts(DnsResolver dns, SSLContext trust, int port, Duration timeout, Clock clock) {
    this.dns = dns;
    this.trust = trust;
    this.port = port;
    this.timeout = timeout;
    this.clock = clock;
  }

  /** The policy in force for {@code domain}, or empty when it has none (or none could be had). */
  Optional<MtaStsPolicy> policy(String domain) {
    String d = domain.toLowerCase(Locale.ROOT);
    Instant now = clock.instant();
    Cached cached;
    synchronized (cache) {
      cached = cache.get(d);
      if (cached != null && !cached.expires.isAfter(now)) {
        cache.remove(d);
        cached = null;
      }
    }
    String id;
    try {
      id = txtId(d);
    } catch (DnsException e) {
      log.debug("MTA-STS TXT lookup for {} failed: {}", d, e.getMessage());
      return cached == null ? Optional.empty() : Optional.of(cached.policy);
    }
    if (id == null) {
      // RFC 8461 §3.1: no TXT record; a cached policy stays in force until it expires (§5.1)
      return cached == null ? Optional.empty() : Optional.of(cached.policy);
    }
    if (cached != null && cached.id.equals(id)) {
      return Optional.of(cached.policy);
    }
    try {
      Optional<MtaStsPolicy> fetched = fetch(d);
      if (fetched.isPresent()) {
        MtaStsPolicy p = fetched.get();
        synchronized (cache) {
          cache.put(d, new Cached(p, id, now.plus(p.maxAge())));
        }
        return fetched;
      }
    } catch (IOException | RuntimeException e) {
      // a malformed response is a failed fetch, never an escaping exception
      log.info("MTA-STS policy fetch for {} failed: {}", d, e.toString());
    }
    // RFC 8461 §5.1: keep using a cached policy when a refresh fails
    return cached == null ? Optional.empty() : Optional.of(cached.policy);
  }

  /** The {@code id} of the single {@code v=STSv1} TXT record, or null (RFC 8461 §3.1). */
  private String txtId(String domain) throws DnsException {
    List<String> found = new ArrayList<>();
    for (String txt : dns.txt("_mta-sts." + domain).records()) {
      if (txt.startsWith("v=STSv1;") || txt.equals("v=STSv1")) {
        found.add(txt);
      }
    }
    if (found.size() != 1) {
      return null;
    }
    for (String field : found.getFirst().split(";")) {
      String f = field.strip();
      if (f.startsWith("id=") && f.length() > 3) {
        return f.substring(3);
      }
    }
    return null;
  }

  private Optional<MtaStsPolicy> fetch(String domain) throws IOException {
    String host = "mta-sts." + domain;
    List<InetAddress> addresses = new ArrayList<>(dns.a(host).records());
    addresses.addAll(dns.aaaa(host).records());
    if (addresses.isEmpty()) {
      throw new IOException("no address for " + host);
    }
    IOException last = null;
    for (InetAddress address : addresses) {
      try {
        return MtaStsPolicy.parse(get(host, new InetSocketAddress(address, port)));
      } catch (IOException e) {
        last = e;
      }
    }
    throw last;
  }

  private String get(String host, InetSocketAddress address) throws IOException {
    int millis = (int) Math.max(1, timeout.toMillis());
    try (Socket plain = new Socket()) {
      plain.connect(address, millis);
      plain.setSoTimeout(millis);
      try (SSLSocket ssl =
          (SSLSocket) trust.getSocketFactory().createSocket(plain, host, address.getPort(), true)) {
        SSLParameters params = ssl.getSSLParameters();
        params.setServerNames(List.of(new SNIHostName(host)));
        params.setEndpointIdentificationAlgorithm("HTTPS"); // RFC 8461 §3.3
        ssl.setSSLParameters(params);
        ssl.startHandshake();
        OutputStream out = ssl.getOutputStream();
        out.write(
            ("GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: "
                    + host
                    + "\r\nAccept: text/plain\r\nConnection: close\r\n\r\n")
                .getBytes(UTF_8));
        out.flush();
        return readResponse(new java.io.BufferedInputStream(ssl.getInputStream()), host);
      }
    }
  }

  /** Reads an HTTP/1.1 response: status 200 only, Content-Length, chunked or until close. */
  static String readResponse(InputStream in, String host) throws IOException {
    String status = line(in);
    if (!status.matches("HTTP/1\\.[01] 200( .*)?")) {
      throw new IOException("policy fetch from " + host + ": " + truncate(status));
    }
    long length = -1;
    boolean chunked = false;
    String contentType = "";
    for (String h = line(in); !h.isEmpty(); h = line(in)) {
      int colon = h.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String name = h.substring(0, colon).strip().toLowerCase(Locale.ROOT);
      String value = h.substring(colon + 1).strip();
      switch (name) {
        case "content-length" -> length = number(value, 10, host);
        case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
        case "content-type" -> contentType = value.toLowerCase(Locale.ROOT);
        default -> {}
      }
    }
    if (!contentType.startsWith("text/plain")) {
      // RFC 8461 §3.2: the media type is text/plain
      throw new IOException("policy from " + host + " has Content-Type " + truncate(contentType));
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (chunked) {
      while (true) {
        String size = line(in);
        int semi = size.indexOf(';');
        long n = number((semi < 0 ? size : size.substring(0, semi)).strip(), 16, host);
        if (n == 0) {
          break;
        }
        copy(in, body, n);
        line(in);
      }
    } else if (length >= 0) {
      copy(in, body, length);
    } else {
      copy(in, body, MAX_BODY + 1L);
    }
    return body.toString(UTF_8);
  }

  /** A Content-Length (radix 10) or chunk size (radix 16): digits only, at most 12 of them. */
  private static long number(String value, int radix, String host) throws IOException {
    if (value.isEmpty() || value.length() > 12) {
      throw new IOException("policy from " + host + ": bad length " + truncate(value));
    }
    for (int i = 0; i < value.length(); i++) {
      if (Character.digit(value.charAt(i), radix) < 0) {
        throw new IOException("policy from " + host + ": bad length " + truncate(value));
      }
    }
    return Long.parseLong(value, radix);
  }

  private static void copy(InputStream in, ByteArrayOutputStream body, long n) throws IOException {
    if (body.size() + n > MAX_BODY + 1L) {
      throw new IOException("policy larger than " + MAX_BODY + " octets");
    }
    byte[] bytes = in.readNBytes((int) n);
    body.write(bytes, 0, bytes.length);
    if (body.size() > MAX_BODY) {
      throw new IOException("policy larger than " + MAX_BODY + " octets");
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      if (b.size() > 8192) {
        throw new IOException("HTTP line too long");
      }
      if (c != '\r') {
        b.write(c);
      }
    }
    if (c < 0 && b.size() == 0) {
      throw new IOException("connection closed");
    }
    return b.toString(UTF_8);
  }

  private static String truncate(String s) {
    String t = s.length() > 80 ? s.substring(0, 80) : s;
    return t.replaceAll("[\\p{Cntrl}]", "?");
  }
}
