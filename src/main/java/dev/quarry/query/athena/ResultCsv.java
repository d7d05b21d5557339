package dev.quarry.query.athena;

import dev.quarry.error.ErrorCode;
import dev.quarry.error.QuarryException;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.commons.csv.QuoteMode;

/**
 * Reads an Athena result file one record at a time: UTF-8 CSV whose first record is the header,
 * every value in double quotes (a quote inside doubled), line breaks kept inside quotes, and NULL
 * written as an empty unquoted field, so {@code ""} is the empty string and nothing is NULL. Only
 * the current record is held, whatever the file's size.
 */
final class ResultCsv implements Closeable {
  // a null string with a strict quote mode tells an empty unquoted field (NULL) from ""
  private static final CSVFormat FORMAT =
      CSVFormat.RFC4180.builder().setNullString("").setQuoteMode(QuoteMode.ALL_NON_NULL).get();

  private final String location;
  private final CSVParser parser;
  private final Iterator<CSVRecord> records;
  private final List<String> header;

  ResultCsv(InputStream in, String location) {
    this.location = location;
    try {
      this.parser =
          FORMAT.parse(
              new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16));
    } catch (IOException e) {
      throw QuarryException.external(
          ErrorCode.ATHENA_FAILED, "cannot read the Athena result " + location, e);
    }
    this.records = parser.iterator();
    this.header = hasNext() ? next() : List.of();
  }

  /** The column names; empty for an empty file. */
  List<String> header() {
    return header;
  }

  /** The next record's values (null for NULL), or null at the end. */
  List<String> next() {
    if (!hasNext()) {
      return null;
    }
    try {
      return values(records.next());
    } catch (UncheckedIOException | IllegalStateException e) {
      throw unreadable(e);
    }
  }

  /** The number of the record {@link #next()} returned last, the header being record 1. */
  long recordNumber() {
    return parser.getRecordNumber();
  }

  private boolean hasNext() {
    try {
      return records.hasNext();
    } catch (UncheckedIOException | IllegalStateException e) {
      throw unreadable(e);
    }
  }

  private static List<String> values(CSVRecord record) {
    List<String> values = new ArrayList<>(record.size());
    for (int i = 0; i < record.size(); i++) {
      values.add(record.get(i));
    }
    return Collections.unmodifiableList(values);
  }

  private QuarryException unreadable(Exception e) {
    return QuarryException.external(
        ErrorCode.ATHENA_FAILED,
        "cannot read the Athena result "
            + location
            + " after record "
            + parser.getRecordNumber()
            + ": "
            + e.getMessage(),
        e);
  }

  @Override
  public void close() {
    try {
      parser.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
