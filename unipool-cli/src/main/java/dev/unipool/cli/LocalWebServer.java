package dev.unipool.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A small web site on a free loopback port, so the demos (and tests, and benchmarks) fetch real pages
 * over real HTTP without the internet. Each page answers after its own short delay (100–300 ms), so
 * running the downloads concurrently visibly pays off.
 *
 * <p>Besides {@link #pageUrls() the pages}, {@link #notFoundUrl()} answers 404 and {@link #jsonUrl()}
 * answers with a non-HTML body, for exercising error handling. Close the server when done.
 */
public final class LocalWebServer implements AutoCloseable {

  /**
   * One page of the site.
   *
   * @param path the URL path
   * @param title the title {@link TitleExtractor} finds in it
   * @param delayMillis how long the server waits before answering
   * @param html the page source
   */
  public record Page(String path, String title, int delayMillis, String html) {}

  private static final List<Page> PAGES = List.of(
      page("/podcast/episode-174", "Episode 174: Coming into Python from another industry", 180,
          "<nav><a href=\"/\">Home</a> | <a href=\"/podcast\">Episodes</a></nav>",
          "<p>A conversation about changing careers and learning to program along the way.</p>"),
      page("/news/2025/virtual-threads", "Virtual threads go mainstream", 260,
          "<header><span class=\"brand\">The Daily Stack</span></header>",
          "<p class=\"lede\">Two years after their release, most server frameworks now run on them.</p>"),
      page("/blog/threads-or-processes", "Threads or processes? A practical guide", 120,
          "<aside><h2>Related</h2><ul><li>Pools</li><li>Queues</li></ul></aside>",
          "<p>When the GIL is not the question, what is?</p>"),
      page("/docs/getting-started", "Getting started with unipool", 300,
          "<div class=\"breadcrumbs\">Docs &rsaquo; Start</div>",
          "<pre><code>Pool.of(Backend.threads(4))</code></pre>"),
      new Page("/shop", "The Corner Bookshop", 100, html("The Corner Bookshop",
          "<h1><a href=\"/shop\" title=\"The Corner Bookshop\"><img src=\"/logo.png\" alt=\"\"></a></h1>"
              + "<p>New arrivals every Thursday.</p>")),
      page("/weather/springfield", "Springfield: light rain, 14 °C", 220,
          "<header><a href=\"/\">Weather</a></header>",
          "<table><tr><td>Wind</td><td>12 km/h</td></tr></table>"));

  private static final String NOT_FOUND_PATH = "/no-such-page";
  private static final String JSON_PATH = "/api/status.json";

  private final HttpServer server;
  private final ExecutorService executor;
  private final String base;

  private LocalWebServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
    this.base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /**
   * Starts the site on a free port of 127.0.0.1.
   *
   * @return the running server
   * @throws UncheckedIOException if no port can be bound
   */
  public static LocalWebServer start() {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0), 64);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the local web server: " + e.getMessage(), e);
    }
    // One virtual thread per exchange: the delays must overlap, or the server would serialise the demo.
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    server.setExecutor(executor);
    Map<String, Page> byPath = PAGES.stream().collect(Collectors.toMap(Page::path, Function.identity()));
    server.createContext("/", exchange -> handle(exchange, byPath));
    server.start();
    return new LocalWebServer(server, executor);
  }

  /**
   * The pages this site serves.
   *
   * @return the pages, in a fixed order
   */
  public static List<Page> pages() {
    return PAGES;
  }

  /**
   * The URLs of every page, in the order of {@link #pages()}.
   *
   * @return absolute {@code http://127.0.0.1:port/...} URLs
   */
  public List<String> pageUrls() {
    return PAGES.stream().map(p -> url(p.path())).toList();
  }

  /**
   * An absolute URL on this server.
   *
   * @param path a path starting with {@code /}
   * @return the URL
   */
  public String url(String path) {
    return base + path;
  }

  /**
   * A URL this server answers with 404.
   *
   * @return the URL
   */
  public String notFoundUrl() {
    return url(NOT_FOUND_PATH);
  }

  /**
   * A URL this server answers with a JSON document (not HTML).
   *
   * @return the URL
   */
  public String jsonUrl() {
    return url(JSON_PATH);
  }

  /** Stops the server at once; requests in progress are dropped. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private static void handle(HttpExchange exchange, Map<String, Page> byPath) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      Page page = byPath.get(path);
      if (page != null) {
        pause(page.delayMillis());
        respond(exchange, 200, "text/html; charset=utf-8", page.html());
      } else if (path.equals(JSON_PATH)) {
        pause(50);
        respond(exchange, 200, "application/json", "{\"status\":\"ok\",\"pages\":" + PAGES.size() + "}");
      } else {
        pause(50);
        respond(exchange, 404, "text/html; charset=utf-8",
            html("Not found", "<h1>404 Not Found</h1><p>No page at " + escape(path) + ".</p>"));
      }
    }
  }

  private static void pause(int millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static Page page(String path, String title, int delayMillis, String header, String body) {
    return new Page(path, title, delayMillis,
        html(title, header + "<main><article><h1>" + escape(title) + "</h1>" + body + "</article></main>"));
  }

  private static String html(String title, String body) {
    return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title)
        + " | local demo site</title><link rel=\"stylesheet\" href=\"/site.css\"></head>\n<body>"
        + body + "<footer><p>&copy; 2025 Local demo site</p></footer></body></html>\n";
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
