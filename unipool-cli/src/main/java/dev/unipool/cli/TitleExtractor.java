package dev.unipool.cli;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * Finds a page's title the way the course's {@code get_title} does: the first {@code <h1>}'s text; if
 * that heading has no text (say, a logo link), the text or {@code title} attribute of the link inside it;
 * otherwise {@value #NONE}.
 */
public final class TitleExtractor {
  /** The title of a page that has none. */
  public static final String NONE = "NONE";

  private TitleExtractor() {}

  /**
   * Extracts the title from an HTML document.
   *
   * @param html the page source
   * @return the title, stripped of surrounding white space, or {@value #NONE}
   */
  public static String title(String html) {
    Document doc = Jsoup.parse(html);
    Element h1 = doc.selectFirst("h1");
    if (h1 == null) {
      return NONE;
    }
    String text = h1.text().strip();
    if (!text.isEmpty()) {
      return text;
    }
    Element link = h1.selectFirst("a");
    if (link != null) {
      if (!link.text().isBlank()) {
        return link.text().strip();
      }
      if (link.hasAttr("title") && !link.attr("title").isBlank()) {
        return link.attr("title").strip();
      }
    }
    return NONE;
  }
}
