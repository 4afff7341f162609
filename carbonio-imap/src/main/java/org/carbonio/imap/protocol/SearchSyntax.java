package org.carbonio.imap.protocol;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.carbonio.imap.protocol.CommandParser.ParseError;

/**
 * Parsing of the search family's extensions: RETURN options (RFC 4731 §3.1, RFC 5182 §2, RFC 9394
 * §3.1), SORT (RFC 5256 §3, RFC 5957, RFC 5267), THREAD (RFC 5256 §4) and the PARTIAL fetch
 * modifier (RFC 9394 §3.2). Package-private; stateless.
 */
final class SearchSyntax {
  private SearchSyntax() {}

  /** Thread algorithms this server knows (RFC 5256 §4), upper case. */
  static final List<String> THREAD_ALGORITHMS = List.of("ORDEREDSUBJECT", "REFERENCES");

  /** {@code [RETURN (opts)]} at the current position (RFC 4731 §3.1 search-return-opts). */
  static Optional<SearchReturn> searchReturn(CommandParser p) throws ParseError {
    if (!(p.peek() instanceof Token.Atom a) || !a.text().equalsIgnoreCase("RETURN")) {
      return Optional.empty();
    }
    p.skip();
    p.expectOpen();
    Set<SearchReturn.Option> options = EnumSet.noneOf(SearchReturn.Option.class);
    Optional<SearchReturn.PartialRange> partial = Optional.empty();
    while (!p.peekClose()) {
      String opt = p.atomOrFail("return option").toUpperCase(Locale.ROOT);
      switch (opt) {
        case "MIN" -> options.add(SearchReturn.Option.MIN);
        case "MAX" -> options.add(SearchReturn.Option.MAX);
        case "ALL" -> options.add(SearchReturn.Option.ALL);
        case "COUNT" -> options.add(SearchReturn.Option.COUNT);
        case "SAVE" -> options.add(SearchReturn.Option.SAVE);
        case "PARTIAL" -> {
          if (partial.isPresent()) throw new ParseError("PARTIAL given twice");
          partial = Optional.of(partialRange(p));
        }
        default -> throw new ParseError("unknown return option " + Texts.sanitize(opt));
      }
    }
    p.skip();
    if (partial.isPresent() && options.contains(SearchReturn.Option.ALL)) {
      // RFC 9394 §3.1: PARTIAL and ALL are mutually exclusive
      throw new ParseError("PARTIAL and ALL cannot be combined");
    }
    return Optional.of(new SearchReturn(options, partial));
  }

  static SearchReturn.PartialRange partialRange(CommandParser p) throws ParseError {
    String r = p.atomOrFail("partial range");
    SearchReturn.PartialRange range = SearchReturn.PartialRange.parse(r);
    if (range == null) throw new ParseError("bad partial range " + Texts.sanitize(r));
    return range;
  }

  /** SORT [RETURN (...)] (criteria) charset search-criteria (RFC 5256 §3, RFC 5267 §3). */
  static ImapCommand sort(CommandParser p, String tag, boolean uid) throws ParseError {
    Optional<SearchReturn> ret = searchReturn(p);
    p.expectOpen();
    List<SortKey> keys = new ArrayList<>();
    boolean reverse = false;
    while (!p.peekClose()) {
      String k = p.atomOrFail("sort key").toUpperCase(Locale.ROOT);
      if (k.equals("REVERSE")) {
        if (reverse) throw new ParseError("REVERSE REVERSE");
        reverse = true;
        continue;
      }
      SortKey.Criterion c;
      try {
        c = SortKey.Criterion.valueOf(k);
      } catch (IllegalArgumentException e) {
        throw new ParseError("unknown sort key " + Texts.sanitize(k));
      }
      keys.add(new SortKey(c, reverse));
      reverse = false;
    }
    p.skip();
    if (reverse) throw new ParseError("REVERSE without a sort key");
    if (keys.isEmpty()) throw new ParseError("empty sort criteria");
    String charset = p.astring().toUpperCase(Locale.ROOT);
    return new ImapCommand.Sort(tag, uid, ret, keys, charset, p.searchKeys());
  }

  /** THREAD algorithm charset search-criteria (RFC 5256 §4). */
  static ImapCommand thread(CommandParser p, String tag, boolean uid) throws ParseError {
    String algorithm = p.atomOrFail("thread algorithm").toUpperCase(Locale.ROOT);
    if (!THREAD_ALGORITHMS.contains(algorithm)) {
      throw new ParseError("unknown thread algorithm " + Texts.sanitize(algorithm));
    }
    String charset = p.astring().toUpperCase(Locale.ROOT);
    return new ImapCommand.Thread(tag, uid, algorithm, charset, p.searchKeys());
  }
}
