package dev.bindery.solrcloud;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A ZooKeeper connect string as SolrCloud writes it: {@code host:port[,host:port...][/chroot]}.
 *
 * @param hosts {@code host:port} entries, at least one
 * @param chroot the chroot path (starting with '/'), if any
 */
record ZkAddress(List<String> hosts, Optional<String> chroot) {
  ZkAddress {
    hosts = List.copyOf(hosts);
  }

  /** Parses {@code host:port[,host:port...][/chroot]}, naming the bad part when it fails. */
  static ZkAddress parse(String zkHost) {
    if (zkHost == null || zkHost.isBlank()) {
      throw new IllegalArgumentException(
          "ZooKeeper address must not be empty; expected host:port[,host:port...][/chroot]");
    }
    String s = zkHost.trim();
    Optional<String> chroot = Optional.empty();
    int slash = s.indexOf('/');
    if (slash >= 0) {
      String c = s.substring(slash);
      s = s.substring(0, slash);
      if (c.length() > 1) {
        if (c.endsWith("/") || c.contains("//") || c.chars().anyMatch(Character::isWhitespace)) {
          throw new IllegalArgumentException(
              "ZooKeeper chroot '" + c + "' in '" + zkHost + "' is not a valid path like /solr");
        }
        chroot = Optional.of(c);
      }
    }
    List<String> hosts = new ArrayList<>();
    for (String h : s.split(",", -1)) {
      String host = h.trim();
      int colon = host.lastIndexOf(':');
      boolean ok = colon > 0 && colon < host.length() - 1;
      if (ok) {
        try {
          int port = Integer.parseInt(host.substring(colon + 1));
          ok = port > 0 && port < 65536;
        } catch (NumberFormatException e) {
          ok = false;
        }
      }
      if (!ok) {
        throw new IllegalArgumentException(
            "ZooKeeper host '"
                + host
                + "' in '"
                + zkHost
                + "' is not host:port; expected host:port[,host:port...][/chroot]");
      }
      hosts.add(host);
    }
    return new ZkAddress(hosts, chroot);
  }

  @Override
  public String toString() {
    return String.join(",", hosts) + chroot.orElse("");
  }
}
