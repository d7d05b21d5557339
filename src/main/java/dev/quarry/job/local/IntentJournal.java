package dev.quarry.job.local;

import static java.util.Objects.requireNonNull;

import dev.quarry.action.TaskOutcome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The intents of a job's tasks that are not idempotent, and their outcomes: an append-only file in
 * the job's folder, one {@code write} a record. A record is in the file once its {@code write}
 * returns, so a killed process loses none, as with the job's H2 database, which does not {@code
 * fsync} at a commit either (MVStore syncs only when it compacts or closes); an operating system
 * crash may lose the last records of both. Two H2 transactions a task (a commit each, the
 * statements prepared again on each pooled connection) cost a copy a third of Quarry's CPU; two
 * appends cost almost nothing.
 *
 * <p>Records are lines of tab-separated fields: {@code I index startedMillis} (intent), {@code O
 * index status httpStatus errorCode message} (its outcome), {@code F index} (forgotten: a new round
 * runs the task again). A last line without its newline (a write cut short by a full disk) is
 * dropped when the journal opens: its caller got the error and did not run the task.
 *
 * <p>Which rows have an intent is kept in memory (a bit a row); the outcomes are kept only for what
 * the file held when it was opened, the tasks of an earlier attempt.
 */
final class IntentJournal implements AutoCloseable {
  static final String FILE = "intents.log";

  private final FileChannel channel;
  private final BitSet intended = new BitSet();
  // outcomes found in the file when it was opened: what an earlier attempt recorded
  private final Map<Long, TaskOutcome> earlier = new HashMap<>();

  private IntentJournal(FileChannel channel) {
    this.channel = channel;
  }

  /** Opens (creating if needed) the journal {@code file}, dropping a torn last record. */
  static IntentJournal open(Path file) {
    requireNonNull(file, "file is null");
    try {
      FileChannel channel =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      IntentJournal journal = new IntentJournal(channel);
      try {
        journal.load(file);
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
      return journal;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the intent journal " + file, e);
    }
  }

  private void load(Path file) throws IOException {
    byte[] content = Files.readAllBytes(file);
    int end = content.length;
    while (end > 0 && content[end - 1] != '\n') {
      end--;
    }
    if (end < content.length) {
      channel.truncate(end);
    }
    channel.position(end);
    int start = 0;
    for (int i = 0; i < end; i++) {
      if (content[i] == '\n') {
        apply(new String(content, start, i - start, StandardCharsets.UTF_8).split("\t", -1));
        start = i + 1;
      }
    }
  }

  private void apply(String[] fields) {
    long index = Long.parseLong(fields[1]);
    int row = Math.toIntExact(index);
    switch (fields[0]) {
      case "I" -> intended.set(row);
      case "O" ->
          earlier.put(
              index,
              new TaskOutcome(
                  TaskOutcome.Status.valueOf(fields[2]),
                  fields[4].isEmpty() ? null : unescape(fields[4]),
                  Integer.parseInt(fields[3]),
                  unescape(fields[5])));
      case "F" -> {
        intended.clear(row);
        earlier.remove(index);
      }
      default -> throw new IllegalStateException("unknown intent journal record " + fields[0]);
    }
  }

  /**
   * Records that the task of row {@code index} is about to run; in the file before this returns.
   *
   * @return false when an intent was recorded before: by an earlier attempt of this job
   */
  synchronized boolean recordIntent(long index, long startedMillis) {
    int row = Math.toIntExact(index);
    if (intended.get(row)) {
      return false;
    }
    append("I\t" + index + "\t" + startedMillis + "\n");
    intended.set(row);
    return true;
  }

  /** Records what the task of row {@code index} did; in the file before this returns. */
  synchronized void recordOutcome(long index, TaskOutcome outcome) {
    append(
        "O\t"
            + index
            + "\t"
            + outcome.status().name()
            + "\t"
            + outcome.httpStatus()
            + "\t"
            + (outcome.errorCode() == null ? "" : escape(outcome.errorCode()))
            + "\t"
            + escape(outcome.message())
            + "\n");
  }

  /** Forgets the intent of row {@code index}, so that the task runs again. */
  synchronized void forget(long index) {
    append("F\t" + index + "\n");
    intended.clear(Math.toIntExact(index));
    earlier.remove(index);
  }

  /**
   * What an earlier attempt recorded for row {@code index}: empty when no intent is recorded; an
   * intent without an outcome is a task that may or may not have run.
   */
  synchronized Optional<Optional<TaskOutcome>> intent(long index) {
    if (!intended.get(Math.toIntExact(index))) {
      return Optional.empty();
    }
    return Optional.of(Optional.ofNullable(earlier.get(index)));
  }

  private void append(String record) {
    ByteBuffer bytes = ByteBuffer.wrap(record.getBytes(StandardCharsets.UTF_8));
    try {
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the intent journal", e);
    }
  }

  // a message may hold tabs and line breaks; the record's fields and lines may not
  private static String escape(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '\t' -> out.append("\\t");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  private static String unescape(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char next = s.charAt(++i);
        out.append(
            switch (next) {
              case 't' -> '\t';
              case 'n' -> '\n';
              case 'r' -> '\r';
              default -> next;
            });
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  @Override
  public synchronized void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // nothing buffered: every record was written when it was recorded
    }
  }
}
