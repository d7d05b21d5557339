package dev.quarry.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Reader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * The baseline of {@link AthenaStreamBenchmark}: a loopback endpoint that answers Athena's
 * GetQueryResults (JSON 1.1, {@code AmazonAthena.GetQueryResults}) by paging one result CSV as
 * Athena does, at most 1,000 rows a page, the header as the first page's first row, a NULL as a
 * datum without {@code VarCharValue}. moto's own GetQueryResults serves only canned JSON, so the
 * AWS SDK's paginator reads the same file the streaming path reads, through this server. {@link
 * #main} runs it as a process of its own.
 */
public final class PagedResults implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int PAGE = 1000;

  private final HttpServer server;
  private final Path csv;
  private final Map<String, Iterator<CSVRecord>> cursors = new ConcurrentHashMap<>();
  private final AtomicLong tokens = new AtomicLong();
  private volatile List<String> header;

  PagedResults(Path csv) throws IOException {
    this.csv = csv;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  /**
   * The endpoint in a process of its own, so its JSON work is not the benchmark's: serves the file
   * given, prints its URI on one line, then serves until it is ended.
   */
  public static void main(String[] args) throws Exception {
    PagedResults results = new PagedResults(Path.of(args[0]));
    System.out.println(results.endpoint());
    System.out.flush();
    Thread.currentThread().join();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      JsonNode request = JSON.readTree(exchange.getRequestBody());
      String token = request.path("NextToken").asText(null);
      Iterator<CSVRecord> rows;
      boolean first = token == null;
      if (first) {
        Reader reader = Files.newBufferedReader(csv, StandardCharsets.UTF_8);
        // the parser and its file stay open while the client pages; one run, one result
        @SuppressWarnings("resource")
        CSVParser parser = CSVFormat.RFC4180.parse(reader);
        rows = parser.iterator();
      } else {
        rows = cursors.remove(token);
      }
      int max = request.path("MaxResults").asInt(PAGE);
      ObjectNode body = JSON.createObjectNode();
      body.put("UpdateCount", 0);
      ObjectNode resultSet = body.putObject("ResultSet");
      ArrayNode out = resultSet.putArray("Rows");
      for (int n = 0; n < Math.min(max, PAGE) && rows.hasNext(); n++) {
        CSVRecord record = rows.next();
        if (first && n == 0) {
          header = record.toList();
        }
        ArrayNode data = out.addObject().putArray("Data");
        for (String value : record) {
          ObjectNode datum = data.addObject();
          // Athena's CSV writes NULL as nothing, a string as quoted: both arrive here as ""
          if (!value.isEmpty()) {
            datum.put("VarCharValue", value);
          }
        }
      }
      ArrayNode columns = resultSet.putObject("ResultSetMetadata").putArray("ColumnInfo");
      for (String name : header) {
        columns.addObject().put("Name", name).put("Label", name).put("Type", "varchar");
      }
      if (rows.hasNext()) {
        String next = "t" + tokens.incrementAndGet();
        cursors.put(next, rows);
        body.put("NextToken", next);
      }
      byte[] bytes = JSON.writeValueAsBytes(body);
      exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
      exchange.sendResponseHeaders(200, bytes.length);
      try (OutputStream o = exchange.getResponseBody()) {
        o.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
