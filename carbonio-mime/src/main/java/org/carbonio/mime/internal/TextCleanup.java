package org.carbonio.mime.internal;

/** Line-end and blank-line normalisation for extracted text. Thread-safe (stateless). */
public final class TextCleanup {

  private TextCleanup() {}

  /**
   * CRLF and bare CR become LF, trailing blanks of each line go, NUL and other C0 controls except
   * tab and LF are dropped, runs of blank lines become one, and leading and trailing blank lines
   * go.
   */
  public static String tidy(CharSequence s) {
    StringBuilder out = new StringBuilder(s.length());
    int blank = 0; // newlines pending
    StringBuilder line = new StringBuilder();
    int n = s.length();
    for (int i = 0; i <= n; i++) {
      char c = i < n ? s.charAt(i) : '\n';
      if (c == '\r') {
        if (i + 1 < n && s.charAt(i + 1) == '\n') {
          continue;
        }
        c = '\n';
      }
      if (c == '\n') {
        int e = line.length();
        while (e > 0 && (line.charAt(e - 1) == ' ' || line.charAt(e - 1) == '\t')) {
          e--;
        }
        line.setLength(e);
        if (line.isEmpty()) {
          blank++;
        } else {
          if (!out.isEmpty()) {
            out.append(blank > 0 ? "\n\n" : "\n");
          }
          out.append(line);
          blank = 0;
        }
        line.setLength(0);
      } else if (c >= 0x20 || c == '\t') {
        if (c != 0x7f) {
          line.append(c);
        }
      }
    }
    return out.toString();
  }
}
