package dev.quarry.query.athena;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.sandbox.LocalS3Server;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.athena.AthenaClient;

/**
 * moto's Athena controls, through its HTTP API: canned results (the next StartQueryExecution takes
 * the first queued result, and moto writes its rows to {@code <OutputLocation><query-id>.csv}) and
 * the state machine of executions (held QUEUED until released, to test waiting, timeouts and
 * cancels, or to put a result file in place before the query "succeeds").
 *
 * <p>moto keeps one queue and one state machine per server: tests using them must not run in
 * parallel against the same server.
 */
public final class MotoAthena {
  private static final String EXECUTION_MODEL = "athena::execution";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI endpoint;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public MotoAthena(LocalS3Server server) {
    this.endpoint = server.endpoint();
  }

  /** A column of a canned result's metadata. */
  public record Column(String name, String type) {}

  /**
   * Queues the result of the next query: {@code rows} include the header row first, as Athena's
   * GetQueryResults returns it; a null value is a NULL (moto writes it as an empty field).
   */
  public void queueResult(List<Column> columns, List<List<String>> rows) {
    List<Map<String, Object>> data = new ArrayList<>();
    for (List<String> row : rows) {
      List<Map<String, String>> cells = new ArrayList<>();
      for (String value : row) {
        cells.add(value == null ? Map.of() : Map.of("VarCharValue", value));
      }
      data.add(Map.of("Data", cells));
    }
    List<Map<String, Object>> columnInfo = new ArrayList<>();
    for (Column c : columns) {
      Map<String, Object> info = new LinkedHashMap<>();
      info.put("Name", c.name());
      info.put("Label", c.name());
      info.put("Type", c.type());
      info.put("Nullable", "UNKNOWN");
      columnInfo.add(info);
    }
    post(
        "/moto-api/static/athena/query-results",
        Map.of("results", List.of(Map.of("rows", data, "column_info", columnInfo))));
  }

  /** Executions started from now on stay QUEUED until {@link #release()}. */
  public void hold() {
    post(
        "/moto-api/state-manager/set-transition",
        Map.of(
            "model_name",
            EXECUTION_MODEL,
            "transition",
            Map.of("progression", "manual", "times", 1_000_000_000)));
  }

  /** Executions go straight to SUCCEEDED again (moto's default). */
  public void release() {
    post("/moto-api/state-manager/unset-transition", Map.of("model_name", EXECUTION_MODEL));
  }

  /** The ids of the executions moto knows of. */
  public static Set<String> executions(AthenaClient athena) {
    return new HashSet<>(athena.listQueryExecutions(r -> r.maxResults(50)).queryExecutionIds());
  }

  /** Waits for an execution not in {@code before} and returns its id. */
  public static String awaitNewExecution(AthenaClient athena, Set<String> before)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      for (String id : executions(athena)) {
        if (!before.contains(id)) {
          return id;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no new Athena query started");
  }

  private void post(String path, Object body) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(endpoint.resolve(path))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2) {
        throw new IllegalStateException(
            "moto answered " + response.statusCode() + " to " + path + ": " + response.body());
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot reach moto at " + endpoint, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
