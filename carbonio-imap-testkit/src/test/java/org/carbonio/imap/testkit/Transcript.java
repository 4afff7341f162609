package org.carbonio.imap.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a C:/S: script (James mpt style). {@code C: text} sends text + CRLF; {@code S: regex} reads
 * one server line and matches it in full. {@code C2:}/{@code S2:} address a second connection. A
 * line {@code C: text\} sends text without CRLF (for literal bytes). {@code #} starts a comment. A
 * named group {@code (?<name>...)} in an {@code S:} regex captures a value that later lines, of
 * either kind, use as {@code ${name}} (for UIDVALIDITY, MAILBOXID and the like).
 */
final class Transcript {
  /** A client connection under test (in memory or a socket). */
  interface Peer extends AutoCloseable {
    void send(byte[] bytes) throws IOException;

    /** Next server line without CRLF, or fails after a timeout. */
    String readLine() throws IOException;

    @Override
    void close();
  }

  private static final Pattern LINE = Pattern.compile("([CS])(\\d?): ?(.*)");
  private static final Pattern GROUP = Pattern.compile("\\(\\?<([a-zA-Z][a-zA-Z0-9]*)>");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([a-zA-Z][a-zA-Z0-9]*)\\}");

  static List<String> load(String resource) throws IOException {
    try (InputStream in = Transcript.class.getResourceAsStream("/transcripts/" + resource)) {
      if (in == null) throw new IOException("no transcript " + resource);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
  }

  private static String substitute(String text, Map<String, String> vars, String where) {
    Matcher v = VARIABLE.matcher(text);
    StringBuilder sb = new StringBuilder();
    while (v.find()) {
      String value = vars.get(v.group(1));
      if (value == null) fail(where + ": ${" + v.group(1) + "} was not captured");
      v.appendReplacement(sb, Matcher.quoteReplacement(value));
    }
    v.appendTail(sb);
    return sb.toString();
  }

  static void run(String resource, IntFunction<Peer> connect) throws IOException {
    List<String> script = load(resource);
    Map<Integer, Peer> peers = new HashMap<>();
    Map<String, String> vars = new HashMap<>();
    try {
      int n = 0;
      for (String line : script) {
        n++;
        if (line.isBlank() || line.startsWith("#")) continue;
        Matcher m = LINE.matcher(line);
        if (!m.matches()) fail(resource + ":" + n + ": bad script line " + line);
        int id = m.group(2).isEmpty() ? 1 : Integer.parseInt(m.group(2));
        Peer peer = peers.computeIfAbsent(id, connect::apply);
        String text = substitute(m.group(3), vars, resource + ":" + n);
        if (m.group(1).equals("C")) {
          boolean raw = text.endsWith("\\");
          String payload = raw ? text.substring(0, text.length() - 1) : text + "\r\n";
          peer.send(payload.getBytes(StandardCharsets.UTF_8));
        } else {
          String got = peer.readLine();
          Pattern expected = Pattern.compile(text, Pattern.DOTALL);
          assertThat(got).as("%s:%d expected /%s/", resource, n, text).matches(expected);
          Matcher g = GROUP.matcher(text);
          Matcher values = expected.matcher(got);
          if (values.matches()) {
            while (g.find()) vars.put(g.group(1), values.group(g.group(1)));
          }
        }
      }
    } finally {
      peers.values().forEach(Peer::close);
    }
  }
}
