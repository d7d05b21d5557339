package dev.quarry.metadata;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.quarry.error.ErrorKind;
import dev.quarry.error.QuarryException;
import dev.quarry.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * What a namespace's {@code state.json} remembers between refreshes.
 *
 * @param lastSequenceNumber the highest journal sequence number handed out so far (0: none)
 * @param endpoint the S3 endpoint of the last refresh, {@code aws} for AWS itself
 * @param lastRefresh null until the first refresh
 * @param lastImport null until the first import
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RefreshState(
    String bucket,
    String namespace,
    String endpoint,
    Instant lastRefresh,
    Instant lastImport,
    long lastSequenceNumber) {
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
          ErrorKind.USER,
          file + ": unreadable refresh state (" + e.getMessage() + "); fix or delete it",
          e);
    }
  }

  /** Written to a temporary file and renamed, so a crash never leaves half a file. */
  public void write(Path file) {
    AtomicFiles.writeJson(file, this);
  }
}
