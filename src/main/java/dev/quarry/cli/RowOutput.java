package dev.quarry.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.quarry.query.QueryEngine;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.QuoteMode;

/** Prints a query's rows as an aligned table, a JSON array or CSV; used by query and plan. */
final class RowOutput {
  private RowOutput() {}

  /**
   * Characters that change how a terminal shows the text around them or show as nothing:
   * bidirectional overrides and isolates (U+202E makes a key read backwards), zero-width and other
   * format characters, and the line and paragraph separators.
   */
  static boolean invisible(int c) {
    int type = Character.getType(c);
    return type == Character.FORMAT
        || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR;
  }

  /**
   * Text for a terminal that keeps its line breaks; every other control or {@link #invisible}
   * character is shown as an escape. For messages that may quote a key.
   */
  static String visible(String text) {
    return java.util.Arrays.stream(text.split("\n", -1))
        .map(RowOutput::oneLine)
        .collect(java.util.stream.Collectors.joining("\n"));
  }

  /**
   * Text on one line for a terminal: a newline shown as \n, other control characters and {@link
   * #invisible} ones as {@code \\uXXXX}.
   */
  static String oneLine(String text) {
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints()
        .forEach(
            c -> {
              if (c == '\n') {
                out.append("\\n");
              } else if (Character.isISOControl(c) || invisible(c)) {
                out.append(String.format("\\u%04x", c));
              } else {
                out.appendCodePoint(c);
              }
            });
    return out.toString();
  }

  /**
   * Runs {@code query} with a visitor that prints at most {@code limit} rows and stops reading
   * after them.
   */
  static void print(
      CliContext context, OutputFormat format, long limit, Consumer<QueryEngine.RowVisitor> query) {
    Printer printer =
        switch (format) {
          case text -> new TextPrinter(context);
          case json -> new JsonPrinter(context);
          case csv -> new CsvPrinter(context);
        };
    Collector collector = new Collector(printer, limit);
    try {
      query.accept(collector);
    } catch (Collector.Enough enough) {
      // more rows than asked for: the rest is not read
    }
    printer.finish(collector.truncated);
  }

  /** Stops reading once the printer has its rows, noting whether there were more. */
  private static final class Collector implements QueryEngine.RowVisitor {
    static final class Enough extends RuntimeException {
      Enough() {
        super(null, null, false, false);
      }
    }

    private final Printer printer;
    private final long limit;
    private long rows;
    boolean truncated;

    Collector(Printer printer, long limit) {
      this.printer = printer;
      this.limit = limit;
    }

    @Override
    public void columns(List<String> names) {
      printer.columns(names);
    }

    @Override
    public void row(List<Object> values) {
      if (rows >= limit) {
        truncated = true;
        throw new Enough();
      }
      rows++;
      printer.row(values);
    }
  }

  private interface Printer {
    void columns(List<String> names);

    void row(List<Object> values);

    void finish(boolean truncated);
  }

  /** Aligned columns; rows are held until the widths are known (at most --max-rows). */
  private static final class TextPrinter implements Printer {
    private final CliContext context;
    private List<String> names = List.of();
    private final List<List<String>> rows = new ArrayList<>();

    TextPrinter(CliContext context) {
      this.context = context;
    }

    @Override
    public void columns(List<String> names) {
      this.names = names;
    }

    @Override
    public void row(List<Object> values) {
      rows.add(values.stream().map(TextPrinter::cell).toList());
    }

    private static String cell(Object value) {
      if (value == null) {
        return "NULL";
      }
      String text =
          value instanceof LocalDateTime t
              ? t.toString().replace('T', ' ')
              : value instanceof Map<?, ?> || value instanceof List<?>
                  ? Json.MAPPER.valueToTree(value).toString()
                  : value.toString();
      return oneLine(text);
    }

    @Override
    public void finish(boolean truncated) {
      int[] widths = new int[names.size()];
      for (int i = 0; i < names.size(); i++) {
        widths[i] = names.get(i).length();
        for (List<String> row : rows) {
          widths[i] = Math.max(widths[i], row.get(i).length());
        }
      }
      line(names, widths);
      List<String> rule = new ArrayList<>();
      for (int width : widths) {
        rule.add("-".repeat(width));
      }
      line(rule, widths);
      rows.forEach(row -> line(row, widths));
      context
          .out()
          .println(
              "("
                  + rows.size()
                  + (rows.size() == 1 ? " row" : " rows")
                  + (truncated ? "; more not shown, see --max-rows" : "")
                  + ")");
    }

    private void line(List<String> cells, int[] widths) {
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < cells.size(); i++) {
        if (i > 0) {
          out.append(" | ");
        }
        out.append(cells.get(i));
        if (i < cells.size() - 1) {
          out.append(" ".repeat(widths[i] - cells.get(i).length()));
        }
      }
      context.out().println(out);
    }
  }

  /** A JSON array of objects, written as the rows arrive. */
  private static final class JsonPrinter implements Printer {
    private final JsonGenerator json;
    private List<String> names = List.of();

    JsonPrinter(CliContext context) {
      try {
        json = Json.MAPPER.getFactory().createGenerator(context.out());
        json.useDefaultPrettyPrinter();
        json.writeStartArray();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void columns(List<String> names) {
      this.names = names;
    }

    @Override
    public void row(List<Object> values) {
      try {
        json.writeStartObject();
        for (int i = 0; i < names.size(); i++) {
          json.writeFieldName(names.get(i));
          Object value = values.get(i);
          json.writeObject(value instanceof LocalDateTime t ? t.toString() : value);
        }
        json.writeEndObject();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void finish(boolean truncated) {
      try {
        json.writeEndArray();
        json.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * RFC 4180 CSV with a header row; maps and lists as JSON. A text cell that a spreadsheet would
   * read as a formula (it starts with {@code = + - @}, a tab or a carriage return, as OWASP's
   * CSV-injection guidance lists) is written quoted with a leading {@code '}, which spreadsheets
   * show as text; numbers are written as they are. {@code --output json} gives the raw values.
   */
  private static final class CsvPrinter implements Printer {
    private static final CSVFormat CELLS = CSVFormat.RFC4180;
    private static final CSVFormat QUOTED =
        CSVFormat.RFC4180.builder().setQuoteMode(QuoteMode.ALL).get();

    private final PrintWriter out;

    CsvPrinter(CliContext context) {
      this.out = context.out();
    }

    @Override
    public void columns(List<String> names) {
      print(new ArrayList<>(names));
    }

    @Override
    public void row(List<Object> values) {
      List<Object> cells = new ArrayList<>(values.size());
      for (Object value : values) {
        cells.add(
            value instanceof Map<?, ?> || value instanceof List<?>
                ? Json.MAPPER.valueToTree(value).toString()
                : value);
      }
      print(cells);
    }

    /** Whether a spreadsheet would take this text cell for a formula. */
    static boolean formulaLike(String cell) {
      if (cell.isEmpty()) {
        return false;
      }
      char first = cell.charAt(0);
      return first == '='
          || first == '+'
          || first == '-'
          || first == '@'
          || first == '\t'
          || first == '\r';
    }

    private void print(List<Object> cells) {
      try {
        for (int i = 0; i < cells.size(); i++) {
          Object cell = cells.get(i);
          if (cell instanceof String text && formulaLike(text)) {
            QUOTED.print("'" + text, out, i == 0);
          } else {
            CELLS.print(cell, out, i == 0);
          }
        }
        CELLS.println(out);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void finish(boolean truncated) {
      out.flush();
    }
  }
}
