package io.vectorgate.proxy.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Pattern;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class HtmlTest {
  private static final Pattern ENTITY = Pattern.compile("&(amp|lt|gt|quot|#39|#96);");

  @Test
  void scriptInACollectionNameRendersAsText() {
    Html h = Html.of("<h3>%s on %s</h3>", "delete", "<script>alert(1)</script>");
    assertEquals("<h3>delete on &lt;script&gt;alert(1)&lt;/script&gt;</h3>", h.markup());
  }

  @Test
  void attributeBreakoutIsEscaped() {
    Html h = Html.of("<input value=\"%s\">", "\" autofocus onfocus=alert(1) x=\"");
    assertEquals("<input value=\"&quot; autofocus onfocus=alert(1) x=&quot;\">", h.markup());
    assertEquals("<a title='&#39;&gt;&lt;b&gt;'>", Html.of("<a title='%s'>", "'><b>").markup());
  }

  @Test
  void filterWithEntitiesAndQuotesRoundTripsAsText() {
    assertEquals("id &gt; 5 &amp;&amp; name == &quot;&lt;img src=x onerror=alert(1)&gt;&quot; &amp;lt;",
        Html.text("id > 5 && name == \"<img src=x onerror=alert(1)>\" &lt;").markup());
  }

  @Test
  void controlCharactersAreReplacedAndNullIsEmpty() {
    assertEquals("a\uFFFDb\tc\n", Html.escape("a\u0000b\tc\n"));
    assertEquals("", Html.escape(null));
    assertEquals("", Html.text(null).markup());
  }

  @Test
  void trustedHtmlArgumentsAreNotEscapedTwiceButStringsAlways() {
    Html inner = Html.of("<b>%s</b>", "<i>");
    assertEquals("<p><b>&lt;i&gt;</b> &lt;b&gt;</p>", Html.of("<p>%s %s</p>", inner, "<b>").markup());
    assertEquals("100% &lt;", Html.of("100%% %s", "<").markup());
  }

  @Test
  void argumentCountMustMatchThePlaceholders() {
    assertThrows(IllegalArgumentException.class, () -> Html.of("%s %s", "one"));
    assertThrows(IllegalArgumentException.class, () -> Html.of("%s", "one", "two"));
  }

  @Property
  void escapedTextHasNoMarkupCharacters(@ForAll String s) {
    String e = Html.escape(s);
    for (char c : new char[] {'<', '>', '"', '\'', '`'}) {
      assertFalse(e.indexOf(c) >= 0, "escaped text contains " + c + ": " + e);
    }
    String withoutEntities = ENTITY.matcher(e).replaceAll("");
    assertFalse(withoutEntities.contains("&"), "a bare & in " + e);
  }

  @Property
  void escapingIsReversibleForPrintableText(@ForAll String s) {
    String printable = s.replaceAll("[\\x00-\\x08\\x0b-\\x1f\\x7f]", "");
    String back = Html.escape(printable).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
        .replace("&#39;", "'").replace("&#96;", "`").replace("&amp;", "&");
    assertEquals(printable, back);
    assertTrue(Html.of("<p>%s</p>", printable).markup().startsWith("<p>"));
  }
}
