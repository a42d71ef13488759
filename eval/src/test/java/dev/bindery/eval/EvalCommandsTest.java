package dev.bindery.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bindery.server.cli.BinderyCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class EvalCommandsTest {

  @Test
  void binderyFindsBenchAnnThroughTheServiceLoader() {
    CommandLine cl =
        BinderyCli.commandLine(Map.of(), Thread.currentThread().getContextClassLoader());
    assertTrue(cl.getSubcommands().containsKey("bench"), cl.getSubcommands().keySet().toString());
    assertTrue(cl.getSubcommands().get("bench").getSubcommands().containsKey("ann"));

    StringWriter out = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    assertEquals(0, cl.execute("bench", "ann", "--help"));
    assertTrue(out.toString().contains("--synthetic"), out.toString());
  }

  @Test
  void benchWithoutSubcommandIsAUsageError() {
    CommandLine cl =
        BinderyCli.commandLine(Map.of(), Thread.currentThread().getContextClassLoader());
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err, true));
    assertEquals(2, cl.execute("bench"));
    assertTrue(err.toString().contains("bench needs a subcommand: ann"), err.toString());
  }
}
