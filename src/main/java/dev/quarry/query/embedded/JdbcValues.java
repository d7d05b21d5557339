package dev.quarry.query.embedded;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Array;
import java.sql.Blob;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Struct;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.duckdb.DuckDBStruct;

/**
 * Turns DuckDB's JDBC values into the plain Java values {@code QueryEngine.RowVisitor} promises.
 */
final class JdbcValues {
  private JdbcValues() {}

  static Object read(ResultSet rs, int column, String typeName) throws SQLException {
    if (typeName.startsWith("TIMESTAMP") && !typeName.contains("TIME ZONE")) {
      return rs.getObject(column, LocalDateTime.class);
    }
    return plain(rs.getObject(column));
  }

  static Object plain(Object value) throws SQLException {
    if (value == null
        || value instanceof String
        || value instanceof Long
        || value instanceof Integer
        || value instanceof Double
        || value instanceof BigDecimal
        || value instanceof Boolean
        || value instanceof LocalDateTime
        || value instanceof java.time.LocalDate) {
      return value;
    }
    if (value instanceof Short || value instanceof Byte) {
      return ((Number) value).intValue();
    }
    if (value instanceof Float f) {
      return f.doubleValue();
    }
    if (value instanceof BigInteger b) {
      return new BigDecimal(b);
    }
    if (value instanceof OffsetDateTime t) {
      // the session is in UTC, as Athena's; a zone-less UTC value compares with the tables'
      return t.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
    }
    if (value instanceof java.sql.Timestamp t) {
      return t.toLocalDateTime();
    }
    if (value instanceof UUID u) {
      return u.toString();
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        copy.put(String.valueOf(plain(e.getKey())), plain(e.getValue()));
      }
      return copy;
    }
    if (value instanceof DuckDBStruct struct) {
      return plain(struct.getMap());
    }
    if (value instanceof Struct struct) {
      return plain(java.util.Arrays.asList(struct.getAttributes()));
    }
    if (value instanceof Array array) {
      return plain(java.util.Arrays.asList((Object[]) array.getArray()));
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      for (Object element : list) {
        copy.add(plain(element));
      }
      return copy;
    }
    if (value instanceof Blob blob) {
      return blob.getBytes(1, (int) blob.length());
    }
    return value.toString();
  }
}
