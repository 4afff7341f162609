package org.carbonio.mime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EncodedWordsTest {

  @Test
  void decodeShouldDecodeRfc2047Examples() {
    // RFC 2047 §8
    assertThat(EncodedWords.decode("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>"))
        .isEqualTo("Keld Jørn Simonsen <keld@dkuug.dk>");
    assertThat(EncodedWords.decode("(=?ISO-8859-1?Q?a?= b)")).isEqualTo("(a b)");
    assertThat(EncodedWords.decode("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)")).isEqualTo("(ab)");
    assertThat(EncodedWords.decode("(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)"))
        .isEqualTo("(ab)");
    assertThat(EncodedWords.decode("(=?ISO-8859-1?Q?a_b?=)")).isEqualTo("(a b)");
    assertThat(EncodedWords.decode("(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)")).isEqualTo("(a b)");
  }

  @Test
  void decodeShouldJoinBytesWhenMultibyteCharIsSplitAcrossWords() {
    // "é" = C3 A9 split across two base64 words
    assertThat(EncodedWords.decode("=?UTF-8?B?w6k=?= =?UTF-8?Q?caf=C3?= =?UTF-8?Q?=A9?="))
        .isEqualTo("écafé");
  }

  @Test
  void decodeShouldDecodeWordsWhenSpacesAreMissing() {
    assertThat(EncodedWords.decode("Re:=?utf-8?q?caf=C3=A9?=!")).isEqualTo("Re:café!");
  }

  @Test
  void decodeShouldFallBackWhenCharsetIsUnknown() {
    assertThat(EncodedWords.decode("=?x-nonsense?q?caf=C3=A9?=")).isEqualTo("café");
    assertThat(EncodedWords.decode("=?x-nonsense?q?caf=E9?=")).isEqualTo("café");
  }

  @Test
  void decodeShouldIgnoreLanguageWhenRfc2231SuffixIsPresent() {
    assertThat(EncodedWords.decode("=?US-ASCII*EN?Q?Keith_Moore?=")).isEqualTo("Keith Moore");
  }

  @Test
  void decodeShouldLeaveTextWhenWordIsMalformed() {
    assertThat(EncodedWords.decode("=?utf-8?x?abc?=")).isEqualTo("=?utf-8?x?abc?=");
    assertThat(EncodedWords.decode("=?utf-8?q?unterminated")).isEqualTo("=?utf-8?q?unterminated");
    assertThat(EncodedWords.decode("a =? b")).isEqualTo("a =? b");
    assertThat(EncodedWords.decode("=?utf-8?b?w6k?=")).isEqualTo("é");
  }

  @Test
  void decodeShouldReadRawUtf8WhenValueHoldsEightBitOctets() {
    assertThat(EncodedWords.decode("caf\u00c3\u00a9")).isEqualTo("café");
    assertThat(EncodedWords.decode("caf\u00e9")).isEqualTo("café");
  }

  @Test
  void decodeShouldResolveWildAliasesWhenCharsetIsNotAJdkName() {
    // "안녕똠" in windows-949 (ks_c_5601-1987 as Outlook labels Korean)
    assertThat(EncodedWords.decode("=?ks_c_5601-1987?B?vsiz54xj?=")).isEqualTo("안녕똠");
    // RFC 2152 UTF-7 inside a Q word
    assertThat(EncodedWords.decode("=?unicode-1-1-utf-7?Q?Hi_Mom_-+Jjo--!?="))
        .isEqualTo("Hi Mom -\u263a-!");
    assertThat(EncodedWords.decode("=?gb2312?B?1tDOxA==?=")).isEqualTo("中文");
    assertThat(EncodedWords.decode("=?iso-8859-1?Q?=93hi=94?=")).isEqualTo("\u201chi\u201d");
  }
}
