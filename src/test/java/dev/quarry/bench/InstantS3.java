package dev.quarry.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An S3-compatible endpoint that answers each request at once with canned, valid XML and keeps no
 * state, so that a benchmark against it shows its client's own ceiling, not a server's (the
 * sandbox's S3Mock and moto serve tens of requests a second here).
 *
 * <p>It answers, path-style ({@code /bucket/key}): PutObjectTagging, CopyObject (any source),
 * HeadObject, GetObjectTagging (two tags), and ListObjectVersions of a bucket of {@code objects}
 * keys {@code obj-000000, obj-000001, ...} with one version each, in pages of at most 1,000 as S3
 * pages. Anything else is a 501 {@code NotImplemented}, counted in {@link #unknown()}.
 *
 * <p>Loopback only; its thread pool is fixed so that it does not grow with the client's
 * concurrency.
 */
public final class InstantS3 implements AutoCloseable {
  static final String ETAG = "\"0123456789abcdef0123456789abcdef\"";
  private static final String LAST_MODIFIED = "2026-01-01T00:00:00.000Z";
  private static final String LAST_MODIFIED_HTTP = "Thu, 01 Jan 2026 00:00:00 GMT";
  private static final byte[] TAGGING =
      ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
              + "<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet>"
              + "<Tag><Key>team</Key><Value>data</Value></Tag>"
              + "<Tag><Key>env</Key><Value>prod</Value></Tag>"
              + "</TagSet></Tagging>")
          .getBytes(StandardCharsets.UTF_8);
  private static final byte[] COPY_RESULT =
      ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
              + "<CopyObjectResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
              + "<LastModified>"
              + LAST_MODIFIED
              + "</LastModified><ETag>"
              + ETAG.replace("\"", "&quot;")
              + "</ETag></CopyObjectResult>")
          .getBytes(StandardCharsets.UTF_8);
  private static final byte[] NOT_IMPLEMENTED =
      ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NotImplemented</Code>"
              + "<Message>not answered by the instant endpoint</Message></Error>")
          .getBytes(StandardCharsets.UTF_8);
  private static final int PAGE = 1000;

  private final HttpServer server;
  private final ExecutorService threads;
  private final int objects;
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong unknown = new AtomicLong();

  private InstantS3(int objects, int threadCount) throws IOException {
    this.objects = objects;
    this.server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
    this.threads =
        Executors.newFixedThreadPool(
            threadCount,
            r -> {
              Thread t = new Thread(r, "instant-s3");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Starts the endpoint on a free loopback port; its listing has {@code objects} versions. */
  public static InstantS3 start(int objects) throws IOException {
    return new InstantS3(objects, 16);
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Requests answered so far. */
  public long requests() {
    return requests.get();
  }

  /**
   * Requests it does not answer (501) so far: a benchmark that sees any measured the wrong thing.
   */
  public long unknown() {
    return unknown.get();
  }

  /** The size of key {@code i}'s only version. */
  static long size(int i) {
    return 1024 + i % 4096;
  }

  private static long size(String key) {
    try {
      return key.startsWith("obj-") ? size(Integer.parseInt(key.substring("obj-".length()))) : 0;
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  static String key(int i) {
    return String.format(java.util.Locale.ROOT, "obj-%06d", i);
  }

  private void handle(HttpExchange exchange) throws IOException {
    requests.incrementAndGet();
    try (exchange) {
      try (InputStream body = exchange.getRequestBody()) {
        body.transferTo(OutputStream.nullOutputStream());
      }
      Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
      String path = exchange.getRequestURI().getPath();
      int slash = path.indexOf('/', 1);
      boolean hasKey = slash > 0 && slash < path.length() - 1;
      var headers = exchange.getResponseHeaders();
      headers.set("x-amz-request-id", "instant");
      switch (exchange.getRequestMethod()) {
        case "PUT" -> {
          if (hasKey && query.containsKey("tagging")) {
            headers.set("x-amz-version-id", "v1");
            exchange.sendResponseHeaders(200, -1);
          } else if (hasKey && exchange.getRequestHeaders().containsKey("x-amz-copy-source")) {
            headers.set("x-amz-version-id", "v2");
            xml(exchange, COPY_RESULT);
          } else {
            notImplemented(exchange);
          }
        }
        case "HEAD" -> {
          if (hasKey) {
            headers.set("ETag", ETAG);
            // the size the listing shows, as S3 answers: an incremental refresh compares them
            headers.set("Content-Length", Long.toString(size(path.substring(slash + 1))));
            headers.set("Last-Modified", LAST_MODIFIED_HTTP);
            headers.set("Content-Type", "application/octet-stream");
            headers.set("x-amz-version-id", query.getOrDefault("versionId", "v1"));
            headers.set("x-amz-server-side-encryption", "AES256");
            headers.set("x-amz-tagging-count", "2");
            exchange.sendResponseHeaders(200, -1);
          } else {
            notImplemented(exchange);
          }
        }
        case "GET" -> {
          if (hasKey && query.containsKey("tagging")) {
            headers.set("x-amz-version-id", query.getOrDefault("versionId", "v1"));
            xml(exchange, TAGGING);
          } else if (!hasKey && query.containsKey("versions")) {
            xml(exchange, versions(path.substring(1).replace("/", ""), query));
          } else {
            notImplemented(exchange);
          }
        }
        default -> notImplemented(exchange);
      }
    }
  }

  /** One page of ListObjectVersions: the keys after the key marker, at most 1,000. */
  private byte[] versions(String bucket, Map<String, String> query) {
    int from = 0;
    String marker = query.get("key-marker");
    if (marker != null && !marker.isEmpty()) {
      from = Integer.parseInt(marker.substring("obj-".length())) + 1;
    }
    int maxKeys = Math.min(PAGE, Integer.parseInt(query.getOrDefault("max-keys", "1000")));
    int to = Math.min(objects, from + maxKeys);
    boolean truncated = to < objects;
    StringBuilder xml = new StringBuilder(256 + 400 * (to - from));
    xml.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        .append("<ListVersionsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">")
        .append("<Name>")
        .append(bucket)
        .append("</Name><Prefix></Prefix><KeyMarker>")
        .append(marker == null ? "" : marker)
        .append("</KeyMarker><VersionIdMarker></VersionIdMarker><MaxKeys>")
        .append(maxKeys)
        .append("</MaxKeys>");
    if ("url".equals(query.get("encoding-type"))) {
      xml.append("<EncodingType>url</EncodingType>");
    }
    xml.append("<IsTruncated>").append(truncated).append("</IsTruncated>");
    if (truncated) {
      xml.append("<NextKeyMarker>")
          .append(key(to - 1))
          .append("</NextKeyMarker><NextVersionIdMarker>v")
          .append(to - 1)
          .append("</NextVersionIdMarker>");
    }
    for (int i = from; i < to; i++) {
      xml.append("<Version><Key>")
          .append(key(i))
          .append("</Key><VersionId>v")
          .append(i)
          .append("</VersionId><IsLatest>true</IsLatest><LastModified>")
          .append(LAST_MODIFIED)
          .append("</LastModified><ETag>&quot;0123456789abcdef0123456789abcdef&quot;</ETag>")
          .append("<Size>")
          .append(size(i))
          .append("</Size><StorageClass>STANDARD</StorageClass>")
          .append("<Owner><ID>instant</ID></Owner></Version>");
    }
    xml.append("</ListVersionsResult>");
    return xml.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void xml(HttpExchange exchange, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/xml");
    exchange.sendResponseHeaders(200, body.length);
    exchange.getResponseBody().write(body);
  }

  private void notImplemented(HttpExchange exchange) throws IOException {
    unknown.incrementAndGet();
    exchange.getResponseHeaders().set("Content-Type", "application/xml");
    if ("HEAD".equals(exchange.getRequestMethod())) {
      exchange.sendResponseHeaders(501, -1);
      return;
    }
    exchange.sendResponseHeaders(501, NOT_IMPLEMENTED.length);
    exchange.getResponseBody().write(NOT_IMPLEMENTED);
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> query = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return query;
    }
    for (String part : raw.split("&")) {
      int eq = part.indexOf('=');
      String name =
          URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
      String value =
          eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
      query.put(name, value);
    }
    return query;
  }

  /** Runs the endpoint alone until killed: {@code InstantS3 [objects]}; prints its endpoint. */
  public static void main(String[] args) throws Exception {
    InstantS3 s3 = start(args.length > 0 ? Integer.parseInt(args[0]) : 20_000);
    System.out.println(s3.endpoint());
    Thread.currentThread().join();
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
