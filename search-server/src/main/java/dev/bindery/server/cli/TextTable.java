package dev.bindery.server.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A plain-text table for terminal output: padded columns, numbers right-aligned. Public for the
 * benchmark commands that {@code eval} plugs into the same CLI.
 */
public final class TextTable {
  private final String[] headers;
  private final boolean[] rightAligned;
  private final List<String[]> rows = new ArrayList<>();

  /**
   * @param headers column titles; a title starting with {@code >} (which is not printed) marks a
   *     right-aligned column
   */
  public TextTable(String... headers) {
    this.headers = new String[headers.length];
    this.rightAligned = new boolean[headers.length];
    for (int i = 0; i < headers.length; i++) {
      rightAligned[i] = headers[i].startsWith(">");
      this.headers[i] = rightAligned[i] ? headers[i].substring(1) : headers[i];
    }
  }

  /** Adds a row; cells are printed with {@link String#valueOf(Object)}. */
  public TextTable row(Object... cells) {
    if (cells.length != headers.length) {
      throw new IllegalArgumentException(
          "row has " + cells.length + " cells, table has " + headers.length + " columns");
    }
    rows.add(Arrays.stream(cells).map(String::valueOf).toArray(String[]::new));
    return this;
  }

  /** Prints the header and rows, each line starting with {@code indent}. */
  public void print(PrintWriter out, String indent) {
    int[] width = new int[headers.length];
    for (int c = 0; c < headers.length; c++) {
      width[c] = headers[c].length();
      for (String[] row : rows) {
        width[c] = Math.max(width[c], row[c].length());
      }
    }
    printLine(out, indent, headers, width);
    for (String[] row : rows) {
      printLine(out, indent, row, width);
    }
  }

  private void printLine(PrintWriter out, String indent, String[] cells, int[] width) {
    StringBuilder line = new StringBuilder(indent);
    for (int c = 0; c < cells.length; c++) {
      if (c > 0) {
        line.append("  ");
      }
      String pad = " ".repeat(width[c] - cells[c].length());
      line.append(rightAligned[c] ? pad + cells[c] : cells[c] + pad);
    }
    out.println(line.toString().stripTrailing());
  }
}
