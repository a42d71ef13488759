package dev.bindery.server.cli;

import dev.bindery.encoders.pkg.ModelCache;
import dev.bindery.fusion.Bindery;
import dev.bindery.indexer.IndexBackend;
import dev.bindery.server.backend.IsolatedBackendLoader;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code --backend} options of the commands that open the index: the embedded Lucene backend in
 * {@code --data} (the default), or a SolrCloud cluster reached through ZooKeeper.
 *
 * <p>The SolrCloud backend's jars are kept off the application's class path (see {@link
 * IsolatedBackendLoader}); {@code bin/bindery} builds them and names them in the system property
 * {@value #CLASSPATH_PROPERTY} (or the environment variable {@value #CLASSPATH_ENV}), a class path
 * of jars, folders of jars or class folders.
 */
final class BackendOptions {

  static final String CLASSPATH_PROPERTY = "bindery.solrcloud.classpath";
  static final String CLASSPATH_ENV = "BINDERY_SOLRCLOUD_CLASSPATH";

  /** The backends {@code --backend} takes. */
  enum Kind {
    LUCENE,
    SOLRCLOUD;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  @Spec(Spec.Target.MIXEE)
  private CommandSpec spec;

  @Option(
      names = "--backend",
      paramLabel = "NAME",
      defaultValue = "lucene",
      converter = KindConverter.class,
      description =
          "Index backend: lucene (embedded, in --data) or solrcloud (an existing SolrCloud"
              + " cluster, needs --zk) (default: ${DEFAULT-VALUE}).")
  Kind backend = Kind.LUCENE;

  @Option(
      names = "--zk",
      paramLabel = "HOST:PORT[/chroot]",
      description =
          "ZooKeeper ensemble of the SolrCloud cluster, as Solr's -z takes it:"
              + " host:port[,host:port...][/chroot].")
  String zk;

  @Option(
      names = "--shards",
      paramLabel = "N",
      description = "solrcloud: shards of collections created from now on (default: 2).")
  Integer shards;

  @Option(
      names = "--replicas",
      paramLabel = "N",
      description =
          "solrcloud: replicas per shard of collections created from now on (default: 2).")
  Integer replicas;

  static final class KindConverter implements picocli.CommandLine.ITypeConverter<Kind> {
    @Override
    public Kind convert(String value) {
      for (Kind k : Kind.values()) {
        if (k.toString().equals(value.trim().toLowerCase(Locale.ROOT))) {
          return k;
        }
      }
      throw new picocli.CommandLine.TypeConversionException(
          "unknown backend '" + value + "'; one of: lucene, solrcloud");
    }
  }

  /** Checks the combination of options; usage errors name the option. */
  void check() {
    if (backend == Kind.SOLRCLOUD) {
      if (zk == null || zk.isBlank()) {
        throw new ParameterException(
            spec.commandLine(),
            "--backend solrcloud needs --zk HOST:PORT[,HOST:PORT...][/chroot], the cluster's"
                + " ZooKeeper");
      }
      if (shards != null && shards < 1) {
        throw new ParameterException(spec.commandLine(), "--shards must be >= 1, got " + shards);
      }
      if (replicas != null && replicas < 1) {
        throw new ParameterException(
            spec.commandLine(), "--replicas must be >= 1, got " + replicas);
      }
    } else {
      for (Object[] o :
          new Object[][] {{"--zk", zk}, {"--shards", shards}, {"--replicas", replicas}}) {
        if (o[1] != null) {
          throw new ParameterException(
              spec.commandLine(), o[0] + " applies to --backend solrcloud only");
        }
      }
    }
  }

  /** A short description for messages, e.g. "SolrCloud at zk1:2181/solr". */
  String describe(Path dataDir) {
    return backend == Kind.SOLRCLOUD
        ? "SolrCloud at " + zk
        : dataDir.toAbsolutePath().normalize().toString();
  }

  /**
   * Opens the facade over the chosen backend; {@code dataDir} holds the embedded index, or, with
   * SolrCloud, only local files (uploads).
   */
  Bindery open(Path dataDir, BinderyCli cli) {
    return open(dataDir, cli, false);
  }

  /**
   * As {@link #open(Path, BinderyCli)}; with {@code readOnly} the embedded index is opened for
   * searching only (no write lock), so it works while a running server writes to it.
   */
  Bindery open(Path dataDir, BinderyCli cli, boolean readOnly) {
    check();
    if (backend == Kind.LUCENE) {
      ModelCache models = ModelCache.fromEnvironment(cli.env());
      return readOnly ? Bindery.openReadOnly(dataDir, models) : Bindery.open(dataDir, models);
    }
    return openSolrCloud(dataDir, cli);
  }

  /**
   * As {@link #open(Path, BinderyCli)} for a bulk load: the embedded backend flushes segments
   * without HNSW graphs and {@link Bindery#buildGraphs} builds them from {@code graphThreads}
   * threads; SolrCloud is opened as usual.
   */
  Bindery openForBulkLoad(Path dataDir, BinderyCli cli, int graphThreads) {
    check();
    if (backend == Kind.LUCENE) {
      return Bindery.openForBulkLoad(dataDir, ModelCache.fromEnvironment(cli.env()), graphThreads);
    }
    return openSolrCloud(dataDir, cli);
  }

  private Bindery openSolrCloud(Path dataDir, BinderyCli cli) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("zk", zk.trim());
    if (shards != null) {
      settings.put("shards", shards.toString());
    }
    if (replicas != null) {
      settings.put("replicas", replicas.toString());
    }
    IndexBackend b =
        IsolatedBackendLoader.open(
            "solrcloud", settings, solrClassPath(cli), "the SolrCloud backend's jars");
    return new Bindery(b, dataDir.resolve("collections"), ModelCache.fromEnvironment(cli.env()));
  }

  /** The SolrCloud backend's class path, from the system property or the environment. */
  static List<Path> solrClassPath(BinderyCli cli) {
    String cp = System.getProperty(CLASSPATH_PROPERTY);
    if (cp == null || cp.isBlank()) {
      cp = cli.env(CLASSPATH_ENV);
    }
    if (cp == null || cp.isBlank()) {
      throw new IllegalStateException(
          "the SolrCloud backend's jars are not configured: bin/bindery sets -D"
              + CLASSPATH_PROPERTY
              + " after building them (mvn -pl solrcloud -am package); when running the jar"
              + " yourself, set "
              + CLASSPATH_ENV
              + " to solrcloud/target/bindery-solrcloud.jar"
              + File.pathSeparator
              + "solrcloud/target/plugin-lib");
    }
    List<Path> out = new ArrayList<>();
    for (String e : cp.split(File.pathSeparator)) {
      if (!e.isBlank()) {
        out.add(Path.of(e.trim()));
      }
    }
    return out;
  }
}
