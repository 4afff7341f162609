package org.carbonio.mime;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.carbonio.mime.ImapValue.Atom;
import org.carbonio.mime.ImapValue.Lst;
import org.carbonio.mime.ImapValue.Str;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Compares BODYSTRUCTURE and ENVELOPE with a private Dovecot 2.3 on corpus messages (README
 * "Differences from Dovecot 2.3"). Fails when dovecot is not installed.
 */
class DovecotOracleTest {

  private static DovecotOracle dovecot;

  @BeforeAll
  static void startDovecot() throws IOException {
    dovecot = DovecotOracle.start();
  }

  @AfterAll
  static void stopDovecot() throws IOException {
    if (dovecot != null) {
      dovecot.close();
    }
  }

  static List<Path> sample() throws IOException {
    Path corpus = Corpus.dir();
    List<String> names = new ArrayList<>();
    for (String line : Files.readAllLines(corpus.resolve("MANIFEST.tsv"))) {
      String name = line.split("\t", 2)[0];
      if (name.endsWith(".eml")) {
        names.add(name);
      }
    }
    names.sort(null);
    List<Path> picked = new ArrayList<>();
    int step = Integer.getInteger("carbonio.oracle.step", 1); // 9 compares a 556-message sample
    for (int i = 0; i < names.size(); i += step) {
      picked.add(corpus.resolve(names.get(i)));
    }
    return picked;
  }

  @Test
  void bodyStructureAndEnvelopeShouldMatchDovecotWhenCorpusMessagesAreAppended()
      throws IOException {
    List<Path> files = sample();
    int compared = 0;
    int identical = 0;
    int refused = 0;
    Map<String, Integer> perRule = new TreeMap<>();
    List<String> unexplained = new ArrayList<>();
    try (DovecotOracle.Session s = dovecot.login()) {
      for (Path f : files) {
        byte[] crlf = ParsedMessage.toCrlf(Files.readAllBytes(f));
        long uid = s.append(crlf);
        if (uid < 0) {
          refused++;
          continue;
        }
        List<String> untagged = s.command("UID FETCH " + uid + " (BODYSTRUCTURE ENVELOPE)");
        Lst theirs = null;
        for (String u : untagged) {
          if (u.toUpperCase(Locale.ROOT).contains(" FETCH (")) {
            theirs = ImapValue.fetchItems(u);
          }
        }
        assertThat(theirs).as("FETCH of %s", f).isNotNull();
        ParsedMessage ours = ParsedMessage.parse(crlf);
        ByteRange h = ours.root().header();
        byte[] header = Arrays.copyOfRange(crlf, h.start(), h.end());
        ImapValue[] body = {
          normBody(ImapValue.parse(ours.bodyStructure())), normBody(item(theirs, "BODYSTRUCTURE"))
        };
        ImapValue[] env = {ImapValue.parse(ours.envelope()), item(theirs, "ENVELOPE")};
        compared++;
        List<String> diffs = diffs(body, env);
        if (diffs.isEmpty()) {
          identical++;
          continue;
        }
        for (DovecotDifferences rule : DovecotDifferences.values()) {
          body = rule.body(body[0], body[1], header, crlf);
          env = rule.envelope(env[0], env[1], header);
          List<String> left = diffs(body, env);
          if (!left.equals(diffs)) {
            perRule.merge(rule.name(), 1, Integer::sum);
          }
          diffs = left;
        }
        for (String d : diffs) {
          unexplained.add(f.getFileName() + " " + d);
        }
      }
    }
    Files.write(Path.of("target/dovecot-oracle-diffs.txt"), unexplained, ISO_8859_1);
    System.out.printf(
        "Dovecot oracle: %d messages compared, %d identical, %d refused by Dovecot; by rule %s;"
            + " %d unexplained differences%n",
        compared, identical, refused, perRule, unexplained.size());
    assertThat(compared).isGreaterThanOrEqualTo(500);
    assertThat(unexplained).isEmpty();
  }

  private static List<String> diffs(ImapValue[] body, ImapValue[] env) {
    List<String> out = new ArrayList<>();
    diff("BODYSTRUCTURE", body[0], body[1], out);
    diff("ENVELOPE", env[0], env[1], out);
    return out;
  }

  private static ImapValue item(Lst fetch, String name) {
    for (int i = 0; i + 1 < fetch.items().size(); i += 2) {
      if (fetch.items().get(i) instanceof Atom a && a.text().equalsIgnoreCase(name)) {
        return fetch.items().get(i + 1);
      }
    }
    throw new IllegalArgumentException(name + " missing in " + fetch);
  }

  private static void diff(String path, ImapValue ours, ImapValue theirs, List<String> out) {
    if (ours.equals(theirs)) {
      return;
    }
    if (ours instanceof Lst a && theirs instanceof Lst b && a.items().size() == b.items().size()) {
      for (int i = 0; i < a.items().size(); i++) {
        diff(path + "/" + i, a.items().get(i), b.items().get(i), out);
      }
      return;
    }
    out.add(path + ": ours=" + ours + " dovecot=" + theirs);
  }

  // RFC 3501 §7.4.2 / RFC 2045 §5.1, §6.1 / RFC 2183 §2: media type, subtype, encoding,
  // parameter attribute names and disposition type are case-insensitive
  static ImapValue normBody(ImapValue v) {
    if (!(v instanceof Lst l) || l.items().isEmpty()) {
      return v;
    }
    List<ImapValue> in = l.items();
    List<ImapValue> out = new ArrayList<>(in);
    if (in.get(0) instanceof Lst) {
      int i = 0;
      while (i < in.size() && in.get(i) instanceof Lst) {
        out.set(i, normBody(in.get(i)));
        i++;
      }
      lowerAt(out, i); // subtype
      paramsAt(out, i + 1);
      dispositionAt(out, i + 2);
      return new Lst(out);
    }
    lowerAt(out, 0);
    lowerAt(out, 1);
    paramsAt(out, 2);
    lowerAt(out, 5);
    int next = 7;
    boolean message =
        in.size() > 9
            && in.get(0) instanceof Str t
            && t.text().equalsIgnoreCase("message")
            && in.get(7) instanceof Lst
            && in.get(8) instanceof Lst;
    boolean text = in.get(0) instanceof Str t && t.text().equalsIgnoreCase("text");
    if (message) {
      out.set(8, normBody(in.get(8)));
      next = 10;
    } else if (text) {
      next = 8;
    }
    dispositionAt(out, next + 1);
    return new Lst(out);
  }

  private static void lowerAt(List<ImapValue> v, int i) {
    if (i < v.size() && v.get(i) instanceof Str s) {
      v.set(i, new Str(s.text().toLowerCase(Locale.ROOT)));
    }
  }

  private static void paramsAt(List<ImapValue> v, int i) {
    if (i < v.size() && v.get(i) instanceof Lst l) {
      List<ImapValue> p = new ArrayList<>(l.items());
      for (int k = 0; k < p.size(); k += 2) {
        lowerAt(p, k);
      }
      v.set(i, new Lst(p));
    }
  }

  private static void dispositionAt(List<ImapValue> v, int i) {
    if (i < v.size() && v.get(i) instanceof Lst l && !l.items().isEmpty()) {
      List<ImapValue> d = new ArrayList<>(l.items());
      lowerAt(d, 0);
      paramsAt(d, 1);
      v.set(i, new Lst(d));
    }
  }
}
