package dev.quarry.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A webhook's far end, a real HTTP server on a free loopback port: it keeps each JSON body posted
 * to it, and answers the first {@code failFirst} posts with 503.
 */
public final class WebhookReceiver implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final List<JsonNode> posts = new CopyOnWriteArrayList<>();
  private final AtomicInteger attempts = new AtomicInteger();

  public WebhookReceiver(int failFirst) {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext(
        "/hook",
        exchange -> {
          try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (attempts.incrementAndGet() <= failFirst) {
              exchange.sendResponseHeaders(503, -1);
              return;
            }
            posts.add(JSON.readTree(body));
            exchange.sendResponseHeaders(200, -1);
          }
        });
    server.start();
  }

  public URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook/T000/secret");
  }

  /** The bodies taken (answered 200), oldest first. */
  public List<JsonNode> posts() {
    return List.copyOf(posts);
  }

  /** Every post, 503s included. */
  public int attempts() {
    return attempts.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
