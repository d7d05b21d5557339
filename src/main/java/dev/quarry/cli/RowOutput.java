package dev.quarry.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.quarry.query.QueryEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/** Prints a query's rows as an aligned table, a JSON array or CSV; used by query and plan. */
final class RowOutput {
  private RowOutput() {}

  /** Text on one line for a terminal: a newline shown as \n, other control characters escaped. */
  static String oneLine(String text) {
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints()
        .forEach(
            c -> {
              if (c == '\n') {
                out.append("\\n");
              } else if (Character.isISOControl(c)) {
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

  /** RFC 4180 CSV with a header row; maps and lists as JSON. */
  private static final class CsvPrinter implements Printer {
    private final CSVPrinter csv;

    CsvPrinter(CliContext context) {
      try {
        this.csv = new CSVPrinter(context.out(), CSVFormat.RFC4180);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
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

    private void print(List<Object> cells) {
      try {
        csv.printRecord(cells);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void finish(boolean truncated) {
      try {
        csv.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
