package dev.bindery.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BinderyCliTest {

  @Test
  void unknownCommandIsAUsageErrorWithAMessage() {
    CliRun run = CliRun.of("frobnicate");
    assertEquals(2, run.exitCode(), run.err());
    assertTrue(run.err().contains("unknown command 'frobnicate'"), run.err());
    assertTrue(run.err().contains("demo"), "lists the commands there are: " + run.err());
    assertEquals("", run.out());
  }

  @Test
  void missingCommandIsAUsageError() {
    CliRun run = CliRun.of();
    assertEquals(2, run.exitCode(), run.err());
    assertTrue(run.err().contains("missing command"), run.err());
  }

  @Test
  void badOptionValueIsAUsageError() {
    CliRun run = CliRun.of("demo", "--port", "70000");
    assertEquals(2, run.exitCode(), run.err());
    assertTrue(run.err().contains("--port must be in 0..65535, got 70000"), run.err());
  }

  @Test
  void versionNamesBinderyJavaAndLucene() {
    CliRun run = CliRun.of("--version");
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().matches("(?s)bindery \\d+\\.\\d+\\.\\d+.*"), run.out());
    assertFalse(run.out().contains("${"), "version resource is filtered: " + run.out());
    assertTrue(run.out().contains("Lucene 10."), run.out());
  }

  @Test
  void helpListsTheGlobalOptionsAndContributedCommands() {
    CliRun run = CliRun.of("--help");
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().contains("--data=DIR"), run.out());
    assertTrue(run.out().contains("demo"), run.out());
    assertTrue(run.out().contains(FailingCommandProvider.NAME), run.out());
  }

  @Test
  void globalOptionsWorkBeforeAndAfterTheCommand() {
    var cl = BinderyCli.commandLine(Map.of(), getClass().getClassLoader());
    cl.parseArgs("demo", "--data", "/tmp/after");
    assertEquals("/tmp/after", ((BinderyCli) cl.getCommand()).dataDir().toString());

    cl = BinderyCli.commandLine(Map.of(), getClass().getClassLoader());
    cl.parseArgs("--data", "/tmp/before", "demo");
    assertEquals("/tmp/before", ((BinderyCli) cl.getCommand()).dataDir().toString());
  }

  @Test
  void failurePrintsOneLineAndExitCode1() {
    CliRun run = CliRun.of(FailingCommandProvider.NAME);
    assertEquals(1, run.exitCode(), run.err());
    assertEquals(
        List.of(
            "bindery fail-for-test: error: index is locked: write.lock held by another process"),
        run.err().lines().toList(),
        "one line, no stack trace by default");
  }

  @Test
  void verboseOrBinderyDebugPrintsTheStackTrace() {
    CliRun verbose = CliRun.of(FailingCommandProvider.NAME, "--verbose");
    assertEquals(1, verbose.exitCode());
    assertTrue(verbose.err().contains("\tat "), verbose.err());
    assertTrue(verbose.err().contains("Caused by: java.io.IOException"), verbose.err());

    CliRun debug = CliRun.withEnv(Map.of("BINDERY_DEBUG", "1"), FailingCommandProvider.NAME);
    assertEquals(1, debug.exitCode());
    assertTrue(debug.err().contains("\tat "), debug.err());
  }
}
