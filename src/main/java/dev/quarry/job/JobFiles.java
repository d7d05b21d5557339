package dev.quarry.job;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quarry.io.AtomicFiles;
import dev.quarry.report.ReportLocation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The JSON of the files both executors keep about jobs (the local executor's job records, the
 * s3control executor's submissions): one mapper, so that a {@link ReportLocation} reads back as the
 * kind it was written as.
 */
public final class JobFiles {
  /** {@link AtomicFiles#JSON}, with {@link ReportLocation}'s kind in its JSON. */
  public static final ObjectMapper JSON =
      AtomicFiles.JSON.copy().addMixIn(ReportLocation.class, ReportLocationJson.class);

  private JobFiles() {}

  public static <T> T read(Path file, Class<T> type) {
    try {
      return JSON.readValue(file.toFile(), type);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** ReportLocation is sealed: its JSON names the kind. */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = ReportLocation.Local.class, name = "local"),
    @JsonSubTypes.Type(value = ReportLocation.S3.class, name = "s3")
  })
  private interface ReportLocationJson {}
}
