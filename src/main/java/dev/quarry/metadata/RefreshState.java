package dev.quarry.metadata;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import dev.quarry.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a namespace's {@code state.json} remembers between refreshes.
 *
 * @param lastSequenceNumber the highest journal sequence number handed out so far (0: none)
 * @param endpoint the S3 endpoint of the last refresh, {@code aws} for AWS itself
 * @param lastRefresh null until the first refresh
 * @param lastImport null until the first import
 * @param generation how many times the tables were committed; names the next inventory file
 * @param inventoryFiles the inventory's committed files (names in its folder); null in a state
 *     written before commits named their files, when every file of the folder counts
 * @param journalFiles the journal's committed files, likewise
 * @param inventoryOneRowPerKey whether the committed inventory holds one row per (bucket, key), as
 *     counted when it was written: then every row the engine selects from it is its object's only
 *     row, and the engine skips checking that over the whole table (issue 9). Null when not known
 *     (a state written before this was recorded)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RefreshState(
    String bucket,
    String namespace,
    String endpoint,
    Instant lastRefresh,
    Instant lastImport,
    long lastSequenceNumber,
    long generation,
    List<String> inventoryFiles,
    List<String> journalFiles,
    Boolean inventoryOneRowPerKey) {
  /** Width of a sequence number: zero-padded so that string order is numeric order. */
  public static final int SEQUENCE_WIDTH = 20;

  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .enable(SerializationFeature.INDENT_OUTPUT);

  public RefreshState {
    requireNonNull(bucket, "bucket is null");
    requireNonNull(namespace, "namespace is null");
    inventoryFiles = inventoryFiles == null ? null : List.copyOf(inventoryFiles);
    journalFiles = journalFiles == null ? null : List.copyOf(journalFiles);
  }

  /** A namespace nothing was committed to yet. */
  public static RefreshState empty(String bucket, String namespace) {
    return new RefreshState(bucket, namespace, null, null, null, 0, 0, List.of(), List.of(), null);
  }

  /** Whether this state names its committed files (else it predates that, see the fields). */
  public boolean namesFiles() {
    return inventoryFiles != null && journalFiles != null;
  }

  /** The committed files of {@code table}; null when this state does not name them. */
  public List<String> files(String table) {
    return switch (table) {
      case MetadataTables.INVENTORY -> inventoryFiles;
      case MetadataTables.JOURNAL -> journalFiles;
      default -> throw new IllegalArgumentException("no table " + table);
    };
  }

  public RefreshState withFiles(List<String> inventory, List<String> journal) {
    return new RefreshState(
        bucket,
        namespace,
        endpoint,
        lastRefresh,
        lastImport,
        lastSequenceNumber,
        generation,
        inventory,
        journal,
        // the fact is about the files it was counted over
        inventory != null && inventory.equals(inventoryFiles) ? inventoryOneRowPerKey : null);
  }

  public static String sequenceNumber(long value) {
    return String.format("%0" + SEQUENCE_WIDTH + "d", value);
  }

  public static Optional<RefreshState> read(Path file) {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(MAPPER.readValue(file.toFile(), RefreshState.class));
    } catch (IOException e) {
      throw new QuarryException(
          ErrorCode.STATE_UNREADABLE,
          file + ": unreadable refresh state (" + e.getMessage() + "); fix or delete it",
          e);
    }
  }

  /** Written to a temporary file and renamed, so a crash never leaves half a file. */
  public void write(Path file) {
    AtomicFiles.writeJson(file, this);
  }
}
