package dev.bindery.server.cli;

/**
 * Contributes a subcommand under another top-level command, such as {@code http} under {@code
 * bench}, so modules can add to a command group they do not own. Found with {@link
 * java.util.ServiceLoader} like {@link CommandProvider}, after every top-level command is in place;
 * if no command called {@link #parent()} exists, a bare group of that name is made to hold it.
 */
public interface SubcommandProvider {

  /** The top-level command this one goes under, e.g. {@code bench}. */
  String parent();

  /** The subcommand's name as typed after the parent's; must match the command's own name. */
  String name();

  /** A new instance of the command (see {@link CommandProvider#command()}). */
  Object command();
}
