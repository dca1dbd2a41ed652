package dev.unipool.cli;

import java.io.IOException;
import java.io.Serial;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Fetches pages with {@link HttpClient}, turning every failure into a {@link FetchException} with a
 * one-line reason (unreachable, HTTP status, not HTML).
 *
 * <p>The client lives in a lazily initialised static holder rather than in tasks: tasks must stay
 * serializable (they may run in another JVM), and each JVM then builds its own client once.
 */
public final class PageFetcher {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);

  private PageFetcher() {}

  /** The initialization-on-demand holder: the client is built on first use, per JVM. */
  private static final class Holder {
    static final HttpClient CLIENT = HttpClient.newBuilder()
        .connectTimeout(CONNECT_TIMEOUT)
        .followRedirects(HttpClient.Redirect.NORMAL)
        // The embedded server speaks HTTP/1.1; skipping the h2c upgrade attempt keeps requests simple.
        .version(HttpClient.Version.HTTP_1_1)
        .build();
  }

  /**
   * The shared client of this JVM.
   *
   * @return the client
   */
  public static HttpClient client() {
    return Holder.CLIENT;
  }

  /**
   * Downloads an HTML page, blocking the calling thread.
   *
   * @param url an {@code http} or {@code https} URL
   * @return the page source
   * @throws FetchException if the URL is bad or unreachable, the status is not 2xx, or the body is not HTML
   * @throws InterruptedException if interrupted while waiting
   */
  public static String fetchHtml(String url) throws FetchException, InterruptedException {
    HttpRequest request = request(url);
    HttpResponse<String> response;
    try {
      response = client().send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new FetchException(describe(e), e);
    }
    return checkHtml(response);
  }

  /**
   * Starts downloading a page without blocking: the asynchronous-client style of the course's
   * {@code aiohttp} downloads.
   *
   * @param url an {@code http} or {@code https} URL
   * @return the body, or a future failed with a {@link FetchException}
   */
  public static CompletableFuture<String> fetchAsync(String url) {
    HttpRequest request;
    try {
      request = request(url);
    } catch (FetchException e) {
      return CompletableFuture.failedFuture(e);
    }
    return client().sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .handle((response, error) -> {
          if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null
                ? error.getCause()
                : error;
            throw new CompletionException(new FetchException(describe(cause), cause));
          }
          try {
            return checkStatus(response).body();
          } catch (FetchException e) {
            throw new CompletionException(e);
          }
        });
  }

  /**
   * The URL as the course prints it: without the scheme.
   *
   * @param url a URL
   * @return {@code host[:port]/path}
   */
  public static String display(String url) {
    int scheme = url.indexOf("://");
    return scheme < 0 ? url : url.substring(scheme + 3);
  }

  private static HttpRequest request(String url) throws FetchException {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new FetchException("not a valid URL", e);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if ((!scheme.equals("http") && !scheme.equals("https")) || uri.getHost() == null) {
      throw new FetchException("not an http(s) URL");
    }
    return HttpRequest.newBuilder(uri)
        .timeout(REQUEST_TIMEOUT)
        .header("User-Agent", "unipool-demo/1 (java.net.http)")
        .header("Accept", "text/html,application/xhtml+xml")
        .GET()
        .build();
  }

  private static <T> HttpResponse<T> checkStatus(HttpResponse<T> response) throws FetchException {
    int status = response.statusCode();
    if (status < 200 || status > 299) {
      throw new FetchException("HTTP " + status);
    }
    return response;
  }

  private static String checkHtml(HttpResponse<String> response) throws FetchException {
    checkStatus(response);
    String type = response.headers().firstValue("Content-Type").orElse("");
    // A missing Content-Type is given the benefit of the doubt; jsoup copes with anything textual.
    if (!type.isEmpty() && !type.toLowerCase(Locale.ROOT).contains("html")) {
      throw new FetchException("not HTML (Content-Type: " + type + ")");
    }
    return response.body();
  }

  private static String describe(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
        return "unreachable (unknown host)";
      }
    }
    return switch (e) {
      case HttpConnectTimeoutException t -> "unreachable (connect timed out)";
      case HttpTimeoutException t -> "timed out after " + REQUEST_TIMEOUT.toSeconds() + " s";
      case ConnectException c -> "unreachable (" + (c.getMessage() == null ? "connection refused" : c.getMessage()) + ")";
      default -> "failed (" + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")";
    };
  }

  /** Why a page could not be fetched; the message is one line, fit to print next to the URL. */
  public static final class FetchException extends Exception {
    @Serial private static final long serialVersionUID = 1L;

    FetchException(String message) {
      super(message);
    }

    FetchException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
