package io.vectorgate.proxy.dashboard;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Collectors;

/** The page layout and small shared pieces (navigation, forms with the CSRF token, links). */
final class Pages {
  static final String BASE = "/dashboard";

  private Pages() {}

  /** A whole page: title, navigation ({@code links}: the pages the user may open), then {@code body}. */
  static Html page(String title, WebSessions.WebSession s, Html links, Html body) {
    Html nav = Html.EMPTY;
    if (s != null) {
      nav = Html.of("""
          <nav aria-label="Main"><ul>%s</ul>
          <form class="logout" method="post" action="%s">%s<span class="who">%s</span> <button type="submit">Log out</button></form>
          </nav>""", links, BASE + "/logout", csrf(s), s.user().subject());
    }
    return Html.of("""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>%s · Vectorgate</title>
        <link rel="stylesheet" href="%s">
        </head><body>
        <header><a class="brand" href="%s">Vectorgate</a>%s</header>
        <main id="main"><h1>%s</h1>
        %s
        </main></body></html>
        """, title, BASE + "/static/dashboard.css", BASE + "/", nav, title, body);
  }

  /** The hidden CSRF field every state-changing form carries. */
  static Html csrf(WebSessions.WebSession s) {
    return Html.of("<input type=\"hidden\" name=\"csrf\" value=\"%s\">", s.csrf());
  }

  /** {@code path?k=v&...} with each key and value URL-encoded (escape the result with {@link Html#of}). */
  static String url(String path, Map<String, String> query) {
    String q = query.entrySet().stream().filter(e -> e.getValue() != null && !e.getValue().isEmpty())
        .map(e -> enc(e.getKey()) + "=" + enc(e.getValue())).collect(Collectors.joining("&"));
    return q.isEmpty() ? path : path + "?" + q;
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** A message box; {@code error} marks it as an alert. */
  static Html notice(String message, boolean error) {
    return Html.of(error ? "<p class=\"notice error\" role=\"alert\">%s</p>" : "<p class=\"notice\" role=\"status\">%s</p>",
        message);
  }
}
