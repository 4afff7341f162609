package org.carbonio.mime.internal;

import java.util.Set;
import java.util.regex.Pattern;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeTraversor;
import org.jsoup.select.NodeVisitor;

/**
 * HTML to the plain text a reader sees, with jsoup: block elements break lines, scripts, styles and
 * the head are dropped, entities are decoded, links keep their text, {@code pre} keeps its white
 * space. Thread-safe (stateless).
 */
public final class HtmlText {

  private static final Set<String> SKIP =
      Set.of("script", "style", "head", "title", "template", "object", "embed", "applet", "svg");

  private static final Set<String> LINE =
      Set.of(
          "br",
          "div",
          "li",
          "tr",
          "dt",
          "dd",
          "pre",
          "hr",
          "section",
          "article",
          "header",
          "footer",
          "address",
          "center",
          "form",
          "fieldset",
          "nav",
          "aside",
          "figure",
          "main",
          "caption",
          "option",
          "legend",
          "figcaption",
          "details",
          "summary",
          "body",
          "html");

  private static final Set<String> PARAGRAPH =
      Set.of("p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "ul", "ol", "dl");

  private static final Set<String> CELL = Set.of("td", "th");

  private static final Pattern FILE_NAME =
      Pattern.compile("(?i)\\S+\\.(?:png|jpe?g|gif|bmp|webp|tiff?|svg|ico)");

  private HtmlText() {}

  /** The text of {@code html}. Never throws on any markup. */
  public static String toText(String html) {
    Element body = Jsoup.parse(html);
    Collector c = new Collector();
    NodeTraversor.traverse(c, body);
    return TextCleanup.tidy(c.out.toString());
  }

  private static final class Collector implements NodeVisitor {
    final StringBuilder out = new StringBuilder();
    int skipDepth;
    int preDepth;

    @Override
    public void head(Node node, int depth) {
      if (node instanceof Element e) {
        String tag = e.normalName();
        if (skipDepth > 0 || SKIP.contains(tag)) {
          skipDepth++;
          return;
        }
        if (tag.equals("pre")) {
          preDepth++;
        }
        if (PARAGRAPH.contains(tag)) {
          blankLine();
        } else if (LINE.contains(tag)) {
          newline();
        } else if (CELL.contains(tag)) {
          space();
        } else if (tag.equals("img")) {
          // mail readers block remote images by default and show the alt text instead; an alt
          // that is only the image's file name says nothing
          String alt = e.attr("alt").strip();
          if (!alt.isEmpty() && !FILE_NAME.matcher(alt).matches()) {
            text(alt);
          }
        }
      } else if (node instanceof TextNode t && skipDepth == 0) {
        if (preDepth > 0) {
          out.append(t.getWholeText().replace('\u00a0', ' '));
        } else {
          text(t.text());
        }
      }
    }

    @Override
    public void tail(Node node, int depth) {
      if (node instanceof Element e) {
        String tag = e.normalName();
        if (skipDepth > 0) {
          skipDepth--;
          return;
        }
        if (tag.equals("pre")) {
          preDepth--;
        }
        if (PARAGRAPH.contains(tag)) {
          blankLine();
        } else if (LINE.contains(tag) && !tag.equals("br")) {
          newline();
        }
      }
    }

    private void text(String s) {
      StringBuilder sb = new StringBuilder(s.length());
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        boolean ws = Character.isWhitespace(c) || c == '\u00a0';
        if (ws) {
          if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != ' ') {
            sb.append(' ');
          } else if (sb.isEmpty()) {
            sb.append(' ');
          }
        } else {
          sb.append(c);
        }
      }
      if (sb.isEmpty()) {
        return;
      }
      if (sb.charAt(0) == ' ' && (out.isEmpty() || endsWithBlank())) {
        sb.deleteCharAt(0);
      }
      out.append(sb);
    }

    private boolean endsWithBlank() {
      char last = out.charAt(out.length() - 1);
      return last == ' ' || last == '\n' || last == '\t';
    }

    private void space() {
      if (!out.isEmpty() && !endsWithBlank()) {
        out.append(' ');
      }
    }

    private void newline() {
      trimTrailingSpaces();
      if (!out.isEmpty() && out.charAt(out.length() - 1) != '\n') {
        out.append('\n');
      }
    }

    private void blankLine() {
      newline();
      if (!out.isEmpty() && !(out.length() >= 2 && out.charAt(out.length() - 2) == '\n')) {
        out.append('\n');
      }
    }

    private void trimTrailingSpaces() {
      int n = out.length();
      while (n > 0 && out.charAt(n - 1) == ' ') {
        n--;
      }
      out.setLength(n);
    }
  }
}
